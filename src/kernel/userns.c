/*
 * User namespaces (see userns.h): creation with Linux's rules, ID
 * translation through the maps, writing the maps (/proc/<pid>/uid_map,
 * gid_map, setgroups) and ns_capable.
 */
#include "kernel/userns.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SYS_ADMIN 21
#define CAP_SETFCAP 31
/* Linux takes at most a page less one byte per map or setgroups write. */
#define MAP_WRITE_MAX 4096

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
	.inum = NS_USER_INIT_INUM,
};

static atomic_uint next_ns_inum = 0xF0000000u;

uint32_t ns_inum_alloc(void)
{
	return atomic_fetch_add(&next_ns_inum, 1);
}

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

/* Linux's userns_state_mutex: map writes and the setgroups flag. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- ID maps ---- */

/* A map's extents are complete before its count is published. */
static uint32_t map_count(const struct id_map *m) { return __atomic_load_n(&m->nr_extents, __ATOMIC_ACQUIRE); }

static uint32_t map_down(const struct id_map *m, uint32_t id)
{
	uint32_t n = map_count(m);
	for (uint32_t i = 0; i < n; i++) {
		const struct id_extent *e = &m->extent[i];
		if (id >= e->first && id - e->first < e->count)
			return e->lower_first + (id - e->first);
	}
	return INVALID_ID;
}

static uint32_t map_up(const struct id_map *m, uint32_t kid)
{
	uint32_t n = map_count(m);
	for (uint32_t i = 0; i < n; i++) {
		const struct id_extent *e = &m->extent[i];
		if (kid >= e->lower_first && kid - e->lower_first < e->count)
			return e->first + (kid - e->lower_first);
	}
	return INVALID_ID;
}

static const struct user_ns *or_init(const struct user_ns *ns) { return ns ? ns : &user_ns_init; }

/* Linux's map_id_range_down: the kernel ID of [id, id + count) when one
 * extent holds all of it. */
static uint32_t map_range_down(const struct id_map *m, uint32_t id, uint32_t count)
{
	uint32_t n = map_count(m), last = id + count - 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct id_extent *e = &m->extent[i];
		if (id >= e->first && last >= id && last - e->first < e->count)
			return e->lower_first + (id - e->first);
	}
	return INVALID_ID;
}

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

/* ---- /proc/<pid>/uid_map, gid_map, setgroups ---- */

static struct id_map *ns_map(struct user_ns *ns, bool gid) { return gid ? &ns->gid_map : &ns->uid_map; }

uint32_t user_ns_map_view(const struct user_ns *ns, bool gid, const struct user_ns *reader_ns,
			  struct id_extent *out)
{
	ns = or_init(ns);
	const struct user_ns *lower = or_init(reader_ns);
	/* user_namespaces(7): a reader in the namespace itself sees the
	 * outside IDs as its parent names them. */
	if (lower == ns && ns->parent)
		lower = ns->parent;
	const struct id_map *m = gid ? &ns->gid_map : &ns->uid_map;
	const struct id_map *lm = gid ? &lower->gid_map : &lower->uid_map;
	uint32_t n = map_count(m);
	for (uint32_t i = 0; i < n; i++) {
		out[i] = m->extent[i];
		out[i].lower_first = map_up(lm, m->extent[i].lower_first);
	}
	return n;
}

/* The kernel's isspace() on ASCII. */
static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static char *skip_spaces(char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* simple_strtoul in base 10 kept to 32 bits: no sign, no prefix, wraps. */
static uint32_t parse_u32(char **pp)
{
	uint32_t v = 0;
	char *p = *pp;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	*pp = p;
	return v;
}

/* One "first lower count" line into e (Linux's map_write parser). */
static int parse_extent(char *pos, struct id_extent *e)
{
	pos = skip_spaces(pos);
	e->first = parse_u32(&pos);
	if (!is_space(*pos))
		return -EINVAL;
	pos = skip_spaces(pos);
	e->lower_first = parse_u32(&pos);
	if (!is_space(*pos))
		return -EINVAL;
	pos = skip_spaces(pos);
	e->count = parse_u32(&pos);
	if (*pos && !is_space(*pos))
		return -EINVAL;
	if (*skip_spaces(pos))
		return -EINVAL;
	if (e->first == INVALID_ID || e->lower_first == INVALID_ID)
		return -EINVAL;
	/* A count of 0 or one that wraps either range. */
	if (e->first + e->count <= e->first || e->lower_first + e->count <= e->lower_first)
		return -EINVAL;
	return 0;
}

/* Neither the inside nor the outside range of e meets an earlier one. */
static bool overlaps(const struct id_map *m, const struct id_extent *e)
{
	for (uint32_t i = 0; i < m->nr_extents; i++) {
		const struct id_extent *p = &m->extent[i];
		if (p->first <= e->first + e->count - 1 && e->first <= p->first + p->count - 1)
			return true;
		if (p->lower_first <= e->lower_first + e->count - 1 &&
		    e->lower_first <= p->lower_first + p->count - 1)
			return true;
	}
	return false;
}

static int parse_map(char *text, struct id_map *m)
{
	char *next;
	for (char *pos = text; pos; pos = next) {
		next = strchr(pos, '\n');
		if (next) {
			*next++ = 0;
			if (!*next)
				next = NULL;
		}
		struct id_extent e;
		if (parse_extent(pos, &e) || overlaps(m, &e))
			return -EINVAL;
		if (m->nr_extents + 1 == USERNS_MAP_EXTENTS && next)
			return -EINVAL;
		m->extent[m->nr_extents++] = e;
	}
	return m->nr_extents ? 0 : -EINVAL;
}

/* Linux's verify_root_map: a map that reaches the parent's uid 0 needs
 * CAP_SETFCAP there (when written from inside, the creator's). */
static bool root_map_allowed(const struct user_ns *ns, const struct creds *opener, const struct id_map *m)
{
	bool maps_zero = false;
	for (uint32_t i = 0; i < m->nr_extents; i++)
		maps_zero |= m->extent[i].lower_first == 0;
	if (!maps_zero)
		return true;
	if (creds_user_ns(opener) == ns)
		return ns->parent_could_setfcap;
	return ns_capable(opener, ns->parent, CAP_SETFCAP);
}

/* Linux's new_idmap_permitted. */
static bool map_permitted(const struct user_ns *ns, bool gid, const struct creds *opener,
			  const struct creds *writer, const struct id_map *m)
{
	int cap = gid ? CAP_SETGID : CAP_SETUID;
	if (!gid && !root_map_allowed(ns, opener, m))
		return false;
	/* The owner may map its own euid (egid, once setgroups is denied)
	 * and nothing else: nothing it could not do without the map. */
	if (m->nr_extents == 1 && m->extent[0].count == 1 && ns->owner == opener->euid) {
		uint32_t id = m->extent[0].lower_first;
		if (!gid && make_kuid(ns->parent, id) == opener->euid)
			return true;
		if (gid && ns->setgroups_denied && make_kgid(ns->parent, id) == opener->egid)
			return true;
	}
	return ns_capable(writer, ns->parent, cap) && ns_capable(opener, ns->parent, cap);
}

static int cmp_first(const void *a, const void *b)
{
	const struct id_extent *x = a, *y = b;
	return (x->first > y->first) - (x->first < y->first);
}

/* Checks and stores under state_lock; m is the parsed map. */
static int install_map(struct user_ns *ns, bool gid, const struct creds *opener,
		       const struct creds *writer, struct id_map *m)
{
	struct id_map *dst = ns_map(ns, gid);
	if (dst->nr_extents)
		return -EPERM;
	if (!map_permitted(ns, gid, opener, writer, m))
		return -EPERM;
	/* The outside IDs are the parent's: each range must map there. */
	const struct id_map *pm = gid ? &ns->parent->gid_map : &ns->parent->uid_map;
	for (uint32_t i = 0; i < m->nr_extents; i++) {
		uint32_t k = map_range_down(pm, m->extent[i].lower_first, m->extent[i].count);
		if (k == INVALID_ID)
			return -EPERM;
		m->extent[i].lower_first = k;
	}
	/* Linux keeps a long map sorted and shows it in that order. */
	if (m->nr_extents > 5)
		qsort(m->extent, m->nr_extents, sizeof m->extent[0], cmp_first);
	memcpy(dst->extent, m->extent, m->nr_extents * sizeof m->extent[0]);
	__atomic_store_n(&dst->nr_extents, m->nr_extents, __ATOMIC_RELEASE);
	return 0;
}

int user_ns_write_map(struct user_ns *ns, bool gid, const struct creds *opener,
		      const struct creds *writer, const char *text, size_t len, int64_t pos)
{
	const struct user_ns *opener_ns = creds_user_ns(opener);
	/* The initial namespace's maps are fixed; only the namespace itself
	 * and its parent may write a map. */
	if (!ns || ns == &user_ns_init || !ns->parent)
		return -EPERM;
	if (opener_ns != ns && opener_ns != ns->parent)
		return -EPERM;
	pthread_mutex_lock(&state_lock);
	int err = 0;
	if (ns_map(ns, gid)->nr_extents || !ns_capable(opener, ns, CAP_SYS_ADMIN))
		err = -EPERM;
	else if (pos != 0 || len >= MAP_WRITE_MAX)
		err = -EINVAL;
	pthread_mutex_unlock(&state_lock);
	if (err)
		return err;
	char *buf = malloc(len + 1);
	struct id_map *m = calloc(1, sizeof *m);
	if (!buf || !m) {
		free(buf);
		free(m);
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = 0;
	err = parse_map(buf, m);
	if (!err) {
		pthread_mutex_lock(&state_lock);
		err = install_map(ns, gid, opener, writer, m);
		pthread_mutex_unlock(&state_lock);
	}
	free(buf);
	free(m);
	return err;
}

int user_ns_write_setgroups(struct user_ns *ns, const char *text, size_t len, int64_t pos)
{
	char kbuf[8];
	if (!ns || pos != 0 || len >= sizeof kbuf)
		return -EINVAL;
	memcpy(kbuf, text, len);
	kbuf[len] = 0;
	bool allow;
	char *p = kbuf;
	if (!strncmp(p, "allow", 5)) {
		allow = true;
		p += 5;
	} else if (!strncmp(p, "deny", 4)) {
		allow = false;
		p += 4;
	} else {
		return -EINVAL;
	}
	if (*skip_spaces(p))
		return -EINVAL;
	int err = 0;
	pthread_mutex_lock(&state_lock);
	/* Denied is for good; and once gid_map is written, the groups a
	 * process could drop with setgroups stay droppable. */
	if (allow ? ns->setgroups_denied : ns->gid_map.nr_extents != 0)
		err = -EPERM;
	else if (!allow)
		__atomic_store_n(&ns->setgroups_denied, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&state_lock);
	return err;
}

bool user_ns_setgroups_denied(const struct user_ns *ns)
{
	return __atomic_load_n(&or_init(ns)->setgroups_denied, __ATOMIC_ACQUIRE);
}

bool user_ns_may_setgroups(const struct user_ns *ns)
{
	ns = or_init(ns);
	return map_count(&ns->gid_map) != 0 && !user_ns_setgroups_denied(ns);
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
	ns->inum = ns_inum_alloc();
	ns->owner = c->euid;
	ns->group = c->egid;
	/* Linux copies the parent's flags: a denied setgroups stays denied
	 * below. */
	ns->setgroups_denied = user_ns_setgroups_denied(parent);
	ns->parent_could_setfcap = (c->cap_effective >> CAP_SETFCAP) & 1;
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
 * capabilities in a child namespace: a process whose real or effective
 * uid is the namespace's root (a mapped uid 0) gets the bounding and
 * inheritable sets, effective when its euid is root; anyone else keeps
 * only its ambient capabilities. (The initial namespace's exec rules are
 * not emulated here.) */
void user_ns_exec_caps(struct creds *c)
{
	const struct user_ns *ns = creds_user_ns(c);
	if (ns == &user_ns_init)
		return;
	uint32_t root = make_kuid(ns, 0);
	if (root != INVALID_ID && (c->euid == root || c->ruid == root)) {
		c->cap_permitted = c->cap_bounding | c->cap_inheritable;
		c->cap_effective = c->euid == root ? c->cap_permitted : c->cap_ambient;
		return;
	}
	c->cap_permitted = c->cap_ambient;
	c->cap_effective = c->cap_ambient;
}

/* ---- setns(2) ---- */

void user_ns_join(struct creds *c, struct user_ns *ns)
{
	/* Linux's userns_install: the credentials move to ns with every
	 * capability there (set_cred_user_ns), IDs unchanged. */
	user_ns_get(ns);
	struct user_ns *old = c->user_ns;
	c->user_ns = ns == &user_ns_init ? NULL : ns;
	user_ns_put(old);
	c->cap_permitted = c->cap_effective = c->cap_bounding = CAP_FULL_SET;
	c->cap_inheritable = 0;
	c->cap_ambient = 0;
}
