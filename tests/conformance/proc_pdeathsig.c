/* proc_pdeathsig: PR_SET_PDEATHSIG. Round trip and EINVAL for a bad
 * signal; when the parent dies the child gets the signal (default action
 * SIGTERM kills it; a SA_SIGINFO handler sees SI_USER from the dying
 * parent's pid); the trigger is the death of the parent *thread*, even while
 * its process lives on. Test process is a subreaper so the orphans come back
 * to it. */
#include "tap.h"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static volatile int got_sig, got_code, got_pid;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_sig = sig;
}

/* Grandchild body: set the death signal, report readiness on `ready`, then
 * wait (up to ~5 s) for a handled signal. */
static void grandchild(int sig, int ready, int report)
{
	if (sig == SIGUSR1) {
		struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
	}
	prctl(PR_SET_PDEATHSIG, sig);
	write(ready, "r", 1);
	for (int i = 0; i < 500 && !got_sig; i++) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	int msg[3] = { got_sig, got_code, got_pid };
	write(report, msg, sizeof msg);
	_exit(0);
}

static int thread_ready_fd, thread_report_fd;
static pid_t thread_grandchild;

static void *thread_forks(void *arg)
{
	thread_grandchild = fork();
	if (thread_grandchild == 0)
		grandchild(SIGUSR1, thread_ready_fd, thread_report_fd);
	char c;
	read(*(int *)arg, &c, 1); /* wait for the grandchild's readiness */
	return NULL;
}

int main(void)
{
	int v = -1;
	CHECK_OK(prctl(PR_GET_PDEATHSIG, &v), "PR_GET_PDEATHSIG");
	CHECK_EQ(v, 0, "none at start");
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL, "signal 65 EINVAL");
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, -1), EINVAL, "signal -1 EINVAL");
	CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR2), "set SIGUSR2");
	prctl(PR_GET_PDEATHSIG, &v);
	CHECK_EQ(v, SIGUSR2, "round trip");
	CHECK_OK(prctl(PR_SET_PDEATHSIG, 0), "clear it");
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Default action: SIGTERM kills the orphan. */
	int ready[2], report[2];
	pipe(ready);
	pipe(report);
	pid_t mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			write(ready[1], "r", 1);
			alarm(30); /* never outlive a broken run */
			for (;;)
				pause();
		}
		char c;
		read(ready[0], &c, 1);
		_exit(0);
	}
	int st;
	waitpid(mid, &st, 0);
	pid_t g = waitpid(-1, &st, 0);
	CHECK(g > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "orphan killed by its death signal SIGTERM");

	/* Handled: siginfo of the death signal. */
	mid = fork();
	if (mid == 0) {
		if (fork() == 0)
			grandchild(SIGUSR1, ready[1], report[1]);
		char c;
		read(ready[0], &c, 1);
		_exit(0);
	}
	waitpid(mid, &st, 0);
	int msg[3] = { 0 };
	CHECK_EQ(read(report[0], msg, sizeof msg), sizeof msg, "grandchild reported");
	CHECK_EQ(msg[0], SIGUSR1, "handler ran for SIGUSR1");
	CHECK_EQ(msg[1], SI_USER, "si_code SI_USER");
	CHECK_EQ(msg[2], mid, "si_pid is the parent that died");
	g = waitpid(-1, &st, 0);
	CHECK(g > 0 && WIFEXITED(st), "orphan reaped");

	/* The parent thread's exit is enough. */
	mid = fork();
	if (mid == 0) {
		thread_ready_fd = ready[1];
		thread_report_fd = report[1];
		pthread_t th;
		pthread_create(&th, NULL, thread_forks, &ready[0]);
		pthread_join(th, NULL);
		/* The thread is gone, we are still alive: wait for the report. */
		int m[3];
		int n = read(report[0], m, sizeof m);
		int ok = n == sizeof m && m[0] == SIGUSR1;
		waitpid(thread_grandchild, NULL, 0);
		_exit(ok ? 0 : 1);
	}
	waitpid(mid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "death of the creating thread sends the signal (process still alive)");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "nothing left behind");
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	return tap_done();
}
