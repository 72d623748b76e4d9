/*
 * Scheduling policy calls. Every task runs under SCHED_OTHER with nice 0
 * on moat's virtual CPUs; setting policies comes with the process-model
 * issue (sched_setscheduler and friends stay unimplemented until then).
 */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>

#include "syscalls/syscalls.h"

#define CAP_SYS_NICE 23
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

SYSCALL_DEFINE(sched_yield)
{
	sched_yield();
	return 0;
}

/* Only the caller is known by PID yet. */
static int check_pid(struct task *t, int pid)
{
	if (pid < 0)
		return -EINVAL;
	return pid == 0 || pid == task_vtid(t) || pid == tg_vpid(t, t->tg) ? 0 : -ESRCH;
}

SYSCALL_DEFINE(sched_getscheduler)
{
	int err = check_pid(t, (int)a[0]);
	return err ? err : t->sched_policy;
}

SYSCALL_DEFINE(sched_getparam)
{
	if (!a[1] || (int)a[0] < 0)
		return -EINVAL;
	int err = check_pid(t, (int)a[0]);
	if (err)
		return err;
	struct sched_param p = { .sched_priority = t->sched_priority };
	return task_copy_out(t, a[1], &p, sizeof p);
}

/* Policies are kept and reported; moat's tasks are scheduled by the host
 * all the same (a real-time policy is a request nothing here can grant). */
static long set_policy(struct task *t, int pid, int policy, uint64_t uparam)
{
	if (!uparam || pid < 0)
		return -EINVAL;
	struct sched_param p;
	if (task_copy_in(t, &p, uparam, sizeof p))
		return -EFAULT;
	int err = check_pid(t, pid);
	if (err)
		return err;
	bool reset = policy >= 0 && (policy & SCHED_RESET_ON_FORK);
	/* sched_setparam keeps the flag; sched_setscheduler sets or clears it. */
	int keep_reset = policy < 0 ? (t->sched_policy & SCHED_RESET_ON_FORK) : 0;
	if (policy >= 0)
		policy &= ~SCHED_RESET_ON_FORK;
	else
		policy = t->sched_policy & ~SCHED_RESET_ON_FORK;
	bool rt = policy == SCHED_FIFO || policy == SCHED_RR;
	if (policy != SCHED_OTHER && policy != SCHED_BATCH && policy != SCHED_IDLE && !rt)
		return -EINVAL;
	if (rt ? (p.sched_priority < 1 || p.sched_priority > 99) : p.sched_priority != 0)
		return -EINVAL;
	if (rt && !creds_has_cap(&t->creds, CAP_SYS_NICE))
		return -EPERM;
	t->sched_policy = policy | (reset ? SCHED_RESET_ON_FORK : keep_reset);
	t->sched_priority = p.sched_priority;
	return 0;
}

SYSCALL_DEFINE(sched_rr_get_interval)
{
	int err = (int)a[0] < 0 ? -EINVAL : check_pid(t, (int)a[0]);
	if (err)
		return err;
	/* SCHED_RR's quantum is Linux's 100 ms; FIFO has none; the others
	 * report a CFS-like slice. */
	int pol = t->sched_policy & ~SCHED_RESET_ON_FORK;
	struct timespec ts = { 0, pol == SCHED_RR ? 100000000 : pol == SCHED_FIFO ? 0 : 4000000 };
	return task_copy_out(t, a[1], &ts, sizeof ts);
}

SYSCALL_DEFINE(sched_setscheduler) { return set_policy(t, (int)a[0], (int)a[1], a[2]); }
SYSCALL_DEFINE(sched_setparam) { return set_policy(t, (int)a[0], -1, a[1]); }

/* personality(2): the flags are kept and inherited; only PER_LINUX
 * behaviour exists. */
SYSCALL_DEFINE(personality)
{
	uint32_t old = t->personality;
	if ((uint32_t)a[0] != 0xffffffffu)
		t->personality = (uint32_t)a[0];
	return old;
}

SYSCALL_DEFINE(sched_get_priority_max)
{
	switch ((int)a[0]) {
	case SCHED_FIFO: case SCHED_RR: return 99;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

SYSCALL_DEFINE(sched_get_priority_min)
{
	switch ((int)a[0]) {
	case SCHED_FIFO: case SCHED_RR: return 1;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
/* Nice values (getpriority(2)/setpriority(2)): kept per process and
 * inherited by fork; moat's scheduling is the host's, so they only order
 * nothing yet, which Linux also allows (SCHED_OTHER hints). */

static bool prio_matches(struct task *t, struct task *it, int which, int who)
{
	switch (which) {
	case PRIO_PROCESS: return tg_vpid(t, it->tg) == (who ? who : tg_vpid(t, t->tg)) && it == it->tg->leader;
	case PRIO_PGRP:
		return it->tg->pgid == (who ? task_root_of_vnr_locked(t, who) : t->tg->pgid) && it == it->tg->leader;
	default: return it->creds.ruid == (uint32_t)(who ? who : (int)t->creds.ruid) && it == it->tg->leader;
	}
}

SYSCALL_DEFINE(getpriority)
{
	int which = (int)a[0], who = (int)a[1];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	struct kernel *k = t->kernel;
	int best = -1;
	pthread_mutex_lock(&k->lock);
	for (struct task *it = k->all_tasks; it; it = it->all_next)
		if (prio_matches(t, it, which, who) && 20 - it->tg->nice > best)
			best = 20 - it->tg->nice;
	pthread_mutex_unlock(&k->lock);
	/* The raw syscall returns 20 - nice so that it is never negative. */
	return best < 0 ? -ESRCH : best;
}

SYSCALL_DEFINE(setpriority)
{
	int which = (int)a[0], who = (int)a[1], nice = (int)a[2];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	struct kernel *k = t->kernel;
	long r = -ESRCH;
	pthread_mutex_lock(&k->lock);
	for (struct task *it = k->all_tasks; it; it = it->all_next) {
		if (!prio_matches(t, it, which, who))
			continue;
		if (it->creds.euid != t->creds.euid && it->creds.ruid != t->creds.euid &&
		    !creds_has_cap(&t->creds, CAP_SYS_NICE)) {
			r = -EPERM;
			continue;
		}
		if (nice < it->tg->nice && !creds_has_cap(&t->creds, CAP_SYS_NICE)) {
			r = -EACCES;
			continue;
		}
		it->tg->nice = nice;
		if (r == -ESRCH)
			r = 0;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}
