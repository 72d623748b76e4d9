/* ioctl_basic: ENOTTY for terminal ioctls on non-terminals, FIONREAD on a
 * pipe and on a regular file, FIONBIO, FIOCLEX/FIONCLEX, EBADF, EFAULT. */
#include "tap.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

int main(void)
{
	struct termios tio;
	struct winsize ws;
	int file = open("/etc/passwd", O_RDONLY);
	int null = open("/dev/null", O_RDWR);
	int p[2];
	pipe(p);
	CHECK_ERR(ioctl(file, TCGETS, &tio), ENOTTY, "TCGETS on a regular file ENOTTY");
	CHECK_ERR(ioctl(null, TCGETS, &tio), ENOTTY, "TCGETS on /dev/null ENOTTY");
	CHECK_ERR(ioctl(p[0], TCGETS, &tio), ENOTTY, "TCGETS on a pipe ENOTTY");
	CHECK_ERR(ioctl(file, TIOCGWINSZ, &ws), ENOTTY, "TIOCGWINSZ on a file ENOTTY");
	CHECK_ERR(ioctl(p[1], TIOCGPGRP, &ws), ENOTTY, "TIOCGPGRP on a pipe ENOTTY");
	CHECK_ERR(isatty(file) ? 0 : -1, ENOTTY, "isatty is false with ENOTTY");

	int n = -1;
	CHECK_OK(ioctl(p[0], FIONREAD, &n), "FIONREAD on an empty pipe");
	CHECK_EQ(n, 0, "0 bytes");
	write(p[1], "abc", 3);
	CHECK_OK(ioctl(p[0], FIONREAD, &n), "FIONREAD after a write");
	CHECK_EQ(n, 3, "3 bytes");
	CHECK_ERR(ioctl(p[0], FIONREAD, BAD_LOW), EFAULT, "FIONREAD bad pointer EFAULT");

	struct stat st;
	fstat(file, &st);
	CHECK_OK(ioctl(file, FIONREAD, &n), "FIONREAD on a regular file");
	CHECK_EQ(n, st.st_size, "bytes left to EOF");
	lseek(file, 10, SEEK_SET);
	ioctl(file, FIONREAD, &n);
	CHECK_EQ(n, st.st_size - 10, "counts from the offset");

	int on = 1, off = 0;
	CHECK_OK(ioctl(p[0], FIONBIO, &on), "FIONBIO on");
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "sets O_NONBLOCK");
	CHECK_OK(ioctl(p[0], FIONBIO, &off), "FIONBIO off");
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "clears O_NONBLOCK");
	CHECK_OK(ioctl(file, FIOCLEX), "FIOCLEX");
	CHECK_EQ(fcntl(file, F_GETFD), FD_CLOEXEC, "sets FD_CLOEXEC");
	CHECK_OK(ioctl(file, FIONCLEX), "FIONCLEX");
	CHECK_EQ(fcntl(file, F_GETFD), 0, "clears FD_CLOEXEC");

	CHECK_ERR(ioctl(-1, FIONREAD, &n), EBADF, "fd -1 EBADF");
	CHECK_ERR(ioctl(9999, FIOCLEX), EBADF, "fd 9999 EBADF");
	CHECK_ERR(ioctl(p[0], 0x7fff1234, &n), ENOTTY, "unknown ioctl on a pipe ENOTTY");
	CHECK_ERR(ioctl(null, 0x7fff1234, &n), ENOTTY, "unknown ioctl on /dev/null ENOTTY");
	return tap_done();
}
