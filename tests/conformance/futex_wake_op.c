/* futex_wake_op: FUTEX_WAKE_OP and the bitset operations between threads.
 * WAKE_OP's operation on the second word (SET, ADD, OR, ANDN, XOR, with
 * OPARG_SHIFT) and its old-value comparison (EQ, NE, LT, LE, GT, GE) decide
 * whether waiters on the second word are woken; the return value counts
 * both words' woken waiters. A WAIT_BITSET waiter is not woken by a
 * WAKE_BITSET with a disjoint mask, is woken by an overlapping one, and by
 * a plain WAKE. Waiters are parked with CMP_REQUEUE so that they are known
 * to be queued. */
#include "tap.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <time.h>

static int word_a, word_b, park, word_d;
static volatile int woke;

static long futex(int *uaddr, int op, int val, long val2, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void *park_waiter(void *arg)
{
	futex(&park, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
	__atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *bitset_waiter(void *arg)
{
	futex(&park, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, NULL, 0x1);
	__atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void nap(void)
{
	struct timespec ts = { 0, 5 * 1000000L };
	nanosleep(&ts, NULL);
}

/* Starts a waiter on `park` and moves it onto `target`. */
static int park_on(int *target, void *(*fn)(void *), pthread_t *th)
{
	pthread_create(th, NULL, fn, NULL);
	for (int i = 0; i < 1000; i++) {
		if (futex(&park, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, target, 0) == 1)
			return 1;
		nap();
	}
	return 0;
}

static int wait_woke(int n)
{
	for (int i = 0; i < 1000 && __atomic_load_n(&woke, __ATOMIC_SEQ_CST) < n; i++)
		nap();
	return woke;
}

static long wake_op(int op, int oparg, int cmp, int cmparg)
{
	return futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word_b, FUTEX_OP(op, oparg, cmp, cmparg));
}

int main(void)
{
	word_b = 10;
	CHECK_EQ(wake_op(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0), 0, "SET with no waiters returns 0");
	CHECK_EQ(word_b, 5, "SET stored 5");
	wake_op(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(word_b, 8, "ADD 3");
	wake_op(FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(word_b, 0x38, "OR 0x30");
	wake_op(FUTEX_OP_ANDN, 0x8, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(word_b, 0x30, "ANDN 0x8");
	wake_op(FUTEX_OP_XOR, 0x11, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(word_b, 0x21, "XOR 0x11");
	wake_op(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 6, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(word_b, 64, "SET with OPARG_SHIFT stores 1 << 6");

	pthread_t th;
	word_b = 0;
	CHECK(park_on(&word_b, park_waiter, &th), "a waiter is queued on the second word");
	int cmps[] = { FUTEX_OP_CMP_EQ, FUTEX_OP_CMP_NE, FUTEX_OP_CMP_LT, FUTEX_OP_CMP_LE, FUTEX_OP_CMP_GT, FUTEX_OP_CMP_GE };
	const char *names[] = { "EQ", "NE", "LT", "LE", "GT", "GE" };
	/* With old value 0: the false comparison for each operator. */
	int false_arg[] = { 1, 0, 0, -1, 0, 1 };
	int all_false = 1;
	for (int i = 0; i < 6; i++) {
		word_b = 0;
		long r = wake_op(FUTEX_OP_SET, 0, cmps[i], false_arg[i]);
		all_false &= r == 0;
		if (r != 0)
			tap_diag("CMP_%s woke %ld", names[i], r);
	}
	CHECK(all_false && woke == 0, "a false comparison (each of EQ NE LT LE GT GE) wakes nobody on the second word");
	word_b = 4;
	CHECK_EQ(wake_op(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GE, 4), 1, "a true comparison (old 4 >= 4) wakes the waiter");
	CHECK_EQ(word_b, 5, "after the ADD");
	CHECK_EQ(wait_woke(1), 1, "it woke");
	pthread_join(th, NULL);

	CHECK(park_on(&word_d, bitset_waiter, &th), "a WAIT_BITSET(0x1) waiter is queued");
	CHECK_EQ(futex(&word_d, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL, 0x2), 0, "WAKE_BITSET 0x2 does not wake it");
	CHECK_EQ(futex(&word_d, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 0, NULL, 0x3), 1, "WAKE_BITSET 0x3 does");
	CHECK_EQ(wait_woke(2), 2, "it woke");
	pthread_join(th, NULL);
	CHECK(park_on(&word_d, bitset_waiter, &th), "another WAIT_BITSET(0x1) waiter");
	CHECK_EQ(futex(&word_d, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 1, "a plain WAKE (match any) wakes it");
	pthread_join(th, NULL);
	CHECK_ERR(futex(&word_d, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0), EINVAL, "WAKE_BITSET with mask 0 EINVAL");
	CHECK_ERR(futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word_b, FUTEX_OP(7, 0, 0, 0)), ENOSYS,
		  "WAKE_OP with an unknown operation ENOSYS");
	return tap_done();
}
