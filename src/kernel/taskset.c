/*
 * The TaskSet (DESIGN.md, 3): every live task, found by its thread ID in
 * any PID namespace (pidns.h), and the list of all tasks, under
 * kernel->lock.
 */
#include <errno.h>

#include "kernel/kernel.h"
#include "kernel/pidns.h"
#include "kernel/task.h"

struct task *kernel_task_by_tid_locked(struct kernel *k, int tid)
{
	struct kpid *p = kpid_find_locked(k->root_pidns, tid);
	return p ? p->task : NULL;
}

struct thread_group *kernel_tg_by_pid_locked(struct kernel *k, int pid)
{
	struct task *t = kernel_task_by_tid_locked(k, pid);
	return t && t->tg->pid == pid ? t->tg : NULL;
}

struct pid_ns *task_pidns(const struct task *t) { return kpid_ns(t->kpid); }

struct task *task_by_vnr_locked(struct task *t, int nr)
{
	struct kpid *p = kpid_find_locked(task_pidns(t), nr);
	return p ? p->task : NULL;
}

int task_vnr_of_root_locked(struct task *t, int root_nr)
{
	return kpid_nr_ns(kpid_find_locked(t->kernel->root_pidns, root_nr), task_pidns(t));
}

int task_root_of_vnr_locked(struct task *t, int nr)
{
	struct kpid *p = kpid_find_locked(task_pidns(t), nr);
	return p ? p->numbers[0].nr : 0;
}

/* Give t a thread ID in ns (and its ancestors): caller holds k->lock. */
int taskset_alloc_tid_locked(struct kernel *k, struct task *t, struct pid_ns *ns, const int *set_tid,
			     int nset)
{
	if (k->live_tasks >= TASKS_LIMIT)
		return -EAGAIN;
	struct kpid *p;
	int err = kpid_alloc_locked(ns, set_tid, nset, &p);
	if (err)
		return err;
	p->task = t;
	t->kpid = p;
	t->tid = p->numbers[0].nr;
	return 0;
}

/* Make t a live task: caller holds k->lock and has given it a thread ID. */
void taskset_insert_locked(struct kernel *k, struct task *t)
{
	t->all_prev = NULL;
	t->all_next = k->all_tasks;
	if (k->all_tasks)
		k->all_tasks->all_prev = t;
	k->all_tasks = t;
	k->live_tasks++;
}

/* t no longer runs: off the list of live tasks. */
void taskset_remove_live_locked(struct kernel *k, struct task *t)
{
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else if (k->all_tasks == t)
		k->all_tasks = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	t->all_next = t->all_prev = NULL;
	k->live_tasks--;
}

/* t's thread ID is free again. */
void taskset_remove_tid_locked(struct kernel *k, struct task *t)
{
	struct kpid *p = t->kpid;
	if (!p || p->task != t)
		return;
	p->task = NULL;
	kpid_detach_locked(p);
}
