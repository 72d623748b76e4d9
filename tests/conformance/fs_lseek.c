/* fs_lseek: SEEK_SET/CUR/END on a regular file, seeking past EOF, negative
 * results, bad whence, pipes (ESPIPE), bad fds, and offsets seen by read. */
#include "tap.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void)
{
	int fd = open("/etc/passwd", O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	char first[16], again[16];
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0, "new fd starts at offset 0");
	CHECK_EQ(read(fd, first, 10), 10, "read 10 bytes");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10, "offset advanced to 10");
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2, "SEEK_SET 2");
	CHECK_EQ(read(fd, again, 4), 4, "read 4 bytes");
	CHECK(memcmp(again, first + 2, 4) == 0, "read from the new offset");
	CHECK_EQ(lseek(fd, -3, SEEK_CUR), 3, "SEEK_CUR -3");
	CHECK_EQ(lseek(fd, 0, SEEK_END), st.st_size, "SEEK_END 0 is the file size");
	CHECK_EQ(lseek(fd, -1, SEEK_END), st.st_size - 1, "SEEK_END -1");
	CHECK_EQ(lseek(fd, 1000000, SEEK_END), st.st_size + 1000000, "seek past EOF allowed");
	CHECK_EQ(read(fd, again, 4), 0, "read past EOF returns 0");
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL, "negative SEEK_SET EINVAL");
	lseek(fd, 5, SEEK_SET);
	CHECK_ERR(lseek(fd, -6, SEEK_CUR), EINVAL, "SEEK_CUR before 0 EINVAL");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5, "failed seek keeps the offset");
	CHECK_ERR(lseek(fd, 0, 42), EINVAL, "bad whence EINVAL");
	CHECK_ERR(lseek(fd, 0, -1), EINVAL, "negative whence EINVAL");
	CHECK_EQ(lseek(fd, 0, SEEK_DATA), 0, "SEEK_DATA at 0 of a non-empty file");
	CHECK_EQ(lseek(fd, 0, SEEK_HOLE), st.st_size, "SEEK_HOLE finds the implicit hole at EOF");
	CHECK_ERR(lseek(fd, st.st_size, SEEK_DATA), ENXIO, "SEEK_DATA at EOF ENXIO");
	CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF, "bad fd EBADF");
	CHECK_ERR(lseek(9999, 0, SEEK_SET), EBADF, "fd 9999 EBADF");

	/* Two opens have independent offsets; dup shares one. */
	int fd2 = open("/etc/passwd", O_RDONLY);
	lseek(fd, 7, SEEK_SET);
	CHECK_EQ(lseek(fd2, 0, SEEK_CUR), 0, "separate open has its own offset");
	int fd3 = dup(fd);
	CHECK_EQ(lseek(fd3, 0, SEEK_CUR), 7, "dup shares the offset");
	lseek(fd3, 9, SEEK_SET);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9, "seek on the dup moves the original");
	close(fd3);
	close(fd2);

	int p[2];
	pipe(p);
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on pipe read end ESPIPE");
	CHECK_ERR(lseek(p[1], 0, SEEK_CUR), ESPIPE, "lseek on pipe write end ESPIPE");
	close(p[0]);
	close(p[1]);

	int null = open("/dev/null", O_RDONLY);
	CHECK_EQ(lseek(null, 123, SEEK_SET), 0, "lseek on /dev/null returns 0");
	close(null);
	int zero = open("/dev/zero", O_RDONLY);
	CHECK_EQ(lseek(zero, 123, SEEK_SET), 0, "lseek on /dev/zero returns 0");
	close(zero);

	int dir = open("/etc", O_RDONLY | O_DIRECTORY);
	CHECK_EQ(lseek(dir, 0, SEEK_SET), 0, "lseek on a directory to 0");
	close(dir);
	close(fd);
	return tap_done();
}
