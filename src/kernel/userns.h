/*
 * User namespaces (user_namespaces(7)). A user namespace owns the
 * capabilities of the tasks whose credentials are in it, and the other
 * namespaces (UTS, IPC, network) created from it. Credentials keep their
 * kernel IDs (kuid/kgid, the IDs of the initial namespace); an ID is shown
 * to or taken from a task through its namespace's uid_map/gid_map.
 *
 * A new namespace starts unmapped: its IDs read as the overflow IDs
 * (65534) and every use of an unmapped ID fails as Linux fails it
 * (EINVAL), until its maps are written once through /proc/<pid>/uid_map
 * and gid_map (user_ns_write_map, with Linux's rules) and then translate
 * everywhere. /proc/<pid>/setgroups can deny setgroups(2) in it first, as
 * an unprivileged gid_map writer must.
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

/* Linux's limits: 32 nested levels below the initial namespace; at most
 * 340 extents in a map (UID_GID_MAP_MAX_EXTENTS). */
#define USERNS_MAX_LEVEL 32
#define USERNS_MAP_EXTENTS 340
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

/* Extents are kept as written (sorted by first ID past 5, the order
 * Linux shows them in) and searched linearly. A map is written once: its
 * extents first, then nr_extents with release order, so readers need no
 * lock. */
struct id_map {
	uint32_t nr_extents;
	struct id_extent extent[USERNS_MAP_EXTENTS];
};

/* The inode number a namespace shows in /proc/<pid>/ns (Linux's
 * ns_common.inum): unique among live namespaces, fixed for a namespace's
 * life. Linux's dynamic range starts at 0xF0000000; the initial user
 * namespace has its fixed PROC_USER_INIT_INO. */
uint32_t ns_inum_alloc(void);
#define NS_USER_INIT_INUM 0xEFFFFFFDu

struct user_ns {
	struct user_ns *parent;   /* NULL for the initial namespace */
	int level;                /* 0 for the initial namespace */
	uint32_t owner, group;    /* euid and egid of the creator (kernel IDs) */
	struct id_map uid_map, gid_map;
	/* Linux's USERNS_SETGROUPS_ALLOWED cleared: "deny" was written to
	 * setgroups (here or in an ancestor before this one was made). */
	bool setgroups_denied;
	/* The creator had CAP_SETFCAP in the parent: only then may a map of
	 * this namespace written from inside it reach the parent's uid 0. */
	bool parent_could_setfcap;
	atomic_int refs;
	uint32_t inum;            /* /proc/<pid>/ns/user (ns_inum_alloc) */
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

/* /proc/<pid>/uid_map and gid_map (user_namespaces(7)). */
/* The extents of ns's map as a reader in namespace reader_ns sees them:
 * lower_first relative to reader_ns, or to ns's parent when the reader is
 * in ns itself; INVALID_ID when unmapped there. Returns how many were put
 * into out (room for USERNS_MAP_EXTENTS). */
uint32_t user_ns_map_view(const struct user_ns *ns, bool gid, const struct user_ns *reader_ns,
			  struct id_extent *out);
/* Write ns's map once from text (one "first lower count" per line).
 * opener: the credentials the file was opened with (Linux's f_cred);
 * writer: the writing task's. 0, or -EPERM (written already, no right to
 * write it or to the IDs) or -EINVAL (malformed text, overlaps, more
 * than a page, or pos not 0: one write() at the start, as Linux). */
int user_ns_write_map(struct user_ns *ns, bool gid, const struct creds *opener,
		      const struct creds *writer, const char *text, size_t len, int64_t pos);
/* /proc/<pid>/setgroups: "allow" or "deny" written at offset 0; -EINVAL
 * for anything else, -EPERM for allow after deny or deny after gid_map
 * was written. */
int user_ns_write_setgroups(struct user_ns *ns, const char *text, size_t len, int64_t pos);
bool user_ns_setgroups_denied(const struct user_ns *ns);
/* setgroups(2) may be used in ns: its gid_map is written and setgroups
 * is not denied (Linux's userns_may_setgroups). */
bool user_ns_may_setgroups(const struct user_ns *ns);

/* Linux's ns_capable (cap_capable): c has cap in ns if c is in ns with
 * cap effective, or in an ancestor of ns with cap effective, or if c's
 * euid owns ns (or an ancestor of ns below c's namespace) and c is in
 * that namespace's parent. */
bool ns_capable(const struct creds *c, const struct user_ns *ns, int cap);

/* setns(2) into user namespace ns (checked by the caller): c takes a
 * reference to ns, drops its old one and gets every capability in ns. */
void user_ns_join(struct creds *c, struct user_ns *ns);

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
