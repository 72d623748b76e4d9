/* clone_thread: a raw thread made with CLONE_VM|FS|FILES|SIGHAND|THREAD|
 * SYSVSEM|SETTLS|PARENT_SETTID|CHILD_SETTID|CHILD_CLEARTID. The parent's
 * word gets the tid, the child's word is set at start and cleared with a
 * futex wake at exit; the thread has the same pid, its own tid, the TLS
 * base it was given, shares memory and descriptors; a thread is not a
 * waitable child (ECHILD) and is gone after it exits (tgkill ESRCH). The
 * thread body makes only raw syscalls: it has no libc TLS. */
#include "tap.h"
#include <asm/prctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

struct tls_block {
	struct tls_block *self; /* x86-64 TCB convention: %fs:0 points here */
	long pad[64];
};

static struct tls_block tls = { .self = &tls };
static volatile long seen_tid, seen_pid, seen_fs, seen_ctid, seen_write;
static volatile int ctid, ptid;
static int shared_fd;
static volatile int release, reported;

static int thread_fn(void *arg)
{
	seen_tid = raw6(SYS_gettid, 0, 0, 0, 0, 0, 0);
	seen_pid = raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	unsigned long fs = 0;
	raw6(SYS_arch_prctl, ARCH_GET_FS, (long)&fs, 0, 0, 0, 0);
	seen_fs = fs;
	seen_ctid = ctid;
	seen_write = raw6(SYS_write, shared_fd, (long)"t", 1, 0, 0, 0);
	__atomic_store_n(&reported, 1, __ATOMIC_SEQ_CST);
	/* Wait for main to look at us before exiting. */
	while (!release)
		raw6(SYS_futex, (long)&release, FUTEX_WAIT, 0, 0, 0, 0);
	/* Give main ample time to sleep on ctid, to see the exit's wake. */
	struct timespec ts = { 0, 300 * 1000000L };
	raw6(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
	return 0;
}

int main(void)
{
	static char stack[65536];
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	shared_fd = p[1];
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		    CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	long tid = clone(thread_fn, stack + sizeof stack, flags, NULL, &ptid, &tls, &ctid);
	CHECK(tid > 0, "clone a thread");
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1, "the thread wrote to a shared descriptor");
	while (!__atomic_load_n(&reported, __ATOMIC_SEQ_CST))
		sched_yield();
	CHECK_EQ(ptid, tid, "CLONE_PARENT_SETTID stored the tid");
	CHECK_EQ(seen_tid, tid, "the thread's gettid is the returned tid");
	CHECK(tid != getpid(), "a thread's tid differs from the pid");
	CHECK_EQ(seen_pid, getpid(), "the thread's getpid is the process's");
	CHECK_EQ(seen_fs, (long)&tls, "CLONE_SETTLS set the thread's fs base");
	CHECK_EQ(seen_ctid, tid, "CLONE_CHILD_SETTID stored the tid for the child");
	CHECK_EQ(seen_write, 1, "the thread's write returned 1");
	CHECK_OK(syscall(SYS_tgkill, getpid(), tid, 0), "tgkill(pid, tid, 0) finds the live thread");
	CHECK_ERR(waitpid(tid, NULL, __WALL | WNOHANG), ECHILD, "a thread is not a waitable child: ECHILD");

	release = 1;
	syscall(SYS_futex, &release, FUTEX_WAKE, 1, NULL, NULL, 0);
	/* CHILD_CLEARTID: ctid becomes 0 and the futex is woken. */
	int waited = 0;
	for (int i = 0; i < 50 && ctid != 0; i++) {
		struct timespec ts = { 0, 100 * 1000000L };
		long v = ctid;
		if (v != 0 && syscall(SYS_futex, &ctid, FUTEX_WAIT, v, &ts, NULL, 0) == 0)
			waited = 1;
	}
	CHECK_EQ(ctid, 0, "CLONE_CHILD_CLEARTID cleared the word at exit");
	CHECK(waited, "a FUTEX_WAIT on the word was woken by the exit");
	struct timespec ts = { 0, 10 * 1000000L };
	int gone = 0;
	for (int i = 0; i < 500 && !gone; i++) {
		gone = syscall(SYS_tgkill, getpid(), tid, 0) == -1 && errno == ESRCH;
		if (!gone)
			nanosleep(&ts, NULL);
	}
	CHECK(gone, "after its exit the thread is gone: tgkill ESRCH");
	CHECK_OK(getpid(), "the process lives on");
	return tap_done();
}
