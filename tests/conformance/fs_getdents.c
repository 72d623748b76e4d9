/* fs_getdents: getdents64/getdents on /etc. Two independent listings (one
 * big buffer, one tiny buffer on a second open) must agree; rewinding with
 * lseek replays the listing; too small a buffer is EINVAL; EBADF, ENOTDIR,
 * EFAULT. */
#include "tap.h"
#include <dirent.h>
#include <stddef.h>
#include <fcntl.h>
#include <sys/stat.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define MAX_NAMES 4096
struct listing {
	int n;
	char *names[MAX_NAMES];
	unsigned char types[MAX_NAMES];
	uint64_t inos[MAX_NAMES];
	int bad_reclen;
};

static void list_dir(int fd, size_t bufsize, struct listing *out)
{
	static char buf[65536];
	out->n = 0;
	out->bad_reclen = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, bufsize);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			if (d->d_reclen % 8 || d->d_reclen < offsetof(struct linux_dirent64, d_name) + strlen(d->d_name) + 1)
				out->bad_reclen = 1;
			if (out->n < MAX_NAMES) {
				out->names[out->n] = strdup(d->d_name);
				out->types[out->n] = d->d_type;
				out->inos[out->n] = d->d_ino;
				out->n++;
			}
			off += d->d_reclen;
		}
	}
}

static int find(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return i;
	return -1;
}

static int same_set(const struct listing *a, const struct listing *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		int j = find(b, a->names[i]);
		if (j < 0 || b->types[j] != a->types[i] || b->inos[j] != a->inos[i])
			return 0;
	}
	return 1;
}

static int no_duplicates(const struct listing *l)
{
	for (int i = 0; i < l->n; i++)
		if (find(l, l->names[i]) != i)
			return 0;
	return 1;
}

static struct listing big, small, again;

int main(void)
{
	int fd = CHECK_OK(open("/etc", O_RDONLY | O_DIRECTORY), "open /etc");
	list_dir(fd, 65536, &big);
	CHECK(big.n > 5, "big-buffer listing has entries");
	CHECK(!big.bad_reclen, "d_reclen is 8-aligned and holds the name");
	CHECK(find(&big, ".") >= 0 && find(&big, "..") >= 0, "listing has . and ..");
	int pw = find(&big, "passwd");
	CHECK(pw >= 0, "listing has passwd");
	struct stat st;
	stat("/etc/passwd", &st);
	CHECK(pw >= 0 && big.types[pw] == DT_REG, "passwd is DT_REG");
	CHECK(pw >= 0 && big.inos[pw] == st.st_ino, "passwd d_ino matches st_ino");
	CHECK(no_duplicates(&big), "no name listed twice");
	CHECK_EQ(syscall(SYS_getdents64, fd, (char[512]){ 0 }, 512), 0, "getdents64 at end returns 0");

	int fd2 = open("/etc", O_RDONLY | O_DIRECTORY);
	list_dir(fd2, 64, &small);
	CHECK(same_set(&big, &small), "64-byte-buffer listing on a second open agrees");
	close(fd2);

	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "rewind");
	list_dir(fd, 65536, &again);
	CHECK(same_set(&big, &again), "rewound listing agrees");

	DIR *d = opendir("/etc");
	int via_libc = 0, all_found = 1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		via_libc++;
		if (find(&big, e->d_name) < 0)
			all_found = 0;
	}
	closedir(d);
	CHECK(via_libc == big.n && all_found, "readdir agrees");

	lseek(fd, 0, SEEK_SET);
	char tiny[8];
	CHECK_ERR(syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL, "buffer smaller than one entry EINVAL");
	CHECK_ERR(syscall(SYS_getdents64, fd, tiny, 0), EINVAL, "zero-size buffer EINVAL");
	CHECK_ERR(syscall(SYS_getdents64, -1, tiny, sizeof tiny), EBADF, "fd -1 EBADF");
	CHECK_ERR(syscall(SYS_getdents64, 9999, tiny, sizeof tiny), EBADF, "fd 9999 EBADF");
	int file = open("/etc/passwd", O_RDONLY);
	char buf[1024];
	CHECK_ERR(syscall(SYS_getdents64, file, buf, sizeof buf), ENOTDIR, "regular file ENOTDIR");
	close(file);
	CHECK_ERR(syscall(SYS_getdents64, fd, BAD_LOW, 1024), EFAULT, "bad buffer EFAULT");
	CHECK_ERR(syscall(SYS_getdents64, fd, BAD_KERNEL, 1024), EFAULT, "kernel buffer EFAULT");
	int opath = open("/etc", O_PATH);
	CHECK_ERR(syscall(SYS_getdents64, opath, buf, sizeof buf), EBADF, "O_PATH fd EBADF");
	close(opath);

	/* The old getdents: names end before a padding byte and d_type sits at
	 * the end of the record. */
	lseek(fd, 0, SEEK_SET);
	long n = CHECK_OK(syscall(SYS_getdents, fd, buf, sizeof buf), "legacy getdents");
	int count = 0;
	for (long off = 0; off < n; count++) {
		unsigned short reclen = *(unsigned short *)(buf + off + 16);
		off += reclen;
	}
	CHECK(count > 0 && count <= big.n, "legacy getdents gives records");
	close(fd);
	return tap_done();
}
