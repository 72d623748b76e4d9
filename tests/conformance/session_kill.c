/* session_kill: signals to groups. kill(-pgid) and killpg reach every
 * member of the group and nobody else; kill(0) reaches the caller's own
 * group (including the caller); an empty or missing group ESRCH; bad
 * signal EINVAL; signal 0 only checks; an unprivileged process may not
 * signal a root one (EPERM) but may signal its own uid; kill(-1) from a
 * non-init process in a PID namespace reaches everyone there except init
 * and the caller. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static pid_t spawn_sleeper(pid_t pgid)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, pgid);
		signal(SIGUSR1, SIG_DFL);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	setpgid(pid, pgid);
	return pid;
}

static int killed_by(pid_t pid, int sig)
{
	int st = tap_wait(pid, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static volatile int usr1;
static void on_usr1(int sig) { usr1++; }

static void groups(void *arg)
{
	setsid();
	pid_t a = spawn_sleeper(0);
	pid_t b = spawn_sleeper(a);
	pid_t other = spawn_sleeper(0);
	CHECK_OK(kill(-a, 0), "kill(-pgid, 0) finds the group");
	CHECK_OK(kill(-a, SIGTERM), "kill(-pgid, SIGTERM)");
	CHECK(killed_by(a, SIGTERM) && killed_by(b, SIGTERM), "both members died");
	CHECK_OK(kill(other, 0), "the process in another group is untouched");
	CHECK_ERR(kill(-a, SIGTERM), ESRCH, "the group is now empty: ESRCH");
	CHECK_OK(killpg(other, SIGKILL), "killpg");
	CHECK(killed_by(other, SIGKILL), "reached the other group");
	CHECK_ERR(killpg(0x3ffffff0, SIGTERM), ESRCH, "missing group ESRCH");
	CHECK_ERR(kill(getpid(), 65), EINVAL, "bad signal EINVAL");
	CHECK_ERR(kill(getpid(), -1), EINVAL, "negative signal EINVAL");

	/* kill(0): our own group, us included. The children are made before
	 * our handler exists, so they keep the default action. */
	pid_t m = spawn_sleeper(getpgrp());
	pid_t out = spawn_sleeper(0);
	signal(SIGUSR1, on_usr1);
	CHECK_OK(kill(0, SIGUSR1), "kill(0, SIGUSR1)");
	CHECK_EQ(usr1, 1, "the caller got it");
	CHECK(killed_by(m, SIGUSR1), "the member of our group got it");
	CHECK_OK(kill(out, 0), "a process in another group did not");
	kill(out, SIGKILL);
	tap_wait(out, 0);
}

static void unprivileged(void *arg)
{
	pid_t root_proc = *(pid_t *)arg;
	int p[2];
	pipe(p);
	pid_t peer = fork();
	if (peer == 0) {
		setuid(4321);
		write(p[1], "u", 1);
		alarm(30);
		for (;;)
			pause();
	}
	char c;
	read(p[0], &c, 1);
	CHECK_OK(setuid(4321), "become uid 4321");
	CHECK_ERR(kill(root_proc, 0), EPERM, "signal 0 to a root process EPERM");
	CHECK_ERR(kill(root_proc, SIGUSR2), EPERM, "SIGUSR2 to a root process EPERM");
	CHECK_OK(kill(peer, SIGKILL), "kill a process of our own uid");
	CHECK(killed_by(peer, SIGKILL), "it died");
}

static int in_namespace(void)
{
	/* We are pid 1 here; the sleepers keep the default action, we get a
	 * SIGUSR1 handler after making them. */
	pid_t s1 = spawn_sleeper(0), s2 = spawn_sleeper(0);
	signal(SIGUSR1, on_usr1);
	pid_t sender = fork();
	if (sender == 0) {
		signal(SIGUSR1, on_usr1);
		int r = kill(-1, SIGUSR1);
		_exit(r == 0 && usr1 == 0 ? 0 : 1);
	}
	int st = tap_wait(sender, 0);
	int bad = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
	if (!killed_by(s1, SIGUSR1) || !killed_by(s2, SIGUSR1))
		bad |= 2;
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
	if (usr1 != 0)
		bad |= 4;
	return bad;
}

int main(void)
{
	tap_in_child(groups, NULL);
	pid_t me = getpid();
	tap_in_child(unprivileged, &me);

	pid_t helper = fork();
	if (helper == 0) {
		unshare(CLONE_NEWPID);
		pid_t init = fork();
		if (init == 0)
			_exit(in_namespace());
		int st = tap_wait(init, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 8);
	}
	int st = tap_wait(helper, 0);
	int r = WIFEXITED(st) ? WEXITSTATUS(st) : 15;
	CHECK(!(r & 1), "kill(-1) succeeds and skips the caller");
	CHECK(!(r & 2), "it reaches the other processes of the namespace");
	CHECK(!(r & 4), "but not the namespace init");
	CHECK(!(r & 8), "namespace init exited normally");
	return tap_done();
}
