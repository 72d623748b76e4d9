/*
 * clone(2), fork(2), vfork(2), clone3(2): a new task, in a new or the same
 * thread group, sharing or copying the address space, files, FS context and
 * signal handlers as the flags say (the rules of Linux's copy_process and
 * the seeds' task_clone.go). Each new task gets its own sentry thread.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/task.h"
#include "lib/log.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define CAP_SYS_ADMIN 21
/* Namespaces moat has so far. */
#define CLONE_NS_DONE (CLONE_NEWUTS | CLONE_NEWIPC)

#pragma weak uts_ns_clone
#pragma weak uts_ns_get
#pragma weak uts_ns_put
#pragma weak ipc_ns_new
#pragma weak ipc_ns_get
#pragma weak ipc_ns_put

/* The namespaces of a new task (clone) or of the caller (unshare). */
static int ns_for(struct task *t, uint64_t f, struct uts_ns **uts, struct ipc_ns **ipc)
{
	*uts = NULL;
	*ipc = NULL;
	if ((f & CLONE_NEWUTS) && (!uts_ns_clone || !(*uts = uts_ns_clone(t->uts))))
		return uts_ns_clone ? -ENOMEM : -EINVAL;
	if ((f & CLONE_NEWIPC) && (!ipc_ns_new || !(*ipc = ipc_ns_new()))) {
		if (*uts)
			uts_ns_put(*uts);
		return ipc_ns_new ? -ENOMEM : -EINVAL;
	}
	if (!*uts && t->uts) {
		uts_ns_get(t->uts);
		*uts = t->uts;
	}
	if (!*ipc && t->ipc) {
		ipc_ns_get(t->ipc);
		*ipc = t->ipc;
	}
	return 0;
}

/* Linux's copy_process() flag rules, in its order. */
static int check_clone_flags(struct task *t, uint64_t f)
{
	if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((f & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	/* Siblings of init would have no parent to reap them. */
	if ((f & CLONE_PARENT) && t->tg->pid == 1)
		return -EINVAL;
	if ((f & CLONE_THREAD) && (f & (CLONE_NEWUSER | CLONE_NEWPID)))
		return -EINVAL;
	if ((f & CLONE_PIDFD) && (f & CLONE_DETACHED))
		return -EINVAL;
	if ((f & CLONE_CLEAR_SIGHAND) && (f & CLONE_SIGHAND))
		return -EINVAL;
	return 0;
}

static struct sighand *sighand_copy(struct sighand *old)
{
	struct sighand *sh = calloc(1, sizeof *sh);
	if (!sh)
		return NULL;
	pthread_mutex_init(&sh->lock, NULL);
	atomic_init(&sh->refs, 1);
	pthread_mutex_lock(&old->lock);
	memcpy(sh->action, old->action, sizeof sh->action);
	pthread_mutex_unlock(&old->lock);
	return sh;
}

static struct thread_group *thread_group_new(struct task *parent, struct sighand *sh, int exit_signal)
{
	struct thread_group *tg = calloc(1, sizeof *tg);
	if (!tg)
		return NULL;
	struct thread_group *ptg = parent->tg;
	pthread_mutex_init(&tg->lock, NULL);
	waitq_init(&tg->child_events);
	tg->kernel = parent->kernel;
	tg->sighand = sh;
	tg->exit_signal = exit_signal;
	tg->pgid = ptg->pgid;
	tg->sid = ptg->sid;
	tg->dumpable = ptg->dumpable;
	tg->nice = ptg->nice;
	pthread_mutex_lock(&ptg->lock);
	memcpy(tg->rlimits, ptg->rlimits, sizeof tg->rlimits);
	pthread_mutex_unlock(&ptg->lock);
	memcpy(tg->comm, ptg->comm, sizeof tg->comm);
	return tg;
}

/* The new task's registers: the parent's at the syscall, returning 0. */
static int child_registers(struct task *t, struct task *c, const struct clone_args_k *args)
{
	c->arch = t->arch;
	struct user_regs_struct *r = &c->arch.regs;
	r->rax = 0;
	if (args->stack)
		r->rsp = args->stack + args->stack_size;
	if (args->flags & CLONE_SETTLS) {
		if (args->tls >= ARCH_TASK_SIZE)
			return -EPERM;
		r->fs_base = args->tls;
	}
	/* The FPU state lives in the parent's stub: carry it over. */
	int err = platform->ctx_get_fpstate(t->ctx, t->mm->as, &t->arch);
	if (err)
		return err;
	memcpy(c->arch.fpstate, t->arch.fpstate, t->arch.fp_size);
	c->arch.fp_size = t->arch.fp_size;
	c->arch.fp_valid = false;
	c->arch.fp_dirty = true;
	return 0;
}

static void task_free_partial(struct task *c)
{
	if (c->uts)
		uts_ns_put(c->uts);
	if (c->ipc)
		ipc_ns_put(c->ipc);
	if (c->mm)
		mm_put(c->mm);
	if (c->fdt)
		fdt_put(c->fdt);
	if (c->fs)
		fs_context_put(c->fs);
	free(c);
}

/* Sleep until the vfork child execs or exits (Linux's killable wait: only
 * a fatal signal ends it early). */
static void wait_for_vfork_done(struct task *t, struct task *c)
{
	while (!atomic_load(&c->vfork_done_word)) {
		if (t->tg->exiting || t->exiting)
			return;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		syscall(SYS_futex, &c->vfork_done_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	}
}

void task_vfork_release(struct task *c)
{
	if (!c->vfork_parent)
		return;
	c->vfork_parent = NULL;
	atomic_store(&c->vfork_done_word, 1);
	syscall(SYS_futex, &c->vfork_done_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

long task_clone(struct task *t, const struct clone_args_k *args)
{
	uint64_t f = args->flags;
	int err = check_clone_flags(t, f);
	if (err)
		return err;
	if (f & CLONE_NS_FLAGS) {
		if (!((t->creds.cap_effective >> CAP_SYS_ADMIN) & 1))
			return -EPERM;
		if (f & CLONE_NS_FLAGS & ~CLONE_NS_DONE) {
			/* Not built yet: refuse rather than pretend. */
			syscall_report_unsupported("clone with CLONE_NEWNS/NEWPID/NEWNET/NEWUSER/NEWCGROUP/NEWTIME");
			return -EINVAL;
		}
	}
	if (f & (CLONE_PIDFD | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP | CLONE_PTRACE | CLONE_UNTRACED)) {
		if (f & (CLONE_PIDFD | CLONE_INTO_CGROUP | CLONE_PTRACE)) {
			syscall_report_unsupported("clone with CLONE_PIDFD/CLONE_INTO_CGROUP/CLONE_PTRACE");
			return -EINVAL;
		}
	}
	int exit_signal = args->exit_signal;
	if (exit_signal < 0 || exit_signal > MOAT_NSIG)
		return -EINVAL;

	struct task *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->kernel = t->kernel;
	c->creds = t->creds;
	c->sigmask = t->sigmask;
	/* sigaltstack(2): threads sharing the address space start without
	 * one; fork copies it. */
	c->altstack_flags = SS_DISABLE;
	if (!(f & CLONE_VM) || (f & CLONE_VFORK)) {
		/* fork(2) copies the alternate signal stack; CLONE_VM clears it. */
		c->altstack_sp = t->altstack_sp;
		c->altstack_size = t->altstack_size;
		c->altstack_flags = t->altstack_flags;
	}
	memcpy(c->comm, t->comm, sizeof c->comm);
	c->personality = t->personality;
	c->cpu_affinity = t->cpu_affinity;
	c->sched_policy = t->sched_policy;
	c->sched_priority = t->sched_priority;
	/* SCHED_RESET_ON_FORK: the child gets a normal policy back. */
	if (c->sched_policy & 0x40000000) {
		int pol = c->sched_policy & ~0x40000000;
		c->sched_policy = (pol == 1 || pol == 2) ? 0 : pol;
		c->sched_priority = 0;
	}
	c->pdeath_signal = 0;
	c->no_new_privs = t->no_new_privs;
	c->keep_caps = t->keep_caps;

	if ((err = child_registers(t, c, args)))
		goto fail;
	if ((err = ns_for(t, f, &c->uts, &c->ipc)))
		goto fail;
	if (f & CLONE_VM) {
		mm_get(t->mm);
		c->mm = t->mm;
	} else if ((err = mm_fork(t->ctx, t->mm, &c->mm))) {
		goto fail;
	}
	if (f & CLONE_FILES) {
		fdt_get(t->fdt);
		c->fdt = t->fdt;
	} else if (!(c->fdt = fdt_fork(t->fdt))) {
		err = -ENOMEM;
		goto fail;
	}
	if (f & CLONE_FS) {
		fs_context_get(t->fs);
		c->fs = t->fs;
	} else if (!(c->fs = fs_context_fork(t->fs))) {
		err = -ENOMEM;
		goto fail;
	}

	struct thread_group *tg = t->tg;
	struct sighand *sh = tg->sighand;
	if (!(f & CLONE_THREAD)) {
		if (f & CLONE_SIGHAND) {
			atomic_fetch_add(&sh->refs, 1);
		} else if (!(sh = sighand_copy(sh))) {
			err = -ENOMEM;
			goto fail;
		}
		if (f & CLONE_CLEAR_SIGHAND)
			for (int i = 0; i < MOAT_NSIG; i++)
				if (sh->action[i].handler != (uint64_t)SIG_IGN)
					memset(&sh->action[i], 0, sizeof sh->action[i]);
		if (!(tg = thread_group_new(t, sh, exit_signal))) {
			err = -ENOMEM;
			goto fail;
		}
	}
	c->tg = tg;

	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	if (k->live_tasks >= TASKS_LIMIT || t->tg->exiting) {
		pthread_mutex_unlock(&k->lock);
		err = -EAGAIN;
		goto fail_tg;
	}
	/* RLIMIT_NPROC: processes of the real user, unless privileged. */
	uint64_t nproc = t->tg->rlimits[RLIMIT_NPROC].rlim_cur;
	if (!(f & CLONE_THREAD) && nproc != RLIM_INFINITY && t->creds.ruid != 0) {
		uint64_t n = 0;
		for (struct task *it = k->all_tasks; it; it = it->all_next)
			if (it->creds.ruid == t->creds.ruid)
				n++;
		if (n >= nproc) {
			pthread_mutex_unlock(&k->lock);
			err = -EAGAIN;
			goto fail_tg;
		}
	}
	int tid = 0;
	for (int tries = 0; tries < 8 && !tid; tries++) {
		int cand = k->next_tid++;
		if (k->next_tid >= 4194304)
			k->next_tid = 300;
		if (!kernel_task_by_tid_locked(k, cand))
			tid = cand;
	}
	if (!tid) {
		pthread_mutex_unlock(&k->lock);
		err = -EAGAIN;
		goto fail_tg;
	}
	c->tid = tid;
	taskset_insert_locked(k, c);
	pthread_mutex_lock(&tg->lock);
	tg->live_tasks++;
	pthread_mutex_unlock(&tg->lock);
	if (f & CLONE_THREAD) {
		c->tg_next = tg->tasks;
		tg->tasks = c;
	} else {
		tg->pid = tid;
		tg->leader = c;
		tg->tasks = c;
		/* CLONE_PARENT: a sibling of the caller. */
		struct thread_group *parent = (f & CLONE_PARENT) ? t->tg->parent : t->tg;
		tg->parent = parent;
		tg->parent_task = (f & CLONE_PARENT) ? parent->leader : t;
		if (f & CLONE_PARENT)
			tg->exit_signal = t->tg->exit_signal;
		tg->sibling_next = parent->children;
		parent->children = tg;
	}
	pthread_mutex_unlock(&k->lock);

	if (f & CLONE_PARENT_SETTID)
		task_copy_out(t, args->parent_tid, &tid, sizeof tid);
	if (f & CLONE_CHILD_SETTID)
		mm_copy_out(t, c->mm, args->child_tid, &tid, sizeof tid);
	if (f & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = args->child_tid;
	if (f & CLONE_VFORK)
		c->vfork_parent = t;

	c->state = task_state_app();
	if ((err = task_start_thread(c))) {
		log_printf("moat: cannot start a task thread: %s", strerror(-err));
		/* The task is in the TaskSet: let it exit normally from its
		 * first state instead. */
	}
	if (f & CLONE_VFORK)
		wait_for_vfork_done(t, c);
	return tid;

fail_tg:
	if (!(f & CLONE_THREAD)) {
		if (sh == t->tg->sighand)
			atomic_fetch_sub(&sh->refs, 1);
		else
			free(sh);
		free(tg);
	}
fail:
	task_free_partial(c);
	return err;
}

/* unshare(2): only what needs no namespaces yet. */
long task_unshare(struct task *t, uint64_t flags)
{
	if (flags & ~(CLONE_FILES | CLONE_FS | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		      CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_SYSVSEM |
		      CLONE_THREAD | CLONE_SIGHAND | CLONE_VM))
		return -EINVAL;
	/* Unsharing thread-group things needs a single-threaded caller. */
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && t->tg->live_tasks > 1)
		return -EINVAL;
	if (flags & CLONE_NS_FLAGS) {
		if (!((t->creds.cap_effective >> CAP_SYS_ADMIN) & 1))
			return -EPERM;
		if (flags & CLONE_NS_FLAGS & ~CLONE_NS_DONE) {
			syscall_report_unsupported("unshare of CLONE_NEWNS/NEWPID/NEWNET/NEWUSER/NEWCGROUP/NEWTIME");
			return -EINVAL;
		}
		struct uts_ns *uts;
		struct ipc_ns *ipc;
		int err = ns_for(t, flags, &uts, &ipc);
		if (err)
			return err;
		if (t->uts)
			uts_ns_put(t->uts);
		if (t->ipc)
			ipc_ns_put(t->ipc);
		t->uts = uts;
		t->ipc = ipc;
	}
	if (flags & CLONE_FILES) {
		struct fd_table *n = fdt_fork(t->fdt);
		if (!n)
			return -ENOMEM;
		fdt_put(t->fdt);
		t->fdt = n;
	}
	if (flags & CLONE_FS) {
		struct fs_context *n = fs_context_fork(t->fs);
		if (!n)
			return -ENOMEM;
		fs_context_put(t->fs);
		t->fs = n;
	}
	return 0;
}
