/*
 * User namespaces (user_namespaces(7)). A user namespace owns the
 * capabilities of the tasks whose credentials are in it, and the other
 * namespaces (UTS, IPC, network) created from it. Credentials keep their
 * kernel IDs (kuid/kgid, the IDs of the initial namespace); an ID is shown
 * to or taken from a task through its namespace's uid_map/gid_map.
 *
 * moat has no /proc yet, so a new namespace's maps cannot be written: every
 * child namespace stays unmapped. Its IDs read as the overflow IDs (65534)
 * and every use of an unmapped ID fails as Linux fails it (EINVAL).
 *
 * Lifetime: reference counted by credentials (task->creds.user_ns), by its
 * child namespaces and by the namespaces it owns. The initial namespace is
 * static and never freed.
 */
#ifndef MOAT_KERNEL_USERNS_H
#define MOAT_KERNEL_USERNS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/task.h"

/* Linux's limits: 32 nested levels below the initial namespace; at most 5
 * extents in a map written without the sorted form (we keep 5: no writer). */
#define USERNS_MAX_LEVEL 32
#define USERNS_MAP_EXTENTS 5
/* /proc/sys/kernel/overflowuid and overflowgid. */
#define OVERFLOW_UID 65534u
#define OVERFLOW_GID 65534u
/* An ID that does not map: Linux's INVALID_UID. */
#define INVALID_ID ((uint32_t)-1)

struct id_extent {
	uint32_t first;        /* first ID inside the namespace */
	uint32_t lower_first;  /* the kernel ID it maps to */
	uint32_t count;
};

struct id_map {
	uint32_t nr_extents;
	struct id_extent extent[USERNS_MAP_EXTENTS];
};

struct user_ns {
	struct user_ns *parent;   /* NULL for the initial namespace */
	int level;                /* 0 for the initial namespace */
	uint32_t owner, group;    /* euid and egid of the creator (kernel IDs) */
	struct id_map uid_map, gid_map;
	atomic_int refs;
};

extern struct user_ns user_ns_init;

void user_ns_get(struct user_ns *ns);
void user_ns_put(struct user_ns *ns);

/* Put c in a new child of its user namespace, as Linux's create_user_ns
 * and set_cred_user_ns do: c keeps its kernel IDs and gets every capability
 * in the new namespace. chrooted: the caller's root is not the file
 * system's root. Errors: ENOSPC past the nesting or count limits, EPERM
 * when chrooted or when c's IDs do not map in its current namespace. */
int user_ns_enter_new(struct creds *c, bool chrooted);

/* The ID of kernel ID kid as seen in ns: the overflow ID when unmapped
 * (Linux's from_kuid_munged/from_kgid_munged). */
uint32_t from_kuid_munged(const struct user_ns *ns, uint32_t kuid);
uint32_t from_kgid_munged(const struct user_ns *ns, uint32_t kgid);
/* The kernel ID of ID id of ns, INVALID_ID when unmapped (make_kuid). */
uint32_t make_kuid(const struct user_ns *ns, uint32_t uid);
uint32_t make_kgid(const struct user_ns *ns, uint32_t gid);

/* Linux's ns_capable (cap_capable): c has cap in ns if c is in ns with
 * cap effective, or in an ancestor of ns with cap effective, or if c's
 * euid owns ns (or an ancestor of ns below c's namespace) and c is in
 * that namespace's parent. */
bool ns_capable(const struct creds *c, const struct user_ns *ns, int cap);

/* execve: the capabilities a program starts with in c's namespace. */
void user_ns_exec_caps(struct creds *c);

/* The namespace whose capabilities c carries (the initial one for the
 * static kernel credentials, whose user_ns is NULL). */
static inline struct user_ns *creds_user_ns(const struct creds *c)
{
	return c->user_ns ? c->user_ns : &user_ns_init;
}

/* Give a copy of credentials its own reference (clone). */
static inline void creds_get_user_ns(struct creds *c)
{
	if (c->user_ns)
		user_ns_get(c->user_ns);
}

#endif
