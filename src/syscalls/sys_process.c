/* Process identity and lifetime: getpid & co, exit, exit_group,
 * arch_prctl, set_tid_address, robust lists. */
#include <asm/prctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"

/* IDs are those of the root PID namespace, where init is 1; nested PID
 * namespaces come with the process-model issue. */
SYSCALL_DEFINE(getpid) { return t->tg->pid; }
SYSCALL_DEFINE(gettid) { return t->tid; }

SYSCALL_DEFINE(getppid)
{
	/* init's parent is outside the sandbox: 0, as in a PID namespace. */
	return t->tg->parent ? t->tg->parent->pid : 0;
}

SYSCALL_DEFINE(exit)
{
	/* The last thread leaving ends the group with this status. */
	if (t->tg->live_tasks == 1)
		task_exit_group(t, (int)(a[0] & 0xff) << 8);
	t->exiting = true;
	return 0;
}

SYSCALL_DEFINE(exit_group)
{
	task_exit_group(t, (int)(a[0] & 0xff) << 8);
	return 0;
}

/* arch_prctl(2): only the FS/GS base calls; CPUID faulting and the AMX
 * permission calls are not offered. */
SYSCALL_DEFINE(arch_prctl)
{
	uint64_t addr = a[1];
	switch (a[0]) {
	case ARCH_SET_FS:
		if (addr >= ARCH_TASK_SIZE)
			return -EPERM;
		t->arch.regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= ARCH_TASK_SIZE)
			return -EPERM;
		t->arch.regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return task_copy_out(t, addr, &t->arch.regs.fs_base, 8);
	case ARCH_GET_GS:
		return task_copy_out(t, addr, &t->arch.regs.gs_base, 8);
	default:
		syscall_report_unsupported("arch_prctl code");
		return -EINVAL;
	}
}

SYSCALL_DEFINE(set_tid_address)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

/* struct robust_list_head is 24 bytes on x86-64. */
#define ROBUST_LIST_HEAD_SIZE 24

SYSCALL_DEFINE(set_robust_list)
{
	if (a[1] != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_list_len = a[1];
	return 0;
}

SYSCALL_DEFINE(get_robust_list)
{
	if ((int)a[0] != 0 && (int)a[0] != t->tid)
		return -ESRCH;   /* other tasks: process-model issue */
	uint64_t len = ROBUST_LIST_HEAD_SIZE;
	if (task_copy_out(t, a[2], &len, sizeof len) || task_copy_out(t, a[1], &t->robust_list, 8))
		return -EFAULT;
	return 0;
}

/* Process groups and sessions of the init process only; the full rules
 * (sessions.c) come with the process-model issue. */
static bool is_self(struct task *t, int pid) { return pid == 0 || pid == t->tg->pid; }

SYSCALL_DEFINE(getpgrp) { return t->tg->pgid; }

SYSCALL_DEFINE(getpgid)
{
	if ((int)a[0] < 0)
		return -ESRCH;
	return is_self(t, (int)a[0]) ? t->tg->pgid : -ESRCH;
}

SYSCALL_DEFINE(getsid)
{
	if ((int)a[0] < 0)
		return -ESRCH;
	return is_self(t, (int)a[0]) ? t->tg->sid : -ESRCH;
}

SYSCALL_DEFINE(setsid)
{
	/* A process group leader may not start a session. */
	if (t->tg->pgid == t->tg->pid)
		return -EPERM;
	t->tg->sid = t->tg->pgid = t->tg->pid;
	return t->tg->sid;
}

SYSCALL_DEFINE(setpgid)
{
	int pid = (int)a[0], pgid = (int)a[1];
	if (pgid < 0)
		return -EINVAL;
	if (!is_self(t, pid))
		return -ESRCH;
	/* A session leader cannot change its process group. */
	if (t->tg->sid == t->tg->pid)
		return -EPERM;
	if (pgid != 0 && pgid != t->tg->pid)
		return -EPERM;
	t->tg->pgid = t->tg->pid;
	return 0;
}

/* prctl(2): the per-process settings programs look at; the rest are
 * reported and refused with EINVAL as Linux does for unknown options. */
SYSCALL_DEFINE(prctl)
{
	switch ((int)a[0]) {
	case PR_SET_NAME: {
		char name[16];
		long n = task_copy_in_string(t, a[1], name, sizeof name);
		if (n == -ENAMETOOLONG) {
			if (task_copy_in(t, name, a[1], 15))
				return -EFAULT;
			name[15] = 0;
		} else if (n < 0) {
			return n;
		}
		memcpy(t->tg->comm, name, sizeof name);
		return 0;
	}
	case PR_GET_NAME:
		return task_copy_out(t, a[1], t->tg->comm, sizeof t->tg->comm);
	case PR_GET_DUMPABLE:
		return t->tg->dumpable;
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		t->tg->dumpable = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig = t->pdeath_signal;
		return task_copy_out(t, a[1], &sig, sizeof sig);
	}
	case PR_SET_PDEATHSIG:
		if (a[1] > MOAT_NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)a[1];
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return t->no_new_privs;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->tg->child_subreaper;
		return task_copy_out(t, a[1], &v, sizeof v);
	}
	case PR_SET_CHILD_SUBREAPER:
		t->tg->child_subreaper = a[1] != 0;
		return 0;
	case PR_CAPBSET_READ:
		if (a[1] > 40)
			return -EINVAL;
		return (t->creds.cap_bounding >> a[1]) & 1;
	case PR_GET_KEEPCAPS:
		return t->keep_caps;
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		t->keep_caps = (int)a[1];
		return 0;
	case PR_GET_SECUREBITS:
		return 0;
	default: {
		char what[48];
		snprintf(what, sizeof what, "prctl option %d", (int)a[0]);
		syscall_report_unsupported(what);
		return -EINVAL;
	}
	}
}
