/* sys_random: getrandom flags, sizes, EINVAL and EFAULT. */
#include "tap.h"
#include <sys/random.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif

int main(void)
{
	unsigned char a[64], b[64];
	CHECK_EQ(getrandom(a, sizeof a, 0), 64, "getrandom 64 bytes");
	CHECK_EQ(getrandom(b, sizeof b, 0), 64, "again");
	CHECK(memcmp(a, b, 64) != 0, "two draws differ");
	CHECK_EQ(getrandom(a, sizeof a, GRND_NONBLOCK), 64, "GRND_NONBLOCK");
	CHECK_EQ(getrandom(a, sizeof a, GRND_RANDOM | GRND_NONBLOCK), 64, "GRND_RANDOM|GRND_NONBLOCK");
	CHECK_EQ(getrandom(a, sizeof a, GRND_INSECURE), 64, "GRND_INSECURE");
	CHECK_EQ(getrandom(a, 0, 0), 0, "length 0");
	static unsigned char big[1 << 20];
	long n = getrandom(big, sizeof big, 0);
	CHECK(n == 33554431 || n == (long)sizeof big, "1 MiB request is served whole");
	CHECK_ERR(getrandom(a, sizeof a, 0x40), EINVAL, "unknown flag EINVAL");
	CHECK_ERR(getrandom(a, sizeof a, GRND_RANDOM | GRND_INSECURE), EINVAL, "GRND_RANDOM|GRND_INSECURE EINVAL");
	CHECK_ERR(syscall(SYS_getrandom, BAD_LOW, 16, 0), EFAULT, "bad buffer EFAULT");
	CHECK_ERR(syscall(SYS_getrandom, BAD_KERNEL, 16, 0), EFAULT, "kernel buffer EFAULT");
	return tap_done();
}
