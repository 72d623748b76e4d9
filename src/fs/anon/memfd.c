/*
 * memfd_create(2): an unnamed regular file in memory. It is a tmpfs file
 * (data in the memory file, so MAP_SHARED mappings share its pages through
 * file_memobj) on an internal tmpfs that is mounted nowhere, with a
 * dentry "memfd:NAME" that no lookup finds; /proc shows it as
 * "/memfd:NAME (deleted)", as Linux does.
 *
 * Seals (fcntl(2) F_ADD_SEALS/F_GET_SEALS): F_SEAL_SEAL, F_SEAL_SHRINK,
 * F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE are enforced on write,
 * ftruncate, fallocate and new shared writable mappings. Not done: adding
 * F_SEAL_WRITE while a shared writable mapping exists succeeds (Linux:
 * EBUSY), and F_SEAL_EXEC is recorded but chmod does not check it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fs/anon/anon.h"
#include "kernel/task.h"
#include "vfs/vfs.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MEMFD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

static struct filesystem *memfd_fs;
static struct mount memfd_mnt;
static pthread_once_t memfd_once = PTHREAD_ONCE_INIT;
static struct file_ops memfd_ops;

static ssize_t memfd_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof);
static int memfd_truncate(struct file *f, int64_t len);
static int memfd_fallocate(struct file *f, struct task *t, int mode, int64_t off, int64_t len);
static int memfd_path(struct file *f, char *buf, size_t n);

static void memfd_init(void)
{
	memfd_fs = tmpfs_new(01777, 0);
	if (!memfd_fs)
		return;
	memfd_mnt.fs = memfd_fs;
	memfd_mnt.root = memfd_fs->root;
	memfd_ops = *tmpfs_reg_file_ops();
	memfd_ops.write = memfd_write;
	memfd_ops.truncate = memfd_truncate;
	memfd_ops.fallocate = memfd_fallocate;
	memfd_ops.path = memfd_path;
}

static unsigned int seals_of(struct file *f)
{
	pthread_mutex_lock(&f->inode->lock);
	unsigned int s = f->inode->seals;
	pthread_mutex_unlock(&f->inode->lock);
	return s;
}

static int64_t size_of(struct file *f)
{
	struct stat st;
	inode_stat(f->inode, &st);
	return st.st_size;
}

/* F_SEAL_WRITE/F_SEAL_FUTURE_WRITE: no writes; F_SEAL_GROW: nothing past
 * the end. The checks race with a concurrent ftruncate as Linux's
 * shmem_write_begin does not (TODO: hold the inode's data lock). */
static ssize_t memfd_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	unsigned int s = seals_of(f);
	if (s & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (s & F_SEAL_GROW) {
		int64_t at = (atomic_load(&f->flags) & O_APPEND) && !(iof & IOF_NOAPPEND) ? size_of(f) : *pos;
		int64_t size = size_of(f);
		if (at >= size)
			return n ? -EPERM : 0;
		if ((int64_t)n > size - at)
			n = (size_t)(size - at);
	}
	return tmpfs_reg_file_ops()->write(f, t, buf, n, pos, iof);
}

static int memfd_truncate(struct file *f, int64_t len)
{
	unsigned int s = seals_of(f);
	int64_t size = size_of(f);
	if ((len < size && (s & F_SEAL_SHRINK)) || (len > size && (s & F_SEAL_GROW)))
		return -EPERM;
	return vfs_truncate_inode(current_task, f->inode, len);
}

static int memfd_fallocate(struct file *f, struct task *t, int mode, int64_t off, int64_t len)
{
	unsigned int s = seals_of(f);
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (s & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && (s & F_SEAL_GROW) && off + len > size_of(f))
		return -EPERM;
	return tmpfs_reg_file_ops()->fallocate(f, t, mode, off, len);
}

static int memfd_path(struct file *f, char *buf, size_t n)
{
	pthread_rwlock_rdlock(&dentry_name_lock);
	int r = snprintf(buf, n, "/%.*s (deleted)", (int)f->path.dentry->len, f->path.dentry->name);
	pthread_rwlock_unlock(&dentry_name_lock);
	return r < (int)n ? r : -ENAMETOOLONG;
}

int memfd_new(struct task *t, const char *name, unsigned int flags, struct file **out)
{
	pthread_once(&memfd_once, memfd_init);
	if (!memfd_fs)
		return -ENOMEM;
	char full[VFS_NAME_MAX + 1];
	int len = snprintf(full, sizeof(full), "memfd:%s", name);
	if (len < 0 || len >= (int)sizeof(full))
		return -EINVAL;
	struct dentry *root = memfd_fs->root;
	struct inode *rino = atomic_load(&root->inode);
	struct inode *ino;
	/* Linux makes memfds with mode 0777, owned by the caller. */
	int err = rino->ops->tmpfile(root, S_IFREG | 0777, &t->creds, false, &ino);
	if (err)
		return err;
	/* Without MFD_ALLOW_SEALING the file comes sealed against sealing. */
	ino->seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	struct dentry *d = dentry_new_unhashed(root, full, (size_t)len, ino);
	if (!d)
		return -ENOMEM; /* TODO: the inode is not given back */
	struct path p = { &memfd_mnt, d };
	struct file *f;
	err = vfs_open_inode(p, O_RDWR, &f);
	if (err)
		return err;
	f->ops = &memfd_ops;
	*out = f;
	return 0;
}

/* memfd_fcntl / memfd_add_seals. */
long memfd_fcntl(struct file *f, int cmd, unsigned int arg)
{
	if (!f || f->ops != &memfd_ops)
		return -EINVAL;
	struct inode *ino = f->inode;
	if (cmd == F_GET_SEALS)
		return seals_of(f);
	if (cmd != F_ADD_SEALS)
		return -EINVAL;
	/* Sealing needs a writable descriptor. */
	if (!(f->mode & FMODE_WRITE))
		return -EPERM;
	if (arg & ~MEMFD_SEALS)
		return -EINVAL;
	pthread_mutex_lock(&ino->lock);
	long r = 0;
	if (ino->seals & F_SEAL_SEAL)
		r = -EPERM;
	else
		ino->seals |= arg;
	pthread_mutex_unlock(&ino->lock);
	return r;
}
