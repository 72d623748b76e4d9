/* session_setpgid: the setpgid rules, run inside a fresh session.
 * Success: a child into its own group, another child into that group, and
 * back; setpgid(0, 0) for a non-leader. EINVAL for a negative pgid; ESRCH
 * for a pid that is neither us nor our child (a grandchild, a missing pid);
 * EPERM for a session leader, for a child in another session, for moving
 * into a group of another session, for a group that does not exist in our
 * session; EACCES for a child that has called execve. */
#include "tap.h"
#include <signal.h>
#include <sys/wait.h>

static char *self;

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

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	tap_wait(pid, 0);
}

static void in_session(void *arg)
{
	CHECK_EQ(setsid(), getpid(), "a fresh session to work in");
	CHECK_ERR(setpgid(0, 0), EPERM, "session leader setpgid EPERM");
	pid_t a = spawn_sleeper(), b = spawn_sleeper();
	CHECK_OK(setpgid(a, a), "child A into a new group of its own");
	CHECK_EQ(getpgid(a), a, "A leads it");
	CHECK_OK(setpgid(b, a), "child B into A's group");
	CHECK_EQ(getpgid(b), a, "B is in A's group");
	CHECK_OK(setpgid(b, 0), "pgid 0 means B's own pid");
	CHECK_EQ(getpgid(b), b, "B leads its own group");
	CHECK_OK(setpgid(b, getpgrp()), "B back into our group");
	CHECK_ERR(setpgid(a, -1), EINVAL, "negative pgid EINVAL");
	CHECK_ERR(setpgid(a, 0x3ffffff0), EPERM, "a group that does not exist EPERM");
	CHECK_ERR(setpgid(0x3fffffff, 0), ESRCH, "missing pid ESRCH");

	/* A grandchild is not ours. */
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		pid_t g = spawn_sleeper();
		write(p[1], &g, sizeof g);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	pid_t g = 0;
	read(p[0], &g, sizeof g);
	CHECK_ERR(setpgid(g, 0), ESRCH, "a grandchild ESRCH");
	kill(g, SIGKILL);
	reap(c);

	/* A child in another session. */
	c = fork();
	if (c == 0) {
		setsid();
		write(p[1], "s", 1);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	char ch;
	read(p[0], &ch, 1);
	CHECK_ERR(setpgid(c, c), EPERM, "a child in another session EPERM");
	CHECK_ERR(setpgid(a, c), EPERM, "moving into a group of another session EPERM");
	reap(c);

	/* A child that has called execve. */
	c = fork();
	if (c == 0) {
		char fd[16];
		snprintf(fd, sizeof fd, "%d", p[1]);
		char *argv[] = { self, "exec-child", fd, NULL };
		char *envp[] = { NULL };
		execve(self, argv, envp);
		_exit(127);
	}
	read(p[0], &ch, 1);
	CHECK_ERR(setpgid(c, c), EACCES, "a child after execve EACCES");
	reap(c);
	CHECK_OK(setpgid(a, a), "the rules did not disturb A");
	reap(a);
	reap(b);
}

static void non_leader(void *arg)
{
	CHECK_OK(setpgid(0, 0), "setpgid(0, 0) as a non-leader");
	CHECK_EQ(getpgrp(), getpid(), "now leads a group");
	CHECK_OK(setpgid(0, 0), "again: already its own group, fine");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
		write(atoi(argv[2]), "e", 1);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	tap_in_child(in_session, NULL);
	tap_in_child(non_leader, NULL);
	return tap_done();
}
