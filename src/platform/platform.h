/*
 * The platform runs application code: it switches a task's registers into
 * an address space until something traps (a system call, a fault, another
 * CPU exception, or an interrupt requested by another sentry thread), and it
 * maps memory-file ranges into address spaces.
 *
 * Every implementation (ptrace, later systrap/KVM) provides a struct
 * platform_ops. Calls on a context must come from the sentry thread that owns
 * it (ptrace ties a tracee to one tracer thread); address-space calls take
 * the calling context so the platform can run them through it.
 */
#ifndef MOAT_PLATFORM_PLATFORM_H
#define MOAT_PLATFORM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"

struct plat_as;    /* an application address space (ptrace: a stub process) */
struct plat_ctx;   /* an execution context (ptrace: a stub thread we trace) */

enum trap_kind {
	TRAP_SYSCALL,      /* regs.orig_rax holds the number, rip is past the insn */
	TRAP_FAULT,        /* page fault: addr and access describe it */
	TRAP_EXCEPTION,    /* other CPU exception: signo/code describe it */
	TRAP_INTERRUPT,    /* plat_ctx_interrupt() was called */
};

enum { ACC_READ = 1, ACC_WRITE = 2, ACC_EXEC = 4 };

struct trap_info {
	enum trap_kind kind;
	uint64_t addr;        /* fault address (TRAP_FAULT, and si_addr otherwise) */
	int access;           /* ACC_* of the faulting access (TRAP_FAULT) */
	int signo;            /* host signal that reported it (SIGSEGV, SIGFPE...) */
	int code;             /* its si_code */
	int trapno;           /* CPU trap number when known */
};

struct platform_ops {
	const char *name;

	/* A fresh, empty address space. ctx becomes able to run in it. */
	int (*as_new)(struct plat_ctx *ctx, struct plat_as **out);
	void (*as_release)(struct plat_as *as);

	/* Map [addr, addr+len) to memory-file offset off with prot (PROT_*),
	 * replacing what was there; unmap; change protections. */
	int (*as_map)(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr,
		      uint64_t len, int prot, uint64_t off);
	int (*as_unmap)(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr, uint64_t len);
	int (*as_protect)(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr,
			  uint64_t len, int prot);
	/* Change the protections of [addr, addr+len), wholly mapped by ctx,
	 * through ctx only: for an address space that is coherent (below).
	 * Fails when ctx does not run in as. */
	int (*as_protect_local)(struct plat_ctx *ctx, struct plat_as *as, uint64_t addr,
				uint64_t len, int prot);
	/* ctx's task is making another task that will run in as (CLONE_VM):
	 * prepare what the new task's context will need. Optional. */
	void (*as_share)(struct plat_ctx *ctx, struct plat_as *as);
	/* Whether all contexts running in as see one mapping, so that a
	 * change made through one of them (as_map, as_protect_local) holds
	 * for all. Optional: absent means only with a single user. */
	bool (*as_coherent)(struct plat_as *as);

	/* A context for the calling sentry thread. */
	int (*ctx_new)(struct plat_ctx **out);
	void (*ctx_release)(struct plat_ctx *ctx);

	/* Run st in as until a trap; st is updated with the registers at the
	 * trap. Returns 0, or a negative errno if the context is unusable. */
	int (*ctx_switch)(struct plat_ctx *ctx, struct plat_as *as, struct arch_state *st,
			  struct trap_info *trap);

	/* Make the FPU state in st current (fp_valid) for ctx. */
	int (*ctx_get_fpstate)(struct plat_ctx *ctx, struct plat_as *as, struct arch_state *st);

	/* From any sentry thread: make ctx's current or next switch return
	 * TRAP_INTERRUPT soon. */
	void (*ctx_interrupt)(struct plat_ctx *ctx);

	/* CPU time the application code of ctx has used, in nanoseconds. */
	uint64_t (*ctx_cpu_ns)(struct plat_ctx *ctx);

	/* Lowest address user mappings may not reach (the stub lives above). */
	uint64_t max_user_addr;
};

extern const struct platform_ops *platform;

/* Host mappings every address space of the platform carries (the host
 * vDSO and its data pages): mm keeps VMAs for them so that nothing else is
 * placed there, and the loader passes the vDSO to programs. */
struct plat_special {
	uint64_t start, end;
	int prot;
	const char *name;          /* "[vdso]", "[vvar]" ... */
};
#define PLAT_SPECIAL_MAX 4
extern struct plat_special platform_special[PLAT_SPECIAL_MAX];
extern int platform_nspecial;
extern uint64_t platform_vdso;   /* the vDSO's ELF header, or 0 */

/* Select and initialise a platform by name ("ptrace"). memfd is the memory
 * file every address space maps from. */
int platform_init(const char *name, int memfd);

#endif
