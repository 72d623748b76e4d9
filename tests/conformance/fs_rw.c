/* fs_rw: read/write/pread64/pwrite64/readv/writev/preadv on device files,
 * pipes and a read-only regular file; EBADF, EFAULT, EINVAL, ESPIPE, ENOSPC. */
#include "tap.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/uio.h>

static int all_bytes(const char *p, size_t n, char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int main(void)
{
	char buf[8192];
	int null = open("/dev/null", O_RDWR);
	int zero = open("/dev/zero", O_RDWR);
	int full = open("/dev/full", O_RDWR);
	CHECK(null >= 0 && zero >= 0 && full >= 0, "open /dev/null /dev/zero /dev/full");

	CHECK_EQ(read(null, buf, sizeof buf), 0, "read /dev/null is EOF");
	CHECK_EQ(write(null, buf, sizeof buf), sizeof buf, "write /dev/null swallows all");
	memset(buf, 1, sizeof buf);
	CHECK_EQ(read(zero, buf, sizeof buf), sizeof buf, "read /dev/zero fills the buffer");
	CHECK(all_bytes(buf, sizeof buf, 0), "with zeros");
	CHECK_EQ(write(zero, buf, 100), 100, "write /dev/zero succeeds");
	CHECK_ERR(write(full, buf, 1), ENOSPC, "write /dev/full ENOSPC");
	memset(buf, 1, sizeof buf);
	CHECK_EQ(read(full, buf, 10), 10, "read /dev/full gives zeros");
	CHECK_EQ(read(zero, buf, 0), 0, "zero-length read");
	CHECK_EQ(write(null, buf, 0), 0, "zero-length write");

	CHECK_ERR(read(-1, buf, 1), EBADF, "read fd -1 EBADF");
	CHECK_ERR(read(9999, buf, 1), EBADF, "read fd 9999 EBADF");
	CHECK_ERR(write(-1, buf, 1), EBADF, "write fd -1 EBADF");
	int ro = open("/etc/passwd", O_RDONLY);
	CHECK_ERR(write(ro, buf, 1), EBADF, "write on O_RDONLY fd EBADF");
	int wo = open("/dev/null", O_WRONLY);
	CHECK_ERR(read(wo, buf, 1), EBADF, "read on O_WRONLY fd EBADF");
	CHECK_ERR(syscall(SYS_read, zero, BAD_NULL, 10), EFAULT, "read into NULL EFAULT");
	CHECK_ERR(syscall(SYS_read, zero, BAD_KERNEL, 10), EFAULT, "read into kernel address EFAULT");
	CHECK_ERR(syscall(SYS_read, ro, tap_unmapped_page(), 10), EFAULT, "read file into unmapped EFAULT");
	int dir = open("/etc", O_RDONLY);
	CHECK_ERR(read(dir, buf, 10), EISDIR, "read on a directory EISDIR");
	close(dir);

	/* A regular file: read sequentially, then pread at offsets. */
	char whole[4096], part[64];
	ssize_t n = CHECK_OK(read(ro, whole, sizeof whole), "read /etc/passwd");
	CHECK(n > 10, "got some bytes");
	CHECK_EQ(pread(ro, part, 5, 3), 5, "pread 5 bytes at 3");
	CHECK(memcmp(part, whole + 3, 5) == 0, "pread data matches read data");
	CHECK_EQ(lseek(ro, 0, SEEK_CUR), n, "pread does not move the offset");
	CHECK_EQ(pread(ro, part, 5, 1 << 30), 0, "pread past EOF returns 0");
	CHECK_ERR(pread(ro, part, 5, -1), EINVAL, "pread negative offset EINVAL");
	CHECK_ERR(pwrite(null, part, 5, -1), EINVAL, "pwrite negative offset EINVAL");

	/* readv over three buffers. */
	char a[3], b[4], c[100];
	struct iovec iov[3] = { { a, 3 }, { b, 4 }, { c, sizeof c } };
	lseek(ro, 0, SEEK_SET);
	ssize_t rv = CHECK_OK(readv(ro, iov, 3), "readv");
	CHECK_EQ(rv, n < 107 ? n : 107, "readv total length");
	CHECK(memcmp(a, whole, 3) == 0 && memcmp(b, whole + 3, 4) == 0 && memcmp(c, whole + 7, 10) == 0,
	      "readv scatters in order");
	struct iovec piov[2] = { { a, 3 }, { b, 4 } };
	CHECK_EQ(preadv(ro, piov, 2, 2), 7, "preadv");
	CHECK(memcmp(a, whole + 2, 3) == 0 && memcmp(b, whole + 5, 4) == 0, "preadv data");
	CHECK_ERR(syscall(SYS_readv, ro, iov, -1), EINVAL, "readv negative iovcnt EINVAL");
	CHECK_ERR(syscall(SYS_readv, ro, iov, IOV_MAX + 1), EINVAL, "readv iovcnt > IOV_MAX EINVAL");
	CHECK_EQ(syscall(SYS_readv, ro, iov, 0), 0, "readv iovcnt 0 returns 0");
	CHECK_ERR(syscall(SYS_readv, ro, BAD_LOW, 2), EFAULT, "readv bad iov pointer EFAULT");
	struct iovec badiov[1] = { { BAD_LOW, 10 } };
	CHECK_ERR(syscall(SYS_readv, zero, badiov, 1), EFAULT, "readv bad iov base EFAULT");
	struct iovec negiov[2] = { { buf, 10 }, { buf, (size_t)-1 } };
	CHECK_ERR(syscall(SYS_readv, zero, negiov, 2), EINVAL, "readv negative iov_len EINVAL");
	CHECK_ERR(syscall(SYS_readv, -1, iov, 1), EBADF, "readv bad fd EBADF");

	/* writev to a pipe gathers in order. */
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	struct iovec wiov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	CHECK_EQ(writev(p[1], wiov, 3), 5, "writev to pipe");
	memset(buf, 0, 16);
	CHECK_EQ(read(p[0], buf, 16), 5, "read it back");
	CHECK(memcmp(buf, "abcde", 5) == 0, "writev gathers in order");
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE, "pread on pipe ESPIPE");
	CHECK_ERR(pwrite(p[1], buf, 1, 0), ESPIPE, "pwrite on pipe ESPIPE");
	CHECK_ERR(preadv(p[0], iov, 1, 0), ESPIPE, "preadv on pipe ESPIPE");
	CHECK_ERR(syscall(SYS_writev, p[1], wiov, -5), EINVAL, "writev negative iovcnt EINVAL");
	CHECK_ERR(write(p[0], "x", 1), EBADF, "write on read end EBADF");
	CHECK_ERR(read(p[1], buf, 1), EBADF, "read on write end EBADF");

	CHECK_ERR(syscall(SYS_write, p[1], BAD_LOW, 10), EFAULT, "write to pipe from bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_write, p[1], tap_unmapped_page(), 10), EFAULT, "write to pipe from unmapped page EFAULT");
	close(p[0]);
	close(p[1]);
	close(ro);
	close(wo);
	return tap_done();
}
