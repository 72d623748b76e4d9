/* futex_pi: priority-inheritance futexes. LOCK_PI on a free word stores our
 * tid; LOCK_PI or TRYLOCK_PI by the owner EDEADLK; UNLOCK_PI frees it;
 * UNLOCK_PI by a non-owner EPERM; TRYLOCK_PI on a word held by another
 * thread EAGAIN; LOCK_PI with an absolute timeout ETIMEDOUT; a blocked
 * LOCK_PI sets FUTEX_WAITERS and gets the lock when the owner unlocks
 * (word becomes our tid); a word naming a nonexistent owner ESRCH.
 * Shared (not FUTEX_PRIVATE_FLAG) PI futexes in MAP_SHARED memory work
 * between processes: the parent's UNLOCK_PI hands the lock to a blocked
 * child; a lock left by a child that exited (a zombie, not yet reaped)
 * gives ESRCH. */
#include "tap.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static int lock_word;
static volatile int holder_state; /* 1 locked, 2 release requested, 3 done */
static volatile pid_t holder_tid;
static volatile long holder_unlock_result = -5;

static long futex(int *uaddr, int op, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, 0, ts, NULL, 0);
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000000L };
	nanosleep(&ts, NULL);
}

static void *holder(void *arg)
{
	holder_tid = syscall(SYS_gettid);
	futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, NULL);
	holder_state = 1;
	/* Unlock once asked and someone is waiting (FUTEX_WAITERS set). */
	while (holder_state != 2 || !(__atomic_load_n(&lock_word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS))
		nap();
	holder_unlock_result = futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);
	holder_state = 3;
	return NULL;
}

static void check_shared(void)
{
	int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK_OK(futex(w, FUTEX_LOCK_PI, NULL), "shared LOCK_PI");
	pid_t c = fork();
	if (c == 0) {
		long r = futex(w, FUTEX_LOCK_PI, NULL);
		int mine = (__atomic_load_n(w, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) == syscall(SYS_gettid);
		futex(w, FUTEX_UNLOCK_PI, NULL);
		_exit(r == 0 && mine ? 0 : 1);
	}
	while (!(__atomic_load_n(w, __ATOMIC_SEQ_CST) & FUTEX_WAITERS))
		nap();
	nap();
	CHECK_OK(futex(w, FUTEX_UNLOCK_PI, NULL), "UNLOCK_PI with a waiter in another process");
	int st;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child got the lock handed over");
	CHECK_EQ(*w, 0, "free at the end");

	c = fork();
	if (c == 0) {
		futex(w, FUTEX_LOCK_PI, NULL);
		_exit(0);
	}
	siginfo_t si;
	waitid(P_PID, c, &si, WEXITED | WNOWAIT);
	CHECK_EQ(*w, c, "a lock held by a child that exited still names it");
	CHECK_ERR(futex(w, FUTEX_LOCK_PI, NULL), ESRCH, "LOCK_PI on the zombie's lock ESRCH");
	waitpid(c, &st, 0);
}

int main(void)
{
	pid_t me = syscall(SYS_gettid);
	CHECK_OK(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, NULL), "LOCK_PI on a free word");
	CHECK_EQ(lock_word, me, "the word holds our tid");
	CHECK_ERR(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, NULL), EDEADLK, "LOCK_PI by the owner EDEADLK");
	CHECK_ERR(futex(&lock_word, FUTEX_TRYLOCK_PI_PRIVATE, NULL), EDEADLK, "TRYLOCK_PI by the owner EDEADLK");
	CHECK_OK(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL), "UNLOCK_PI");
	CHECK_EQ(lock_word, 0, "the word is free again");
	CHECK_ERR(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL), EPERM, "UNLOCK_PI of a free word EPERM");
	CHECK_OK(futex(&lock_word, FUTEX_TRYLOCK_PI_PRIVATE, NULL), "TRYLOCK_PI on a free word");
	CHECK_EQ(lock_word, me, "took it");
	futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);

	pthread_t th;
	pthread_create(&th, NULL, holder, NULL);
	while (holder_state != 1)
		nap();
	CHECK_EQ(lock_word, holder_tid, "another thread holds it");
	CHECK_ERR(futex(&lock_word, FUTEX_TRYLOCK_PI_PRIVATE, NULL), EAGAIN, "TRYLOCK_PI on a held word EAGAIN");
	CHECK_ERR(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL), EPERM, "UNLOCK_PI by a non-owner EPERM");
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 30 * 1000000L;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	CHECK_ERR(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, &abs), ETIMEDOUT, "LOCK_PI with an absolute timeout ETIMEDOUT");
	holder_state = 2;
	CHECK_OK(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, NULL), "a blocked LOCK_PI gets the lock after the unlock");
	CHECK_EQ(lock_word & FUTEX_TID_MASK, me, "the word now holds our tid");
	pthread_join(th, NULL);
	CHECK_EQ(holder_unlock_result, 0, "the owner's UNLOCK_PI returned 0");
	futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, NULL);
	CHECK_EQ(lock_word, 0, "free at the end");

	int ghost = 0x3fffffff;
	CHECK_ERR(futex(&ghost, FUTEX_LOCK_PI_PRIVATE, NULL), ESRCH, "a word naming a nonexistent owner ESRCH");
	CHECK_ERR(futex((int *)BAD_LOW, FUTEX_LOCK_PI_PRIVATE, NULL), EINVAL, "unaligned address EINVAL");
	CHECK_ERR(futex(tap_unmapped_page(), FUTEX_LOCK_PI_PRIVATE, NULL), EFAULT, "unmapped address EFAULT");
	check_shared();
	return tap_done();
}
