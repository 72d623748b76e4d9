/* sig_sync: signals from faults. A read of an unmapped page gives SIGSEGV
 * SEGV_MAPERR with si_addr; a write to a read-only page SEGV_ACCERR; a
 * touch of a file mapping past the end of the file SIGBUS BUS_ADRERR; an
 * integer divide by zero SIGFPE FPE_INTDIV with si_addr at the idiv; ud2
 * SIGILL ILL_ILLOPN with si_addr at the instruction; int3 SIGTRAP
 * SI_KERNEL with rip after it. A handler may move rip past the faulting
 * instruction and carry on. A fault with the signal blocked or ignored
 * kills the process all the same. */
#include "tap.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>

extern char ud2_label[], int3_label[], idiv_label[];
static sigjmp_buf jb;
static volatile int g_sig, g_code;
static void *volatile g_addr;
static volatile greg_t g_rip;

static void rec_jump(int sig, siginfo_t *si, void *uc)
{
	g_sig = sig;
	g_code = si->si_code;
	g_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static void rec_skip(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	g_sig = sig;
	g_code = si->si_code;
	g_addr = si->si_addr;
	g_rip = uc->uc_mcontext.gregs[REG_RIP];
	if (sig == SIGILL || sig == SIGFPE)
		uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 and idiv %ecx are 2 bytes */
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO | SA_NODEFER };
	sigaction(sig, &sa, NULL);
}

static int fault_in_child(int how)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (how == 1) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGSEGV);
			sigprocmask(SIG_BLOCK, &s, NULL);
		} else {
			signal(SIGSEGV, SIG_IGN);
		}
		*(volatile int *)tap_unmapped_page() = 1;
		_exit(0);
	}
	return tap_wait(pid, 0);
}

int main(void)
{
	on(SIGSEGV, rec_jump);
	on(SIGBUS, rec_jump);
	char *unmapped = tap_unmapped_page();
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(unmapped + 5);
	CHECK_EQ(g_sig, SIGSEGV, "read of an unmapped page: SIGSEGV");
	CHECK_EQ(g_code, SEGV_MAPERR, "SEGV_MAPERR");
	CHECK(g_addr == unmapped + 5, "si_addr is the faulting address");

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g_sig = 0;
	if (!sigsetjmp(jb, 1))
		*(volatile char *)(ro + 100) = 1;
	CHECK_EQ(g_sig, SIGSEGV, "write to a read-only page: SIGSEGV");
	CHECK_EQ(g_code, SEGV_ACCERR, "SEGV_ACCERR");
	CHECK(g_addr == ro + 100, "si_addr is the faulting address");

	char path[] = "/tmp/sig_sync.XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	CHECK_OK(ftruncate(fd, 100), "a 100-byte file");
	char *fm = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(fm != MAP_FAILED, "map two pages of it");
	g_sig = 0;
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(fm + 4096 + 8);
	CHECK_EQ(g_sig, SIGBUS, "touching the page past the end of the file: SIGBUS");
	CHECK_EQ(g_code, BUS_ADRERR, "BUS_ADRERR");
	CHECK(g_addr == fm + 4096 + 8, "si_addr is the faulting address");
	CHECK_EQ(fm[99], 0, "the part inside the file reads fine");
	close(fd);

	on(SIGFPE, rec_skip);
	int out = -1;
	__asm__ volatile("movl $1, %%eax\n\t"
			 "xorl %%edx, %%edx\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 ".globl idiv_label\n"
			 "idiv_label: idivl %%ecx\n\t"
			 "movl $7, %0"
			 : "=r"(out)
			 :
			 : "eax", "ecx", "edx");
	CHECK_EQ(g_sig, SIGFPE, "integer divide by zero: SIGFPE");
	CHECK_EQ(g_code, FPE_INTDIV, "FPE_INTDIV");
	CHECK(g_addr == idiv_label, "si_addr is the idiv instruction");
	CHECK_EQ(out, 7, "the handler skipped it and execution went on");

	on(SIGILL, rec_skip);
	__asm__ volatile(".globl ud2_label\nud2_label: ud2");
	CHECK_EQ(g_sig, SIGILL, "ud2: SIGILL");
	CHECK_EQ(g_code, ILL_ILLOPN, "ILL_ILLOPN");
	CHECK(g_addr == ud2_label, "si_addr is the ud2 instruction");

	on(SIGTRAP, rec_skip);
	__asm__ volatile(".globl int3_label\nint3_label: int3");
	CHECK_EQ(g_sig, SIGTRAP, "int3: SIGTRAP");
	CHECK_EQ(g_code, SI_KERNEL, "SI_KERNEL");
	CHECK(g_rip == (greg_t)(int3_label + 1), "rip is just after the int3");

	int st = fault_in_child(1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault with SIGSEGV blocked still kills");
	st = fault_in_child(2);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault with SIGSEGV ignored still kills");
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
	return tap_done();
}
