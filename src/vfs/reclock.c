/*
 * fcntl(2) record locks. Each inode keeps a list of locked byte ranges with
 * their owner: for classic POSIX locks the FD table of the process (Linux's
 * files_struct: they go when the process closes any descriptor of the file,
 * or exits), for open-file-description locks (F_OFD_*) the file itself.
 * Two locks conflict when their ranges overlap, their owners differ and one
 * of them is a write lock. Waiters sleep on the inode's lock wait queue.
 *
 * Not done: deadlock detection (EDEADLK) and mandatory locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kernel/task.h"
#include "kernel/waitq.h"
#include "vfs/vfs.h"

struct reclock {
	struct reclock *next;
	const void *owner;
	int pid;                 /* reported by F_GETLK (-1 for OFD locks) */
	short type;              /* F_RDLCK or F_WRLCK */
	int64_t start, end;      /* inclusive; end INT64_MAX: to end of file */
};

#define LOCK_EOF INT64_MAX

/* The range of fl as [start, end] (Linux's flock_to_posix_lock). */
static int flock_range(struct file *f, const struct flock *fl, int64_t *start, int64_t *end)
{
	int64_t base;
	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END: {
		struct stat st;
		int err = file_stat(f, &st);
		if (err)
			return err;
		base = st.st_size;
		break;
	}
	default:
		return -EINVAL;
	}
	int64_t s;
	if (__builtin_add_overflow(base, (int64_t)fl->l_start, &s))
		return -EOVERFLOW;
	if (s < 0)
		return -EINVAL;
	int64_t len = fl->l_len;
	if (len > 0) {
		int64_t e;
		if (__builtin_add_overflow(s, len - 1, &e))
			return -EOVERFLOW;
		*start = s;
		*end = e;
	} else if (len < 0) {
		if (s + len < 0)
			return -EINVAL;
		*start = s + len;
		*end = s - 1;
	} else {
		*start = s;
		*end = LOCK_EOF;
	}
	return 0;
}

/* F_GETLK reports the holder as the caller's namespace numbers it (0 when
 * it cannot see it). */
static int vnr_of_root_pid(struct task *t, int root_pid)
{
	pthread_mutex_lock(&t->kernel->lock);
	int nr = task_vnr_of_root_locked(t, root_pid);
	pthread_mutex_unlock(&t->kernel->lock);
	return nr;
}

static bool overlaps(const struct reclock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

static struct reclock *conflict_locked(struct inode *ino, const void *owner, short type, int64_t start,
				       int64_t end)
{
	for (struct reclock *l = ino->reclocks; l; l = l->next)
		if (l->owner != owner && overlaps(l, start, end) && (type == F_WRLCK || l->type == F_WRLCK))
			return l;
	return NULL;
}

/* Remove owner's locks in [start, end], splitting those that straddle it.
 * Returns -ENOMEM if a split cannot be allocated (nothing changed then). */
static int unlock_range_locked(struct inode *ino, const void *owner, int64_t start, int64_t end)
{
	for (struct reclock **p = &ino->reclocks; *p;) {
		struct reclock *l = *p;
		if (l->owner != owner || !overlaps(l, start, end)) {
			p = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) {
			struct reclock *tail = malloc(sizeof *tail);
			if (!tail)
				return -ENOMEM;
			*tail = *l;
			tail->start = end + 1;
			l->end = start - 1;
			tail->next = l->next;
			l->next = tail;
			return 0;
		}
		if (l->start < start) {
			l->end = start - 1;
			p = &l->next;
		} else if (l->end > end) {
			l->start = end + 1;
			p = &l->next;
		} else {
			*p = l->next;
			free(l);
		}
	}
	return 0;
}

long vfs_reclock(struct task *t, struct file *f, int cmd, struct flock *fl)
{
	struct inode *ino = f->inode;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (!ino || (f->mode & FMODE_PATH))
		return -EBADF;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	int64_t start, end;
	int err = flock_range(f, fl, &start, &end);
	if (err)
		return err;
	const void *owner = ofd ? (const void *)f : (const void *)t->fdt;
	if (get) {
		if (fl->l_type == F_UNLCK)
			return -EINVAL;
		pthread_mutex_lock(&ino->lock);
		struct reclock *c = conflict_locked(ino, owner, fl->l_type, start, end);
		if (c) {
			fl->l_type = c->type;
			fl->l_whence = SEEK_SET;
			fl->l_start = c->start;
			fl->l_len = c->end == LOCK_EOF ? 0 : c->end - c->start + 1;
			fl->l_pid = c->pid;
		} else {
			fl->l_type = F_UNLCK;
		}
		pthread_mutex_unlock(&ino->lock);
		if (fl->l_pid > 0)
			fl->l_pid = vnr_of_root_pid(t, fl->l_pid);
		return 0;
	}
	/* A read lock needs the file open for reading, a write lock for writing. */
	if ((fl->l_type == F_RDLCK && !(f->mode & FMODE_READ)) ||
	    (fl->l_type == F_WRLCK && !(f->mode & FMODE_WRITE)))
		return -EBADF;
	struct waiter w = { 0 };
	bool queued = false;
	long ret;
	for (;;) {
		pthread_mutex_lock(&ino->lock);
		if (fl->l_type == F_UNLCK) {
			ret = unlock_range_locked(ino, owner, start, end);
			pthread_mutex_unlock(&ino->lock);
			waitq_notify(&ino->flock_wq, ~0u);
			break;
		}
		if (!conflict_locked(ino, owner, fl->l_type, start, end)) {
			struct reclock *nl = malloc(sizeof *nl);
			ret = nl ? unlock_range_locked(ino, owner, start, end) : -ENOLCK;
			if (ret) {
				free(nl);
				pthread_mutex_unlock(&ino->lock);
				break;
			}
			nl->owner = owner;
			nl->pid = ofd ? -1 : t->tg->pid;
			nl->type = fl->l_type;
			nl->start = start;
			nl->end = end;
			nl->next = ino->reclocks;
			ino->reclocks = nl;
			pthread_mutex_unlock(&ino->lock);
			/* A write lock turned into a read lock frees others. */
			waitq_notify(&ino->flock_wq, ~0u);
			ret = 0;
			break;
		}
		pthread_mutex_unlock(&ino->lock);
		if (!wait) {
			ret = -EAGAIN;
			break;
		}
		if (!queued) {
			waitq_add(&ino->flock_wq, &w, t, ~0u);
			queued = true;
			continue;   /* check again now that wakeups reach us */
		}
		if (task_block(t, NULL) == -EINTR) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	if (queued)
		waitq_remove(&ino->flock_wq, &w);
	return ret;
}

void vfs_reclock_release(struct file *f, const void *owner)
{
	struct inode *ino = f->inode;
	if (!ino || !ino->reclocks)
		return;
	pthread_mutex_lock(&ino->lock);
	unlock_range_locked(ino, owner, 0, LOCK_EOF);
	pthread_mutex_unlock(&ino->lock);
	waitq_notify(&ino->flock_wq, ~0u);
}
