/* session_orphan: a process group that becomes orphaned while one of its
 * members is stopped gets SIGHUP then SIGCONT (POSIX; Linux
 * kill_orphaned_pgrp). X starts a session, Y makes its own group and forks
 * Z into it; Z stops itself; when Y exits, Z's new parent (the subreaper,
 * in another session) does not keep the group joined to the session, so
 * the group is orphaned: Z is continued and its SIGHUP and SIGCONT handlers
 * run (SIGCONT's first: both are set up on one return to user mode). Also: SIGTSTP to a member of an orphaned group is discarded
 * (the process keeps running). */
#include "tap.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static int report_fd;
static volatile int order[4], n_order;

static void on_sig(int sig)
{
	if (n_order < 4)
		order[n_order++] = sig;
}

static void z_body(void)
{
	signal(SIGHUP, on_sig);
	signal(SIGCONT, on_sig);
	alarm(30); /* never outlive a broken run */
	raise(SIGSTOP);
	/* Continued: wait a little for the pair to be handled. */
	for (int i = 0; i < 500 && n_order < 2; i++) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	/* Orphaned now: SIGTSTP must not stop us. */
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	int msg[3] = { n_order, order[0], order[1] };
	write(report_fd, msg, sizeof msg);
	_exit(0);
}

static void x_body(void)
{
	setsid();
	pid_t y = fork();
	if (y == 0) {
		setpgid(0, 0);
		pid_t z = fork();
		if (z == 0)
			z_body();
		int st;
		waitpid(z, &st, WUNTRACED); /* Z is stopped */
		_exit(WIFSTOPPED(st) ? 0 : 1);
	}
	int st;
	waitpid(y, &st, 0);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
}

int main(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	report_fd = p[1];
	pid_t x = fork();
	if (x == 0)
		x_body();
	close(p[1]);
	int st = tap_wait(x, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the member stopped and its group's last link left");
	int msg[3] = { 0 };
	CHECK_EQ(read(p[0], msg, sizeof msg), sizeof msg, "the stopped member was continued and reported");
	CHECK_EQ(msg[0], 2, "it got two signals");
	/* Both are pending when Z resumes. Linux delivers the lowest first
	 * (SIGHUP), and before its handler runs, on the same return to user
	 * mode, delivers SIGCONT on top of it: SIGCONT's handler runs first. */
	CHECK_EQ(msg[1], SIGCONT, "SIGCONT's handler ran first (its frame is on top)");
	CHECK_EQ(msg[2], SIGHUP, "then SIGHUP's");
	CHECK(1, "SIGTSTP in an orphaned group did not stop it (it reported after)");
	pid_t z = waitpid(-1, &st, 0);
	CHECK(z > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the orphan came to the subreaper and exited");
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	return tap_done();
}
