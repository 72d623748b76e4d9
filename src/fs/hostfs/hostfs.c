/*
 * hostfs: a host directory (the sandbox root) exposed read-only.
 *
 * The sentry opens the root directory once and reaches every host file
 * through it, one component at a time, relative to the O_PATH descriptor of
 * the parent directory and never following host symlinks (O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW): the VFS walk resolves "..", symlinks and mounts
 * itself, so a program can never name a host file outside the root.
 *
 * Lookup costs one host call (fstatat on the parent's descriptor, plus
 * readlinkat for a symlink, whose target is cached). Directories get their
 * own O_PATH descriptor lazily, when something is looked up inside them or
 * they are opened.
 *
 * Host device nodes, FIFOs and sockets are not opened: opening them gives
 * EACCES (like a nodev mount) or ENXIO (sockets, as Linux).
 */
#include <dirent.h>
#include <errno.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kernel/task.h"
#include "lib/log.h"
#include "vfs/vfs.h"

static const struct inode_ops hostfs_inode_ops;
static const struct file_ops hostfs_reg_ops;
static const struct file_ops hostfs_dir_ops;

/* The O_PATH descriptor of directory d, opened on first use. */
static int hostfs_dir_fd(struct dentry *d)
{
	struct inode *ino = atomic_load(&d->inode);
	int fd = atomic_load_explicit(&ino->hostfd, memory_order_acquire);
	if (fd >= 0)
		return fd;
	if (!d->parent)
		return -EIO; /* the root always has one */
	int pfd = hostfs_dir_fd(d->parent);
	if (pfd < 0)
		return pfd;
	pthread_mutex_lock(&ino->lock);
	fd = atomic_load(&ino->hostfd);
	if (fd < 0) {
		fd = openat(pfd, d->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		else
			atomic_store_explicit(&ino->hostfd, fd, memory_order_release);
	}
	pthread_mutex_unlock(&ino->lock);
	return fd;
}

/* Host file systems that describe the host itself (its processes, devices,
 * kernel state) are never shown inside the sandbox, wherever the host has
 * them mounted: a sandboxed program reaching the host's /proc could read the
 * sentry's own memory. */
static bool host_pseudo_fs(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return true;
	struct statfs sf;
	bool pseudo = fstatfs(fd, &sf) != 0;
	close(fd);
	switch ((unsigned long)sf.f_type) {
	case 0x9fa0:      /* proc */
	case 0x62656572:  /* sysfs */
	case 0x64626720:  /* debugfs */
	case 0x73636673:  /* securityfs */
	case 0x27e0eb:    /* cgroup */
	case 0x63677270:  /* cgroup2 */
	case 0xcafe4a11:  /* bpf */
	case 0x74726163:  /* tracefs */
	case 0x1cd1:      /* devpts */
	case 0x6165676c:  /* pstore */
	case 0xde5e81e4:  /* efivarfs */
	case 0x42494e4d:  /* binfmt_misc */
	case 0x50494446:  /* pidfs */
	case 0x19800202:  /* mqueue */
	case 0x6e736673:  /* nsfs */
		pseudo = true;
		break;
	}
	return pseudo;
}

static int hostfs_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	int dfd = hostfs_dir_fd(dir);
	if (dfd < 0)
		return dfd;
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	/* A directory on another host device is a mount point there. */
	struct inode *dino = atomic_load(&dir->inode);
	if (S_ISDIR(st.st_mode) && dino && st.st_dev != dino->st.st_dev && host_pseudo_fs(dfd, name))
		return -ENOENT;
	char *link = NULL;
	if (S_ISLNK(st.st_mode)) {
		char buf[VFS_PATH_MAX];
		ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
		if (n < 0)
			return -errno;
		buf[n] = 0;
		link = strdup(buf);
		if (!link)
			return -ENOMEM;
	}
	struct inode *ino = inode_new(dir->fs, &hostfs_inode_ops, &st);
	if (!ino) {
		free(link);
		return -ENOMEM;
	}
	ino->link = link;
	*out = ino;
	return 0;
}

/* Regular files are only ever read with pread, so every open file of an
 * inode can share one host descriptor: it is opened on the first open and
 * kept in the inode (up to a bound), which makes open+close free of host
 * calls after that. */
#define HOSTFS_CACHED_FDS_MAX 4096
static atomic_int hostfs_cached_fds;

static int hostfs_reg_fd(struct dentry *d, struct inode *ino)
{
	int fd = atomic_load_explicit(&ino->hostfd, memory_order_acquire);
	if (fd >= 0)
		return fd;
	if (!d->parent)
		return -EIO;
	int pfd = hostfs_dir_fd(d->parent);
	if (pfd < 0)
		return pfd;
	pthread_mutex_lock(&ino->lock);
	fd = atomic_load(&ino->hostfd);
	if (fd < 0) {
		/* O_NONBLOCK: should the host file have turned into a FIFO
		 * since the lookup, the sentry must not hang opening it. */
		fd = openat(pfd, d->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		else if (atomic_fetch_add(&hostfs_cached_fds, 1) < HOSTFS_CACHED_FDS_MAX)
			atomic_store_explicit(&ino->hostfd, fd, memory_order_release);
		else
			atomic_fetch_sub(&hostfs_cached_fds, 1); /* private to this file */
	}
	pthread_mutex_unlock(&ino->lock);
	return fd;
}

static int hostfs_open(struct dentry *d, struct file *f)
{
	mode_t m = f->inode->st.st_mode;
	int fd;

	if (S_ISDIR(m)) {
		int dfd = hostfs_dir_fd(d);
		if (dfd < 0)
			return dfd;
		fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		f->ops = &hostfs_dir_ops;
		f->mode |= FMODE_LSEEK;
	} else if (S_ISREG(m)) {
		fd = hostfs_reg_fd(d, f->inode);
		if (fd < 0)
			return fd;
		f->ops = &hostfs_reg_ops;
		f->mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
		f->hostfd_borrowed = atomic_load(&f->inode->hostfd) == fd;
	} else if (S_ISSOCK(m)) {
		return -ENXIO;
	} else {
		return -EACCES;
	}
	f->hostfd = fd;
	return 0;
}

static const struct inode_ops hostfs_inode_ops = {
	.lookup = hostfs_lookup,
	.open = hostfs_open,
};

/* --- regular files -------------------------------------------------- */

static ssize_t hostfs_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	ssize_t r = pread(f->hostfd, buf, n, *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	return r;
}

static int64_t hostfs_reg_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		/* Sparse files: the host knows where the holes are. */
		off_t r = lseek(f->hostfd, off, whence);
		if (r < 0)
			return -errno;
		return f->pos = r;
	}
	return generic_llseek(f, off, whence, f->inode->st.st_size);
}

static long hostfs_reg_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	if (cmd == FIONREAD) {
		/* Bytes from the position to the end of the file. */
		int64_t left = f->inode->st.st_size - f->pos;
		int v = left < 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
		return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static int hostfs_fsync(struct file *f)
{
	return 0; /* read-only: nothing of ours to write back */
}

static const struct file_ops hostfs_reg_ops = {
	.mmap_kind = MMAP_FILE,
	.read = hostfs_read,
	.llseek = hostfs_reg_llseek,
	.ioctl = hostfs_reg_ioctl,
	.fsync = hostfs_fsync,
};

/* --- directories ---------------------------------------------------- */

/* Host entries are read in batches into this buffer, then handed to the
 * caller's emit(); when it is full, the host position goes back to just
 * after the last entry taken. */
static __thread char hostfs_dirbuf[32768] __attribute__((aligned(8)));

struct host_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int hostfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	for (;;) {
		long n = getdents64(f->hostfd, hostfs_dirbuf, sizeof(hostfs_dirbuf));
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct host_dirent64 *de = (struct host_dirent64 *)(hostfs_dirbuf + off);
			if (!ctx->emit(ctx, de->d_name, strlen(de->d_name), de->d_ino, de->d_type, de->d_off)) {
				/* Give back what was not taken. */
				if (lseek(f->hostfd, f->pos, SEEK_SET) < 0)
					return -errno;
				return 0;
			}
			f->pos = de->d_off;
			off += de->d_reclen;
		}
	}
}

static int64_t hostfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_CUR && off == 0)
		return f->pos;
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	int64_t target = whence == SEEK_SET ? off : f->pos + off;
	off_t r = lseek(f->hostfd, target, SEEK_SET);
	if (r < 0)
		return -errno;
	return f->pos = r;
}

static const struct file_ops hostfs_dir_ops = {
	.iterate = hostfs_iterate,
	.llseek = hostfs_dir_llseek,
	.fsync = hostfs_fsync,
};

/* --- the file system ------------------------------------------------ */

/* The host's numbers for the file system holding the directory (or the
 * directory of the file), marked read-only as the sandbox sees it. */
static int hostfs_statfs(struct filesystem *fs, struct dentry *d, struct statfs *out)
{
	struct inode *ino = atomic_load(&d->inode);
	struct dentry *dir = S_ISDIR(ino->st.st_mode) || !d->parent ? d : d->parent;
	int fd = hostfs_dir_fd(dir);
	if (fd < 0)
		return fd;
	if (fstatfs(fd, out) < 0)
		return -errno;
	out->f_flags |= ST_RDONLY;
	return 0;
}

struct filesystem *hostfs_new(const char *root_dir, int *err)
{
	int fd = open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	struct filesystem *fs = calloc(1, sizeof(*fs));
	struct inode *root = fs ? inode_new(fs, &hostfs_inode_ops, &st) : NULL;
	if (!root || !(fs->root = dentry_new_root(fs, root))) {
		free(root);
		free(fs);
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	atomic_store(&root->hostfd, fd);
	pthread_mutex_init(&fs->ns_lock, NULL);
	fs->type = "hostfs";
	fs->statfs = hostfs_statfs;
	fs->readonly = true;
	fs->dev = st.st_dev;
	return fs;
}
