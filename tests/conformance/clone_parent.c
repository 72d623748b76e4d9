/* clone_parent: CLONE_PARENT makes the new process a sibling of the caller:
 * its getppid is the caller's parent, the caller cannot wait for it
 * (ECHILD), the caller's parent can; its exit signal is the caller's own
 * (SIGCHLD) whatever clone was asked for. With CLONE_PARENT|CLONE_VFORK
 * the caller still waits for the exit. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

static char stack[65536];

static int grandchild_fn(void *arg)
{
	return getppid() == *(pid_t *)arg ? 30 : 31;
}

int main(void)
{
	pid_t me = getpid();
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		/* Ask for SIGUSR1 as the exit signal: CLONE_PARENT uses ours. */
		pid_t d = clone(grandchild_fn, stack + sizeof stack, CLONE_PARENT | SIGUSR1, &me);
		int bad = d > 0 ? 0 : 1;
		siginfo_t si;
		errno = 0;
		if (waitid(P_PID, d, &si, WEXITED | WNOHANG | __WALL) != -1 || errno != ECHILD)
			bad |= 2;
		write(p[1], &d, sizeof d);
		_exit(bad);
	}
	int st = tap_wait(c, 0);
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), "clone(CLONE_PARENT) from a child");
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), "the caller cannot wait for its sibling: ECHILD");
	pid_t d = 0;
	CHECK_EQ(read(p[0], &d, sizeof d), sizeof d, "got the new process's pid");
	CHECK_EQ(waitpid(d, &st, 0), d, "we can wait for it without __WCLONE (its exit signal is SIGCHLD)");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 30, "its getppid was us");

	c = fork();
	if (c == 0) {
		pid_t d2 = clone(grandchild_fn, stack + sizeof stack, CLONE_PARENT | CLONE_VFORK | CLONE_VM | SIGCHLD, &me);
		_exit(d2 > 0 ? 0 : 1);
	}
	st = tap_wait(c, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "CLONE_PARENT|CLONE_VFORK|CLONE_VM");
	pid_t r = waitpid(-1, &st, 0);
	CHECK(r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 30, "its sibling is our child too");
	CHECK_ERR(waitpid(-1, &st, WNOHANG | __WALL), ECHILD, "nothing left");
	return tap_done();
}
