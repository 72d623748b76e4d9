/* clone_exit_signal: the signal a parent gets when a child exits. SIGCHLD
 * by default with si_code CLD_EXITED, si_pid, si_status; a custom exit
 * signal from clone's low byte (SIGUSR2) arrives instead, with the same
 * siginfo; exit signal 0 sends nothing; SIGCHLD set to SIG_IGN or
 * SA_NOCLDWAIT makes children reap themselves (wait then blocks until all
 * are gone and fails with ECHILD); a SIGCHLD handler with SA_NOCLDWAIT still
 * runs. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static char stack[65536];
static volatile int got[65], got_code, got_pid, got_status;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got[sig]++;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_status = si->si_status;
}

static int child_fn(void *arg) { return (int)(long)arg; }

static void settle(void)
{
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t both, old;
	sigemptyset(&both);
	sigaddset(&both, SIGCHLD);
	sigaddset(&both, SIGUSR2);
	int st;

	/* Block the signals so they are pending when the child is waited for,
	 * then let them in: no timing involved. */
	sigprocmask(SIG_BLOCK, &both, &old);
	pid_t pid = fork();
	if (pid == 0)
		_exit(12);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ(got[SIGCHLD], 1, "fork child: SIGCHLD");
	CHECK_EQ(got_code, CLD_EXITED, "si_code CLD_EXITED");
	CHECK_EQ(got_pid, pid, "si_pid is the child");
	CHECK_EQ(got_status, 12, "si_status is the exit code");
	waitpid(pid, &st, 0);

	sigprocmask(SIG_BLOCK, &both, &old);
	pid = clone(child_fn, stack + sizeof stack, SIGUSR2, (void *)13L);
	CHECK(pid > 0, "clone with exit signal SIGUSR2");
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT | __WALL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ(got[SIGUSR2], 1, "custom exit signal delivered");
	CHECK_EQ(got[SIGCHLD], 1, "no SIGCHLD for it");
	CHECK(got_code == CLD_EXITED && got_pid == pid && got_status == 13, "its siginfo is the CLD_EXITED one");
	CHECK_EQ(waitpid(pid, &st, __WCLONE), pid, "reaped with __WCLONE");

	sigprocmask(SIG_BLOCK, &both, &old);
	pid = clone(child_fn, stack + sizeof stack, 0, (void *)14L);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT | __WALL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	settle();
	CHECK(got[SIGCHLD] == 1 && got[SIGUSR2] == 1, "exit signal 0: no signal at all");
	waitpid(pid, &st, __WALL);

	/* SIGCHLD ignored: children are reaped automatically. */
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < 3; i++)
		if (fork() == 0)
			_exit(0);
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD, "SIGCHLD SIG_IGN: wait blocks until all are reaped, then ECHILD");
	pid = clone(child_fn, stack + sizeof stack, SIGUSR2, (void *)15L);
	CHECK_EQ(waitpid(pid, &st, __WALL), pid, "a child with another exit signal is not auto-reaped");

	/* SA_NOCLDWAIT with a handler: auto-reap, and the handler still runs. */
	got[SIGCHLD] = 0;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &both, &old);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD, "SA_NOCLDWAIT: ECHILD once the child is gone");
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ(got[SIGCHLD], 1, "the SIGCHLD handler still ran");
	signal(SIGCHLD, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	return tap_done();
}
