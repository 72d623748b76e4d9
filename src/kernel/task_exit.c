/*
 * Exit: exit_group marks the thread group exiting with its wait status;
 * each task then leaves through the exit state, releasing what it holds.
 * When init's thread group is gone the sandbox is over.
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/kernel.h"
#include "kernel/task.h"
#include "mm/mm.h"
#include "vfs/vfs.h"

/* From the futex code: wake waiters on a futex word (CLONE_CHILD_CLEARTID). */
int futex_wake_addr(struct mm *mm, uint64_t addr, int n) __attribute__((weak));

void task_exit_group(struct task *t, int status)
{
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tg->lock);
	if (!tg->exiting) {
		tg->exiting = true;
		tg->exit_status = status;
	}
	pthread_mutex_unlock(&tg->lock);
	t->exiting = true;
}

/* Linux's mm_release: clear and wake the child TID word. */
static void clear_child_tid(struct task *t)
{
	if (!t->clear_child_tid || !t->mm)
		return;
	uint32_t zero = 0;
	if (task_copy_out(t, t->clear_child_tid, &zero, sizeof zero) == 0 && futex_wake_addr)
		futex_wake_addr(t->mm, t->clear_child_tid, 1);
}

static void thread_group_exited(struct task *t)
{
	struct kernel *k = t->kernel;
	if (t->tg->pid == 1) {
		pthread_mutex_lock(&k->exit_lock);
		k->init_exited = true;
		k->init_status = t->tg->exit_status;
		pthread_cond_broadcast(&k->exit_cond);
		pthread_mutex_unlock(&k->exit_lock);
	}
}

void task_exit_release(struct task *t)
{
	clear_child_tid(t);
	if (t->mm) {
		mm_put(t->mm);
		t->mm = NULL;
	}
	if (t->fdt) {
		fdt_put(t->fdt);
		t->fdt = NULL;
	}
	if (t->fs) {
		fs_context_put(t->fs);
		t->fs = NULL;
	}
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&tg->lock);
	bool last = --tg->live_tasks == 0;
	pthread_mutex_unlock(&tg->lock);
	pthread_mutex_lock(&t->kernel->lock);
	t->kernel->live_tasks--;
	pthread_mutex_unlock(&t->kernel->lock);
	if (last)
		thread_group_exited(t);
}

void task_free(struct task *t)
{
	if (t->ctx)
		platform->ctx_release(t->ctx);
	t->ctx = NULL;
	/* Thread groups and tasks stay allocated until reaping exists
	 * (process-model issue): the parent may still look at them. */
}
