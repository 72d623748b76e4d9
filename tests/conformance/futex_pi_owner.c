/* futex_pi_owner: priority-inheritance futexes between threads. Waiters
 * get the lock in the order they came (equal priorities); UNLOCK_PI hands
 * it straight to the first waiter (word = its tid | FUTEX_WAITERS); a
 * signal does not make LOCK_PI fail with EINTR (Linux restarts it); a plain
 * FUTEX_WAKE on a word with a PI waiter EINVAL; LOCK_PI2 times out on
 * CLOCK_MONOTONIC; LOCK_PI with FUTEX_CLOCK_REALTIME ENOSYS. Owner death:
 * a thread exiting while holding a PI lock that is not on its robust list
 * hands it to the waiter with FUTEX_OWNER_DIED; without a waiter the stale
 * word gives ESRCH; a robust PI pthread mutex whose owner exits gives
 * EOWNERDEAD to the thread blocked on it and to a later locker. Last, a
 * PTHREAD_PRIO_INHERIT mutex contended by 4 threads keeps its counter. */
#include "tap.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

static long futex(int *uaddr, int op, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, 0, ts, NULL, 0);
}

static void nap_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
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

/* ---- FIFO hand-off ---------------------------------------------------- */

static int fifo_word;
static int fifo_order[3], fifo_next;
static pid_t fifo_tids[3];
static volatile int fifo_word_at_handoff[3];

static void *fifo_waiter(void *arg)
{
	int i = (int)(long)arg;
	fifo_tids[i] = gettid_();
	long r = futex(&fifo_word, FUTEX_LOCK_PI_PRIVATE, NULL);
	fifo_word_at_handoff[i] = load(&fifo_word);
	if (r == 0)
		fifo_order[fifo_next++] = i;
	futex(&fifo_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);
	return NULL;
}

static void check_fifo(void)
{
	pthread_t th[3];
	CHECK_OK(futex(&fifo_word, FUTEX_LOCK_PI_PRIVATE, NULL), "main takes the lock");
	for (int i = 0; i < 3; i++) {
		pthread_create(&th[i], NULL, fifo_waiter, (void *)(long)i);
		/* Let it block before the next one comes. */
		nap_ms(50);
	}
	CHECK(load(&fifo_word) & FUTEX_WAITERS, "FUTEX_WAITERS is set while they wait");
	CHECK_ERR(futex(&fifo_word, FUTEX_WAKE_PRIVATE, NULL), EINVAL,
		  "FUTEX_WAKE on a word with PI waiters EINVAL");
	CHECK_OK(futex(&fifo_word, FUTEX_UNLOCK_PI_PRIVATE, NULL), "UNLOCK_PI with waiters");
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK(fifo_next == 3 && fifo_order[0] == 0 && fifo_order[1] == 1 && fifo_order[2] == 2,
	      "the waiters got the lock in the order they came");
	CHECK_EQ((unsigned)fifo_word_at_handoff[0], (unsigned)fifo_tids[0] | FUTEX_WAITERS,
		 "handed off: the word is the first waiter's tid | FUTEX_WAITERS");
	CHECK_EQ((unsigned)fifo_word_at_handoff[2], (unsigned)fifo_tids[2] | FUTEX_WAITERS,
		 "the last waiter too gets FUTEX_WAITERS set");
	CHECK_EQ(load(&fifo_word), 0, "free at the end");
}

/* ---- signals ---------------------------------------------------------- */

static int sig_word;
static volatile int sig_handled;
static volatile long sig_result = -5;
static volatile pid_t sig_tid;

static void on_usr1(int sig)
{
	sig_handled++;
}

static void *sig_waiter(void *arg)
{
	sig_tid = gettid_();
	sig_result = futex(&sig_word, FUTEX_LOCK_PI_PRIVATE, NULL);
	if (sig_result == 0)
		futex(&sig_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);
	else
		sig_result = -errno;
	return NULL;
}

static void check_signal(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };   /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	futex(&sig_word, FUTEX_LOCK_PI_PRIVATE, NULL);
	pthread_t th;
	pthread_create(&th, NULL, sig_waiter, NULL);
	nap_ms(30);
	pthread_kill(th, SIGUSR1);
	nap_ms(30);
	CHECK_EQ(sig_handled, 1, "the blocked locker ran its handler");
	CHECK_EQ(sig_result, -5, "LOCK_PI did not return EINTR");
	futex(&sig_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);
	pthread_join(th, NULL);
	CHECK_EQ(sig_result, 0, "it got the lock after the unlock");
}

/* ---- timeouts --------------------------------------------------------- */

static void *hold_forever(void *arg)
{
	futex(arg, FUTEX_LOCK_PI_PRIVATE, NULL);
	for (;;)
		pause();
	return NULL;
}

static void check_timeouts(void)
{
	static int word;
	pthread_t th;
	pthread_create(&th, NULL, hold_forever, &word);
	while (!load(&word))
		nap_ms(1);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20 * 1000000L;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	CHECK_ERR(futex(&word, FUTEX_LOCK_PI2_PRIVATE, &abs), ETIMEDOUT,
		  "LOCK_PI2 with an absolute CLOCK_MONOTONIC timeout ETIMEDOUT");
	struct timespec past = { 1, 0 };
	CHECK_ERR(futex(&word, FUTEX_LOCK_PI2_PRIVATE | FUTEX_CLOCK_REALTIME, &past), ETIMEDOUT,
		  "LOCK_PI2 with FUTEX_CLOCK_REALTIME and a past time ETIMEDOUT");
	CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE | FUTEX_CLOCK_REALTIME, &past), ENOSYS,
		  "LOCK_PI with FUTEX_CLOCK_REALTIME ENOSYS");
	struct timespec bad = { 0, 1000000000L };
	CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, &bad), EINVAL, "a bad timeout EINVAL");
}

/* ---- owner death ------------------------------------------------------ */

static int dead_word;
static volatile pid_t dead_tid;

static void *lock_and_exit(void *arg)
{
	dead_tid = gettid_();
	futex(arg, FUTEX_LOCK_PI_PRIVATE, NULL);
	nap_ms(100);
	return NULL;
}

static void check_owner_death(void)
{
	pthread_t th;
	pthread_create(&th, NULL, lock_and_exit, &dead_word);
	while (!load(&dead_word))
		nap_ms(1);
	/* Blocks until the owner exits (not on its robust list). */
	CHECK_OK(futex(&dead_word, FUTEX_LOCK_PI_PRIVATE, NULL),
		 "the waiter gets a lock whose owner exited");
	CHECK_EQ((unsigned)load(&dead_word), (unsigned)gettid_() | FUTEX_WAITERS | FUTEX_OWNER_DIED,
		 "the word is our tid | FUTEX_WAITERS | FUTEX_OWNER_DIED");
	pthread_join(th, NULL);
	CHECK_OK(futex(&dead_word, FUTEX_UNLOCK_PI_PRIVATE, NULL), "and unlock it");
	CHECK_EQ(load(&dead_word), 0, "free again");

	static int stale;
	pthread_create(&th, NULL, lock_and_exit, &stale);
	pthread_join(th, NULL);
	CHECK_EQ(load(&stale), dead_tid, "a lock held by an exited thread still names it");
	CHECK_ERR(futex(&stale, FUTEX_LOCK_PI_PRIVATE, NULL), ESRCH, "LOCK_PI then ESRCH");
	CHECK_ERR(futex(&stale, FUTEX_TRYLOCK_PI_PRIVATE, NULL), ESRCH, "TRYLOCK_PI too");
}

/* ---- robust PI pthread mutex ------------------------------------------ */

static pthread_mutex_t robust;
static int robust_taken;

static void *lock_robust_and_exit(void *arg)
{
	pthread_mutex_lock(&robust);
	__atomic_store_n(&robust_taken, 1, __ATOMIC_SEQ_CST);
	nap_ms((int)(long)arg);
	return NULL;
}

static void check_robust(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	CHECK_OK(-pthread_mutex_init(&robust, &a), "a robust PTHREAD_PRIO_INHERIT mutex");

	pthread_t th;
	pthread_create(&th, NULL, lock_robust_and_exit, (void *)100L);
	while (!load(&robust_taken))
		nap_ms(1);
	int r = pthread_mutex_lock(&robust);
	CHECK_EQ(r, EOWNERDEAD, "the blocked locker gets EOWNERDEAD when the owner exits");
	/* (glibc clears FUTEX_OWNER_DIED once it has reported it) */
	CHECK_EQ(robust.__data.__lock & FUTEX_TID_MASK, gettid_(), "we own it");
	pthread_join(th, NULL);
	CHECK_OK(-pthread_mutex_consistent(&robust), "pthread_mutex_consistent");
	CHECK_OK(-pthread_mutex_unlock(&robust), "unlock");

	pthread_create(&th, NULL, lock_robust_and_exit, (void *)0L);
	pthread_join(th, NULL);
	CHECK_EQ(robust.__data.__lock, FUTEX_OWNER_DIED, "after the owner's exit the word is FUTEX_OWNER_DIED");
	CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD, "a later locker gets EOWNERDEAD");
	pthread_mutex_consistent(&robust);
	CHECK_OK(-pthread_mutex_unlock(&robust), "unlock");
	CHECK_OK(-pthread_mutex_lock(&robust), "the mutex works normally again");
	pthread_mutex_unlock(&robust);
}

/* ---- contention ------------------------------------------------------- */

#define WORKERS 4
#define ROUNDS 20000

static pthread_mutex_t pi_mutex;
static long counter;

static void *worker(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&pi_mutex);
		long c = counter;
		if ((i & 255) == 0)
			sched_yield();
		counter = c + 1;
		pthread_mutex_unlock(&pi_mutex);
	}
	return NULL;
}

static void check_contention(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi_mutex, &a);
	pthread_t th[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(counter, (long)WORKERS * ROUNDS, "4 threads on a PTHREAD_PRIO_INHERIT mutex: no lost update");
	CHECK_EQ(pi_mutex.__data.__lock, 0, "the mutex word is free at the end");
}

int main(void)
{
	check_fifo();
	check_signal();
	check_timeouts();
	check_owner_death();
	check_robust();
	check_contention();
	return tap_done();
}
