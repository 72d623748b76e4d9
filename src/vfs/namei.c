/*
 * Namespace changes: open with O_CREAT/O_TRUNC/O_TMPFILE, mknod, mkdir,
 * symlink, link, unlink, rmdir, rename, and attribute changes (chmod,
 * chown, utimes, truncate). This is Linux's fs/namei.c and fs/attr.c
 * order of checks: path walk errors, then EEXIST/ENOENT of the last
 * component, EROFS, permissions (may_create / may_delete with the sticky
 * rule), types, mount points; then the file system's operation, called
 * with its ns_lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#define CAP_CHOWN 0
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_MKNOD 27

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

/* The bit of O_TMPFILE that is not O_DIRECTORY. */
#define O_TMPFILE_BIT 020000000

static bool owner_or_capable(const struct creds *c, struct inode *ino)
{
	return c->fsuid == ino->st.st_uid || creds_has_cap(c, CAP_FOWNER);
}

static struct inode *dentry_inode(struct dentry *d)
{
	return atomic_load_explicit(&d->inode, memory_order_acquire);
}

static mode_t task_umask(struct task *t)
{
	return t->fs ? atomic_load(&t->fs->umask) : 022;
}

/* A directory removed while someone still holds it (IS_DEADDIR). */
static bool dir_is_dead(struct inode *dir)
{
	return S_ISDIR(dir->st.st_mode) && dir->st.st_nlink == 0;
}

/* may_create(): the name must not exist, the directory must still be
 * there and be writable and searchable. */
static int may_create(const struct creds *c, struct inode *dir, struct dentry *d)
{
	if (dentry_inode(d))
		return -EEXIST;
	if (dir_is_dead(dir))
		return -ENOENT;
	return vfs_permission(c, dir, MAY_WRITE | MAY_EXEC);
}

/* may_delete(): write+search on the directory, the sticky rule, then the
 * type the caller expects. */
static int may_delete(const struct creds *c, struct inode *dir, struct dentry *d, bool isdir)
{
	struct inode *victim = dentry_inode(d);
	if (!victim)
		return -ENOENT;
	int err = vfs_permission(c, dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	/* check_sticky(): in a sticky directory only the owner of the entry,
	 * the owner of the directory or CAP_FOWNER may remove it. */
	if ((dir->st.st_mode & S_ISVTX) && c->fsuid != victim->st.st_uid &&
	    c->fsuid != dir->st.st_uid && !creds_has_cap(c, CAP_FOWNER))
		return -EPERM;
	if (isdir) {
		if (!S_ISDIR(victim->st.st_mode))
			return -ENOTDIR;
		if (!d->parent)
			return -EBUSY;
	} else if (S_ISDIR(victim->st.st_mode)) {
		return -EISDIR;
	}
	if (dir_is_dead(dir))
		return -ENOENT;
	return 0;
}

static void report_missing_op(struct filesystem *fs, const char *what)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "%s on %s", what, fs->type);
	syscall_report_unsupported(msg);
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

/* --- creating names ------------------------------------------------- */

struct create {
	struct walk w;
	struct filesystem *fs;   /* locked (ns_lock) on success */
	struct dentry *d;        /* the negative dentry of the new name */
	struct inode *dir;
};

/* filename_create(): the parent walk; "." / ".." / "/" exist (EEXIST);
 * an existing name EEXIST; a trailing slash when not making a directory
 * ENOENT; then EROFS. On success the file system is locked. */
static int filename_create(struct task *t, int dirfd, const char *path, bool want_dir,
			   struct create *cc)
{
	int err = walk_parent(t, dirfd, path, &cc->w);
	if (err)
		return err;
	if (cc->w.last_type != LAST_NORM)
		return -EEXIST;
	cc->fs = cc->w.cur.dentry->fs;
	cc->dir = path_inode(cc->w.cur);
	pthread_mutex_lock(&cc->fs->ns_lock);
	err = dcache_lookup(cc->w.cur.dentry, cc->w.last, cc->w.last_len, &cc->d);
	if (!err && dentry_inode(cc->d))
		err = -EEXIST;
	else if (!err && cc->w.trailing_slash && !want_dir)
		err = -ENOENT;
	else if (!err && mnt_readonly(cc->w.cur.mnt))
		err = -EROFS;
	if (err)
		pthread_mutex_unlock(&cc->fs->ns_lock);
	return err;
}

static void done_create(struct create *cc)
{
	pthread_mutex_unlock(&cc->fs->ns_lock);
}

/* vfs_create / vfs_mknod / vfs_mkdir after filename_create. */
static int create_node(struct task *t, struct create *cc, mode_t mode, dev_t dev)
{
	const struct creds *c = &t->creds;
	int err = may_create(c, cc->dir, cc->d);
	if (err)
		return err;
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && !creds_has_cap(c, CAP_MKNOD))
		return -EPERM;
	if (!cc->dir->ops || !cc->dir->ops->mknod) {
		report_missing_op(cc->fs, S_ISDIR(mode) ? "mkdir" : "mknod");
		/* vfs_create has "no create op" as EACCES, the others EPERM. */
		return S_ISREG(mode) ? -EACCES : -EPERM;
	}
	return cc->dir->ops->mknod(cc->w.cur.dentry, cc->d, mode, dev, c);
}

int vfs_mknodat(struct task *t, int dirfd, const char *path, mode_t mode, dev_t dev)
{
	struct create cc;
	int err = filename_create(t, dirfd, path, false, &cc);
	if (err)
		return err;
	mode &= ~task_umask(t) | S_IFMT;
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	err = create_node(t, &cc, mode, dev);
	done_create(&cc);
	return err;
}

int vfs_mkdirat(struct task *t, int dirfd, const char *path, mode_t mode)
{
	struct create cc;
	int err = filename_create(t, dirfd, path, true, &cc);
	if (err)
		return err;
	mode = S_IFDIR | (mode & ~task_umask(t) & (0777 | S_ISVTX));
	err = create_node(t, &cc, mode, 0);
	done_create(&cc);
	return err;
}

int vfs_symlinkat(struct task *t, const char *target, int dirfd, const char *path)
{
	struct create cc;
	int err = filename_create(t, dirfd, path, false, &cc);
	if (err)
		return err;
	err = may_create(&t->creds, cc.dir, cc.d);
	if (!err && (!cc.dir->ops || !cc.dir->ops->symlink)) {
		report_missing_op(cc.fs, "symlink");
		err = -EPERM;
	}
	if (!err)
		err = cc.dir->ops->symlink(cc.w.cur.dentry, cc.d, target, &t->creds);
	done_create(&cc);
	return err;
}

/* may_linkat() with fs.protected_hardlinks = 1 (the usual setting): a
 * user may only link files they own, or regular files that are not
 * set-ID and that they can read and write. */
static int may_linkat(const struct creds *c, struct inode *ino)
{
	if (owner_or_capable(c, ino))
		return 0;
	mode_t m = ino->st.st_mode;
	if (S_ISREG(m) && !(m & S_ISUID) && (m & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
	    vfs_permission(c, ino, MAY_READ | MAY_WRITE) == 0)
		return 0;
	return -EPERM;
}

int vfs_linkat(struct task *t, struct path oldp, int newdirfd, const char *newpath)
{
	struct create cc;
	int err = filename_create(t, newdirfd, newpath, false, &cc);
	if (err)
		return err;
	const struct creds *c = &t->creds;
	struct inode *ino = path_inode(oldp);
	if (oldp.mnt != cc.w.cur.mnt)
		err = -EXDEV;
	else if ((err = may_linkat(c, ino)) == 0 && (err = may_create(c, cc.dir, cc.d)) == 0) {
		if (ino->fs != cc.fs)
			err = -EXDEV;
		else if (!cc.dir->ops || !cc.dir->ops->link) {
			report_missing_op(cc.fs, "link");
			err = -EPERM;
		} else if (S_ISDIR(ino->st.st_mode))
			err = -EPERM;
		else if (ino->st.st_nlink == 0 && !ino->linkable)
			err = -ENOENT; /* no links back to an unlinked file */
		else
			err = cc.dir->ops->link(oldp.dentry, cc.w.cur.dentry, cc.d);
	}
	done_create(&cc);
	return err;
}

/* --- removing names ------------------------------------------------- */

int vfs_unlinkat(struct task *t, int dirfd, const char *path, bool rmdir)
{
	struct walk w;
	int err = walk_parent(t, dirfd, path, &w);
	if (err)
		return err;
	if (rmdir) {
		if (w.last_type == LAST_DOTDOT)
			return -ENOTEMPTY;
		if (w.last_type == LAST_DOT)
			return -EINVAL;
		if (w.last_type == LAST_ROOT)
			return -EBUSY;
	} else if (w.last_type != LAST_NORM) {
		return -EISDIR;
	}
	if (mnt_readonly(w.cur.mnt))
		return -EROFS;
	struct filesystem *fs = w.cur.dentry->fs;
	struct inode *dir = path_inode(w.cur);
	pthread_mutex_lock(&fs->ns_lock);
	struct dentry *d;
	err = dcache_lookup(w.cur.dentry, w.last, w.last_len, &d);
	if (err)
		goto out;
	struct inode *victim = dentry_inode(d);
	if (!rmdir && (w.trailing_slash || !victim)) {
		/* do_unlinkat's "slashes": what the name is decides. */
		err = !victim ? -ENOENT : S_ISDIR(victim->st.st_mode) ? -EISDIR : -ENOTDIR;
		goto out;
	}
	err = may_delete(&t->creds, dir, d, rmdir);
	if (err)
		goto out;
	int (*op)(struct dentry *, struct dentry *) = !dir->ops ? NULL : rmdir ? dir->ops->rmdir : dir->ops->unlink;
	/* A mount point is EBUSY (Linux checks the op first, but every
	 * Linux file system with mount points has one). */
	if (atomic_load(&d->mounted)) {
		err = -EBUSY;
	} else if (!op) {
		report_missing_op(fs, rmdir ? "rmdir" : "unlink");
		err = -EPERM;
	} else {
		err = op(w.cur.dentry, d);
	}
out:
	pthread_mutex_unlock(&fs->ns_lock);
	return err;
}

/* --- rename --------------------------------------------------------- */

int vfs_renameat2(struct task *t, int odfd, const char *oldpath, int ndfd, const char *newpath,
		  unsigned int flags)
{
	const struct creds *c = &t->creds;
	if ((flags & RENAME_WHITEOUT) && !creds_has_cap(c, CAP_MKNOD))
		return -EPERM;
	struct walk ow, nw;
	int err = walk_parent(t, odfd, oldpath, &ow);
	if (err)
		return err;
	err = walk_parent(t, ndfd, newpath, &nw);
	if (err)
		return err;
	if (ow.cur.mnt != nw.cur.mnt)
		return -EXDEV;
	if (ow.last_type != LAST_NORM)
		return -EBUSY;
	if (nw.last_type != LAST_NORM)
		return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	if (mnt_readonly(ow.cur.mnt))
		return -EROFS;

	struct filesystem *fs = ow.cur.dentry->fs;
	struct dentry *odir = ow.cur.dentry, *ndir = nw.cur.dentry;
	struct inode *odi = path_inode(ow.cur), *ndi = path_inode(nw.cur);
	pthread_mutex_lock(&fs->ns_lock);
	struct dentry *od, *nd;
	err = dcache_lookup(odir, ow.last, ow.last_len, &od);
	if (!err)
		err = dcache_lookup(ndir, nw.last, nw.last_len, &nd);
	if (err)
		goto out;
	struct inode *src = dentry_inode(od), *tgt = dentry_inode(nd);
	err = -ENOENT;
	if (!src)
		goto out;
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && tgt)
		goto out;
	bool src_dir = S_ISDIR(src->st.st_mode);
	bool tgt_dir = tgt && S_ISDIR(tgt->st.st_mode);
	if (flags & RENAME_EXCHANGE) {
		err = -ENOENT;
		if (!tgt)
			goto out;
		err = -ENOTDIR;
		if (!tgt_dir && nw.trailing_slash)
			goto out;
	}
	err = -ENOTDIR;
	if (!src_dir && (ow.trailing_slash || (!(flags & RENAME_EXCHANGE) && nw.trailing_slash)))
		goto out;
	/* lock_rename()'s traps: the source may not be an ancestor of the
	 * target's directory, nor the target one of the source's. */
	err = -EINVAL;
	if (dentry_is_ancestor(od, ndir))
		goto out;
	err = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
	if (dentry_is_ancestor(nd, odir))
		goto out;

	/* vfs_rename() */
	err = 0;
	if (src == tgt)
		goto out;
	err = may_delete(c, odi, od, src_dir);
	if (err)
		goto out;
	if (!tgt)
		err = may_create(c, ndi, nd);
	else
		err = may_delete(c, ndi, nd, (flags & RENAME_EXCHANGE) ? tgt_dir : src_dir);
	if (err)
		goto out;
	if (!odi->ops || !odi->ops->rename) {
		report_missing_op(fs, "rename");
		err = -EPERM;
		goto out;
	}
	/* A directory changing parent rewrites its "..": write permission
	 * on it. */
	if (odir != ndir) {
		if (src_dir && (err = vfs_permission(c, src, MAY_WRITE)))
			goto out;
		if ((flags & RENAME_EXCHANGE) && tgt_dir && (err = vfs_permission(c, tgt, MAY_WRITE)))
			goto out;
	}
	err = -EBUSY;
	if (atomic_load(&od->mounted) || atomic_load(&nd->mounted))
		goto out;
	err = odi->ops->rename(odir, od, ndir, nd, flags, c);
out:
	pthread_mutex_unlock(&fs->ns_lock);
	return err;
}

/* --- attributes ----------------------------------------------------- */

static struct timespec current_time(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

void inode_apply_attr(struct inode *ino, const struct iattr *ia, struct timespec ctime)
{
	pthread_mutex_lock(&ino->lock);
	if (ia->valid & ATTR_MODE)
		ino->st.st_mode = (ino->st.st_mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		ino->st.st_uid = ia->uid;
	if (ia->valid & ATTR_GID)
		ino->st.st_gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		ino->st.st_atim = ia->atime;
	if (ia->valid & ATTR_MTIME)
		ino->st.st_mtim = ia->mtime;
	if (ia->valid & ATTR_CTIME)
		ino->st.st_ctim = ctime;
	pthread_mutex_unlock(&ino->lock);
}

/* simple_setattr for inodes whose file system keeps nothing else
 * (devices, pipes). */
static int generic_setattr(struct inode *ino, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE)
		return -EINVAL;
	inode_apply_attr(ino, ia, current_time());
	return 0;
}

int vfs_setattr(struct task *t, struct mount *mnt, struct inode *ino, struct iattr *ia)
{
	const struct creds *c = &t->creds;
	if ((mnt && mnt_readonly(mnt)) || (ino->fs && ino->fs->readonly))
		return -EROFS;
	struct stat st;
	inode_stat(ino, &st);
	/* notify_change(): no chmod of symlinks. */
	if ((ia->valid & ATTR_MODE) && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;
	/* times == NULL: the owner, or anyone who may write the file. */
	if ((ia->valid & ATTR_TOUCH) && !owner_or_capable(c, ino)) {
		int err = vfs_permission(c, ino, MAY_WRITE);
		if (err)
			return err;
	}
	/* setattr_prepare(): chown_ok, chgrp_ok, chmod by the owner, explicit
	 * times by the owner. */
	if ((ia->valid & ATTR_UID) &&
	    !((c->fsuid == st.st_uid && ia->uid == st.st_uid) || creds_has_cap(c, CAP_CHOWN)))
		return -EPERM;
	if ((ia->valid & ATTR_GID) &&
	    !((c->fsuid == st.st_uid && (ia->gid == st.st_gid || creds_in_group(c, ia->gid))) ||
	      creds_has_cap(c, CAP_CHOWN)))
		return -EPERM;
	if (ia->valid & ATTR_MODE) {
		if (!owner_or_capable(c, ino))
			return -EPERM;
		gid_t g = (ia->valid & ATTR_GID) ? ia->gid : st.st_gid;
		if (!creds_in_group(c, g) && !creds_has_cap(c, CAP_FSETID))
			ia->mode &= ~S_ISGID;
	}
	if ((ia->valid & ATTR_TIMES_SET) && !owner_or_capable(c, ino))
		return -EPERM;
	/* chown clears set-user-ID, and set-group-ID with group execute. */
	if ((ia->valid & ATTR_KILL_SUID) && !(ia->valid & ATTR_MODE)) {
		mode_t m = st.st_mode & 07777;
		mode_t nm = m & ~S_ISUID;
		if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			nm &= ~S_ISGID;
		if (nm != m) {
			ia->valid |= ATTR_MODE;
			ia->mode = nm;
		}
	}
	struct timespec ts = current_time();
	if (ia->valid & ATTR_ATIME_NOW) {
		ia->valid |= ATTR_ATIME;
		ia->atime = ts;
	}
	if (ia->valid & ATTR_MTIME_NOW) {
		ia->valid |= ATTR_MTIME;
		ia->mtime = ts;
	}
	if (ino->ops && ino->ops->setattr)
		return ino->ops->setattr(ino, ia, t);
	return generic_setattr(ino, ia);
}

int vfs_truncate_inode(struct task *t, struct inode *ino, int64_t len)
{
	struct iattr ia = { .valid = ATTR_SIZE | ATTR_SIZE_TIMES, .size = len };
	if (ino->ops && ino->ops->setattr)
		return ino->ops->setattr(ino, &ia, t);
	return -EINVAL;
}

/* --- open ----------------------------------------------------------- */

/* O_TMPFILE: an unnamed file in the directory path names. */
static int open_tmpfile(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
			struct file **out)
{
	/* O_TMPFILE needs O_DIRECTORY (part of the flag) and write access. */
	if ((flags & O_TMPFILE) != O_TMPFILE || !(flags & (O_WRONLY | O_RDWR)))
		return -EINVAL;
	struct path p;
	int err = vfs_lookup_at(t, NULL, dirfd, path, WALK_FOLLOW | WALK_DIRECTORY, &p);
	if (err)
		return err;
	if (mnt_readonly(p.mnt))
		return -EROFS;
	struct inode *dir = path_inode(p);
	err = vfs_permission(&t->creds, dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	if (!dir->ops || !dir->ops->tmpfile) {
		report_missing_op(p.mnt->fs, "open O_TMPFILE");
		return -EOPNOTSUPP;
	}
	mode = S_IFREG | (mode & 07777 & ~task_umask(t));
	struct inode *ino;
	err = dir->ops->tmpfile(p.dentry, mode, &t->creds, !(flags & O_EXCL), &ino);
	if (err)
		return err;
	/* Its name, as Linux's d_tmpfile: "#ino", never in the hash. */
	char name[32];
	int len = snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino->st.st_ino);
	struct dentry *d = dentry_new_unhashed(p.dentry, name, (size_t)len, ino);
	if (!d)
		return -ENOMEM;
	return vfs_open_inode((struct path){ p.mnt, d }, flags & ~O_CREAT, out);
}

static int finish_open(struct task *t, struct path p, int flags, bool created, struct file **out)
{
	int err = created ? vfs_open_inode(p, flags, out) : vfs_open_resolved(&t->creds, p, flags, out);
	if (err)
		return err;
	struct inode *ino = path_inode(p);
	if ((flags & O_TRUNC) && !created && S_ISREG(ino->st.st_mode) && !(flags & O_PATH)) {
		err = vfs_truncate_inode(t, ino, 0);
		if (err) {
			file_put(*out);
			return err;
		}
	}
	return 0;
}

/* O_CREAT: the last component is created when missing, through dangling
 * symlinks too (open_last_lookups). */
static int open_create(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		       struct file **out)
{
	struct walk w;
	int err = walk_parent(t, dirfd, path, &w);
	for (;;) {
		if (err)
			return err;
		if (w.last_type != LAST_NORM)
			return (flags & O_EXCL) ? -EEXIST : -EISDIR;
		if (w.trailing_slash)
			return -EISDIR;
		struct filesystem *fs = w.cur.dentry->fs;
		struct inode *dir = path_inode(w.cur);
		pthread_mutex_lock(&fs->ns_lock);
		struct dentry *d;
		err = dcache_lookup(w.cur.dentry, w.last, w.last_len, &d);
		if (err) {
			pthread_mutex_unlock(&fs->ns_lock);
			return err;
		}
		struct inode *ino = dentry_inode(d);
		if (!ino) {
			if (dir_is_dead(dir))
				err = -ENOENT;
			else if (mnt_readonly(w.cur.mnt))
				err = -EROFS;
			else {
				struct create cc = { .w = w, .fs = fs, .d = d, .dir = dir };
				err = create_node(t, &cc, S_IFREG | (mode & 07777 & ~task_umask(t)), 0);
			}
			pthread_mutex_unlock(&fs->ns_lock);
			if (err)
				return err;
			return finish_open(t, (struct path){ w.cur.mnt, d }, flags, true, out);
		}
		pthread_mutex_unlock(&fs->ns_lock);
		if (flags & O_EXCL)
			return -EEXIST;
		struct path p = { w.cur.mnt, d };
		vfs_follow_mounts(&p);
		ino = path_inode(p);
		if (S_ISLNK(ino->st.st_mode) && !(flags & O_NOFOLLOW)) {
			/* Follow it, and create what it names. */
			if (++w.nlinks > VFS_MAXSYMLINKS)
				return -ELOOP;
			if (ino->ops && ino->ops->get_link) {
				/* A magic link (/dev/stderr -> /proc/self/fd/2)
				 * names an existing file: open that one. */
				struct path to;
				err = ino->ops->get_link(p.dentry, p.mnt, &to);
				if (err)
					return err;
				if (S_ISDIR(path_inode(to)->st.st_mode))
					return -EISDIR;
				return finish_open(t, to, flags, false, out);
			}
			if (!ino->link || !ino->link[0])
				return -ENOENT;
			w.flags = WALK_PARENT;
			err = vfs_walk(&w, ino->link);
			continue;
		}
		if (S_ISDIR(ino->st.st_mode))
			return -EISDIR;
		return finish_open(t, p, flags, false, out);
	}
}

int vfs_openat(struct task *t, int dirfd, const char *path, int flags, mode_t mode, struct file **out)
{
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_TMPFILE_BIT)
		return open_tmpfile(t, dirfd, path, flags, mode, out);
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	if (flags & O_CREAT)
		return open_create(t, dirfd, path, flags, mode, out);
	int wflags = (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW;
	if (flags & O_DIRECTORY)
		wflags |= WALK_DIRECTORY;
	struct path p;
	int err = vfs_lookup_at(t, NULL, dirfd, path, wflags, &p);
	if (err)
		return err;
	return finish_open(t, p, flags, false, out);
}
