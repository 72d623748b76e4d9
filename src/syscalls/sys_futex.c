/*
 * futex(2): FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET,
 * FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP and the priority-
 * inheritance operations FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI,
 * FUTEX_UNLOCK_PI, FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI, with
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. The checks follow the order
 * of Linux's sys_futex and do_futex so that bad arguments give the same
 * errno. Shared futexes in shared memory are keyed by the memory-file
 * offset of the word, so processes meet on them; a private and a shared
 * operation on one word do not meet, as in Linux.
 */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "kernel/futex.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"

#define NSEC_PER_SEC 1000000000L
/* Timeouts this far away are treated as no timeout (they cannot expire
 * before the sandbox does; avoids overflow in deadline arithmetic). */
#define FAR_FUTURE_SEC (1LL << 40)

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < (unsigned long)NSEC_PER_SEC;
}

static void timespec_normalize_add(struct timespec *acc, const struct timespec *d)
{
	acc->tv_sec += d->tv_sec;
	acc->tv_nsec += d->tv_nsec;
	if (acc->tv_nsec >= NSEC_PER_SEC) {
		acc->tv_sec++;
		acc->tv_nsec -= NSEC_PER_SEC;
	}
}

static bool cmd_has_timeout(int cmd)
{
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI:
		return true;
	}
	return false;
}

/*
 * Turn the application's timeout into an absolute CLOCK_MONOTONIC deadline
 * for task_block(). FUTEX_WAIT's timeout is relative; the other waits take
 * an absolute time on CLOCK_MONOTONIC, or CLOCK_REALTIME with
 * FUTEX_CLOCK_REALTIME. A realtime deadline is converted once at the start:
 * the sandbox cannot set the clock, so only host clock steps are missed.
 * Sets *infinite when the deadline is too far away to matter.
 */
static void futex_deadline(int cmd, int op, const struct timespec *ts, struct timespec *deadline,
			   bool *infinite)
{
	*infinite = ts->tv_sec >= FAR_FUTURE_SEC;
	if (*infinite)
		return;
	if (cmd == FUTEX_WAIT) {
		clock_gettime(CLOCK_MONOTONIC, deadline);
		timespec_normalize_add(deadline, ts);
		return;
	}
	/* FUTEX_LOCK_PI's timeout is always on CLOCK_REALTIME (futex(2)). */
	if (cmd != FUTEX_LOCK_PI && !(op & FUTEX_CLOCK_REALTIME)) {
		*deadline = *ts;
		return;
	}
	struct timespec rt_now, mono_now;
	clock_gettime(CLOCK_REALTIME, &rt_now);
	clock_gettime(CLOCK_MONOTONIC, &mono_now);
	long long ns = (ts->tv_sec - rt_now.tv_sec) * (long long)NSEC_PER_SEC +
		       (ts->tv_nsec - rt_now.tv_nsec);
	if (ns < 0)
		ns = 0;
	struct timespec rel = { .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
	*deadline = mono_now;
	timespec_normalize_add(deadline, &rel);
}

/* Linux's get_futex_key(): the word must be 4-byte aligned and a user
 * address; a shared futex must also be mapped (Linux pins its page). */
static int futex_key_of(struct task *t, uint64_t addr, bool private, struct futex_key *key)
{
	if (addr % sizeof(uint32_t))
		return -EINVAL;
	if (addr > ARCH_TASK_SIZE)
		return -EFAULT;
	if (!private) {
		uint32_t probe;
		int err = task_copy_in(t, &probe, addr, sizeof(probe));
		if (err)
			return err;
	}
	key->mm = t->mm;
	key->addr = addr;
	key->shared = private ? 0 : mm_futex_shared_key(t->mm, addr);
	key->private = private;
	return 0;
}

static long do_wait(struct task *t, uint64_t uaddr, bool private, uint32_t val, uint32_t bitset,
		    const struct timespec *deadline)
{
	if (!bitset)
		return -EINVAL;
	struct futex_key key;
	int err = futex_key_of(t, uaddr, private, &key);
	if (err)
		return err;
	/* TODO: -ERESTARTSYS (no timeout) / -ERESTART_RESTARTBLOCK once the
	 * syscall exit path restarts; until then interruption is EINTR. */
	return futex_wait(t, key, val, bitset, deadline);
}

static long do_wake(struct task *t, uint64_t uaddr, bool private, int n, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	struct futex_key key;
	int err = futex_key_of(t, uaddr, private, &key);
	if (err)
		return err;
	return futex_wake(key, bitset, n);
}

static long do_requeue(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
		       int nr_wake, int nr_requeue, bool check, uint32_t cmpval)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	struct futex_key from, to;
	int err = futex_key_of(t, uaddr, private, &from);
	if (!err)
		err = futex_key_of(t, uaddr2, private, &to);
	if (err)
		return err;
	return futex_requeue(t, from, to, nr_wake, nr_requeue, check, cmpval);
}

static long do_wake_op(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
		       int nr_wake, int nr_wake2, uint32_t op)
{
	struct futex_key key, op_key;
	int err = futex_key_of(t, uaddr, private, &key);
	if (!err)
		err = futex_key_of(t, uaddr2, private, &op_key);
	if (err)
		return err;
	return futex_wake_op(t, key, op_key, nr_wake, nr_wake2, op);
}

static long do_lock_pi(struct task *t, uint64_t uaddr, bool private,
		       const struct timespec *deadline, bool trylock)
{
	struct futex_key key;
	int err = futex_key_of(t, uaddr, private, &key);
	if (err)
		return err;
	return futex_lock_pi(t, key, deadline, trylock);
}

static long do_unlock_pi(struct task *t, uint64_t uaddr, bool private)
{
	struct futex_key key;
	int err = futex_key_of(t, uaddr, private, &key);
	if (err)
		return err;
	return futex_unlock_pi(t, key);
}

/* The keys of two words, a's first (its fault is the one reported). */
static int two_keys(struct task *t, bool private, uint64_t a, struct futex_key *ka, uint64_t b,
		    struct futex_key *kb)
{
	int err = futex_key_of(t, a, private, ka);
	return err ? err : futex_key_of(t, b, private, kb);
}

/* Linux's futex_wait_requeue_pi(): the addresses, then uaddr2's key, then
 * uaddr's word. */
static long do_wait_requeue_pi(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
			       uint32_t val, const struct timespec *deadline)
{
	if (uaddr == uaddr2)
		return -EINVAL;
	struct futex_key key, pi_key;
	int err = two_keys(t, private, uaddr2, &pi_key, uaddr, &key);
	if (err)
		return err;
	return futex_wait_requeue_pi(t, key, val, pi_key, deadline);
}

/* Linux's futex_requeue() with requeue_pi: only one waiter may be woken,
 * the one that gets the PI futex without waiting. */
static long do_cmp_requeue_pi(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
			      int nr_wake, int nr_requeue, uint32_t cmpval)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if (uaddr == uaddr2 || nr_wake != 1)
		return -EINVAL;
	struct futex_key from, to;
	int err = two_keys(t, private, uaddr, &from, uaddr2, &to);
	if (err)
		return err;
	return futex_cmp_requeue_pi(t, from, to, nr_requeue, cmpval);
}

SYSCALL_DEFINE(futex)
{
	uint64_t uaddr = a[0], utime = a[3], uaddr2 = a[4];
	int op = (int)a[1];
	uint32_t val = (uint32_t)a[2], val3 = (uint32_t)a[5];
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;

	struct timespec deadline_ts, *deadline = NULL;
	if (utime && cmd_has_timeout(cmd)) {
		struct timespec ts;
		if (task_copy_in(t, &ts, utime, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
		bool infinite;
		futex_deadline(cmd, op, &ts, &deadline_ts, &infinite);
		if (!infinite)
			deadline = &deadline_ts;
	}

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;

	switch (cmd) {
	case FUTEX_WAIT:
		return do_wait(t, uaddr, private, val, FUTEX_BITSET_ANY, deadline);
	case FUTEX_WAIT_BITSET:
		return do_wait(t, uaddr, private, val, val3, deadline);
	case FUTEX_WAKE:
		return do_wake(t, uaddr, private, (int)val, FUTEX_BITSET_ANY);
	case FUTEX_WAKE_BITSET:
		return do_wake(t, uaddr, private, (int)val, val3);
	case FUTEX_REQUEUE:
		return do_requeue(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)utime, false, 0);
	case FUTEX_CMP_REQUEUE:
		return do_requeue(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)utime, true,
				  val3);
	case FUTEX_WAKE_OP:
		return do_wake_op(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)utime, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return do_lock_pi(t, uaddr, private, deadline, false);
	case FUTEX_TRYLOCK_PI:
		return do_lock_pi(t, uaddr, private, NULL, true);
	case FUTEX_UNLOCK_PI:
		return do_unlock_pi(t, uaddr, private);
	case FUTEX_WAIT_REQUEUE_PI:
		return do_wait_requeue_pi(t, uaddr, uaddr2, private, val, deadline);
	case FUTEX_CMP_REQUEUE_PI:
		return do_cmp_requeue_pi(t, uaddr, uaddr2, private, (int)val, (int)(uint32_t)utime,
					 val3);
	default:
		/* Linux: unknown (and removed, like FUTEX_FD) commands. */
		return -ENOSYS;
	}
}
