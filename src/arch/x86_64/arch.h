/* x86-64 register state of an application thread as the sentry keeps it. */
#ifndef MOAT_ARCH_X86_64_ARCH_H
#define MOAT_ARCH_X86_64_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

/* sys/user.h defines PAGE_SIZE and PAGE_MASK (4096) already. */
#define PAGE_ROUND_DOWN(x) ((uint64_t)(x) & PAGE_MASK)
#define PAGE_ROUND_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & PAGE_MASK)

/* Linux's TASK_SIZE for 4-level paging: the first address past user space. */
#define ARCH_TASK_SIZE 0x7ffffffff000ULL

/* Size of the XSAVE area we keep (enough for AVX-512 state). */
#define ARCH_XSTATE_MAX 4096

struct arch_state {
	struct user_regs_struct regs;
	/* FPU/SSE/AVX state. The platform keeps the live copy in the host
	 * thread and only reads it into here when the kernel needs it (signal
	 * frames, fork): fp_valid says this copy is current. */
	bool fp_valid;
	bool fp_dirty;          /* the kernel changed it: the platform must load it */
	uint32_t fp_size;
	uint8_t fpstate[ARCH_XSTATE_MAX] __attribute__((aligned(64)));
};

/* Syscall ABI: rax = number, args in rdi rsi rdx r10 r8 r9, result in rax. */
static inline uint64_t arch_syscall_nr(const struct arch_state *s) { return s->regs.orig_rax; }

static inline void arch_syscall_args(const struct arch_state *s, uint64_t a[6])
{
	a[0] = s->regs.rdi;
	a[1] = s->regs.rsi;
	a[2] = s->regs.rdx;
	a[3] = s->regs.r10;
	a[4] = s->regs.r8;
	a[5] = s->regs.r9;
}

#endif
