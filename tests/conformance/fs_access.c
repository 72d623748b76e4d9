/* fs_access: access/faccessat/faccessat2 existence and execute checks (no
 * write checks: the sandbox root is read-only while the host root is not),
 * bad modes and flags, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, errors. */
#include "tap.h"
#include <fcntl.h>
#include <sys/stat.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

int main(void)
{
	CHECK_OK(access("/etc/passwd", F_OK), "F_OK on /etc/passwd");
	CHECK_OK(access("/etc/passwd", R_OK), "R_OK on /etc/passwd");
	CHECK_OK(access("/bin/sh", X_OK), "X_OK on /bin/sh");
	CHECK_OK(access("/bin/sh", R_OK | X_OK), "R_OK|X_OK on /bin/sh");
	CHECK_OK(access("/etc", X_OK), "X_OK on a directory");
	CHECK_ERR(access("/etc/passwd", X_OK), EACCES, "X_OK on a non-executable file EACCES");
	CHECK_ERR(access("/nonexistent-moat", F_OK), ENOENT, "missing ENOENT");
	CHECK_ERR(access("/etc/passwd/x", F_OK), ENOTDIR, "through a file ENOTDIR");
	CHECK_ERR(access("", F_OK), ENOENT, "empty path ENOENT");
	CHECK_ERR(access("/etc/passwd", 8), EINVAL, "mode bit 8 EINVAL");
	CHECK_ERR(access("/etc/passwd", -1), EINVAL, "mode -1 EINVAL");
	CHECK_ERR(syscall(SYS_access, BAD_LOW, F_OK), EFAULT, "bad path EFAULT");
	CHECK_ERR(syscall(SYS_access, BAD_NULL, F_OK), EFAULT, "NULL path EFAULT");

	int etc = open("/etc", O_RDONLY | O_DIRECTORY);
	CHECK_OK(syscall(SYS_faccessat, etc, "passwd", R_OK), "faccessat relative");
	CHECK_ERR(syscall(SYS_faccessat, -1, "passwd", R_OK), EBADF, "faccessat dirfd -1 EBADF");
	CHECK_ERR(syscall(SYS_faccessat, etc, "passwd", 0x10), EINVAL, "faccessat bad mode EINVAL");

	CHECK_OK(syscall(SYS_faccessat2, etc, "passwd", R_OK, 0), "faccessat2 flags 0");
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "/bin/sh", X_OK, AT_EACCESS), "faccessat2 AT_EACCESS");
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", F_OK, AT_SYMLINK_NOFOLLOW),
		 "faccessat2 AT_SYMLINK_NOFOLLOW");
	struct stat st;
	if (lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode))
		CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "/bin", F_OK, AT_SYMLINK_NOFOLLOW),
			 "faccessat2 AT_SYMLINK_NOFOLLOW on a link");
	else
		CHECK(1, "faccessat2 AT_SYMLINK_NOFOLLOW on a link");
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK_OK(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH), "faccessat2 AT_EMPTY_PATH");
	CHECK_ERR(syscall(SYS_faccessat2, fd, "", R_OK, 0), ENOENT, "faccessat2 empty path without flag ENOENT");
	CHECK_ERR(syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH), EACCES, "faccessat2 AT_EMPTY_PATH X_OK EACCES");
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, 0x1), EINVAL, "faccessat2 bad flags EINVAL");
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, AT_SYMLINK_FOLLOW), EINVAL,
		  "faccessat2 AT_SYMLINK_FOLLOW EINVAL");
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", 0x20, 0), EINVAL, "faccessat2 bad mode EINVAL");
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, BAD_KERNEL, F_OK, 0), EFAULT, "faccessat2 bad path EFAULT");
	close(fd);
	close(etc);
	return tap_done();
}
