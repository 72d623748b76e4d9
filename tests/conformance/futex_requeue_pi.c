/* futex_requeue_pi: FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI, the
 * condition-variable-to-PI-mutex handoff (futex(2)).
 * Argument checks: uaddr == uaddr2 EINVAL (both ops), nr_wake != 1 EINVAL,
 * negative nr_requeue EINVAL, *uaddr != val3 EAGAIN, *uaddr != val EAGAIN,
 * EFAULT for bad uaddr, uaddr2 and timeout pointers, an absolute timeout
 * (CLOCK_MONOTONIC, or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME) before
 * any requeue ETIMEDOUT. Handoff: a waiter requeued to a free PI futex
 * wakes owning it (word = its tid); waiters requeued to a held PI futex
 * (FUTEX_WAITERS set) get it one by one through UNLOCK_PI; with a free
 * PI futex the first wakes owning it and the rest are requeued; a requeued
 * waiter whose lock stays held times out ETIMEDOUT; a signal before the
 * requeue does not end the wait (Linux restarts it); a signal after the
 * requeue gives EAGAIN. Pairing: CMP_REQUEUE_PI meeting a plain FUTEX_WAIT
 * waiter EINVAL; FUTEX_WAKE and FUTEX_CMP_REQUEUE meeting a
 * WAIT_REQUEUE_PI waiter EINVAL; CMP_REQUEUE_PI to another uaddr2 than the
 * waiter's EINVAL (the waiter stays); a shared CMP_REQUEUE_PI does not find
 * a private waiter. */
#include "tap.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#define WAIT_RQ_PI (FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG)
#define CMP_RQ_PI (FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG)

static long futex6(int *uaddr, int op, int val, const void *ts_or_val2, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts_or_val2, uaddr2, val3);
}

/* CMP_REQUEUE_PI(uaddr, nr_wake 1, nr_requeue, uaddr2, val3). */
static long cmp_requeue_pi(int *uaddr, int op, long nr_requeue, int *uaddr2, int val3)
{
	return futex6(uaddr, op, 1, (void *)nr_requeue, uaddr2, val3);
}

static void nap_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static struct timespec abs_in_ms(clockid_t clock, int ms)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* ---- a WAIT_REQUEUE_PI waiter thread -------------------------------- */

struct waiter {
	int *cond, *mutex;
	int op;                  /* WAIT_REQUEUE_PI with its flags */
	const struct timespec *abs;
	pthread_t th;
	volatile pid_t tid;
	volatile int started, done;
	volatile long ret;
	volatile int err;
	volatile int word_after; /* the PI word right after the wait */
	volatile long unlock_ret;
};

static int order[8], order_next;
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	w->tid = gettid_();
	w->started = 1;
	errno = 0;
	w->ret = futex6(w->cond, w->op, 0, w->abs, w->mutex, 0);
	w->err = errno;
	w->word_after = load(w->mutex);
	if (w->ret == 0) {
		pthread_mutex_lock(&order_lock);
		order[order_next++] = w->tid;
		pthread_mutex_unlock(&order_lock);
		w->unlock_ret = futex6(w->mutex, FUTEX_UNLOCK_PI | (w->op & FUTEX_PRIVATE_FLAG), 0, NULL,
				       NULL, 0);
	}
	w->done = 1;
	return NULL;
}

static void waiter_start(struct waiter *w, int *cond, int *mutex, const struct timespec *abs)
{
	w->cond = cond;
	w->mutex = mutex;
	if (!w->op)
		w->op = WAIT_RQ_PI;
	w->abs = abs;
	w->started = w->done = 0;
	pthread_create(&w->th, NULL, waiter_main, w);
	while (!w->started)
		nap_ms(1);
}

/* Wait until some WAIT_REQUEUE_PI waiter is queued on cond: a plain
 * FUTEX_WAKE that meets one fails with EINVAL (and wakes nobody). */
static int wait_queued(int *cond, int private_flag)
{
	for (int i = 0; i < 5000; i++) {
		long r = futex6(cond, FUTEX_WAKE | private_flag, 1, NULL, NULL, 0);
		if (r < 0 && errno == EINVAL)
			return 1;
		nap_ms(1);
	}
	return 0;
}

/* Call CMP_REQUEUE_PI until it moves `want` waiters in all (or fails);
 * returns the total, or the first error as -errno. */
static long requeue_until(int *cond, int *mutex, long nr_requeue, int want)
{
	long total = 0;
	for (int i = 0; i < 5000 && total < want; i++) {
		long r = cmp_requeue_pi(cond, CMP_RQ_PI, nr_requeue, mutex, load(cond));
		if (r < 0)
			return -errno;
		total += r;
		if (total < want)
			nap_ms(1);
	}
	return total;
}

/* ---- argument checks ------------------------------------------------- */

static void check_arguments(void)
{
	int cond = 0, mutex = 0;
	struct timespec ts = abs_in_ms(CLOCK_MONOTONIC, 10);

	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, NULL, &cond, 0), EINVAL, "WAIT_REQUEUE_PI with uaddr == uaddr2 EINVAL");
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 1, NULL, &mutex, 0), EAGAIN, "WAIT_REQUEUE_PI with *uaddr != val EAGAIN");
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, &ts, &mutex, 0), ETIMEDOUT,
		  "WAIT_REQUEUE_PI absolute CLOCK_MONOTONIC timeout ETIMEDOUT");
	ts = abs_in_ms(CLOCK_REALTIME, 10);
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI | FUTEX_CLOCK_REALTIME, 0, &ts, &mutex, 0), ETIMEDOUT,
		  "WAIT_REQUEUE_PI with FUTEX_CLOCK_REALTIME ETIMEDOUT");
	ts.tv_nsec = 1000000000L;
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, &ts, &mutex, 0), EINVAL, "WAIT_REQUEUE_PI bad timespec EINVAL");
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, tap_unmapped_page(), &mutex, 0), EFAULT,
		  "WAIT_REQUEUE_PI bad timeout pointer EFAULT");
	CHECK_ERR(futex6(tap_unmapped_page(), WAIT_RQ_PI, 0, NULL, &mutex, 0), EFAULT,
		  "WAIT_REQUEUE_PI unmapped uaddr EFAULT");
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, NULL, BAD_KERNEL, 0), EFAULT,
		  "WAIT_REQUEUE_PI kernel uaddr2 EFAULT");
	CHECK_ERR(futex6(&cond, WAIT_RQ_PI, 0, NULL, (int *)((char *)&mutex + 1), 0), EINVAL,
		  "WAIT_REQUEUE_PI unaligned uaddr2 EINVAL");

	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &mutex, 0), 0, "CMP_REQUEUE_PI without waiters returns 0");
	CHECK_EQ(mutex, 0, "and leaves the PI word alone");
	CHECK_ERR(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &mutex, 7), EAGAIN, "CMP_REQUEUE_PI with *uaddr != val3 EAGAIN");
	CHECK_ERR(futex6(&cond, CMP_RQ_PI, 0, (void *)1L, &mutex, 0), EINVAL, "CMP_REQUEUE_PI nr_wake 0 EINVAL");
	CHECK_ERR(futex6(&cond, CMP_RQ_PI, 2, (void *)1L, &mutex, 0), EINVAL, "CMP_REQUEUE_PI nr_wake 2 EINVAL");
	CHECK_ERR(futex6(&cond, CMP_RQ_PI, 1, (void *)(long)-1, &mutex, 0), EINVAL,
		  "CMP_REQUEUE_PI negative nr_requeue EINVAL");
	CHECK_ERR(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &cond, 0), EINVAL, "CMP_REQUEUE_PI with uaddr == uaddr2 EINVAL");
	CHECK_ERR(cmp_requeue_pi(tap_unmapped_page(), CMP_RQ_PI, 1, &mutex, 0), EFAULT,
		  "CMP_REQUEUE_PI unmapped uaddr EFAULT");
	CHECK_ERR(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, tap_unmapped_page(), 0), EFAULT,
		  "CMP_REQUEUE_PI unmapped uaddr2 EFAULT");
	CHECK_ERR(futex6(&cond, FUTEX_CMP_REQUEUE_PI | FUTEX_CLOCK_REALTIME, 1, (void *)1L, &mutex, 0), ENOSYS,
		  "CMP_REQUEUE_PI with FUTEX_CLOCK_REALTIME ENOSYS");
}

/* ---- handoffs --------------------------------------------------------- */

static void check_single_handoff(void)
{
	static int cond, mutex;
	struct waiter w = { 0 };
	waiter_start(&w, &cond, &mutex, NULL);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "the waiter is queued on the condition word");
	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, 0, &mutex, 0), 1, "CMP_REQUEUE_PI to a free PI futex wakes one");
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0, "the waiter returned 0");
	CHECK_EQ(w.word_after, w.tid, "owning the PI futex (word = its tid, no FUTEX_WAITERS)");
	CHECK_EQ(w.unlock_ret, 0, "and unlocked it");
	CHECK_EQ(mutex, 0, "the PI futex is free again");
}

static void check_handoff_chain(void)
{
	static int cond, mutex;
	struct waiter w[3] = { 0 };
	pid_t me = gettid_();
	order_next = 0;
	CHECK_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), "we hold the PI futex");
	for (int i = 0; i < 3; i++)
		waiter_start(&w[i], &cond, &mutex, NULL);
	CHECK_EQ(requeue_until(&cond, &mutex, INT_MAX, 3), 3, "CMP_REQUEUE_PI requeued the 3 waiters in all");
	CHECK_EQ((unsigned)load(&mutex), (unsigned)me | FUTEX_WAITERS, "the held PI word now has FUTEX_WAITERS");
	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, INT_MAX, &mutex, 0), 0, "nobody is left on the condition word");
	nap_ms(20);
	int early = 0;
	for (int i = 0; i < 3; i++)
		early |= w[i].done;
	CHECK(!early, "requeued waiters sleep while the PI futex is held");
	CHECK_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), "UNLOCK_PI hands it on");
	for (int i = 0; i < 3; i++)
		pthread_join(w[i].th, NULL);
	int all = 1;
	for (int i = 0; i < 3; i++)
		all &= w[i].ret == 0 && (w[i].word_after & FUTEX_TID_MASK) == w[i].tid && w[i].unlock_ret == 0;
	CHECK(all, "each waiter returned 0 owning the PI futex and unlocked it");
	CHECK_EQ(order_next, 3, "three handoffs");
	CHECK(order[0] != order[1] && order[1] != order[2] && order[0] != order[2], "one by one, each once");
	CHECK_EQ(mutex, 0, "free at the end");
}

/* A free PI futex: the first waiter wakes owning it, the rest are
 * requeued (FUTEX_WAITERS is set for them). */
static void check_wake_and_requeue(void)
{
	static int cond, mutex;
	struct waiter w[2] = { 0 };
	order_next = 0;
	waiter_start(&w[0], &cond, &mutex, NULL);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "first waiter queued");
	waiter_start(&w[1], &cond, &mutex, NULL);
	nap_ms(50);
	long first = cmp_requeue_pi(&cond, CMP_RQ_PI, INT_MAX, &mutex, 0);
	tap_diag("first CMP_REQUEUE_PI returned %ld", first);
	CHECK(first >= 1, "CMP_REQUEUE_PI on a free PI futex wakes the first waiter");
	long total = first < 0 ? first : first + (first < 2 ? requeue_until(&cond, &mutex, INT_MAX, 2 - first) : 0);
	CHECK_EQ(total, 2, "woken + requeued = 2");
	pthread_join(w[0].th, NULL);
	pthread_join(w[1].th, NULL);
	CHECK(w[0].ret == 0 && w[1].ret == 0, "both returned 0");
	CHECK_EQ(order[0], w[0].tid, "the first waiter got it first");
	CHECK_EQ(w[0].word_after & FUTEX_TID_MASK, w[0].tid, "owning it");
	CHECK_EQ(w[1].word_after & FUTEX_TID_MASK, w[1].tid, "then the second, through its UNLOCK_PI");
	CHECK(w[0].unlock_ret == 0 && w[1].unlock_ret == 0, "both unlocked");
	CHECK_EQ(mutex, 0, "free at the end");
}

/* ---- pairing rules ---------------------------------------------------- */

static int plain_word;
static volatile int plain_started;
static volatile long plain_ret = -2;

static void *plain_waiter(void *arg)
{
	plain_started = 1;
	plain_ret = futex6(&plain_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void check_pairing(void)
{
	static int mutex, other;
	pthread_t th;
	pthread_create(&th, NULL, plain_waiter, NULL);
	while (!plain_started)
		nap_ms(1);
	long r = 0;
	for (int i = 0; i < 5000 && r == 0; i++) {
		errno = 0;
		r = cmp_requeue_pi(&plain_word, CMP_RQ_PI, 1, &mutex, 0);
		if (r == 0)
			nap_ms(1);
	}
	CHECK(r == -1 && errno == EINVAL, "CMP_REQUEUE_PI meeting a plain FUTEX_WAIT waiter EINVAL");
	CHECK_EQ(mutex, 0, "the PI word is untouched");
	CHECK_EQ(futex6(&plain_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1, "the plain waiter is still there");
	pthread_join(th, NULL);
	CHECK_EQ(plain_ret, 0, "and was woken by FUTEX_WAKE");

	static int cond;
	struct waiter w = { 0 };
	waiter_start(&w, &cond, &mutex, NULL);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "FUTEX_WAKE meeting a WAIT_REQUEUE_PI waiter EINVAL");
	CHECK_ERR(futex6(&cond, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 0), EINVAL,
		  "FUTEX_CMP_REQUEUE meeting a WAIT_REQUEUE_PI waiter EINVAL");
	CHECK_ERR(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &other, 0), EINVAL,
		  "CMP_REQUEUE_PI to another PI futex than the waiter's EINVAL");
	CHECK_EQ(other, 0, "which is untouched");
	CHECK_EQ(cmp_requeue_pi(&cond, FUTEX_CMP_REQUEUE_PI, 1, &mutex, 0), 0,
		  "a shared CMP_REQUEUE_PI does not find the private waiter");
	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &mutex, 0), 1, "the waiter stayed: requeued to its own PI futex");
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0, "and got it");
	CHECK_EQ(mutex, 0, "and unlocked it");
}

/* ---- timeouts and signals -------------------------------------------- */

static void check_timeout_after_requeue(void)
{
	static int cond, mutex;
	struct waiter w = { 0 };
	pid_t me = gettid_();
	CHECK_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), "we hold the PI futex");
	struct timespec abs = abs_in_ms(CLOCK_MONOTONIC, 300);
	waiter_start(&w, &cond, &mutex, &abs);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "a waiter with a timeout is queued");
	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &mutex, 0), 1, "requeued to the held PI futex");
	pthread_join(w.th, NULL);
	CHECK(w.ret == -1 && w.err == ETIMEDOUT, "its timeout while queued on the PI futex ETIMEDOUT");
	CHECK_EQ(w.word_after & FUTEX_TID_MASK, me, "we still own the PI futex");
	CHECK_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), "UNLOCK_PI after the waiter left");
	CHECK_EQ(mutex, 0, "free at the end");
}

static volatile int signals_seen;

static void on_usr1(int sig)
{
	signals_seen++;
}

static void check_signals(void)
{
	static int cond, mutex;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */

	struct waiter w = { 0 };
	waiter_start(&w, &cond, &mutex, NULL);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "waiter queued");
	pthread_kill(w.th, SIGUSR1);
	while (!signals_seen)
		nap_ms(1);
	nap_ms(20);
	CHECK(!w.done, "a signal before the requeue does not end the wait");
	CHECK_EQ(requeue_until(&cond, &mutex, 0, 1), 1, "the waiter is still requeueable");
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0, "and got the PI futex");
	CHECK_EQ(mutex, 0, "and unlocked it");

	struct waiter w2 = { 0 };
	CHECK_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), "we hold the PI futex");
	waiter_start(&w2, &cond, &mutex, NULL);
	CHECK(wait_queued(&cond, FUTEX_PRIVATE_FLAG), "another waiter queued");
	CHECK_EQ(cmp_requeue_pi(&cond, CMP_RQ_PI, 1, &mutex, 0), 1, "requeued to the held PI futex");
	nap_ms(20);
	pthread_kill(w2.th, SIGUSR1);
	pthread_join(w2.th, NULL);
	CHECK(w2.ret == -1 && w2.err == EAGAIN, "a signal after the requeue EAGAIN");
	CHECK_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), "UNLOCK_PI");
	CHECK_EQ(mutex, 0, "free at the end");
}

int main(void)
{
	check_arguments();
	check_single_handoff();
	check_handoff_chain();
	check_wake_and_requeue();
	check_pairing();
	check_timeout_after_requeue();
	check_signals();
	return tap_done();
}
