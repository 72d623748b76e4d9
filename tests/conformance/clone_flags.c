/* clone_flags: the flag-combination rules of clone and unshare. EINVAL for
 * CLONE_SIGHAND without CLONE_VM, CLONE_THREAD without CLONE_SIGHAND,
 * CLONE_FS with CLONE_NEWNS, CLONE_FS with CLONE_NEWUSER, CLONE_THREAD with
 * CLONE_NEWUSER or CLONE_NEWPID, CLONE_NEWIPC with CLONE_SYSVSEM,
 * CLONE_PIDFD with CLONE_DETACHED, CLONE_PIDFD with CLONE_PARENT_SETTID on
 * the same word, CLONE_PARENT from a PID namespace's init, threads after
 * unshare(CLONE_NEWPID); the legal combinations succeed. unshare: unknown
 * flags EINVAL, CLONE_VM/CLONE_SIGHAND/CLONE_THREAD or CLONE_NEWUSER in a
 * multithreaded process EINVAL, CLONE_FS alone fine. */
#include "tap.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

static char stack[65536];

static int child_fn(void *arg) { return 0; }

/* clone() with a real stack, so a wrongly accepted combination is harmless;
 * a child that was created anyway is reaped. */
static long try_clone(unsigned long flags, int *ptid)
{
	long r = clone(child_fn, stack + sizeof stack, (int)flags, NULL, ptid, NULL, NULL);
	int e = errno;
	if (r > 0 && !(flags & CLONE_THREAD))
		waitpid(r, NULL, __WALL);
	errno = e;
	return r;
}

static void *sleeper(void *arg)
{
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

int main(void)
{
	CHECK_ERR(try_clone(CLONE_SIGHAND | SIGCHLD, NULL), EINVAL, "CLONE_SIGHAND without CLONE_VM EINVAL");
	CHECK_ERR(try_clone(CLONE_THREAD | CLONE_VM | SIGCHLD, NULL), EINVAL, "CLONE_THREAD without CLONE_SIGHAND EINVAL");
	CHECK_ERR(try_clone(CLONE_THREAD | SIGCHLD, NULL), EINVAL, "CLONE_THREAD alone EINVAL");
	CHECK_ERR(try_clone(CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL), EINVAL, "CLONE_FS with CLONE_NEWNS EINVAL");
	CHECK_ERR(try_clone(CLONE_FS | CLONE_NEWUSER | SIGCHLD, NULL), EINVAL, "CLONE_FS with CLONE_NEWUSER EINVAL");
	CHECK_ERR(try_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWUSER, NULL), EINVAL,
		  "CLONE_THREAD with CLONE_NEWUSER EINVAL");
	CHECK_ERR(try_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID, NULL), EINVAL,
		  "CLONE_THREAD with CLONE_NEWPID EINVAL");
	CHECK_ERR(try_clone(CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, NULL), EINVAL, "CLONE_NEWIPC with CLONE_SYSVSEM EINVAL");
	int word = -1;
	CHECK_ERR(try_clone(CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, &word), EINVAL, "CLONE_PIDFD with CLONE_DETACHED EINVAL");
	CHECK_ERR(try_clone(CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, &word), EINVAL,
		  "CLONE_PIDFD with CLONE_PARENT_SETTID (same word) EINVAL");

	/* The legal ones. */
	CHECK(try_clone(CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL) > 0, "CLONE_VM|CLONE_SIGHAND without a thread");
	CHECK(try_clone(CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD, NULL) > 0, "CLONE_VM|CLONE_FS|CLONE_FILES");
	CHECK(try_clone(CLONE_NEWNS | SIGCHLD, NULL) > 0, "CLONE_NEWNS alone");
	word = -1;
	long r = try_clone(CLONE_PIDFD | SIGCHLD, &word);
	CHECK(r > 0 && word >= 0, "CLONE_PIDFD stores a descriptor");
	if (word >= 0)
		close(word);

	/* unshare. */
	CHECK_ERR(unshare(CLONE_SETTLS), EINVAL, "CLONE_SETTLS is not an unshare flag: EINVAL");
	CHECK_ERR(unshare(CLONE_PARENT), EINVAL, "CLONE_PARENT is not an unshare flag: EINVAL");
	CHECK_OK(unshare(CLONE_FS), "unshare(CLONE_FS)");
	CHECK_OK(unshare(CLONE_FILES), "unshare(CLONE_FILES)");
	CHECK_OK(unshare(CLONE_VM), "unshare(CLONE_VM) single-threaded is fine");
	CHECK_OK(unshare(CLONE_SIGHAND), "unshare(CLONE_SIGHAND) single-threaded is fine");
	int p[2];
	pipe(p);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, sleeper, &p[0]), 0, "start a second thread");
	CHECK_ERR(unshare(CLONE_VM), EINVAL, "unshare(CLONE_VM) with two threads EINVAL");
	CHECK_ERR(unshare(CLONE_SIGHAND), EINVAL, "unshare(CLONE_SIGHAND) with two threads EINVAL");
	CHECK_ERR(unshare(CLONE_THREAD), EINVAL, "unshare(CLONE_THREAD) with two threads EINVAL");
	CHECK_ERR(unshare(CLONE_NEWUSER), EINVAL, "unshare(CLONE_NEWUSER) with two threads EINVAL");
	CHECK_OK(unshare(CLONE_FILES), "unshare(CLONE_FILES) with two threads is fine");
	write(p[1], "x", 1);
	pthread_join(th, NULL);
	/* CLONE_PARENT from the init of a new PID namespace. */
	CHECK_OK(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)");
	CHECK_ERR(try_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, NULL), EINVAL,
		  "a thread after unshare(CLONE_NEWPID) EINVAL");
	pid_t init = fork();
	if (init == 0) {
		int bad = 0;
		errno = 0;
		if (getpid() != 1)
			bad |= 1;
		if (try_clone(CLONE_PARENT | SIGCHLD, NULL) != -1 || errno != EINVAL)
			bad |= 2;
		_exit(bad);
	}
	int st = tap_wait(init, 0);
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), "first child after unshare is pid 1 of the namespace");
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), "CLONE_PARENT from a namespace init EINVAL");

	pthread_t th2;
	CHECK_EQ(pthread_create(&th2, NULL, sleeper, NULL), EINVAL, "pthread_create after unshare(CLONE_NEWPID) EINVAL");
	return tap_done();
}
