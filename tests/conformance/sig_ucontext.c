/* sig_ucontext: the x86-64 signal frame. A signal raised by a syscall
 * instruction shows in the handler's ucontext the interrupted registers
 * (r12 as set, rax = the syscall's result, rip just after the syscall,
 * cs 0x33), the FPU/SSE state (xmm0 as set), uc_link NULL and uc_stack
 * all zero without an alternate stack. rt_sigreturn restores what the
 * handler left in the frame: a changed r13 and xmm1 come back changed, and
 * xmm0 clobbered live in the handler comes back as it was. */
#include "tap.h"
#include <signal.h>
#include <ucontext.h>

#define MAGIC 0x1122334455667788UL
#define MAGIC2 0x0badc0ffee0ddf00UL

extern char after_syscall_label[];
static const uint32_t in0[4] = { 0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10 };
static const uint32_t in1[4] = { 1, 2, 3, 4 };
static const uint32_t new1[4] = { 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc, 0xdddddddd };

static volatile int h_r12, h_rip, h_rax, h_cs, h_xmm0, h_fpregs, h_link, h_stack;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	h_r12 = (uint64_t)g[REG_R12] == MAGIC;
	h_rip = g[REG_RIP] == (greg_t)after_syscall_label;
	h_rax = g[REG_RAX] == 0;
	h_cs = (g[REG_CSGSFS] & 0xffff) == 0x33;
	h_link = uc->uc_link == NULL;
	/* Linux saves the raw settings: no stack set means sp NULL, size 0 and
	 * flags 0 (sigaltstack(NULL, &old) reports SS_DISABLE instead). */
	h_stack = uc->uc_stack.ss_sp == NULL && uc->uc_stack.ss_size == 0 && uc->uc_stack.ss_flags == 0;
	h_fpregs = uc->uc_mcontext.fpregs != NULL;
	if (uc->uc_mcontext.fpregs) {
		h_xmm0 = memcmp(uc->uc_mcontext.fpregs->_xmm[0].element, in0, 16) == 0;
		memcpy(uc->uc_mcontext.fpregs->_xmm[1].element, new1, 16);
	}
	g[REG_R13] = (greg_t)MAGIC2;
	__asm__ volatile("pxor %%xmm0, %%xmm0" ::: "xmm0");
}

static __attribute__((noinline)) long raise_with_registers(uint64_t *r13_out, uint32_t *x0, uint32_t *x1)
{
	long ret;
	__asm__ volatile("movq %[magic], %%r12\n\t"
			 "xorq %%r13, %%r13\n\t"
			 "movdqu %[i0], %%xmm0\n\t"
			 "movdqu %[i1], %%xmm1\n\t"
			 "syscall\n\t"
			 ".globl after_syscall_label\n"
			 "after_syscall_label:\n\t"
			 "movq %%r13, %[r13o]\n\t"
			 "movdqu %%xmm0, %[x0o]\n\t"
			 "movdqu %%xmm1, %[x1o]\n\t"
			 : "=a"(ret), [r13o] "=m"(*r13_out), [x0o] "=m"(*(char(*)[16])x0), [x1o] "=m"(*(char(*)[16])x1)
			 : "a"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)syscall(SYS_gettid)), "d"((long)SIGUSR1),
			   [magic] "r"(MAGIC), [i0] "m"(*(const char(*)[16])in0), [i1] "m"(*(const char(*)[16])in1)
			 : "rcx", "r11", "r12", "r13", "xmm0", "xmm1", "memory");
	return ret;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL), "install the handler");
	uint64_t r13 = 0;
	uint32_t x0[4] = { 0 }, x1[4] = { 0 };
	CHECK_EQ(raise_with_registers(&r13, x0, x1), 0, "tgkill from inline assembly returned 0");
	CHECK(h_r12, "handler sees r12 as set before the syscall");
	CHECK(h_rax, "handler sees rax = the syscall's result 0");
	CHECK(h_rip, "handler sees rip right after the syscall instruction");
	CHECK(h_cs, "cs is the 64-bit user code segment 0x33");
	CHECK(h_link, "uc_link is NULL");
	CHECK(h_stack, "uc_stack holds the empty alternate stack settings (0, 0, flags 0)");
	CHECK(h_fpregs, "fpregs points at the saved FPU state");
	CHECK(h_xmm0, "saved xmm0 holds the value set before the syscall");
	CHECK_EQ(r13, MAGIC2, "r13 changed in the frame comes back changed");
	CHECK(memcmp(x1, new1, 16) == 0, "xmm1 changed in the frame comes back changed");
	CHECK(memcmp(x0, in0, 16) == 0, "xmm0 clobbered in the handler is restored");
	signal(SIGUSR1, SIG_DFL);
	return tap_done();
}
