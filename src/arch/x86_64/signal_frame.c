/*
 * x86-64 signal frames, built and read back as Linux does
 * (arch/x86/kernel/signal.c, signal_64.c and fpu/signal.c are the spec;
 * the layouts are in signal_frame.h):
 *
 *   higher addresses   [ 128-byte red zone of the interrupted code ]
 *                      [ XSAVE area, 64-byte aligned, + FP_XSTATE_MAGIC2 ]
 *                      [ struct rt_sigframe: pretcode, ucontext, siginfo ]
 *   rsp at entry ->    (rsp + 8) is 16-byte aligned, as after a call
 *
 * moat runs 64-bit code only: handlers always start with the 64-bit code
 * and stack selectors, and sigreturn does not accept other ones.
 */
#include "arch/x86_64/signal_frame.h"

#include <cpuid.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kernel/task.h"
#include "mm/mm.h"
#include "platform/platform.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

#define USER_CS 0x33
#define USER_DS 0x2b
#define REDZONE 128

#define EFLAGS_CF 0x1
#define EFLAGS_PF 0x4
#define EFLAGS_AF 0x10
#define EFLAGS_ZF 0x40
#define EFLAGS_SF 0x80
#define EFLAGS_TF 0x100
#define EFLAGS_DF 0x400
#define EFLAGS_OF 0x800
#define EFLAGS_RF 0x10000
#define EFLAGS_AC 0x40000
/* The flags sigreturn takes from the frame (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS                                                                          \
	(EFLAGS_AC | EFLAGS_OF | EFLAGS_DF | EFLAGS_TF | EFLAGS_SF | EFLAGS_ZF | EFLAGS_AF | \
	 EFLAGS_PF | EFLAGS_CF | EFLAGS_RF)

#define XFEATURE_MASK_FPSSE 0x3ULL
/* Offsets in the FXSAVE area. */
#define FX_FCW 0
#define FX_MXCSR 24
#define FX_MXCSR_MASK 28

_Static_assert(sizeof(struct ksigcontext) == 256, "struct sigcontext is 256 bytes");
_Static_assert(sizeof(struct kucontext) == 304, "struct ucontext is 304 bytes");
_Static_assert(sizeof(struct rt_sigframe) == 440, "struct rt_sigframe is 440 bytes");
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "_fpx_sw_bytes is 48 bytes");

/* ---- host FPU facts ------------------------------------------------------- */

static uint64_t host_xfeatures(void)
{
	static uint64_t xcr0;
	if (!xcr0) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = ((uint64_t)hi << 32) | lo;
	}
	return xcr0;
}

/* Size of the standard-format XSAVE area for the enabled features. */
static uint32_t host_xstate_size(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d) || b < FXSAVE_SIZE + XSAVE_HDR_SIZE)
		return FXSAVE_SIZE + XSAVE_HDR_SIZE;
	return b > ARCH_XSTATE_MAX ? ARCH_XSTATE_MAX : b;
}

/* The MXCSR bits the CPU accepts (a reserved one makes FXRSTOR fault). */
static uint32_t host_mxcsr_mask(void)
{
	static uint32_t mask;
	if (!mask) {
		uint8_t area[512] __attribute__((aligned(16)));
		memset(area, 0, sizeof area);
		__asm__ volatile("fxsave64 %0" : "=m"(area));
		memcpy(&mask, area + FX_MXCSR_MASK, sizeof mask);
		if (!mask)
			mask = 0xffbf; /* the architectural default */
	}
	return mask;
}

static uint64_t get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* x87 and SSE in their reset state, nothing else in use. */
static void xstate_init(uint8_t *x, uint32_t size)
{
	memset(x, 0, size);
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80, mask = host_mxcsr_mask();
	memcpy(x + FX_FCW, &fcw, sizeof fcw);
	memcpy(x + FX_MXCSR, &mxcsr, sizeof mxcsr);
	memcpy(x + FX_MXCSR_MASK, &mask, sizeof mask);
	put_u64(x + XSAVE_HDR_OFFSET, XFEATURE_MASK_FPSSE);
}

/* Make t->arch.fpstate the task's current FPU state. A task whose stub has
 * never run has the reset state. */
static void fpstate_fetch(struct task *t)
{
	struct arch_state *st = &t->arch;
	if ((st->fp_valid || st->fp_dirty) && st->fp_size)
		return;
	if (t->ctx && t->mm && platform->ctx_get_fpstate(t->ctx, t->mm->as, st) == 0 && st->fp_size)
		return;
	st->fp_size = host_xstate_size();
	xstate_init(st->fpstate, st->fp_size);
	st->fp_valid = true;
	st->fp_dirty = true;
}

void fpstate_reset(struct task *t)
{
	struct arch_state *st = &t->arch;
	if (!st->fp_size)
		st->fp_size = host_xstate_size();
	xstate_init(st->fpstate, st->fp_size);
	st->fp_valid = true;
	st->fp_dirty = true;
}

/* ---- the alternate stack (Linux's on_sig_stack / sas_ss_flags) -------------- */

static bool within_altstack(const struct task *t, uint64_t sp)
{
	return sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

static bool on_altstack(const struct task *t, uint64_t sp)
{
	/* With SS_AUTODISARM the stack is disarmed while in use. */
	if (t->altstack_flags & SS_AUTODISARM)
		return false;
	return within_altstack(t, sp);
}

static bool altstack_usable(const struct task *t, uint64_t sp)
{
	return t->altstack_size && !on_altstack(t, sp);
}

/* ---- building the frame ----------------------------------------------------- */

/* The XSAVE image written to the frame: the state, the software bytes that
 * say it is an extended frame, and the second magic word after it. */
static void xstate_image(struct task *t, uint8_t *img, uint32_t size)
{
	memcpy(img, t->arch.fpstate, size);
	struct fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = size + FP_XSTATE_MAGIC2_SIZE,
		.xfeatures = host_xfeatures(),
		.xstate_size = size,
	};
	memcpy(img + FXSAVE_SW_BYTES_OFFSET, &sw, sizeof sw);
	/* Legacy state is always valid in a signal frame. */
	put_u64(img + XSAVE_HDR_OFFSET, get_u64(img + XSAVE_HDR_OFFSET) | XFEATURE_MASK_FPSSE);
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	memcpy(img + size, &magic2, sizeof magic2);
}

static void fill_sigcontext(struct ksigcontext *sc, const struct user_regs_struct *r,
			    const struct sigframe_params *p, uint64_t fpstate)
{
	memset(sc, 0, sizeof *sc);
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs;
	sc->ss = (uint16_t)r->ss;
	/* fs and gs are 0 in 64-bit frames; the bases are not saved. */
	sc->err = p->err;
	sc->trapno = p->trapno;
	sc->oldmask = p->saved_mask;
	sc->cr2 = p->cr2;
	sc->fpstate = fpstate;
}

int sigframe_setup(struct task *t, const struct sigframe_params *p)
{
	struct user_regs_struct *r = &t->arch.regs;
	bool nested_altstack = on_altstack(t, r->rsp);
	bool entering_altstack = false;
	uint64_t sp = r->rsp - REDZONE;

	if ((p->sa_flags & SA_ONSTACK) && altstack_usable(t, sp)) {
		sp = t->altstack_sp + t->altstack_size;
		entering_altstack = true;
	}

	fpstate_fetch(t);
	uint32_t xsize = t->arch.fp_size;
	uint64_t math_size = xsize + FP_XSTATE_MAGIC2_SIZE;
	uint64_t buf_fx = (sp - math_size) & ~63ULL;
	uint64_t frame = ((buf_fx - sizeof(struct rt_sigframe)) & ~15ULL) - 8;
	/* Overflowing the alternate stack gets SIGSEGV rather than writing
	 * below it. */
	if ((nested_altstack || entering_altstack) && !within_altstack(t, frame))
		return -EFAULT;
	if (frame > ARCH_TASK_SIZE || buf_fx > ARCH_TASK_SIZE)
		return -EFAULT;

	static __thread uint8_t img[ARCH_XSTATE_MAX + FP_XSTATE_MAGIC2_SIZE];
	xstate_image(t, img, xsize);
	if (task_copy_out(t, buf_fx, img, math_size))
		return -EFAULT;

	struct rt_sigframe f;
	memset(&f, 0, sizeof f);
	f.pretcode = p->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_link = 0;
	f.uc.uc_stack.sp = t->altstack_sp;
	f.uc.uc_stack.flags = t->altstack_flags;
	f.uc.uc_stack.size = t->altstack_size;
	fill_sigcontext(&f.uc.uc_mcontext, r, p, buf_fx);
	f.uc.uc_sigmask = p->saved_mask;
	/* siginfo is only written for SA_SIGINFO handlers, as Linux does. */
	size_t len = offsetof(struct rt_sigframe, info);
	if (p->sa_flags & SA_SIGINFO) {
		f.info = *p->info;
		len = sizeof f;
	}
	if (task_copy_out(t, frame, &f, len))
		return -EFAULT;

	r->rdi = (uint64_t)p->sig;
	r->rsi = frame + offsetof(struct rt_sigframe, info);
	r->rdx = frame + offsetof(struct rt_sigframe, uc);
	r->rax = 0; /* for handlers declared without a prototype */
	r->rip = p->handler;
	r->rsp = frame;
	r->cs = USER_CS;
	r->ss = USER_DS;
	/* The ABI wants DF clear at function entry; no single-step into the
	 * handler. */
	r->eflags &= ~(uint64_t)(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	fpstate_reset(t);
	return 0;
}

/* ---- rt_sigreturn ----------------------------------------------------------- */

static void restore_regs(struct user_regs_struct *r, const struct ksigcontext *sc)
{
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~(uint64_t)FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	/* Linux forces CPL 3 (cs | 3, ss | 3); moat only runs 64-bit code, so
	 * the selectors are the 64-bit user ones. */
	r->cs = USER_CS;
	r->ss = USER_DS;
	/* No syscall restart after sigreturn. */
	r->orig_rax = (uint64_t)-1;
}

/* Linux's check_xstate_in_sigframe: an extended frame has both magic words
 * and a plausible size; anything else is restored as legacy FXSAVE state. */
static bool frame_has_xstate(struct task *t, uint64_t buf, struct fpx_sw_bytes *sw, int *err)
{
	*err = 0;
	if (task_copy_in(t, sw, buf + FXSAVE_SW_BYTES_OFFSET, sizeof *sw)) {
		*err = -EFAULT;
		return false;
	}
	if (sw->magic1 != FP_XSTATE_MAGIC1 || sw->xstate_size < FXSAVE_SIZE + XSAVE_HDR_SIZE ||
	    sw->xstate_size > t->arch.fp_size || sw->xstate_size > sw->extended_size)
		return false;
	uint32_t magic2;
	if (task_copy_in(t, &magic2, buf + sw->xstate_size, sizeof magic2)) {
		*err = -EFAULT;
		return false;
	}
	return magic2 == FP_XSTATE_MAGIC2;
}

/* Restore the FPU state from the frame's XSAVE area at buf. What XRSTOR or
 * FXRSTOR would fault on (bad alignment, reserved MXCSR bits, a bad XSAVE
 * header) fails the sigreturn, as in Linux. */
static int restore_fpstate(struct task *t, uint64_t buf)
{
	fpstate_fetch(t); /* learn the size of the host state */
	if (!buf) {
		fpstate_reset(t);
		return 0;
	}
	struct fpx_sw_bytes sw;
	int err;
	bool xstate = frame_has_xstate(t, buf, &sw, &err);
	if (err)
		return err;
	if (buf & (xstate ? 63 : 15))
		return -EFAULT;
	uint32_t size = xstate ? sw.xstate_size : FXSAVE_SIZE;
	static __thread uint8_t x[ARCH_XSTATE_MAX] __attribute__((aligned(64)));
	memset(x, 0, sizeof x);
	if (task_copy_in(t, x, buf, size))
		return -EFAULT;
	uint32_t mxcsr;
	memcpy(&mxcsr, x + FX_MXCSR, sizeof mxcsr);
	if (mxcsr & ~host_mxcsr_mask())
		return -EFAULT;
	uint32_t mask = host_mxcsr_mask();
	memcpy(x + FX_MXCSR_MASK, &mask, sizeof mask);
	memset(x + FXSAVE_SW_BYTES_OFFSET, 0, FXSAVE_SIZE - FXSAVE_SW_BYTES_OFFSET);
	uint64_t bv;
	if (xstate) {
		bv = get_u64(x + XSAVE_HDR_OFFSET);
		/* XRSTOR faults on unknown features and on a compacted or
		 * otherwise non-zero header past XSTATE_BV. */
		if ((bv & ~host_xfeatures()) || get_u64(x + XSAVE_HDR_OFFSET + 8) ||
		    get_u64(x + XSAVE_HDR_OFFSET + 16))
			return -EFAULT;
		/* Features the frame does not claim are reset. */
		bv &= sw.xfeatures & host_xfeatures();
	} else {
		bv = XFEATURE_MASK_FPSSE;
	}
	memset(x + XSAVE_HDR_OFFSET, 0, XSAVE_HDR_SIZE);
	put_u64(x + XSAVE_HDR_OFFSET, bv);
	memcpy(t->arch.fpstate, x, t->arch.fp_size);
	t->arch.fp_valid = true;
	t->arch.fp_dirty = true;
	return 0;
}

int sigframe_restore(struct task *t, struct sigframe_restored *out, bool *mask_ok)
{
	uint64_t frame = t->arch.regs.rsp - 8;
	*mask_ok = false;
	if (task_copy_in(t, &out->mask, frame + offsetof(struct rt_sigframe, uc.uc_sigmask),
			 sizeof out->mask))
		return -EFAULT;
	*mask_ok = true;
	struct ksigcontext sc;
	if (task_copy_in(t, &sc, frame + offsetof(struct rt_sigframe, uc.uc_mcontext),
			 offsetof(struct ksigcontext, reserved1)))
		return -EFAULT;
	restore_regs(&t->arch.regs, &sc);
	int err = restore_fpstate(t, sc.fpstate);
	if (err)
		return err;
	if (task_copy_in(t, &out->altstack, frame + offsetof(struct rt_sigframe, uc.uc_stack),
			 sizeof out->altstack))
		return -EFAULT;
	return 0;
}
