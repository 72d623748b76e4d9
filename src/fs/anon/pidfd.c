/*
 * pidfds (pidfd_open(2), clone's CLONE_PIDFD): a file that names a process
 * (or, with PIDFD_THREAD, one thread) for as long as it is open, so that
 * signals and waits cannot reach a process that reused the number.
 *
 * - poll: POLLIN once the process has exited (all its threads gone; for a
 *   thread pidfd, that thread), POLLIN|POLLHUP once it is reaped.
 * - read and write: EINVAL, as Linux (the file has no data).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fs/anon/anon.h"
#include "kernel/task.h"
#include "vfs/vfs.h"

struct pidfd {
	struct thread_group *tg;
	struct task *thread;   /* PIDFD_THREAD: this thread only */
};

static const struct file_ops pidfd_ops;

bool file_is_pidfd(struct file *f) { return f->ops == &pidfd_ops; }
struct thread_group *pidfd_tg(struct file *f) { return ((struct pidfd *)f->priv)->tg; }
struct task *pidfd_thread(struct file *f) { return ((struct pidfd *)f->priv)->thread; }

static uint32_t pidfd_poll(struct file *f)
{
	struct pidfd *p = f->priv;
	if (__atomic_load_n(&p->tg->reaped, __ATOMIC_SEQ_CST))
		return POLLIN | POLLRDNORM | POLLHUP;
	bool gone = p->thread ? __atomic_load_n(&p->thread->released, __ATOMIC_SEQ_CST)
			      : __atomic_load_n(&p->tg->zombie, __ATOMIC_SEQ_CST);
	return gone ? POLLIN | POLLRDNORM : 0;
}

static struct waitq *pidfd_waitq(struct file *f) { return &((struct pidfd *)f->priv)->tg->exit_events; }

static ssize_t pidfd_rw(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	return -EINVAL;
}

static int pidfd_path(struct file *f, char *buf, size_t n) { return anon_path_name(buf, n, "anon_inode:[pidfd]"); }

static void pidfd_release(struct file *f) { free(f->priv); }

static const struct file_ops pidfd_ops = {
	.read_app = pidfd_rw,
	.write_app = pidfd_rw,
	.poll = pidfd_poll,
	.waitq = pidfd_waitq,
	.path = pidfd_path,
	.release = pidfd_release,
};

int pidfd_new(struct thread_group *tg, struct task *thread, int flags, struct file **out)
{
	struct pidfd *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->tg = tg;
	p->thread = thread;
	*out = anon_file_new(&pidfd_ops, O_RDWR | (flags & O_NONBLOCK), FMODE_READ | FMODE_WRITE, p);
	if (!*out) {
		free(p);
		return -ENOMEM;
	}
	return 0;
}
