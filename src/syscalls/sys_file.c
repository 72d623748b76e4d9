/*
 * File syscalls: open, read/write and friends, stat, directories, paths,
 * access, the working directory, and the calls that change a file system
 * (creation, removal, rename, attributes, truncate, fallocate). These copy
 * their arguments in and leave the Linux rules to the VFS (vfs/namei.c):
 * tmpfs takes the changes, the read-only root answers EROFS.
 *
 * Descriptor-table calls (close, dup, fcntl, pipe, ioctl, umask) are in
 * sys_fd.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <utime.h>

#include "kernel/task.h"
#include "kernel/userns.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* --- helpers -------------------------------------------------------- */

/* Copy a path argument: -EFAULT, -ENAMETOOLONG (PATH_MAX with the NUL). */
static long copy_path(struct task *t, uint64_t addr, char *buf)
{
	long n = task_copy_in_string(t, addr, buf, VFS_PATH_MAX);
	return n < 0 ? n : 0;
}

/* Copy a path that must not be empty (getname() without LOOKUP_EMPTY). */
static long copy_path_nonempty(struct task *t, uint64_t addr, char *buf)
{
	long err = copy_path(t, addr, buf);
	if (!err && !buf[0])
		err = -ENOENT;
	return err;
}

static struct file *fget(struct task *t, int fd)
{
	return fdt_get_file(t->fdt, fd);
}

/* An fd usable for I/O-like calls: O_PATH descriptors give EBADF. */
static struct file *fget_io(struct task *t, int fd)
{
	struct file *f = fdt_get_file(t->fdt, fd);
	if (f && (f->mode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* What a file system says to a change it cannot make: EROFS on a
 * read-only mount (mnt_want_write); otherwise the fs lacks the operation,
 * which is reported, with EPERM. */
static long fs_change_denied(struct mount *mnt, const char *what)
{
	if (!mnt || mnt_readonly(mnt))
		return -EROFS;
	char msg[96];
	snprintf(msg, sizeof(msg), "%s on %s", what, mnt->fs->type);
	syscall_report_unsupported(msg);
	return -EPERM;
}

/* --- open ----------------------------------------------------------- */

static long do_openat(struct task *t, int dirfd, uint64_t upath, int flags, mode_t mode)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	struct file *f;
	err = vfs_openat(t, dirfd, path, flags, mode, &f);
	if (err)
		return err;
	int fd = fdt_alloc(t->fdt, f, 0, flags & O_CLOEXEC, task_nofile_limit(t));
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(openat) { return do_openat(t, (int)a[0], a[1], (int)a[2], (mode_t)a[3]); }
SYSCALL_DEFINE(open) { return do_openat(t, AT_FDCWD, a[0], (int)a[1], (mode_t)a[2]); }
SYSCALL_DEFINE(creat)
{
	return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1]);
}
const char sys_openat_partial[] = "files are created on tmpfs only (/tmp, /dev/shm); "
				  "FIFOs need the pipe side";

/* --- read and write ------------------------------------------------- */

SYSCALL_DEFINE(read)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r = vfs_read(t, f, a[1], a[2], NULL);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(write)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r = vfs_write(t, f, a[1], a[2], NULL);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(pread64)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	int64_t pos = (int64_t)a[3];
	long r = vfs_read(t, f, a[1], a[2], &pos);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(pwrite64)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	int64_t pos = (int64_t)a[3];
	long r = vfs_write(t, f, a[1], a[2], &pos);
	file_put(f);
	return r;
}

#undef UIO_MAXIOV
#define UIO_MAXIOV 1024
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif
#ifndef RWF_NOSIGNAL
#define RWF_NOSIGNAL 0x100
#endif

/* readv/writev and the positioned variants: pos NULL for the file
 * position. Linux's order: the fd, its mode, then the iovec array. */
static long do_rw_iov(struct task *t, int fd, uint64_t uiov, uint64_t cnt, int64_t *pos,
		      int rwf, bool write)
{
	struct file *f = fget(t, fd);
	if (!f)
		return -EBADF;
	long r = vfs_check_rw(f, pos, write);
	if (r)
		goto out;
	if (cnt > UIO_MAXIOV) {
		r = -EINVAL;
		goto out;
	}
	if (cnt == 0)
		goto out;
	struct iovec iov[UIO_MAXIOV];
	if (task_copy_in(t, iov, uiov, cnt * sizeof(struct iovec))) {
		r = -EFAULT;
		goto out;
	}
	r = vfs_check_iovec(iov, (int)cnt);
	if (r)
		goto out;
	int iof = (rwf & RWF_NOWAIT) ? IOF_NOWAIT : 0;
	if (rwf & RWF_NOSIGNAL)
		iof |= IOF_NOSIGNAL;
	if (rwf & RWF_APPEND)
		iof |= IOF_APPEND;
	if (rwf & RWF_NOAPPEND)
		iof |= IOF_NOAPPEND;
	r = write ? vfs_writev(t, f, iov, (int)cnt, pos, iof)
		  : vfs_readv(t, f, iov, (int)cnt, pos, iof);
	if (write && r > 0 && (rwf & (RWF_DSYNC | RWF_SYNC)) && f->ops->fsync) {
		int err = f->ops->fsync(f);
		if (err)
			r = err;
	}
out:
	file_put(f);
	return r;
}

SYSCALL_DEFINE(readv) { return do_rw_iov(t, (int)a[0], a[1], a[2], NULL, 0, false); }
SYSCALL_DEFINE(writev) { return do_rw_iov(t, (int)a[0], a[1], a[2], NULL, 0, true); }

SYSCALL_DEFINE(preadv)
{
	int64_t pos = (int64_t)a[3];
	if (pos < 0)
		return -EINVAL;
	return do_rw_iov(t, (int)a[0], a[1], a[2], &pos, 0, false);
}

SYSCALL_DEFINE(pwritev)
{
	int64_t pos = (int64_t)a[3];
	if (pos < 0)
		return -EINVAL;
	return do_rw_iov(t, (int)a[0], a[1], a[2], &pos, 0, true);
}

static long do_rw_iov2(struct task *t, const uint64_t *a, bool write)
{
	int64_t pos = (int64_t)a[3];
	int rwf = (int)a[5];
	/* Unknown flags, and RWF_DONTCACHE / RWF_ATOMIC, which need page
	 * cache or storage support none of our files has: EOPNOTSUPP. */
	if (rwf & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND |
		    RWF_NOSIGNAL))
		return -EOPNOTSUPP;
	/* Offset -1: the file position, as readv/writev. */
	return do_rw_iov(t, (int)a[0], a[1], a[2], pos == -1 ? NULL : &pos, rwf, write);
}

SYSCALL_DEFINE(preadv2) { return do_rw_iov2(t, a, false); }
SYSCALL_DEFINE(pwritev2) { return do_rw_iov2(t, a, true); }

SYSCALL_DEFINE(lseek)
{
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	int whence = (int)a[2];
	long r;
	if ((unsigned int)whence > SEEK_HOLE)
		r = -EINVAL;
	else if (!f->ops->llseek)
		r = -ESPIPE;
	else {
		pthread_mutex_lock(&f->pos_lock);
		r = f->ops->llseek(f, (int64_t)a[1], whence);
		pthread_mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE(fsync)
{
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r = f->ops->fsync ? f->ops->fsync(f) : -EINVAL;
	file_put(f);
	return r;
}

SYSCALL_DEFINE(fdatasync) { return sys_fsync(t, a); }

/* Nothing the sandbox can write is buffered by the sentry. */
SYSCALL_DEFINE(sync) { return 0; }

SYSCALL_DEFINE(syncfs)
{
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* --- stat ----------------------------------------------------------- */

/* The attributes of what dirfd/path names, with fstatat's flags. */
static long stat_at(struct task *t, int dirfd, uint64_t upath, int atflags, struct stat *st)
{
	if (atflags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	char path[VFS_PATH_MAX];
	/* Since Linux 6.11 a NULL path with AT_EMPTY_PATH means the fd. */
	if (upath == 0 && (atflags & AT_EMPTY_PATH))
		path[0] = 0;
	else {
		long err = copy_path(t, upath, path);
		if (err)
			return err;
	}
	if (!path[0]) {
		if (!(atflags & AT_EMPTY_PATH))
			return -ENOENT;
		if (dirfd != AT_FDCWD) {
			struct file *f = fget(t, dirfd);
			if (!f)
				return -EBADF;
			int err = file_stat(f, st);
			file_put(f);
			return err;
		}
	}
	struct path p;
	int wflags = (atflags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW;
	int err = vfs_lookup_at(t, NULL, dirfd, path, wflags | WALK_EMPTY, &p);
	if (err)
		return err;
	inode_stat(path_inode(p), st);
	return 0;
}

/* The owner as the caller's user namespace sees it (overflow IDs when
 * unmapped). */
static void stat_ids_seen(struct task *t, uint32_t *uid, uint32_t *gid)
{
	*uid = from_kuid_munged(creds_user_ns(&t->creds), *uid);
	*gid = from_kgid_munged(creds_user_ns(&t->creds), *gid);
}

static long stat_out(struct task *t, long err, const struct stat *st, uint64_t ubuf)
{
	if (err)
		return err;
	struct stat seen = *st;
	stat_ids_seen(t, &seen.st_uid, &seen.st_gid);
	return task_copy_out(t, ubuf, &seen, sizeof(seen)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(stat)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], 0, &st), &st, a[1]);
}

SYSCALL_DEFINE(lstat)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, &st), &st, a[1]);
}

SYSCALL_DEFINE(newfstatat)
{
	struct stat st;
	return stat_out(t, stat_at(t, (int)a[0], a[1], (int)a[3], &st), &st, a[2]);
}

SYSCALL_DEFINE(fstat)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	struct stat st;
	long err = file_stat(f, &st);
	file_put(f);
	return stat_out(t, err, &st, a[1]);
}

#ifndef STATX__RESERVED
#define STATX__RESERVED 0x80000000U
#endif

SYSCALL_DEFINE(statx)
{
	int flags = (int)a[2];
	unsigned int mask = (unsigned int)a[3];
	/* AT_NO_AUTOMOUNT and the AT_STATX_* sync modes only matter for
	 * remote and automounted file systems: accepted. */
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	struct stat st;
	long err = stat_at(t, (int)a[0], a[1], flags & ~AT_STATX_SYNC_TYPE, &st);
	if (err)
		return err;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	stat_ids_seen(t, &sx.stx_uid, &sx.stx_gid);
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atim.tv_sec;
	sx.stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
	sx.stx_mtime.tv_sec = st.st_mtim.tv_sec;
	sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	sx.stx_ctime.tv_sec = st.st_ctim.tv_sec;
	sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return task_copy_out(t, a[4], &sx, sizeof(sx)) ? -EFAULT : 0;
}
const char sys_statx_partial[] = "basic stats only (no btime, mnt_id, attributes)";

/* --- directories ---------------------------------------------------- */

struct getdents_ctx {
	struct dir_ctx ctx;
	char *buf;
	size_t cap, used;
	bool old_format;     /* getdents(2)'s struct linux_dirent */
	bool full;           /* an entry did not fit */
};

static bool getdents_emit(struct dir_ctx *ctx, const char *name, size_t len,
			  uint64_t ino, unsigned type, int64_t next_off)
{
	struct getdents_ctx *g = (struct getdents_ctx *)ctx;
	char *p = g->buf + g->used;
	size_t reclen;
	if (g->old_format) {
		/* ino, off, reclen, name, NUL, padding, type in the last byte */
		reclen = (18 + len + 2 + 7) & ~(size_t)7;
		if (g->used + reclen > g->cap) {
			g->full = true;
			return false;
		}
		memset(p, 0, reclen);
		memcpy(p, &ino, 8);
		memcpy(p + 8, &next_off, 8);
		uint16_t rl = (uint16_t)reclen;
		memcpy(p + 16, &rl, 2);
		memcpy(p + 18, name, len);
		p[reclen - 1] = (char)type;
	} else {
		/* struct linux_dirent64: ino, off, reclen, type, name, NUL */
		reclen = (19 + len + 1 + 7) & ~(size_t)7;
		if (g->used + reclen > g->cap) {
			g->full = true;
			return false;
		}
		memset(p, 0, reclen);
		memcpy(p, &ino, 8);
		memcpy(p + 8, &next_off, 8);
		uint16_t rl = (uint16_t)reclen;
		memcpy(p + 16, &rl, 2);
		p[18] = (char)type;
		memcpy(p + 19, name, len);
	}
	g->used += reclen;
	return true;
}

static long do_getdents(struct task *t, int fd, uint64_t ubuf, unsigned int count, bool old)
{
	struct file *f = fget_io(t, fd);
	if (!f)
		return -EBADF;
	long r;
	if (!f->ops->iterate) {
		r = -ENOTDIR;
		goto out;
	}
	struct getdents_ctx g = {
		.ctx.emit = getdents_emit,
		.buf = vfs_io_buffer(),
		.cap = count < VFS_IOBUF_SIZE ? count : VFS_IOBUF_SIZE,
		.old_format = old,
	};
	/* access_ok() first: a buffer outside user space is EFAULT at once. */
	if (ubuf > ARCH_TASK_SIZE || count > ARCH_TASK_SIZE - ubuf) {
		r = -EFAULT;
		goto out;
	}
	pthread_mutex_lock(&f->pos_lock);
	int64_t before = f->pos;
	r = f->ops->iterate(f, &g.ctx);
	if (g.used) {
		r = (long)g.used;
		if (task_copy_out(t, ubuf, g.buf, g.used)) {
			/* Nothing was delivered: the entries stay unread. */
			r = -EFAULT;
			if (f->ops->llseek)
				f->ops->llseek(f, before, SEEK_SET);
		}
	} else if (!r && g.full) {
		r = -EINVAL; /* the buffer cannot hold even one entry */
	}
	pthread_mutex_unlock(&f->pos_lock);
out:
	file_put(f);
	return r;
}

SYSCALL_DEFINE(getdents64) { return do_getdents(t, (int)a[0], a[1], (unsigned int)a[2], false); }
SYSCALL_DEFINE(getdents) { return do_getdents(t, (int)a[0], a[1], (unsigned int)a[2], true); }

/* --- symlinks ------------------------------------------------------- */

static long do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int bufsiz)
{
	if (bufsiz <= 0)
		return -EINVAL;
	char path[VFS_PATH_MAX];
	long err = copy_path(t, upath, path);
	if (err)
		return err;
	struct inode *ino;
	struct dentry *d = NULL;
	if (!path[0]) {
		/* "" names dirfd itself: an O_PATH|O_NOFOLLOW symlink. */
		if (dirfd == AT_FDCWD)
			return -ENOENT;
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		ino = f->inode;
		d = f->path.dentry;
		file_put(f);
		if (!ino || !S_ISLNK(ino->st.st_mode))
			return -ENOENT;
	} else {
		struct path p;
		err = vfs_lookup_at(t, NULL, dirfd, path, 0, &p);
		if (err)
			return err;
		ino = path_inode(p);
		d = p.dentry;
	}
	if (S_ISLNK(ino->st.st_mode) && ino->ops && ino->ops->readlink && d) {
		/* Link text made on demand (procfs). */
		char text[VFS_PATH_MAX];
		int r = ino->ops->readlink(d, text, sizeof(text));
		if (r < 0)
			return r;
		size_t len = (size_t)r < (size_t)bufsiz ? (size_t)r : (size_t)bufsiz;
		return task_copy_out(t, ubuf, text, len) ? -EFAULT : (long)len;
	}
	if (!S_ISLNK(ino->st.st_mode) || !ino->link)
		return -EINVAL;
	size_t len = strlen(ino->link);
	if (len > (size_t)bufsiz)
		len = (size_t)bufsiz;
	return task_copy_out(t, ubuf, ino->link, len) ? -EFAULT : (long)len;
}

SYSCALL_DEFINE(readlink) { return do_readlinkat(t, AT_FDCWD, a[0], a[1], (int)a[2]); }
SYSCALL_DEFINE(readlinkat) { return do_readlinkat(t, (int)a[0], a[1], a[2], (int)a[3]); }

/* --- access --------------------------------------------------------- */

static long do_faccessat(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* access(2) checks with the real IDs; a non-root real user has no
	 * capabilities for it, root gets its permitted set. */
	struct creds c = t->creds;
	if (!(flags & AT_EACCESS)) {
		c.fsuid = c.ruid;
		c.fsgid = c.rgid;
		c.cap_effective = c.ruid == 0 ? c.cap_permitted : 0;
	}
	char path[VFS_PATH_MAX];
	long err = copy_path(t, upath, path);
	if (err)
		return err;
	struct inode *ino;
	if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		ino = f->inode;
		file_put(f);
		if (!ino)
			return -EBADF;
	} else {
		struct path p;
		int wflags = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW;
		if (flags & AT_EMPTY_PATH)
			wflags |= WALK_EMPTY;
		err = vfs_lookup_at(t, &c, dirfd, path, wflags, &p);
		if (err)
			return err;
		ino = path_inode(p);
	}
	if (mode == F_OK)
		return 0;
	return vfs_permission(&c, ino, mode);
}

SYSCALL_DEFINE(access) { return do_faccessat(t, AT_FDCWD, a[0], (int)a[1], 0); }
SYSCALL_DEFINE(faccessat) { return do_faccessat(t, (int)a[0], a[1], (int)a[2], 0); }
SYSCALL_DEFINE(faccessat2) { return do_faccessat(t, (int)a[0], a[1], (int)a[2], (int)a[3]); }

/* --- working directory ---------------------------------------------- */

SYSCALL_DEFINE(getcwd)
{
	uint64_t ubuf = a[0];
	size_t size = a[1];
	struct path root, cwd;
	fs_context_paths(t->fs, &root, &cwd);
	/* A working directory that was removed has no path: ENOENT. */
	if (cwd.dentry->parent && !cwd.dentry->hashed)
		return -ENOENT;
	char buf[VFS_PATH_MAX];
	int len = vfs_path_string(cwd, root, buf, sizeof(buf));
	if (len < 0)
		return len;
	if ((size_t)len + 1 > size)
		return -ERANGE;
	return task_copy_out(t, ubuf, buf, (size_t)len + 1) ? -EFAULT : len + 1;
}

static long set_cwd(struct task *t, struct path p)
{
	struct inode *ino = path_inode(p);
	if (!S_ISDIR(ino->st.st_mode))
		return -ENOTDIR;
	int err = vfs_permission(&t->creds, ino, MAY_EXEC);
	if (err)
		return err;
	fs_context_set_cwd(t->fs, p);
	return 0;
}

SYSCALL_DEFINE(chdir)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, a[0], path);
	if (err)
		return err;
	struct path p;
	err = vfs_lookup_at(t, NULL, AT_FDCWD, path, WALK_FOLLOW | WALK_DIRECTORY, &p);
	if (err)
		return err;
	return set_cwd(t, p);
}

SYSCALL_DEFINE(fchdir)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long err = f->path.mnt ? set_cwd(t, f->path) : -ENOTDIR;
	file_put(f);
	return err;
}

/* --- calls that change a file system ---------------------------------- */

static long do_mkdirat(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	return vfs_mkdirat(t, dirfd, path, mode);
}

SYSCALL_DEFINE(mkdir) { return do_mkdirat(t, AT_FDCWD, a[0], (mode_t)a[1]); }
SYSCALL_DEFINE(mkdirat) { return do_mkdirat(t, (int)a[0], a[1], (mode_t)a[2]); }

static long do_mknodat(struct task *t, int dirfd, uint64_t upath, unsigned int mode, unsigned int dev)
{
	/* may_mknod(): a directory is EPERM, an unknown type EINVAL. */
	switch (mode & S_IFMT) {
	case 0: case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	/* The old encoding of dev_t (new_decode_dev). */
	dev_t d = makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	return vfs_mknodat(t, dirfd, path, mode, d);
}

SYSCALL_DEFINE(mknod)
{
	return do_mknodat(t, AT_FDCWD, a[0], (unsigned int)a[1], (unsigned int)a[2]);
}
SYSCALL_DEFINE(mknodat)
{
	return do_mknodat(t, (int)a[0], a[1], (unsigned int)a[2], (unsigned int)a[3]);
}

static long do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char target[VFS_PATH_MAX], path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, utarget, target);
	if (err)
		return err;
	err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	return vfs_symlinkat(t, target, dirfd, path);
}

SYSCALL_DEFINE(symlink) { return do_symlinkat(t, a[0], AT_FDCWD, a[1]); }
SYSCALL_DEFINE(symlinkat) { return do_symlinkat(t, a[0], (int)a[1], a[2]); }

#define CAP_DAC_READ_SEARCH 2

static long do_linkat(struct task *t, int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* linkat(2): AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH. */
	if ((flags & AT_EMPTY_PATH) && !creds_has_cap(&t->creds, CAP_DAC_READ_SEARCH))
		return -ENOENT;
	char oldp[VFS_PATH_MAX], newp[VFS_PATH_MAX];
	long err = copy_path(t, uold, oldp);
	if (err)
		return err;
	if (!oldp[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	struct path op;
	if (!oldp[0] && olddirfd != AT_FDCWD) {
		/* The descriptor itself (an O_TMPFILE file, say). */
		struct file *f = fget(t, olddirfd);
		if (!f)
			return -EBADF;
		op = f->path;
		file_put(f);
		if (!op.mnt)
			return -ENOENT;
	} else {
		err = vfs_lookup_at(t, NULL, olddirfd, oldp,
				    ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) | WALK_EMPTY, &op);
		if (err)
			return err;
	}
	err = copy_path_nonempty(t, unew, newp);
	if (err)
		return err;
	return vfs_linkat(t, op, newdirfd, newp);
}

SYSCALL_DEFINE(link) { return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL_DEFINE(linkat) { return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]); }

static long do_unlinkat(struct task *t, int dirfd, uint64_t upath, bool rmdir)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	return vfs_unlinkat(t, dirfd, path, rmdir);
}

SYSCALL_DEFINE(unlink) { return do_unlinkat(t, AT_FDCWD, a[0], false); }
SYSCALL_DEFINE(rmdir) { return do_unlinkat(t, AT_FDCWD, a[0], true); }

SYSCALL_DEFINE(unlinkat)
{
	int flags = (int)a[2];
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_unlinkat(t, (int)a[0], a[1], flags & AT_REMOVEDIR);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

static long do_renameat2(struct task *t, int olddirfd, uint64_t uold, int newdirfd,
			 uint64_t unew, unsigned int flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	char oldp[VFS_PATH_MAX], newp[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, uold, oldp);
	if (err)
		return err;
	err = copy_path_nonempty(t, unew, newp);
	if (err)
		return err;
	return vfs_renameat2(t, olddirfd, oldp, newdirfd, newp, flags);
}

SYSCALL_DEFINE(rename) { return do_renameat2(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL_DEFINE(renameat) { return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], 0); }
SYSCALL_DEFINE(renameat2)
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned int)a[4]);
}

/* What a path names for chmod, chown and utimes (user_path_at with
 * LOOKUP_EMPTY when allowed): its mount and inode. */
static long attr_target_path(struct task *t, int dirfd, uint64_t upath, int atflags,
			     struct mount **mnt, struct inode **ino)
{
	char path[VFS_PATH_MAX];
	long err = copy_path(t, upath, path);
	if (err)
		return err;
	if (!path[0] && !(atflags & AT_EMPTY_PATH))
		return -ENOENT;
	if (!path[0] && dirfd != AT_FDCWD) {
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		*mnt = f->path.mnt;
		*ino = f->inode;
		file_put(f);
		return *ino ? 0 : -EBADF;
	}
	struct path p;
	int wflags = ((atflags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) | WALK_EMPTY;
	err = vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
	if (err)
		return err;
	*mnt = p.mnt;
	*ino = path_inode(p);
	return 0;
}

/* The same for a descriptor (fdget: O_PATH descriptors are EBADF). */
static long attr_target_fd(struct task *t, int fd, struct mount **mnt, struct inode **ino)
{
	struct file *f = fget_io(t, fd);
	if (!f)
		return -EBADF;
	*mnt = f->path.mnt;
	*ino = f->inode;
	file_put(f);
	return *ino ? 0 : -EBADF;
}

/* chmod_common(): the permission bits change, the type stays. */
static long chmod_common(struct task *t, struct mount *mnt, struct inode *ino, mode_t mode)
{
	struct iattr ia = { .valid = ATTR_MODE | ATTR_CTIME, .mode = mode & 07777 };
	return vfs_setattr(t, mnt, ino, &ia);
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t upath, mode_t mode, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct mount *mnt;
	struct inode *ino;
	long err = attr_target_path(t, dirfd, upath, flags, &mnt, &ino);
	return err ? err : chmod_common(t, mnt, ino, mode);
}

SYSCALL_DEFINE(chmod) { return do_fchmodat(t, AT_FDCWD, a[0], (mode_t)a[1], 0); }
SYSCALL_DEFINE(fchmodat) { return do_fchmodat(t, (int)a[0], a[1], (mode_t)a[2], 0); }
SYSCALL_DEFINE(fchmodat2) { return do_fchmodat(t, (int)a[0], a[1], (mode_t)a[2], (int)a[3]); }

SYSCALL_DEFINE(fchmod)
{
	struct mount *mnt;
	struct inode *ino;
	long err = attr_target_fd(t, (int)a[0], &mnt, &ino);
	return err ? err : chmod_common(t, mnt, ino, (mode_t)a[1]);
}

/* chown_common(): -1 keeps an ID; a non-directory loses set-user-ID. */
static long chown_common(struct task *t, struct mount *mnt, struct inode *ino, uid_t uid, gid_t gid)
{
	/* IDs of the caller's user namespace: one that does not map EINVAL. */
	const struct user_ns *ns = creds_user_ns(&t->creds);
	if (uid != (uid_t)-1 && (uid = make_kuid(ns, uid)) == (uid_t)INVALID_ID)
		return -EINVAL;
	if (gid != (gid_t)-1 && (gid = make_kgid(ns, gid)) == (gid_t)INVALID_ID)
		return -EINVAL;
	struct iattr ia = { .valid = ATTR_CTIME };
	if (uid != (uid_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (gid_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if (!S_ISDIR(ino->st.st_mode))
		ia.valid |= ATTR_KILL_SUID;
	return vfs_setattr(t, mnt, ino, &ia);
}

static long do_fchownat(struct task *t, int dirfd, uint64_t upath, uid_t uid, gid_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct mount *mnt;
	struct inode *ino;
	long err = attr_target_path(t, dirfd, upath, flags, &mnt, &ino);
	return err ? err : chown_common(t, mnt, ino, uid, gid);
}

SYSCALL_DEFINE(chown) { return do_fchownat(t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], 0); }
SYSCALL_DEFINE(lchown)
{
	return do_fchownat(t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], AT_SYMLINK_NOFOLLOW);
}
SYSCALL_DEFINE(fchownat)
{
	return do_fchownat(t, (int)a[0], a[1], (uid_t)a[2], (gid_t)a[3], (int)a[4]);
}

SYSCALL_DEFINE(fchown)
{
	struct mount *mnt;
	struct inode *ino;
	long err = attr_target_fd(t, (int)a[0], &mnt, &ino);
	return err ? err : chown_common(t, mnt, ino, (uid_t)a[1], (gid_t)a[2]);
}

SYSCALL_DEFINE(truncate)
{
	int64_t len = (int64_t)a[1];
	if (len < 0)
		return -EINVAL;
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, a[0], path);
	if (err)
		return err;
	struct path p;
	err = vfs_lookup_at(t, NULL, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (err)
		return err;
	/* vfs_truncate(): type, mount, permission. */
	struct inode *ino = path_inode(p);
	if (S_ISDIR(ino->st.st_mode))
		return -EISDIR;
	if (!S_ISREG(ino->st.st_mode))
		return -EINVAL;
	if (mnt_readonly(p.mnt))
		return -EROFS;
	err = vfs_permission(&t->creds, ino, MAY_WRITE);
	if (err)
		return err;
	if (!ino->ops || !ino->ops->setattr)
		return fs_change_denied(p.mnt, "truncate");
	return vfs_truncate_inode(t, ino, len);
}

SYSCALL_DEFINE(ftruncate)
{
	int64_t len = (int64_t)a[1];
	if (len < 0)
		return -EINVAL;
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r;
	struct stat st;
	if (file_stat(f, &st) || !S_ISREG(st.st_mode) || !(f->mode & FMODE_WRITE))
		r = -EINVAL;
	else if (f->ops->truncate)
		r = f->ops->truncate(f, len);
	else if (f->inode && f->inode->ops && f->inode->ops->setattr)
		r = vfs_truncate_inode(t, f->inode, len);
	else
		r = fs_change_denied(f->path.mnt, "ftruncate");
	file_put(f);
	return r;
}

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#define FALLOC_FL_NO_HIDE_STALE 0x04
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE 0x10
#define FALLOC_FL_INSERT_RANGE 0x20
#define FALLOC_FL_UNSHARE_RANGE 0x40
#define FALLOC_FL_SUPPORTED (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_NO_HIDE_STALE | \
			     FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | \
			     FALLOC_FL_UNSHARE_RANGE)

/* vfs_fallocate(): Linux's checks, in its order, then the file's own. */
static long fallocate_checks(struct file *f, int mode, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~FALLOC_FL_SUPPORTED)
		return -EOPNOTSUPP;
	if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) ==
	    (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~FALLOC_FL_COLLAPSE_RANGE))
		return -EINVAL;
	if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~FALLOC_FL_INSERT_RANGE))
		return -EINVAL;
	if ((mode & FALLOC_FL_UNSHARE_RANGE) && (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE)))
		return -EINVAL;
	if (!(f->mode & FMODE_WRITE))
		return -EBADF;
	mode_t m = f->inode ? f->inode->st.st_mode : 0;
	if (S_ISFIFO(m))
		return -ESPIPE;
	if (S_ISDIR(m))
		return -EISDIR;
	if (!S_ISREG(m) && !S_ISBLK(m))
		return -ENODEV;
	if (off + len < 0)
		return -EFBIG;
	if (!f->ops->fallocate)
		return -EOPNOTSUPP;
	return 0;
}

SYSCALL_DEFINE(fallocate)
{
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	int mode = (int)a[1];
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	long r = fallocate_checks(f, mode, off, len);
	if (!r)
		r = f->ops->fallocate(f, t, mode, off, len);
	file_put(f);
	return r;
}
const char sys_fallocate_partial[] = "tmpfs: modes 0, KEEP_SIZE and PUNCH_HOLE";

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

static bool nsec_valid(long nsec)
{
	return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec < 1000000000L);
}

/* vfs_utimes(): times NULL (or both UTIME_NOW) touches, with the owner or
 * write permission; anything else is an explicit change by the owner. */
static long utimes_common(struct task *t, struct mount *mnt, struct inode *ino, const struct timespec *ts)
{
	if (ts && (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec)))
		return -EINVAL;
	if (ts && ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
		ts = NULL;
	struct iattr ia = { .valid = ATTR_CTIME };
	if (!ts) {
		ia.valid |= ATTR_TOUCH | ATTR_ATIME_NOW | ATTR_MTIME_NOW;
	} else {
		ia.valid |= ATTR_TIMES_SET;
		if (ts[0].tv_nsec == UTIME_NOW)
			ia.valid |= ATTR_ATIME_NOW;
		else if (ts[0].tv_nsec != UTIME_OMIT) {
			ia.valid |= ATTR_ATIME;
			ia.atime = ts[0];
		}
		if (ts[1].tv_nsec == UTIME_NOW)
			ia.valid |= ATTR_MTIME_NOW;
		else if (ts[1].tv_nsec != UTIME_OMIT) {
			ia.valid |= ATTR_MTIME;
			ia.mtime = ts[1];
		}
	}
	return vfs_setattr(t, mnt, ino, &ia);
}

/* do_utimes(): a NULL path with a descriptor means the descriptor. */
static long do_utimes(struct task *t, int dirfd, uint64_t upath, const struct timespec *ts, int flags)
{
	struct mount *mnt;
	struct inode *ino;
	long err;
	if (upath == 0 && dirfd != AT_FDCWD) {
		if (flags)
			return -EINVAL;
		err = attr_target_fd(t, dirfd, &mnt, &ino);
	} else {
		if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		if (upath == 0)
			return -EFAULT;
		err = attr_target_path(t, dirfd, upath, flags, &mnt, &ino);
	}
	return err ? err : utimes_common(t, mnt, ino, ts);
}

SYSCALL_DEFINE(utimensat)
{
	struct timespec ts[2], *tp = NULL;
	if (a[2]) {
		if (task_copy_in(t, ts, a[2], sizeof(ts)))
			return -EFAULT;
		/* Nothing to do: not even the path is looked at. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		tp = ts;
	}
	return do_utimes(t, (int)a[0], a[1], tp, (int)a[3]);
}

static long do_futimesat(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
	struct timespec ts[2], *tp = NULL;
	if (utv) {
		struct timeval tv[2];
		if (task_copy_in(t, tv, utv, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
		tp = ts;
	}
	return do_utimes(t, dirfd, upath, tp, 0);
}

SYSCALL_DEFINE(utimes) { return do_futimesat(t, AT_FDCWD, a[0], a[1]); }
SYSCALL_DEFINE(futimesat) { return do_futimesat(t, (int)a[0], a[1], a[2]); }

SYSCALL_DEFINE(utime)
{
	struct timespec ts[2], *tp = NULL;
	if (a[1]) {
		struct utimbuf ub;
		if (task_copy_in(t, &ub, a[1], sizeof(ub)))
			return -EFAULT;
		ts[0] = (struct timespec){ ub.actime, 0 };
		ts[1] = (struct timespec){ ub.modtime, 0 };
		tp = ts;
	}
	return do_utimes(t, AT_FDCWD, a[0], tp, 0);
}

/* --- statfs --------------------------------------------------------- */

static long statfs_out(struct task *t, struct filesystem *fs, struct dentry *d, uint64_t ubuf)
{
	if (!fs->statfs) {
		syscall_report_unsupported("statfs on this file system");
		return -ENOSYS;
	}
	struct statfs sf;
	int err = fs->statfs(fs, d, &sf);
	if (err)
		return err;
	return task_copy_out(t, ubuf, &sf, sizeof(sf)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(statfs)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, a[0], path);
	if (err)
		return err;
	struct path p;
	err = vfs_lookup_at(t, NULL, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (err)
		return err;
	return statfs_out(t, p.mnt->fs, p.dentry, a[1]);
}

/* Anonymous files: pipefs numbers (what Linux shows for a pipe). */
static long statfs_anon(struct task *t, uint64_t ubuf)
{
	struct statfs sf;
	memset(&sf, 0, sizeof(sf));
	sf.f_type = 0x50495045; /* PIPEFS_MAGIC */
	sf.f_bsize = 4096;
	sf.f_frsize = 4096;
	sf.f_namelen = 255;
	return task_copy_out(t, ubuf, &sf, sizeof(sf)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(fstatfs)
{
	struct file *f = fget(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r;
	if (f->path.mnt)
		r = statfs_out(t, f->path.mnt->fs, f->path.dentry, a[1]);
	else if (f->hostfd >= 0 && f->ops->host_fd) {
		struct statfs sf;
		r = fstatfs(f->hostfd, &sf) < 0 ? -errno
			: task_copy_out(t, a[1], &sf, sizeof(sf)) ? -EFAULT : 0;
	} else
		r = statfs_anon(t, a[1]);
	file_put(f);
	return r;
}

/* posix_fadvise: advice only; accepted for files with a position, as
 * Linux does (it may ignore advice). */
SYSCALL_DEFINE(fadvise64)
{
	int advice = (int)a[3];
	int64_t len = (int64_t)a[2];
	struct file *f = fget_io(t, (int)a[0]);
	if (!f)
		return -EBADF;
	long r = 0;
	if (S_ISFIFO(f->inode ? f->inode->st.st_mode : 0))
		r = -ESPIPE;
	else if (advice < 0 || advice > 5 || len < 0)
		r = -EINVAL;
	file_put(f);
	return r;
}
