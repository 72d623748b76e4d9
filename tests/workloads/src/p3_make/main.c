/* p3_make: prints results computed by the other files. */
#include <stdio.h>
#include "project.h"

int main(void)
{
	printf("fib(40) = %ld\n", fib(40));
	printf("checksum = %lu\n", checksum("moat builds with make -j2"));
	printf("square = %.2f circle = %.4f\n", square_area(3.5), circle_area(2.0));
	return 0;
}
