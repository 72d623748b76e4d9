/* wait_clone: "clone" children (exit signal other than SIGCHLD) and the
 * wait flags for them. Without __WCLONE/__WALL a clone child is invisible
 * (ECHILD when it is the only child); __WCLONE waits only for clone
 * children, __WALL for both kinds; waitid accepts the same flags;
 * __WNOTHREAD restricts waiting to children of the calling thread while by
 * default a thread can reap its sibling thread's children. */
#include "tap.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

static char stack[65536];

static int child_fn(void *arg) { return (int)(long)arg; }

static pid_t spawn_clone(int exit_signal, int code)
{
	return clone(child_fn, stack + sizeof stack, exit_signal, (void *)(long)code);
}

static pid_t spawn_exit(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

static void wait_exited(pid_t pid)
{
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT | __WALL);
}

static pid_t thread_child;
static pthread_barrier_t forked, checked;

/* Forks a child and stays alive until main has looked: a thread's children
 * pass to another thread of the group when the thread exits. */
static void *thread_fork(void *arg)
{
	thread_child = spawn_exit(9);
	pthread_barrier_wait(&forked);
	pthread_barrier_wait(&checked);
	return arg;
}

int main(void)
{
	int st;
	pid_t c = spawn_clone(0, 5); /* exit signal 0: a clone child */
	CHECK(c > 0, "clone with exit signal 0");
	wait_exited(c);
	CHECK_ERR(waitpid(c, &st, 0), ECHILD, "waitpid without __WCLONE does not see it: ECHILD");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "nor does waitpid(-1)");
	CHECK_EQ(waitpid(c, &st, __WCLONE), c, "__WCLONE reaps it");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "its status");

	signal(SIGUSR1, SIG_IGN);
	c = spawn_clone(SIGUSR1, 6);
	pid_t f = spawn_exit(7);
	wait_exited(c);
	wait_exited(f);
	CHECK_EQ(waitpid(-1, &st, __WCLONE), c, "__WCLONE picks the clone child, not the normal one");
	CHECK_ERR(waitpid(-1, &st, __WCLONE | WNOHANG), ECHILD, "__WCLONE with only a normal child left ECHILD");
	CHECK_EQ(waitpid(-1, &st, 0), f, "default picks the normal child");

	c = spawn_clone(SIGUSR1, 8);
	f = spawn_exit(9);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		pid_t r = waitpid(-1, &st, __WALL);
		seen |= (r == c) | (r == f) << 1;
	}
	CHECK_EQ(seen, 3, "__WALL reaps both kinds");

	c = spawn_clone(0, 10);
	siginfo_t si;
	CHECK_OK(waitid(P_PID, c, &si, WEXITED | __WCLONE), "waitid with __WCLONE");
	CHECK(si.si_pid == c && si.si_status == 10, "waitid reports the clone child");
	CHECK_ERR(waitpid(-1, &st, __WCLONE | __WALL | 0x00100000), EINVAL, "unknown bit with __W flags EINVAL");

	/* A thread's children. */
	pthread_t th;
	pthread_barrier_init(&forked, NULL, 2);
	pthread_barrier_init(&checked, NULL, 2);
	pthread_create(&th, NULL, thread_fork, NULL);
	pthread_barrier_wait(&forked);
	wait_exited(thread_child);
	CHECK_ERR(waitpid(-1, &st, __WNOTHREAD | WNOHANG), ECHILD,
		  "__WNOTHREAD does not see a sibling thread's child: ECHILD");
	CHECK_EQ(waitpid(-1, &st, 0), thread_child, "by default the main thread reaps the live thread's child");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "its status");
	pthread_barrier_wait(&checked);
	pthread_join(th, NULL);
	signal(SIGUSR1, SIG_DFL);
	return tap_done();
}
