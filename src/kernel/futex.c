/*
 * Futex wait queues: a fixed hash table of buckets, each a lock and a list
 * of waiters. A waiter lives on the waiting task's stack for the duration
 * of futex_wait(); wakers unlink it, mark it woken and wake its task while
 * holding the bucket lock, so the waiter never returns while a waker still
 * touches it.
 *
 * The check of the futex word and the queueing happen under the bucket
 * lock, and every waker takes that lock, so a wake that follows a change of
 * the word is never lost (futex(2): "the load of the value of the futex
 * word ... and the blocking ... are atomic").
 */
#include "kernel/futex.h"
#include "mm/mm.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/task.h"
#include "syscalls/syscalls.h"

struct futex_bucket;

/* What a waiter sleeps for. Linux keeps the kinds apart: a plain wake or
 * requeue that meets a PI waiter fails with EINVAL. */
enum futex_waiter_kind {
	WAITER_PLAIN,        /* FUTEX_WAIT, FUTEX_WAIT_BITSET */
	WAITER_LOCK_PI,      /* FUTEX_LOCK_PI, FUTEX_LOCK_PI2, and requeued
			      * FUTEX_WAIT_REQUEUE_PI waiters */
	WAITER_REQUEUE_PI,   /* FUTEX_WAIT_REQUEUE_PI before its requeue */
};

struct futex_waiter {
	struct futex_waiter *next, **pprev;
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
	enum futex_waiter_kind kind;
	/* PI waiters: the waiter's own TID as stored in futex words; whether
	 * an unlocker (or CMP_REQUEUE_PI) made it the owner; the owner it
	 * waits for (NULL when unknown or dead), for futex_exit_pi(). */
	int tid;
	bool pi_acquired;
	struct task *owner;
	/* WAITER_REQUEUE_PI: the PI futex it may only be requeued to, as
	 * the waiter addressed it (its key once requeued). */
	struct futex_key requeue_key;
	/* The bucket whose list holds (or last held) this waiter; requeue
	 * changes it while holding both bucket locks. */
	_Atomic(struct futex_bucket *) bucket;
};

struct futex_bucket {
	pthread_mutex_t lock;
	struct futex_waiter *first;
};

#define FUTEX_HASH_BITS 8
#define FUTEX_HASH_SIZE (1u << FUTEX_HASH_BITS)

static struct futex_bucket futex_table[FUTEX_HASH_SIZE] = {
	[0 ... FUTEX_HASH_SIZE - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};

static bool key_equal(struct futex_key a, struct futex_key b)
{
	if (a.shared || b.shared)
		return a.shared == b.shared;
	return a.mm == b.mm && a.addr == b.addr && a.private == b.private;
}

static struct futex_bucket *bucket_of(struct futex_key key)
{
	uint64_t h = key.shared ? key.shared : ((uint64_t)(uintptr_t)key.mm >> 4) ^ key.addr;
	h *= 0x9e3779b97f4a7c15ull;
	return &futex_table[h >> (64 - FUTEX_HASH_BITS)];
}

static void bucket_insert_tail(struct futex_bucket *b, struct futex_waiter *w)
{
	struct futex_waiter **link = &b->first;
	while (*link)
		link = &(*link)->next;
	w->next = NULL;
	w->pprev = link;
	*link = w;
	atomic_store(&w->bucket, b);
}

static void waiter_unlink(struct futex_waiter *w)
{
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	w->next = NULL;
	w->pprev = NULL;
}

/* Lock the bucket that currently holds w: a requeue may move w between
 * reading w->bucket and locking it, so check again under the lock. */
static struct futex_bucket *lock_waiter_bucket(struct futex_waiter *w)
{
	for (;;) {
		struct futex_bucket *b = atomic_load(&w->bucket);
		pthread_mutex_lock(&b->lock);
		if (atomic_load(&w->bucket) == b)
			return b;
		pthread_mutex_unlock(&b->lock);
	}
}

/* Called with w's bucket locked. */
static void waiter_wake(struct futex_waiter *w)
{
	waiter_unlink(w);
	w->woken = true;
	task_wake(w->task);
}

static int read_word(struct task *t, uint64_t addr, uint32_t *val)
{
	return task_copy_in(t, val, addr, sizeof(*val));
}

int futex_wait(struct task *t, struct futex_key key, uint32_t val, uint32_t bitset,
	       const struct timespec *deadline)
{
	struct futex_bucket *b = bucket_of(key);
	struct futex_waiter w = { .key = key, .bitset = bitset, .task = t };
	uint32_t cur;

	pthread_mutex_lock(&b->lock);
	int err = read_word(t, key.addr, &cur);
	if (err == 0 && cur != val)
		err = -EAGAIN;
	if (err) {
		pthread_mutex_unlock(&b->lock);
		return err;
	}
	bucket_insert_tail(b, &w);
	pthread_mutex_unlock(&b->lock);

	for (;;) {
		int r = task_block(t, deadline);
		b = lock_waiter_bucket(&w);
		if (w.woken) {
			/* A wake that raced with a timeout or interrupt wins,
			 * as in Linux: the waker counted us. */
			pthread_mutex_unlock(&b->lock);
			return 0;
		}
		if (r < 0) {
			waiter_unlink(&w);
			pthread_mutex_unlock(&b->lock);
			return r;
		}
		/* Spurious wake of the task (another object's wake): sleep on. */
		pthread_mutex_unlock(&b->lock);
	}
}

/* Wake up to n waiters on key in b (locked) whose bitset intersects
 * bitset. A PI waiter cannot be woken by a plain wake (Linux: EINVAL, after
 * waking the plain waiters before it) unless kick_pi: then it is only
 * kicked to look at the word again, keeping its place in the queue (the
 * robust-list exit path, which has just set FUTEX_OWNER_DIED). */
static int wake_locked(struct futex_bucket *b, struct futex_key key, uint32_t bitset, int n,
		       bool kick_pi)
{
	int woken = 0;
	struct futex_waiter *w = b->first;
	while (w) {
		struct futex_waiter *next = w->next;
		if (key_equal(w->key, key) && (w->bitset & bitset)) {
			if (w->kind != WAITER_PLAIN) {
				if (!kick_pi)
					return -EINVAL;
				task_wake(w->task);
			} else {
				waiter_wake(w);
			}
			/* Linux counts after waking, so n <= 0 still wakes one. */
			if (++woken >= n)
				break;
		}
		w = next;
	}
	return woken;
}

int futex_wake(struct futex_key key, uint32_t bitset, int n)
{
	struct futex_bucket *b = bucket_of(key);
	pthread_mutex_lock(&b->lock);
	int woken = wake_locked(b, key, bitset, n, false);
	pthread_mutex_unlock(&b->lock);
	return woken;
}

static void lock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->lock);
	} else if (a < b) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	pthread_mutex_unlock(&a->lock);
	if (a != b)
		pthread_mutex_unlock(&b->lock);
}

/* Move w (in b1, locked) to key `to` in b2 (locked). */
static void waiter_requeue(struct futex_waiter *w, struct futex_bucket *b1,
			   struct futex_bucket *b2, struct futex_key to)
{
	w->key = to;
	if (b1 == b2)
		return;
	waiter_unlink(w);
	bucket_insert_tail(b2, w);
}

int futex_requeue(struct task *t, struct futex_key from, struct futex_key to, int nr_wake,
		  int nr_requeue, bool check, uint32_t cmpval)
{
	struct futex_bucket *b1 = bucket_of(from), *b2 = bucket_of(to);
	int count = 0;

	lock_two(b1, b2);
	if (check) {
		uint32_t cur;
		int err = read_word(t, from.addr, &cur);
		if (err == 0 && cur != cmpval)
			err = -EAGAIN;
		if (err) {
			unlock_two(b1, b2);
			return err;
		}
	}
	struct futex_waiter *w = b1->first;
	while (w) {
		/* The order of Linux's futex_requeue(): stop once nr_requeue
		 * waiters beyond the nr_wake woken ones have been moved. */
		if (count - nr_wake >= nr_requeue)
			break;
		struct futex_waiter *next = w->next;
		if (key_equal(w->key, from)) {
			/* PI waiters are not requeued (Linux: EINVAL). */
			if (w->kind != WAITER_PLAIN) {
				count = -EINVAL;
				break;
			}
			if (++count <= nr_wake)
				waiter_wake(w);
			else
				waiter_requeue(w, b1, b2, to);
		}
		w = next;
	}
	unlock_two(b1, b2);
	return count;
}

/*
 * Atomic compare-and-exchange of a 32-bit application word, through the
 * memory file (atomic with respect to the application's own accesses: the
 * same physical page). From mm (TODO for the lead: mm.c provides it; until
 * then FUTEX_WAKE_OP is ENOSYS). 0 with the previous value in *actual, or
 * -EFAULT when the word is not writable.
 */
int mm_cmpxchg_u32(struct task *t, uint64_t addr, uint32_t expected, uint32_t desired,
		   uint32_t *actual) __attribute__((weak));

/* The operation of FUTEX_WAKE_OP (futex(2)): 0 or -ENOSYS. */
static int wake_op_apply(uint32_t op, uint32_t oparg, uint32_t old, uint32_t *new_val)
{
	switch (op) {
	case 0: *new_val = oparg; break;        /* FUTEX_OP_SET */
	case 1: *new_val = old + oparg; break;  /* FUTEX_OP_ADD */
	case 2: *new_val = old | oparg; break;  /* FUTEX_OP_OR */
	case 3: *new_val = old & ~oparg; break; /* FUTEX_OP_ANDN */
	case 4: *new_val = old ^ oparg; break;  /* FUTEX_OP_XOR */
	default: return -ENOSYS;
	}
	return 0;
}

static int32_t sign_extend12(uint32_t v)
{
	return (int32_t)(v << 20) >> 20;
}

/* Linux's futex_atomic_op_inuser(): apply the op, then compare the old
 * value; 1 or 0 for the comparison, or a negative errno. */
static int wake_op_atomic(struct task *t, uint64_t addr, uint32_t encoded)
{
	uint32_t op = (encoded >> 28) & 7;
	uint32_t cmp = (encoded >> 24) & 15;
	int32_t oparg = sign_extend12((encoded >> 12) & 0xfff);
	int32_t cmparg = sign_extend12(encoded & 0xfff);
	if (encoded & (1u << 31)) /* FUTEX_OP_OPARG_SHIFT */
		oparg = (int32_t)(1u << (oparg & 31));
	if (op > 4)
		return -ENOSYS;
	if (!mm_cmpxchg_u32) {
		syscall_report_unsupported("futex FUTEX_WAKE_OP (no atomic access to memory)");
		return -ENOSYS;
	}

	uint32_t old, new_val, actual;
	int err = read_word(t, addr, &old);
	for (; !err; old = actual) {
		wake_op_apply(op, (uint32_t)oparg, old, &new_val);
		err = mm_cmpxchg_u32(t, addr, old, new_val, &actual);
		if (!err && actual == old)
			break;
	}
	if (err)
		return err;

	int32_t o = (int32_t)old;
	switch (cmp) {
	case 0: return o == cmparg; /* FUTEX_OP_CMP_EQ */
	case 1: return o != cmparg; /* FUTEX_OP_CMP_NE */
	case 2: return o < cmparg;  /* FUTEX_OP_CMP_LT */
	case 3: return o <= cmparg; /* FUTEX_OP_CMP_LE */
	case 4: return o > cmparg;  /* FUTEX_OP_CMP_GT */
	case 5: return o >= cmparg; /* FUTEX_OP_CMP_GE */
	default: return -ENOSYS;
	}
}

int futex_wake_op(struct task *t, struct futex_key key, struct futex_key op_key, int nr_wake,
		  int nr_wake2, uint32_t encoded_op)
{
	struct futex_bucket *b1 = bucket_of(key), *b2 = bucket_of(op_key);
	lock_two(b1, b2);
	int cmp = wake_op_atomic(t, op_key.addr, encoded_op);
	if (cmp < 0) {
		unlock_two(b1, b2);
		return cmp;
	}
	int woken = wake_locked(b1, key, FUTEX_BITSET_ANY, nr_wake, false);
	if (cmp && woken >= 0) {
		int woken2 = wake_locked(b2, op_key, FUTEX_BITSET_ANY, nr_wake2, false);
		woken = woken2 < 0 ? woken2 : woken + woken2;
	}
	unlock_two(b1, b2);
	return woken;
}

/* Wake up to n waiters on key, kicking PI waiters too (exit paths). */
static int wake_any(struct futex_key key, int n)
{
	struct futex_bucket *b = bucket_of(key);
	pthread_mutex_lock(&b->lock);
	int woken = wake_locked(b, key, FUTEX_BITSET_ANY, n, true);
	pthread_mutex_unlock(&b->lock);
	return woken;
}

int futex_wake_addr(struct mm *mm, uint64_t addr, int n)
{
	struct futex_key key = { .mm = mm, .addr = addr, .private = true };
	/* CLONE_CHILD_CLEARTID wakes as a shared futex (Linux uses a
	 * non-private wake); moat lets private waiters hear it too. */
	int n1 = wake_any(key, n);
	key.private = false;
	if (n1 < n)
		n1 += wake_any(key, n - n1);
	key.shared = mm_futex_shared_key(mm, addr);
	if (key.shared && n1 < n)
		n1 += wake_any(key, n - n1);
	return n1;
}

/* ---- priority-inheritance futexes ------------------------------------
 *
 * futex(2), "Priority-inheritance futexes": the word holds the owner's TID
 * plus FUTEX_WAITERS and FUTEX_OWNER_DIED. Priorities do not matter here
 * (the sentry does not schedule by them), so moat keeps no pi_state: the
 * word is the owner, and the PI waiters of a word wait in FIFO order on
 * its bucket. Every decision is taken under the bucket lock and every
 * change of the word is a compare-and-exchange, so user space changing the
 * word at the same time makes us read it again.
 *
 * Handing on: UNLOCK_PI gives the lock straight to the first waiter
 * (word = its TID | FUTEX_WAITERS, as Linux's wake_futex_pi). When the
 * owner dies, the first waiter takes the lock with FUTEX_OWNER_DIED:
 * either the robust list set the word to FUTEX_OWNER_DIED and kicked it
 * (task_exit.c), or the word still names the dead owner (a lock not on
 * the robust list: Linux's exit_pi_state_list); futex_exit_pi() kicks the
 * dead owner's waiters, and waiters also look at their owner again every
 * PI_OWNER_RECHECK_MS, so no exit path can leave them asleep forever.
 */

#define PI_OWNER_RECHECK_MS 100

/* What pi_try_lock() tells its caller besides 0 (the caller owns the
 * lock now) and a negative errno: wait in the queue; or the owner is
 * exiting and nobody waits yet, so wait for it to be gone and try again
 * (Linux's wait_for_owner_exiting), to find the word it leaves. */
#define PI_MUST_WAIT 1
#define PI_OWNER_EXITING 2
/* How often a locker looks again at an exiting owner. */
#define PI_EXITING_RECHECK_MS 1

/* Tasks inside a PI lock operation (counted before they look at an
 * owner, so that an owner's futex_exit_pi() after that look sees them);
 * futex_exit_pi() skips the scan of the table when there are none. */
static atomic_int pi_lockers;

/* The caller's TID as futex words hold it: in the caller's PID namespace
 * (what gettid() returned to it). */
static int futex_tid_of(struct task *t)
{
	return task_vtid(t);
}

enum owner_state { OWNER_LIVE, OWNER_EXITING, OWNER_DEAD };

/* What became of the task that TID tid (in t's PID namespace) names: the
 * one lookup of a futex owner. *owner is the task unless dead; it is only
 * compared afterwards, never followed.
 * Linux's futex_state: a task that will not run application code again
 * is EXITING; one that has left the live task list (a zombie thread-group
 * leader keeps its TID until reaped) is DEAD, owning nothing. */
static enum owner_state futex_owner_state(struct task *t, int tid, struct task **owner)
{
	struct kernel *k = t->kernel;
	enum owner_state st = OWNER_DEAD;
	*owner = NULL;
	pthread_mutex_lock(&k->lock);
	struct task *o = task_by_vnr_locked(t, tid);
	if (o && (o->all_prev || k->all_tasks == o)) {
		*owner = o;
		st = __atomic_load_n(&o->exiting, __ATOMIC_SEQ_CST) ? OWNER_EXITING : OWNER_LIVE;
	}
	pthread_mutex_unlock(&k->lock);
	return st;
}

static struct futex_waiter *first_pi_waiter(struct futex_bucket *b, struct futex_key key)
{
	for (struct futex_waiter *w = b->first; w; w = w->next)
		if (w->kind == WAITER_LOCK_PI && key_equal(w->key, key))
			return w;
	return NULL;
}

/* Kick the first PI waiter of key, if any, to look at the word again. */
static void kick_first_pi_waiter(struct futex_bucket *b, struct futex_key key)
{
	struct futex_waiter *first = first_pi_waiter(b, key);
	if (first)
		task_wake(first->task);
}

/* Replace the word `old` by `new`: 0 when done, 1 when the word was no
 * longer `old` (read it again), or -EFAULT. */
static int word_replace(struct task *t, uint64_t addr, uint32_t old, uint32_t new)
{
	uint32_t actual;
	int err = mm_cmpxchg_u32(t, addr, old, new, &actual);
	if (err)
		return err;
	return actual == old ? 0 : 1;
}

/* Make the lock word new (w's task owns it) if it still reads word; a
 * queued w leaves the queue. word_replace()'s result: 1 means retry. */
static int pi_take(struct task *t, uint64_t addr, uint32_t word, uint32_t new,
		   struct futex_waiter *w, bool queued)
{
	int err = word_replace(t, addr, word, new);
	if (!err && queued)
		waiter_unlink(w);
	return err;
}

/* pi_try_lock() flags. PI_QUEUED: w already waits on b for key (and
 * leaves it when it takes the lock). PI_SET_WAITERS: set FUTEX_WAITERS
 * when taking a free lock, because more waiters are about to be queued
 * (CMP_REQUEUE_PI). */
#define PI_QUEUED 1u
#define PI_SET_WAITERS 2u

/*
 * One attempt to take the PI futex key for w's task, with key's bucket b
 * locked (Linux's futex_lock_pi_atomic); t, the caller (w's task, or the
 * task running CMP_REQUEUE_PI for it), reads the word at key.addr.
 * Returns 0 (w's task owns the lock), PI_MUST_WAIT (FUTEX_WAITERS is set;
 * w->owner is the owner to wait for), PI_OWNER_EXITING or -EDEADLK,
 * -ESRCH, -EFAULT.
 */
static int pi_try_lock(struct task *t, struct futex_bucket *b, struct futex_key key,
		       struct futex_waiter *w, unsigned flags)
{
	uint64_t addr = key.addr;
	bool queued = flags & PI_QUEUED;
	uint32_t me = (uint32_t)w->tid;
	for (;;) {
		uint32_t word, new;
		int err = read_word(t, addr, &word);
		if (err)
			return err;
		uint32_t owner_tid = word & FUTEX_TID_MASK;
		if (owner_tid == me)
			return -EDEADLK;
		/* Waiters queue in FIFO order: a newcomer does not pass them,
		 * and only the first waiter takes a free or orphaned lock. */
		struct futex_waiter *first = first_pi_waiter(b, key);
		bool my_turn = queued ? first == w : first == NULL;
		w->owner = NULL;
		if (owner_tid == 0) {
			if (!my_turn) {
				if (first)
					task_wake(first->task);
				return PI_MUST_WAIT;
			}
			/* A free word: take it, keeping FUTEX_OWNER_DIED (the
			 * robust list's mark) for user space to see. A waiter
			 * taking it keeps FUTEX_WAITERS, as Linux does while
			 * kernel state is around. */
			new = me | (word & FUTEX_OWNER_DIED) |
			      (flags & (PI_QUEUED | PI_SET_WAITERS) ? FUTEX_WAITERS : 0);
			err = pi_take(t, addr, word, new, w, queued);
			if (err == 1)
				continue;
			return err;
		}
		/* Held: the owner must go to the kernel to unlock. Linux sets
		 * the bit before looking the owner up, so it stays set even
		 * when the lookup fails or a trylock gives up. */
		if (!(word & FUTEX_WAITERS)) {
			err = word_replace(t, addr, word, word | FUTEX_WAITERS);
			if (err == 1)
				continue;
			if (err)
				return err;
			word |= FUTEX_WAITERS;
		}
		struct task *owner;
		enum owner_state st = futex_owner_state(t, (int)owner_tid, &owner);
		/* A queue of waiters is Linux's pi_state: whoever joins it
		 * waits, even for an exiting owner, and gets the lock from the
		 * owner's exit (futex_exit_pi()). */
		if (st == OWNER_LIVE || (st == OWNER_EXITING && (queued || first))) {
			w->owner = owner;
			return PI_MUST_WAIT;
		}
		if (st == OWNER_EXITING)
			return PI_OWNER_EXITING;
		/* The owner is dead. Nobody waits: the word is stale (ESRCH).
		 * Waiters: the first takes the lock with FUTEX_OWNER_DIED (Linux's
		 * exit_pi_state_list gives it to the top waiter). */
		if (!first)
			return -ESRCH;
		if (!my_turn) {
			task_wake(first->task);
			return PI_MUST_WAIT;
		}
		new = me | FUTEX_WAITERS | FUTEX_OWNER_DIED;
		err = pi_take(t, addr, word, new, w, queued);
		if (err == 1)
			continue;
		return err;
	}
}

static bool deadline_passed(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* The next time a PI waiter wakes up by itself: its deadline, or sooner,
 * to look at its owner again. */
static const struct timespec *pi_sleep_until(const struct timespec *deadline, struct timespec *buf)
{
	clock_gettime(CLOCK_MONOTONIC, buf);
	buf->tv_nsec += PI_OWNER_RECHECK_MS * 1000000L;
	if (buf->tv_nsec >= 1000000000L) {
		buf->tv_sec++;
		buf->tv_nsec -= 1000000000L;
	}
	if (deadline && (deadline->tv_sec < buf->tv_sec ||
			 (deadline->tv_sec == buf->tv_sec && deadline->tv_nsec < buf->tv_nsec)))
		return deadline;
	return buf;
}

/*
 * Sleep as PI waiter w (queued on its bucket) until it owns the lock, the
 * deadline or an interrupt. Returns 0, -ETIMEDOUT, -EINTR or the error of
 * pi_try_lock(). When w gives up, the next waiter is kicked in case the
 * lock is free for it. look_first: look at the lock before sleeping (a
 * requeued waiter may have missed a kick while it was not yet a PI one).
 */
static int pi_wait_queued(struct task *t, struct futex_waiter *w, const struct timespec *deadline,
			  bool look_first)
{
	for (;;) {
		struct timespec buf;
		int r = look_first ? 0 : task_block(t, pi_sleep_until(deadline, &buf));
		look_first = false;
		struct futex_bucket *b = lock_waiter_bucket(w);
		if (w->pi_acquired) {
			/* A handoff that raced with a timeout or an interrupt
			 * wins: the lock is ours. */
			pthread_mutex_unlock(&b->lock);
			return 0;
		}
		int err = pi_try_lock(t, b, w->key, w, PI_QUEUED);
		if (err == PI_MUST_WAIT) {
			if (r == -EINTR)
				err = -EINTR;
			else if (r == -ETIMEDOUT && deadline && deadline_passed(deadline))
				err = -ETIMEDOUT;
		}
		if (err == PI_MUST_WAIT) {
			pthread_mutex_unlock(&b->lock);
			continue;
		}
		if (err < 0) {
			waiter_unlink(w);
			kick_first_pi_waiter(b, w->key);
		}
		pthread_mutex_unlock(&b->lock);
		return err;
	}
}

/* Give an exiting owner a moment to be gone: 0 (look again), -EINTR or
 * -ETIMEDOUT. */
static int wait_owner_exit(struct task *t, const struct timespec *deadline)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += PI_EXITING_RECHECK_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int r = task_block(t, &until);
	if (r == -EINTR)
		return r;
	if (deadline && deadline_passed(deadline))
		return -ETIMEDOUT;
	return 0;
}

int futex_lock_pi(struct task *t, struct futex_key key, const struct timespec *deadline, bool trylock)
{
	struct futex_bucket *b = bucket_of(key);
	struct futex_waiter w = {
		.key = key, .bitset = FUTEX_BITSET_ANY, .task = t,
		.kind = WAITER_LOCK_PI, .tid = futex_tid_of(t),
	};
	atomic_fetch_add(&pi_lockers, 1);
	int err;
	for (;;) {
		pthread_mutex_lock(&b->lock);
		err = pi_try_lock(t, b, key, &w, 0);
		if (err == PI_MUST_WAIT && trylock)
			err = -EAGAIN;
		if (err == PI_MUST_WAIT)
			bucket_insert_tail(b, &w);
		pthread_mutex_unlock(&b->lock);
		if (err != PI_OWNER_EXITING)
			break;
		err = wait_owner_exit(t, deadline);
		if (err)
			break;
	}
	if (err == PI_MUST_WAIT)
		err = pi_wait_queued(t, &w, deadline, false);
	atomic_fetch_sub(&pi_lockers, 1);
	/* Linux restarts an interrupted FUTEX_LOCK_PI: never EINTR. */
	return err == -EINTR ? -ERESTARTNOINTR : err;
}

int futex_unlock_pi(struct task *t, struct futex_key key)
{
	struct futex_bucket *b = bucket_of(key);
	uint32_t me = (uint32_t)futex_tid_of(t);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		uint32_t word;
		int err = read_word(t, key.addr, &word);
		if (!err && (word & FUTEX_TID_MASK) != me)
			err = -EPERM;
		if (err) {
			pthread_mutex_unlock(&b->lock);
			return err;
		}
		/* Hand the lock to the first waiter (clearing OWNER_DIED: it
		 * is the owner now), or free it. */
		struct futex_waiter *next = first_pi_waiter(b, key);
		uint32_t new = next ? ((uint32_t)next->tid | FUTEX_WAITERS) : 0;
		err = word_replace(t, key.addr, word, new);
		if (err == 1)
			continue;
		if (!err && next) {
			waiter_unlink(next);
			next->pi_acquired = true;
			task_wake(next->task);
		}
		pthread_mutex_unlock(&b->lock);
		return err;
	}
}

void futex_exit_pi(struct task *dead)
{
	if (atomic_load(&pi_lockers) == 0)
		return;
	for (unsigned i = 0; i < FUTEX_HASH_SIZE; i++) {
		struct futex_bucket *b = &futex_table[i];
		pthread_mutex_lock(&b->lock);
		for (struct futex_waiter *w = b->first; w; w = w->next) {
			if (w->kind == WAITER_LOCK_PI && w->owner == dead) {
				w->owner = NULL;
				task_wake(w->task);
			}
		}
		pthread_mutex_unlock(&b->lock);
	}
}

/* ---- requeue to a PI futex -------------------------------------------
 *
 * futex(2) FUTEX_WAIT_REQUEUE_PI / FUTEX_CMP_REQUEUE_PI: a condition
 * variable (a plain futex word) whose waiters are handed over to the PI
 * mutex that protects it. The waiter sleeps on the plain word as a
 * WAITER_REQUEUE_PI that names the PI futex it accepts. CMP_REQUEUE_PI
 * either takes the PI futex for the first waiter (which wakes owning it,
 * pi_acquired) or turns waiters into WAITER_LOCK_PI waiters at the tail of
 * the PI futex's queue, where they go on exactly as FUTEX_LOCK_PI callers
 * (the unlock handoff, owner death, timeouts). Only these two operations
 * pair: plain wakes and requeues that meet a WAITER_REQUEUE_PI fail with
 * EINVAL, and so does CMP_REQUEUE_PI meeting any other waiter.
 */

/* What wait_for_requeue() returns besides 0 (the PI futex was taken for
 * us) and a negative errno: we are a PI waiter of the PI futex now. */
#define REQUEUE_PI_MOVED 1

/* Sleep on the plain word until the requeue (or a handoff of the PI
 * futex), the deadline or an interrupt. */
static int wait_for_requeue(struct task *t, struct futex_waiter *w, const struct timespec *deadline)
{
	for (;;) {
		int r = task_block(t, deadline);
		struct futex_bucket *b = lock_waiter_bucket(w);
		int ret = -EINPROGRESS;
		if (w->pi_acquired) {
			ret = 0;
		} else if (w->kind == WAITER_LOCK_PI) {
			ret = REQUEUE_PI_MOVED;
		} else if (r < 0) {
			waiter_unlink(w);
			/* Linux: interrupted before the requeue, the call is
			 * restarted (it reads the word again); a timeout is
			 * ETIMEDOUT. */
			ret = r == -EINTR ? -ERESTARTNOINTR : r;
		}
		pthread_mutex_unlock(&b->lock);
		if (ret != -EINPROGRESS)
			return ret;
		/* Spurious wake of the task: sleep on. */
	}
}

int futex_wait_requeue_pi(struct task *t, struct futex_key key, uint32_t val,
			  struct futex_key pi_key, const struct timespec *deadline)
{
	struct futex_bucket *b = bucket_of(key);
	struct futex_waiter w = {
		.key = key, .bitset = FUTEX_BITSET_ANY, .task = t,
		.kind = WAITER_REQUEUE_PI, .tid = futex_tid_of(t), .requeue_key = pi_key,
	};
	uint32_t cur;

	pthread_mutex_lock(&b->lock);
	int err = read_word(t, key.addr, &cur);
	if (err == 0 && cur != val)
		err = -EAGAIN;
	/* Two addresses of one shared word (Linux compares the keys after
	 * reading the word). */
	if (err == 0 && key_equal(key, pi_key))
		err = -EINVAL;
	if (err) {
		pthread_mutex_unlock(&b->lock);
		return err;
	}
	/* Counted before a requeuer looks at the PI futex's owner for us
	 * (see futex_exit_pi()). */
	atomic_fetch_add(&pi_lockers, 1);
	bucket_insert_tail(b, &w);
	pthread_mutex_unlock(&b->lock);

	err = wait_for_requeue(t, &w, deadline);
	if (err == REQUEUE_PI_MOVED) {
		err = pi_wait_queued(t, &w, deadline, true);
		/* Linux: a signal after the requeue cannot restart the call
		 * (the word has moved on), so it returns EWOULDBLOCK. */
		if (err == -EINTR)
			err = -EAGAIN;
	}
	atomic_fetch_sub(&pi_lockers, 1);
	return err;
}

static struct futex_waiter *first_waiter(struct futex_bucket *b, struct futex_key key)
{
	for (struct futex_waiter *w = b->first; w; w = w->next)
		if (key_equal(w->key, key))
			return w;
	return NULL;
}

/* Linux's pairing rule: only a FUTEX_WAIT_REQUEUE_PI waiter that named
 * this PI futex may be requeued to it. */
static int check_requeue_pi_waiter(const struct futex_waiter *w, struct futex_key to)
{
	if (w->kind != WAITER_REQUEUE_PI || !key_equal(w->requeue_key, to))
		return -EINVAL;
	return 0;
}

/* Make w (in its bucket, locked) a PI waiter of to, at the tail of to's
 * bucket b2 (locked): FIFO among the PI futex's waiters, even when both
 * words share a bucket. */
static void requeue_to_pi(struct futex_waiter *w, struct futex_bucket *b2, struct task *owner)
{
	waiter_unlink(w);
	w->kind = WAITER_LOCK_PI;
	w->key = w->requeue_key;
	w->owner = owner;
	bucket_insert_tail(b2, w);
}

/* CMP_REQUEUE_PI with both buckets locked: the count, a negative errno or
 * -EBUSY (as in Linux: the PI futex's owner is exiting; unlock, wait for
 * it to be gone, try again). */
static int requeue_pi_locked(struct task *t, struct futex_bucket *b1, struct futex_bucket *b2,
			     struct futex_key from, struct futex_key to, int nr_requeue,
			     uint32_t cmpval)
{
	uint32_t cur, pi_word;
	int err = read_word(t, from.addr, &cur);
	if (err)
		return err;
	if (cur != cmpval)
		return -EAGAIN;
	/* Linux reads the PI word first, waiters or not. */
	err = read_word(t, to.addr, &pi_word);
	if (err)
		return err;

	int count = 0;
	struct task *owner = NULL;
	struct futex_waiter *top = first_waiter(b1, from);
	if (top) {
		err = check_requeue_pi_waiter(top, to);
		if (err)
			return err;
		/* Take the PI futex for the first waiter (Linux's
		 * futex_proxy_trylock_atomic); when others are to follow,
		 * with FUTEX_WAITERS so that its unlock hands on. */
		err = pi_try_lock(t, b2, to, top, nr_requeue > 0 ? PI_SET_WAITERS : 0);
		if (err == PI_OWNER_EXITING)
			return -EBUSY;
		if (err < 0)
			return err;
		if (err == 0) {
			waiter_unlink(top);
			top->pi_acquired = true;
			task_wake(top->task);
			count = 1;
			owner = top->task;
		} else {
			owner = top->owner;
		}
	}
	/* Linux's loop: requeue nr_requeue waiters, and the first one too
	 * when it could not take the lock. */
	struct futex_waiter *w = b1->first;
	while (w && count - 1 < nr_requeue) {
		struct futex_waiter *next = w->next;
		if (key_equal(w->key, from)) {
			err = check_requeue_pi_waiter(w, to);
			if (err)
				return err;
			requeue_to_pi(w, b2, owner);
			count++;
		}
		w = next;
	}
	return count;
}

int futex_cmp_requeue_pi(struct task *t, struct futex_key from, struct futex_key to,
			 int nr_requeue, uint32_t cmpval)
{
	if (key_equal(from, to))
		return -EINVAL;
	struct futex_bucket *b1 = bucket_of(from), *b2 = bucket_of(to);
	/* We look at the PI futex's owner for the waiters we move. */
	atomic_fetch_add(&pi_lockers, 1);
	int ret;
	for (;;) {
		lock_two(b1, b2);
		ret = requeue_pi_locked(t, b1, b2, from, to, nr_requeue, cmpval);
		unlock_two(b1, b2);
		if (ret != -EBUSY)
			break;
		/* Linux waits for the exiting owner and tries again; nothing
		 * has been done yet, so an interrupted wait restarts. */
		if (wait_owner_exit(t, NULL)) {
			ret = -ERESTARTNOINTR;
			break;
		}
	}
	atomic_fetch_sub(&pi_lockers, 1);
	return ret;
}
