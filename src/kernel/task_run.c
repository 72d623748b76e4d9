/*
 * The task run loop (DESIGN.md, 3): an explicit state machine. Each task's
 * sentry thread repeatedly executes its current state, which returns the
 * next: app -> syscall -> app ..., with signal handling before returning to
 * the application and an exit state that ends the loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/signals.h"
#include "kernel/task.h"
#include "platform/cpus.h"
#include "lib/log.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"

__thread struct task *current_task;

static const struct task_state st_app, st_syscall, st_exit;

/* ---- syscalls -------------------------------------------------------- */

static bool is_restart_code(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

long syscall_dispatch(struct task *t, long nr, const uint64_t *a)
{
	const struct syscall_desc *d = (nr >= 0 && nr < SYSCALL_MAX) ? &syscall_table[nr] : NULL;
	if (!d || !d->fn) {
		char what[64];
		snprintf(what, sizeof what, "syscall %s (%ld)", d && d->name ? d->name : "?", nr);
		syscall_report_unsupported(what);
		if (log_strace)
			strace_enter(t, nr, a);
		if (log_strace)
			strace_exit(t, nr, a, -ENOSYS);
		return -ENOSYS;
	}
	if (!log_strace)
		return d->fn(t, a);
	strace_enter(t, nr, a);
	long ret = d->fn(t, a);
	strace_exit(t, nr, a, ret);
	return ret;
}

/* Set up the result of an interrupted syscall: Linux restarts it (rip back
 * over the 2-byte syscall instruction) unless a handler runs that should
 * see EINTR (decided in signals_deliver via syscall_restart_pending). */
static void syscall_set_result(struct task *t, long ret)
{
	struct user_regs_struct *r = &t->arch.regs;
	/* rt_sigreturn returns the restored rax, which may look like a
	 * restart code but is the application's own value. */
	if (is_restart_code(ret) && t->syscall_nr != SYS_rt_sigreturn) {
		t->restart_code = ret;
		r->rax = (uint64_t)-EINTR;
		return;
	}
	t->restart_code = 0;
	r->rax = (uint64_t)ret;
}

/* No handler will run: restart the interrupted call transparently. */
void syscall_restart(struct task *t)
{
	struct user_regs_struct *r = &t->arch.regs;
	if (!t->restart_code)
		return;
	r->rip -= 2;
	r->rax = t->restart_code == -ERESTART_RESTARTBLOCK ? SYS_restart_syscall : t->syscall_nr;
	t->restart_code = 0;
}

static const struct task_state *st_syscall_execute(struct task *t)
{
	long nr = (long)t->arch.regs.orig_rax;
	t->syscall_nr = nr;
	arch_syscall_args(&t->arch, t->syscall_args);
	long ret = syscall_dispatch(t, nr, t->syscall_args);
	if (t->exiting || t->tg->exiting)
		return &st_exit;
	syscall_set_result(t, ret);
	return &st_app;
}

/* ---- running application code ---------------------------------------- */

static const struct task_state *st_app_execute(struct task *t)
{
	if (t->exiting || t->tg->exiting)
		return &st_exit;
	signals_handle_pending(t);
	if (t->exiting || t->tg->exiting)
		return &st_exit;
	/* Interrupts were for the sentry side; the application runs again. */
	atomic_store(&t->interrupted, false);
	if (signals_deliverable(t))
		return &st_app;
	int err = platform->ctx_switch(t->ctx, t->mm->as, &t->arch, &t->trap);
	if (err) {
		log_warn("moat: task %d: platform error %d: killing it", t->tid, err);
		task_exit_group(t, SIGKILL);
		return &st_exit;
	}
	switch (t->trap.kind) {
	case TRAP_SYSCALL:
		t->last_fault_page = 0;
		return &st_syscall;
	case TRAP_FAULT: {
		int signo;
		int code = mm_fault(t, t->trap.addr, &signo);
		if (code)
			log_debug("moat: task %d: fault at %#llx (rip %#llx rsp %#llx): signal %d code %d", t->tid,
				  (unsigned long long)t->trap.addr, (unsigned long long)t->arch.regs.rip,
				  (unsigned long long)t->arch.regs.rsp, signo, code);
		if (code)
			signals_force_fault(t, signo, code, t->trap.addr);
		return &st_app;
	}
	case TRAP_EXCEPTION:
		log_debug("moat: task %d: exception signal %d code %d at %#llx (rip %#llx)", t->tid,
			  t->trap.signo, t->trap.code, (unsigned long long)t->trap.addr,
			  (unsigned long long)t->arch.regs.rip);
		signals_force_fault(t, t->trap.signo, t->trap.code, t->trap.addr);
		return &st_app;
	case TRAP_INTERRUPT:
		return &st_app;
	}
	return &st_app;
}

/* ---- exit ------------------------------------------------------------- */

static const struct task_state *st_exit_execute(struct task *t)
{
	task_exit_release(t);
	return NULL;
}

static const struct task_state st_app = { "app", st_app_execute };
static const struct task_state st_syscall = { "syscall", st_syscall_execute };
static const struct task_state st_exit = { "exit", st_exit_execute };

const struct task_state *task_state_app(void) { return &st_app; }
const struct task_state *task_state_exit(void) { return &st_exit; }

void *task_main(void *arg)
{
	struct task *t = arg;
	current_task = t;
	cpus_thread_start();
	if (platform->ctx_new(&t->ctx)) {
		log_printf("moat: cannot create a platform context");
		t->state = &st_exit;
		task_exit_group(t, SIGKILL);
	}
	while (t->state)
		t->state = t->state->execute(t);
	task_free(t);
	cpus_thread_end();
	return NULL;
}
