/*
 * devfs, mounted at /dev: the memory devices (null, zero, full, random,
 * urandom) and the usual symlinks into /proc/self/fd. /dev/tty opens with
 * ENXIO, as on Linux for a process without a controlling terminal (there
 * are no controlling terminals yet). ptmx and pts come later.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel/task.h"
#include "vfs/vfs.h"

enum dev_kind { DEV_DIR, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEV_LINK };

struct dev_entry {
	const char *name;
	enum dev_kind kind;
	mode_t mode;
	unsigned int major, minor;
	const char *link;
	struct inode *inode;
};

static struct dev_entry dev_entries[] = {
	{ "null",    DEV_NULL,    S_IFCHR | 0666, 1, 3 },
	{ "zero",    DEV_ZERO,    S_IFCHR | 0666, 1, 5 },
	{ "full",    DEV_FULL,    S_IFCHR | 0666, 1, 7 },
	{ "random",  DEV_RANDOM,  S_IFCHR | 0666, 1, 8 },
	{ "urandom", DEV_URANDOM, S_IFCHR | 0666, 1, 9 },
	{ "tty",     DEV_TTY,     S_IFCHR | 0666, 5, 0 },
	{ "fd",      DEV_LINK,    S_IFLNK | 0777, 0, 0, "/proc/self/fd" },
	{ "stdin",   DEV_LINK,    S_IFLNK | 0777, 0, 0, "/proc/self/fd/0" },
	{ "stdout",  DEV_LINK,    S_IFLNK | 0777, 0, 0, "/proc/self/fd/1" },
	{ "stderr",  DEV_LINK,    S_IFLNK | 0777, 0, 0, "/proc/self/fd/2" },
	/* Mount point of the tmpfs at /dev/shm (vfs_init). */
	{ "shm",     DEV_DIR,     S_IFDIR | 01777 },
};
#define NDEV (sizeof(dev_entries) / sizeof(dev_entries[0]))

static const struct inode_ops devfs_inode_ops;

static int devfs_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	if (dir->parent)
		return -ENOENT; /* subdirectories (shm) are empty */
	for (size_t i = 0; i < NDEV; i++) {
		if (strlen(dev_entries[i].name) == len && memcmp(dev_entries[i].name, name, len) == 0) {
			*out = dev_entries[i].inode;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- the memory devices --------------------------------------------- */

static ssize_t null_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	return 0;
}

/* Writes to null (and zero, random, urandom) are taken whole without
 * looking at the buffer, as Linux's write_null(). */
static ssize_t null_write_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	return (ssize_t)n;
}

static ssize_t null_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	return (ssize_t)n;
}

static const char zero_page[4096];

static ssize_t zero_read_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done < sizeof(zero_page) ? n - done : sizeof(zero_page);
		if (task_copy_out(t, addr + done, zero_page, chunk))
			return done ? (ssize_t)done : -EFAULT;
		done += chunk;
		if (task_interrupted(t))
			break; /* huge reads stay interruptible, as Linux's */
	}
	return (ssize_t)done;
}

static ssize_t zero_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	memset(buf, 0, n);
	return (ssize_t)n;
}

static ssize_t full_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = getrandom((char *)buf + done, n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* null and zero: lseek always lands on 0 (null_lseek). */
static int64_t null_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos = 0;
}

/* random, urandom: noop_llseek keeps the position. */
static int64_t noop_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos;
}

static const struct file_ops null_ops = {
	.read = null_read, .write = null_write, .write_app = null_write_app,
	.llseek = null_llseek,
};
static const struct file_ops zero_ops = {
	.mmap_kind = MMAP_ZERO,
	.read = zero_read, .read_app = zero_read_app,
	.write = null_write, .write_app = null_write_app, .llseek = null_llseek,
};
static const struct file_ops full_ops = {
	.read = zero_read, .read_app = zero_read_app, .write = full_write, .llseek = null_llseek,
};
static const struct file_ops random_ops = {
	.read = random_read, .write = null_write, .write_app = null_write_app,
	.llseek = noop_llseek,
};

/* --- the /dev directory --------------------------------------------- */

static int devfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	/* Positions: 0 ".", 1 "..", 2.. the entries. */
	while (f->pos < (int64_t)NDEV + 2) {
		int64_t i = f->pos;
		bool ok;
		if (i == 0)
			ok = ctx->emit(ctx, ".", 1, f->inode->st.st_ino, DT_DIR, 1);
		else if (i == 1)
			ok = ctx->emit(ctx, "..", 2, 1, DT_DIR, 2);
		else {
			struct dev_entry *e = &dev_entries[i - 2];
			unsigned type = S_ISLNK(e->mode) ? DT_LNK : S_ISDIR(e->mode) ? DT_DIR : DT_CHR;
			ok = ctx->emit(ctx, e->name, strlen(e->name), e->inode->st.st_ino, type, i + 1);
		}
		if (!ok)
			return 0;
		f->pos = i + 1;
	}
	return 0;
}

static int64_t devfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, NDEV + 2);
}

static const struct file_ops devfs_dir_ops = {
	.iterate = devfs_iterate,
	.llseek = devfs_dir_llseek,
};

/* An empty subdirectory: only "." and "..". */
static int devfs_subdir_iterate(struct file *f, struct dir_ctx *ctx)
{
	while (f->pos < 2) {
		bool ok = f->pos == 0 ? ctx->emit(ctx, ".", 1, f->inode->st.st_ino, DT_DIR, 1)
				      : ctx->emit(ctx, "..", 2, 1, DT_DIR, 2);
		if (!ok)
			return 0;
		f->pos++;
	}
	return 0;
}

static int64_t devfs_subdir_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, 2);
}

static const struct file_ops devfs_subdir_ops = {
	.iterate = devfs_subdir_iterate,
	.llseek = devfs_subdir_llseek,
};

static int devfs_open(struct dentry *d, struct file *f)
{
	struct dev_entry *e = f->inode->priv;
	if (!e) {
		f->ops = &devfs_dir_ops;
		f->mode |= FMODE_LSEEK;
		return 0;
	}
	switch (e->kind) {
	case DEV_NULL: f->ops = &null_ops; break;
	case DEV_ZERO: f->ops = &zero_ops; break;
	case DEV_FULL: f->ops = &full_ops; break;
	case DEV_RANDOM:
	case DEV_URANDOM: f->ops = &random_ops; break;
	case DEV_TTY: return -ENXIO; /* no controlling terminal */
	case DEV_DIR:
		f->ops = &devfs_subdir_ops;
		f->mode |= FMODE_LSEEK;
		return 0;
	default: return -ENXIO;
	}
	f->mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	return 0;
}

static const struct inode_ops devfs_inode_ops = {
	.lookup = devfs_lookup,
	.open = devfs_open,
};

/* devtmpfs reports tmpfs numbers; it holds no data here. */
static int devfs_statfs(struct filesystem *fs, struct dentry *d, struct statfs *out)
{
	memset(out, 0, sizeof(*out));
	out->f_type = 0x01021994; /* TMPFS_MAGIC */
	out->f_bsize = 4096;
	out->f_frsize = 4096;
	out->f_files = NDEV + 1;
	out->f_namelen = 255;
	out->f_flags = ST_NOSUID | ST_RELATIME;
	return 0;
}

struct filesystem *devfs_new(void)
{
	struct filesystem *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->ns_lock, NULL);
	fs->type = "devtmpfs";
	fs->statfs = devfs_statfs;
	fs->dev = makedev(0, 5);

	struct stat st = { 0 };
	st.st_dev = fs->dev;
	st.st_blksize = 4096;
	st.st_atim = st.st_mtim = st.st_ctim = vfs_boot_time;

	st.st_ino = 1;
	st.st_mode = S_IFDIR | 0755;
	st.st_nlink = 3; /* ".", "..", and shm/.. */
	struct inode *root = inode_new(fs, &devfs_inode_ops, &st);
	if (!root || !(fs->root = dentry_new_root(fs, root)))
		return NULL;

	for (size_t i = 0; i < NDEV; i++) {
		struct dev_entry *e = &dev_entries[i];
		st.st_ino = 2 + i;
		st.st_mode = e->mode;
		st.st_nlink = S_ISDIR(e->mode) ? 2 : 1;
		st.st_rdev = makedev(e->major, e->minor);
		st.st_size = e->link ? (off_t)strlen(e->link) : 0;
		e->inode = inode_new(fs, &devfs_inode_ops, &st);
		if (!e->inode)
			return NULL;
		e->inode->priv = e;
		if (e->link)
			e->inode->link = (char *)e->link;
	}
	return fs;
}
