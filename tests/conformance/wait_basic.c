/* wait_basic: waitpid/wait4 on exited and killed children. WNOHANG with a
 * running child returns 0, exit codes 0/1/255 and the low byte only,
 * WIFSIGNALED/WTERMSIG, a zombie still exists (kill 0 works) until reaped
 * and is gone after, ECHILD with no children or for a pid that is not our
 * child, EINVAL for unknown options, waitpid(-1), waitpid(0) and
 * waitpid(-pgid) selection, a NULL status pointer, EFAULT for a bad one. */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static pid_t spawn_exit(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	return pid;
}

/* Waits (with a generous limit) until the child has exited but is not
 * reaped: waitid with WNOWAIT. */
static int wait_zombie(pid_t pid)
{
	siginfo_t si;
	return waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
}

int main(void)
{
	int st;
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD, "no children ECHILD");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "no children with WNOHANG ECHILD");
	CHECK_ERR(waitpid(1, &st, 0), ECHILD, "pid 1 is not our child ECHILD");
	CHECK_ERR(waitpid(0x3fffffff, &st, 0), ECHILD, "missing pid ECHILD");

	pid_t pid = spawn_sleeper();
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0, "WNOHANG with a running child returns 0");
	CHECK_EQ(waitpid(-1, &st, WNOHANG), 0, "WNOHANG for any child returns 0");
	CHECK_ERR(waitpid(pid, &st, 0x00100000), EINVAL, "unknown option bit EINVAL");
	CHECK_ERR(waitpid(pid, &st, WNOHANG | WEXITED), EINVAL, "WEXITED is for waitid only: EINVAL");
	CHECK_ERR(waitpid(pid, &st, WNOHANG | WNOWAIT), EINVAL, "WNOWAIT is for waitid only: EINVAL");
	CHECK_OK(kill(pid, SIGTERM), "kill the sleeper");
	CHECK_EQ(waitpid(pid, &st, 0), pid, "reap it");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WIFEXITED(st), "WIFSIGNALED with SIGTERM");

	int codes[] = { 0, 1, 255, 256 + 9 };
	int want[] = { 0, 1, 255, 9 };
	for (int i = 0; i < 4; i++) {
		pid = spawn_exit(codes[i]);
		CHECK_EQ(waitpid(pid, &st, 0), pid, "reap child exiting with %d", codes[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == want[i], "exit status is the low byte %d", want[i]);
	}

	pid = spawn_exit(5);
	CHECK_OK(wait_zombie(pid), "child became a zombie");
	CHECK_OK(kill(pid, 0), "a zombie still exists for kill");
	CHECK_EQ(getpgid(pid), getpgrp(), "a zombie still has its process group");
	CHECK_EQ(wait4(pid, NULL, 0, NULL), pid, "reap with a NULL status pointer");
	CHECK_ERR(kill(pid, 0), ESRCH, "reaped child is gone");
	CHECK_ERR(waitpid(pid, &st, 0), ECHILD, "reaping it again ECHILD");

	pid = spawn_exit(6);
	wait_zombie(pid);
	CHECK_ERR(wait4(pid, BAD_LOW, 0, NULL), EFAULT, "bad status pointer EFAULT");
	CHECK_ERR(waitpid(pid, &st, 0), ECHILD, "the child was reaped all the same (Linux)");
	pid = spawn_exit(7);
	wait_zombie(pid);
	CHECK_ERR(wait4(pid, &st, 0, BAD_LOW), EFAULT, "bad rusage pointer EFAULT");
	CHECK_ERR(waitpid(pid, &st, 0), ECHILD, "that child was reaped too");

	/* Selection by process group. */
	pid_t a = spawn_sleeper();
	pid_t b = fork();
	if (b == 0) {
		setpgid(0, 0);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	setpgid(b, b); /* race-free: either of us may set it first */
	kill(b, SIGKILL);
	kill(a, SIGKILL);
	CHECK_EQ(waitpid(-b, &st, 0), b, "waitpid(-pgid) reaps the child in that group");
	CHECK_EQ(waitpid(0, &st, 0), a, "waitpid(0) reaps the child in our group");
	CHECK_ERR(waitpid(-b, &st, 0), ECHILD, "no more children in that group ECHILD");

	pid = spawn_exit(8);
	CHECK_EQ(wait(&st), pid, "wait() reaps any child");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 8, "its status");

	/* Several children: each reaped exactly once. */
	int seen = 0;
	for (int i = 0; i < 5; i++)
		spawn_exit(20 + i);
	for (int i = 0; i < 5; i++) {
		if (waitpid(-1, &st, 0) > 0 && WIFEXITED(st))
			seen |= 1 << (WEXITSTATUS(st) - 20);
	}
	CHECK_EQ(seen, 0x1f, "five children, five distinct statuses");
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD, "then ECHILD");
	return tap_done();
}
