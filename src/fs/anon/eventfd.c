/*
 * eventfd(2): a 64-bit counter.
 *
 * - read (at least 8 bytes) returns the counter and resets it to 0, or with
 *   EFD_SEMAPHORE returns 1 and decrements it; it blocks while the counter
 *   is 0 (EAGAIN with O_NONBLOCK).
 * - write (at least 8 bytes) adds a value; 0xffffffffffffffff is EINVAL and
 *   a write that would take the counter past 0xfffffffffffffffe blocks
 *   (EAGAIN with O_NONBLOCK).
 * - poll: POLLIN when the counter is not 0, POLLOUT while at least 1 can be
 *   added.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "fs/anon/anon.h"
#include "kernel/task.h"
#include "vfs/vfs.h"

#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd {
	pthread_mutex_t lock;
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

static bool nonblocking(struct file *f, int iof)
{
	return (atomic_load(&f->flags) & O_NONBLOCK) || (iof & IOF_NOWAIT);
}

/* Sleep until the counter changes; called and returns with e->lock held.
 * 0, or -ERESTARTSYS when a signal interrupts. */
static int eventfd_wait(struct eventfd *e, struct task *t, uint32_t events)
{
	struct waiter w = { 0 };
	waitq_add(&e->wq, &w, t, events);
	pthread_mutex_unlock(&e->lock);
	int r = task_block(t, NULL);
	waitq_remove(&e->wq, &w);
	pthread_mutex_lock(&e->lock);
	return r == -EINTR ? -ERESTARTSYS : 0;
}

/* Data goes to/from the application at addr, or a sentry buffer kbuf. */
static int put_value(struct task *t, void *kbuf, uint64_t addr, uint64_t v)
{
	if (kbuf) {
		memcpy(kbuf, &v, sizeof(v));
		return 0;
	}
	return task_copy_out(t, addr, &v, sizeof(v));
}

static int get_value(struct task *t, const void *kbuf, uint64_t addr, uint64_t *v)
{
	if (kbuf) {
		memcpy(v, kbuf, sizeof(*v));
		return 0;
	}
	return task_copy_in(t, v, addr, sizeof(*v));
}

static ssize_t eventfd_do_read(struct file *f, struct task *t, void *kbuf, uint64_t addr, size_t n, int iof)
{
	struct eventfd *e = f->priv;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	while (e->count == 0) {
		if (nonblocking(f, iof)) {
			pthread_mutex_unlock(&e->lock);
			return -EAGAIN;
		}
		int err = eventfd_wait(e, t, POLLIN);
		if (err) {
			pthread_mutex_unlock(&e->lock);
			return err;
		}
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	pthread_mutex_unlock(&e->lock);
	waitq_notify(&e->wq, POLLOUT | POLLWRNORM);
	/* Linux consumes the value before copying it out: a bad buffer
	 * loses it. */
	if (put_value(t, kbuf, addr, v))
		return -EFAULT;
	return sizeof(v);
}

static ssize_t eventfd_do_write(struct file *f, struct task *t, const void *kbuf, uint64_t addr, size_t n, int iof)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (n < sizeof(v))
		return -EINVAL;
	if (get_value(t, kbuf, addr, &v))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	while (EVENTFD_MAX - e->count < v) {
		if (nonblocking(f, iof)) {
			pthread_mutex_unlock(&e->lock);
			return -EAGAIN;
		}
		int err = eventfd_wait(e, t, POLLOUT);
		if (err) {
			pthread_mutex_unlock(&e->lock);
			return err;
		}
	}
	e->count += v;
	pthread_mutex_unlock(&e->lock);
	if (v)
		waitq_notify(&e->wq, POLLIN | POLLRDNORM);
	return sizeof(v);
}

static ssize_t efd_read_kbuf(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	return eventfd_do_read(f, t, buf, 0, n, iof);
}

static ssize_t efd_write_kbuf(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	return eventfd_do_write(f, t, buf, 0, n, iof);
}

static ssize_t efd_read_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	return eventfd_do_read(f, t, NULL, addr, n, iof);
}

static ssize_t efd_write_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	return eventfd_do_write(f, t, NULL, addr, n, iof);
}

static uint32_t eventfd_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	pthread_mutex_lock(&e->lock);
	uint64_t c = e->count;
	pthread_mutex_unlock(&e->lock);
	uint32_t ev = 0;
	if (c > 0)
		ev |= POLLIN | POLLRDNORM;
	if (c == UINT64_MAX)
		ev |= POLLERR;
	if (c < EVENTFD_MAX)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

static struct waitq *eventfd_waitq(struct file *f)
{
	return &((struct eventfd *)f->priv)->wq;
}

static int eventfd_path(struct file *f, char *buf, size_t n) { return anon_path_name(buf, n, "anon_inode:[eventfd]"); }

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read_kbuf,
	.write = efd_write_kbuf,
	.read_app = efd_read_app,
	.write_app = efd_write_app,
	.llseek = anon_noop_llseek,
	.poll = eventfd_poll,
	.waitq = eventfd_waitq,
	.path = eventfd_path,
	.release = eventfd_release,
};

int eventfd_new(unsigned int initval, int flags, struct file **out)
{
	struct eventfd *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	waitq_init(&e->wq);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	struct file *f = anon_file_new(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK), FMODE_READ | FMODE_WRITE | FMODE_STREAM, e);
	if (!f) {
		eventfd_release(&(struct file){ .priv = e });
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
