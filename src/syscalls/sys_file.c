/*
 * File syscalls: open, read/write and friends, stat, directories, paths,
 * access, the working directory, and the calls that would change a file
 * system (EROFS on the read-only root after Linux's own checks, in
 * Linux's order).
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

/* A walk to the parent of path's last component (filename_parentat). */
static int walk_parent(struct task *t, int dirfd, const char *path, struct walk *w)
{
	int err = vfs_walk_start(t, NULL, dirfd, path, w);
	if (err)
		return err;
	w->flags = WALK_PARENT;
	return vfs_walk(w, path);
}

/* The last component of a parent walk, through the dentry cache:
 * its inode or NULL, or an error pointer in *err. */
static struct inode *walk_last_inode(struct walk *w, struct dentry **dp, int *err)
{
	struct dentry *d;
	*err = dcache_lookup(w->cur.dentry, w->last, w->last_len, &d);
	if (*err)
		return NULL;
	if (dp)
		*dp = d;
	return atomic_load(&d->inode);
}

/* What a file system says to a change it cannot make: EROFS on a
 * read-only mount (mnt_want_write); otherwise the fs lacks the operation,
 * which is reported, with EPERM. */
static long fs_change_denied(struct mount *mnt, const char *what)
{
	if (!mnt || mnt->fs->readonly)
		return -EROFS;
	char msg[96];
	snprintf(msg, sizeof(msg), "%s on %s", what, mnt->fs->type);
	syscall_report_unsupported(msg);
	return -EPERM;
}

/* filename_create(): the parent must exist and be searchable; EEXIST if
 * the name exists (or is "." / ".."); ENOENT for a trailing slash when not
 * creating a directory; then the mount must be writable. */
static long create_check(struct task *t, int dirfd, const char *path, bool want_dir,
			 const char *what, struct mount **mnt_out)
{
	struct walk w;
	int err = walk_parent(t, dirfd, path, &w);
	if (err)
		return err;
	if (w.last_type != LAST_NORM)
		return -EEXIST;
	struct inode *ino = walk_last_inode(&w, NULL, &err);
	if (err)
		return err;
	if (ino)
		return -EEXIST;
	if (w.trailing_slash && !want_dir)
		return -ENOENT;
	if (mnt_out)
		*mnt_out = w.cur.mnt;
	return fs_change_denied(w.cur.mnt, what);
}

/* --- open ----------------------------------------------------------- */

/* The bit of O_TMPFILE that is not O_DIRECTORY (glibc's __O_TMPFILE
 * includes O_DIRECTORY). */
#define O_TMPFILE_BIT 020000000

static int open_file(struct task *t, int dirfd, const char *path, int flags, struct file **out)
{
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_TMPFILE_BIT) {
		/* O_TMPFILE needs O_DIRECTORY (part of the flag) and write
		 * access; it creates, so a read-only mount refuses it. */
		if ((flags & O_TMPFILE) != O_TMPFILE || !(flags & (O_WRONLY | O_RDWR)))
			return -EINVAL;
		struct path p;
		int err = vfs_lookup_at(t, NULL, dirfd, path, WALK_FOLLOW | WALK_DIRECTORY, &p);
		if (err)
			return err;
		if (p.mnt->fs->readonly)
			return -EROFS;
		syscall_report_unsupported("open O_TMPFILE");
		return -EOPNOTSUPP;
	}
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;

	int wflags = (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW;
	if (flags & O_DIRECTORY)
		wflags |= WALK_DIRECTORY;
	struct path p;
	int err;
	if (!(flags & O_CREAT)) {
		err = vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
		if (err)
			return err;
		return vfs_open_resolved(&t->creds, p, flags, out);
	}

	/* O_CREAT: look at the last component first. */
	struct walk w;
	err = walk_parent(t, dirfd, path, &w);
	if (err)
		return err;
	if (w.last_type != LAST_NORM)
		return -EISDIR;
	struct inode *ino = walk_last_inode(&w, NULL, &err);
	if (err)
		return err;
	if (!ino) {
		if (w.trailing_slash)
			return -EISDIR;
		return (int)fs_change_denied(w.cur.mnt, "open O_CREAT");
	}
	if (flags & O_EXCL)
		return -EEXIST;
	err = vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
	if (err == -ENOENT) {
		/* A dangling symlink: Linux would create its target. */
		return w.cur.mnt->fs->readonly ? -EROFS : -ENOENT;
	}
	if (err)
		return err;
	if (S_ISDIR(path_inode(p)->st.st_mode))
		return -EISDIR;
	return vfs_open_resolved(&t->creds, p, flags, out);
}

static long do_openat(struct task *t, int dirfd, uint64_t upath, int flags)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	struct file *f;
	err = open_file(t, dirfd, path, flags, &f);
	if (err)
		return err;
	int fd = fdt_alloc(t->fdt, f, 0, flags & O_CLOEXEC, task_nofile_limit(t));
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(openat) { return do_openat(t, (int)a[0], a[1], (int)a[2]); }
SYSCALL_DEFINE(open) { return do_openat(t, AT_FDCWD, a[0], (int)a[1]); }
SYSCALL_DEFINE(creat) { return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC); }
const char sys_openat_partial[] = "no file creation (read-only root), no O_TMPFILE";

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
	if (rwf & RWF_APPEND) {
		syscall_report_unsupported("pwritev2 RWF_APPEND");
		return -EOPNOTSUPP;
	}
	/* Offset -1: the file position, as readv/writev. */
	return do_rw_iov(t, (int)a[0], a[1], a[2], pos == -1 ? NULL : &pos, rwf, write);
}

SYSCALL_DEFINE(preadv2) { return do_rw_iov2(t, a, false); }
SYSCALL_DEFINE(pwritev2) { return do_rw_iov2(t, a, true); }
const char sys_pwritev2_partial[] = "no RWF_APPEND";

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
	*st = path_inode(p)->st;
	return 0;
}

static long stat_out(struct task *t, long err, const struct stat *st, uint64_t ubuf)
{
	if (err)
		return err;
	return task_copy_out(t, ubuf, st, sizeof(*st)) ? -EFAULT : 0;
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
	if (!path[0]) {
		/* "" names dirfd itself: an O_PATH|O_NOFOLLOW symlink. */
		if (dirfd == AT_FDCWD)
			return -ENOENT;
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		ino = f->inode;
		file_put(f);
		if (!ino || !S_ISLNK(ino->st.st_mode))
			return -ENOENT;
	} else {
		struct path p;
		err = vfs_lookup_at(t, NULL, dirfd, path, 0, &p);
		if (err)
			return err;
		ino = path_inode(p);
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

static long do_mkdirat(struct task *t, int dirfd, uint64_t upath)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	return create_check(t, dirfd, path, true, "mkdir", NULL);
}

SYSCALL_DEFINE(mkdir) { return do_mkdirat(t, AT_FDCWD, a[0]); }
SYSCALL_DEFINE(mkdirat) { return do_mkdirat(t, (int)a[0], a[1]); }

static long do_mknodat(struct task *t, int dirfd, uint64_t upath, unsigned int mode)
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
	return create_check(t, dirfd, path, false, "mknod", NULL);
}

SYSCALL_DEFINE(mknod) { return do_mknodat(t, AT_FDCWD, a[0], (unsigned int)a[1]); }
SYSCALL_DEFINE(mknodat) { return do_mknodat(t, (int)a[0], a[1], (unsigned int)a[2]); }

static long do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char target[VFS_PATH_MAX], path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, utarget, target);
	if (err)
		return err;
	err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	return create_check(t, dirfd, path, false, "symlink", NULL);
}

SYSCALL_DEFINE(symlink) { return do_symlinkat(t, a[0], AT_FDCWD, a[1]); }
SYSCALL_DEFINE(symlinkat) { return do_symlinkat(t, a[0], (int)a[1], a[2]); }

static long do_linkat(struct task *t, int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char oldp[VFS_PATH_MAX], newp[VFS_PATH_MAX];
	long err = copy_path(t, uold, oldp);
	if (err)
		return err;
	if (!oldp[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	struct path op;
	err = vfs_lookup_at(t, NULL, olddirfd, oldp,
			    ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) | WALK_EMPTY, &op);
	if (err)
		return err;
	err = copy_path_nonempty(t, unew, newp);
	if (err)
		return err;
	struct mount *nm = NULL;
	err = create_check(t, newdirfd, newp, false, "link", &nm);
	if (err == -EPERM && nm && nm != op.mnt)
		return -EXDEV;
	return err;
}

SYSCALL_DEFINE(link) { return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL_DEFINE(linkat) { return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]); }

static long do_unlinkat(struct task *t, int dirfd, uint64_t upath, bool rmdir)
{
	char path[VFS_PATH_MAX];
	long err = copy_path_nonempty(t, upath, path);
	if (err)
		return err;
	struct walk w;
	err = walk_parent(t, dirfd, path, &w);
	if (err)
		return err;
	if (rmdir) {
		if (w.last_type == LAST_DOT)
			return -EINVAL;
		if (w.last_type == LAST_DOTDOT)
			return -ENOTEMPTY;
		if (w.last_type == LAST_ROOT)
			return -EBUSY;
	} else if (w.last_type != LAST_NORM) {
		return -EISDIR;
	}
	if (w.cur.mnt->fs->readonly)
		return -EROFS;
	struct dentry *d;
	int lerr;
	struct inode *ino = walk_last_inode(&w, &d, &lerr);
	if (lerr)
		return lerr;
	if (!ino)
		return -ENOENT;
	if (rmdir && !S_ISDIR(ino->st.st_mode))
		return -ENOTDIR;
	if (!rmdir && S_ISDIR(ino->st.st_mode))
		return -EISDIR;
	if (!rmdir && w.trailing_slash)
		return -ENOTDIR;
	if (atomic_load(&d->mounted))
		return -EBUSY;
	return fs_change_denied(w.cur.mnt, rmdir ? "rmdir" : "unlink");
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
	struct walk ow, nw;
	err = walk_parent(t, olddirfd, oldp, &ow);
	if (err)
		return err;
	err = walk_parent(t, newdirfd, newp, &nw);
	if (err)
		return err;
	if (ow.cur.mnt != nw.cur.mnt)
		return -EXDEV;
	if (ow.last_type != LAST_NORM)
		return -EBUSY;
	if (nw.last_type != LAST_NORM)
		return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	if (ow.cur.mnt->fs->readonly)
		return -EROFS;
	int lerr;
	struct inode *oi = walk_last_inode(&ow, NULL, &lerr);
	if (lerr)
		return lerr;
	if (!oi)
		return -ENOENT;
	return fs_change_denied(ow.cur.mnt, "rename");
}

SYSCALL_DEFINE(rename) { return do_renameat2(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL_DEFINE(renameat) { return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], 0); }
SYSCALL_DEFINE(renameat2)
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned int)a[4]);
}

/* chmod, chown, utimes on a path: the path must resolve; then the mount
 * must be writable (mnt_want_write comes before the owner checks). */
static long change_path_attr(struct task *t, int dirfd, uint64_t upath, int atflags,
			     bool empty_ok, const char *what)
{
	char path[VFS_PATH_MAX];
	long err = copy_path(t, upath, path);
	if (err)
		return err;
	if (!path[0] && !(empty_ok && (atflags & AT_EMPTY_PATH)))
		return -ENOENT;
	struct mount *mnt;
	if (!path[0] && dirfd != AT_FDCWD) {
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		mnt = f->path.mnt;
		file_put(f);
	} else {
		struct path p;
		int wflags = ((atflags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) | WALK_EMPTY;
		err = vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
		if (err)
			return err;
		mnt = p.mnt;
	}
	return fs_change_denied(mnt, what);
}

/* fchmod, fchown, futimens: the descriptor's mount must be writable. */
static long change_fd_attr(struct task *t, int fd, const char *what)
{
	struct file *f = fget_io(t, fd);
	if (!f)
		return -EBADF;
	struct mount *mnt = f->path.mnt;
	file_put(f);
	if (!mnt) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s on an anonymous or host file", what);
		syscall_report_unsupported(msg);
		return -EPERM;
	}
	return fs_change_denied(mnt, what);
}

SYSCALL_DEFINE(chmod) { return change_path_attr(t, AT_FDCWD, a[0], 0, false, "chmod"); }
SYSCALL_DEFINE(fchmodat) { return change_path_attr(t, (int)a[0], a[1], 0, false, "chmod"); }
SYSCALL_DEFINE(fchmod) { return change_fd_attr(t, (int)a[0], "fchmod"); }

SYSCALL_DEFINE(fchmodat2)
{
	int flags = (int)a[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return change_path_attr(t, (int)a[0], a[1], flags, true, "chmod");
}

SYSCALL_DEFINE(chown) { return change_path_attr(t, AT_FDCWD, a[0], 0, false, "chown"); }
SYSCALL_DEFINE(lchown)
{
	return change_path_attr(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, false, "chown");
}
SYSCALL_DEFINE(fchown) { return change_fd_attr(t, (int)a[0], "fchown"); }

SYSCALL_DEFINE(fchownat)
{
	int flags = (int)a[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return change_path_attr(t, (int)a[0], a[1], flags, true, "chown");
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
	struct inode *ino = path_inode(p);
	if (S_ISDIR(ino->st.st_mode))
		return -EISDIR;
	if (!S_ISREG(ino->st.st_mode))
		return -EINVAL;
	if (p.mnt->fs->readonly)
		return -EROFS;
	err = vfs_permission(&t->creds, ino, MAY_WRITE);
	if (err)
		return err;
	return fs_change_denied(p.mnt, "truncate");
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
	else
		r = fs_change_denied(f->path.mnt, "ftruncate");
	file_put(f);
	return r;
}

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

static bool timespec_valid_for_utime(const struct timespec *ts)
{
	return ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT ||
	       (ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L);
}

/* utimensat(2): a NULL path means dirfd itself (futimens). */
static long do_utimensat(struct task *t, int dirfd, uint64_t upath, const struct timespec *ts, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (ts && (!timespec_valid_for_utime(&ts[0]) || !timespec_valid_for_utime(&ts[1])))
		return -EINVAL;
	bool omit = ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT;
	if (upath == 0 && dirfd != AT_FDCWD) {
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		struct file *f = fget(t, dirfd);
		if (!f)
			return -EBADF;
		file_put(f);
		if (omit)
			return 0;
		return change_fd_attr(t, dirfd, "utimensat");
	}
	if (upath == 0)
		return -EFAULT;
	char path[VFS_PATH_MAX];
	long err = copy_path(t, upath, path);
	if (err)
		return err;
	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (omit) {
		/* Both UTIME_OMIT: nothing to do once the path resolves. */
		struct path p;
		int wflags = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) | WALK_EMPTY;
		return vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
	}
	return change_path_attr(t, dirfd, upath, flags, true, "utimensat");
}

SYSCALL_DEFINE(utimensat)
{
	struct timespec ts[2], *tp = NULL;
	if (a[2]) {
		if (task_copy_in(t, ts, a[2], sizeof(ts)))
			return -EFAULT;
		tp = ts;
	}
	return do_utimensat(t, (int)a[0], a[1], tp, (int)a[3]);
}

SYSCALL_DEFINE(utimes)
{
	struct timespec ts[2], *tp = NULL;
	if (a[1]) {
		struct timeval tv[2];
		if (task_copy_in(t, tv, a[1], sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
		tp = ts;
	}
	if (a[0] == 0)
		return -EFAULT;
	return do_utimensat(t, AT_FDCWD, a[0], tp, 0);
}

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
	if (a[0] == 0)
		return -EFAULT;
	return do_utimensat(t, AT_FDCWD, a[0], tp, 0);
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
