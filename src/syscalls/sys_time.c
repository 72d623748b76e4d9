/*
 * Clocks and sleeps: clock_gettime(2), clock_getres(2), gettimeofday(2),
 * time(2), nanosleep(2), clock_nanosleep(2), times(2), getrusage(2).
 *
 * The wall and monotonic clocks are the host's (the same ones the vDSO
 * reads). CPU-time clocks and resource usage: the
 * CPU time of a task is its stub's (user) plus its sentry thread's (system);
 * children's are added when they are reaped.
 * Alarm clocks behave as on a Linux without an RTC device (EINVAL to read,
 * EOPNOTSUPP to sleep on).
 *
 * Sleeps are interruptible (task_block). As in Linux, an interrupted
 * relative sleep writes the time left to rem and returns
 * -ERESTART_RESTARTBLOCK: the run loop turns that into EINTR when a handler
 * runs, and otherwise resumes the sleep through restart_syscall(2) with the
 * same deadline. An interrupted absolute sleep returns -ERESTARTNOHAND and
 * is simply restarted with its arguments.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kernel/timers.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"

#define USER_HZ 100 /* clock_t ticks of times(2), as Linux's USER_HZ on x86 */
/* Sleeps this long (or absolute deadlines this far, ~270 years) are
 * treated as sleeping forever; below it nanoseconds fit in 64 bits. */
#define FAR_FUTURE_SEC (1LL << 33)

static long long timespec_to_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static long long host_now_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return timespec_to_ns(&ts);
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < (unsigned long)NSEC_PER_SEC;
}

/* Clock classification and reading live in kernel/timers.c (timers use
 * them too); CPU clocks of other tasks are reported here. */
static enum clock_kind clock_classify(struct task *t, clockid_t id)
{
	enum clock_kind k = clock_kind_of(t, id);
	if (k == CK_INVALID && id < 0 && (id & 3) != 3)
		syscall_report_unsupported("CPU-time clock of another process or thread");
	return k;
}

static int clock_read(struct task *t, clockid_t id, struct timespec *ts)
{
	if (clock_classify(t, id) == CK_INVALID)
		return -EINVAL;
	int64_t ns;
	int err = clock_read_ns(t, id, &ns);
	if (err)
		return err;
	*ts = ns_to_timespec(ns);
	return 0;
}

SYSCALL_DEFINE(clock_gettime)
{
	struct timespec ts;
	int err = clock_read(t, (clockid_t)a[0], &ts);
	if (err)
		return err;
	return task_copy_out(t, a[1], &ts, sizeof(ts));
}

SYSCALL_DEFINE(clock_getres)
{
	clockid_t id = (clockid_t)a[0];
	struct timespec res = { 0, 1 }; /* CPU clocks: 1 ns, as Linux reports */
	switch (clock_classify(t, id)) {
	case CK_HOST:
		clock_getres(id, &res);
		break;
	case CK_PROCESS_CPU:
	case CK_THREAD_CPU:
		break;
	case CK_ALARM:
	case CK_INVALID:
		return -EINVAL;
	}
	if (!a[1])
		return 0;
	return task_copy_out(t, a[1], &res, sizeof(res));
}

SYSCALL_DEFINE(gettimeofday)
{
	if (a[0]) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		struct timeval tv = { .tv_sec = now.tv_sec, .tv_usec = now.tv_nsec / 1000 };
		if (task_copy_out(t, a[0], &tv, sizeof(tv)))
			return -EFAULT;
	}
	if (a[1]) {
		/* The kernel's sys_tz: UTC with no DST unless settimeofday set
		 * it, which the sandbox cannot. */
		struct timezone tz = { 0, 0 };
		if (task_copy_out(t, a[1], &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(time)
{
	int64_t now = time(NULL);
	if (a[0] && task_copy_out(t, a[0], &now, sizeof(now)))
		return -EFAULT;
	return now;
}

/* Sleep until the absolute CLOCK_MONOTONIC deadline (NULL: forever).
 * 0 when it passed, -EINTR when interrupted first. As in Linux, a sleep
 * whose time is already up succeeds even with a signal pending. */
static int sleep_until(struct task *t, const struct timespec *deadline)
{
	for (;;) {
		if (deadline && host_now_ns(CLOCK_MONOTONIC) >= timespec_to_ns(deadline))
			return 0;
		int r = task_block(t, deadline);
		if (r == -ETIMEDOUT)
			return 0;
		if (r == -EINTR) {
			if (deadline && host_now_ns(CLOCK_MONOTONIC) >= timespec_to_ns(deadline))
				return 0;
			return -EINTR;
		}
		/* 0: a wake meant for something else; sleep on. */
	}
}

/* The CLOCK_MONOTONIC deadline of a sleep on clock id for req (absolute
 * when abs). Clocks other than MONOTONIC are converted at the start: steps
 * of the host's clock during the sleep are not followed. Returns false for
 * a sleep that never ends. */
static bool sleep_deadline(clockid_t id, bool abs, const struct timespec *req,
			   struct timespec *deadline)
{
	if (req->tv_sec >= FAR_FUTURE_SEC)
		return false;
	long long mono_now = host_now_ns(CLOCK_MONOTONIC);
	long long target = timespec_to_ns(req);
	if (abs && id != CLOCK_MONOTONIC)
		target = mono_now + (target - host_now_ns(id));
	else if (!abs)
		target = mono_now + target;
	if (target < 0)
		target = 0;
	*deadline = ns_to_timespec(target);
	return true;
}

/* A relative sleep until deadline (finite) or forever (req is what was
 * asked). Interrupted: rem gets the time left and the sleep is resumed by
 * restart_syscall(2) unless a handler runs (Linux's do_nanosleep). */
static long relative_sleep(struct task *t, bool finite, const struct timespec *deadline,
			   const struct timespec *req, uint64_t rem_addr);

static long nanosleep_restart(struct task *t)
{
	struct restart_block *rb = task_restart_block(t);
	if (!rb)
		return -EINTR;
	bool finite = rb->data[0] != UINT64_MAX;
	struct timespec deadline = ns_to_timespec((int64_t)rb->data[0]);
	struct timespec req = { .tv_sec = (time_t)rb->data[2], .tv_nsec = (long)rb->data[3] };
	return relative_sleep(t, finite, &deadline, &req, rb->data[1]);
}

static long relative_sleep(struct task *t, bool finite, const struct timespec *deadline,
			   const struct timespec *req, uint64_t rem_addr)
{
	int r = sleep_until(t, finite ? deadline : NULL);
	if (r != -EINTR)
		return r;
	if (rem_addr) {
		struct timespec rem = *req; /* a sleep "forever" has all its time left */
		if (finite) {
			long long left = timespec_to_ns(deadline) - host_now_ns(CLOCK_MONOTONIC);
			if (left <= 0)
				return 0;
			rem = ns_to_timespec(left);
		}
		if (task_copy_out(t, rem_addr, &rem, sizeof(rem)))
			return -EFAULT;
	}
	struct restart_block rb = {
		.fn = nanosleep_restart,
		.data = { finite ? (uint64_t)timespec_to_ns(deadline) : UINT64_MAX, rem_addr,
			  (uint64_t)req->tv_sec, (uint64_t)req->tv_nsec },
	};
	return task_set_restart_block(t, &rb);
}

static long do_nanosleep(struct task *t, clockid_t id, bool abs, uint64_t req_addr,
			 uint64_t rem_addr)
{
	struct timespec req, deadline;
	if (task_copy_in(t, &req, req_addr, sizeof(req)))
		return -EFAULT;
	if (!timespec_valid(&req))
		return -EINVAL;
	bool finite = sleep_deadline(id, abs, &req, &deadline);
	if (!abs)
		return relative_sleep(t, finite, &deadline, &req, rem_addr);
	/* An absolute sleep restarts with its own arguments: the same
	 * deadline (Linux: -ERESTARTNOHAND, EINTR when a handler runs). */
	int r = sleep_until(t, finite ? &deadline : NULL);
	return r == -EINTR ? -ERESTARTNOHAND : r;
}

SYSCALL_DEFINE(nanosleep)
{
	return do_nanosleep(t, CLOCK_MONOTONIC, false, a[0], a[1]);
}

SYSCALL_DEFINE(clock_nanosleep)
{
	clockid_t id = (clockid_t)a[0];
	bool abs = a[1] & TIMER_ABSTIME; /* Linux ignores the other flag bits */
	switch (clock_classify(t, id)) {
	case CK_INVALID:
		return -EINVAL;
	case CK_HOST:
		break;
	case CK_PROCESS_CPU:
		/* Linux can sleep until the process has used some CPU time;
		 * moat cannot measure it yet. */
		syscall_report_unsupported("clock_nanosleep on a process CPU-time clock");
		return -EOPNOTSUPP;
	case CK_THREAD_CPU:
	case CK_ALARM:
		/* Linux: no nanosleep for thread CPU clocks; alarm clocks
		 * without an RTC device. */
		return -EOPNOTSUPP;
	}
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return do_nanosleep(t, id, abs, a[2], a[3]);
	default:
		/* The raw and coarse clocks have no timers in Linux. */
		return -EOPNOTSUPP;
	}
}

static struct timeval ns_to_timeval(uint64_t ns)
{
	struct timeval tv = { (time_t)(ns / NSEC_PER_SEC), (suseconds_t)(ns % NSEC_PER_SEC / 1000) };
	return tv;
}

/* RUSAGE_SELF/THREAD/CHILDREN times (see task_cpu_times). */
static void cpu_times(struct task *t, int who, struct timeval *utime, struct timeval *stime)
{
	uint64_t u = 0, s = 0;
	if (who == RUSAGE_SELF) {
		tg_cpu_times(t->tg, &u, &s);
	} else if (who == RUSAGE_THREAD) {
		task_cpu_times(t, &u, &s);
	} else {
		pthread_mutex_lock(&t->tg->lock);
		u = t->tg->cutime_ns;
		s = t->tg->cstime_ns;
		pthread_mutex_unlock(&t->tg->lock);
	}
	*utime = ns_to_timeval(u);
	*stime = ns_to_timeval(s);
}

static clock_t timeval_to_ticks(const struct timeval *tv)
{
	return tv->tv_sec * USER_HZ + tv->tv_usec / (1000000 / USER_HZ);
}

SYSCALL_DEFINE(times)
{
	if (a[0]) {
		struct timeval ut, st, cut, cst;
		cpu_times(t, RUSAGE_SELF, &ut, &st);
		cpu_times(t, RUSAGE_CHILDREN, &cut, &cst);
		struct tms tms = {
			.tms_utime = timeval_to_ticks(&ut),
			.tms_stime = timeval_to_ticks(&st),
			.tms_cutime = timeval_to_ticks(&cut),
			.tms_cstime = timeval_to_ticks(&cst),
		};
		if (task_copy_out(t, a[0], &tms, sizeof(tms)))
			return -EFAULT;
	}
	/* Ticks since an arbitrary point: here the sandbox's boot. */
	long long up = host_now_ns(CLOCK_MONOTONIC) - (long long)t->kernel->boot_time_ns;
	return up / (NSEC_PER_SEC / USER_HZ);
}

SYSCALL_DEFINE(getrusage)
{
	int who = (int)a[0];
	struct rusage ru = { 0 };
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
	case RUSAGE_CHILDREN:
		cpu_times(t, who, &ru.ru_utime, &ru.ru_stime);
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&t->tg->lock);
	ru.ru_maxrss = (long)(who == RUSAGE_CHILDREN ? t->tg->cmaxrss_kb : t->tg->maxrss_kb);
	pthread_mutex_unlock(&t->tg->lock);
	if (who != RUSAGE_CHILDREN && t->mm && t->mm->rss_hiwater * 4 > (uint64_t)ru.ru_maxrss)
		ru.ru_maxrss = (long)(t->mm->rss_hiwater * 4);
	/* Fault, I/O and context-switch counts are not tracked: 0. */
	return task_copy_out(t, a[1], &ru, sizeof(ru));
}
