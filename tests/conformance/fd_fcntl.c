/* fd_fcntl: F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL (status
 * flags only, access mode fixed), O_NONBLOCK effect on a pipe, pipe size,
 * EBADF and EINVAL cases. */
#include "tap.h"
#include <fcntl.h>
#include <sys/resource.h>

#define LINUX_O_LARGEFILE 0100000 /* forced on by 64-bit kernels, 0 in glibc */

int main(void)
{
	tap_close_extra_fds();
	int fd = open("/etc/passwd", O_RDONLY);
	int d = CHECK_OK(fcntl(fd, F_DUPFD, 10), "F_DUPFD 10");
	CHECK_EQ(d, 10, "lowest free fd >= 10");
	int d2 = fcntl(fd, F_DUPFD, 10);
	CHECK_EQ(d2, 11, "next one is 11");
	CHECK_EQ(fcntl(d, F_GETFD), 0, "F_DUPFD clears FD_CLOEXEC");
	int c = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 20), "F_DUPFD_CLOEXEC 20");
	CHECK_EQ(c, 20, "at 20");
	CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
	CHECK_EQ(lseek(d, 5, SEEK_SET), 5, "seek the dup");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5, "the original shares the offset");
	close(d);
	close(d2);
	close(c);

	CHECK_EQ(fcntl(fd, F_GETFD), 0, "F_GETFD is 0 after open");
	CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC), "F_SETFD FD_CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "F_GETFD shows it");
	CHECK_OK(fcntl(fd, F_SETFD, 0), "F_SETFD 0");
	CHECK_EQ(fcntl(fd, F_GETFD), 0, "cleared");
	int oc = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	CHECK_EQ(fcntl(oc, F_GETFD), FD_CLOEXEC, "O_CLOEXEC gives FD_CLOEXEC");
	close(oc);

	CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | LINUX_O_LARGEFILE, "F_GETFL O_RDONLY|O_LARGEFILE");
	int rw = open("/dev/null", O_RDWR | O_APPEND);
	CHECK_EQ(fcntl(rw, F_GETFL), O_RDWR | O_APPEND | LINUX_O_LARGEFILE, "F_GETFL O_RDWR|O_APPEND");
	CHECK_OK(fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK), "F_SETFL with an access mode");
	CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | O_NONBLOCK | LINUX_O_LARGEFILE, "access mode unchanged, O_NONBLOCK set");
	CHECK_OK(fcntl(fd, F_SETFL, 0), "F_SETFL 0");
	CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | LINUX_O_LARGEFILE, "O_NONBLOCK cleared");
	CHECK_OK(fcntl(rw, F_SETFL, O_CREAT | O_EXCL | O_TRUNC), "F_SETFL ignores creation flags");
	CHECK_EQ(fcntl(rw, F_GETFL), O_RDWR | LINUX_O_LARGEFILE, "creation flags not stored, O_APPEND cleared");
	close(rw);
	int wo = open("/dev/null", O_WRONLY);
	CHECK_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY, "F_GETFL O_WRONLY");
	close(wo);
	int op = open("/etc", O_PATH);
	CHECK_EQ(fcntl(op, F_GETFL), O_PATH, "F_GETFL on O_PATH fd is O_PATH alone");
	CHECK_OK(fcntl(op, F_DUPFD, 0), "F_DUPFD on O_PATH fd");
	close(op);

	int p[2];
	pipe(p);
	char ch;
	CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK), "F_SETFL O_NONBLOCK on a pipe");
	CHECK_ERR(read(p[0], &ch, 1), EAGAIN, "empty non-blocking pipe read EAGAIN");
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536, "default pipe size 64 KiB");
	CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 100000), 131072, "F_SETPIPE_SZ rounds up to a power of two pages");
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 131072, "shared by both ends");
	CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ on a file EBADF");
	close(p[0]);
	close(p[1]);

	CHECK_ERR(fcntl(-1, F_GETFD), EBADF, "F_GETFD -1 EBADF");
	CHECK_ERR(fcntl(9999, F_GETFL), EBADF, "F_GETFL 9999 EBADF");
	CHECK_ERR(fcntl(9999, F_DUPFD, 0), EBADF, "F_DUPFD bad fd EBADF");
	CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD negative EINVAL");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL, "F_DUPFD at RLIMIT_NOFILE EINVAL");
	CHECK_ERR(syscall(SYS_fcntl, fd, 9999, 0), EINVAL, "unknown command EINVAL");
	CHECK_ERR(syscall(SYS_fcntl, fd, F_GETLK, BAD_LOW), EFAULT, "F_GETLK bad pointer EFAULT");
	close(fd);
	return tap_done();
}
