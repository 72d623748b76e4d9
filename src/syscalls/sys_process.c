/* Process identity and lifetime: getpid & co, exit, exit_group,
 * arch_prctl, set_tid_address, robust lists. */
#include <asm/prctl.h>
#include <errno.h>

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
