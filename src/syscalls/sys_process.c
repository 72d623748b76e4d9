/* Process identity and lifetime: getpid & co, exit, exit_group,
 * arch_prctl, set_tid_address, robust lists. */
#include <asm/prctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "kernel/task.h"
#include "kernel/userns.h"
#include "syscalls/syscalls.h"

/* IDs are those of the caller's PID namespace (pidns.h). */
SYSCALL_DEFINE(getpid) { return tg_vpid(t, t->tg); }
SYSCALL_DEFINE(gettid) { return task_vtid(t); }

SYSCALL_DEFINE(getppid)
{
	/* A parent outside the caller's namespace (the parent of a namespace's
	 * init; that of the sandbox's init) is 0. */
	struct thread_group *parent = __atomic_load_n(&t->tg->parent, __ATOMIC_RELAXED);
	return parent ? tg_vpid(t, parent) : 0;
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
	return task_vtid(t);
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
	if ((int)a[0] != 0 && (int)a[0] != task_vtid(t))
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

/* A process group or session outside the caller's namespace is 0. */
static long get_pgid_or_sid(struct task *t, int pid, bool sid)
{
	if (pid < 0)
		return -ESRCH;
	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	struct task *p = pid ? task_by_vnr_locked(t, pid) : t;
	long r = p ? task_vnr_of_root_locked(t, sid ? p->tg->sid : p->tg->pgid) : -ESRCH;
	pthread_mutex_unlock(&k->lock);
	return r;
}

SYSCALL_DEFINE(getpgrp) { return get_pgid_or_sid(t, 0, false); }

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
		kpid_detach_root_locked(k, tg->pgid);
		kpid_detach_root_locked(k, tg->sid);
		tg->sid = tg->pgid = tg->pid;
		kpid_attach_locked(tg->pidp);
		kpid_attach_locked(tg->pidp);
		r = tg_vpid(t, tg);
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

SYSCALL_DEFINE(setpgid)
{
	struct kernel *k = t->kernel;
	struct thread_group *self = t->tg;
	int pid = (int)a[0], pgid = (int)a[1];
	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	long r = -ESRCH;
	struct task *p = pid ? task_by_vnr_locked(t, pid) : self->leader;
	if (!p)
		goto out;
	/* IDs in the caller's namespace; a group not visible there cannot be
	 * joined (no member of it can be in the caller's session). */
	pgid = pgid ? task_root_of_vnr_locked(t, pgid) : p->tg->pid;
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
	kpid_attach_root_locked(k, pgid);
	kpid_detach_root_locked(k, target->pgid);
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
		if (!ns_capable(&t->creds, creds_user_ns(&t->creds), 8))   /* CAP_SETPCAP, in our namespace */
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

#include "fs/anon/anon.h"
#include "kernel/kernel.h"
#include "vfs/vfs.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* x86-64 clone(flags, stack, parent_tid, child_tid, tls). */
const char sys_clone_partial[] = "no CLONE_NEWCGROUP, CLONE_PTRACE (EINVAL)";
const char sys_clone3_partial[] = "no CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_INTO_CGROUP, CLONE_PTRACE (EINVAL)";
const char sys_unshare_partial[] = "no CLONE_NEWCGROUP, CLONE_NEWTIME (EINVAL)";

SYSCALL_DEFINE(clone)
{
	struct clone_args_k c = {
		.flags = a[0] & ~0xffULL,
		.exit_signal = (int)(a[0] & 0xff),
		.stack = a[1],
		.parent_tid = a[2],
		.child_tid = a[3],
		.tls = a[4],
		.pidfd = a[2],   /* clone() stores a CLONE_PIDFD there */
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
	if (!u.set_tid != !u.set_tid_size || u.set_tid_size > PIDNS_MAX_LEVEL)
		return -EINVAL;
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
	c.set_tid_size = (int)u.set_tid_size;
	if (task_copy_in(t, c.set_tid, u.set_tid, u.set_tid_size * sizeof(int)))
		return -EFAULT;
	/* clone3's stack is the lowest address of the stack area. */
	if (!u.stack)
		c.stack_size = 0;
	return task_clone(t, &c);
}

SYSCALL_DEFINE(unshare) { return task_unshare(t, a[0]); }

/* A process or group ID of the caller's namespace as the kernel's root
 * number; -1 (matching nothing) when the caller sees no such ID. */
static int root_id(struct task *t, int nr)
{
	pthread_mutex_lock(&t->kernel->lock);
	int root = task_root_of_vnr_locked(t, nr);
	pthread_mutex_unlock(&t->kernel->lock);
	return root ? root : -1;
}

/* waitid(P_PIDFD): the process a pidfd names (EBADF for a bad descriptor
 * or another kind of file); an O_NONBLOCK pidfd waits as with WNOHANG. */
static long pidfd_target(struct task *t, int fd, struct thread_group **out, bool *nonblock)
{
	if (fd < 0)
		return -EINVAL;
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (!file_is_pidfd(f)) {
		r = -EBADF;
	} else {
		*out = pidfd_tg(f);
		*nonblock = atomic_load(&f->flags) & O_NONBLOCK;
	}
	file_put(f);
	return r;
}

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
		w.id = root_id(t, pid);
	} else if (pid == -1) {
		w.idtype = P_ALL;
	} else {
		w.idtype = P_PGID;
		w.id = pid == 0 ? t->tg->pgid : root_id(t, -pid);
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
	bool nonblock = false;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		w.id = root_id(t, id);
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		w.id = id == 0 ? t->tg->pgid : root_id(t, id);
		break;
	case P_PIDFD: {
		long r = pidfd_target(t, id, &w.only, &nonblock);
		if (r)
			return r;
		if (nonblock)
			w.options |= WNOHANG;
		w.idtype = P_ALL;
		break;
	}
	default:
		return -EINVAL;
	}
	long r = task_wait(t, &w);
	if (r < 0)
		return r;
	if (r == 0 && nonblock)
		return -EAGAIN;
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

/* ---- pidfds ------------------------------------------------------------ */

#define PIDFD_THREAD_FLAG O_EXCL   /* PIDFD_THREAD (Linux 6.9) */
#define PIDFD_SIGNAL_THREAD 1
#define PIDFD_SIGNAL_THREAD_GROUP 2
#define PIDFD_SIGNAL_PROCESS_GROUP 4
#define CAP_SYS_PTRACE 19

SYSCALL_DEFINE(pidfd_open)
{
	int pid = (int)a[0];
	unsigned flags = (unsigned)a[1];
	if (flags & ~(O_NONBLOCK | PIDFD_THREAD_FLAG))
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	pthread_mutex_lock(&t->kernel->lock);
	struct task *p = task_by_vnr_locked(t, pid);
	struct thread_group *tg = p ? p->tg : NULL;
	pthread_mutex_unlock(&t->kernel->lock);
	if (!p)
		return -ESRCH;
	bool thread = flags & PIDFD_THREAD_FLAG;
	/* A process pidfd is named by the process ID, not another thread's. */
	if (!thread && tg->leader != p)
		return -ENOENT;
	struct file *f;
	int err = pidfd_new(tg, thread ? p : NULL, flags & O_NONBLOCK, &f);
	if (err)
		return err;
	int fd = fdt_alloc(t->fdt, f, 0, true, task_nofile_limit(t));
	file_put(f);
	return fd;
}

/* The pidfd behind descriptor fd, with a reference: NULL and -EBADF. */
static struct file *get_pidfd(struct task *t, int fd)
{
	struct file *f = fdt_get_file(t->fdt, fd);
	if (f && !file_is_pidfd(f)) {
		file_put(f);
		f = NULL;
	}
	return f;
}

/* The siginfo pidfd_send_signal sends: the caller's own, checked as
 * rt_sigqueueinfo checks it, or a kill()'s. */
static long pidfd_siginfo(struct task *t, uint64_t uinfo, int sig, bool to_self, bool thread, siginfo_t *info)
{
	if (!uinfo) {
		siginfo_user(info, sig, t);
		if (thread)
			info->si_code = SI_TKILL;
		return 0;
	}
	if (task_copy_in(t, info, uinfo, sizeof *info))
		return -EFAULT;
	if (info->si_signo != sig)
		return -EINVAL;
	/* Not even root may pretend to be the kernel to another process. */
	if ((!to_self || thread) && (info->si_code >= 0 || info->si_code == SI_TKILL))
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE(pidfd_send_signal)
{
	int sig = (int)a[1];
	unsigned flags = (unsigned)a[3];
	if (flags & ~(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP))
		return -EINVAL;
	if (flags & (flags - 1))
		return -EINVAL;   /* at most one scope */
	struct file *f = get_pidfd(t, (int)a[0]);
	if (!f)
		return -EBADF;
	struct thread_group *tg = pidfd_tg(f);
	struct task *thread = pidfd_thread(f);
	file_put(f);
	if (flags & PIDFD_SIGNAL_THREAD_GROUP)
		thread = NULL;
	else if ((flags & PIDFD_SIGNAL_THREAD) && !thread)
		thread = tg->leader;
	siginfo_t info;
	long err = pidfd_siginfo(t, a[2], sig, tg == t->tg, thread != NULL, &info);
	if (err)
		return err;
	if (flags & PIDFD_SIGNAL_PROCESS_GROUP) {
		pthread_mutex_lock(&t->kernel->lock);
		int pgid = tg->reaped ? 0 : task_vnr_of_root_locked(t, tg->pgid);
		pthread_mutex_unlock(&t->kernel->lock);
		return pgid ? signals_kill(t, -pgid, &info) : -ESRCH;
	}
	return signals_kill_tg(t, tg, thread, &info);
}

/* Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS), which
 * pidfd_getfd asks for: the same real ids all round, or CAP_SYS_PTRACE. */
static bool may_ptrace(const struct creds *c, const struct creds *tc)
{
	if (creds_has_cap(c, CAP_SYS_PTRACE))
		return true;
	return c->ruid == tc->euid && c->ruid == tc->suid && c->ruid == tc->ruid && c->rgid == tc->egid &&
	       c->rgid == tc->sgid && c->rgid == tc->rgid;
}

SYSCALL_DEFINE(pidfd_getfd)
{
	int targetfd = (int)a[1];
	if (a[2])
		return -EINVAL;
	struct file *f = get_pidfd(t, (int)a[0]);
	if (!f)
		return -EBADF;
	struct thread_group *tg = pidfd_tg(f);
	file_put(f);
	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	long r = 0;
	struct fd_table *fdt = NULL;
	struct task *o = tg->tasks;
	if (tg->reaped)
		r = -ESRCH;
	else if (!o || !o->fdt)
		r = -EBADF;   /* a zombie has no files any more */
	else if (!may_ptrace(&t->creds, &o->creds))
		r = -EPERM;
	else
		fdt_get(fdt = o->fdt);
	pthread_mutex_unlock(&k->lock);
	if (r)
		return r;
	struct file *got = fdt_get_file(fdt, targetfd);
	fdt_put(fdt);
	if (!got)
		return -EBADF;
	int fd = fdt_alloc(t->fdt, got, 0, true, task_nofile_limit(t));
	file_put(got);
	return fd;
}
