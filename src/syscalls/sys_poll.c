/*
 * poll(2), ppoll(2), select(2), pselect6(2).
 *
 * One engine: check every descriptor's readiness; if nothing is ready,
 * register a waiter on each file's wait queue, check again (no wakeup is
 * lost between the check and the sleep) and sleep until a queue is
 * notified, a signal interrupts, or the deadline passes. Imported host
 * descriptors have no wait queue: while a set contains one, the sleep is
 * cut into short slices in which the host descriptors are polled.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "kernel/signals.h"
#include "kernel/waitq.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* Linux's limits: RLIMIT_NOFILE bounds nfds of poll (EINVAL past it). */
#define HOST_SLICE_NS (5 * 1000 * 1000)

struct poll_entry {
	int fd;
	short events, revents;
	struct file *file;
	struct waitq *wq;
	struct waiter w;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Readiness of one entry now; POLLNVAL for a closed descriptor. */
static short poll_one(struct poll_entry *e)
{
	if (e->fd < 0)
		return 0;
	if (!e->file)
		return POLLNVAL;
	uint32_t ev = file_poll(e->file);
	return (short)(ev & ((uint16_t)e->events | POLLERR | POLLHUP | POLLNVAL));
}

static int poll_scan(struct poll_entry *es, int n)
{
	int ready = 0;
	for (int i = 0; i < n; i++) {
		es[i].revents = poll_one(&es[i]);
		if (es[i].revents)
			ready++;
	}
	return ready;
}

/* Wait for readiness until deadline (absolute CLOCK_MONOTONIC ns, -1 for
 * none). Returns the number of ready entries, 0 on timeout, or
 * -ERESTARTNOHAND when a signal interrupts. */
static long poll_wait(struct task *t, struct poll_entry *es, int n, int64_t deadline)
{
	for (int i = 0; i < n; i++) {
		es[i].file = es[i].fd >= 0 ? fdt_get_file(t->fdt, es[i].fd) : NULL;
		es[i].wq = NULL;
	}
	bool host = false;
	for (int i = 0; i < n; i++)
		if (es[i].file && file_host_fd(es[i].file) >= 0)
			host = true;
	long ret = poll_scan(es, n);
	if (ret || deadline == 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (!es[i].file || !(es[i].wq = file_waitq(es[i].file)))
			continue;
		memset(&es[i].w, 0, sizeof es[i].w);
		waitq_add(es[i].wq, &es[i].w, t,
			  (uint32_t)(uint16_t)es[i].events | POLLERR | POLLHUP);
	}
	for (;;) {
		ret = poll_scan(es, n);
		if (ret)
			break;
		int64_t now = now_ns();
		if (deadline >= 0 && now >= deadline)
			break;
		int64_t until = deadline;
		if (host && (until < 0 || until > now + HOST_SLICE_NS))
			until = now + HOST_SLICE_NS;
		struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
		if (task_block(t, until >= 0 ? &ts : NULL) == -EINTR) {
			ret = -ERESTARTNOHAND;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		if (es[i].wq)
			waitq_remove(es[i].wq, &es[i].w);
out:
	for (int i = 0; i < n; i++)
		if (es[i].file)
			file_put(es[i].file);
	return ret;
}

/* A relative timeout into an absolute deadline (-1: wait forever). */
static int64_t deadline_after(int64_t rel_ns)
{
	return rel_ns < 0 ? -1 : now_ns() + rel_ns;
}

static int read_timespec(struct task *t, uint64_t addr, int64_t *ns)
{
	struct timespec ts;
	if (task_copy_in(t, &ts, addr, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if (ts.tv_sec > (INT64_MAX / 1000000000LL) - 1)
		*ns = INT64_MAX / 2;
	else
		*ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

/* ppoll/pselect6: the signal mask to use while waiting. It stays in force
 * until a handler has run when the wait was interrupted (the handler runs
 * with it, then the old mask comes back), like sigsuspend. */
int syscall_swap_sigmask(struct task *t, uint64_t umask, size_t size, uint64_t *old, bool *swapped)
{
	*swapped = false;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t m;
	if (task_copy_in(t, &m, umask, sizeof m))
		return -EFAULT;
	*old = t->sigmask;
	t->sigmask = m & ~SIG_UNBLOCKABLE;
	*swapped = true;
	return 0;
}

void syscall_restore_sigmask(struct task *t, long ret, uint64_t old, bool swapped)
{
	if (!swapped)
		return;
	if (ret == -ERESTARTNOHAND || ret == -EINTR) {
		t->saved_sigmask = old;
		t->have_saved_sigmask = true;
	} else {
		t->sigmask = old;
	}
}

static long do_poll(struct task *t, uint64_t ufds, uint64_t nfds, int64_t deadline)
{
	if (nfds > t->tg->rlimits[RLIMIT_NOFILE].rlim_cur || nfds > (1u << 20))
		return -EINVAL;
	struct poll_entry stack_es[32];
	struct poll_entry *es = nfds <= 32 ? stack_es : calloc(nfds, sizeof *es);
	if (!es)
		return -ENOMEM;
	long ret = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		struct pollfd p;
		if (task_copy_in(t, &p, ufds + i * sizeof p, sizeof p)) {
			ret = -EFAULT;
			goto out;
		}
		es[i].fd = p.fd;
		es[i].events = p.events;
	}
	ret = poll_wait(t, es, (int)nfds, deadline);
	if (ret < 0)
		goto out;
	for (uint64_t i = 0; i < nfds; i++) {
		uint64_t at = ufds + i * sizeof(struct pollfd) + offsetof(struct pollfd, revents);
		if (task_copy_out(t, at, &es[i].revents, sizeof es[i].revents)) {
			ret = -EFAULT;
			break;
		}
	}
out:
	if (es != stack_es)
		free(es);
	return ret;
}

SYSCALL_DEFINE(poll)
{
	int timeout = (int)a[2];
	return do_poll(t, a[0], a[1], deadline_after(timeout < 0 ? -1 : (int64_t)timeout * 1000000));
}

SYSCALL_DEFINE(ppoll)
{
	int64_t rel = -1;
	if (a[2]) {
		int err = read_timespec(t, a[2], &rel);
		if (err)
			return err;
	}
	uint64_t old;
	bool swapped;
	int err = syscall_swap_sigmask(t, a[3], a[4], &old, &swapped);
	if (err)
		return err;
	long ret = do_poll(t, a[0], a[1], deadline_after(rel));
	syscall_restore_sigmask(t, ret, old, swapped);
	return ret;
}

/* select(2) sets, as poll events (Linux's POLLIN_SET/POLLOUT_SET/POLLEX_SET). */
#define SEL_IN  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX  (POLLPRI)

static long do_select(struct task *t, int nfds, uint64_t uin, uint64_t uout, uint64_t uex, int64_t deadline)
{
	if (nfds < 0)
		return -EINVAL;
	if ((uint64_t)nfds > t->tg->rlimits[RLIMIT_NOFILE].rlim_cur)
		nfds = (int)t->tg->rlimits[RLIMIT_NOFILE].rlim_cur;
	size_t words = ((size_t)nfds + 63) / 64;
	size_t bytes = words * 8;
	uint64_t *sets = calloc(6 * (words ? words : 1), 8);
	if (!sets)
		return -ENOMEM;
	uint64_t *in = sets, *out = sets + words, *ex = sets + 2 * words;
	uint64_t *rin = sets + 3 * words, *rout = sets + 4 * words, *rex = sets + 5 * words;
	long ret = 0;
	struct poll_entry *es = NULL;
	if ((uin && task_copy_in(t, in, uin, bytes)) || (uout && task_copy_in(t, out, uout, bytes)) ||
	    (uex && task_copy_in(t, ex, uex, bytes))) {
		ret = -EFAULT;
		goto done;
	}
	int n = 0;
	for (int fd = 0; fd < nfds; fd++)
		if (((in[fd / 64] | out[fd / 64] | ex[fd / 64]) >> (fd % 64)) & 1)
			n++;
	es = calloc(n ? n : 1, sizeof *es);
	if (!es) {
		ret = -ENOMEM;
		goto done;
	}
	int k = 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		short ev = ((in[fd / 64] & bit) ? SEL_IN : 0) | ((out[fd / 64] & bit) ? SEL_OUT : 0) |
			   ((ex[fd / 64] & bit) ? SEL_EX : 0);
		if (!ev)
			continue;
		struct file *f = fdt_get_file(t->fdt, fd);
		if (!f) {
			ret = -EBADF;
			goto done;
		}
		file_put(f);
		es[k].fd = fd;
		es[k++].events = ev;
	}
	ret = poll_wait(t, es, n, deadline);
	if (ret < 0)
		goto done;
	int count = 0;
	for (int i = 0; i < n; i++) {
		int fd = es[i].fd;
		uint64_t bit = 1ULL << (fd % 64);
		short r = es[i].revents;
		if ((in[fd / 64] & bit) && (r & SEL_IN)) {
			rin[fd / 64] |= bit;
			count++;
		}
		if ((out[fd / 64] & bit) && (r & SEL_OUT)) {
			rout[fd / 64] |= bit;
			count++;
		}
		if ((ex[fd / 64] & bit) && (r & SEL_EX)) {
			rex[fd / 64] |= bit;
			count++;
		}
	}
	if ((uin && task_copy_out(t, uin, rin, bytes)) || (uout && task_copy_out(t, uout, rout, bytes)) ||
	    (uex && task_copy_out(t, uex, rex, bytes))) {
		ret = -EFAULT;
		goto done;
	}
	ret = count;
done:
	free(es);
	free(sets);
	return ret;
}

SYSCALL_DEFINE(select)
{
	int64_t rel = -1, deadline;
	if (a[4]) {
		struct timeval tv;
		if (task_copy_in(t, &tv, a[4], sizeof tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises large tv_usec values. */
		rel = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	}
	deadline = deadline_after(rel);
	long ret = do_select(t, (int)a[0], a[1], a[2], a[3], deadline);
	/* Linux writes back the time left. */
	if (a[4] && ret != -EFAULT) {
		int64_t left = deadline - now_ns();
		if (left < 0 || ret == 0)
			left = 0;
		struct timeval tv = { left / 1000000000LL, (left % 1000000000LL) / 1000 };
		task_copy_out(t, a[4], &tv, sizeof tv);
	}
	return ret;
}

SYSCALL_DEFINE(pselect6)
{
	int64_t rel = -1;
	if (a[4]) {
		int err = read_timespec(t, a[4], &rel);
		if (err)
			return err;
	}
	uint64_t old = 0;
	bool swapped = false;
	if (a[5]) {
		struct { uint64_t ss; uint64_t len; } sig;
		if (task_copy_in(t, &sig, a[5], sizeof sig))
			return -EFAULT;
		int err = syscall_swap_sigmask(t, sig.ss, sig.len, &old, &swapped);
		if (err)
			return err;
	}
	int64_t deadline = deadline_after(rel);
	long ret = do_select(t, (int)a[0], a[1], a[2], a[3], deadline);
	syscall_restore_sigmask(t, ret, old, swapped);
	if (a[4] && ret >= 0) {
		int64_t left = deadline - now_ns();
		if (left < 0 || ret == 0)
			left = 0;
		struct timespec ts = { left / 1000000000LL, left % 1000000000LL };
		task_copy_out(t, a[4], &ts, sizeof ts);
	}
	return ret;
}
