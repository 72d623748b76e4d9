/* futex_shared: shared futexes are keyed by the memory behind the address,
 * not the address. A child waits on a MAP_SHARED anonymous word and the
 * parent wakes it; a file in /tmp mapped twice at different addresses: a
 * thread waiting on one mapping is woken through the other; across
 * processes through a shared file mapping; a private wait in the child is
 * never woken by the parent's private wake (different address spaces) and
 * times out. */
#include "tap.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void nap(void)
{
	struct timespec ts = { 0, 5 * 1000000L };
	nanosleep(&ts, NULL);
}

/* Wakes uaddr until one waiter was woken (up to ~5 s). */
static int wake_one(int *uaddr, int op)
{
	for (int i = 0; i < 1000; i++) {
		if (futex(uaddr, op, 1, NULL) == 1)
			return 1;
		nap();
	}
	return 0;
}

static int *map1;
static volatile long thread_result = -2;
static void *thread_wait(void *arg)
{
	thread_result = futex(map1, FUTEX_WAIT, 0, NULL);
	return NULL;
}

static int child_waits(int *word, int op, const struct timespec *ts)
{
	alarm(30);
	long r = futex(word, op, 0, ts);
	if (r == 0)
		_exit(0);
	_exit(errno == ETIMEDOUT ? 1 : 2);
}

int main(void)
{
	int *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid = fork();
	if (pid == 0)
		child_waits(anon, FUTEX_WAIT, NULL);
	CHECK(wake_one(anon, FUTEX_WAKE), "parent's WAKE on a MAP_SHARED anonymous word woke the child");
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's FUTEX_WAIT returned 0");

	char path[] = "/tmp/futex_shared.XXXXXX";
	int fd = mkstemp(path);
	CHECK_OK(fd, "file in /tmp");
	unlink(path);
	ftruncate(fd, 4096);
	map1 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int *map2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map1 != MAP_FAILED && map2 != MAP_FAILED && map1 != map2, "mapped twice at different addresses");
	pthread_t th;
	pthread_create(&th, NULL, thread_wait, NULL);
	CHECK(wake_one(map2, FUTEX_WAKE), "a waiter on one mapping is woken through the other");
	pthread_join(th, NULL);
	CHECK_EQ(thread_result, 0, "its wait returned 0");

	pid = fork();
	if (pid == 0) {
		int *own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		child_waits(own, FUTEX_WAIT, NULL);
	}
	CHECK(wake_one(map2, FUTEX_WAKE), "across processes through a shared file mapping");
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's wait returned 0");

	struct timespec ts = { 0, 300 * 1000000L };
	pid = fork();
	if (pid == 0)
		child_waits(anon, FUTEX_WAIT_PRIVATE, &ts);
	int woke_any = 0;
	for (int i = 0; i < 20; i++) {
		woke_any |= futex(anon, FUTEX_WAKE_PRIVATE, 1, NULL) != 0;
		nap();
	}
	st = tap_wait(pid, 0);
	CHECK(!woke_any, "our private WAKE found no waiter");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "the child's private wait timed out");
	close(fd);
	return tap_done();
}
