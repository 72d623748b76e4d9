/*
 * PID namespaces (pid_namespaces(7)). A process ID is a `struct kpid` with
 * one number in each namespace from the root down to the namespace of the
 * task that got it, as Linux's struct pid. The kernel keeps every ID as its
 * root-namespace number (task->tid, tg->pid, tg->pgid, tg->sid) and
 * translates at the system-call boundary: numbers coming in are looked up
 * in the caller's namespace, numbers going out are the ones of the
 * caller's namespace, 0 for an ID the caller cannot see.
 *
 * Lifetimes: a number stays taken while it is used as a thread ID (until
 * the thread is gone, for a leader until its zombie is reaped), a process
 * group ID or a session ID (kpid->users, under kernel->lock). kpid and
 * pid_ns objects are not freed, like tasks and thread groups: readers such
 * as getppid() look at them without the TaskSet lock.
 */
#ifndef MOAT_KERNEL_PIDNS_H
#define MOAT_KERNEL_PIDNS_H

#include <stdbool.h>
#include <stdint.h>

struct kernel;
struct task;
struct thread_group;
struct kpid;
struct user_ns;

/* Linux's MAX_PID_NS_LEVEL: namespaces nest at most 32 deep. */
#define PIDNS_MAX_LEVEL 32
#define PIDNS_HASH_SIZE 1024

struct upid {
	int nr;
	struct pid_ns *ns;
	struct upid *hash_next;
	struct kpid *pid;
};

struct kpid {
	int level;              /* of the namespace the ID was made in */
	int users;              /* uses as TID, PGID or SID */
	struct task *task;      /* the task with this thread ID, if any */
	struct upid numbers[];  /* [0] root namespace ... [level] */
};

struct pid_ns {
	struct pid_ns *parent;
	int level;
	/* The namespace's init (child reaper): the first process made in it;
	 * NULL until then. */
	struct thread_group *reaper;
	bool init_dead;         /* its init exited: no new processes (ENOMEM) */
	bool has_init;          /* the first process was made */
	int next_nr;
	uint32_t inum;          /* /proc/<pid>/ns/pid (ns_inum_alloc) */
	/* The creator's user namespace (one reference, kept: PID namespaces
	 * live as long as the sentry); NULL: the initial one. */
	struct user_ns *owner;
	struct upid *hash[PIDNS_HASH_SIZE];
};

struct pid_ns *pidns_new_root(void);
/* A child namespace of parent; NULL with *err = -ENOSPC past the nesting
 * limit or -ENOMEM. */
struct pid_ns *pidns_new(struct pid_ns *parent, int *err);
/* The user namespace owning ns (setns needs CAP_SYS_ADMIN there). */
struct user_ns *pidns_owner(const struct pid_ns *ns);

static inline int kpid_nr_ns(const struct kpid *p, const struct pid_ns *ns)
{
	if (!p || p->level < ns->level || p->numbers[ns->level].ns != ns)
		return 0;
	return p->numbers[ns->level].nr;
}

static inline struct pid_ns *kpid_ns(const struct kpid *p) { return p->numbers[p->level].ns; }
static inline bool kpid_in_ns(const struct kpid *p, const struct pid_ns *ns)
{
	return kpid_nr_ns(p, ns) != 0;
}

/* All under kernel->lock. A new ID in ns and every ancestor, with the
 * numbers of set_tid (set_tid[0] for ns, set_tid[1] for its parent...)
 * where given (nset of them). Its users count is 1. -EEXIST (a wanted
 * number is taken), -ENOMEM (ns's init is dead), -EAGAIN (no free
 * number). */
int kpid_alloc_locked(struct pid_ns *ns, const int *set_tid, int nset, struct kpid **out);
struct kpid *kpid_find_locked(const struct pid_ns *ns, int nr);
void kpid_attach_locked(struct kpid *p);
void kpid_detach_locked(struct kpid *p);
/* By root-namespace number (a PGID or SID of the kernel's bookkeeping). */
void kpid_attach_root_locked(struct kernel *k, int root_nr);
void kpid_detach_root_locked(struct kernel *k, int root_nr);

#endif
