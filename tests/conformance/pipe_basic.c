/* pipe_basic: pipe/pipe2 flags, data order, EOF after the writer closes,
 * EPIPE with SIGPIPE ignored, capacity and EAGAIN, FIONREAD, PIPE_BUF
 * atomicity of non-blocking writes, EFAULT and EINVAL. */
#include "tap.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>

int main(void)
{
	tap_close_extra_fds();
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	CHECK(p[0] >= 3 && p[1] == p[0] + 1, "two lowest free fds");
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY, "read end is O_RDONLY");
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY, "write end is O_WRONLY");
	CHECK_EQ(fcntl(p[0], F_GETFD), 0, "no FD_CLOEXEC by default");
	CHECK_EQ(write(p[1], "hello", 5), 5, "write 5");
	CHECK_EQ(write(p[1], " world", 6), 6, "write 6 more");
	int avail = -1;
	CHECK_OK(ioctl(p[0], FIONREAD, &avail), "FIONREAD");
	CHECK_EQ(avail, 11, "FIONREAD counts 11 bytes");
	char buf[100] = { 0 };
	CHECK_EQ(read(p[0], buf, 3), 3, "partial read");
	CHECK_EQ(read(p[0], buf + 3, sizeof buf - 3), 8, "read returns what is there");
	CHECK(strcmp(buf, "hello world") == 0, "bytes in order");
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0, "EOF once the writer is closed");
	close(p[0]);

	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK), "pipe2 O_CLOEXEC|O_NONBLOCK");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "both ends FD_CLOEXEC");
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK), "both ends O_NONBLOCK");
	CHECK_ERR(read(p[0], buf, 1), EAGAIN, "empty read EAGAIN");
	static char big[1 << 17];
	memset(big, 'q', sizeof big);
	long total = 0, n;
	while ((n = write(p[1], big, 4096)) > 0)
		total += n;
	CHECK_EQ(total, 65536, "capacity is 64 KiB");
	CHECK_ERR(write(p[1], big, 1), EAGAIN, "full pipe write EAGAIN");
	ioctl(p[0], FIONREAD, &avail);
	CHECK_EQ(avail, 65536, "FIONREAD on a full pipe");
	CHECK_EQ(read(p[0], big, 100), 100, "drain 100 bytes");
	CHECK_ERR(write(p[1], big, 200), EAGAIN, "no room for a whole page: EAGAIN");
	CHECK_EQ(read(p[0], big, 4096 - 100), 4096 - 100, "drain a page");
	CHECK_EQ(write(p[1], big, 8192), 4096, "non-blocking write larger than PIPE_BUF is partial");
	CHECK_EQ(read(p[0], big, sizeof big), 65536, "drain all");
	close(p[0]);
	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "ignore SIGPIPE");
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "write with no reader EPIPE");
	close(p[1]);

	CHECK_OK(pipe2(p, 0), "pipe2 flags 0");
	close(p[0]);
	close(p[1]);
	CHECK_ERR(pipe2(p, O_RDWR), EINVAL, "pipe2 O_RDWR EINVAL");
	CHECK_ERR(pipe2(p, 0x1), EINVAL, "pipe2 bad flag EINVAL");
	CHECK_ERR(syscall(SYS_pipe, BAD_LOW), EFAULT, "pipe bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_pipe2, BAD_KERNEL, 0), EFAULT, "pipe2 kernel pointer EFAULT");
	int fd = open("/dev/null", O_RDONLY);
	CHECK_EQ(syscall(SYS_pipe, tap_unmapped_page()), -1, "pipe unmapped pointer fails");
	CHECK_EQ(dup(fd), fd + 1, "failed pipe left no fds behind");
	return tap_done();
}
