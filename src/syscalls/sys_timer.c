/*
 * Timers: alarm(2), getitimer(2)/setitimer(2), timer_create(2),
 * timer_settime(2), timer_gettime(2), timer_getoverrun(2), timer_delete(2),
 * and restart_syscall(2). The timers themselves live in kernel/timers.c;
 * this file checks and copies the arguments in the order Linux does, so
 * that each bad argument gets the same errno.
 *
 * Left out / approximate (see kernel/timers.h): ITIMER_VIRTUAL,
 * ITIMER_PROF and timers on CPU-time clocks count wall-clock time; CPU-time
 * clocks of other processes are not supported (EINVAL, reported); the alarm
 * clocks need an RTC device the sandbox does not have (EOPNOTSUPP).
 */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "kernel/timers.h"
#include "syscalls/syscalls.h"

/* TaskSet lookup; weak while the TaskSet is being written (timers.c). */

#define USEC_PER_SEC 1000000LL
#define KERNEL_SIGRTMAX 64

/* struct sigevent as the kernel reads it (64 bytes). */
struct k_sigevent {
	union sigval value;
	int32_t signo;
	int32_t notify;
	int32_t tid;              /* SIGEV_THREAD_ID */
	int32_t pad[11];
};
_Static_assert(sizeof(struct k_sigevent) == 64, "struct sigevent is 64 bytes");

/* ---- conversions -------------------------------------------------------- */

static bool timeval_valid(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && (unsigned long)tv->tv_usec < (unsigned long)USEC_PER_SEC;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < (unsigned long)NSEC_PER_SEC;
}

static int64_t timeval_to_ns(const struct timeval *tv)
{
	struct timespec ts = { tv->tv_sec, tv->tv_usec * 1000 };
	return timespec_to_ns_sat(&ts);
}

/* getitimer(2) truncates to microseconds; an armed timer never reads as
 * disarmed (Linux shows 1 us for a timer that is due). */
static struct timeval ns_to_timeval_itimer(int64_t ns)
{
	if (ns > 0 && ns < 1000)
		ns = 1000;
	struct timespec ts = ns_to_timespec(ns);
	return (struct timeval){ .tv_sec = ts.tv_sec, .tv_usec = ts.tv_nsec / 1000 };
}

static struct itimerval spec_to_itimerval(const struct ktimer_spec *s)
{
	return (struct itimerval){ .it_interval = ns_to_timeval_itimer(s->interval_ns),
				   .it_value = ns_to_timeval_itimer(s->value_ns) };
}

static struct itimerspec spec_to_itimerspec(const struct ktimer_spec *s)
{
	return (struct itimerspec){ .it_interval = ns_to_timespec(s->interval_ns),
				    .it_value = ns_to_timespec(s->value_ns) };
}

/* ---- interval timers ----------------------------------------------------- */

static void report_cpu_itimer(int which)
{
	if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		syscall_report_unsupported("ITIMER_VIRTUAL/ITIMER_PROF count wall-clock time, not CPU time");
}

SYSCALL_DEFINE(getitimer)
{
	struct ktimer_spec cur;
	int err = timers_itimer_get(t, (int)a[0], &cur);
	if (err)
		return err;
	struct itimerval iv = spec_to_itimerval(&cur);
	return task_copy_out(t, a[1], &iv, sizeof iv);
}

SYSCALL_DEFINE(setitimer)
{
	int which = (int)a[0];
	struct itimerval iv = { 0 };
	/* Linux: a NULL new value disarms the timer (with a kernel warning). */
	if (a[1]) {
		if (task_copy_in(t, &iv, a[1], sizeof iv))
			return -EFAULT;
		if (!timeval_valid(&iv.it_value) || !timeval_valid(&iv.it_interval))
			return -EINVAL;
	}
	struct ktimer_spec new_spec = { timeval_to_ns(&iv.it_value), timeval_to_ns(&iv.it_interval) };
	struct ktimer_spec old;
	int err = timers_itimer_set(t, which, &new_spec, a[2] ? &old : NULL);
	if (err)
		return err;
	if (new_spec.value_ns)
		report_cpu_itimer(which);
	if (a[2]) {
		struct itimerval ov = spec_to_itimerval(&old);
		if (task_copy_out(t, a[2], &ov, sizeof ov))
			return -EFAULT;
	}
	return 0;
}

/* alarm(2): ITIMER_REAL for `seconds` (no interval). Returns the seconds
 * that were left, rounded to the nearest second but never 0 when time was
 * left (Linux's alarm_setitimer). */
SYSCALL_DEFINE(alarm)
{
	unsigned int seconds = (unsigned int)a[0];
	struct ktimer_spec new_spec = { (int64_t)seconds * NSEC_PER_SEC, 0 };
	struct ktimer_spec old;
	int err = timers_itimer_set(t, ITIMER_REAL, &new_spec, &old);
	if (err)
		return err;
	struct timeval left = ns_to_timeval_itimer(old.value_ns);
	if ((!left.tv_sec && left.tv_usec) || left.tv_usec >= 500000)
		left.tv_sec++;
	return left.tv_sec;
}

/* ---- POSIX timers ----------------------------------------------------------- */

/* The thread tid of t's own thread group, or NULL. */
static struct task *thread_of_group(struct task *t, int tid)
{
	if (tid == task_vtid(t))
		return t;
	pthread_mutex_lock(&t->kernel->lock);
	struct task *target = task_by_vnr_locked(t, tid);
	if (target && target->tg != t->tg)
		target = NULL;
	pthread_mutex_unlock(&t->kernel->lock);
	return target;
}

/* Linux's good_sigevent(): fill p from ev, false when it is invalid. */
static bool sigevent_check(struct task *t, const struct k_sigevent *ev, struct posix_timer_params *p)
{
	p->value = ev->value;
	p->signo = ev->signo;
	switch (ev->notify) {
	case SIGEV_NONE:
		p->notify = SIGEV_NONE;
		return true;
	case SIGEV_THREAD_ID:
		p->target = thread_of_group(t, ev->tid);
		if (!p->target)
			return false;
		p->notify = SIGEV_THREAD_ID;
		break;
	case SIGEV_SIGNAL:
	case SIGEV_THREAD: /* the C library's threads are its business: a signal to the process */
		p->notify = SIGEV_SIGNAL;
		break;
	default:
		return false;
	}
	return ev->signo > 0 && ev->signo <= KERNEL_SIGRTMAX;
}

/* Which clocks have timers: 0, -EINVAL (no such clock) or -EOPNOTSUPP
 * (a clock without timers: the raw and coarse ones). Alarm clocks are
 * refused later, after Linux has used up a timer ID. */
static int timer_clock_check(struct task *t, clockid_t clock)
{
	switch (clock_kind_of(t, clock)) {
	case CK_INVALID:
		if (clock < 0 && (clock & 3) != 3)
			syscall_report_unsupported("timer on the CPU-time clock of another process or thread");
		return -EINVAL;
	case CK_HOST:
		if (clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_REALTIME_COARSE ||
		    clock == CLOCK_MONOTONIC_COARSE)
			return -EOPNOTSUPP;
		return 0;
	case CK_PROCESS_CPU:
	case CK_THREAD_CPU:
		syscall_report_unsupported("timers on CPU-time clocks count wall-clock time");
		return 0;
	case CK_ALARM:
		return 0;
	}
	return -EINVAL;
}

SYSCALL_DEFINE(timer_create)
{
	clockid_t clock = (clockid_t)a[0];
	struct k_sigevent ev;
	if (a[1] && task_copy_in(t, &ev, a[1], sizeof ev))
		return -EFAULT;
	int err = timer_clock_check(t, clock);
	if (err)
		return err;
	struct posix_timer_params p = { .clock = clock };
	bool ok = true;
	if (a[1]) {
		ok = sigevent_check(t, &ev, &p);
	} else {
		/* timer_create(2): NULL is SIGEV_SIGNAL, SIGALRM, si_value = ID. */
		p.notify = SIGEV_SIGNAL;
		p.signo = SIGALRM;
		p.default_value = true;
	}
	if (!ok || clock_kind_of(t, clock) == CK_ALARM) {
		err = timers_posix_use_id(t);
		if (err)
			return err;
		return ok ? -EOPNOTSUPP : -EINVAL; /* alarm clocks: no RTC device */
	}
	int id;
	err = timers_posix_create(t, &p, &id);
	if (err)
		return err;
	if (task_copy_out(t, a[2], &id, sizeof id)) {
		timers_posix_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(timer_settime)
{
	int id = (int)a[0];
	int flags = (int)a[1];
	struct itimerspec its;
	if (!a[2])
		return -EINVAL;
	if (task_copy_in(t, &its, a[2], sizeof its))
		return -EFAULT;
	if (!timespec_valid(&its.it_value) || !timespec_valid(&its.it_interval))
		return -EINVAL;
	struct ktimer_spec new_spec = { timespec_to_ns_sat(&its.it_value),
					timespec_to_ns_sat(&its.it_interval) };
	struct ktimer_spec old;
	int err = timers_posix_set(t, id, flags, &new_spec, a[3] ? &old : NULL);
	if (err)
		return err;
	if (a[3]) {
		/* The timer stays armed when the old value cannot be written. */
		struct itimerspec ots = spec_to_itimerspec(&old);
		if (task_copy_out(t, a[3], &ots, sizeof ots))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(timer_gettime)
{
	struct ktimer_spec cur;
	int err = timers_posix_get(t, (int)a[0], &cur);
	if (err)
		return err;
	struct itimerspec its = spec_to_itimerspec(&cur);
	return task_copy_out(t, a[1], &its, sizeof its);
}

SYSCALL_DEFINE(timer_getoverrun)
{
	return timers_posix_getoverrun(t, (int)a[0]);
}

SYSCALL_DEFINE(timer_delete)
{
	return timers_posix_delete(t, (int)a[0]);
}

/* ---- restart_syscall(2) -------------------------------------------------------- */

/* The run loop makes an interrupted call that returned
 * -ERESTART_RESTARTBLOCK re-enter here when no handler ran; the restart
 * block says how to carry on (the sleeps in sys_time.c set it). */
SYSCALL_DEFINE(restart_syscall)
{
	return task_run_restart_block(t);
}
