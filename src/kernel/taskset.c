/*
 * The TaskSet (DESIGN.md, 3): every live task by thread ID, and the list of
 * all tasks, under kernel->lock. One PID namespace for now (the root, where
 * init is 1); nested namespaces come later.
 */
#include <errno.h>

#include "kernel/kernel.h"
#include "kernel/task.h"

/* Linux's default pid_max on 64-bit systems. */
#define PID_MAX 4194304

static unsigned tid_bucket(int tid) { return (unsigned)tid % TID_HASH_SIZE; }

struct task *kernel_task_by_tid_locked(struct kernel *k, int tid)
{
	for (struct task *t = k->tid_hash[tid_bucket(tid)]; t; t = t->tid_hash_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct thread_group *kernel_tg_by_pid_locked(struct kernel *k, int pid)
{
	struct task *t = kernel_task_by_tid_locked(k, pid);
	return t && t->tg->pid == pid ? t->tg : NULL;
}

/* Allocate a thread ID after the last one, wrapping, skipping IDs in use
 * (also as process group or session IDs, as Linux does). Caller holds
 * k->lock. */
static int alloc_tid_locked(struct kernel *k)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int tid = k->next_tid++;
		if (k->next_tid >= PID_MAX)
			k->next_tid = 300;   /* Linux's RESERVED_PIDS */
		if (!kernel_task_by_tid_locked(k, tid))
			return tid;
	}
	return -EAGAIN;
}

int kernel_alloc_tid(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	int tid = k->live_tasks >= TASKS_LIMIT ? -EAGAIN : alloc_tid_locked(k);
	pthread_mutex_unlock(&k->lock);
	return tid;
}

/* Make t findable: caller holds k->lock and has set t->tid. */
void taskset_insert_locked(struct kernel *k, struct task *t)
{
	unsigned b = tid_bucket(t->tid);
	t->tid_hash_next = k->tid_hash[b];
	k->tid_hash[b] = t;
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
	for (struct task **p = &k->tid_hash[tid_bucket(t->tid)]; *p; p = &(*p)->tid_hash_next) {
		if (*p == t) {
			*p = t->tid_hash_next;
			return;
		}
	}
}
