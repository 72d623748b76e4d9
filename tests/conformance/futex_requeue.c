/* futex_requeue: FUTEX_CMP_REQUEUE and FUTEX_REQUEUE between threads.
 * Four threads wait on word A; CMP_REQUEUE with nr_wake 0 moves them to
 * word B without waking them (a WAKE on A then finds nobody); CMP_REQUEUE
 * B->A with 1 to wake and 1 to requeue returns 2; REQUEUE B->A likewise;
 * WAKE on A wakes exactly the requeued ones; every waiter returns 0 from
 * its FUTEX_WAIT. Negative counts EINVAL. */
#include "tap.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <time.h>

#define N 4
static int word_a, word_b;
static volatile int woke, results[N];

static long futex(int *uaddr, int op, int val, long val2, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void *waiter(void *arg)
{
	long i = (long)arg;
	results[i] = (int)futex(&word_a, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
	__atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void nap(void)
{
	struct timespec ts = { 0, 5 * 1000000L };
	nanosleep(&ts, NULL);
}

static int wait_woke(int n)
{
	for (int i = 0; i < 1000 && __atomic_load_n(&woke, __ATOMIC_SEQ_CST) < n; i++)
		nap();
	return woke;
}

int main(void)
{
	pthread_t th[N];
	for (long i = 0; i < N; i++)
		pthread_create(&th[i], NULL, waiter, (void *)i);
	/* Move the waiters to B as they arrive: CMP_REQUEUE returns how many
	 * it moved. */
	long moved = 0;
	for (int i = 0; i < 1000 && moved < N; i++) {
		long r = futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &word_b, 0);
		if (r > 0)
			moved += r;
		if (moved < N)
			nap();
	}
	CHECK_EQ(moved, N, "CMP_REQUEUE with nr_wake 0 moved all four waiters to B");
	CHECK_EQ(woke, 0, "without waking any");
	CHECK_EQ(futex(&word_a, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 0, "a WAKE on A finds nobody");
	CHECK_ERR(futex(&word_b, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word_a, 1), EAGAIN, "CMP_REQUEUE with a stale value EAGAIN");
	CHECK_EQ(futex(&word_b, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word_a, 0), 2,
		 "CMP_REQUEUE B->A waking 1 and moving 1 returns 2");
	CHECK_EQ(wait_woke(1), 1, "one waiter woke");
	CHECK_EQ(futex(&word_b, FUTEX_REQUEUE_PRIVATE, 1, 5, &word_a, 0), 2,
		 "REQUEUE B->A waking 1 and moving the other returns 2 (woken + moved)");
	CHECK_EQ(wait_woke(2), 2, "a second waiter woke");
	CHECK_EQ(futex(&word_b, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 0, "B is empty now");
	CHECK_EQ(futex(&word_a, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 2, "WAKE on A wakes the two requeued waiters");
	CHECK_EQ(wait_woke(N), N, "all four woke");
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	int all_zero = 1;
	for (int i = 0; i < N; i++)
		all_zero &= results[i] == 0;
	CHECK(all_zero, "every FUTEX_WAIT returned 0");
	CHECK_ERR(futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, -1, 1, &word_b, 0), EINVAL, "negative nr_wake EINVAL");
	CHECK_ERR(futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, -1, &word_b, 0), EINVAL, "negative nr_requeue EINVAL");
	return tap_done();
}
