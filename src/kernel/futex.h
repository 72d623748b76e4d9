/*
 * Futexes (futex(2)): wait queues keyed by the futex word.
 *
 * A key is (address space, address, private or not): Linux's key for
 * private futexes and for shared futexes on private mappings. A shared
 * futex on MAP_SHARED memory is keyed by the memory-file offset of the
 * word, so waiters and wakers in different processes meet.
 */
#ifndef MOAT_KERNEL_FUTEX_H
#define MOAT_KERNEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct mm;
struct task;

/* A futex: (mm, address) for private futexes and words in private
 * memory; for a shared futex in shared memory, the memory-file offset of
 * the word (`shared`, nonzero) so that every process mapping that memory
 * meets on it. addr is always the caller's address of the word. */
struct futex_key {
	const struct mm *mm;
	uint64_t addr;
	uint64_t shared;   /* memory-file offset + 1, or 0 */
	/* FUTEX_PRIVATE_FLAG: a private and a shared operation on the same
	 * word of private memory do not meet (Linux's keys differ). */
	bool private;
};

#define FUTEX_BITSET_ANY 0xffffffffu

/* Sleep on key while the 32-bit word at key.addr equals val, until a wake
 * whose bitset intersects bitset, the deadline (absolute CLOCK_MONOTONIC,
 * NULL for none) or an interrupt. 0 when woken, -EAGAIN (the word differs),
 * -EFAULT, -ETIMEDOUT or -EINTR. */
int futex_wait(struct task *t, struct futex_key key, uint32_t val, uint32_t bitset,
	       const struct timespec *deadline);

/* Wake up to n waiters on key whose bitset intersects bitset (at least one,
 * as Linux does for n <= 0). Returns how many were woken, or -EINVAL when
 * a PI waiter waits on key (futex_requeue and futex_wake_op too). */
int futex_wake(struct futex_key key, uint32_t bitset, int n);

/* Wake up to nr_wake waiters on from and move up to nr_requeue more to to.
 * With check, first -EAGAIN unless the word at from.addr equals cmpval
 * (read through t). Returns the number woken plus requeued. */
int futex_requeue(struct task *t, struct futex_key from, struct futex_key to, int nr_wake,
		  int nr_requeue, bool check, uint32_t cmpval);

/* FUTEX_WAKE_OP: atomically apply encoded_op to the word at op_key.addr,
 * wake up to nr_wake waiters on key, and, when the op's comparison of the
 * old value holds, up to nr_wake2 on op_key. Returns the number woken,
 * -EFAULT, or -ENOSYS for a bad op or comparison (as Linux, the op has
 * been applied when only the comparison is bad). */
int futex_wake_op(struct task *t, struct futex_key key, struct futex_key op_key, int nr_wake,
		  int nr_wake2, uint32_t encoded_op);

/* FUTEX_LOCK_PI/LOCK_PI2 (trylock false) and FUTEX_TRYLOCK_PI (true):
 * take the PI futex key for t, sleeping in FIFO order while another
 * thread holds it, until the deadline (absolute CLOCK_MONOTONIC, NULL for
 * none). 0, -EDEADLK (t owns it), -ESRCH (the word names no live thread),
 * -EAGAIN (trylock, held), -ETIMEDOUT, -ERESTARTNOINTR (interrupted:
 * Linux restarts it) or -EFAULT. */
int futex_lock_pi(struct task *t, struct futex_key key, const struct timespec *deadline, bool trylock);

/* FUTEX_UNLOCK_PI: hand the lock to the first waiter, or free it. 0,
 * -EPERM (t does not own it) or -EFAULT. */
int futex_unlock_pi(struct task *t, struct futex_key key);

/* FUTEX_WAIT_REQUEUE_PI: sleep on the non-PI futex key while its word
 * equals val, until FUTEX_CMP_REQUEUE_PI to pi_key either hands t the PI
 * futex pi_key or moves t to pi_key's waiters, where it sleeps as
 * FUTEX_LOCK_PI does. Deadline: absolute CLOCK_MONOTONIC, NULL for none.
 * 0 (t owns pi_key), -EINVAL (key == pi_key), -EAGAIN (the word differs,
 * or a signal after the requeue, as Linux), -ETIMEDOUT, -ERESTARTNOINTR
 * (a signal before the requeue: Linux restarts it) or -EFAULT. */
int futex_wait_requeue_pi(struct task *t, struct futex_key key, uint32_t val,
			  struct futex_key pi_key, const struct timespec *deadline);

/* FUTEX_CMP_REQUEUE_PI with nr_wake 1: -EAGAIN unless the word at from
 * equals cmpval; then try to take the PI futex `to` for the first waiter
 * of from (it wakes owning it) and move up to nr_requeue more (or
 * nr_requeue, when the first could not take it) to the waiters of `to`.
 * Returns the number woken plus moved; -EINVAL when a waiter met is not a
 * FUTEX_WAIT_REQUEUE_PI one for `to` (waiters moved before it stay moved),
 * or the errors of FUTEX_LOCK_PI for that waiter (-EDEADLK, -ESRCH,
 * -EFAULT). */
int futex_cmp_requeue_pi(struct task *t, struct futex_key from, struct futex_key to,
			 int nr_requeue, uint32_t cmpval);

/* Task `dead` has left the live task list: kick the PI waiters waiting
 * for it, so that the first takes its locks with FUTEX_OWNER_DIED (Linux's
 * exit_pi_state_list). Safe to call without any lock held. */
void futex_exit_pi(struct task *dead);

/* Wake up to n waiters on (mm, addr): CLONE_CHILD_CLEARTID at thread exit,
 * and the robust list (which also kicks PI waiters to look again). */
int futex_wake_addr(struct mm *mm, uint64_t addr, int n);

#endif
