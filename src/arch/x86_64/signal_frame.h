/*
 * x86-64 signal frames: the rt_sigframe Linux pushes on the user stack
 * before running a handler (return address, ucontext with the saved
 * registers and signal mask, siginfo, and the XSAVE area), and reading it
 * back in rt_sigreturn. The layouts are the kernel's UAPI ones
 * (asm/sigcontext.h, asm/ucontext.h, arch/x86/include/asm/sigframe.h).
 */
#ifndef MOAT_ARCH_X86_64_SIGNAL_FRAME_H
#define MOAT_ARCH_X86_64_SIGNAL_FRAME_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct task;

/* struct sigcontext (64-bit). */
struct ksigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;       /* user address of the XSAVE area, 0 if none */
	uint64_t reserved1[8];
};

/* The kernel's stack_t. */
struct kstack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct kucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kstack uc_stack;
	struct ksigcontext uc_mcontext;
	uint64_t uc_sigmask;    /* the kernel's 8-byte sigset_t */
};

struct rt_sigframe {
	uint64_t pretcode;      /* the handler returns here: sa_restorer */
	struct kucontext uc;
	siginfo_t info;
	/* the XSAVE area lies above, 64-byte aligned */
};

/* uc_flags bits. */
#undef UC_FP_XSTATE
#undef UC_SIGCONTEXT_SS
#undef UC_STRICT_RESTORE_SS
#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

/* Software-reserved bytes 464..511 of the FXSAVE area (struct
 * _fpx_sw_bytes), and the magic words that mark an extended frame. */
#undef FP_XSTATE_MAGIC1
#undef FP_XSTATE_MAGIC2
#undef FP_XSTATE_MAGIC2_SIZE
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FP_XSTATE_MAGIC2_SIZE 4
#define FXSAVE_SW_BYTES_OFFSET 464
#define FXSAVE_SIZE 512
#define XSAVE_HDR_OFFSET 512
#define XSAVE_HDR_SIZE 64

struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size; /* xstate_size + FP_XSTATE_MAGIC2_SIZE */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

/* What the kernel decided about one delivery. */
struct sigframe_params {
	int sig;
	const siginfo_t *info;
	uint64_t handler, restorer, sa_flags;
	uint64_t saved_mask;    /* uc_sigmask: the mask sigreturn restores */
	uint64_t err, trapno, cr2; /* fault details for the sigcontext */
};

/* Push the frame on the task's stack (or its alternate stack) and set up
 * the registers and a fresh FPU state to run the handler. 0, or -EFAULT
 * when the frame cannot be written (the kernel then forces SIGSEGV). */
int sigframe_setup(struct task *t, const struct sigframe_params *p);

/* What rt_sigreturn read back. */
struct sigframe_restored {
	uint64_t mask;
	struct kstack altstack;
};

/* Restore registers and FPU state from the frame at rsp - 8. 0, or
 * -EFAULT for a bad frame (the kernel forces SIGSEGV). The mask is read
 * before the registers, as Linux does: it is valid when mask_ok. */
int sigframe_restore(struct task *t, struct sigframe_restored *out, bool *mask_ok);

/* Give the task the FPU state a signal handler and a new program start
 * with (Linux's fpu__clear_user_states, fpu_flush_thread): x87 and SSE in
 * their reset state, nothing else in use. */
void fpstate_reset(struct task *t);

#endif
