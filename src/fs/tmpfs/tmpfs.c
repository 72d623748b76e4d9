/*
 * tmpfs: a file system in memory, mounted at /tmp and /dev/shm.
 *
 * - Regular files keep their data in the memory file, in a struct memobj
 *   (mm/mm.h): page idx of the file is the object's page idx, allocated on
 *   first write (holes read as zeros and take no memory). A MAP_SHARED
 *   mapping of the file maps the same pages (file_memobj).
 * - Directories are lists of their entries, newest first (as Linux 6.x
 *   lists them). Each entry has a cookie, increasing with creation, that
 *   is its getdents position: positions stay valid across unlinks.
 * - The names themselves are VFS dentries: a new name instantiates the
 *   negative dentry the walk found, unlink unhashes it, rename moves it.
 *   All namespace changes of one tmpfs are serialised by fs->ns_lock
 *   (taken by the VFS before calling us).
 * - Lock order: fs->ns_lock, then a node's data_lock, then inode->lock
 *   (attributes, link and open counts), then the memobj's lock.
 * - An inode whose last name is gone and whose last open file is closed
 *   gives its pages back. The struct inode itself stays (dentries that
 *   pointed to it are never freed either). TODO: reclaim both.
 * - Size limit: half of the RAM by default, like Linux; ENOSPC beyond.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "kernel/signals.h"
#include "kernel/task.h"
#include "mm/memfile.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* Linux counts directory entries in the directory's size this way. */
#define BOGO_DIRENT_SIZE 20
/* First cookie of a directory entry: 0 and 1 are "." and "..", 2 means
 * "from the newest entry on". */
#define FIRST_COOKIE 3
/* Pages are indexed by a flat array in the memobj: writes beyond this
 * offset give EFBIG rather than a huge index (TODO: sparse memobj). */
#define TMPFS_MAX_DATA_BYTES (16LL << 30)
/* Linux's MAX_LFS_FILESIZE: the largest size truncate accepts. */
#define TMPFS_MAX_SIZE 0x7fffffffffffffffLL

#define CAP_FSETID 4

struct tmpfs_sb {
	atomic_uint_least64_t used_pages;
	uint64_t max_pages;
	atomic_uint_least64_t inodes;
	uint64_t max_inodes;
	atomic_uint_least64_t next_ino;
};

/* One entry of a directory (dentry->fsdata). */
struct tmpfs_dirent {
	struct tmpfs_dirent *next, *prev;
	struct dentry *d;
	uint64_t cookie;
};

/* inode->priv */
struct tmpfs_node {
	struct tmpfs_sb *sb;
	pthread_rwlock_t data_lock;  /* regular files: read vs write/truncate */
	struct memobj *data;         /* regular files, until the inode dies */
	uint64_t accounted;          /* pages counted in sb->used_pages */
	int opens;                   /* open files (inode->lock) */
	bool dead;                   /* counted out of sb->inodes */
	/* Directories, under the fs ns_lock: */
	struct tmpfs_dirent *head;   /* newest first */
	uint64_t next_cookie;
};

static const struct inode_ops tmpfs_inode_ops;
static const struct file_ops tmpfs_reg_ops;
static const struct file_ops tmpfs_dir_ops;

static struct tmpfs_node *node_of(struct inode *ino)
{
	return ino->priv;
}

static struct timespec now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* --- inodes --------------------------------------------------------- */

/* inode_init_owner() and mode_strip_sgid(): the creator's fsuid; the
 * group of a set-group-ID directory (which new directories inherit), or
 * the creator's fsgid. */
static void init_owner(struct stat *st, struct inode *dir, mode_t mode, const struct creds *c)
{
	st->st_uid = c->fsuid;
	if (dir && (dir->st.st_mode & S_ISGID)) {
		st->st_gid = dir->st.st_gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
		else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
			 !creds_in_group(c, dir->st.st_gid) && !creds_has_cap(c, CAP_FSETID))
			mode &= ~S_ISGID;
	} else {
		st->st_gid = c->fsgid;
	}
	st->st_mode = mode;
}

static struct inode *tmpfs_inode_new(struct filesystem *fs, struct inode *dir, mode_t mode,
				     dev_t rdev, const struct creds *c, int *err)
{
	struct tmpfs_sb *sb = fs->priv;
	if (atomic_fetch_add(&sb->inodes, 1) >= sb->max_inodes) {
		atomic_fetch_sub(&sb->inodes, 1);
		*err = -ENOSPC;
		return NULL;
	}
	struct stat st = { 0 };
	init_owner(&st, dir, mode, c);
	st.st_dev = fs->dev;
	st.st_ino = atomic_fetch_add(&sb->next_ino, 1);
	st.st_nlink = S_ISDIR(mode) ? 2 : 1;
	st.st_rdev = (S_ISCHR(mode) || S_ISBLK(mode)) ? rdev : 0;
	st.st_size = S_ISDIR(mode) ? 2 * BOGO_DIRENT_SIZE : 0;
	st.st_blksize = 4096;
	st.st_atim = st.st_mtim = st.st_ctim = now();

	struct tmpfs_node *n = calloc(1, sizeof(*n));
	struct inode *ino = n ? inode_new(fs, &tmpfs_inode_ops, &st) : NULL;
	if (n && S_ISREG(mode))
		n->data = memobj_new(0);
	if (!ino || (S_ISREG(mode) && !n->data)) {
		if (n && n->data)
			memobj_put(n->data);
		free(n);
		free(ino);
		atomic_fetch_sub(&sb->inodes, 1);
		*err = -ENOMEM;
		return NULL;
	}
	n->sb = sb;
	n->next_cookie = FIRST_COOKIE;
	pthread_rwlock_init(&n->data_lock, NULL);
	ino->priv = n;
	return ino;
}

/* Pages of the memobj from page index first on: given back, and counted
 * out of the limit. Caller holds data_lock for writing. */
static void data_free_from(struct tmpfs_node *n, uint64_t first)
{
	struct memobj *o = n->data;
	uint64_t freed = 0;
	pthread_mutex_lock(&o->lock);
	for (uint64_t i = first; i < o->npages; i++) {
		if (o->pages[i]) {
			mf_decref(o->pages[i] - 1, 1);
			o->pages[i] = 0;
			freed++;
		}
	}
	pthread_mutex_unlock(&o->lock);
	/* Pages faulted in through a shared mapping were never counted. */
	if (freed > n->accounted)
		freed = n->accounted;
	n->accounted -= freed;
	atomic_fetch_sub(&n->sb->used_pages, freed);
}

/* The memory-file offset + 1 of page idx, or 0 for a hole. The page stays
 * valid while data_lock is held (only truncation frees pages). */
static uint64_t data_page(struct memobj *o, uint64_t idx)
{
	pthread_mutex_lock(&o->lock);
	uint64_t v = idx < o->npages ? o->pages[idx] : 0;
	pthread_mutex_unlock(&o->lock);
	return v;
}

/* Page idx for writing: allocated (zeroed) if it is a hole, within the
 * size limit. Caller holds data_lock for writing. */
static int data_page_for_write(struct tmpfs_node *n, uint64_t idx, uint64_t *off)
{
	uint64_t v = data_page(n->data, idx);
	if (v) {
		*off = v - 1;
		return 0;
	}
	if (atomic_fetch_add(&n->sb->used_pages, 1) >= n->sb->max_pages) {
		atomic_fetch_sub(&n->sb->used_pages, 1);
		return -ENOSPC;
	}
	int err = memobj_page(n->data, idx, off);
	if (err) {
		atomic_fetch_sub(&n->sb->used_pages, 1);
		return err == -ENOMEM ? -ENOSPC : err;
	}
	mf_decref(*off, 1); /* the object keeps its own reference */
	n->accounted++;
	return 0;
}

static void update_blocks_locked(struct inode *ino)
{
	ino->st.st_blocks = (blkcnt_t)(node_of(ino)->accounted * (PAGE_SIZE / 512));
}

/* When the last name and the last open file are gone, the data goes
 * (shmem_evict_inode). */
static void node_maybe_die(struct inode *ino)
{
	struct tmpfs_node *n = node_of(ino);
	pthread_rwlock_wrlock(&n->data_lock);
	pthread_mutex_lock(&ino->lock);
	bool die = ino->st.st_nlink == 0 && n->opens == 0 && !n->dead;
	if (die)
		n->dead = true;
	pthread_mutex_unlock(&ino->lock);
	if (die) {
		if (n->data) {
			data_free_from(n, 0);
			memobj_put(n->data);
			n->data = NULL;
		}
		atomic_fetch_sub(&n->sb->inodes, 1);
	}
	pthread_rwlock_unlock(&n->data_lock);
}

/* --- directories ---------------------------------------------------- */

static void touch_dir_locked(struct inode *dir, struct timespec ts)
{
	dir->st.st_mtim = dir->st.st_ctim = ts;
}

/* Add d to dir's list (newest first); caller holds ns_lock. */
static int dir_add(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = calloc(1, sizeof(*de));
	if (!de)
		return -ENOMEM;
	struct tmpfs_node *n = node_of(dir);
	de->d = d;
	de->cookie = n->next_cookie++;
	de->next = n->head;
	if (n->head)
		n->head->prev = de;
	n->head = de;
	d->fsdata = de;
	pthread_mutex_lock(&dir->lock);
	dir->st.st_size += BOGO_DIRENT_SIZE;
	touch_dir_locked(dir, now());
	pthread_mutex_unlock(&dir->lock);
	return 0;
}

static void dir_remove(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = d->fsdata;
	struct tmpfs_node *n = node_of(dir);
	if (!de)
		return;
	if (de->prev)
		de->prev->next = de->next;
	else
		n->head = de->next;
	if (de->next)
		de->next->prev = de->prev;
	d->fsdata = NULL;
	free(de);
	pthread_mutex_lock(&dir->lock);
	dir->st.st_size -= BOGO_DIRENT_SIZE;
	touch_dir_locked(dir, now());
	pthread_mutex_unlock(&dir->lock);
}

static void nlink_add(struct inode *ino, int delta)
{
	pthread_mutex_lock(&ino->lock);
	ino->st.st_nlink += delta;
	pthread_mutex_unlock(&ino->lock);
}

static void inode_ctime_now(struct inode *ino)
{
	pthread_mutex_lock(&ino->lock);
	ino->st.st_ctim = now();
	pthread_mutex_unlock(&ino->lock);
}

/* Every tmpfs name is in the dentry cache (nothing is evicted), so a miss
 * there means the name does not exist. */
static int tmpfs_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	return -ENOENT;
}

static int instantiate(struct dentry *dir, struct dentry *d, struct inode *ino)
{
	struct inode *dino = atomic_load(&dir->inode);
	int err = dir_add(dino, d);
	if (err)
		return err;
	if (S_ISDIR(ino->st.st_mode))
		nlink_add(dino, 1);
	dentry_instantiate(d, ino);
	return 0;
}

static int tmpfs_mknod(struct dentry *dir, struct dentry *d, mode_t mode, dev_t rdev, const struct creds *c)
{
	int err = 0;
	struct inode *dino = atomic_load(&dir->inode);
	struct inode *ino = tmpfs_inode_new(dir->fs, dino, mode, rdev, c, &err);
	if (!ino)
		return err;
	err = instantiate(dir, d, ino);
	if (err) {
		pthread_mutex_lock(&ino->lock);
		ino->st.st_nlink = 0;
		pthread_mutex_unlock(&ino->lock);
		node_maybe_die(ino);
	}
	return err;
}

static int tmpfs_symlink(struct dentry *dir, struct dentry *d, const char *target, const struct creds *c)
{
	size_t len = strlen(target);
	if (len + 1 > PAGE_SIZE)
		return -ENAMETOOLONG; /* shmem keeps a target in at most a page */
	int err = 0;
	struct inode *dino = atomic_load(&dir->inode);
	struct inode *ino = tmpfs_inode_new(dir->fs, dino, S_IFLNK | 0777, 0, c, &err);
	if (!ino)
		return err;
	ino->link = strdup(target);
	ino->st.st_size = (off_t)len;
	if (!ino->link || (err = instantiate(dir, d, ino))) {
		pthread_mutex_lock(&ino->lock);
		ino->st.st_nlink = 0;
		pthread_mutex_unlock(&ino->lock);
		node_maybe_die(ino);
		return err ? err : -ENOMEM;
	}
	return 0;
}

static int tmpfs_link(struct dentry *old, struct dentry *dir, struct dentry *d)
{
	struct inode *ino = atomic_load(&old->inode);
	int err = dir_add(atomic_load(&dir->inode), d);
	if (err)
		return err;
	pthread_mutex_lock(&ino->lock);
	ino->st.st_nlink++;
	ino->st.st_ctim = now();
	ino->linkable = false;
	pthread_mutex_unlock(&ino->lock);
	dentry_instantiate(d, ino);
	return 0;
}

/* Drop one name of ino (unlink, or replaced by a rename). */
static void drop_name(struct inode *dino, struct dentry *d, struct inode *ino)
{
	dir_remove(dino, d);
	pthread_mutex_lock(&ino->lock);
	if (S_ISDIR(ino->st.st_mode))
		ino->st.st_nlink = 0;
	else if (ino->st.st_nlink)
		ino->st.st_nlink--;
	ino->st.st_ctim = now();
	pthread_mutex_unlock(&ino->lock);
	if (S_ISDIR(ino->st.st_mode))
		nlink_add(dino, -1);
}

static int tmpfs_unlink(struct dentry *dir, struct dentry *d)
{
	struct inode *ino = atomic_load(&d->inode);
	drop_name(atomic_load(&dir->inode), d, ino);
	dcache_unhash(d);
	node_maybe_die(ino);
	return 0;
}

static bool dir_empty(struct inode *dir)
{
	return node_of(dir)->head == NULL;
}

static int tmpfs_rmdir(struct dentry *dir, struct dentry *d)
{
	struct inode *ino = atomic_load(&d->inode);
	if (!dir_empty(ino))
		return -ENOTEMPTY;
	return tmpfs_unlink(dir, d);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

static int rename_exchange(struct dentry *odir, struct dentry *od, struct dentry *ndir, struct dentry *nd)
{
	struct inode *oi = atomic_load(&od->inode), *ni = atomic_load(&nd->inode);
	struct inode *odi = atomic_load(&odir->inode), *ndi = atomic_load(&ndir->inode);
	struct tmpfs_dirent *ode = od->fsdata, *nde = nd->fsdata;
	dcache_exchange(od, nd);
	/* Each directory entry now names the other dentry. */
	ode->d = nd;
	nde->d = od;
	od->fsdata = nde;
	nd->fsdata = ode;
	bool odir_is = S_ISDIR(oi->st.st_mode), ndir_is = S_ISDIR(ni->st.st_mode);
	if (odi != ndi && odir_is != ndir_is) {
		nlink_add(odi, odir_is ? -1 : 1);
		nlink_add(ndi, odir_is ? 1 : -1);
	}
	struct timespec ts = now();
	for (int i = 0; i < 2; i++) {
		struct inode *x = i ? ndi : odi;
		pthread_mutex_lock(&x->lock);
		touch_dir_locked(x, ts);
		pthread_mutex_unlock(&x->lock);
	}
	inode_ctime_now(oi);
	inode_ctime_now(ni);
	return 0;
}

static int tmpfs_rename(struct dentry *odir, struct dentry *od, struct dentry *ndir, struct dentry *nd,
			unsigned int flags, const struct creds *c)
{
	if (flags & RENAME_EXCHANGE)
		return rename_exchange(odir, od, ndir, nd);
	struct inode *oi = atomic_load(&od->inode), *ti = atomic_load(&nd->inode);
	struct inode *odi = atomic_load(&odir->inode), *ndi = atomic_load(&ndir->inode);
	if (ti && S_ISDIR(ti->st.st_mode) && !dir_empty(ti))
		return -ENOTEMPTY;

	/* The whiteout left at the old name (overlay's RENAME_WHITEOUT) is
	 * made first, so that a failure changes nothing. */
	struct inode *wo = NULL;
	int err = 0;
	char oldname[VFS_NAME_MAX + 1];
	size_t oldlen = od->len;
	memcpy(oldname, od->name, oldlen + 1);
	if (flags & RENAME_WHITEOUT) {
		wo = tmpfs_inode_new(odir->fs, odi, S_IFCHR | 0, makedev(0, 0), c, &err);
		if (!wo)
			return err;
	}
	/* The allocations first: after them nothing can fail. */
	struct tmpfs_dirent *nde = calloc(1, sizeof(*nde));
	if (!nde) {
		err = -ENOMEM;
		goto fail;
	}
	err = dcache_move(od, ndir, nd->name, nd->len); /* unhashes nd */
	if (err) {
		free(nde);
		goto fail;
	}
	if (ti)
		drop_name(ndi, nd, ti);
	dir_remove(odi, od);
	if (S_ISDIR(oi->st.st_mode)) {
		nlink_add(odi, -1);
		nlink_add(ndi, 1);
	}
	struct tmpfs_node *nn = node_of(ndi);
	nde->d = od;
	nde->cookie = nn->next_cookie++;
	nde->next = nn->head;
	if (nn->head)
		nn->head->prev = nde;
	nn->head = nde;
	od->fsdata = nde;
	pthread_mutex_lock(&ndi->lock);
	ndi->st.st_size += BOGO_DIRENT_SIZE;
	touch_dir_locked(ndi, now());
	pthread_mutex_unlock(&ndi->lock);
	inode_ctime_now(oi);
	if (ti)
		node_maybe_die(ti);
	if (wo) {
		struct dentry *wd;
		if (dcache_lookup(odir, oldname, oldlen, &wd) == 0 && !atomic_load(&wd->inode) &&
		    instantiate(odir, wd, wo) == 0)
			wo = NULL;
	}
fail:
	if (wo) {
		wo->st.st_nlink = 0;
		node_maybe_die(wo);
	}
	return err;
}

static int tmpfs_tmpfile(struct dentry *dir, mode_t mode, const struct creds *c, bool linkable,
			 struct inode **out)
{
	int err = 0;
	struct inode *ino = tmpfs_inode_new(dir->fs, atomic_load(&dir->inode), mode, 0, c, &err);
	if (!ino)
		return err;
	ino->st.st_nlink = 0;
	ino->linkable = linkable;
	*out = ino;
	return 0;
}

/* --- attributes ----------------------------------------------------- */

/* Truncate or extend to size; caller holds data_lock for writing. */
static void resize_locked(struct inode *ino, int64_t size)
{
	struct tmpfs_node *n = node_of(ino);
	int64_t old = ino->st.st_size;
	if (size < old && n->data) {
		data_free_from(n, ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE);
		/* The rest of the last page must read as zeros if the file
		 * grows again. */
		if (size % PAGE_SIZE) {
			uint64_t v = data_page(n->data, (uint64_t)size / PAGE_SIZE);
			if (v)
				memset((char *)mf_ptr(v - 1) + size % PAGE_SIZE, 0,
				       PAGE_SIZE - size % PAGE_SIZE);
		}
	}
	pthread_mutex_lock(&ino->lock);
	ino->st.st_size = size;
	update_blocks_locked(ino);
	pthread_mutex_unlock(&ino->lock);
}

/* RLIMIT_FSIZE (inode_newsize_ok / generic_write_check_limits): beyond
 * it, SIGXFSZ and EFBIG. */
static int64_t fsize_limit(struct task *t)
{
	if (!t || !t->tg)
		return TMPFS_MAX_SIZE;
	rlim_t lim = t->tg->rlimits[RLIMIT_FSIZE].rlim_cur;
	return lim == RLIM_INFINITY || lim > (rlim_t)TMPFS_MAX_SIZE ? TMPFS_MAX_SIZE : (int64_t)lim;
}

static int tmpfs_setattr(struct inode *ino, const struct iattr *ia, struct task *t)
{
	struct tmpfs_node *n = node_of(ino);
	struct timespec ts = now();
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->st.st_mode))
			return -EINVAL;
		if (ia->size > ino->st.st_size && ia->size > fsize_limit(t)) {
			if (t)
				task_send_signal_self(t, SIGXFSZ);
			return -EFBIG;
		}
		pthread_rwlock_wrlock(&n->data_lock);
		if (!n->data) {
			pthread_rwlock_unlock(&n->data_lock);
			return 0; /* died meanwhile */
		}
		bool changed = ia->size != ino->st.st_size;
		resize_locked(ino, ia->size);
		pthread_rwlock_unlock(&n->data_lock);
		/* shmem_setattr: times change only with the size. */
		if (changed && (ia->valid & ATTR_SIZE_TIMES)) {
			pthread_mutex_lock(&ino->lock);
			ino->st.st_mtim = ino->st.st_ctim = ts;
			pthread_mutex_unlock(&ino->lock);
		}
	}
	inode_apply_attr(ino, ia, ts);
	return 0;
}

/* --- opening -------------------------------------------------------- */

static int tmpfs_open(struct dentry *d, struct file *f)
{
	struct inode *ino = f->inode;
	mode_t m = ino->st.st_mode;
	if (S_ISDIR(m)) {
		f->ops = &tmpfs_dir_ops;
		f->mode |= FMODE_LSEEK;
		return 0;
	}
	if (S_ISREG(m)) {
		struct tmpfs_node *n = node_of(ino);
		pthread_mutex_lock(&ino->lock);
		bool dead = n->dead;
		if (!dead)
			n->opens++;
		pthread_mutex_unlock(&ino->lock);
		if (dead)
			return -ENOENT;
		f->ops = &tmpfs_reg_ops;
		f->mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
		return 0;
	}
	if (S_ISFIFO(m))
		return pipe_fifo_open(current_task, f);
	if (S_ISCHR(m) || S_ISBLK(m))
		return -EACCES; /* mounted nodev, as tmpfs mounts usually are */
	return -ENXIO;          /* sockets */
}

static void tmpfs_reg_release(struct file *f)
{
	struct inode *ino = f->inode;
	pthread_mutex_lock(&ino->lock);
	node_of(ino)->opens--;
	pthread_mutex_unlock(&ino->lock);
	node_maybe_die(ino);
}

/* Regular tmpfs files, memfds included (their ops are a copy of ours
 * with this release). */
struct memobj *file_memobj(struct file *f)
{
	if (!f || !f->ops || f->ops->release != tmpfs_reg_release)
		return NULL;
	return node_of(f->inode)->data;
}

const struct file_ops *tmpfs_reg_file_ops(void)
{
	return &tmpfs_reg_ops;
}

/* --- regular files -------------------------------------------------- */

/* relatime: atime moves when it is not newer than mtime or ctime, or is a
 * day old (touch_atime / relatime_need_update). */
static void file_accessed(struct file *f)
{
	/* The mount's rule: noatime, strictatime (always), or relatime. */
	unsigned int mflags = f->path.mnt ? atomic_load(&f->path.mnt->flags) : 0;
	if ((atomic_load(&f->flags) & O_NOATIME) || (mflags & MNT_NOATIME))
		return;
	struct inode *ino = f->inode;
	struct timespec ts = now();
	pthread_mutex_lock(&ino->lock);
	struct stat *st = &ino->st;
	bool older = (mflags & MNT_STRICTATIME) || st->st_atim.tv_sec < st->st_mtim.tv_sec ||
		     (st->st_atim.tv_sec == st->st_mtim.tv_sec && st->st_atim.tv_nsec <= st->st_mtim.tv_nsec) ||
		     st->st_atim.tv_sec < st->st_ctim.tv_sec ||
		     (st->st_atim.tv_sec == st->st_ctim.tv_sec && st->st_atim.tv_nsec <= st->st_ctim.tv_nsec) ||
		     ts.tv_sec - st->st_atim.tv_sec >= 24 * 3600;
	if (older)
		st->st_atim = ts;
	pthread_mutex_unlock(&ino->lock);
}

static ssize_t tmpfs_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	struct tmpfs_node *node = node_of(f->inode);
	if (n == 0)
		return 0;
	pthread_rwlock_rdlock(&node->data_lock);
	int64_t size = f->inode->st.st_size;
	size_t done = 0;
	if (*pos < size) {
		if ((uint64_t)(size - *pos) < n)
			n = (size_t)(size - *pos);
		while (done < n) {
			uint64_t at = (uint64_t)*pos + done;
			size_t in = at % PAGE_SIZE;
			size_t chunk = PAGE_SIZE - in < n - done ? PAGE_SIZE - in : n - done;
			uint64_t v = data_page(node->data, at / PAGE_SIZE);
			if (v)
				memcpy((char *)buf + done, (char *)mf_ptr(v - 1) + in, chunk);
			else
				memset((char *)buf + done, 0, chunk);
			done += chunk;
		}
		*pos += (int64_t)done;
	}
	pthread_rwlock_unlock(&node->data_lock);
	file_accessed(f);
	return (ssize_t)done;
}

/* file_remove_privs(): a write by someone without CAP_FSETID clears the
 * set-user-ID bit, and set-group-ID when group execute is on. */
static void kill_suid_locked(struct inode *ino, struct task *t)
{
	mode_t m = ino->st.st_mode;
	mode_t kill = 0;
	if (m & S_ISUID)
		kill |= S_ISUID;
	if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (kill && !(t && creds_has_cap(&t->creds, CAP_FSETID)))
		ino->st.st_mode &= ~kill;
}

static ssize_t tmpfs_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	struct inode *ino = f->inode;
	struct tmpfs_node *node = node_of(ino);
	if (n == 0)
		return 0;
	pthread_rwlock_wrlock(&node->data_lock);
	bool append = (atomic_load(&f->flags) & O_APPEND) || (iof & IOF_APPEND);
	if (append && !(iof & IOF_NOAPPEND))
		*pos = ino->st.st_size;
	int64_t start = *pos;
	/* generic_write_check_limits(): RLIMIT_FSIZE, then the maximum. */
	int64_t limit = fsize_limit(t);
	if (start >= limit) {
		pthread_rwlock_unlock(&node->data_lock);
		if (limit < TMPFS_MAX_SIZE && t)
			task_send_signal_self(t, SIGXFSZ);
		return -EFBIG;
	}
	if ((uint64_t)(limit - start) < n)
		n = (size_t)(limit - start);
	if (start >= TMPFS_MAX_DATA_BYTES) {
		pthread_rwlock_unlock(&node->data_lock);
		return -EFBIG;
	}
	if ((uint64_t)(TMPFS_MAX_DATA_BYTES - start) < n)
		n = (size_t)(TMPFS_MAX_DATA_BYTES - start);

	size_t done = 0;
	int err = 0;
	while (done < n) {
		uint64_t at = (uint64_t)start + done;
		size_t in = at % PAGE_SIZE;
		size_t chunk = PAGE_SIZE - in < n - done ? PAGE_SIZE - in : n - done;
		uint64_t off;
		err = data_page_for_write(node, at / PAGE_SIZE, &off);
		if (err)
			break;
		memcpy((char *)mf_ptr(off) + in, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (done) {
		*pos = start + (int64_t)done;
		struct timespec ts = now();
		pthread_mutex_lock(&ino->lock);
		if (*pos > ino->st.st_size)
			ino->st.st_size = *pos;
		update_blocks_locked(ino);
		ino->st.st_mtim = ino->st.st_ctim = ts;
		kill_suid_locked(ino, t);
		pthread_mutex_unlock(&ino->lock);
	} else if (err) {
		pthread_mutex_lock(&ino->lock);
		update_blocks_locked(ino);
		pthread_mutex_unlock(&ino->lock);
	}
	pthread_rwlock_unlock(&node->data_lock);
	return done ? (ssize_t)done : err;
}

/* SEEK_DATA / SEEK_HOLE at page granularity: allocated pages are data,
 * holes are pages never written (and the end of the file). */
static int64_t seek_data_hole(struct file *f, int64_t off, int whence)
{
	struct tmpfs_node *node = node_of(f->inode);
	pthread_rwlock_rdlock(&node->data_lock);
	int64_t size = f->inode->st.st_size;
	int64_t r = -ENXIO;
	if (off >= 0 && off < size) {
		uint64_t last = ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t i = (uint64_t)off / PAGE_SIZE;
		bool want_data = whence == SEEK_DATA;
		for (; i < last; i++)
			if ((data_page(node->data, i) != 0) == want_data)
				break;
		if (i < last) {
			r = (int64_t)(i * PAGE_SIZE);
			if (r < off)
				r = off;
		} else if (!want_data) {
			r = size;
		}
		if (r > size)
			r = size;
	}
	pthread_rwlock_unlock(&node->data_lock);
	if (r >= 0)
		f->pos = r;
	return r;
}

static int64_t tmpfs_reg_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_DATA || whence == SEEK_HOLE)
		return seek_data_hole(f, off, whence);
	struct stat st;
	inode_stat(f->inode, &st);
	return generic_llseek(f, off, whence, st.st_size);
}

static int tmpfs_fsync(struct file *f)
{
	return 0; /* memory is where the data lives */
}

static long tmpfs_reg_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	if (cmd == FIONREAD) {
		struct stat st;
		inode_stat(f->inode, &st);
		int64_t left = st.st_size - f->pos;
		int v = left < 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
		return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

/* shmem_fallocate: mode 0 / KEEP_SIZE allocate pages (ENOSPC beyond the
 * limit, undoing nothing already there), PUNCH_HOLE frees them. */
static int tmpfs_fallocate(struct file *f, struct task *t, int mode, int64_t off, int64_t len)
{
	struct inode *ino = f->inode;
	struct tmpfs_node *node = node_of(ino);
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	int64_t end = off + len;
	pthread_rwlock_wrlock(&node->data_lock);
	int err = 0;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		int64_t size = ino->st.st_size;
		if (end > size)
			end = size;
		for (int64_t at = off; at < end;) {
			uint64_t idx = (uint64_t)at / PAGE_SIZE;
			int64_t pend = (int64_t)(idx + 1) * PAGE_SIZE;
			int64_t stop = pend < end ? pend : end;
			uint64_t v = data_page(node->data, idx);
			if (v && at == (int64_t)(idx * PAGE_SIZE) && stop == pend) {
				struct memobj *o = node->data;
				pthread_mutex_lock(&o->lock);
				mf_decref(o->pages[idx] - 1, 1);
				o->pages[idx] = 0;
				pthread_mutex_unlock(&o->lock);
				if (node->accounted) {
					node->accounted--;
					atomic_fetch_sub(&node->sb->used_pages, 1);
				}
			} else if (v) {
				memset((char *)mf_ptr(v - 1) + at % PAGE_SIZE, 0, (size_t)(stop - at));
			}
			at = stop;
		}
	} else {
		if (end > ino->st.st_size && !(mode & FALLOC_FL_KEEP_SIZE) && end > fsize_limit(t)) {
			pthread_rwlock_unlock(&node->data_lock);
			task_send_signal_self(t, SIGXFSZ);
			return -EFBIG;
		}
		if (end > TMPFS_MAX_DATA_BYTES) {
			pthread_rwlock_unlock(&node->data_lock);
			return -EFBIG;
		}
		uint64_t first = (uint64_t)off / PAGE_SIZE, last = ((uint64_t)end + PAGE_SIZE - 1) / PAGE_SIZE;
		for (uint64_t i = first; i < last && !err; i++) {
			uint64_t o;
			err = data_page_for_write(node, i, &o);
		}
		if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && end > ino->st.st_size) {
			pthread_mutex_lock(&ino->lock);
			ino->st.st_size = end;
			pthread_mutex_unlock(&ino->lock);
		}
	}
	pthread_mutex_lock(&ino->lock);
	update_blocks_locked(ino);
	if (!err)
		ino->st.st_ctim = ino->st.st_mtim = now();
	pthread_mutex_unlock(&ino->lock);
	pthread_rwlock_unlock(&node->data_lock);
	return err;
}

static int tmpfs_stat(struct file *f, struct stat *st)
{
	inode_stat(f->inode, st);
	return 0;
}

static const struct file_ops tmpfs_reg_ops = {
	.mmap_kind = MMAP_FILE,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_reg_llseek,
	.ioctl = tmpfs_reg_ioctl,
	.stat = tmpfs_stat,
	.fsync = tmpfs_fsync,
	.fallocate = tmpfs_fallocate,
	.release = tmpfs_reg_release,
};

/* --- directory listing ---------------------------------------------- */

static unsigned dtype_of(mode_t m)
{
	return (m & S_IFMT) >> 12; /* DT_* are the S_IFMT bits shifted */
}

/* Positions: 0 ".", 1 "..", 2 the newest entry, c > 2: entries with a
 * cookie below c (the one just listed had cookie c). */
static int tmpfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *d = f->path.dentry;
	struct inode *dir = f->inode;
	struct filesystem *fs = dir->fs;
	/* iterate_dir(): a removed directory lists nothing: ENOENT. */
	if (dir->st.st_nlink == 0)
		return -ENOENT;
	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->st.st_ino, DT_DIR, 1))
			return 0;
		f->pos = 1;
	}
	pthread_mutex_lock(&fs->ns_lock);
	if (f->pos == 1) {
		struct dentry *p = d->parent ? d->parent : d;
		struct inode *pi = atomic_load(&p->inode);
		/* At the root of the mount, ".." is above it: Linux reports the
		 * root's own number there too for a mount's root. */
		if (!ctx->emit(ctx, "..", 2, pi->st.st_ino, DT_DIR, 2))
			goto out;
		f->pos = 2;
	}
	for (struct tmpfs_dirent *de = node_of(dir)->head; de; de = de->next) {
		if (f->pos > 2 && de->cookie >= (uint64_t)f->pos)
			continue;
		struct inode *ci = atomic_load(&de->d->inode);
		if (!ctx->emit(ctx, de->d->name, de->d->len, ci->st.st_ino, dtype_of(ci->st.st_mode),
			       (int64_t)de->cookie))
			break;
		f->pos = (int64_t)de->cookie;
	}
	if (f->pos == 2 && !node_of(dir)->head)
		f->pos = FIRST_COOKIE; /* empty: at the end */
out:
	pthread_mutex_unlock(&fs->ns_lock);
	file_accessed(f);
	return 0;
}

static int64_t tmpfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	int64_t target;
	switch (whence) {
	case SEEK_SET: target = off; break;
	case SEEK_CUR: target = f->pos + off; break;
	default: return -EINVAL;
	}
	if (target < 0)
		return -EINVAL;
	return f->pos = target;
}

static const struct file_ops tmpfs_dir_ops = {
	.iterate = tmpfs_iterate,
	.llseek = tmpfs_dir_llseek,
	.stat = tmpfs_stat,
	.fsync = tmpfs_fsync,
};

static const struct inode_ops tmpfs_inode_ops = {
	.lookup = tmpfs_lookup,
	.open = tmpfs_open,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.tmpfile = tmpfs_tmpfile,
	.setattr = tmpfs_setattr,
};

/* --- the file system ------------------------------------------------ */

static int tmpfs_statfs(struct filesystem *fs, struct dentry *d, struct statfs *out)
{
	struct tmpfs_sb *sb = fs->priv;
	memset(out, 0, sizeof(*out));
	uint64_t used = atomic_load(&sb->used_pages), inodes = atomic_load(&sb->inodes);
	out->f_type = TMPFS_MAGIC;
	out->f_bsize = PAGE_SIZE;
	out->f_frsize = PAGE_SIZE;
	out->f_blocks = sb->max_pages;
	out->f_bfree = out->f_bavail = used < sb->max_pages ? sb->max_pages - used : 0;
	out->f_files = sb->max_inodes;
	out->f_ffree = inodes < sb->max_inodes ? sb->max_inodes - inodes : 0;
	out->f_namelen = VFS_NAME_MAX;
	out->f_flags = ST_NOSUID | ST_NODEV | ST_RELATIME;
	uint64_t id = fs->dev;
	memcpy(&out->f_fsid, &id, sizeof(out->f_fsid) < sizeof(id) ? sizeof(out->f_fsid) : sizeof(id));
	return 0;
}

static atomic_uint tmpfs_minor = 40;

struct filesystem *tmpfs_new(mode_t root_mode, uint64_t max_bytes)
{
	struct filesystem *fs = calloc(1, sizeof(*fs));
	struct tmpfs_sb *sb = calloc(1, sizeof(*sb));
	if (!fs || !sb) {
		free(fs);
		free(sb);
		return NULL;
	}
	long pages = sysconf(_SC_PHYS_PAGES);
	if (pages <= 0)
		pages = 1 << 20;
	/* Linux's defaults: size and nr_inodes are half of the RAM pages. */
	sb->max_pages = max_bytes ? (max_bytes + PAGE_SIZE - 1) / PAGE_SIZE : (uint64_t)pages / 2;
	sb->max_inodes = (uint64_t)pages / 2;
	uint64_t mf_pages = mf_total_pages();
	if (mf_pages && sb->max_pages > mf_pages)
		sb->max_pages = mf_pages;
	atomic_init(&sb->next_ino, 1);
	pthread_mutex_init(&fs->ns_lock, NULL);
	fs->type = "tmpfs";
	fs->statfs = tmpfs_statfs;
	fs->dev = makedev(0, atomic_fetch_add(&tmpfs_minor, 1));
	fs->priv = sb;

	static const struct creds root_creds = { .cap_effective = ~0ULL };
	int err;
	struct inode *root = tmpfs_inode_new(fs, NULL, S_IFDIR | (root_mode & 07777), 0, &root_creds, &err);
	if (!root || !(fs->root = dentry_new_root(fs, root))) {
		free(root);
		free(sb);
		free(fs);
		return NULL;
	}
	return fs;
}
