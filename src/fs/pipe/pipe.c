/*
 * Pipes (pipe(7)): a ring buffer in the sentry, 64 KiB by default, shared
 * by a read-end file and a write-end file.
 *
 * - Reads block until there is data (or no writer: EOF), then return what
 *   is there; O_NONBLOCK gives EAGAIN.
 * - Writes of at most PIPE_BUF bytes are atomic; larger writes may be split
 *   and block until everything is written (or return the partial count on
 *   O_NONBLOCK or a signal).
 * - Writing with no reader gives EPIPE and SIGPIPE.
 * Data is copied straight between the ring and application memory.
 * Sleeping is interruptible: -ERESTARTSYS when nothing was transferred.
 *
 * A FIFO (fifo(7)) is a pipe hung on its inode (inode->pipe, under the
 * inode's lock) while anything has it open; opening one waits for the
 * other side as Linux's fifo_open does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "kernel/signals.h"
#include "kernel/task.h"
#include "vfs/vfs.h"

#define PIPE_DEF_SIZE 65536
#define PIPE_MAX_SIZE_UNPRIV 1048576  /* /proc/sys/fs/pipe-max-size */
#define CAP_SYS_RESOURCE 24

struct pipe {
	pthread_mutex_t lock;
	char *buf;
	size_t cap, head, len;    /* data is buf[head .. head+len) modulo cap */
	int readers, writers;
	atomic_int files;         /* files referring to the pipe */
	struct waitq wq;          /* POLLIN for readers, POLLOUT for writers */
	struct inode *inode;      /* an anonymous pipe's own inode, or NULL */
	struct inode *fifo;       /* a FIFO's inode, or NULL */
	unsigned long r_counter, w_counter;   /* opens of each side (FIFOs) */
};

/* Where data comes from or goes to: the application or a sentry buffer. */
struct xfer {
	struct task *t;
	uint64_t addr;
	char *kbuf;
};

static int xfer_out(struct xfer *x, size_t off, const char *src, size_t len)
{
	if (x->kbuf) {
		memcpy(x->kbuf + off, src, len);
		return 0;
	}
	return task_copy_out(x->t, x->addr + off, src, len);
}

static int xfer_in(struct xfer *x, size_t off, char *dst, size_t len)
{
	if (x->kbuf) {
		memcpy(dst, x->kbuf + off, len);
		return 0;
	}
	return task_copy_in(x->t, dst, x->addr + off, len);
}

static atomic_ulong pipe_ino = 1000;
static const struct file_ops pipe_read_ops, pipe_write_ops, pipe_rdwr_ops;
static const struct file_ops fifo_read_ops, fifo_write_ops, fifo_rdwr_ops;

/* Wait for the pipe to change; called and returns with p->lock held.
 * 0, or -ERESTARTSYS when interrupted. */
static int pipe_wait(struct pipe *p, struct task *t, uint32_t events)
{
	struct waiter w = { 0 };
	waitq_add(&p->wq, &w, t, events);
	pthread_mutex_unlock(&p->lock);
	int r = task_block(t, NULL);
	waitq_remove(&p->wq, &w);
	pthread_mutex_lock(&p->lock);
	return r == -EINTR ? -ERESTARTSYS : 0;
}

static bool nonblocking(struct file *f, int iof)
{
	return (atomic_load(&f->flags) & O_NONBLOCK) || (iof & IOF_NOWAIT);
}

static ssize_t pipe_do_read(struct file *f, struct xfer *x, size_t n, int iof)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	while (p->len == 0) {
		if (p->writers == 0) {
			pthread_mutex_unlock(&p->lock);
			return 0;
		}
		if (nonblocking(f, iof)) {
			pthread_mutex_unlock(&p->lock);
			return -EAGAIN;
		}
		int err = pipe_wait(p, x->t, POLLIN);
		if (err) {
			pthread_mutex_unlock(&p->lock);
			return err;
		}
	}
	size_t want = n < p->len ? n : p->len;
	size_t done = 0;
	int fault = 0;
	while (done < want) {
		size_t seg = p->cap - p->head;
		if (seg > want - done)
			seg = want - done;
		if (xfer_out(x, done, p->buf + p->head, seg)) {
			fault = -EFAULT;
			break;
		}
		p->head = (p->head + seg) % p->cap;
		p->len -= seg;
		done += seg;
	}
	if (p->len == 0)
		p->head = 0;
	pthread_mutex_unlock(&p->lock);
	if (done)
		waitq_notify(&p->wq, POLLOUT | POLLWRNORM);
	return done ? (ssize_t)done : fault;
}

/* Append up to n bytes; caller holds the lock and made sure of the room. */
static int pipe_append(struct pipe *p, struct xfer *x, size_t off, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t tail = (p->head + p->len) % p->cap;
		size_t seg = p->cap - tail;
		if (seg > n - done)
			seg = n - done;
		if (xfer_in(x, off + done, p->buf + tail, seg))
			return done ? (int)done : -EFAULT;
		p->len += seg;
		done += seg;
	}
	return (int)done;
}

static ssize_t pipe_do_write(struct file *f, struct xfer *x, size_t n, int iof)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	if (n == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->readers == 0) {
			pthread_mutex_unlock(&p->lock);
			if (done)
				return (ssize_t)done;
			if (!(iof & IOF_NOSIGNAL))
				task_send_signal_self(x->t, SIGPIPE);
			return -EPIPE;
		}
		size_t room = p->cap - p->len;
		size_t left = n - done;
		/* At most PIPE_BUF bytes go in one piece or not at all. */
		bool atomic = n <= PIPE_BUF;
		if (room && (!atomic || room >= left)) {
			size_t chunk = left < room ? left : room;
			int r = pipe_append(p, x, done, chunk);
			if (r < 0) {
				pthread_mutex_unlock(&p->lock);
				if (done)
					waitq_notify(&p->wq, POLLIN | POLLRDNORM);
				return done ? (ssize_t)done : r;
			}
			done += (size_t)r;
			if ((size_t)r < chunk || done == n)
				break;
			/* Let readers start while we wait for more room. */
			pthread_mutex_unlock(&p->lock);
			waitq_notify(&p->wq, POLLIN | POLLRDNORM);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		if (nonblocking(f, iof)) {
			pthread_mutex_unlock(&p->lock);
			return done ? (ssize_t)done : -EAGAIN;
		}
		int err = pipe_wait(p, x->t, POLLOUT);
		if (err) {
			pthread_mutex_unlock(&p->lock);
			return done ? (ssize_t)done : err;
		}
	}
	pthread_mutex_unlock(&p->lock);
	waitq_notify(&p->wq, POLLIN | POLLRDNORM);
	return (ssize_t)done;
}

static ssize_t pipe_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	struct xfer x = { .t = t, .kbuf = buf };
	return pipe_do_read(f, &x, n, iof);
}

static ssize_t pipe_read_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	struct xfer x = { .t = t, .addr = addr };
	return pipe_do_read(f, &x, n, iof);
}

static ssize_t pipe_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	struct xfer x = { .t = t, .kbuf = (char *)buf };
	return pipe_do_write(f, &x, n, iof);
}

static ssize_t pipe_write_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	struct xfer x = { .t = t, .addr = addr };
	return pipe_do_write(f, &x, n, iof);
}

static uint32_t pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	uint32_t ev = 0;
	pthread_mutex_lock(&p->lock);
	if (f->mode & FMODE_READ) {
		if (p->len)
			ev |= POLLIN | POLLRDNORM;
		if (!p->writers)
			ev |= POLLHUP;
	}
	if (f->mode & FMODE_WRITE) {
		if (p->cap - p->len >= PIPE_BUF)
			ev |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			ev |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return ev;
}

static struct waitq *pipe_waitq(struct file *f)
{
	return &((struct pipe *)f->priv)->wq;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (cmd == FIONREAD) {
		pthread_mutex_lock(&p->lock);
		int v = (int)p->len;
		pthread_mutex_unlock(&p->lock);
		return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

/* F_GETPIPE_SZ (newsize < 0) and F_SETPIPE_SZ (fcntl(2)). */
static long pipe_size(struct file *f, struct task *t, long newsize)
{
	struct pipe *p = f->priv;
	if (newsize < 0) {
		pthread_mutex_lock(&p->lock);
		long c = (long)p->cap;
		pthread_mutex_unlock(&p->lock);
		return c;
	}
	/* Rounded up to a power of two pages, at least one page. */
	if ((unsigned long)newsize > (1UL << 31))
		return -EINVAL;
	size_t size = 4096;
	while (size < (size_t)newsize)
		size <<= 1;
	if (size > PIPE_MAX_SIZE_UNPRIV && !creds_has_cap(&t->creds, CAP_SYS_RESOURCE))
		return -EPERM;
	char *nb = malloc(size);
	if (!nb)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	if (p->len > size) {
		pthread_mutex_unlock(&p->lock);
		free(nb);
		return -EBUSY;
	}
	for (size_t i = 0; i < p->len; i++)
		nb[i] = p->buf[(p->head + i) % p->cap];
	free(p->buf);
	p->buf = nb;
	p->head = 0;
	p->cap = size;
	pthread_mutex_unlock(&p->lock);
	waitq_notify(&p->wq, POLLOUT | POLLWRNORM);
	return (long)size;
}

static int pipe_path(struct file *f, char *buf, size_t n)
{
	int r = snprintf(buf, n, "pipe:[%lu]", (unsigned long)f->inode->st.st_ino);
	return r < (int)n ? r : -ENAMETOOLONG;
}

static void pipe_free(struct pipe *p)
{
	free(p->buf);
	free(p->inode);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Drop a file's reference; a FIFO's last one unhooks it from its inode
 * under the inode's lock, where opens take theirs. */
static void pipe_put(struct pipe *p)
{
	struct inode *fifo = p->fifo;
	if (fifo)
		pthread_mutex_lock(&fifo->lock);
	bool last = atomic_fetch_sub(&p->files, 1) == 1;
	if (last && fifo)
		fifo->pipe = NULL;
	if (fifo)
		pthread_mutex_unlock(&fifo->lock);
	if (last)
		pipe_free(p);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	pthread_mutex_lock(&p->lock);
	if (f->mode & FMODE_READ)
		p->readers--;
	if (f->mode & FMODE_WRITE)
		p->writers--;
	pthread_mutex_unlock(&p->lock);
	/* Readers see EOF, writers EPIPE. */
	waitq_notify(&p->wq, POLLIN | POLLOUT | POLLHUP | POLLERR);
	pipe_put(p);
}

#define PIPE_COMMON_OPS \
	.poll = pipe_poll, .waitq = pipe_waitq, .ioctl = pipe_ioctl, .pipe_size = pipe_size, \
	.release = pipe_release
#define PIPE_READ_OPS .read = pipe_read, .read_app = pipe_read_app
#define PIPE_WRITE_OPS .write = pipe_write, .write_app = pipe_write_app

/* Anonymous pipes name themselves "pipe:[N]"; FIFOs go by their path. */
static const struct file_ops pipe_read_ops = { PIPE_READ_OPS, PIPE_COMMON_OPS, .path = pipe_path };
static const struct file_ops pipe_write_ops = { PIPE_WRITE_OPS, PIPE_COMMON_OPS, .path = pipe_path };
/* O_RDWR opens of a pipe through /proc (pipe_reopen). */
static const struct file_ops pipe_rdwr_ops = { PIPE_READ_OPS, PIPE_WRITE_OPS, PIPE_COMMON_OPS,
					       .path = pipe_path };
static const struct file_ops fifo_read_ops = { PIPE_READ_OPS, PIPE_COMMON_OPS };
static const struct file_ops fifo_write_ops = { PIPE_WRITE_OPS, PIPE_COMMON_OPS };
static const struct file_ops fifo_rdwr_ops = { PIPE_READ_OPS, PIPE_WRITE_OPS, PIPE_COMMON_OPS };

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->buf = malloc(PIPE_DEF_SIZE);
	if (!p->buf) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	waitq_init(&p->wq);
	p->cap = PIPE_DEF_SIZE;
	return p;
}

int pipe_create(struct task *t, int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	struct stat st = { 0 };
	st.st_mode = S_IFIFO | 0600;
	st.st_nlink = 1;
	st.st_ino = atomic_fetch_add(&pipe_ino, 1);
	st.st_dev = makedev(0, 14);  /* pipefs */
	st.st_blksize = 4096;
	st.st_uid = t ? t->creds.euid : 0;
	st.st_gid = t ? t->creds.egid : 0;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	p->inode = inode_new(NULL, NULL, &st);
	if (!p->inode) {
		pipe_free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	atomic_init(&p->files, 2);

	int fl = flags & O_NONBLOCK;
	struct file *r = file_alloc(&pipe_read_ops, p->inode, O_RDONLY | fl, FMODE_READ | FMODE_STREAM);
	struct file *w = file_alloc(&pipe_write_ops, p->inode, O_WRONLY | fl, FMODE_WRITE | FMODE_STREAM);
	if (!r || !w) {
		/* Neither file was handed out: drop them without release. */
		if (r)
			r->ops = NULL, file_put(r);
		if (w)
			w->ops = NULL, file_put(w);
		pipe_free(p);
		return -ENOMEM;
	}
	r->priv = w->priv = p;
	*rd = r;
	*wr = w;
	return 0;
}

/* Sleep until *counter moves (the other side opened), with p->lock held:
 * 0 or -ERESTARTSYS. */
static int wait_for_partner(struct pipe *p, struct task *t, unsigned long *counter)
{
	unsigned long seen = *counter;
	while (*counter == seen) {
		int err = pipe_wait(p, t, POLLIN | POLLOUT);
		if (err)
			return err;
	}
	return 0;
}

/* Take one side of p as Linux's fifo_open does: a reader waits for a
 * writer unless O_NONBLOCK; a writer waits for a reader, or gets ENXIO
 * with O_NONBLOCK; O_RDWR never waits. */
static int fifo_take_sides(struct pipe *p, struct task *t, bool rd, bool wr, bool nonblock)
{
	int err = 0;
	pthread_mutex_lock(&p->lock);
	if (rd && wr) {
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
	} else if (rd) {
		p->readers++;
		p->r_counter++;
		waitq_notify(&p->wq, POLLIN | POLLOUT);
		if (!p->writers && !nonblock && (err = wait_for_partner(p, t, &p->w_counter)))
			p->readers--;
	} else if (nonblock && !p->readers) {
		err = -ENXIO;
	} else {
		p->writers++;
		p->w_counter++;
		waitq_notify(&p->wq, POLLIN | POLLOUT);
		if (!p->readers && (err = wait_for_partner(p, t, &p->r_counter)))
			p->writers--;
	}
	pthread_mutex_unlock(&p->lock);
	waitq_notify(&p->wq, POLLIN | POLLOUT);
	return err;
}

int pipe_fifo_open(struct task *t, struct file *f)
{
	struct inode *ino = f->inode;
	bool rd = f->mode & FMODE_READ, wr = f->mode & FMODE_WRITE;
	if (!rd && !wr)
		return -EINVAL;
	pthread_mutex_lock(&ino->lock);
	struct pipe *p = ino->pipe;
	if (!p && (p = pipe_alloc())) {
		p->fifo = ino;
		ino->pipe = p;
	}
	if (p)
		atomic_fetch_add(&p->files, 1);
	pthread_mutex_unlock(&ino->lock);
	if (!p)
		return -ENOMEM;
	int err = fifo_take_sides(p, t, rd, wr, atomic_load(&f->flags) & O_NONBLOCK);
	if (err) {
		pipe_put(p);
		return err;
	}
	f->ops = rd && wr ? &fifo_rdwr_ops : rd ? &fifo_read_ops : &fifo_write_ops;
	f->priv = p;
	f->mode |= FMODE_STREAM;
	f->mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	return 0;
}

int pipe_reopen(struct file *src, struct file *f)
{
	if (src->ops != &pipe_read_ops && src->ops != &pipe_write_ops && src->ops != &pipe_rdwr_ops)
		return -ENXIO; /* sockets, anon inodes: no_open() */
	struct pipe *p = src->priv;
	bool rd = f->mode & FMODE_READ, wr = f->mode & FMODE_WRITE;
	if (!rd && !wr)
		return -ENXIO;
	pthread_mutex_lock(&p->lock);
	/* fifo_open() waits for a peer when there is none (or ENXIO for a
	 * non-blocking writer); this gives ENXIO without waiting. */
	if ((wr && !rd && p->readers == 0) || (rd && !wr && p->writers == 0 && p->readers == 0)) {
		pthread_mutex_unlock(&p->lock);
		return -ENXIO;
	}
	if (rd)
		p->readers++;
	if (wr)
		p->writers++;
	atomic_fetch_add(&p->files, 1);
	pthread_mutex_unlock(&p->lock);
	f->ops = rd ? &pipe_read_ops : &pipe_write_ops;
	if (rd && wr)
		f->ops = &pipe_rdwr_ops;
	f->priv = p;
	f->inode = p->inode;  /* lives while any file of the pipe does */
	f->mode |= FMODE_STREAM;
	f->mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	return 0;
}
