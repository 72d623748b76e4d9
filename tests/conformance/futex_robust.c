/* futex_robust: robust futex lists. set_robust_list with a wrong length
 * EINVAL; get_robust_list returns what was set (and ESRCH for a missing
 * pid, EFAULT for bad pointers). When a thread exits holding a lock on its
 * robust list, the kernel marks the word FUTEX_OWNER_DIED (keeping
 * FUTEX_WAITERS) and wakes a waiter. A process-shared robust pthread mutex
 * whose owner process dies gives EOWNERDEAD to the next locker, which can
 * make it consistent again. */
#include "tap.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

struct lock {
	struct robust_list list;
	int word;
};

static struct lock lk;
static int park;
static volatile int owner_go;
static volatile pid_t owner_tid;
static volatile long waiter_result = -5;

static long futex(int *uaddr, int op, int val, long val2, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000000L };
	nanosleep(&ts, NULL);
}

static void *owner(void *arg)
{
	static struct robust_list_head head;
	owner_tid = syscall(SYS_gettid);
	lk.word = owner_tid;
	head.list.next = &lk.list;
	lk.list.next = &head.list;
	head.futex_offset = offsetof(struct lock, word) - offsetof(struct lock, list);
	head.list_op_pending = NULL;
	syscall(SYS_set_robust_list, &head, sizeof head);
	while (!owner_go)
		nap();
	return NULL; /* exits holding the lock */
}

static void *waiter(void *arg)
{
	waiter_result = futex(&park, FUTEX_WAIT, 0, 0, NULL, 0);
	return NULL;
}

int main(void)
{
	struct robust_list_head *head = NULL;
	size_t len = 0;
	CHECK_OK(syscall(SYS_get_robust_list, 0, &head, &len), "get_robust_list of ourselves");
	CHECK(head != NULL && len == sizeof(struct robust_list_head), "libc registered a list of the right size");
	CHECK_ERR(syscall(SYS_set_robust_list, head, len + 8), EINVAL, "set_robust_list with a wrong length EINVAL");
	CHECK_ERR(syscall(SYS_get_robust_list, 0x3fffffff, &head, &len), ESRCH, "missing pid ESRCH");
	CHECK_ERR(syscall(SYS_get_robust_list, 0, BAD_LOW, &len), EFAULT, "bad head pointer EFAULT");
	static struct robust_list_head mine;
	struct robust_list_head *saved = head;
	CHECK_OK(syscall(SYS_set_robust_list, &mine, sizeof mine), "set our own list");
	syscall(SYS_get_robust_list, 0, &head, &len);
	CHECK(head == &mine, "get_robust_list returns it");
	syscall(SYS_set_robust_list, saved, sizeof *saved);

	pthread_t o, w;
	pthread_create(&o, NULL, owner, NULL);
	while (!owner_tid || lk.word != owner_tid)
		nap();
	pthread_create(&w, NULL, waiter, NULL);
	lk.word = owner_tid | FUTEX_WAITERS;
	int moved = 0;
	for (int i = 0; i < 1000 && !moved; i++) {
		moved = futex(&park, FUTEX_CMP_REQUEUE, 0, 1, &lk.word, 0) == 1;
		if (!moved)
			nap();
	}
	CHECK(moved, "a waiter is queued on the lock word");
	owner_go = 1;
	pthread_join(o, NULL);
	pthread_join(w, NULL);
	CHECK_EQ((unsigned)lk.word, FUTEX_OWNER_DIED | FUTEX_WAITERS, "the dead owner's word became OWNER_DIED|WAITERS");
	CHECK_EQ(waiter_result, 0, "the waiter was woken");

	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0);
	}
	tap_wait(pid, 0);
	CHECK_EQ(pthread_mutex_lock(m), EOWNERDEAD, "a robust mutex whose owner process died: EOWNERDEAD");
	CHECK_EQ(pthread_mutex_consistent(m), 0, "make it consistent");
	CHECK_EQ(pthread_mutex_unlock(m), 0, "unlock");
	CHECK_EQ(pthread_mutex_lock(m), 0, "then it locks normally");
	pthread_mutex_unlock(m);
	return tap_done();
}
