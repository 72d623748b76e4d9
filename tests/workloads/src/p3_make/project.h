/* Shared declarations of the p3_make project. */
#ifndef PROJECT_H
#define PROJECT_H
unsigned long checksum(const char *s);
long fib(int n);
double square_area(double side);
double circle_area(double r);
#endif
