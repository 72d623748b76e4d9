/*
 * Resource limits: getrlimit(2), setrlimit(2), prlimit64(2), over the
 * thread group's rlimits (shared by its threads, under tg->lock). The
 * order of checks is Linux's do_prlimit(). The limits are only state for
 * now: each subsystem enforces its own (RLIMIT_NOFILE in the FD table...).
 *
 * Missing: prlimit64 on other processes (needs a PID lookup: ESRCH for
 * now), and RLIMIT_CPU's timers.
 */
#include <errno.h>
#include <sys/resource.h>

#include "syscalls/syscalls.h"

#define CAP_SYS_RESOURCE 24
/* Linux's default fs.nr_open: the highest RLIMIT_NOFILE hard limit. */
#define SYSCTL_NR_OPEN (1024 * 1024)

struct rlimit64_abi {
	uint64_t cur, max;
};

static bool capable_sys_resource(struct task *t)
{
	return creds_has_cap(&t->creds, CAP_SYS_RESOURCE);
}

/* Read the old limit and/or install a new one for resource, atomically. */
static int do_prlimit(struct task *t, struct thread_group *tg, unsigned int resource,
		      const struct rlimit64_abi *new_lim, struct rlimit64_abi *old_lim)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new_lim) {
		if (new_lim->cur > new_lim->max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && new_lim->max > SYSCTL_NR_OPEN)
			return -EPERM;
	}
	int err = 0;
	pthread_mutex_lock(&tg->lock);
	struct rlimit *lim = &tg->rlimits[resource];
	if (new_lim && new_lim->max > lim->rlim_max && !capable_sys_resource(t))
		err = -EPERM;
	if (!err && old_lim) {
		old_lim->cur = lim->rlim_cur;
		old_lim->max = lim->rlim_max;
	}
	if (!err && new_lim) {
		lim->rlim_cur = new_lim->cur;
		lim->rlim_max = new_lim->max;
	}
	pthread_mutex_unlock(&tg->lock);
	return err;
}

SYSCALL_DEFINE(getrlimit)
{
	struct rlimit64_abi old;
	int err = do_prlimit(t, t->tg, (unsigned int)a[0], NULL, &old);
	if (err)
		return err;
	return task_copy_out(t, a[1], &old, sizeof(old));
}

SYSCALL_DEFINE(setrlimit)
{
	struct rlimit64_abi new_lim;
	if (task_copy_in(t, &new_lim, a[1], sizeof(new_lim)))
		return -EFAULT;
	return do_prlimit(t, t->tg, (unsigned int)a[0], &new_lim, NULL);
}

/* The thread group of pid as prlimit64 sees it: 0 is the caller; any
 * thread of the caller's group names the group (limits are per process). */
static struct thread_group *prlimit_target(struct task *t, int pid)
{
	if (pid == 0 || pid == task_vtid(t) || pid == tg_vpid(t, t->tg))
		return t->tg;
	/* TODO: look up other tasks in the PID namespace (and check
	 * permission: EPERM unless same uids or CAP_SYS_RESOURCE). */
	if (pid > 0)
		syscall_report_unsupported("prlimit64 on another process");
	return NULL;
}

SYSCALL_DEFINE(prlimit64)
{
	int pid = (int)a[0];
	unsigned int resource = (unsigned int)a[1];
	struct rlimit64_abi new_lim, old;

	if (a[2] && task_copy_in(t, &new_lim, a[2], sizeof(new_lim)))
		return -EFAULT;
	struct thread_group *tg = prlimit_target(t, pid);
	if (!tg)
		return -ESRCH;
	int err = do_prlimit(t, tg, resource, a[2] ? &new_lim : NULL, a[3] ? &old : NULL);
	if (!err && a[3] && task_copy_out(t, a[3], &old, sizeof(old)))
		err = -EFAULT;
	return err;
}
