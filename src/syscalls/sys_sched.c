/*
 * Scheduling policy calls. Every task runs under SCHED_OTHER with nice 0
 * on moat's virtual CPUs; setting policies comes with the process-model
 * issue (sched_setscheduler and friends stay unimplemented until then).
 */
#include <errno.h>
#include <sched.h>

#include "syscalls/syscalls.h"

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
	return pid == 0 || pid == t->tid || pid == t->tg->pid ? 0 : -ESRCH;
}

SYSCALL_DEFINE(sched_getscheduler)
{
	int err = check_pid(t, (int)a[0]);
	return err ? err : SCHED_OTHER;
}

SYSCALL_DEFINE(sched_getparam)
{
	if (!a[1] || (int)a[0] < 0)
		return -EINVAL;
	int err = check_pid(t, (int)a[0]);
	if (err)
		return err;
	struct sched_param p = { .sched_priority = 0 };
	return task_copy_out(t, a[1], &p, sizeof p);
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
