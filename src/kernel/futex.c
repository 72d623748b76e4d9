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
#include <pthread.h>
#include <stdatomic.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"

struct futex_bucket;

struct futex_waiter {
	struct futex_waiter *next, **pprev;
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
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
	return a.mm == b.mm && a.addr == b.addr;
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

int futex_wake(struct futex_key key, uint32_t bitset, int n)
{
	struct futex_bucket *b = bucket_of(key);
	int woken = 0;

	pthread_mutex_lock(&b->lock);
	struct futex_waiter *w = b->first;
	while (w) {
		struct futex_waiter *next = w->next;
		if (key_equal(w->key, key) && (w->bitset & bitset)) {
			waiter_wake(w);
			/* Linux counts after waking, so n <= 0 still wakes one. */
			if (++woken >= n)
				break;
		}
		w = next;
	}
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

/* Wake up to n waiters on key in b (locked), whatever their bitset. */
static int wake_locked(struct futex_bucket *b, struct futex_key key, int n)
{
	int woken = 0;
	struct futex_waiter *w = b->first;
	while (w) {
		struct futex_waiter *next = w->next;
		if (key_equal(w->key, key)) {
			waiter_wake(w);
			if (++woken >= n)
				break;
		}
		w = next;
	}
	return woken;
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
	int woken = wake_locked(b1, key, nr_wake);
	if (cmp)
		woken += wake_locked(b2, op_key, nr_wake2);
	unlock_two(b1, b2);
	return woken;
}

int futex_wake_addr(struct mm *mm, uint64_t addr, int n)
{
	struct futex_key key = { .mm = mm, .addr = addr };
	/* CLONE_CHILD_CLEARTID wakes as a shared futex (Linux uses a
	 * non-private wake), which private waiters also hear. */
	int n1 = futex_wake(key, FUTEX_BITSET_ANY, n);
	key.shared = mm_futex_shared_key(mm, addr);
	if (key.shared && n1 < n)
		n1 += futex_wake(key, FUTEX_BITSET_ANY, n - n1);
	return n1;
}
