/* fd_dup: dup/dup2/dup3. Lowest free slot, shared file description, cloexec
 * not inherited, dup2 onto an open fd, dup2 same fd, dup3 EINVAL cases. */
#include "tap.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

int main(void)
{
	tap_close_extra_fds();
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	int d = CHECK_OK(dup(fd), "dup");
	CHECK_EQ(d, fd + 1, "dup takes the lowest free fd");
	CHECK_EQ(fcntl(d, F_GETFD), 0, "dup does not copy FD_CLOEXEC");
	lseek(fd, 3, SEEK_SET);
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3, "dup shares the offset");
	fcntl(d, F_SETFL, O_NONBLOCK);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "dup shares status flags");
	fcntl(d, F_SETFL, 0);
	CHECK_ERR(dup(-1), EBADF, "dup -1 EBADF");
	CHECK_ERR(dup(9999), EBADF, "dup 9999 EBADF");

	int other = open("/dev/null", O_RDONLY);
	CHECK_EQ(dup2(fd, other), other, "dup2 onto an open fd");
	struct stat a, b;
	fstat(other, &a);
	fstat(fd, &b);
	CHECK(a.st_ino == b.st_ino, "the target now names the file");
	CHECK_EQ(dup2(fd, fd), fd, "dup2 same fd returns it");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "dup2 same fd keeps FD_CLOEXEC");
	CHECK_ERR(dup2(9999, 50), EBADF, "dup2 bad old fd EBADF");
	CHECK_ERR(dup2(9999, 9999), EBADF, "dup2 same bad fd EBADF");
	CHECK_ERR(dup2(fd, -1), EBADF, "dup2 to -1 EBADF");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR(dup2(fd, (int)rl.rlim_cur), EBADF, "dup2 to RLIMIT_NOFILE EBADF");
	CHECK_EQ(dup2(fd, 100), 100, "dup2 to a high fd");
	CHECK_EQ(fcntl(100, F_GETFD), 0, "dup2 clears FD_CLOEXEC");
	close(other);
	CHECK_EQ(dup(fd), other, "holes are filled first");

	CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL, "dup3 same fd EINVAL");
	CHECK_ERR(syscall(SYS_dup3, fd, 101, O_NONBLOCK), EINVAL, "dup3 flag other than O_CLOEXEC EINVAL");
	CHECK_EQ(syscall(SYS_dup3, fd, 101, O_CLOEXEC), 101, "dup3 O_CLOEXEC");
	CHECK_EQ(fcntl(101, F_GETFD), FD_CLOEXEC, "dup3 sets FD_CLOEXEC");
	CHECK_EQ(syscall(SYS_dup3, fd, 101, 0), 101, "dup3 over an open fd");
	CHECK_EQ(fcntl(101, F_GETFD), 0, "dup3 flags 0 clears FD_CLOEXEC");
	CHECK_ERR(syscall(SYS_dup3, 9999, 102, 0), EBADF, "dup3 bad old fd EBADF");
	CHECK_ERR(syscall(SYS_dup3, fd, -1, 0), EBADF, "dup3 to -1 EBADF");

	close(fd);
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3, "the description lives while a dup is open");
	CHECK_ERR(fcntl(fd, F_GETFD), EBADF, "the closed fd is gone");
	return tap_done();
}
