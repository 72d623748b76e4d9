/* clone_clone3: clone3 argument rules. Size below CLONE_ARGS_SIZE_VER0 (64)
 * EINVAL, above a page E2BIG, a larger struct with a zero tail accepted and
 * with a nonzero tail E2BIG, EFAULT; exit_signal above 64 EINVAL, CSIGNAL
 * bits or CLONE_DETACHED in flags EINVAL, CLONE_CLEAR_SIGHAND with
 * CLONE_SIGHAND EINVAL, a stack without a size EINVAL; set_tid: size over
 * 32 EINVAL, size without array EINVAL, array without size EINVAL, more
 * entries than namespace levels EINVAL, tid 0 EINVAL, a tid in use EEXIST,
 * a free tid in a new PID namespace is given to the child; fork-like
 * success with PARENT_SETTID, CHILD_SETTID and PIDFD. */
#include "tap.h"
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

struct clone_args_big {
	struct clone_args a;
	uint64_t tail[4];
};

static long clone3_raw(void *args, size_t size) { return syscall(SYS_clone3, args, size); }

/* Runs clone3; a child created by mistake (or on purpose) exits at once with
 * 0 and the parent gets its pid. */
static long try_clone3(void *args, size_t size)
{
	long r = clone3_raw(args, size);
	if (r == 0)
		_exit(0);
	int e = errno;
	if (r > 0)
		waitpid(r, NULL, __WALL);
	errno = e;
	return r;
}

int main(void)
{
	struct clone_args_big b;
	memset(&b, 0, sizeof b);
	b.a.exit_signal = SIGCHLD;
	CHECK_ERR(try_clone3(&b, 0), EINVAL, "size 0 EINVAL");
	CHECK_ERR(try_clone3(&b, 63), EINVAL, "size 63 (below VER0) EINVAL");
	CHECK_ERR(try_clone3(&b, 4097), E2BIG, "size above a page E2BIG");
	CHECK(try_clone3(&b, 64) > 0, "size 64 (VER0) works");
	CHECK(try_clone3(&b, sizeof b.a) > 0, "full struct size works");
	CHECK(try_clone3(&b, sizeof b) > 0, "a bigger struct with a zero tail works");
	b.tail[3] = 1;
	CHECK_ERR(try_clone3(&b, sizeof b), E2BIG, "a bigger struct with a nonzero tail E2BIG");
	b.tail[3] = 0;
	CHECK_ERR(try_clone3(BAD_LOW, sizeof b.a), EFAULT, "bad pointer EFAULT");

	b.a.exit_signal = 65;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "exit_signal 65 EINVAL");
	b.a.exit_signal = 0x100 | SIGCHLD;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "exit_signal with high bits EINVAL");
	b.a.exit_signal = 0;
	b.a.flags = SIGCHLD;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "CSIGNAL bits in flags EINVAL");
	b.a.flags = CLONE_DETACHED;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "CLONE_DETACHED EINVAL");
	b.a.flags = CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "CLONE_CLEAR_SIGHAND with CLONE_SIGHAND EINVAL");
	b.a.flags = 0;
	b.a.exit_signal = SIGCHLD;
	static char stack[16384];
	b.a.stack = (uint64_t)(uintptr_t)stack;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "stack without stack_size EINVAL");
	b.a.stack = 0;
	b.a.stack_size = sizeof stack;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "stack_size without stack EINVAL");
	b.a.stack_size = 0;

	pid_t tids[40];
	for (int i = 0; i < 40; i++)
		tids[i] = 300 + i;
	b.a.set_tid = (uint64_t)(uintptr_t)tids;
	b.a.set_tid_size = 33;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "set_tid_size 33 EINVAL");
	b.a.set_tid = 0;
	b.a.set_tid_size = 1;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "set_tid_size without set_tid EINVAL");
	b.a.set_tid = (uint64_t)(uintptr_t)tids;
	b.a.set_tid_size = 0;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "set_tid without set_tid_size EINVAL");
	/* 32 entries is within the limit but deeper than any namespace we run in
	 * (CI itself runs inside a nested PID namespace, so 2 would be valid). */
	b.a.set_tid_size = 32;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "more set_tid entries than PID namespace levels EINVAL");
	tids[0] = 0;
	b.a.set_tid_size = 1;
	CHECK_ERR(try_clone3(&b, sizeof b.a), EINVAL, "set_tid 0 EINVAL");
	tids[0] = getpid();
	CHECK_ERR(try_clone3(&b, sizeof b.a), EEXIST, "set_tid of a pid in use EEXIST");
	b.a.set_tid = 0;
	b.a.set_tid_size = 0;

	/* Fork-like success with the ID-returning flags. */
	pid_t ptid = 0, ctid = 0;
	int pidfd = -1;
	b.a.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_PIDFD;
	b.a.parent_tid = (uint64_t)(uintptr_t)&ptid;
	b.a.child_tid = (uint64_t)(uintptr_t)&ctid;
	b.a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	long r = clone3_raw(&b, sizeof b.a);
	if (r == 0)
		_exit(ctid == getpid() ? 21 : 22);
	CHECK(r > 0, "clone3 with PARENT_SETTID|CHILD_SETTID|PIDFD");
	CHECK_EQ(ptid, r, "parent_tid holds the child's tid");
	CHECK_EQ(ctid, 0, "child_tid is set in the child's memory only");
	CHECK(pidfd >= 0, "a pidfd was stored");
	int st = tap_wait(r, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 21, "child saw its own tid in child_tid");
	if (pidfd >= 0)
		close(pidfd);

	/* set_tid inside a new PID namespace. */
	CHECK_OK(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)");
	pid_t init = fork();
	if (init == 0) {
		int bad = 0;
		struct clone_args a = { .exit_signal = SIGCHLD };
		pid_t want[1] = { 50 };
		a.set_tid = (uint64_t)(uintptr_t)want;
		a.set_tid_size = 1;
		long c = clone3_raw(&a, sizeof a);
		if (c == 0)
			_exit(getpid() == 50 ? 0 : 1);
		if (c != 50)
			bad |= 1;
		siginfo_t si;
		waitid(P_PID, 50, &si, WEXITED | WNOWAIT);
		errno = 0;
		if (clone3_raw(&a, sizeof a) != -1 || errno != EEXIST)
			bad |= 2; /* a zombie still holds its pid */
		int cst;
		if (waitpid(50, &cst, 0) != 50 || !WIFEXITED(cst) || WEXITSTATUS(cst) != 0)
			bad |= 4;
		_exit(bad);
	}
	st = tap_wait(init, 0);
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), "set_tid 50 in a new namespace gives pid 50");
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), "set_tid of a zombie's pid EEXIST");
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 4), "the child saw getpid() == 50");
	return tap_done();
}
