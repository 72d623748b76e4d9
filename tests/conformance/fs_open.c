/* fs_open: open/openat/creat/close on the read-only part of the tree.
 * Checks the errors Linux gives for missing files, non-directories, symlinks
 * under O_NOFOLLOW, bad pointers, over-long names and bad descriptors. */
#include "tap.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static int is_symlink(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int main(void)
{
	tap_close_extra_fds();
	int fd = CHECK_OK(open("/etc/passwd", O_RDONLY), "open /etc/passwd O_RDONLY");
	CHECK(fd >= 3, "new fd is the lowest free one above stdio");
	CHECK_OK(close(fd), "close it");
	CHECK_ERR(close(fd), EBADF, "close twice gives EBADF");
	int fd2 = open("/etc/passwd", O_RDONLY);
	CHECK_EQ(fd2, fd, "the lowest free fd is reused");
	close(fd2);

	CHECK_ERR(open("/nonexistent-moat-test", O_RDONLY), ENOENT, "missing file ENOENT");
	CHECK_ERR(open("/nonexistent-moat-dir/x", O_RDONLY), ENOENT, "missing dir component ENOENT");
	CHECK_ERR(open("", O_RDONLY), ENOENT, "empty path ENOENT");
	CHECK_ERR(open("/etc/passwd/x", O_RDONLY), ENOTDIR, "file as dir component ENOTDIR");
	CHECK_ERR(open("/etc/passwd/", O_RDONLY), ENOTDIR, "trailing slash on file ENOTDIR");
	CHECK_ERR(open("/etc/passwd", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on file ENOTDIR");
	CHECK_ERR(open("/etc", O_WRONLY), EISDIR, "directory O_WRONLY EISDIR");
	CHECK_ERR(open("/etc", O_RDWR), EISDIR, "directory O_RDWR EISDIR");
	CHECK_ERR(open("/etc/passwd", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST, "O_CREAT|O_EXCL on existing EEXIST");

	fd = CHECK_OK(open("/etc", O_RDONLY | O_DIRECTORY), "open /etc O_DIRECTORY");
	int fd3 = CHECK_OK(openat(fd, "passwd", O_RDONLY), "openat relative to dir fd");
	struct stat a, b;
	fstat(fd3, &a);
	stat("/etc/passwd", &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "openat found the same file");
	close(fd3);
	CHECK_ERR(openat(fd3, "passwd", O_RDONLY), EBADF, "openat closed dirfd EBADF");
	CHECK_ERR(openat(-1, "passwd", O_RDONLY), EBADF, "openat dirfd -1 EBADF");
	int pf = open("/etc/passwd", O_RDONLY);
	CHECK_ERR(openat(pf, "x", O_RDONLY), ENOTDIR, "openat with file as dirfd ENOTDIR");
	fd3 = CHECK_OK(openat(9999, "/etc/passwd", O_RDONLY), "absolute path ignores dirfd");
	close(fd3);
	fd3 = CHECK_OK(openat(AT_FDCWD, "/etc/passwd", O_RDONLY), "openat AT_FDCWD");
	close(fd3);
	fd3 = CHECK_OK(openat(fd, "../etc/./passwd", O_RDONLY), "dot and dotdot components");
	close(fd3);
	fd3 = CHECK_OK(openat(fd, "/..", O_RDONLY | O_DIRECTORY), "/.. is /");
	fstat(fd3, &a);
	stat("/", &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "/.. has the inode of /");
	close(fd3);
	close(pf);
	close(fd);

	if (is_symlink("/bin")) {
		CHECK_ERR(open("/bin", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on symlink ELOOP");
		fd = CHECK_OK(open("/bin", O_RDONLY | O_NOFOLLOW | O_PATH), "O_PATH|O_NOFOLLOW opens the link");
		fstat(fd, &a);
		CHECK(S_ISLNK(a.st_mode), "fstat on the O_PATH fd shows a symlink");
		close(fd);
		fd = CHECK_OK(open("/bin/", O_RDONLY | O_NOFOLLOW), "O_NOFOLLOW only applies to the last component");
		close(fd);
	} else {
		CHECK(1, "O_NOFOLLOW on symlink ELOOP");
		CHECK(1, "O_PATH|O_NOFOLLOW opens the link");
		CHECK(1, "fstat on the O_PATH fd shows a symlink");
		CHECK(1, "O_NOFOLLOW only applies to the last component");
	}

	fd = CHECK_OK(open("/etc/passwd", O_PATH), "O_PATH open");
	char c;
	CHECK_ERR(read(fd, &c, 1), EBADF, "read on O_PATH fd EBADF");
	close(fd);

	CHECK_ERR(syscall(SYS_open, BAD_NULL, O_RDONLY), EFAULT, "open NULL path EFAULT");
	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, BAD_LOW, O_RDONLY), EFAULT, "openat path 1 EFAULT");
	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, BAD_KERNEL, O_RDONLY), EFAULT, "openat kernel path EFAULT");
	CHECK_ERR(syscall(SYS_creat, tap_unmapped_page(), 0644), EFAULT, "creat unmapped path EFAULT");

	static char longname[NAME_MAX + 10];
	memset(longname, 'a', sizeof longname - 1);
	longname[0] = '/';
	CHECK_ERR(open(longname, O_RDONLY), ENAMETOOLONG, "component longer than NAME_MAX ENAMETOOLONG");
	static char longpath[PATH_MAX + 10];
	for (size_t i = 0; i + 1 < sizeof longpath; i++)
		longpath[i] = (i % 2) ? '/' : 'x';
	longpath[0] = '/';
	CHECK_ERR(open(longpath, O_RDONLY), ENAMETOOLONG, "path longer than PATH_MAX ENAMETOOLONG");

	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_TMPFILE, 0), EINVAL,
		  "O_TMPFILE without write access EINVAL");
	CHECK_ERR(syscall(SYS_close, -1), EBADF, "close(-1) EBADF");
	CHECK_ERR(syscall(SYS_close, 9999), EBADF, "close(9999) EBADF");
	return tap_done();
}
