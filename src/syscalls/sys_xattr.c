/*
 * Extended attributes. No file system of moat stores them yet, so after
 * the path or descriptor is checked every call fails with EOPNOTSUPP, which
 * is what Linux returns on a file system without xattr support (ls, cp and
 * tar take it as "no attributes").
 */
#include <errno.h>
#include <fcntl.h>

#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

static long xattr_path(struct task *t, uint64_t upath, int follow)
{
	char path[VFS_PATH_MAX];
	long n = task_copy_in_string(t, upath, path, sizeof path);
	if (n < 0)
		return n;
	struct path p;
	int err = vfs_lookup_at(t, NULL, AT_FDCWD, path, follow ? WALK_FOLLOW : 0, &p);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

static long xattr_fd(struct task *t, int fd)
{
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return -EOPNOTSUPP;
}

SYSCALL_DEFINE(getxattr) { return xattr_path(t, a[0], 1); }
SYSCALL_DEFINE(lgetxattr) { return xattr_path(t, a[0], 0); }
SYSCALL_DEFINE(fgetxattr) { return xattr_fd(t, (int)a[0]); }
SYSCALL_DEFINE(listxattr) { return xattr_path(t, a[0], 1); }
SYSCALL_DEFINE(llistxattr) { return xattr_path(t, a[0], 0); }
SYSCALL_DEFINE(flistxattr) { return xattr_fd(t, (int)a[0]); }
SYSCALL_DEFINE(setxattr) { return xattr_path(t, a[0], 1); }
SYSCALL_DEFINE(lsetxattr) { return xattr_path(t, a[0], 0); }
SYSCALL_DEFINE(fsetxattr) { return xattr_fd(t, (int)a[0]); }
SYSCALL_DEFINE(removexattr) { return xattr_path(t, a[0], 1); }
SYSCALL_DEFINE(lremovexattr) { return xattr_path(t, a[0], 0); }
SYSCALL_DEFINE(fremovexattr) { return xattr_fd(t, (int)a[0]); }
