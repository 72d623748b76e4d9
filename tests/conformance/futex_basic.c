/* futex_basic: single-threaded futex semantics: WAIT with a stale value is
 * EAGAIN, WAIT with a timeout is ETIMEDOUT after the timeout, WAKE with no
 * waiters returns 0, private and bitset variants, EINVAL and EFAULT. */
#include "tap.h"
#include <linux/futex.h>
#include <time.h>

static long futex(void *uaddr, int op, int val, const void *ts, void *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
	static int word = 5, other = 0;
	struct timespec ts = { 0, 20 * 1000000L };
	CHECK_ERR(futex(&word, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN, "WAIT with a different value EAGAIN");
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), EAGAIN, "private WAIT stale EAGAIN");
	long t0 = now_ns();
	CHECK_ERR(futex(&word, FUTEX_WAIT, 5, &ts, NULL, 0), ETIMEDOUT, "WAIT with a relative timeout ETIMEDOUT");
	CHECK(now_ns() - t0 >= 20 * 1000000L, "waited at least the timeout");
	t0 = now_ns();
	struct timespec abs = { 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 10 * 1000000L;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT,
		  "WAIT_BITSET with an absolute timeout ETIMEDOUT");
	CHECK(now_ns() - t0 >= 9 * 1000000L, "waited until the deadline");
	CHECK_EQ(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0, "WAKE with no waiters returns 0");
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0), 0, "private WAKE returns 0");
	CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 1), 0, "WAKE_BITSET returns 0");
	CHECK_EQ(futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, &other, 0), 0, "REQUEUE with no waiters returns 0");
	CHECK_EQ(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 5), 0, "CMP_REQUEUE matching value");
	CHECK_ERR(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 6), EAGAIN, "CMP_REQUEUE stale value EAGAIN");
	CHECK_EQ(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other, FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0)),
		 0, "WAKE_OP with no waiters");
	CHECK_EQ(other, 7, "WAKE_OP stored into the second word");

	CHECK_ERR(futex(&word, 99, 0, NULL, NULL, 0), ENOSYS, "unknown op ENOSYS");
	CHECK_ERR(futex((char *)&word + 1, FUTEX_WAIT, 5, &ts, NULL, 0), EINVAL, "unaligned address EINVAL");
	CHECK_ERR(futex(&word, FUTEX_WAIT, 5, &(struct timespec){ 0, -1 }, NULL, 0), EINVAL, "bad timeout EINVAL");
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 5, &ts, NULL, 0), EINVAL, "WAIT_BITSET with bitset 0 EINVAL");
	CHECK_ERR(futex(BAD_LOW - 1 + 4, FUTEX_WAIT, 0, &ts, NULL, 0), EFAULT, "WAIT on a bad address EFAULT");
	CHECK_ERR(futex(tap_unmapped_page(), FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0), EFAULT, "WAIT on unmapped memory EFAULT");
	CHECK_ERR(futex(&word, FUTEX_WAIT, 5, BAD_LOW, NULL, 0), EFAULT, "bad timeout pointer EFAULT");
	return tap_done();
}
