/* proc_priority: nice values with getpriority/setpriority (in forked
 * children). Values are clamped to [-20, 19]; PRIO_PROCESS for ourselves
 * and for a child, PRIO_PGRP for a group, PRIO_USER for a uid; bad which
 * EINVAL; a missing target ESRCH; an unprivileged process may raise its
 * nice value but not lower it (EACCES) nor touch another user's process
 * (EPERM); nice() returns the new value. */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int prio(int which, id_t who)
{
	errno = 0;
	return getpriority(which, who);
}

static void privileged(void *arg)
{
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 5), "nice 5");
	CHECK_EQ(prio(PRIO_PROCESS, 0), 5, "read back");
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 100), "nice 100 is accepted");
	CHECK_EQ(prio(PRIO_PROCESS, 0), 19, "and clamped to 19");
	CHECK_OK(setpriority(PRIO_PROCESS, 0, -100), "nice -100 as root");
	CHECK_EQ(prio(PRIO_PROCESS, 0), -20, "clamped to -20");
	setpriority(PRIO_PROCESS, 0, 0);
	CHECK_EQ(nice(3), 3, "nice(3) returns the new value");
	setpgid(0, 0);
	pid_t c = fork();
	if (c == 0) {
		alarm(30);
		for (;;)
			pause();
	}
	CHECK_OK(setpriority(PRIO_PROCESS, c, 7), "set a child's nice value");
	CHECK_EQ(prio(PRIO_PROCESS, c), 7, "read it");
	CHECK_OK(setpriority(PRIO_PGRP, 0, 9), "PRIO_PGRP for our group");
	CHECK(prio(PRIO_PROCESS, 0) == 9 && prio(PRIO_PROCESS, c) == 9, "applies to both members");
	CHECK_EQ(prio(PRIO_PGRP, 0), 9, "getpriority PRIO_PGRP");
	kill(c, SIGKILL);
	tap_wait(c, 0);
	CHECK_ERR(setpriority(42, 0, 0), EINVAL, "bad which EINVAL");
	CHECK_ERR(getpriority(42, 0), EINVAL, "getpriority bad which EINVAL");
	CHECK_ERR(getpriority(PRIO_PROCESS, 0x3fffffff), ESRCH, "missing pid ESRCH");
	CHECK_ERR(setpriority(PRIO_PGRP, 0x3ffffff0, 1), ESRCH, "missing group ESRCH");
	CHECK_ERR(getpriority(PRIO_USER, 0x7ffffff0), ESRCH, "a uid without processes ESRCH");
}

static void unprivileged(void *arg)
{
	/* A root process that leaves when we close the pipe (we will not be
	 * allowed to kill it). */
	int p[2];
	pipe(p);
	pid_t root_child = fork();
	if (root_child == 0) {
		close(p[1]);
		alarm(30);
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	setpriority(PRIO_PROCESS, 0, 2);
	CHECK_OK(setresuid(1000, 1000, 1000), "drop to uid 1000");
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 6), "raise our nice value");
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, 1), EACCES, "lowering it EACCES");
	CHECK_EQ(prio(PRIO_PROCESS, 0), 6, "unchanged");
	CHECK_ERR(setpriority(PRIO_PROCESS, root_child, 10), EPERM, "another user's process EPERM");
	CHECK_EQ(prio(PRIO_USER, 1000), 6, "PRIO_USER for our uid");
	CHECK_ERR(kill(root_child, SIGKILL), EPERM, "nor kill it");
	close(p[1]);
	tap_wait(root_child, 0);
}

int main(void)
{
	tap_in_child(privileged, NULL);
	tap_in_child(unprivileged, NULL);
	return tap_done();
}
