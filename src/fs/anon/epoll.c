/*
 * epoll(7): an interest list of (fd, file) items and a ready list.
 *
 * - Every item whose file has a wait queue registers a waiter on it with a
 *   callback: a notification that matches the item's events puts the item on
 *   the ready list and wakes the epoll's own queue (epoll_wait sleepers,
 *   poll of the epoll itself, outer epolls watching it).
 * - epoll_wait takes items off the ready list, polls each one for its
 *   current events and reports those that are ready. Level-triggered items
 *   that are still ready go back on the list (Linux's ep_send_events);
 *   edge-triggered ones wait for the next notification; EPOLLONESHOT items
 *   are disabled until EPOLL_CTL_MOD re-arms them.
 * - Files without a wait queue (imported host descriptors) are polled on
 *   every scan, and epoll_wait sleeps in short slices while there are any.
 *   Edge-triggered mode on them reports newly set event bits only.
 * - Items do not hold a reference on their file: as in Linux, an item lives
 *   until EPOLL_CTL_DEL or until the last reference to the file is gone
 *   (eventpoll_release, called by file_put), not until the fd is closed.
 *
 * Locking: one recursive mutex (epoll_lock) guards every interest list,
 * the items' links from their files, and the item fields except those the
 * callbacks touch. The callbacks run under the watched queue's lock, so
 * they take only the epoll's ready_lock (innermost) and then notify the
 * epoll's queue. Scanning polls files under epoll_lock, never under a
 * ready_lock. The lock is recursive because polling a nested epoll scans
 * it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "fs/anon/anon.h"
#include "kernel/task.h"
#include "kernel/waitq.h"
#include "vfs/vfs.h"

/* Linux's limit on nested epolls (EP_MAX_NESTS). */
#define EP_MAX_NESTS 4
#define HOST_SLICE_NS (5 * 1000 * 1000)
/* Bits that are not events (ep_modify/ep_insert keep them in the item). */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

struct epoll;

struct epitem {
	struct epoll *ep;
	int fd;
	struct file *file;
	uint32_t events;             /* requested events | EPOLLERR | EPOLLHUP | private bits */
	uint64_t data;
	struct waitq *wq;            /* NULL: polled on every scan */
	struct waiter w;
	uint32_t last_host_events;   /* host-polled items in ET mode */
	struct epitem *next, *prev;  /* the epoll's interest list */
	struct epitem *file_next;    /* items watching the same file */
	/* Under ep->ready_lock: */
	bool ready;
	struct epitem *rnext, *rprev;
};

struct epoll {
	struct file *file;
	struct epitem items;         /* interest list sentinel */
	int nitems, npolled;         /* npolled: items without a wait queue */
	pthread_mutex_t ready_lock;
	struct epitem rlist;         /* ready list sentinel (rnext/rprev) */
	struct waitq wq;
};

static pthread_mutex_t epoll_lock;
static pthread_once_t epoll_once = PTHREAD_ONCE_INIT;

static void epoll_lock_init(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&epoll_lock, &a);
	pthread_mutexattr_destroy(&a);
}

static void ep_lock(void)
{
	pthread_once(&epoll_once, epoll_lock_init);
	pthread_mutex_lock(&epoll_lock);
}

static void ep_unlock(void)
{
	pthread_mutex_unlock(&epoll_lock);
}

static const struct file_ops epoll_ops;

bool file_is_epoll(struct file *f)
{
	return f && f->ops == &epoll_ops;
}

/* --- the ready list (ep->ready_lock) ------------------------------------ */

static void rlist_add_locked(struct epoll *ep, struct epitem *it)
{
	if (it->ready)
		return;
	it->ready = true;
	it->rnext = &ep->rlist;
	it->rprev = ep->rlist.rprev;
	ep->rlist.rprev->rnext = it;
	ep->rlist.rprev = it;
}

static void rlist_del_locked(struct epitem *it)
{
	if (!it->ready)
		return;
	it->rprev->rnext = it->rnext;
	it->rnext->rprev = it->rprev;
	it->rnext = it->rprev = NULL;
	it->ready = false;
}

static void ep_mark_ready(struct epoll *ep, struct epitem *it)
{
	pthread_mutex_lock(&ep->ready_lock);
	rlist_add_locked(ep, it);
	pthread_mutex_unlock(&ep->ready_lock);
	waitq_notify(&ep->wq, POLLIN | POLLRDNORM);
}

/* A watched file changed (called under its queue's lock). A disabled
 * EPOLLONESHOT item has no events left and is not woken. */
static void ep_callback(struct waiter *w, uint32_t events)
{
	struct epitem *it = w->data;
	if (!(it->events & ~EP_PRIVATE_BITS & events))
		return;
	ep_mark_ready(it->ep, it);
}

/* --- items -------------------------------------------------------------- */

static struct epitem *ep_find(struct epoll *ep, int fd, struct file *f)
{
	for (struct epitem *it = ep->items.next; it != &ep->items; it = it->next)
		if (it->fd == fd && it->file == f)
			return it;
	return NULL;
}

static uint32_t item_poll(struct epitem *it)
{
	return file_poll(it->file) & (it->events & ~EP_PRIVATE_BITS);
}

/* Unhook an item from its file's queue and lists and free it
 * (epoll_lock held). */
static void ep_remove(struct epitem *it)
{
	struct epoll *ep = it->ep;
	if (it->wq)
		waitq_remove(it->wq, &it->w); /* no callback runs after this */
	else
		ep->npolled--;
	pthread_mutex_lock(&ep->ready_lock);
	rlist_del_locked(it);
	pthread_mutex_unlock(&ep->ready_lock);
	it->prev->next = it->next;
	it->next->prev = it->prev;
	ep->nitems--;
	struct epitem **pp = (struct epitem **)&it->file->epoll_links;
	while (*pp && *pp != it)
		pp = &(*pp)->file_next;
	if (*pp)
		*pp = it->file_next;
	free(it);
}

void eventpoll_release(struct file *f)
{
	ep_lock();
	while (f->epoll_links)
		ep_remove(f->epoll_links);
	ep_unlock();
}

/* Whether target (an epoll) reaches ep through its items, or nests too
 * deep (Linux's ep_loop_check: ELOOP either way). */
static bool ep_loops(struct epoll *target, struct epoll *ep, int depth)
{
	if (target == ep || depth > EP_MAX_NESTS)
		return true;
	for (struct epitem *it = target->items.next; it != &target->items; it = it->next)
		if (file_is_epoll(it->file) && ep_loops(it->file->priv, ep, depth + 1))
			return true;
	return false;
}

static int ep_insert(struct epoll *ep, int fd, struct file *f, const struct kepoll_event *ev)
{
	struct epitem *it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->fd = fd;
	it->file = f;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	it->w.callback = ep_callback;
	it->w.data = it;
	it->next = &ep->items;
	it->prev = ep->items.prev;
	ep->items.prev->next = it;
	ep->items.prev = it;
	ep->nitems++;
	it->file_next = f->epoll_links;
	f->epoll_links = it;
	it->wq = file_host_fd(f) >= 0 ? NULL : file_waitq(f);
	if (it->wq)
		waitq_add(it->wq, &it->w, NULL, it->events & ~EP_PRIVATE_BITS);
	else
		ep->npolled++;
	/* Already ready: report it without waiting for a change. */
	if (it->wq && item_poll(it))
		ep_mark_ready(ep, it);
	return 0;
}

static void ep_modify(struct epoll *ep, struct epitem *it, const struct kepoll_event *ev)
{
	uint32_t events = ev->events | EPOLLERR | EPOLLHUP;
	if (it->wq) {
		/* The waiter's mask changes under the queue's lock. */
		waitq_remove(it->wq, &it->w);
		it->events = events;
		it->data = ev->data;
		waitq_add(it->wq, &it->w, NULL, events & ~EP_PRIVATE_BITS);
		if (item_poll(it))
			ep_mark_ready(ep, it);
	} else {
		it->events = events;
		it->data = ev->data;
		it->last_host_events = 0;
	}
}

/* do_epoll_ctl() after the fd lookups (EBADF is the caller's). */
int epoll_ctl_file(struct file *epf, int op, int fd, struct file *target, const struct kepoll_event *ev)
{
	/* Files that cannot be polled (regular files, most devices) give
	 * EPERM: in moat those are the ones without a poll operation. */
	if (!target->ops || (!target->ops->poll && file_host_fd(target) < 0))
		return -EPERM;
	if (epf == target || !file_is_epoll(epf))
		return -EINVAL;
	struct kepoll_event e = { 0 };
	if (ev) {
		e = *ev;
		/* EPOLLWAKEUP needs CAP_BLOCK_SUSPEND; moat has no suspend to
		 * block, so the bit is dropped (Linux drops it without the
		 * capability too). */
		e.events &= ~EPOLLWAKEUP;
		if (e.events & EPOLLEXCLUSIVE) {
			if (op == EPOLL_CTL_MOD)
				return -EINVAL;
			uint32_t ok = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |
				      EPOLLEXCLUSIVE;
			if (op == EPOLL_CTL_ADD && (file_is_epoll(target) || (e.events & ~ok)))
				return -EINVAL;
		}
	}
	struct epoll *ep = epf->priv;
	int err = 0;
	ep_lock();
	if (op == EPOLL_CTL_ADD && file_is_epoll(target)) {
		struct epoll *tep = target->priv;
		/* Adding tep under ep: no path back to ep, and no more than
		 * EP_MAX_NESTS levels below it. */
		if (ep_loops(tep, ep, 1)) {
			ep_unlock();
			return -ELOOP;
		}
	}
	struct epitem *it = ep_find(ep, fd, target);
	switch (op) {
	case EPOLL_CTL_ADD:
		err = it ? -EEXIST : ep_insert(ep, fd, target, &e);
		break;
	case EPOLL_CTL_DEL:
		if (it)
			ep_remove(it);
		else
			err = -ENOENT;
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			err = -ENOENT;
		else if (it->events & EPOLLEXCLUSIVE)
			err = -EINVAL;
		else
			ep_modify(ep, it, &e);
		break;
	default:
		err = -EINVAL;
		break;
	}
	ep_unlock();
	return err;
}

/* --- collecting events -------------------------------------------------- */

/* One item's report, if any; updates its ready/oneshot state.
 * requeue: the item stays on the ready list (level-triggered). */
static bool item_report(struct epitem *it, struct kepoll_event *out, bool *requeue)
{
	*requeue = false;
	uint32_t ev = item_poll(it);
	if (!it->wq && (it->events & EPOLLET)) {
		uint32_t fresh = ev & ~it->last_host_events;
		it->last_host_events = ev;
		ev = fresh;
	}
	if (!ev)
		return false;
	out->events = ev;
	out->data = it->data;
	if (it->events & EPOLLONESHOT)
		it->events &= EP_PRIVATE_BITS; /* disabled until EPOLL_CTL_MOD */
	else if (!(it->events & EPOLLET))
		*requeue = true;
	return true;
}

/* Up to max events (epoll_lock held). With out NULL, only whether there
 * is one (poll of the epoll itself; nothing changes). */
static int ep_collect(struct epoll *ep, struct kepoll_event *out, int max)
{
	int n = 0;
	struct epitem *requeue = NULL, **rq_tail = &requeue;
	if (out) {
		while (n < max) {
			pthread_mutex_lock(&ep->ready_lock);
			struct epitem *it = ep->rlist.rnext;
			if (it == &ep->rlist) {
				pthread_mutex_unlock(&ep->ready_lock);
				break;
			}
			rlist_del_locked(it);
			pthread_mutex_unlock(&ep->ready_lock);
			bool again;
			if (item_report(it, &out[n], &again))
				n++;
			if (again) {
				it->rnext = NULL;
				*rq_tail = it;
				rq_tail = &it->rnext;
			}
		}
		/* Level-triggered items go to the back of the list, so that a
		 * busy one cannot starve the others. */
		pthread_mutex_lock(&ep->ready_lock);
		while (requeue) {
			struct epitem *next = requeue->rnext;
			rlist_add_locked(ep, requeue);
			requeue = next;
		}
		pthread_mutex_unlock(&ep->ready_lock);
	} else {
		/* Copy the ready items out: they are polled without the
		 * ready_lock. */
		pthread_mutex_lock(&ep->ready_lock);
		int cnt = 0;
		for (struct epitem *it = ep->rlist.rnext; it != &ep->rlist; it = it->rnext)
			cnt++;
		struct epitem **v = cnt ? malloc(cnt * sizeof(*v)) : NULL;
		int k = 0;
		if (v)
			for (struct epitem *it = ep->rlist.rnext; it != &ep->rlist && k < cnt; it = it->rnext)
				v[k++] = it;
		pthread_mutex_unlock(&ep->ready_lock);
		if (cnt && !v)
			return 1; /* no memory: say ready, the wait will tell */
		for (int i = 0; i < k && !n; i++)
			if (item_poll(v[i]))
				n = 1;
		free(v);
	}
	if (ep->npolled && n < max) {
		for (struct epitem *it = ep->items.next; it != &ep->items && n < max; it = it->next) {
			if (it->wq)
				continue;
			if (!out) {
				if (item_poll(it) && (!(it->events & EPOLLET) ||
						      (item_poll(it) & ~it->last_host_events)))
					return 1;
				continue;
			}
			bool again;
			if (item_report(it, &out[n], &again))
				n++;
		}
	}
	return n;
}

static int64_t mono_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long epoll_wait_file(struct task *t, struct file *epf, struct kepoll_event *out, int max, int64_t deadline)
{
	struct epoll *ep = epf->priv;
	struct waiter w = { 0 };
	bool waiting = false;
	long ret;
	for (;;) {
		ep_lock();
		ret = ep_collect(ep, out, max);
		bool polled = ep->npolled > 0;
		ep_unlock();
		if (ret)
			break;
		int64_t now = deadline > 0 ? mono_now_ns() : 0;
		if (deadline == 0 || (deadline > 0 && now >= deadline))
			break;
		if (!waiting) {
			/* Register, then look once more: a notification
			 * between the scan and the sleep is not lost. */
			waitq_add(&ep->wq, &w, t, ~0u);
			waiting = true;
			continue;
		}
		int64_t until = deadline;
		if (polled) {
			if (!now)
				now = mono_now_ns();
			if (until < 0 || until > now + HOST_SLICE_NS)
				until = now + HOST_SLICE_NS;
		}
		struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
		if (task_block(t, until >= 0 ? &ts : NULL) == -EINTR) {
			ret = -EINTR;
			break;
		}
	}
	if (waiting)
		waitq_remove(&ep->wq, &w);
	return ret;
}

/* --- the epoll file ----------------------------------------------------- */

static uint32_t epoll_poll(struct file *f)
{
	ep_lock();
	int r = ep_collect(f->priv, NULL, 1);
	ep_unlock();
	return r ? POLLIN | POLLRDNORM : 0;
}

static struct waitq *epoll_waitq(struct file *f)
{
	return &((struct epoll *)f->priv)->wq;
}

static int epoll_path(struct file *f, char *buf, size_t n) { return anon_path_name(buf, n, "anon_inode:[eventpoll]"); }

static void epoll_release(struct file *f)
{
	struct epoll *ep = f->priv;
	ep_lock();
	while (ep->items.next != &ep->items)
		ep_remove(ep->items.next);
	ep_unlock();
	pthread_mutex_destroy(&ep->ready_lock);
	free(ep);
}

static const struct file_ops epoll_ops = {
	.llseek = anon_noop_llseek,
	.poll = epoll_poll,
	.waitq = epoll_waitq,
	.path = epoll_path,
	.release = epoll_release,
};

int epoll_new(struct file **out)
{
	struct epoll *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->items.next = ep->items.prev = &ep->items;
	ep->rlist.rnext = ep->rlist.rprev = &ep->rlist;
	pthread_mutex_init(&ep->ready_lock, NULL);
	waitq_init(&ep->wq);
	struct file *f = anon_file_new(&epoll_ops, O_RDWR, FMODE_READ | FMODE_WRITE | FMODE_STREAM, ep);
	if (!f) {
		pthread_mutex_destroy(&ep->ready_lock);
		free(ep);
		return -ENOMEM;
	}
	ep->file = f;
	*out = f;
	return 0;
}
