/* fork_vfork: vfork suspends the parent until the child exits or execs,
 * and the child shares the parent's memory until then. Checks: the child's
 * write before _exit is seen by the parent, which resumed only after it; a
 * child that execs releases the parent while it is still running (the new
 * image then waits on a pipe the parent writes); a failed execve leaves the
 * child running in shared memory; clone(CLONE_VFORK) without CLONE_VM also
 * waits but does not share memory. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile int shared_flag;

static int clone_vfork_child(void *arg)
{
	struct timespec ts = { 0, 100 * 1000000L };
	nanosleep(&ts, NULL);
	shared_flag = 99; /* private copy: the parent must not see it */
	*(volatile int *)arg = 1;
	return 4;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
		/* The new image: wait for the parent's word, then exit with it. */
		char c = 0;
		if (read(atoi(argv[2]), &c, 1) != 1)
			_exit(100);
		_exit(c);
	}

	pid_t pid = vfork();
	if (pid == 0) {
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
		shared_flag = 42;
		_exit(3);
	}
	CHECK(pid > 0, "vfork returns the child's pid");
	CHECK_EQ(shared_flag, 42, "parent resumed only after the child wrote shared memory and exited");
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "child's exit status");

	int p[2];
	CHECK_OK(pipe(p), "pipe");
	char fdarg[16];
	snprintf(fdarg, sizeof fdarg, "%d", p[0]);
	char *args[] = { argv[0], "exec-child", fdarg, NULL };
	char *env[] = { NULL };
	pid = vfork();
	if (pid == 0) {
		execve(argv[0], args, env);
		_exit(101);
	}
	CHECK(pid > 0, "vfork then execve");
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0, "parent released by the exec while the child still runs");
	CHECK_EQ(write(p[1], "\x07", 1), 1, "wake the exec'd child");
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "exec'd child exits with the value it read");
	close(p[0]);
	close(p[1]);

	volatile int child_errno = 0;
	pid = vfork();
	if (pid == 0) {
		execve("/nonexistent-moat-vfork", args, env);
		child_errno = errno;
		_exit(127);
	}
	st = tap_wait(pid, 0);
	CHECK_EQ(child_errno, ENOENT, "failed execve in the vfork child: errno seen through shared memory");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127, "child then exits");

	/* CLONE_VFORK alone: the parent waits, memory is copied. */
	static char stack[65536];
	int *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared_flag = 0;
	pid = clone(clone_vfork_child, stack + sizeof stack, CLONE_VFORK | SIGCHLD, (void *)done);
	CHECK(pid > 0, "clone(CLONE_VFORK) without CLONE_VM");
	CHECK_EQ(*done, 1, "parent waited for the child to exit");
	CHECK_EQ(shared_flag, 0, "memory not shared without CLONE_VM");
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "exit status of the CLONE_VFORK child");
	return tap_done();
}
