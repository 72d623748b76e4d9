/*
 * execve: load the new image into a fresh address space, then (past the
 * point of no return) replace the task's mm, close close-on-exec
 * descriptors, reset caught signals to their default and start the new
 * program with clean registers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/task.h"
#include "lib/log.h"
#include "loader/loader.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

static void reset_registers(struct arch_state *st, uint64_t entry, uint64_t sp)
{
	struct user_regs_struct *r = &st->regs;
	uint64_t cs = r->cs ? r->cs : 0x33, ss = r->ss ? r->ss : 0x2b;
	memset(r, 0, sizeof *r);
	r->rip = entry;
	r->rsp = sp;
	r->cs = cs;
	r->ss = ss;
	r->eflags = 0x202;
	r->orig_rax = (uint64_t)-1;
	st->fp_dirty = false;
	st->fp_valid = false;
}

/* Handled signals go back to SIG_DFL; ignored ones stay ignored. */
static void reset_signal_handlers(struct task *t)
{
	struct sighand *sh = t->tg->sighand;
	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < MOAT_NSIG; i++) {
		struct k_sigaction *a = &sh->action[i];
		if (a->handler != (uint64_t)SIG_IGN)
			memset(a, 0, sizeof *a);
	}
	pthread_mutex_unlock(&sh->lock);
	t->altstack_sp = 0;
	t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
}

int task_exec(struct task *t, const char *path, struct strvec *argv, struct strvec *envp)
{
	struct exec_image img;
	int err = loader_exec(t, path, argv, envp, &img);
	if (err)
		return err;
	struct mm *old = t->mm;
	t->mm = img.mm;
	if (old)
		mm_put(old);
	fdt_close_on_exec(t->fdt);
	reset_signal_handlers(t);
	memcpy(t->tg->comm, img.comm, sizeof img.comm);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	reset_registers(&t->arch, img.entry, img.sp);
	return 0;
}

/* The first state of init: exec the program moat was asked to run. */
static const struct task_state *st_exec_init_execute(struct task *t)
{
	struct init_exec *ie = t->init_exec;
	int err = task_exec(t, ie->path, &ie->argv, &ie->envp);
	if (err) {
		log_printf("moat: cannot run %s: %s", ie->path, strerror(-err));
		/* As a shell reports it: 127 not found, 126 not executable. */
		task_exit_group(t, (err == -ENOENT || err == -ENOTDIR ? 127 : 126) << 8);
		t->exiting = true;
	}
	strvec_free(&ie->argv);
	strvec_free(&ie->envp);
	free(ie->path);
	free(ie);
	t->init_exec = NULL;
	if (err)
		return task_state_exit();
	return task_state_app();
}

static const struct task_state st_exec_init = { "exec-init", st_exec_init_execute };
const struct task_state *task_state_exec_init(void) { return &st_exec_init; }

SYSCALL_DEFINE(execve)
{
	char *path = malloc(VFS_PATH_MAX);
	if (!path)
		return -ENOMEM;
	long n = task_copy_in_string(t, a[0], path, VFS_PATH_MAX);
	if (n < 0) {
		free(path);
		return n;
	}
	struct strvec argv, envp;
	int err = strvec_copy_in(t, a[1], &argv);
	if (!err) {
		err = strvec_copy_in(t, a[2], &envp);
		if (err)
			strvec_free(&argv);
	}
	if (!err) {
		err = task_exec(t, path, &argv, &envp);
		strvec_free(&argv);
		strvec_free(&envp);
	}
	free(path);
	return err;
}
