/* exec_mt_nonleader: execve from a thread that is not the leader, while
 * other threads are blocked in a futex wait and in a busy loop. After the
 * exec there is one thread, whose tid is the old pid (the exec'ing thread
 * takes over the leader's ID), the pid and parent are unchanged, every old
 * thread ID is gone (tgkill ESRCH), the exec'ing thread's signal mask is
 * kept, and a new thread can be started. TAP numbering continues across
 * the exec. */
#include "tap.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>

static char *self;
static volatile pid_t tids[3];
static volatile int started, main_ready;
static int futex_word;

static void *blocker(void *arg)
{
	tids[0] = syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	return arg;
}

static void *spinner(void *arg)
{
	tids[1] = syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (volatile unsigned long i = 0;; i++)
		;
	return arg;
}

static void *execer(void *arg)
{
	tids[2] = syscall(SYS_gettid);
	/* Exec only once the others run and main has printed its lines, so
	 * that the numbering is the same on every run. */
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2 || !__atomic_load_n(&main_ready, __ATOMIC_SEQ_CST))
		sched_yield();
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	char count[16], pid[16], ppid[16], t0[16], t1[16], t2[16];
	snprintf(count, sizeof count, "%d", tap_count + 1);
	snprintf(pid, sizeof pid, "%d", getpid());
	snprintf(ppid, sizeof ppid, "%d", getppid());
	snprintf(t0, sizeof t0, "%d", tids[0]);
	snprintf(t1, sizeof t1, "%d", tids[1]);
	snprintf(t2, sizeof t2, "%d", tids[2]);
	char *argv[] = { self, "phase2", count, pid, ppid, t0, t1, t2, NULL };
	char *envp[] = { NULL };
	fflush(stdout);
	execve(self, argv, envp);
	CHECK(0, "execve from a thread failed: %s", tap_errname(errno));
	exit(tap_done());
}

static void *nothing(void *arg) { return (void *)(long)syscall(SYS_gettid); }

static void phase2(char **argv)
{
	tap_set_count(atoi(argv[2]) - 1);
	pid_t pid = atoi(argv[3]);
	CHECK(1, "execve from a non-leader thread");
	CHECK_EQ(getpid(), pid, "pid unchanged");
	CHECK_EQ(syscall(SYS_gettid), pid, "the exec'ing thread now has the leader's tid");
	CHECK_EQ(getppid(), atoi(argv[4]), "parent unchanged");
	for (int i = 0; i < 3; i++) {
		pid_t t = atoi(argv[5 + i]);
		CHECK_ERR(syscall(SYS_tgkill, pid, t, 0), ESRCH, "old thread %d (%s) is gone", i,
			  i == 0 ? "futex waiter" : i == 1 ? "spinner" : "the exec'ing thread's old tid");
	}
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	CHECK(sigismember(&set, SIGUSR2), "the exec'ing thread's signal mask is kept");
	pthread_t th;
	void *ret = NULL;
	CHECK_EQ(pthread_create(&th, NULL, nothing, NULL), 0, "a new thread starts after the exec");
	pthread_join(th, &ret);
	CHECK((long)ret != pid && (long)ret > 0, "with a tid of its own");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 8 && strcmp(argv[1], "phase2") == 0) {
		phase2(argv);
		return tap_done();
	}
	CHECK(syscall(SYS_gettid) == getpid(), "main thread is the leader");
	pthread_t a, b, c;
	CHECK_EQ(pthread_create(&a, NULL, blocker, NULL), 0, "thread blocked in a futex wait");
	CHECK_EQ(pthread_create(&b, NULL, spinner, NULL), 0, "thread in a busy loop");
	CHECK_EQ(pthread_create(&c, NULL, execer, NULL), 0, "thread that calls execve");
	__atomic_store_n(&main_ready, 1, __ATOMIC_SEQ_CST);
	/* The leader waits; the exec replaces it. */
	for (;;)
		pause();
}
