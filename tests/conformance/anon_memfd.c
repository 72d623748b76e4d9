/* memfd_create(2): flags and names, file I/O, ftruncate, fstat, shared
 * mappings that see write(2) and each other, sharing across fork. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

int main(void)
{
	tap_close_extra_fds();
	char name[300];
	memset(name, 'a', sizeof(name));
	name[249] = 0;
	int fd = CHECK_OK(memfd_create(name, 0), "249-byte name is fine");
	close(fd);
	name[249] = 'a';
	name[250] = 0;
	CHECK_ERR(memfd_create(name, 0), EINVAL, "250-byte name: EINVAL");
	CHECK_ERR(memfd_create("x", 0x100), EINVAL, "unknown flag: EINVAL");
	CHECK_ERR(syscall(SYS_memfd_create, BAD_LOW, 0), EFAULT, "bad name pointer: EFAULT");
	fd = CHECK_OK(memfd_create("test", MFD_CLOEXEC), "memfd_create MFD_CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec set");
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "opened O_RDWR");
	struct stat st;
	CHECK_OK(fstat(fd, &st), "fstat");
	CHECK_EQ(st.st_mode, S_IFREG | 0777, "regular file, mode 0777");
	CHECK_EQ(st.st_size, 0, "empty");
	CHECK_EQ(st.st_nlink, 0, "no links");
	CHECK_EQ(write(fd, "hello world", 11), 11, "write");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "position after write");
	char buf[32] = { 0 };
	CHECK_EQ(pread(fd, buf, sizeof(buf), 6), 5, "pread");
	CHECK(memcmp(buf, "world", 5) == 0, "pread data");
	CHECK_OK(ftruncate(fd, 8192), "ftruncate to 8192");
	CHECK_OK(fstat(fd, &st), "fstat after truncate");
	CHECK_EQ(st.st_size, 8192, "size 8192");

	char *m1 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *m2 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m1 != MAP_FAILED && m2 != MAP_FAILED, "two shared mappings");
	CHECK(memcmp(m1, "hello world", 11) == 0, "mapping shows written data");
	m1[4096] = 'Z';
	CHECK_EQ(m2[4096], 'Z', "store through one mapping seen in the other");
	CHECK_EQ(pread(fd, buf, 1, 4096), 1, "pread of the stored byte");
	CHECK_EQ(buf[0], 'Z', "store seen by read");
	pwrite(fd, "Q", 1, 100);
	CHECK_EQ(m1[100], 'Q', "pwrite seen through the mapping");
	pid_t pid = fork();
	if (pid == 0) {
		m1[200] = 'C';
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ(m2[200], 'C', "child's store through an inherited mapping seen");
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED, "private mapping");
	priv[0] = 'P';
	CHECK_EQ(m1[0], 'h', "private store not seen by the shared mapping");
	munmap(priv, 4096);
	munmap(m1, 8192);
	munmap(m2, 8192);

	CHECK_OK(ftruncate(fd, 3), "shrink to 3");
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 3, "3 bytes left");
	close(fd);
	return tap_done();
}
