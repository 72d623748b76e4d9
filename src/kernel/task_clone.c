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
#include "kernel/netns.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "lib/log.h"
#include "fs/anon/anon.h"
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
#define CAP_CHECKPOINT_RESTORE 40
/* Namespaces moat has so far. */
#define CLONE_NS_DONE (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS)

#pragma weak uts_ns_clone
#pragma weak uts_ns_get
#pragma weak uts_ns_put
#pragma weak ipc_ns_new
#pragma weak ipc_ns_get
#pragma weak ipc_ns_put

/* Linux's current_chrooted(): the task's root is not the root of its
 * mount namespace (the top of the mount tree). A new user namespace would
 * let it escape. */
static bool task_chrooted(struct task *t)
{
	struct path root;
	fs_context_paths(t->fs, &root, NULL);
	return root.dentry != root.mnt->root || atomic_load(&root.mnt->parent) != NULL;
}

/* The namespaces of a new task (clone) or of the caller (unshare), in
 * Linux's order: a new user namespace first (into *cred, which holds its
 * own reference), then the others, owned by *cred's user namespace. On
 * success *uts, *ipc and *net each hold a reference (NULL for a task in the
 * initial network namespace); on failure nothing is held but *cred. */
static int ns_for(struct task *t, uint64_t f, struct creds *cred, int *keep_caps, struct uts_ns **uts,
		  struct ipc_ns **ipc, struct net_ns **net)
{
	*uts = NULL;
	*ipc = NULL;
	*net = NULL;
	int err = 0;
	if (f & CLONE_NEWUSER) {
		if ((err = user_ns_enter_new(cred, task_chrooted(t))))
			return err;
		/* The new credentials start with default securebits. */
		*keep_caps = 0;
	}
	struct user_ns *owner = creds_user_ns(cred);
	if ((f & CLONE_NEWUTS) && (!uts_ns_clone || !(*uts = uts_ns_clone(t->uts, owner))))
		err = uts_ns_clone ? -ENOMEM : -EINVAL;
	else if ((f & CLONE_NEWIPC) && (!ipc_ns_new || !(*ipc = ipc_ns_new(owner))))
		err = ipc_ns_new ? -ENOMEM : -EINVAL;
	else if ((f & CLONE_NEWNET) && !(*net = net_ns_new(owner)))
		err = -ENOMEM;
	if (err) {
		if (*uts)
			uts_ns_put(*uts);
		if (*ipc)
			ipc_ns_put(*ipc);
		*uts = NULL;
		*ipc = NULL;
		return err;
	}
	if (!*uts && t->uts) {
		uts_ns_get(t->uts);
		*uts = t->uts;
	}
	if (!*ipc && t->ipc) {
		ipc_ns_get(t->ipc);
		*ipc = t->ipc;
	}
	if (!*net && t->net) {
		net_ns_get(t->net);
		*net = t->net;
	}
	return 0;
}

/* Creating any namespace but a user namespace needs CAP_SYS_ADMIN in the
 * user namespace that will own it (Linux's copy_namespaces and
 * unshare_nsproxy_namespaces). With CLONE_NEWUSER that is the new one,
 * which the caller owns from its parent: always granted. */
static bool may_create_namespaces(struct task *t, uint64_t f)
{
	if (!(f & CLONE_NS_FLAGS & ~CLONE_NEWUSER) || (f & CLONE_NEWUSER))
		return true;
	return ns_capable(&t->creds, creds_user_ns(&t->creds), CAP_SYS_ADMIN);
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
	/* Siblings of a namespace's init would have no parent to reap them. */
	if ((f & CLONE_PARENT) && task_pidns(t)->reaper == t->tg)
		return -EINVAL;
	/* A thread shares its group's PID namespace; after
	 * unshare(CLONE_NEWPID) new tasks would not. */
	if ((f & CLONE_THREAD) && ((f & (CLONE_NEWUSER | CLONE_NEWPID)) ||
				   (t->pidns_children && t->pidns_children != task_pidns(t))))
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
	waitq_init(&tg->exit_events);
	tg->kernel = parent->kernel;
	tg->sighand = sh;
	tg->exit_signal = exit_signal;
	tg->pgid = ptg->pgid;
	tg->sid = ptg->sid;
	tg->dumpable = ptg->dumpable;
	tg->nice = ptg->nice;
	pthread_mutex_lock(&ptg->lock);
	memcpy(tg->rlimits, ptg->rlimits, sizeof tg->rlimits);
	tg->oom_score_adj = ptg->oom_score_adj;
	tg->oom_score_adj_min = ptg->oom_score_adj_min;
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
	net_ns_put(c->net);
	user_ns_put(c->creds.user_ns);
	if (c->mm)
		mm_put(c->mm);
	if (c->fdt)
		fdt_put(c->fdt);
	if (c->fs)
		fs_context_put(c->fs);
	if (c->mnt_ns)
		mnt_ns_put(c->mnt_ns);
	free(c);
}

/* CLONE_PIDFD: a close-on-exec pidfd for the new process (or thread, with
 * CLONE_THREAD, as Linux 6.9+), its number stored at addr. */
static int install_pidfd(struct task *t, struct task *c, uint64_t addr)
{
	struct file *f;
	int err = pidfd_new(c->tg, (c->tg == t->tg) ? c : NULL, 0, &f);
	if (err)
		return err;
	int fd = fdt_alloc(t->fdt, f, 0, true, task_nofile_limit(t));
	file_put(f);
	if (fd >= 0 && task_copy_out(t, addr, &fd, sizeof fd)) {
		fdt_close(t->fdt, fd);
		return -EFAULT;
	}
	return fd;
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
		if (!may_create_namespaces(t, f))
			return -EPERM;
		/* The semaphore undo list cannot be shared with a task in
		 * another IPC namespace (Linux's copy_namespaces). */
		if ((f & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM))
			return -EINVAL;
		if (f & CLONE_NS_FLAGS & ~CLONE_NS_DONE) {
			/* Not built yet: refuse rather than pretend. */
			syscall_report_unsupported("clone with CLONE_NEWCGROUP/CLONE_NEWTIME");
			return -EINVAL;
		}
	}
	if (f & (CLONE_INTO_CGROUP | CLONE_PTRACE)) {
		syscall_report_unsupported("clone with CLONE_INTO_CGROUP/CLONE_PTRACE");
		return -EINVAL;
	}
	/* clone() stores the pidfd where CLONE_PARENT_SETTID stores the tid. */
	if ((f & CLONE_PIDFD) && (f & CLONE_PARENT_SETTID) && args->pidfd == args->parent_tid)
		return -EINVAL;
	/* clone3's set_tid is for checkpoint/restore tools. */
	if (args->set_tid_size && !creds_has_cap(&t->creds, CAP_SYS_ADMIN) &&
	    !creds_has_cap(&t->creds, CAP_CHECKPOINT_RESTORE))
		return -EPERM;
	int exit_signal = args->exit_signal;
	if (exit_signal < 0 || exit_signal > MOAT_NSIG)
		return -EINVAL;

	struct task *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->kernel = t->kernel;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->start_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	c->creds = t->creds;
	creds_get_user_ns(&c->creds);
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
	struct pid_ns *child_ns = t->pidns_children ? t->pidns_children : task_pidns(t);
	if ((f & CLONE_NEWPID) && !(child_ns = pidns_new(child_ns, &err)))
		goto fail;
	if (args->set_tid_size > child_ns->level + 1) {
		err = -EINVAL;
		goto fail;
	}
	if ((err = ns_for(t, f, &c->creds, &c->keep_caps, &c->uts, &c->ipc, &c->net)))
		goto fail;
	if (f & CLONE_VM) {
		mm_get(t->mm);
		c->mm = t->mm;
		if (platform->as_share)
			platform->as_share(t->ctx, t->mm->as);
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
	/* CLONE_NEWNS (never with CLONE_FS): the child's own copy of the
	 * mounts, its root and cwd moved onto them (copy_mnt_ns). */
	if (f & CLONE_NEWNS) {
		if (!(c->mnt_ns = mnt_ns_copy(t->mnt_ns, c->fs))) {
			err = -ENOMEM;
			goto fail;
		}
	} else if (t->mnt_ns) {
		mnt_ns_get(t->mnt_ns);
		c->mnt_ns = t->mnt_ns;
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
	int pidfd = -1;
	if ((f & CLONE_PIDFD) && (pidfd = install_pidfd(t, c, args->pidfd)) < 0) {
		err = pidfd;
		goto fail_tg;
	}

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
	if ((err = taskset_alloc_tid_locked(k, c, child_ns, args->set_tid, args->set_tid_size))) {
		pthread_mutex_unlock(&k->lock);
		goto fail_tg;
	}
	taskset_insert_locked(k, c);
	/* The caller sees the child under its own namespace's number. */
	int tid = kpid_nr_ns(c->kpid, task_pidns(t));
	pthread_mutex_lock(&tg->lock);
	tg->live_tasks++;
	pthread_mutex_unlock(&tg->lock);
	if (f & CLONE_THREAD) {
		c->tg_next = tg->tasks;
		tg->tasks = c;
	} else {
		tg->pid = c->tid;
		tg->pidp = c->kpid;
		kpid_attach_root_locked(k, tg->pgid);
		kpid_attach_root_locked(k, tg->sid);
		if (!child_ns->reaper)
			child_ns->reaper = tg;   /* the first process: the namespace's init */
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
	if (f & CLONE_CHILD_SETTID) {
		int own = task_vtid(c);
		mm_copy_out(t, c->mm, args->child_tid, &own, sizeof own);
	}
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
	if (pidfd >= 0)
		fdt_close(t->fdt, pidfd);
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

/* unshare(CLONE_NEWPID): the caller's next children start a new
 * namespace (the first is its init); the caller stays where it is. Linux
 * allows it once until then: a second unshare is EINVAL. */
static int unshare_pidns(struct task *t)
{
	if (t->pidns_children && t->pidns_children != task_pidns(t))
		return -EINVAL;
	int err;
	struct pid_ns *ns = pidns_new(task_pidns(t), &err);
	if (!ns)
		return err;
	t->pidns_children = ns;
	return 0;
}

/* unshare(2): new namespaces, and private copies of the FD table and FS
 * context, for the caller. */
long task_unshare(struct task *t, uint64_t flags)
{
	if (flags & ~(CLONE_FILES | CLONE_FS | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		      CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_SYSVSEM |
		      CLONE_THREAD | CLONE_SIGHAND | CLONE_VM))
		return -EINVAL;
	/* A new user namespace is for the whole process and gets its own FS
	 * context (Linux 3.9+): it implies CLONE_THREAD and CLONE_FS. */
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	/* Unsharing thread-group things needs a single-threaded caller. */
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && t->tg->live_tasks > 1)
		return -EINVAL;
	if (flags & CLONE_NS_FLAGS) {
		if (!may_create_namespaces(t, flags))
			return -EPERM;
		if (flags & CLONE_NS_FLAGS & ~CLONE_NS_DONE) {
			syscall_report_unsupported("unshare of CLONE_NEWCGROUP/CLONE_NEWTIME");
			return -EINVAL;
		}
		/* New credentials, committed only if every namespace could
		 * be made (Linux's prepare_creds/commit_creds). */
		struct creds cred = t->creds;
		creds_get_user_ns(&cred);
		int keep_caps = t->keep_caps;
		struct uts_ns *uts;
		struct ipc_ns *ipc;
		struct net_ns *net;
		int err = ns_for(t, flags, &cred, &keep_caps, &uts, &ipc, &net);
		if (err) {
			user_ns_put(cred.user_ns);
			return err;
		}
		struct user_ns *old_user = t->creds.user_ns;
		t->creds = cred;
		t->keep_caps = keep_caps;
		user_ns_put(old_user);
		if (t->uts)
			uts_ns_put(t->uts);
		if (t->ipc)
			ipc_ns_put(t->ipc);
		net_ns_put(t->net);
		t->uts = uts;
		t->ipc = ipc;
		t->net = net;
	}
	if (flags & CLONE_NEWPID) {
		int err = unshare_pidns(t);
		if (err)
			return err;
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
	if (flags & CLONE_NEWNS) {
		/* CLONE_NEWNS implies CLONE_FS: the FS context whose root and
		 * cwd move to the new mounts must be the caller's alone. */
		if (atomic_load(&t->fs->refs) > 1) {
			struct fs_context *n = fs_context_fork(t->fs);
			if (!n)
				return -ENOMEM;
			fs_context_put(t->fs);
			t->fs = n;
		}
		struct mnt_ns *ns = mnt_ns_copy(t->mnt_ns, t->fs);
		if (!ns)
			return -ENOMEM;
		mnt_ns_put(t->mnt_ns);
		t->mnt_ns = ns;
	}
	return 0;
}
