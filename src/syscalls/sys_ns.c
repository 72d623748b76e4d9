/*
 * setns(2): join namespaces through a namespace file (an opened
 * /proc/<pid>/ns link) or a pidfd (man 2 setns). Every permission is
 * checked before anything changes, so joining several namespaces through
 * a pidfd is all or nothing (Linux's validate_nsset, then commit_nsset).
 * (unshare(2) is with clone in sys_process.c / kernel/task_clone.c.)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "fs/anon/anon.h"
#include "kernel/ipc.h"
#include "kernel/kernel.h"
#include "kernel/netns.h"
#include "kernel/nsfile.h"
#include "kernel/pidns.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The namespace types moat has, in the order Linux validates and joins
 * them (the user namespace first: the others are checked with the
 * credentials it gives). */
static const int setns_order[] = { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWUTS,
				   CLONE_NEWIPC,  CLONE_NEWPID, CLONE_NEWNET };
#define NR_TYPES (int)(sizeof setns_order / sizeof setns_order[0])
#define SETNS_TYPES (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET)
#define SETNS_ALL_TYPES (SETNS_TYPES | CLONE_NEWCGROUP | CLONE_NEWTIME)

const char sys_setns_partial[] = "no cgroup or time namespaces (EINVAL)";

/* The namespaces to join: ref[i] for setns_order[i] when held. */
struct nsset {
	bool held[NR_TYPES];
	struct ns_ref ref[NR_TYPES];
};

static void nsset_put(struct nsset *s)
{
	for (int i = 0; i < NR_TYPES; i++)
		if (s->held[i])
			ns_ref_put(&s->ref[i]);
}

static int type_index(int type)
{
	for (int i = 0; i < NR_TYPES; i++)
		if (setns_order[i] == type)
			return i;
	return -1;
}

/* A namespace file: nstype 0 or its own type. */
static int nsset_from_nsfile(const struct ns_ref *r, uint64_t nstype, struct nsset *s)
{
	if (nstype & (CLONE_NEWCGROUP | CLONE_NEWTIME))
		syscall_report_unsupported("setns of a cgroup or time namespace");
	if (nstype && nstype != (uint64_t)r->type)
		return -EINVAL;
	int i = type_index(r->type);
	if (i < 0)
		return -EINVAL;
	/* A second reference for the set: the file keeps its own. */
	struct ns_ref got = *r;
	ns_ref_get(&got);
	s->ref[i] = got;
	s->held[i] = true;
	return 0;
}

/* ptrace_may_access(PTRACE_MODE_READ_REALCREDS), simplified as procfs
 * does: the same process, the same real ids as the target's, or
 * CAP_SYS_PTRACE. */
static bool may_read_task(struct task *t, struct task *target)
{
	const struct creds *c = &t->creds, *o = &target->creds;
	if (t->tg == target->tg || creds_has_cap(c, CAP_SYS_PTRACE))
		return true;
	return c->ruid == o->euid && c->ruid == o->ruid && c->ruid == o->suid && c->rgid == o->egid &&
	       c->rgid == o->rgid && c->rgid == o->sgid;
}

/* A pidfd: every namespace of the process it names that nstype asks for
 * (its active PID namespace for CLONE_NEWPID). */
static int nsset_from_pidfd(struct task *t, struct file *f, uint64_t nstype, struct nsset *s)
{
	if (!nstype || (nstype & ~(uint64_t)SETNS_ALL_TYPES))
		return -EINVAL;
	if (nstype & ~(uint64_t)SETNS_TYPES) {
		syscall_report_unsupported("setns of a cgroup or time namespace");
		return -EINVAL;
	}
	struct thread_group *tg = pidfd_tg(f);
	struct kernel *k = t->kernel;
	int err = 0;
	pthread_mutex_lock(&k->lock);
	struct task *target = tg->reaped ? NULL : pidfd_thread(f) ? pidfd_thread(f) : tg->leader;
	if (!target || target->released)
		err = -ESRCH;
	else if (!may_read_task(t, target))
		err = -EPERM;
	for (int i = 0; !err && i < NR_TYPES; i++) {
		if (!(nstype & (uint64_t)setns_order[i]))
			continue;
		err = task_ns_ref_locked(target, setns_order[i], false, &s->ref[i]);
		s->held[i] = !err;
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

static bool admin_in(const struct creds *c, struct user_ns *owner)
{
	/* Linux's *_install: CAP_SYS_ADMIN over the namespace and in the
	 * caller's own user namespace. */
	return ns_capable(c, owner, CAP_SYS_ADMIN) && ns_capable(c, creds_user_ns(c), CAP_SYS_ADMIN);
}

/* userns_install's rules. */
static int may_join_user(struct task *t, const struct creds *c, struct user_ns *ns)
{
	if (ns == creds_user_ns(c))
		return -EINVAL;
	/* The threads of a process share their user namespace. */
	if (t->tg->live_tasks > 1)
		return -EINVAL;
	if (atomic_load(&t->fs->refs) > 1)
		return -EINVAL;
	/* An ancestor (or any namespace we are not privileged over). */
	if (!ns_capable(c, ns, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/* pidns_install: the active namespace or one below it. */
static int may_join_pid(struct task *t, const struct creds *c, const struct ns_ref *r)
{
	if (!admin_in(c, ns_ref_owner(r)))
		return -EPERM;
	struct pid_ns *active = task_pidns(t);
	struct pid_ns *p = r->ns;
	while (p && p->level > active->level)
		p = p->parent;
	return p == active ? 0 : -EINVAL;
}

/* mntns_install: also CAP_SYS_CHROOT, and an FS context of its own
 * (its root and cwd move). */
static int may_join_mnt(struct task *t, const struct creds *c, const struct ns_ref *r)
{
	if (!admin_in(c, ns_ref_owner(r)) || !ns_capable(c, creds_user_ns(c), CAP_SYS_CHROOT))
		return -EPERM;
	if (atomic_load(&t->fs->refs) > 1)
		return -EINVAL;
	return 0;
}

/* Every check, in Linux's order; *c becomes the credentials after
 * joining (a new user namespace's). */
static int validate_nsset(struct task *t, struct nsset *s, struct creds *c, int *keep_caps)
{
	for (int i = 0; i < NR_TYPES; i++) {
		if (!s->held[i])
			continue;
		struct ns_ref *r = &s->ref[i];
		int err = 0;
		switch (r->type) {
		case CLONE_NEWUSER: {
			struct user_ns *ns = ns_ref_owner(r);
			if (!(err = may_join_user(t, c, ns))) {
				user_ns_join(c, ns);
				*keep_caps = 0;
			}
			break;
		}
		case CLONE_NEWNS: err = may_join_mnt(t, c, r); break;
		case CLONE_NEWPID: err = may_join_pid(t, c, r); break;
		default: err = admin_in(c, ns_ref_owner(r)) ? 0 : -EPERM; break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Swap one namespace pointer of t for the set's reference; the old
 * reference goes back into the set, to be dropped after the lock. */
static void swap_ns(void **slot, struct ns_ref *r)
{
	void *old = *slot;
	*slot = r->ns;
	r->ns = old;
}

/* commit_nsset: everything at once under the TaskSet lock, which readers
 * of another task's namespaces (procfs) hold. */
static void commit_nsset(struct task *t, struct nsset *s, struct creds *c, int keep_caps)
{
	struct user_ns *old_user = NULL;
	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	for (int i = 0; i < NR_TYPES; i++) {
		if (!s->held[i])
			continue;
		struct ns_ref *r = &s->ref[i];
		switch (r->type) {
		case CLONE_NEWUTS: swap_ns((void **)&t->uts, r); break;
		case CLONE_NEWIPC: swap_ns((void **)&t->ipc, r); break;
		case CLONE_NEWNET: swap_ns((void **)&t->net, r); break;
		case CLONE_NEWNS: swap_ns((void **)&t->mnt_ns, r); break;
		case CLONE_NEWPID: {
			/* Only the namespace of the next children changes. */
			struct pid_ns *ns = r->ns;
			t->pidns_children = ns == task_pidns(t) ? NULL : ns;
			break;
		}
		case CLONE_NEWUSER:
			old_user = t->creds.user_ns;
			t->creds = *c;
			t->keep_caps = keep_caps;
			/* The set's reference now belongs to the creds' old one:
			 * dropped below; c holds its own. */
			break;
		}
	}
	pthread_mutex_unlock(&k->lock);
	user_ns_put(old_user);
}

/* After joining a mount namespace, root and cwd are its root (Linux's
 * mntns_install sets both). */
static void enter_mnt_root(struct task *t)
{
	struct path root = mnt_ns_root_path(t->mnt_ns);
	pthread_mutex_lock(&t->fs->lock);
	t->fs->root = root;
	t->fs->cwd = root;
	pthread_mutex_unlock(&t->fs->lock);
}

SYSCALL_DEFINE(setns)
{
	int fd = (int)a[0];
	uint64_t nstype = (uint32_t)a[1];
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f)
		return -EBADF;
	struct nsset s = { 0 };
	int err;
	const struct ns_ref *r = nsfile_ref(f);
	if (r) {
		err = nsset_from_nsfile(r, nstype, &s);
	} else if (file_is_pidfd(f)) {
		err = nsset_from_pidfd(t, f, nstype, &s);
	} else {
		if (nstype & (CLONE_NEWCGROUP | CLONE_NEWTIME))
			syscall_report_unsupported("setns of a cgroup or time namespace");
		err = -EINVAL;
	}
	file_put(f);
	if (err) {
		nsset_put(&s);
		return err;
	}
	struct creds c = t->creds;
	creds_get_user_ns(&c);
	int keep_caps = t->keep_caps;
	err = validate_nsset(t, &s, &c, &keep_caps);
	if (err) {
		user_ns_put(c.user_ns);
		nsset_put(&s);
		return err;
	}
	bool user = s.held[type_index(CLONE_NEWUSER)];
	if (!user)
		user_ns_put(c.user_ns);
	commit_nsset(t, &s, &c, keep_caps);
	if (s.held[type_index(CLONE_NEWNS)])
		enter_mnt_root(t);
	nsset_put(&s);
	return 0;
}
