/* wait_reparent: orphans and child subreapers. PR_SET/GET_CHILD_SUBREAPER;
 * when a process exits its children are reparented to the nearest living
 * subreaper ancestor (getppid changes to it) and it can reap them; with a
 * nested subreaper the nearer one gets them; a zombie orphan is reaped by
 * the new parent; EINVAL-free boolean semantics (any nonzero enables). */
#include "tap.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

/* Polls (up to ~5 s) until getppid() is no longer `old`. */
static pid_t wait_reparented(pid_t old)
{
	for (int i = 0; i < 500; i++) {
		pid_t p = getppid();
		if (p != old)
			return p;
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return old;
}

int main(void)
{
	int v = -1;
	CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &v), "PR_GET_CHILD_SUBREAPER");
	CHECK_EQ(v, 0, "not a subreaper at start");
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 5), "PR_SET_CHILD_SUBREAPER");
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	CHECK_EQ(v, 1, "any nonzero value enables it");
	CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, BAD_LOW), EFAULT, "bad pointer EFAULT");
	pid_t me = getpid();

	/* Middle process forks a grandchild and exits. */
	int p[2];
	pipe(p);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t mid_pid = getpid();
		pid_t g = fork();
		if (g == 0) {
			pid_t np = wait_reparented(mid_pid);
			char ok = np == me;
			write(p[1], &ok, 1);
			_exit(33);
		}
		_exit(0);
	}
	close(p[1]);
	int st;
	CHECK_EQ(waitpid(mid, &st, 0), mid, "middle process exits");
	char ok = 0;
	CHECK_EQ(read(p[0], &ok, 1), 1, "grandchild reported");
	CHECK(ok, "orphaned grandchild's parent is now the subreaper");
	pid_t r = waitpid(-1, &st, 0);
	CHECK(r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 33, "subreaper reaps the orphan");
	close(p[0]);

	/* Nested: we -> A (subreaper) -> B -> C; B exits: C goes to A. */
	pipe(p);
	pid_t a = fork();
	if (a == 0) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		pid_t apid = getpid();
		pid_t b = fork();
		if (b == 0) {
			pid_t bpid = getpid();
			if (fork() == 0) {
				char ok = wait_reparented(bpid) == apid;
				write(p[1], &ok, 1);
				_exit(44);
			}
			_exit(0);
		}
		waitpid(b, NULL, 0);
		int cst;
		pid_t c = waitpid(-1, &cst, 0);
		_exit(c > 0 && WIFEXITED(cst) && WEXITSTATUS(cst) == 44 ? 0 : 1);
	}
	close(p[1]);
	ok = 0;
	CHECK_EQ(read(p[0], &ok, 1), 1, "great-grandchild reported");
	CHECK(ok, "it went to the nearest subreaper");
	CHECK_EQ(waitpid(a, &st, 0), a, "the nested subreaper exits");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "and it had reaped the orphan");
	close(p[0]);

	/* A zombie orphan: the grandchild exits before its parent. */
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(55);
		siginfo_t si;
		waitid(P_PID, g, &si, WEXITED | WNOWAIT);
		_exit(0);
	}
	waitpid(mid, &st, 0);
	r = waitpid(-1, &st, 0);
	CHECK(r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 55, "a zombie orphan is reaped by the subreaper");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "nothing left");
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 0), "clear it");
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	CHECK_EQ(v, 0, "cleared");
	return tap_done();
}
