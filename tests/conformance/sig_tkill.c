/* sig_tkill: thread-directed signals. tgkill/tkill to a particular thread
 * run the handler on that thread; a process-directed kill is taken by a
 * thread that does not block it; errors: tid <= 0 EINVAL, tgid <= 0
 * EINVAL, bad signal EINVAL, missing tid ESRCH, a tid with the wrong tgid
 * ESRCH, signal 0 checks existence; a signal blocked in every thread stays
 * pending for the process; pthread_sigmask is per thread. */
#include "tap.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile pid_t handled_on;
static volatile int hits;
static void rec(int sig) { handled_on = syscall(SYS_gettid); hits++; }

static pthread_barrier_t ready, done;
static volatile pid_t worker_tid;
static volatile int worker_blocks_usr2;

static void *worker(void *arg)
{
	worker_tid = syscall(SYS_gettid);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	if (worker_blocks_usr2)
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	else
		pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	pthread_barrier_wait(&ready);
	/* Wait for the test's signals; the handler runs here. */
	pthread_barrier_wait(&done);
	return NULL;
}

static void wait_hits(int n)
{
	for (int i = 0; i < 500 && hits < n; i++) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

int main(void)
{
	signal(SIGUSR1, rec);
	signal(SIGUSR2, rec);
	pid_t pid = getpid(), me = syscall(SYS_gettid);
	pthread_barrier_init(&ready, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);

	pthread_t th;
	worker_blocks_usr2 = 0;
	pthread_create(&th, NULL, worker, NULL);
	pthread_barrier_wait(&ready);
	CHECK_OK(syscall(SYS_tgkill, pid, worker_tid, SIGUSR1), "tgkill the worker");
	wait_hits(1);
	CHECK_EQ(handled_on, worker_tid, "the handler ran on the worker thread");
	CHECK_OK(syscall(SYS_tgkill, pid, me, SIGUSR1), "tgkill ourselves");
	CHECK_EQ(handled_on, me, "the handler ran on the main thread");
	CHECK_OK(syscall(SYS_tkill, worker_tid, SIGUSR1), "tkill the worker");
	wait_hits(3);
	CHECK_EQ(handled_on, worker_tid, "tkill handler on the worker");
	CHECK_OK(syscall(SYS_tgkill, pid, worker_tid, 0), "signal 0 to a live thread");

	/* Process-directed: we block SIGUSR2, the worker does not. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	hits = 0;
	CHECK_OK(kill(pid, SIGUSR2), "kill the process with SIGUSR2");
	wait_hits(1);
	CHECK_EQ(handled_on, worker_tid, "taken by the thread that does not block it");
	pthread_barrier_wait(&done);
	pthread_join(th, NULL);

	/* Blocked everywhere: stays pending for the process. */
	worker_blocks_usr2 = 1;
	pthread_create(&th, NULL, worker, NULL);
	pthread_barrier_wait(&ready);
	hits = 0;
	kill(pid, SIGUSR2);
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
	sigset_t pend;
	sigpending(&pend);
	CHECK(hits == 0 && sigismember(&pend, SIGUSR2), "blocked in every thread: pending, not delivered");
	pthread_barrier_wait(&done);
	pthread_join(th, NULL);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	CHECK_EQ(hits, 1, "delivered to us when we unblock");

	CHECK_ERR(syscall(SYS_tgkill, pid, 0, SIGUSR1), EINVAL, "tgkill tid 0 EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, 0, me, SIGUSR1), EINVAL, "tgkill tgid 0 EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, -1, me, SIGUSR1), EINVAL, "tgkill tgid -1 EINVAL");
	CHECK_ERR(syscall(SYS_tkill, 0, SIGUSR1), EINVAL, "tkill tid 0 EINVAL");
	CHECK_ERR(syscall(SYS_tkill, -5, SIGUSR1), EINVAL, "tkill negative tid EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, pid, me, 65), EINVAL, "bad signal EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, pid, 0x3fffffff, SIGUSR1), ESRCH, "missing tid ESRCH");
	CHECK_ERR(syscall(SYS_tkill, 0x3fffffff, 0), ESRCH, "tkill missing tid ESRCH");
	CHECK_ERR(syscall(SYS_tgkill, pid + 0x10000000, me, SIGUSR1), ESRCH, "our tid with the wrong tgid ESRCH");
	/* pthread_join returns at the tid-clear wake, a moment before the
	 * kernel releases the thread: poll. */
	int gone = 0;
	for (int i = 0; i < 500 && !gone; i++) {
		gone = syscall(SYS_tgkill, pid, worker_tid, 0) == -1 && errno == ESRCH;
		if (!gone) {
			struct timespec t = { 0, 10 * 1000000L };
			nanosleep(&t, NULL);
		}
	}
	CHECK(gone, "an exited thread ESRCH");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	return tap_done();
}
