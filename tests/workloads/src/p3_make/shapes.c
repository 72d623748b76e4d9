/* p3_make: areas. */
#include "project.h"

double square_area(double side) { return side * side; }
double circle_area(double r) { return 3.14159265358979 * r * r; }
