/* clone_newpid: PID namespaces. The first process in a new namespace is
 * pid 1 with getppid 0, the next ones count up from 2 and see their parent
 * as 1; clone(CLONE_NEWPID) and unshare+fork both work and nest; the outer
 * namespace sees the same processes under other pids; the namespace init
 * is immune to signals from inside with the default action (even SIGKILL)
 * but not to SIGKILL from outside; kill(-1) inside reaches every process
 * of the namespace but the caller; when init dies every process of the
 * namespace is killed, and forking into the dead namespace is ENOMEM. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static char stack[65536];

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

static void settle(void)
{
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
}

/* Runs as pid 1 of a fresh namespace. */
static void in_init(void *arg)
{
	CHECK_EQ(getpid(), 1, "namespace init is pid 1");
	CHECK_EQ(getppid(), 0, "its parent is not visible: getppid 0");
	pid_t child = fork();
	if (child == 0)
		_exit(getppid() == 1 ? 0 : 1);
	CHECK_EQ(child, 2, "the next process is pid 2");
	int st = tap_wait(child, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "and sees its parent as pid 1");

	pid_t killer = fork();
	if (killer == 0) {
		kill(1, SIGTERM);
		kill(1, SIGKILL);
		_exit(0);
	}
	tap_wait(killer, 0);
	settle();
	CHECK(1, "init survives SIGTERM and SIGKILL sent from inside its namespace");

	pid_t s[3];
	for (int i = 0; i < 3; i++)
		s[i] = spawn_sleeper();
	CHECK_OK(kill(-1, SIGTERM), "kill(-1, SIGTERM) from init");
	int killed = 0;
	for (int i = 0; i < 3; i++) {
		st = tap_wait(s[i], 0);
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
	}
	CHECK_EQ(killed, 3, "it reached every other process of the namespace");
	CHECK_ERR(kill(-1, SIGTERM), ESRCH, "with nobody else left kill(-1) ESRCH");

	/* A nested namespace. */
	CHECK_OK(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID) inside");
	pid_t nested = fork();
	if (nested == 0)
		_exit(getpid() == 1 && getppid() == 0 ? 0 : 1);
	st = tap_wait(nested, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nested namespace init is pid 1 there too");
	CHECK(nested > 1, "and has an ordinary pid in ours");
}

static int clone_child_fn(void *arg) { return getpid() == 1 && getppid() == 0 ? 0 : 1; }

static void outer(void *arg)
{
	CHECK_OK(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)");
	CHECK(getpid() != 1, "the caller itself stays where it was");
	tap_in_child(in_init, NULL);

	/* Second namespace: init dies, its processes with it. */
	pid_t dead_ns_init = fork(); /* fails: that namespace's init is gone */
	if (dead_ns_init == 0)
		_exit(0);
	CHECK_EQ(dead_ns_init, -1, "fork into a namespace whose init died fails");
	CHECK_EQ(errno, ENOMEM, "with ENOMEM");
}

static int init_with_sleepers(void *arg)
{
	int *pipefd = arg;
	for (int i = 0; i < 3; i++)
		spawn_sleeper();
	/* Tell the outside the sleepers' outer pids are alive, then wait. */
	write(pipefd[1], "r", 1);
	alarm(30); /* never outlive a broken run */
	for (;;)
		pause();
	return 0;
}

int main(void)
{
	tap_in_child(outer, NULL);
	pid_t first = clone(clone_child_fn, stack + sizeof stack, CLONE_NEWPID | SIGCHLD, NULL);
	int st = tap_wait(first, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone(CLONE_NEWPID): pid 1, getppid 0");

	/* SIGKILL from outside kills an init; its namespace dies with it. */
	int p[2];
	pipe(p);
	pid_t init = clone(init_with_sleepers, stack + sizeof stack, CLONE_NEWPID | SIGCHLD, p);
	CHECK(init > 0, "clone(CLONE_NEWPID) an init with three sleepers");
	char c;
	read(p[0], &c, 1);
	CHECK_OK(kill(init, SIGTERM), "SIGTERM from outside (init has no handler)");
	settle();
	CHECK_EQ(waitpid(init, NULL, WNOHANG), 0, "... is ignored by init too, as its default action is ignored for init");
	CHECK_OK(kill(init, SIGKILL), "SIGKILL from outside");
	st = tap_wait(init, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kills the namespace init");
	CHECK_ERR(waitpid(-1, NULL, WNOHANG | __WALL), ECHILD, "its sleepers died with it (none came to us)");
	return tap_done();
}
