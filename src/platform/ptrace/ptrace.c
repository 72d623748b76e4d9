/*
 * The ptrace platform. A stub is a child of the sentry stripped of every
 * mapping but one code page (at STUB_ADDR, holding `syscall; int3`) and the
 * host vDSO, and of every descriptor but the memory file. Application code
 * runs in it under PTRACE_SYSEMU, so each system call stops the stub before
 * the host executes it and the sentry serves it instead. Memory is mapped
 * into a stub by making the stub itself execute mmap/munmap/mprotect at
 * STUB_ADDR ("injection"), with the application's registers saved aside.
 *
 * A tracee is tied to the host thread that traces it, but ptrace is per
 * thread: every context (one per task, owned by the task's sentry thread)
 * traces its own stub thread, and the tasks of one address space (CLONE_VM)
 * are threads of one stub process, so a page mapped or unmapped through any
 * of them is mapped or unmapped for all at once. New stub threads are made
 * ahead by the task that clones (a clone injected into its stopped stub
 * thread; the new thread parks in pause() untraced), and the thread of a
 * task that ends parks again for the next one. When no parked thread is at
 * hand a task gets a stub process of its own; then the processes of one
 * space fault pages in independently, and unmapping and protection changes
 * are logged in the address space and applied by each process before any of
 * its threads runs again (running ones are interrupted and waited for), so
 * no stub can reach a page after it is released.
 */
#include "platform/platform.h"

#include <elf.h>
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

/* The one page a stub keeps: the last page below TASK_SIZE. Application
 * mappings stay below it. */
#define STUB_ADDR (ARCH_TASK_SIZE - PAGE_SIZE)
#define STUB_INSN_SYSCALL STUB_ADDR          /* syscall; int3 */
#define STUB_INSN_CLONE (STUB_ADDR + (stub_clone_insn - stub_blob_start))
#define STUB_INSN_PARK (STUB_ADDR + (stub_park_insn - stub_blob_start))
#define STUB_PARK_LEN (stub_park_end - stub_park_insn)
#define STUB_INTERRUPT_SIGNAL SIGURG

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

/* An address-space change every stub must apply before running again. */
struct inval {
	uint64_t addr, len;
	int prot;              /* -1: unmap */
};

#define INVAL_LOG 64
/* Parked threads a stub process keeps for tasks to come (its leader may
 * make one more: it never exits before the process). */
#define SPARE_MAX 8

/* A host stub process of an address space. */
struct stub_proc {
	pid_t pid;             /* its thread group */
	int threads;           /* contexts running a thread of it, or about to */
	bool shared;           /* it has or had more than one thread */
	uint64_t applied;      /* changes of the space applied to it */
	int nspare;
	pid_t spare[SPARE_MAX + 1];   /* parked threads, untraced */
	struct stub_proc *next;
};

struct plat_as {
	pthread_mutex_t lock;
	int refs;              /* the mm's, plus one per attached context */
	uint64_t gen;          /* changes logged so far */
	struct inval log[INVAL_LOG];   /* change n is log[n % INVAL_LOG] */
	struct plat_ctx *users;        /* contexts with a stub in this space */
	struct stub_proc *procs;       /* its stub processes */
};

struct plat_ctx {
	pid_t tid;             /* host tid of the owning sentry thread */
	pid_t stub;            /* the stub thread it traces, or 0 */
	struct stub_proc *proc;        /* the process of that thread */
	struct plat_as *as;    /* the address space the stub holds */
	struct plat_ctx *next_user;
	int last_cpu;
	bool fresh;            /* a new or parked stub thread: never ran for us yet */
	uint64_t dead_cpu_ns;  /* CPU time of stubs this context had before */
	uint64_t cpu_base;     /* CPU time its stub thread had when it took it */
	_Atomic uint64_t seen; /* changes of as its process had when it last ran */
	atomic_bool interrupt;
	/* While inside ctx_switch: the stub's thread group << 32 | its tid. */
	_Atomic uint64_t running;
};

static int memfile_fd = -1;
/* An interrupt signal consumed while injecting for this thread's stub. */
static __thread bool interrupt_seen;

static int wait_stop(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, __WALL);
		if (r == pid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return -errno;
	}
}

/* Run one host system call inside the stopped stub at insn. The stub's
 * registers are clobbered; callers save and restore them. */
static long stub_inject(pid_t pid, uint64_t insn, long nr, uint64_t a0, uint64_t a1,
			uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return -errno;
	r.rax = nr;
	r.orig_rax = -1;
	r.rdi = a0; r.rsi = a1; r.rdx = a2; r.r10 = a3; r.r8 = a4; r.r9 = a5;
	r.rip = insn;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0)
		return -errno;
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			return -errno;
		int status;
		int err = wait_stop(pid, &status);
		if (err)
			return err;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		/* An interrupt signal or anything else raced in: drop it and
		 * let the call finish; interrupts are re-checked by the caller. */
		if (WSTOPSIG(status) == STUB_INTERRUPT_SIGNAL) {
			interrupt_seen = true;  /* the switch that follows reports it */
			continue;
		}
		{
			siginfo_t si;
			struct user_regs_struct rr;
			ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
			ptrace(PTRACE_GETREGS, pid, 0, &rr);
			log_debug("ptrace: stub %d stopped by signal %d code %d addr %p rip %#llx during injection of %ld",
				   pid, WSTOPSIG(status), si.si_code, si.si_addr, rr.rip, nr);
			return -EFAULT;
		}
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return -errno;
	return (long)r.rax;
}

/* The child side of stub creation: only raw system calls (we are a fork
 * of a multi-threaded process). */
/*
 * The stub page's code. It is copied to STUB_ADDR by the freshly forked
 * child, which jumps to stub_entry with the plan (below) at STUB_PLAN: the
 * code closes every descriptor but the memory file, unmaps everything but
 * itself and the host vDSO, asks to be traced and stops. After that the
 * page only serves injected calls: `syscall; int3` at its start.
 */
#define STUB_PLAN (STUB_ADDR + 0x800)
#define STUB_ENTRY_OFF 16
struct stub_plan {
	uint64_t memfd;
	uint64_t nranges;
	uint64_t factory;             /* nonzero: become the stub factory */
	struct { uint64_t start, len; } unmap[PLAT_SPECIAL_MAX + 1];
};

extern const char stub_blob_start[], stub_blob_end[], stub_clone_insn[], stub_park_insn[],
	stub_park_end[];
__asm__(
	".text\n"
	".globl stub_blob_start\n"
	".globl stub_blob_end\n"
	".globl stub_clone_insn\n"
	".globl stub_park_insn\n"
	".globl stub_park_end\n"
	"stub_blob_start:\n"
	"	syscall\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* stub_entry: r12 = plan */
	"	movq %rdi, %r12\n"
	"	movq 0(%r12), %r13\n"            /* memfd */
	"	testq %r13, %r13\n"
	"	jz 1f\n"
	"	movl $436, %eax\n"               /* close_range(0, memfd - 1, 0) */
	"	xorl %edi, %edi\n"
	"	leaq -1(%r13), %rsi\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"1:	movl $436, %eax\n"               /* close_range(memfd + 1 (+ 2 for the factory's pipes), ~0U, 0) */
	"	leaq 1(%r13), %rdi\n"
	"	cmpq $0, 16(%r12)\n"
	"	je 6f\n"
	"	leaq 3(%r13), %rdi\n"
	"6:\n"
	"	movl $0xffffffff, %esi\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	movq 8(%r12), %r14\n"            /* nranges */
	"	leaq 24(%r12), %r15\n"
	"2:	testq %r14, %r14\n"
	"	jz 3f\n"
	"	movl $11, %eax\n"                /* munmap(start, len) */
	"	movq 0(%r15), %rdi\n"
	"	movq 8(%r15), %rsi\n"
	"	syscall\n"
	"	addq $16, %r15\n"
	"	decq %r14\n"
	"	jmp 2b\n"
	"3:	cmpq $0, 16(%r12)\n"
	"	jne 5f\n"
	"	movl $101, %eax\n"               /* ptrace(PTRACE_TRACEME) */
	"	xorl %edi, %edi\n"
	"	xorl %esi, %esi\n"
	"	xorl %edx, %edx\n"
	"	xorl %r10d, %r10d\n"
	"	syscall\n"
	"4:	movl $39, %eax\n"                /* kill(getpid(), SIGSTOP) */
	"	syscall\n"
	"	movl %eax, %edi\n"
	"	movl $62, %eax\n"
	"	movl $19, %esi\n"
	"	syscall\n"
	"	jmp 9f\n"                        /* exit_group(1): never resumed here */
	/* The factory: for each byte read from memfd+1, fork a stub and write
	 * its pid (or -errno) to memfd+2; EOF or an error ends it. Its bytes
	 * live in a page of their own (rbx) below the stub page, which stays
	 * read-only and executable in the factory as in every stub. */
	"5:	movl $9, %eax\n"                /* mmap(page - 4096, 4096, RW, PRIVATE|ANON|FIXED, -1, 0) */
	"	movq %r12, %rdi\n"
	"	andq $-4096, %rdi\n"
	"	subq $4096, %rdi\n"
	"	movl $4096, %esi\n"
	"	movl $3, %edx\n"
	"	movl $0x32, %r10d\n"
	"	movq $-1, %r8\n"
	"	xorl %r9d, %r9d\n"
	"	syscall\n"
	"	cmpq %rdi, %rax\n"
	"	jne 9f\n"
	"	movq %rax, %rbx\n"
	"11:	xorl %eax, %eax\n"              /* read(memfd + 1, scratch, 1) */
	"	leaq 1(%r13), %rdi\n"
	"	movq %rbx, %rsi\n"
	"	movl $1, %edx\n"
	"	syscall\n"
	"	cmpq $1, %rax\n"
	"	jne 9f\n"
	"	movl $56, %eax\n"                /* clone(SIGCHLD, 0, 0, 0, 0) */
	"	movl $17, %edi\n"
	"	xorl %esi, %esi\n"
	"	xorl %edx, %edx\n"
	"	xorl %r10d, %r10d\n"
	"	xorl %r8d, %r8d\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jz 7f\n"
	"	movl %eax, 4(%rbx)\n"            /* write(memfd + 2, &pid, 4) */
	"	movl $1, %eax\n"
	"	leaq 2(%r13), %rdi\n"
	"	leaq 4(%rbx), %rsi\n"
	"	movl $4, %edx\n"
	"	syscall\n"
	"	jmp 11b\n"
	/* A new stub: the factory's page and pipes dropped, dying with the
	 * factory; it parks until the sentry thread that asked seizes it
	 * (stopping itself would leave its process group-stopped, and every
	 * thread it makes later would stop at birth). The sentry finishes
	 * these steps itself if it seizes the stub before they are done. */
	"7:	movl $11, %eax\n"               /* munmap(scratch, 4096) */
	"	movq %rbx, %rdi\n"
	"	movl $4096, %esi\n"
	"	syscall\n"
	"	movl $436, %eax\n"               /* close_range(memfd + 1, ~0U, 0) */
	"	leaq 1(%r13), %rdi\n"
	"	movl $0xffffffff, %esi\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	movl $157, %eax\n"               /* prctl(PR_SET_PDEATHSIG, SIGKILL) */
	"	movl $1, %edi\n"
	"	movl $9, %esi\n"
	"	syscall\n"
	"	jmp 10f\n"
	"9:	movl $231, %eax\n"               /* exit_group(1) */
	"	movl $1, %edi\n"
	"	syscall\n"
	/* An injected clone of a stub thread: the caller traps as after any
	 * injected call, the new thread parks in pause() until a sentry
	 * thread seizes it; a retired stub thread parks here too. */
	"stub_clone_insn:\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jnz 8f\n"
	"stub_park_insn:\n"
	"10:	movl $34, %eax\n"               /* pause() */
	"	syscall\n"
	"	jmp 10b\n"
	"stub_park_end:\n"
	"8:	int3\n"
	"stub_blob_end:\n");

/* What the new stub must unmap: all of user space but the stub page and
 * the host vDSO pages (platform_special is sorted by address). */
static void stub_plan_fill(struct stub_plan *plan)
{
	plan->memfd = (uint64_t)memfile_fd;
	plan->nranges = 0;
	uint64_t from = 0;
	for (int i = 0; i <= platform_nspecial; i++) {
		uint64_t to = i < platform_nspecial ? platform_special[i].start : STUB_ADDR;
		if (to > from) {
			plan->unmap[plan->nranges].start = from;
			plan->unmap[plan->nranges++].len = to - from;
		}
		if (i < platform_nspecial)
			from = platform_special[i].end;
	}
}

static struct stub_plan the_plan;
/* Where the factory's pipes pass on their way to memfd + 1 and + 2. */
#define FACTORY_TMP_FD 900

/* The child side of stub creation: only raw system calls (we are a fork
 * of a multi-threaded process). */
static void __attribute__((noreturn)) stub_child(pid_t parent, const int *factory_pipes)
{
	/* glibc registered an rseq area in the sentry thread's TLS and fork
	 * inherits the registration; once the stub drops that memory the host
	 * would SIGSEGV it on every return to user mode. */
	char *rseq_area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if (__rseq_size &&
	    syscall(SYS_rseq, rseq_area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
		syscall(SYS_rseq, rseq_area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (syscall(SYS_getppid) != parent)
		syscall(SYS_exit_group, 1);
	/* Its own process group: terminal signals go to moat, not stubs. */
	syscall(SYS_setpgid, 0, 0);
	/* No signal may be blocked: interrupts must reach the stub. */
	uint64_t none = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
	long page = syscall(SYS_mmap, STUB_ADDR, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (page != (long)STUB_ADDR)
		syscall(SYS_exit_group, 1);
	char *dst = (char *)STUB_ADDR;
	for (const char *p = stub_blob_start; p < stub_blob_end; p++)
		*dst++ = *p;
	const char *src = (const char *)&the_plan;
	for (size_t i = 0; i < sizeof the_plan; i++)
		((char *)STUB_PLAN)[i] = src[i];
	if (factory_pipes) {
		/* The factory keeps its request and reply pipes right after the
		 * memory file. */
		int mfd = (int)the_plan.memfd;
		syscall(SYS_dup2, factory_pipes[0], FACTORY_TMP_FD);
		syscall(SYS_dup2, factory_pipes[1], FACTORY_TMP_FD + 1);
		syscall(SYS_dup2, FACTORY_TMP_FD, mfd + 1);
		syscall(SYS_dup2, FACTORY_TMP_FD + 1, mfd + 2);
		((struct stub_plan *)STUB_PLAN)->factory = 1;
	}
	syscall(SYS_mprotect, STUB_ADDR, PAGE_SIZE, PROT_READ | PROT_EXEC);
	void (*entry)(uint64_t) = (void (*)(uint64_t))(STUB_ADDR + STUB_ENTRY_OFF);
	entry(STUB_PLAN);
	__builtin_unreachable();
}

/* Stubs are reaped by the host as soon as they die (the sentry ignores
 * SIGCHLD, see ptrace_platform_init): killing one costs no wait. */
static void stub_kill(pid_t pid)
{
	kill(pid, SIGKILL);
}

/*
 * The stub factory: a stripped process like a stub, forked once at start,
 * that forks new stubs on request. Forking that tiny process is much
 * cheaper than forking the sentry (whose fork copies its page tables and
 * whose child must then unmap all of it), which makes fork, clone and exec
 * inside the sandbox faster. A stub from the factory is the factory's
 * child, so the sentry thread that will run it seizes it; when the factory
 * cannot be used (it died, or ptrace rules forbid seizing a non-child) the
 * sentry forks stubs itself as before.
 */
static pthread_mutex_t factory_lock = PTHREAD_MUTEX_INITIALIZER;
static int factory_req = -1, factory_reply = -1;   /* sentry's ends */

static void factory_start(void)
{
	int req[2], reply[2];
	if (pipe2(req, O_CLOEXEC) < 0)
		return;
	if (pipe2(reply, O_CLOEXEC) < 0) {
		close(req[0]);
		close(req[1]);
		return;
	}
	pid_t parent = getpid();
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		int pipes[2] = { req[0], reply[1] };
		stub_child(parent, pipes);
	}
	close(req[0]);
	close(reply[1]);
	if (pid < 0) {
		close(req[1]);
		close(reply[0]);
		return;
	}
	factory_req = req[1];
	factory_reply = reply[0];
}

#define STUB_SEIZE_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)

/* Stop the seized thread tid (PTRACE_INTERRUPT); its rip at the stop
 * when rip is not NULL. */
static int stub_interrupt(pid_t tid, uint64_t *rip)
{
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return -errno;
	for (;;) {
		int status;
		int err = wait_stop(tid, &status);
		if (err)
			return err;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if ((status >> 16) == PTRACE_EVENT_STOP)
			break;
		/* A late interrupt meant for the thread's previous task: drop it;
		 * the PTRACE_INTERRUPT trap is still to come. */
		if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
			return -errno;
	}
	struct user_regs_struct r;
	if (rip && ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return -errno;
	if (rip)
		*rip = r.rip;
	return 0;
}

static bool in_park_loop(uint64_t rip)
{
	return rip >= STUB_INSN_PARK && rip <= STUB_INSN_PARK + STUB_PARK_LEN;
}

/* Trace a parked stub thread and stop it. */
static int stub_seize_parked(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0, STUB_SEIZE_OPTIONS) < 0)
		return -errno;
	return stub_interrupt(tid, NULL);
}

/* Seize a new stub of the factory. Stopped before it parked, it may still
 * hold the factory's page and pipes: drop them and ask for SIGKILL at the
 * factory's death as it would have. */
static int stub_seize_from_factory(pid_t pid)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, STUB_SEIZE_OPTIONS) < 0)
		return -errno;
	uint64_t rip = 0;
	int err = stub_interrupt(pid, &rip);
	if (err || in_park_loop(rip))
		return err;
	long r = stub_inject(pid, STUB_INSN_SYSCALL, SYS_munmap, STUB_ADDR - PAGE_SIZE, PAGE_SIZE, 0, 0, 0, 0);
	if (r >= 0)
		r = stub_inject(pid, STUB_INSN_SYSCALL, SYS_close_range, (uint64_t)memfile_fd + 1, ~0U, 0, 0, 0, 0);
	if (r >= 0)
		r = stub_inject(pid, STUB_INSN_SYSCALL, SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

/* Ask the factory for a stub and seize it: 0, or -errno and the caller
 * falls back to forking one itself. */
static int stub_from_factory(pid_t *out)
{
	pthread_mutex_lock(&factory_lock);
	int32_t pid = -1;
	bool ok = factory_req >= 0 && write(factory_req, "s", 1) == 1 &&
		  read(factory_reply, &pid, sizeof pid) == sizeof pid;
	if (!ok && factory_req >= 0) {
		/* The factory is gone: never ask again. */
		close(factory_req);
		close(factory_reply);
		factory_req = factory_reply = -1;
	}
	pthread_mutex_unlock(&factory_lock);
	if (!ok || pid <= 0)
		return -EAGAIN;
	int err = stub_seize_from_factory(pid);
	if (err) {
		stub_kill(pid);
		return err;
	}
	*out = pid;
	return 0;
}

/* A new stub traced by the calling thread: from the factory, else forked
 * from the sentry. */
static int stub_create(pid_t *out)
{
	static bool factory_refused;
	if (!__atomic_load_n(&factory_refused, __ATOMIC_RELAXED)) {
		int err = stub_from_factory(out);
		if (!err)
			return 0;
		if (err == -EPERM)
			__atomic_store_n(&factory_refused, true, __ATOMIC_RELAXED);
	}
	pid_t parent = getpid();
	/* A raw clone: no atfork handlers, no locks taken in the child. */
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0)
		stub_child(parent, NULL);
	int status;
	int err = wait_stop(pid, &status);
	if (!err && !(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP))
		err = -ECHILD;
	if (!err && ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0)
		err = -errno;
	if (err) {
		stub_kill(pid);
		return err;
	}
	*out = pid;
	return 0;
}

/* CPU time of a stub process (its process CPU clock). */
static uint64_t stub_cpu_ns(pid_t pid)
{
	struct timespec ts;
	clockid_t clk = (clockid_t)((~(unsigned)pid << 3) | 2);   /* CPUCLOCK_SCHED of pid */
	if (!pid || clock_gettime(clk, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CPU time of one thread of a stub process: the host lets only a thread's
 * own process read its thread CPU clock, so procfs tells. */
static uint64_t stub_thread_cpu_ns(pid_t pid, pid_t tid)
{
	char path[64], buf[96];
	snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", pid, tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtoull(buf, NULL, 10);
}

/* CPU time of ctx's stub thread since ctx took it. */
static uint64_t ctx_stub_cpu_ns(struct plat_ctx *ctx)
{
	if (!ctx->stub)
		return 0;
	uint64_t now = __atomic_load_n(&ctx->proc->shared, __ATOMIC_RELAXED)
			       ? stub_thread_cpu_ns(ctx->proc->pid, ctx->stub)
			       : stub_cpu_ns(ctx->proc->pid);
	return now > ctx->cpu_base ? now - ctx->cpu_base : 0;
}

static uint64_t ptrace_ctx_cpu_ns(struct plat_ctx *ctx)
{
	return ctx->dead_cpu_ns + ctx_stub_cpu_ns(ctx);
}

/* ---- stub threads ------------------------------------------------------ */

/* Let a stopped stub thread go, parked in pause() in the stub page. No
 * restart: orig_rax -1 says it was in no system call. */
static int stub_park(pid_t tid)
{
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return -errno;
	r.rip = STUB_INSN_PARK;
	r.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 || ptrace(PTRACE_DETACH, tid, 0, 0) < 0)
		return -errno;
	return 0;
}

/* A new parked thread in the process of the stopped stub thread tid. */
static pid_t stub_clone_parked(pid_t tid)
{
	long r = stub_inject(tid, STUB_INSN_CLONE, SYS_clone,
			     CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			     CLONE_SYSVSEM, 0, 0, 0, 0, 0);
	return r > 0 ? (pid_t)r : 0;
}

/* Drop everything the application may have mapped; the stub page and the
 * host vDSO stay (the plan a new stub strips itself with). */
static long stub_unmap_all(pid_t tid)
{
	long r = 0;
	for (uint64_t i = 0; i < the_plan.nranges && r >= 0; i++)
		r = stub_inject(tid, STUB_INSN_SYSCALL, SYS_munmap, the_plan.unmap[i].start,
				the_plan.unmap[i].len, 0, 0, 0, 0);
	return r;
}

/* With as->lock held: take ctx off the users of as, proc off its processes. */
static void as_unlink_user_locked(struct plat_as *as, struct plat_ctx *ctx)
{
	for (struct plat_ctx **p = &as->users; *p; p = &(*p)->next_user) {
		if (*p == ctx) {
			*p = ctx->next_user;
			return;
		}
	}
}

static void as_unlink_proc_locked(struct plat_as *as, struct stub_proc *proc)
{
	for (struct stub_proc **p = &as->procs; *p; p = &(*p)->next) {
		if (*p == proc) {
			*p = proc->next;
			return;
		}
	}
}

/* Drop a reservation on proc; the last one kills the process. */
static void proc_put(struct plat_as *as, struct stub_proc *proc, pid_t spare)
{
	pthread_mutex_lock(&as->lock);
	/* A thread that finds no room stays parked, unused, until its
	 * process ends. */
	if (spare && proc->nspare <= SPARE_MAX)
		proc->spare[proc->nspare++] = spare;
	bool last = --proc->threads == 0;
	if (last)
		as_unlink_proc_locked(as, proc);
	pthread_mutex_unlock(&as->lock);
	if (last) {
		stub_kill(proc->pid);
		free(proc);
	}
}

/* ---- address spaces ---------------------------------------------------- */

static int ptrace_as_new(struct plat_ctx *ctx, struct plat_as **out)
{
	struct plat_as *as = calloc(1, sizeof *as);
	if (!as)
		return -ENOMEM;
	pthread_mutex_init(&as->lock, NULL);
	as->refs = 1;
	*out = as;
	return 0;
}

static void as_unref(struct plat_as *as)
{
	pthread_mutex_lock(&as->lock);
	bool last = --as->refs == 0;
	pthread_mutex_unlock(&as->lock);
	if (last)
		free(as);
}

static void ptrace_as_release(struct plat_as *as)
{
	if (as)
		as_unref(as);
}

static void as_link_user(struct plat_as *as, struct plat_ctx *ctx)
{
	pthread_mutex_lock(&as->lock);
	as->refs++;
	ctx->as = as;
	ctx->next_user = as->users;
	as->users = ctx;
	pthread_mutex_unlock(&as->lock);
}

/* Make proc, which maps nothing of as, one of its processes. */
static void as_add_proc(struct plat_as *as, struct stub_proc *proc)
{
	pthread_mutex_lock(&as->lock);
	proc->applied = as->gen;
	proc->next = as->procs;
	as->procs = proc;
	pthread_mutex_unlock(&as->lock);
}

/* Leave the address space. The stub thread parks for a task to come (or
 * exits when enough are parked); the last thread's process is killed. */
static void ctx_detach(struct plat_ctx *ctx)
{
	struct plat_as *as = ctx->as;
	if (!as)
		return;
	struct stub_proc *proc = ctx->proc;
	pid_t tid = ctx->stub;
	ctx->dead_cpu_ns += ctx_stub_cpu_ns(ctx);
	pthread_mutex_lock(&as->lock);
	as_unlink_user_locked(as, ctx);
	bool others = proc->threads > 1;
	bool park = others && (proc->nspare < SPARE_MAX || tid == proc->pid);
	pthread_mutex_unlock(&as->lock);
	pid_t spare = 0;
	if (park && stub_park(tid) == 0)
		spare = tid;
	else if (others && tid != proc->pid)
		stub_inject(tid, STUB_INSN_SYSCALL, SYS_exit, 0, 0, 0, 0, 0, 0);
	proc_put(as, proc, spare);
	ctx->stub = 0;
	ctx->proc = NULL;
	ctx->as = NULL;
	as_unref(as);
}

/* Join as through a parked thread of one of its processes. */
static int ctx_join_parked(struct plat_ctx *ctx, struct plat_as *as)
{
	pthread_mutex_lock(&as->lock);
	struct stub_proc *proc = as->procs;
	while (proc && !proc->nspare)
		proc = proc->next;
	pid_t tid = 0;
	if (proc) {
		tid = proc->spare[--proc->nspare];
		proc->threads++;
	}
	pthread_mutex_unlock(&as->lock);
	if (!proc)
		return -ENOENT;
	int err = stub_seize_parked(tid);
	if (err) {
		log_debug("ptrace: cannot seize parked stub thread %d: %d", tid, err);
		proc_put(as, proc, 0);
		return err;
	}
	ctx->stub = tid;
	ctx->proc = proc;
	ctx->fresh = true;
	ctx->cpu_base = stub_thread_cpu_ns(proc->pid, tid);
	as_link_user(as, ctx);
	return 0;
}

/* Join as with a stub process of ctx's own. */
static int ctx_join_new_proc(struct plat_ctx *ctx, struct plat_as *as)
{
	struct stub_proc *proc = calloc(1, sizeof *proc);
	if (!proc)
		return -ENOMEM;
	int err = stub_create(&proc->pid);
	if (err) {
		free(proc);
		return err;
	}
	proc->threads = 1;
	as_add_proc(as, proc);
	ctx->stub = proc->pid;
	ctx->proc = proc;
	ctx->fresh = true;
	ctx->cpu_base = 0;
	as_link_user(as, ctx);
	return 0;
}

/* After an execve: ctx, alone in its stub process, takes the process
 * along to the new, empty space with every mapping dropped, instead of
 * getting a new one. */
static int ctx_move_proc(struct plat_ctx *ctx, struct plat_as *to)
{
	struct plat_as *from = ctx->as;
	if (!from || !ctx->stub)
		return -ENOENT;
	struct stub_proc *proc = ctx->proc;
	pthread_mutex_lock(&to->lock);
	bool empty = !to->procs;
	pthread_mutex_unlock(&to->lock);
	pthread_mutex_lock(&from->lock);
	bool alone = empty && proc->threads == 1;
	if (alone) {
		as_unlink_user_locked(from, ctx);
		as_unlink_proc_locked(from, proc);
	}
	pthread_mutex_unlock(&from->lock);
	if (!alone)
		return -EBUSY;
	ctx->as = NULL;
	as_unref(from);
	if (stub_unmap_all(ctx->stub) < 0) {
		ctx->dead_cpu_ns += ctx_stub_cpu_ns(ctx);
		stub_kill(proc->pid);
		free(proc);
		ctx->stub = 0;
		ctx->proc = NULL;
		return -ESRCH;
	}
	as_add_proc(to, proc);
	as_link_user(to, ctx);
	return 0;
}

static int ctx_attach(struct plat_ctx *ctx, struct plat_as *as)
{
	if (ctx_move_proc(ctx, as) == 0)
		return 0;
	ctx_detach(ctx);
	ctx->last_cpu = -1;
	if (ctx_join_parked(ctx, as) == 0)
		return 0;
	return ctx_join_new_proc(ctx, as);
}

/* ctx's task makes another task that will run in as: park a thread in
 * ctx's stub process for it, so that both see one host mapping. */
static void ptrace_as_share(struct plat_ctx *ctx, struct plat_as *as)
{
	if (!ctx || ctx->as != as || !ctx->stub)
		return;
	struct stub_proc *proc = ctx->proc;
	pthread_mutex_lock(&as->lock);
	bool want = proc->nspare == 0;
	pthread_mutex_unlock(&as->lock);
	if (!want)
		return;
	pid_t tid = stub_clone_parked(ctx->stub);
	if (!tid)
		return;
	pthread_mutex_lock(&as->lock);
	__atomic_store_n(&proc->shared, true, __ATOMIC_RELAXED);
	/* Room is left for one more than SPARE_MAX; a thread that finds no
	 * room stays parked until its process ends. */
	if (proc->nspare <= SPARE_MAX)
		proc->spare[proc->nspare++] = tid;
	pthread_mutex_unlock(&as->lock);
}

/* Whether every context in as sees the same host mapping (one process):
 * then a change made through one of them is made for all. */
static bool ptrace_as_coherent(struct plat_as *as)
{
	pthread_mutex_lock(&as->lock);
	bool one = !as->procs || !as->procs->next;
	pthread_mutex_unlock(&as->lock);
	return one;
}

/* Every change is applied as an unmap: a stub maps only the pages it
 * touched, so mprotect over a range would fail at the first hole (ENOMEM)
 * half done; unmapped pages simply fault back in with the new protections. */
static long stub_mprotect_or_unmap(pid_t pid, const struct inval *c)
{
	return stub_inject(pid, STUB_INSN_SYSCALL, SYS_munmap, c->addr, c->len, 0, 0, 0, 0);
}

/* Bring ctx's stub process up to date with the changes logged in its
 * space. A process too far behind drops every mapping (they fault back in). */
static void ctx_apply_changes(struct plat_ctx *ctx)
{
	struct plat_as *as = ctx->as;
	struct stub_proc *proc = ctx->proc;
	pthread_mutex_lock(&as->lock);
	uint64_t gen = as->gen;
	if (gen - proc->applied > INVAL_LOG) {
		stub_unmap_all(ctx->stub);
	} else {
		for (uint64_t n = proc->applied; n < gen; n++)
			stub_mprotect_or_unmap(ctx->stub, &as->log[n % INVAL_LOG]);
	}
	proc->applied = gen;
	atomic_store(&ctx->seen, gen);
	pthread_mutex_unlock(&as->lock);
}

static void interrupt_running(uint64_t running)
{
	syscall(SYS_tgkill, (pid_t)(running >> 32), (pid_t)(uint32_t)running, STUB_INTERRUPT_SIGNAL);
}

/* Whether a stub of as outside the process mine may run with mappings
 * older than change gen; with send, interrupt those. With as->lock held
 * (contexts leave the users list under it). */
static bool stale_users(struct plat_as *as, struct stub_proc *mine, uint64_t gen, bool send)
{
	bool any = false;
	for (struct plat_ctx *u = as->users; u; u = u->next_user) {
		uint64_t running = atomic_load(&u->running);
		if (u->proc == mine || !running || atomic_load(&u->seen) >= gen)
			continue;
		any = true;
		if (send)
			interrupt_running(running);
	}
	return any;
}

/* Log a change, apply it to the caller's stub process at once, and make
 * sure no stub of another process of the space is running with the old
 * mapping (the caller's own process changes for all its threads at once). */
static int as_change(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr, uint64_t len, int prot)
{
	bool mine = ctx && ctx->as == as && ctx->stub;
	struct stub_proc *proc = mine ? ctx->proc : NULL;
	pthread_mutex_lock(&as->lock);
	as->log[as->gen % INVAL_LOG] = (struct inval){ addr, len, prot };
	uint64_t gen = ++as->gen;
	bool wait = stale_users(as, proc, gen, true);
	pthread_mutex_unlock(&as->lock);
	/* An interrupted stub stops; one that starts again applies the
	 * change first (ctx_switch publishes running before reading gen). */
	while (wait) {
		sched_yield();
		pthread_mutex_lock(&as->lock);
		wait = stale_users(as, proc, gen, false);
		pthread_mutex_unlock(&as->lock);
	}
	if (mine)
		ctx_apply_changes(ctx);
	return 0;
}

/* Injected calls clobber the registers of the stub; the application's
 * registers live in struct arch_state and are set again on every switch.
 * Mapping is per stub process: other processes fault the same pages in
 * themselves. */
static int ptrace_as_map(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr, uint64_t len,
			 int prot, uint64_t off)
{
	if (!ctx || ctx->as != as || !ctx->stub)
		return 0;
	long r = stub_inject(ctx->stub, STUB_INSN_SYSCALL, SYS_mmap, addr, len, prot,
			     MAP_SHARED | MAP_FIXED, memfile_fd, off);
	if (r < 0)
		return (int)r;
	return r == (long)addr ? 0 : -ENOMEM;
}

static int ptrace_as_unmap(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr, uint64_t len)
{
	return as_change(ctx, as, addr, len, -1);
}

static int ptrace_as_protect(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr, uint64_t len,
			     int prot)
{
	return as_change(ctx, as, addr, len, prot);
}

/* Only through a context of the space: the caller falls back to unmapping. */
static int ptrace_as_protect_local(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr,
				   uint64_t len, int prot)
{
	if (!ctx || ctx->as != as || !ctx->stub)
		return -ESRCH;
	long r = stub_inject(ctx->stub, STUB_INSN_SYSCALL, SYS_mprotect, addr, len, prot, 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

static int ptrace_ctx_new(struct plat_ctx **out)
{
	struct plat_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->tid = gettid();
	c->last_cpu = -1;
	*out = c;
	return 0;
}

static void ptrace_ctx_release(struct plat_ctx *ctx)
{
	ctx_detach(ctx);
	free(ctx);
}

/* Waking a thread on the other CPU of this VM costs tens of microseconds:
 * keep the stub on the CPU of the sentry thread that drives it. */
static void pin_stub_to_our_cpu(struct plat_ctx *ctx)
{
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu == ctx->last_cpu)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(ctx->stub, sizeof set, &set) == 0)
		ctx->last_cpu = cpu;
}

static void decode_signal_stop(pid_t pid, int sig, struct trap_info *trap)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	trap->signo = sig;
	trap->code = si.si_code;
	trap->addr = (uint64_t)si.si_addr;
	trap->access = 0;
	trap->trapno = 0;
	if (sig == STUB_INTERRUPT_SIGNAL || si.si_code <= 0) {
		/* Sent by the sentry (interrupt) or from outside the sandbox:
		 * never an application event. */
		trap->kind = TRAP_INTERRUPT;
		return;
	}
	if (sig == SIGSEGV && (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR)) {
		trap->kind = TRAP_FAULT;
		return;
	}
	trap->kind = TRAP_EXCEPTION;
	if (log_level >= 2) {
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		errno = 0;
		long w = ptrace(PTRACE_PEEKTEXT, pid, r.rip, 0);
		log_debug("ptrace: stub %d signal %d code %d addr %p rip %#llx insn %#lx (errno %d) rsp %#llx cs %#llx",
			  pid, sig, si.si_code, si.si_addr, r.rip, w, errno, r.rsp, r.cs);
	}
}

static int ptrace_ctx_switch(struct plat_ctx *ctx, struct plat_as *as, struct arch_state *st,
			     struct trap_info *trap)
{
	if (ctx->tid != gettid())
		return -EPERM;
	if (ctx->as != as || !ctx->stub) {
		int err = ctx_attach(ctx, as);
		if (err)
			return err;
	}
	pid_t pid = ctx->stub;
	/* Published before the change log is read: a concurrent as_change
	 * either sees us running (and interrupts us) or we see its change. */
	atomic_store(&ctx->running, (uint64_t)ctx->proc->pid << 32 | (uint32_t)pid);
	int err = 0;
	uint64_t gen = as->gen;
	if (ctx->proc->applied != gen)
		ctx_apply_changes(ctx);
	else
		atomic_store(&ctx->seen, gen);
	if (st->fp_dirty) {
		struct iovec iov = { st->fpstate, st->fp_size };
		if (ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov) < 0)
			err = -errno;
		st->fp_dirty = false;
	}
	st->fp_valid = false;
	if (!err && ctx->fresh) {
		/* A parked thread stopped inside pause(): with orig_rax -1 the
		 * host does not restart that call when it resumes. */
		struct user_regs_struct r = st->regs;
		r.orig_rax = -1;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0)
			err = -errno;
		ctx->fresh = false;
	} else if (!err && ptrace(PTRACE_SETREGS, pid, 0, &st->regs) < 0) {
		err = -errno;
	}
	if (err) {
		atomic_store(&ctx->running, 0);
		return err;
	}
	pin_stub_to_our_cpu(ctx);
	if (atomic_exchange(&ctx->interrupt, false) || interrupt_seen) {
		interrupt_seen = false;
		atomic_store(&ctx->running, 0);
		trap->kind = TRAP_INTERRUPT;
		return 0;
	}
	int sig = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSEMU, pid, 0, sig) < 0) {
			atomic_store(&ctx->running, 0);
			return -errno;
		}
		int status;
		err = wait_stop(pid, &status);
		if (err) {
			atomic_store(&ctx->running, 0);
			return err;
		}
		if (!WIFSTOPPED(status)) {
			atomic_store(&ctx->running, 0);
			return -ESRCH;
		}
		int s = WSTOPSIG(status);
		if (s == (SIGTRAP | 0x80)) {
			trap->kind = TRAP_SYSCALL;
			break;
		}
		decode_signal_stop(pid, s, trap);
		break;
	}
	atomic_store(&ctx->running, 0);
	atomic_store(&ctx->interrupt, false);
	if (ptrace(PTRACE_GETREGS, pid, 0, &st->regs) < 0)
		return -errno;
	return 0;
}


static void ptrace_ctx_interrupt(struct plat_ctx *ctx)
{
	atomic_store(&ctx->interrupt, true);
	uint64_t running = atomic_load(&ctx->running);
	if (running)
		interrupt_running(running);
}

/* Reads the stub's xstate into st; needs the stub stopped (the caller is between
 * switches). */
static int ptrace_ctx_get_fpstate(struct plat_ctx *ctx, struct plat_as *as, struct arch_state *st)
{
	if (st->fp_valid || st->fp_dirty)
		return 0;
	if (ctx->as != as || !ctx->stub)
		return -ESRCH;
	struct iovec iov = { st->fpstate, sizeof st->fpstate };
	if (ptrace(PTRACE_GETREGSET, ctx->stub, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	st->fp_size = iov.iov_len;
	st->fp_valid = true;
	return 0;
}

const struct platform_ops ptrace_platform = {
	.name = "ptrace",
	.as_new = ptrace_as_new,
	.as_release = ptrace_as_release,
	.as_map = ptrace_as_map,
	.as_unmap = ptrace_as_unmap,
	.as_protect = ptrace_as_protect,
	.as_protect_local = ptrace_as_protect_local,
	.as_share = ptrace_as_share,
	.as_coherent = ptrace_as_coherent,
	.ctx_new = ptrace_ctx_new,
	.ctx_release = ptrace_ctx_release,
	.ctx_switch = ptrace_ctx_switch,
	.ctx_get_fpstate = ptrace_ctx_get_fpstate,
	.ctx_interrupt = ptrace_ctx_interrupt,
	.ctx_cpu_ns = ptrace_ctx_cpu_ns,
	.max_user_addr = STUB_ADDR,
};

/* Find the host vDSO and its data pages in our own address space: every
 * stub, a fork of the sentry, has them at the same place. */
static void find_vdso(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f) && platform_nspecial < PLAT_SPECIAL_MAX) {
		unsigned long lo, hi;
		char perms[8], name[64] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %63s", &lo, &hi, perms, name) < 3)
			continue;
		if (strncmp(name, "[vdso]", 6) && strncmp(name, "[vvar", 5))
			continue;
		if (hi > STUB_ADDR)
			continue;
		struct plat_special *sp = &platform_special[platform_nspecial++];
		sp->start = lo;
		sp->end = hi;
		sp->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[2] == 'x' ? PROT_EXEC : 0);
		sp->name = strcmp(name, "[vdso]") == 0 ? "[vdso]" : "[vvar]";
		if (strcmp(name, "[vdso]") == 0)
			platform_vdso = lo;
	}
	fclose(f);
}

int ptrace_platform_init(int memfd)
{
	memfile_fd = memfd;
	/* Dead stubs need no reaping; ptrace stops are still reported. */
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	find_vdso();
	stub_plan_fill(&the_plan);
	factory_start();
	return 0;
}
