/*
 * Open file descriptions: reference counting, the read/write paths shared
 * by every syscall of the read/write family, and open(2)'s checks after
 * path resolution.
 *
 * Data moves between application memory and file systems through one
 * per-thread sentry buffer in 64 KiB chunks (no allocation on the hot
 * path), unless the file moves it straight to/from the application
 * (read_app/write_app: pipes, /dev/null, /dev/zero).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernel/task.h"
#include "lib/log.h"
#include "vfs/vfs.h"

#define IOBUF_SIZE 65536
static __thread char vfs_iobuf[IOBUF_SIZE] __attribute__((aligned(64)));

struct file *file_alloc(const struct file_ops *ops, struct inode *inode, int flags, unsigned int mode)
{
	struct file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	f->ops = ops;
	f->inode = inode;
	atomic_init(&f->flags, flags);
	f->mode = mode;
	pthread_mutex_init(&f->pos_lock, NULL);
	f->hostfd = -1;
	return f;
}

void file_get(struct file *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
}

void file_put(struct file *f)
{
	if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (f->epoll_links)
		eventpoll_release(f);
	if (f->flock_type)
		vfs_flock(NULL, f, LOCK_UN, true);
	if (f->inode && f->inode->reclocks)
		vfs_reclock_release(f, f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->hostfd >= 0 && !f->hostfd_borrowed)
		close(f->hostfd);
	pthread_mutex_destroy(&f->pos_lock);
	free(f);
}

/* --- flock --------------------------------------------------------- */

/* Drop what f holds; caller holds the inode lock. True if anything was. */
static bool flock_drop_locked(struct inode *ino, struct file *f)
{
	if (f->flock_type == LOCK_SH)
		ino->flock_shared--;
	else if (f->flock_type == LOCK_EX)
		ino->flock_excl = NULL;
	else
		return false;
	f->flock_type = 0;
	return true;
}

static bool flock_conflicts(struct inode *ino, struct file *f, int op)
{
	if (ino->flock_excl && ino->flock_excl != f)
		return true;
	return op == LOCK_EX && ino->flock_shared > 0;
}

/* BSD locks belong to the open file description (flock(2)); converting
 * a lock drops the old one first, as Linux does, so it is not atomic. */
int vfs_flock(struct task *t, struct file *f, int op, bool nonblock)
{
	struct inode *ino = f->inode;
	if (!ino)
		return -EINVAL;
	pthread_mutex_lock(&ino->lock);
	if (op == LOCK_UN || (op == f->flock_type)) {
		bool changed = op == LOCK_UN && flock_drop_locked(ino, f);
		pthread_mutex_unlock(&ino->lock);
		if (changed)
			waitq_notify(&ino->flock_wq, ~0u);
		return 0;
	}
	if (flock_drop_locked(ino, f))
		waitq_notify(&ino->flock_wq, ~0u);
	while (flock_conflicts(ino, f, op)) {
		if (nonblock || !t) {
			pthread_mutex_unlock(&ino->lock);
			return -EWOULDBLOCK;
		}
		struct waiter w = { 0 };
		waitq_add(&ino->flock_wq, &w, t, ~0u);
		pthread_mutex_unlock(&ino->lock);
		int r = task_block(t, NULL);
		waitq_remove(&ino->flock_wq, &w);
		if (r == -EINTR)
			return -ERESTARTSYS;
		pthread_mutex_lock(&ino->lock);
	}
	if (op == LOCK_SH)
		ino->flock_shared++;
	else
		ino->flock_excl = f;
	f->flock_type = op;
	pthread_mutex_unlock(&ino->lock);
	return 0;
}

/* --- positions ------------------------------------------------------ */

int64_t generic_llseek(struct file *f, int64_t off, int whence, int64_t size)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* The whole file is data: next data is off itself. */
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = size;
	default:
		return -EINVAL;
	}
	int64_t r;
	if (__builtin_add_overflow(base, off, &r) || r < 0)
		return -EINVAL;
	return f->pos = r;
}

int generic_stat(struct file *f, struct stat *st)
{
	if (!f->inode)
		return -EINVAL;
	inode_stat(f->inode, st);
	return 0;
}

/* --- reading and writing -------------------------------------------- */

static bool app_range_ok(uint64_t addr, size_t n)
{
	return addr <= ARCH_TASK_SIZE && n <= ARCH_TASK_SIZE - addr;
}

int vfs_check_iovec(struct iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0)
			return -EINVAL;
		if (!app_range_ok((uint64_t)iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		size_t room = (size_t)MAX_RW_COUNT - total;
		if (iov[i].iov_len > room)
			iov[i].iov_len = room;
		total += iov[i].iov_len;
	}
	return 0;
}

/* One segment: read n bytes at addr. iof applies to the first chunk; the
 * following chunks never block (IOF_NOWAIT), as a read returns what is
 * there once it has something. */
static ssize_t read_segment(struct task *t, struct file *f, uint64_t addr, size_t n,
			    int64_t *pos, int iof)
{
	if (f->ops->read_app)
		return f->ops->read_app(f, t, addr, n, pos, iof);
	size_t done = 0;
	do {
		size_t chunk = n - done < IOBUF_SIZE ? n - done : IOBUF_SIZE;
		int64_t before = pos ? *pos : 0;
		ssize_t r = f->ops->read(f, t, vfs_iobuf, chunk, pos, done ? iof | IOF_NOWAIT : iof);
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r > 0 && task_copy_out(t, addr + done, vfs_iobuf, (size_t)r)) {
			/* Nothing of this chunk reached the application: the
			 * position stays (stream data is lost, as on Linux
			 * when a copy to user space fails mid-way). */
			if (pos)
				*pos = before;
			return done ? (ssize_t)done : -EFAULT;
		}
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	} while (done < n);
	return (ssize_t)done;
}

static ssize_t write_segment(struct task *t, struct file *f, uint64_t addr, size_t n,
			     int64_t *pos, int iof)
{
	if (f->ops->write_app)
		return f->ops->write_app(f, t, addr, n, pos, iof);
	size_t done = 0;
	do {
		size_t chunk = n - done < IOBUF_SIZE ? n - done : IOBUF_SIZE;
		if (task_copy_in(t, vfs_iobuf, addr + done, chunk))
			return done ? (ssize_t)done : -EFAULT;
		ssize_t r = f->ops->write(f, t, vfs_iobuf, chunk, pos, iof);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	} while (done < n);
	return (ssize_t)done;
}

static size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	return total;
}

static ssize_t do_readv(struct task *t, struct file *f, const struct iovec *iov, int cnt,
			int64_t *pos, int iof)
{
	if (cnt == 1)
		return read_segment(t, f, (uint64_t)iov[0].iov_base, iov[0].iov_len, pos, iof);
	size_t total = iov_total(iov, cnt);
	if (total <= IOBUF_SIZE && f->ops->read) {
		/* One read, scattered: keeps stream reads whole. */
		ssize_t r = f->ops->read(f, t, vfs_iobuf, total, pos, iof);
		if (r <= 0)
			return r;
		size_t off = 0;
		for (int i = 0; i < cnt && off < (size_t)r; i++) {
			size_t len = iov[i].iov_len < (size_t)r - off ? iov[i].iov_len : (size_t)r - off;
			if (len && task_copy_out(t, (uint64_t)iov[i].iov_base, vfs_iobuf + off, len))
				return off ? (ssize_t)off : -EFAULT;
			off += len;
		}
		return r;
	}
	size_t done = 0;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		ssize_t r = read_segment(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, pos,
					 done ? iof | IOF_NOWAIT : iof);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return (ssize_t)done;
}

static ssize_t do_writev(struct task *t, struct file *f, const struct iovec *iov, int cnt,
			 int64_t *pos, int iof)
{
	if (cnt == 1)
		return write_segment(t, f, (uint64_t)iov[0].iov_base, iov[0].iov_len, pos, iof);
	size_t total = iov_total(iov, cnt);
	if (total <= IOBUF_SIZE && f->ops->write) {
		/* Gather into one write: a pipe writes it atomically when it
		 * is at most PIPE_BUF, as Linux does for writev. */
		size_t off = 0;
		for (int i = 0; i < cnt; i++) {
			if (iov[i].iov_len &&
			    task_copy_in(t, vfs_iobuf + off, (uint64_t)iov[i].iov_base, iov[i].iov_len))
				break;
			off += iov[i].iov_len;
		}
		if (off == 0 && total)
			return -EFAULT;
		return f->ops->write(f, t, vfs_iobuf, off, pos, iof);
	}
	size_t done = 0;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		ssize_t r = write_segment(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, pos, iof);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return (ssize_t)done;
}

/* The position to use: the given one (pread), none (streams), or the
 * file's, held under its lock for the whole call (Linux's f_pos_lock). */
static ssize_t with_position(struct task *t, struct file *f, const struct iovec *iov, int cnt,
			     int64_t *pos, int iof, bool write)
{
	ssize_t r;
	if (pos || (f->mode & FMODE_STREAM)) {
		return write ? do_writev(t, f, iov, cnt, pos, iof)
			     : do_readv(t, f, iov, cnt, pos, iof);
	}
	pthread_mutex_lock(&f->pos_lock);
	int64_t p = f->pos;
	r = write ? do_writev(t, f, iov, cnt, &p, iof) : do_readv(t, f, iov, cnt, &p, iof);
	f->pos = p;
	pthread_mutex_unlock(&f->pos_lock);
	return r;
}

static int check_readable(struct file *f, int64_t *pos)
{
	if (!(f->mode & FMODE_READ))
		return -EBADF;
	if (!f->ops->read && !f->ops->read_app)
		return f->inode && S_ISDIR(f->inode->st.st_mode) ? -EISDIR : -EINVAL;
	if (pos) {
		if (!(f->mode & FMODE_PREAD))
			return -ESPIPE;
		if (*pos < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_writable(struct file *f, int64_t *pos)
{
	if (!(f->mode & FMODE_WRITE))
		return -EBADF;
	if (!f->ops->write && !f->ops->write_app)
		return -EINVAL;
	if (pos) {
		if (!(f->mode & FMODE_PWRITE))
			return -ESPIPE;
		if (*pos < 0)
			return -EINVAL;
	}
	return 0;
}

int vfs_check_rw(struct file *f, int64_t *pos, bool write)
{
	return write ? check_writable(f, pos) : check_readable(f, pos);
}

char *vfs_io_buffer(void)
{
	return vfs_iobuf;
}

ssize_t vfs_readv(struct task *t, struct file *f, const struct iovec *iov, int cnt, int64_t *pos, int iof)
{
	int err = check_readable(f, pos);
	if (err)
		return err;
	return with_position(t, f, iov, cnt, pos, iof, false);
}

ssize_t vfs_writev(struct task *t, struct file *f, const struct iovec *iov, int cnt, int64_t *pos, int iof)
{
	int err = check_writable(f, pos);
	if (err)
		return err;
	return with_position(t, f, iov, cnt, pos, iof, true);
}

ssize_t vfs_read(struct task *t, struct file *f, uint64_t addr, size_t n, int64_t *pos)
{
	int err = check_readable(f, pos);
	if (err)
		return err;
	if (!app_range_ok(addr, n))
		return -EFAULT;
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	struct iovec iov = { (void *)addr, n };
	return with_position(t, f, &iov, 1, pos, 0, false);
}

ssize_t vfs_write(struct task *t, struct file *f, uint64_t addr, size_t n, int64_t *pos)
{
	int err = check_writable(f, pos);
	if (err)
		return err;
	if (!app_range_ok(addr, n))
		return -EFAULT;
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	struct iovec iov = { (void *)addr, n };
	return with_position(t, f, &iov, 1, pos, 0, true);
}

/* --- services for the rest of the sentry ----------------------------- */

ssize_t file_kread(struct file *f, void *buf, size_t n, uint64_t off)
{
	if (!(f->mode & FMODE_READ) || !f->ops->read)
		return -EINVAL;
	int64_t pos = (int64_t)off;
	if (pos < 0)
		return -EINVAL;
	size_t done = 0;
	while (done < n) {
		ssize_t r = f->ops->read(f, current_task, (char *)buf + done, n - done, &pos, 0);
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int file_mmap_check(struct file *f, int prot, int flags)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	/* do_mmap() checks the open mode before whether the file can be
	 * mapped at all. */
	if (!(f->mode & FMODE_READ))
		return -EACCES;
	if (f->ops->mmap_kind == MMAP_NONE)
		return -ENODEV;
	if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) && !(f->mode & FMODE_WRITE))
		return -EACCES;
	if ((prot & PROT_EXEC) && f->path.mnt && mnt_noexec(f->path.mnt))
		return -EPERM;
	/* memfd F_SEAL_WRITE / F_SEAL_FUTURE_WRITE: no shared writable
	 * mappings (memfd_create(2)). */
	if (f->inode && (f->inode->seals & (0x0008 | 0x0010)) && (flags & MAP_TYPE) == MAP_SHARED &&
	    (prot & PROT_WRITE))
		return -EPERM;
	return f->ops->mmap_kind == MMAP_ZERO ? 1 : 0;
}

int file_stat(struct file *f, struct stat *st)
{
	if (f->ops && f->ops->stat)
		return f->ops->stat(f, st);
	return generic_stat(f, st);
}

int file_path(struct file *f, char *buf, size_t n)
{
	if (f->ops && f->ops->path)
		return f->ops->path(f, buf, n);
	if (!f->path.mnt) {
		int r = snprintf(buf, n, "anon_inode:[unknown]");
		return r < (int)n ? r : -ENAMETOOLONG;
	}
	/* d_path(): up to the root of the file's own mount tree. */
	return vfs_path_string(f->path, (struct path){ NULL, NULL }, buf, n);
}

uint32_t file_poll(struct file *f)
{
	if (f->ops && f->ops->poll)
		return f->ops->poll(f);
	/* Regular files and devices without a poll: always ready. */
	uint32_t ev = 0;
	if (f->mode & FMODE_READ)
		ev |= POLLIN | POLLRDNORM;
	if (f->mode & FMODE_WRITE)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

struct waitq *file_waitq(struct file *f)
{
	return f->ops && f->ops->waitq ? f->ops->waitq(f) : NULL;
}

int file_host_fd(struct file *f)
{
	return f->ops && f->ops->host_fd ? f->ops->host_fd(f) : -1;
}

/* --- open ----------------------------------------------------------- */

static const struct file_ops path_file_ops = { 0 };

#define CAP_FOWNER 3
/* glibc defines O_LARGEFILE as 0 on x86-64; the kernel's bit is this. */
#define KERNEL_O_LARGEFILE 0100000

int vfs_open_resolved(const struct creds *c, struct path p, int flags, struct file **out)
{
	struct inode *inode = path_inode(p);
	mode_t m = inode->st.st_mode;

	if (flags & O_PATH) {
		/* O_PATH: no permission checks and no I/O (open(2)). */
		int fl = flags & (O_PATH | O_NOFOLLOW | O_DIRECTORY);
		struct file *f = file_alloc(&path_file_ops, inode, fl, FMODE_PATH);
		if (!f)
			return -ENOMEM;
		f->path = p;
		*out = f;
		return 0;
	}
	if (S_ISLNK(m))
		return -ELOOP;

	int acc = 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: acc = MAY_READ; break;
	case O_WRONLY: acc = MAY_WRITE; break;
	default: acc = MAY_READ | MAY_WRITE; break;
	}
	if (flags & O_TRUNC)
		acc |= MAY_WRITE;
	if (S_ISDIR(m) && (acc & MAY_WRITE))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(m))
		return -ENOTDIR;
	/* may_open(): no devices on a nodev mount; mnt_want_write(): no
	 * writing through a read-only mount. */
	unsigned int mflags = p.mnt ? atomic_load(&p.mnt->flags) : 0;
	if ((S_ISCHR(m) || S_ISBLK(m)) && (mflags & MNT_NODEV))
		return -EACCES;
	if ((acc & MAY_WRITE) && (S_ISREG(m) || S_ISDIR(m) || S_ISLNK(m)) && (mflags & MNT_READONLY))
		return -EROFS;
	int err = vfs_permission(c, inode, acc);
	if (err)
		return err;
	if ((flags & O_NOATIME) && c->fsuid != inode->st.st_uid &&
	    !creds_has_cap(c, CAP_FOWNER))
		return -EPERM;
	return vfs_open_inode(p, flags, out);
}

int vfs_open_inode(struct path p, int flags, struct file **out)
{
	struct inode *inode = path_inode(p);
	if (!inode->ops || !inode->ops->open)
		return -ENXIO;
	unsigned int mode = 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: mode = FMODE_READ; break;
	case O_WRONLY: mode = FMODE_WRITE; break;
	case O_RDWR: mode = FMODE_READ | FMODE_WRITE; break;
	default: break; /* 3: ioctl only */
	}
	/* What F_GETFL shows later: open flags but the open-time ones, plus
	 * O_LARGEFILE, which 64-bit Linux forces. */
	int fl = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | KERNEL_O_LARGEFILE;
	struct file *f = file_alloc(NULL, inode, fl, mode);
	if (!f)
		return -ENOMEM;
	f->path = p;
	int err = inode->ops->open(p.dentry, f);
	if (err) {
		f->ops = NULL;
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int vfs_open_path(struct path p, int flags, struct file **out)
{
	static const struct creds kcreds = { .cap_effective = ~0ULL };
	return vfs_open_resolved(&kcreds, p, flags, out);
}

int vfs_open_exec(struct task *t, const char *path, struct file **out)
{
	if (!path[0])
		return -ENOENT;
	if (strlen(path) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	struct path p;
	int err = vfs_lookup_at(t, NULL, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (err)
		return err;
	struct inode *inode = path_inode(p);
	/* do_open_execat(): a regular file on an exec-allowed mount, with
	 * MAY_EXEC; read permission is not needed for the binary itself. */
	if (!S_ISREG(inode->st.st_mode) || mnt_noexec(p.mnt))
		return -EACCES;
	err = vfs_permission(&t->creds, inode, MAY_EXEC);
	if (err)
		return err;
	struct file *f;
	err = vfs_open_path(p, O_RDONLY, &f);
	if (err)
		return err;
	f->mode |= FMODE_EXEC;
	*out = f;
	return 0;
}
