/* timer_posix: POSIX timers. timer_create with SIGEV_SIGNAL delivers the
 * signal with si_code SI_TIMER and the sigev_value; timer_gettime counts
 * down and shows the interval; a periodic timer whose signal is blocked
 * accumulates overruns (timer_getoverrun > 0 after delivery); TIMER_ABSTIME;
 * SIGEV_NONE counts down without a signal; SIGEV_THREAD_ID sends to the
 * chosen thread (and a tid outside the process is EINVAL); disarm with a
 * zero value; timer_delete, after which the id is EINVAL; EINVAL for a bad
 * clock, bad notify, bad signal, bad tv_nsec. */
#include "tap.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile int hits, got_code, got_val, got_overrun;
static volatile pid_t got_tid;

static void rec(int sig, siginfo_t *si, void *uc)
{
	hits++;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
	got_overrun = si->si_overrun;
	got_tid = syscall(SYS_gettid);
}

static long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int wait_hits(int n)
{
	long end = mono_ms() + 5000;
	while (hits < n && mono_ms() < end) {
		struct timespec ts = { 0, 5 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return hits >= n;
}

static pthread_barrier_t bar;
static volatile pid_t worker_tid;
static void *worker(void *arg)
{
	worker_tid = syscall(SYS_gettid);
	pthread_barrier_wait(&bar);
	wait_hits(1);
	pthread_barrier_wait(&bar);
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = rec, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigaction(SIGRTMIN, &sa, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	ev.sigev_value.sival_int = 31337;
	timer_t t;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &t), "timer_create SIGEV_SIGNAL");
	struct itimerspec its = { .it_value = { 0, 20 * 1000000L } }, cur;
	CHECK_OK(timer_settime(t, 0, &its, NULL), "arm 20 ms one-shot");
	CHECK(wait_hits(1), "it fired");
	CHECK_EQ(got_code, SI_TIMER, "si_code SI_TIMER");
	CHECK_EQ(got_val, 31337, "si_value is the sigev_value");
	CHECK_OK(timer_gettime(t, &cur), "timer_gettime");
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "disarmed after firing");

	its.it_value = (struct timespec){ 10, 0 };
	its.it_interval = (struct timespec){ 5, 0 };
	timer_settime(t, 0, &its, NULL);
	timer_gettime(t, &cur);
	CHECK(cur.it_value.tv_sec >= 8 && cur.it_value.tv_sec <= 10, "gettime counts down from 10 s");
	CHECK(cur.it_interval.tv_sec == 5 && cur.it_interval.tv_nsec == 0, "and shows the interval");
	struct itimerspec zero = { 0 }, old;
	CHECK_OK(timer_settime(t, 0, &zero, &old), "disarm with a zero value");
	CHECK(old.it_value.tv_sec >= 8, "returning the old setting");
	timer_gettime(t, &cur);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "disarmed");

	/* Overruns: block the signal, let a 5 ms timer run for 100 ms. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	hits = 0;
	its.it_value = (struct timespec){ 0, 5 * 1000000L };
	its.it_interval = its.it_value;
	timer_settime(t, 0, &its, NULL);
	struct timespec nap = { 0, 100 * 1000000L };
	nanosleep(&nap, NULL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	int overrun = timer_getoverrun(t);
	timer_settime(t, 0, &zero, NULL);
	CHECK(hits >= 1, "the blocked periodic timer signal is delivered on unblocking");
	CHECK(got_overrun > 0, "si_overrun counts the missed expirations");
	CHECK(overrun > 0, "timer_getoverrun too");

	/* Absolute time. */
	hits = 0;
	its.it_interval = (struct timespec){ 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &its.it_value);
	its.it_value.tv_nsec += 10 * 1000000L;
	if (its.it_value.tv_nsec >= 1000000000L) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000L;
	}
	CHECK_OK(timer_settime(t, TIMER_ABSTIME, &its, NULL), "TIMER_ABSTIME 10 ms ahead");
	CHECK(wait_hits(1), "fired");
	clock_gettime(CLOCK_MONOTONIC, &its.it_value);
	its.it_value.tv_sec -= 1;
	hits = 0;
	timer_settime(t, TIMER_ABSTIME, &its, NULL);
	CHECK(wait_hits(1), "an absolute time in the past fires at once");
	CHECK_OK(timer_delete(t), "timer_delete");
	CHECK_ERR(timer_gettime(t, &cur), EINVAL, "a deleted timer EINVAL");
	CHECK_ERR(timer_delete(t), EINVAL, "deleting it again EINVAL");

	/* SIGEV_NONE. */
	ev.sigev_notify = SIGEV_NONE;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &t), "SIGEV_NONE timer");
	its.it_value = (struct timespec){ 5, 0 };
	timer_settime(t, 0, &its, NULL);
	timer_gettime(t, &cur);
	CHECK(cur.it_value.tv_sec >= 3 && cur.it_value.tv_sec <= 5, "counts down");
	hits = 0;
	its.it_value = (struct timespec){ 0, 1000000L };
	timer_settime(t, 0, &its, NULL);
	nanosleep(&nap, NULL);
	CHECK_EQ(hits, 0, "and sends nothing when it expires");
	timer_delete(t);

	/* SIGEV_THREAD_ID. */
	pthread_barrier_init(&bar, NULL, 2);
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	pthread_barrier_wait(&bar);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_notify_thread_id = worker_tid;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &t), "SIGEV_THREAD_ID timer for the worker");
	hits = 0;
	its.it_value = (struct timespec){ 0, 10 * 1000000L };
	timer_settime(t, 0, &its, NULL);
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	CHECK_EQ(hits, 1, "fired");
	CHECK_EQ(got_tid, worker_tid, "the handler ran on the chosen thread");
	timer_delete(t);

	ev.sigev_notify_thread_id = 0x3fffffff;
	CHECK_ERR(timer_create(CLOCK_MONOTONIC, &ev, &t), EINVAL, "SIGEV_THREAD_ID with a foreign tid EINVAL");
	ev.sigev_notify = SIGEV_SIGNAL;
	CHECK_ERR(timer_create(12345, &ev, &t), EINVAL, "bad clock EINVAL");
	ev.sigev_signo = 65;
	CHECK_ERR(timer_create(CLOCK_MONOTONIC, &ev, &t), EINVAL, "bad signal EINVAL");
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_notify = 99;
	CHECK_ERR(timer_create(CLOCK_MONOTONIC, &ev, &t), EINVAL, "bad notify EINVAL");
	ev.sigev_notify = SIGEV_SIGNAL;
	timer_create(CLOCK_MONOTONIC, &ev, &t);
	its.it_value = (struct timespec){ 0, 1000000000L };
	CHECK_ERR(timer_settime(t, 0, &its, NULL), EINVAL, "tv_nsec 1e9 EINVAL");
	timer_delete(t);
	signal(SIGRTMIN, SIG_DFL);
	return tap_done();
}
