/*
 * PID namespaces: IDs with a number at every level (pidns.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/pidns.h"
#include "kernel/task.h"
#include "kernel/userns.h"

/* Linux's default pid_max on 64-bit systems, and the IDs skipped after a
 * wrap (RESERVED_PIDS). */
#define PID_MAX 4194304
#define RESERVED_PIDS 300

static unsigned nr_bucket(int nr) { return (unsigned)nr % PIDNS_HASH_SIZE; }

struct pid_ns *pidns_new_root(void)
{
	struct pid_ns *ns = calloc(1, sizeof *ns);
	if (ns) {
		ns->next_nr = 1;
		ns->inum = ns_inum_alloc();
	}
	return ns;
}

struct pid_ns *pidns_new(struct pid_ns *parent, int *err)
{
	if (parent->level + 1 > PIDNS_MAX_LEVEL) {
		*err = -ENOSPC;
		return NULL;
	}
	struct pid_ns *ns = pidns_new_root();
	if (!ns) {
		*err = -ENOMEM;
		return NULL;
	}
	ns->parent = parent;
	ns->level = parent->level + 1;
	/* The creator's user namespace: the caller's for unshare (after a
	 * CLONE_NEWUSER in the same call), the parent's for clone, an
	 * ancestor of (stricter than) the new one Linux would record. */
	struct task *t = current_task;
	struct user_ns *u = t ? creds_user_ns(&t->creds) : &user_ns_init;
	if (u != &user_ns_init) {
		user_ns_get(u);
		ns->owner = u;
	}
	return ns;
}

struct user_ns *pidns_owner(const struct pid_ns *ns)
{
	return ns->owner ? ns->owner : &user_ns_init;
}

struct kpid *kpid_find_locked(const struct pid_ns *ns, int nr)
{
	if (nr <= 0)
		return NULL;
	for (struct upid *u = ns->hash[nr_bucket(nr)]; u; u = u->hash_next)
		if (u->nr == nr)
			return u->pid;
	return NULL;
}

/* The next free number of ns, cycling past pid_max back to
 * RESERVED_PIDS as Linux does. */
static int next_free_nr(struct pid_ns *ns)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int nr = ns->next_nr++;
		if (ns->next_nr >= PID_MAX)
			ns->next_nr = RESERVED_PIDS;
		if (!kpid_find_locked(ns, nr))
			return nr;
	}
	return -EAGAIN;
}

static void hash_number(struct upid *u)
{
	unsigned b = nr_bucket(u->nr);
	u->hash_next = u->ns->hash[b];
	u->ns->hash[b] = u;
}

static void unhash_number(struct upid *u)
{
	for (struct upid **p = &u->ns->hash[nr_bucket(u->nr)]; *p; p = &(*p)->hash_next) {
		if (*p == u) {
			*p = u->hash_next;
			return;
		}
	}
}

/* The number wanted at level i: set_tid[level - i] when given. Linux's
 * alloc_pid: a set_tid out of range is EINVAL, and the first process of a
 * namespace must be 1. */
static int pick_nr(struct pid_ns *ns, const int *set_tid, int nset, int idx)
{
	if (idx >= nset)
		return next_free_nr(ns);
	int want = set_tid[idx];
	if (want < 1 || want >= PID_MAX)
		return -EINVAL;
	if (!ns->has_init && want != 1)
		return -EINVAL;
	return kpid_find_locked(ns, want) ? -EEXIST : want;
}

int kpid_alloc_locked(struct pid_ns *ns, const int *set_tid, int nset, struct kpid **out)
{
	if (ns->init_dead)
		return -ENOMEM;
	struct kpid *p = calloc(1, sizeof *p + (ns->level + 1) * sizeof(struct upid));
	if (!p)
		return -ENOMEM;
	p->level = ns->level;
	p->users = 1;
	int idx = 0;
	for (struct pid_ns *n = ns; n; n = n->parent, idx++) {
		int nr = pick_nr(n, set_tid, nset, idx);
		if (nr < 0) {
			free(p);
			return nr;
		}
		struct upid *u = &p->numbers[n->level];
		u->nr = nr;
		u->ns = n;
		u->pid = p;
	}
	/* Hashed only once every level has its number: a failure above
	 * leaves nothing behind. */
	for (int l = 0; l <= p->level; l++)
		hash_number(&p->numbers[l]);
	ns->has_init = true;
	*out = p;
	return 0;
}

void kpid_attach_locked(struct kpid *p) { p->users++; }

void kpid_detach_locked(struct kpid *p)
{
	if (--p->users > 0)
		return;
	for (int l = 0; l <= p->level; l++)
		unhash_number(&p->numbers[l]);
}

void kpid_attach_root_locked(struct kernel *k, int root_nr)
{
	struct kpid *p = kpid_find_locked(k->root_pidns, root_nr);
	if (p)
		kpid_attach_locked(p);
}

void kpid_detach_root_locked(struct kernel *k, int root_nr)
{
	struct kpid *p = kpid_find_locked(k->root_pidns, root_nr);
	if (p)
		kpid_detach_locked(p);
}
