/*
 * timerfd_create(2): a timer whose expirations are read as a count.
 *
 * Expirations are computed lazily from the timer's own clock whenever the
 * timer is looked at (read, poll, gettime): the timer keeps its next
 * expiration time on its clock and its interval, and catching up adds the
 * expirations that passed to the unread count. Something still has to wake
 * sleepers (read, poll, epoll) when an expiration comes: one sentry thread
 * keeps the armed timers in a list sorted by wake-up time on the host's
 * CLOCK_MONOTONIC and notifies a timer's queue when its time comes. Times
 * on CLOCK_REALTIME and CLOCK_BOOTTIME are converted to CLOCK_MONOTONIC
 * when the wake-up is scheduled; a wake-up that comes early because the
 * clock was stepped only reschedules. The apps see the host clocks (the
 * stubs keep the host vDSO), so the timers use those clocks too.
 *
 * The _ALARM clocks behave as their plain clocks (there is no suspend to
 * wake from). TFD_TIMER_CANCEL_ON_SET is accepted, but a step of the
 * realtime clock is not detected, so reads never fail with ECANCELED.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "fs/anon/anon.h"
#include "kernel/task.h"
#include "vfs/vfs.h"

#define NS_PER_SEC 1000000000LL

struct timerfd {
	atomic_int refs;             /* the file, and the wake thread while firing */
	pthread_mutex_t lock;
	clockid_t clock;             /* the base clock (no _ALARM) */
	int64_t next_ns;             /* next expiration on clock; 0: disarmed */
	int64_t interval_ns;
	uint64_t ticks;              /* expirations not read yet */
	struct waitq wq;
	/* The wake list (wake_lock): */
	bool queued;
	bool dead;                   /* the file is gone: no more wake-ups */
	int64_t wake_mono_ns;
	struct timerfd *wnext, *wprev;
};

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond;
static struct timerfd wake_list = { .wnext = &wake_list, .wprev = &wake_list };
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static bool wake_thread_ok;

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t ts_ns(const struct timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NS_PER_SEC - 1)
		return INT64_MAX / 2; /* far enough to be never */
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	return (struct timespec){ ns / NS_PER_SEC, ns % NS_PER_SEC };
}

static int64_t ns_add_clamped(int64_t a, int64_t b)
{
	return a > INT64_MAX / 2 - b ? INT64_MAX / 2 : a + b;
}

static void tfd_unref(struct timerfd *tf)
{
	if (atomic_fetch_sub(&tf->refs, 1) == 1) {
		pthread_mutex_destroy(&tf->lock);
		free(tf);
	}
}

/* --- catching up (tf->lock) --------------------------------------------- */

/* Add the expirations up to now to the count; now is on tf->clock. */
static void tfd_catch_up_locked(struct timerfd *tf, int64_t now)
{
	if (!tf->next_ns || now < tf->next_ns)
		return;
	if (!tf->interval_ns) {
		tf->ticks++;
		tf->next_ns = 0;
		return;
	}
	uint64_t n = 1 + (uint64_t)(now - tf->next_ns) / (uint64_t)tf->interval_ns;
	tf->ticks += n;
	int64_t step;
	if (__builtin_mul_overflow((int64_t)n, tf->interval_ns, &step) ||
	    __builtin_add_overflow(tf->next_ns, step, &tf->next_ns))
		tf->next_ns = INT64_MAX / 2;
}

/* --- the wake thread ---------------------------------------------------- */

static void wake_unlink_locked(struct timerfd *tf)
{
	if (!tf->queued)
		return;
	tf->wprev->wnext = tf->wnext;
	tf->wnext->wprev = tf->wprev;
	tf->queued = false;
}

/* Make sure tf is looked at no later than mono (host CLOCK_MONOTONIC):
 * an earlier wake-up already queued stays (it reschedules when it comes). */
static void wake_schedule(struct timerfd *tf, int64_t mono)
{
	pthread_mutex_lock(&wake_lock);
	if (tf->dead || (tf->queued && tf->wake_mono_ns <= mono)) {
		pthread_mutex_unlock(&wake_lock);
		return;
	}
	wake_unlink_locked(tf);
	struct timerfd *at = wake_list.wnext;
	while (at != &wake_list && at->wake_mono_ns <= mono)
		at = at->wnext;
	tf->wake_mono_ns = mono;
	tf->wnext = at;
	tf->wprev = at->wprev;
	at->wprev->wnext = tf;
	at->wprev = tf;
	tf->queued = true;
	bool first = wake_list.wnext == tf;
	pthread_mutex_unlock(&wake_lock);
	if (first)
		pthread_cond_signal(&wake_cond);
}

/* When (host CLOCK_MONOTONIC) tf's next expiration is due, or -1. */
static int64_t tfd_wake_time_locked(struct timerfd *tf)
{
	if (!tf->next_ns)
		return -1;
	if (tf->clock == CLOCK_MONOTONIC)
		return tf->next_ns;
	int64_t left = tf->next_ns - clock_ns(tf->clock);
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	return left <= 0 ? now : ns_add_clamped(now, left);
}

/* Look at tf now: count what expired, wake its sleepers, and schedule the
 * next look if it is still armed (each expiration wakes, as Linux's
 * hrtimer does, so edge-triggered epolls see every one). */
static void tfd_fire(struct timerfd *tf)
{
	pthread_mutex_lock(&tf->lock);
	uint64_t before = tf->ticks;
	tfd_catch_up_locked(tf, clock_ns(tf->clock));
	bool expired = tf->ticks != before;
	int64_t next = tfd_wake_time_locked(tf);
	pthread_mutex_unlock(&tf->lock);
	if (expired)
		waitq_notify(&tf->wq, POLLIN | POLLRDNORM);
	if (next >= 0)
		wake_schedule(tf, next);
}

static void *wake_thread_main(void *arg)
{
	pthread_mutex_lock(&wake_lock);
	for (;;) {
		struct timerfd *tf = wake_list.wnext;
		if (tf == &wake_list) {
			pthread_cond_wait(&wake_cond, &wake_lock);
			continue;
		}
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		if (tf->wake_mono_ns > now) {
			struct timespec ts = ns_ts(tf->wake_mono_ns);
			pthread_cond_timedwait(&wake_cond, &wake_lock, &ts);
			continue;
		}
		wake_unlink_locked(tf);
		atomic_fetch_add(&tf->refs, 1);
		pthread_mutex_unlock(&wake_lock);
		tfd_fire(tf);
		tfd_unref(tf);
		pthread_mutex_lock(&wake_lock);
	}
	return NULL;
}

static void wake_thread_start(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wake_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	wake_thread_ok = pthread_create(&th, &a, wake_thread_main, NULL) == 0;
	pthread_attr_destroy(&a);
}

/* --- the file ----------------------------------------------------------- */

static const struct file_ops timerfd_ops;

bool file_is_timerfd(struct file *f)
{
	return f && f->ops == &timerfd_ops;
}

static bool nonblocking(struct file *f, int iof)
{
	return (atomic_load(&f->flags) & O_NONBLOCK) || (iof & IOF_NOWAIT);
}

static ssize_t tfd_do_read(struct file *f, struct task *t, void *kbuf, uint64_t addr, size_t n, int iof)
{
	struct timerfd *tf = f->priv;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	pthread_mutex_lock(&tf->lock);
	for (;;) {
		tfd_catch_up_locked(tf, clock_ns(tf->clock));
		if (tf->ticks)
			break;
		if (nonblocking(f, iof)) {
			pthread_mutex_unlock(&tf->lock);
			return -EAGAIN;
		}
		struct waiter w = { 0 };
		waitq_add(&tf->wq, &w, t, POLLIN);
		pthread_mutex_unlock(&tf->lock);
		int r = task_block(t, NULL);
		waitq_remove(&tf->wq, &w);
		if (r == -EINTR)
			return -ERESTARTSYS;
		pthread_mutex_lock(&tf->lock);
	}
	uint64_t v = tf->ticks;
	tf->ticks = 0;
	pthread_mutex_unlock(&tf->lock);
	int err = kbuf ? (memcpy(kbuf, &v, sizeof(v)), 0) : task_copy_out(t, addr, &v, sizeof(v));
	return err ? -EFAULT : (ssize_t)sizeof(v);
}

static ssize_t tfd_read_kbuf(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	return tfd_do_read(f, t, buf, 0, n, iof);
}

static ssize_t tfd_read_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	return tfd_do_read(f, t, NULL, addr, n, iof);
}

static uint32_t tfd_poll(struct file *f)
{
	struct timerfd *tf = f->priv;
	pthread_mutex_lock(&tf->lock);
	tfd_catch_up_locked(tf, clock_ns(tf->clock));
	bool ready = tf->ticks != 0;
	pthread_mutex_unlock(&tf->lock);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static struct waitq *tfd_waitq(struct file *f)
{
	return &((struct timerfd *)f->priv)->wq;
}

static int tfd_path(struct file *f, char *buf, size_t n) { return anon_path_name(buf, n, "anon_inode:[timerfd]"); }

static long tfd_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	/* TFD_IOC_SET_TICKS (checkpoint/restore kernels) is not provided. */
	return -ENOTTY;
}

static void tfd_release(struct file *f)
{
	struct timerfd *tf = f->priv;
	pthread_mutex_lock(&wake_lock);
	wake_unlink_locked(tf);
	tf->dead = true;
	pthread_mutex_unlock(&wake_lock);
	tfd_unref(tf);
}

static const struct file_ops timerfd_ops = {
	.read = tfd_read_kbuf,
	.read_app = tfd_read_app,
	.llseek = anon_noop_llseek,
	.poll = tfd_poll,
	.waitq = tfd_waitq,
	.ioctl = tfd_ioctl,
	.path = tfd_path,
	.release = tfd_release,
};

static clockid_t base_clock(clockid_t c)
{
	if (c == CLOCK_REALTIME_ALARM)
		return CLOCK_REALTIME;
	if (c == CLOCK_BOOTTIME_ALARM)
		return CLOCK_BOOTTIME;
	return c;
}

int timerfd_new(clockid_t clock, int flags, struct file **out)
{
	pthread_once(&wake_once, wake_thread_start);
	if (!wake_thread_ok)
		return -ENOMEM;
	struct timerfd *tf = calloc(1, sizeof(*tf));
	if (!tf)
		return -ENOMEM;
	atomic_init(&tf->refs, 1);
	pthread_mutex_init(&tf->lock, NULL);
	waitq_init(&tf->wq);
	tf->clock = base_clock(clock);
	struct file *f = anon_file_new(&timerfd_ops, O_RDWR | (flags & O_NONBLOCK), FMODE_READ | FMODE_WRITE | FMODE_STREAM, tf);
	if (!f) {
		tfd_unref(tf);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

/* The current setting: time to the next expiration and the interval. */
static void tfd_get_locked(struct timerfd *tf, struct itimerspec *cur)
{
	int64_t left = 0;
	if (tf->next_ns) {
		left = tf->next_ns - clock_ns(tf->clock);
		if (left <= 0)
			left = 1; /* due, not yet counted */
	}
	cur->it_value = ns_ts(left);
	cur->it_interval = ns_ts(tf->interval_ns);
}

void timerfd_get(struct file *f, struct itimerspec *cur)
{
	struct timerfd *tf = f->priv;
	pthread_mutex_lock(&tf->lock);
	tfd_catch_up_locked(tf, clock_ns(tf->clock));
	tfd_get_locked(tf, cur);
	pthread_mutex_unlock(&tf->lock);
}

/* do_timerfd_settime: the old setting out, then the new one; arming or
 * disarming forgets the expirations not read yet (timerfd_setup). */
void timerfd_set(struct file *f, int flags, const struct itimerspec *nv, struct itimerspec *old)
{
	struct timerfd *tf = f->priv;
	pthread_mutex_lock(&tf->lock);
	int64_t now = clock_ns(tf->clock);
	tfd_catch_up_locked(tf, now);
	if (old)
		tfd_get_locked(tf, old);
	tf->ticks = 0;
	tf->interval_ns = ts_ns(&nv->it_interval);
	int64_t value = ts_ns(&nv->it_value);
	if (value == 0)
		tf->next_ns = 0;
	else if (flags & TFD_TIMER_ABSTIME)
		tf->next_ns = value;
	else
		tf->next_ns = ns_add_clamped(now, value);
	int64_t wake = tfd_wake_time_locked(tf);
	pthread_mutex_unlock(&tf->lock);
	if (wake >= 0)
		wake_schedule(tf, wake);
}
