/*
 * User namespaces (see userns.h): creation with Linux's rules, ID
 * translation through the maps, and ns_capable.
 */
#include "kernel/userns.h"

#include <errno.h>
#include <stdlib.h>

/* Linux's CAP_FULL_SET: every capability up to CAP_LAST_CAP (40). */
#define CAP_FULL_SET ((1ULL << 41) - 1)

/* Linux's /proc/sys/user/max_user_namespaces is per user and derived from
 * memory; the sandbox has one total limit. */
#define USERNS_MAX_COUNT 65536

/* The initial namespace maps every ID but (uid_t)-1 to itself. */
struct user_ns user_ns_init = {
	.level = 0,
	.uid_map = { .nr_extents = 1, .extent = { { 0, 0, 4294967295u } } },
	.gid_map = { .nr_extents = 1, .extent = { { 0, 0, 4294967295u } } },
	.refs = 1,
};

static atomic_int live_count;

void user_ns_get(struct user_ns *ns)
{
	if (ns && ns != &user_ns_init)
		atomic_fetch_add(&ns->refs, 1);
}

/* A namespace holds its parent: drop the chain as far as it goes. */
void user_ns_put(struct user_ns *ns)
{
	while (ns && ns != &user_ns_init && atomic_fetch_sub(&ns->refs, 1) == 1) {
		struct user_ns *parent = ns->parent;
		free(ns);
		atomic_fetch_sub(&live_count, 1);
		ns = parent;
	}
}

/* ---- ID maps ---- */

static uint32_t map_down(const struct id_map *m, uint32_t id)
{
	for (uint32_t i = 0; i < m->nr_extents; i++) {
		const struct id_extent *e = &m->extent[i];
		if (id >= e->first && id - e->first < e->count)
			return e->lower_first + (id - e->first);
	}
	return INVALID_ID;
}

static uint32_t map_up(const struct id_map *m, uint32_t kid)
{
	for (uint32_t i = 0; i < m->nr_extents; i++) {
		const struct id_extent *e = &m->extent[i];
		if (kid >= e->lower_first && kid - e->lower_first < e->count)
			return e->first + (kid - e->lower_first);
	}
	return INVALID_ID;
}

static const struct user_ns *or_init(const struct user_ns *ns) { return ns ? ns : &user_ns_init; }

uint32_t make_kuid(const struct user_ns *ns, uint32_t uid) { return map_down(&or_init(ns)->uid_map, uid); }
uint32_t make_kgid(const struct user_ns *ns, uint32_t gid) { return map_down(&or_init(ns)->gid_map, gid); }

uint32_t from_kuid_munged(const struct user_ns *ns, uint32_t kuid)
{
	uint32_t id = map_up(&or_init(ns)->uid_map, kuid);
	return id == INVALID_ID ? OVERFLOW_UID : id;
}

uint32_t from_kgid_munged(const struct user_ns *ns, uint32_t kgid)
{
	uint32_t id = map_up(&or_init(ns)->gid_map, kgid);
	return id == INVALID_ID ? OVERFLOW_GID : id;
}

/* ---- capabilities ---- */

bool ns_capable(const struct creds *c, const struct user_ns *ns, int cap)
{
	if (cap < 0 || cap > 63)
		return false;
	const struct user_ns *mine = creds_user_ns(c);
	ns = or_init(ns);
	for (;;) {
		if (ns == mine)
			return (c->cap_effective >> cap) & 1;
		/* Every namespace between ns and ours has been tried. */
		if (ns->level <= mine->level)
			return false;
		/* The owner of a child of our namespace has every capability
		 * in it. */
		if (ns->parent == mine && ns->owner == c->euid)
			return true;
		/* A capability in a parent holds over its children. */
		ns = ns->parent;
	}
}

/* ---- creation ---- */

static bool ids_map_in(const struct user_ns *ns, const struct creds *c)
{
	return map_up(&ns->uid_map, c->euid) != INVALID_ID && map_up(&ns->gid_map, c->egid) != INVALID_ID;
}

int user_ns_enter_new(struct creds *c, bool chrooted)
{
	struct user_ns *parent = creds_user_ns(c);
	if (parent->level > USERNS_MAX_LEVEL)
		return -ENOSPC;
	if (atomic_fetch_add(&live_count, 1) >= USERNS_MAX_COUNT) {
		atomic_fetch_sub(&live_count, 1);
		return -ENOSPC;
	}
	int err = 0;
	/* A chroot's restriction must not be escaped through the new
	 * namespace's privileges. */
	if (chrooted)
		err = -EPERM;
	/* The creator must be nameable in the parent (Linux: "or else we
	 * won't be able to tell userspace who created it"). */
	else if (!ids_map_in(parent, c))
		err = -EPERM;
	struct user_ns *ns = err ? NULL : calloc(1, sizeof *ns);
	if (!err && !ns)
		err = -ENOMEM;
	if (err) {
		atomic_fetch_sub(&live_count, 1);
		return err;
	}
	/* The creds' reference to the parent becomes the child's. */
	ns->parent = parent;
	ns->level = parent->level + 1;
	ns->owner = c->euid;
	ns->group = c->egid;
	atomic_init(&ns->refs, 1);
	c->user_ns = ns;
	/* set_cred_user_ns: every capability in the new namespace, nothing
	 * to pass on through exec. */
	c->cap_permitted = c->cap_effective = c->cap_bounding = CAP_FULL_SET;
	c->cap_inheritable = 0;
	c->cap_ambient = 0;
	return 0;
}

/* Linux's cap_bprm_creds_from_file for a program without file
 * capabilities, in a namespace whose uid 0 is unmapped: nobody is root
 * there, so the program keeps only its ambient capabilities. (The initial
 * namespace's exec rules for non-root users are not emulated here.) */
void user_ns_exec_caps(struct creds *c)
{
	if (make_kuid(creds_user_ns(c), 0) != INVALID_ID)
		return;
	c->cap_permitted = c->cap_ambient;
	c->cap_effective = c->cap_ambient;
}
