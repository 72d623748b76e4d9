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
	/* Only this thread; the last one leaving ends the group with its
	 * code (task_exit_release). */
	t->exit_code = (int)(a[0] & 0xff);
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

/* Process groups and sessions: the rules of setpgid(2) and setsid(2) as
 * Linux applies them (and the seeds' sessions.go). Orphaned process groups
 * are not signalled yet. */

/* Is some thread group in process group pgid (within session sid, or any
 * session when sid is 0)? Caller holds the TaskSet lock. */
static bool pgrp_exists_locked(struct kernel *k, int pgid, int sid)
{
	for (struct task *it = k->all_tasks; it; it = it->all_next)
		if (it->tg->pgid == pgid && (!sid || it->tg->sid == sid))
			return true;
	return false;
}

SYSCALL_DEFINE(getpgrp) { return t->tg->pgid; }

static long get_pgid_or_sid(struct task *t, int pid, bool sid)
{
	if (pid < 0)
		return -ESRCH;
	if (pid == 0)
		return sid ? t->tg->sid : t->tg->pgid;
	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	struct task *p = kernel_task_by_tid_locked(k, pid);
	long r = p ? (sid ? p->tg->sid : p->tg->pgid) : -ESRCH;
	pthread_mutex_unlock(&k->lock);
	return r;
}

SYSCALL_DEFINE(getpgid) { return get_pgid_or_sid(t, (int)a[0], false); }
SYSCALL_DEFINE(getsid) { return get_pgid_or_sid(t, (int)a[0], true); }

SYSCALL_DEFINE(setsid)
{
	struct kernel *k = t->kernel;
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&k->lock);
	long r;
	/* A process whose ID names a process group may not start a session. */
	if (pgrp_exists_locked(k, tg->pid, 0)) {
		r = -EPERM;
	} else {
		tg->sid = tg->pgid = tg->pid;
		r = tg->sid;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

SYSCALL_DEFINE(setpgid)
{
	struct kernel *k = t->kernel;
	struct thread_group *self = t->tg;
	int pid = (int)a[0], pgid = (int)a[1];
	if (!pid)
		pid = self->pid;
	if (!pgid)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	long r = -ESRCH;
	struct task *p = kernel_task_by_tid_locked(k, pid);
	if (!p)
		goto out;
	struct thread_group *target = p->tg;
	r = -EINVAL;
	if (target->leader != p)
		goto out;
	if (target->parent == self) {
		r = -EPERM;
		if (target->sid != self->sid)
			goto out;
		r = -EACCES;
		if (target->did_exec)
			goto out;
	} else if (target != self) {
		r = -ESRCH;
		goto out;
	}
	r = -EPERM;
	if (target->sid == target->pid)
		goto out;
	if (pgid != target->pid && !pgrp_exists_locked(k, pgid, self->sid))
		goto out;
	target->pgid = pgid;
	r = 0;
out:
	pthread_mutex_unlock(&k->lock);
	return r;
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
		memcpy(t->comm, name, sizeof name);
		return 0;
	}
	case PR_GET_NAME:
		return task_copy_out(t, a[1], t->comm, sizeof t->comm);
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
	case PR_CAPBSET_DROP:
		if (a[1] > 40)
			return -EINVAL;
		if (!((t->creds.cap_effective >> 8) & 1))   /* CAP_SETPCAP */
			return -EPERM;
		t->creds.cap_bounding &= ~(1ULL << a[1]);
		return 0;
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

/* ---- clone, fork, vfork, wait ---------------------------------------- */

#include "kernel/kernel.h"
#include <sys/resource.h>
#include <sys/wait.h>

/* x86-64 clone(flags, stack, parent_tid, child_tid, tls). */
SYSCALL_DEFINE(clone)
{
	struct clone_args_k c = {
		.flags = a[0] & ~0xffULL,
		.exit_signal = (int)(a[0] & 0xff),
		.stack = a[1],
		.parent_tid = a[2],
		.child_tid = a[3],
		.tls = a[4],
	};
	/* clone() cannot carry the new clone3-only flags. */
	if (c.flags >> 32)
		return -EINVAL;
	return task_clone(t, &c);
}

SYSCALL_DEFINE(fork)
{
	struct clone_args_k c = { .exit_signal = SIGCHLD };
	return task_clone(t, &c);
}

SYSCALL_DEFINE(vfork)
{
	struct clone_args_k c = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return task_clone(t, &c);
}

/* struct clone_args of clone3(2), version 2 (88 bytes). */
struct clone_args_user {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

SYSCALL_DEFINE(clone3)
{
	size_t size = a[1];
	struct clone_args_user u;
	memset(&u, 0, sizeof u);
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (task_copy_in(t, &u, a[0], size < sizeof u ? size : sizeof u))
		return -EFAULT;
	/* A larger struct from a newer program is fine if the tail is zero. */
	for (size_t off = sizeof u; off < size; off += 8) {
		uint64_t w = 0;
		size_t n = size - off < 8 ? size - off : 8;
		if (task_copy_in(t, &w, a[0] + off, n))
			return -EFAULT;
		if (w)
			return -E2BIG;
	}
	if (u.exit_signal & ~0xffULL)
		return -EINVAL;
	if ((u.flags & CSIGNAL) || (u.flags & CLONE_DETACHED))
		return -EINVAL;
	if ((u.stack == 0) != (u.stack_size == 0))
		return -EINVAL;
	if (u.set_tid || u.set_tid_size) {
		if (!u.set_tid != !u.set_tid_size || u.set_tid_size > 32)
			return -EINVAL;
		syscall_report_unsupported("clone3 set_tid");
		return -EINVAL;
	}
	struct clone_args_k c = {
		.flags = u.flags,
		.pidfd = u.pidfd,
		.child_tid = u.child_tid,
		.parent_tid = u.parent_tid,
		.exit_signal = (int)u.exit_signal,
		.stack = u.stack,
		.stack_size = u.stack_size,
		.tls = u.tls,
	};
	/* clone3's stack is the lowest address of the stack area. */
	if (!u.stack)
		c.stack_size = 0;
	return task_clone(t, &c);
}

SYSCALL_DEFINE(unshare) { return task_unshare(t, a[0]); }

static void rusage_from(struct rusage *ru, uint64_t utime_ns, uint64_t stime_ns, uint64_t maxrss_kb)
{
	memset(ru, 0, sizeof *ru);
	ru->ru_maxrss = (long)maxrss_kb;
	ru->ru_utime.tv_sec = utime_ns / 1000000000;
	ru->ru_utime.tv_usec = utime_ns % 1000000000 / 1000;
	ru->ru_stime.tv_sec = stime_ns / 1000000000;
	ru->ru_stime.tv_usec = stime_ns % 1000000000 / 1000;
}

SYSCALL_DEFINE(wait4)
{
	int pid = (int)a[0];
	int options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	/* Linux: -INT_MIN has no positive counterpart. */
	if (pid == INT32_MIN)
		return -ESRCH;
	struct wait_opts w = { .options = options | WEXITED };
	if (pid > 0) {
		w.idtype = P_PID;
		w.id = pid;
	} else if (pid == -1) {
		w.idtype = P_ALL;
	} else {
		w.idtype = P_PGID;
		w.id = pid == 0 ? t->tg->pgid : -pid;
	}
	long r = task_wait(t, &w);
	if (r <= 0)
		return r;
	if (a[1] && task_copy_out(t, a[1], &w.status, sizeof w.status))
		return -EFAULT;
	if (a[3]) {
		struct rusage ru;
		rusage_from(&ru, w.utime_ns, w.stime_ns, w.maxrss_kb);
		if (task_copy_out(t, a[3], &ru, sizeof ru))
			return -EFAULT;
	}
	return r;
}

SYSCALL_DEFINE(waitid)
{
	int idtype = (int)a[0], id = (int)a[1], options = (int)a[3];
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_opts w = { .options = options, .idtype = idtype, .id = id };
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			w.id = t->tg->pgid;
		break;
	default:
		if (idtype == 3 /* P_PIDFD */)
			syscall_report_unsupported("waitid P_PIDFD");
		return -EINVAL;
	}
	long r = task_wait(t, &w);
	if (r < 0)
		return r;
	if (a[2]) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (r > 0) {
			si.si_signo = SIGCHLD;
			si.si_code = w.code;
			si.si_pid = w.pid;
			si.si_uid = w.uid;
			si.si_status = w.code == CLD_EXITED ? WEXITSTATUS(w.status)
				       : w.code == CLD_STOPPED ? WSTOPSIG(w.status)
				       : w.code == CLD_CONTINUED ? SIGCONT : WTERMSIG(w.status);
		}
		if (task_copy_out(t, a[2], &si, sizeof si))
			return -EFAULT;
	}
	if (a[4]) {
		struct rusage ru;
		rusage_from(&ru, w.utime_ns, w.stime_ns, w.maxrss_kb);
		if (task_copy_out(t, a[4], &ru, sizeof ru))
			return -EFAULT;
	}
	return 0;
}
