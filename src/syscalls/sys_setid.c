/*
 * Changing user and group IDs: setuid(2), setreuid(2), setresuid(2),
 * setfsuid(2), the gid counterparts and setgroups(2), with Linux's rules:
 * with CAP_SETUID/CAP_SETGID any ID may be set; without, only to one of the
 * current real, effective or saved IDs. A uid change adjusts capabilities
 * as capabilities(7) says (leaving root drops them unless
 * PR_SET_KEEPCAPS).
 *
 * In a user namespace (user_namespaces(7)) the IDs given are the
 * namespace's: each must map to a kernel ID (EINVAL otherwise, before any
 * permission check), the privilege is CAP_SETUID/CAP_SETGID in the
 * caller's namespace, and "root" is the namespace's uid 0.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "kernel/userns.h"
#include "syscalls/syscalls.h"

#define CAP_SETGID 6
#define CAP_SETUID 7

/* Linux's ns_capable_setid: the capability in the caller's own namespace. */
static bool capable(struct task *t, int cap) { return ns_capable(&t->creds, creds_user_ns(&t->creds), cap); }

/* The kernel ID of the caller's ID id, (uint32_t)-1 kept as "unchanged";
 * -EINVAL when id does not map (Linux checks every ID before anything). */
static int kernel_id(struct task *t, uint32_t id, bool gid, uint32_t *out)
{
	*out = id;
	if (id == (uint32_t)-1)
		return 0;
	const struct user_ns *ns = creds_user_ns(&t->creds);
	*out = gid ? make_kgid(ns, id) : make_kuid(ns, id);
	return *out == INVALID_ID ? -EINVAL : 0;
}

/* Capabilities that only matter for file-system access (CAP_FS_MASK). */
#define CAP_FS_MASK ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 3) | (1ULL << 4) | \
		     (1ULL << 9) | (1ULL << 27) | (1ULL << 32))

/* capabilities(7), "Effect of user ID changes on capabilities". */
static void fix_caps_after_uid_change(struct task *t, const struct creds *old)
{
	struct creds *c = &t->creds;
	/* A process whose identity changed may no longer be dumped
	 * (fs.suid_dumpable 0). */
	if (c->euid != old->euid || c->fsuid != old->fsuid)
		t->tg->dumpable = 0;
	/* Root is uid 0 of the namespace: nobody when it is unmapped. */
	uint32_t root = make_kuid(creds_user_ns(old), 0);
	if (root == INVALID_ID)
		return;
	bool had_root = old->ruid == root || old->euid == root || old->suid == root;
	bool has_root = c->ruid == root || c->euid == root || c->suid == root;
	if (had_root && !has_root) {
		if (!t->keep_caps)
			c->cap_permitted = 0;
		c->cap_effective = 0;
		c->cap_ambient = 0;
	}
	if (old->euid == root && c->euid != root)
		c->cap_effective = 0;
	if (old->euid != root && c->euid == root)
		c->cap_effective = c->cap_permitted;
	if (old->fsuid == root && c->fsuid != root)
		c->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != root && c->fsuid == root)
		c->cap_effective |= c->cap_permitted & CAP_FS_MASK;
}

static bool is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c) { return id == a || id == b || id == c; }

static long set_res_ids(struct task *t, uint32_t r, uint32_t e, uint32_t s, bool gid)
{
	if (kernel_id(t, r, gid, &r) || kernel_id(t, e, gid, &e) || kernel_id(t, s, gid, &s))
		return -EINVAL;
	struct creds *c = &t->creds;
	struct creds old = *c;
	uint32_t *cr = gid ? &c->rgid : &c->ruid, *ce = gid ? &c->egid : &c->euid;
	uint32_t *cs = gid ? &c->sgid : &c->suid, *cf = gid ? &c->fsgid : &c->fsuid;
	if (!capable(t, gid ? CAP_SETGID : CAP_SETUID)) {
		if ((r != (uint32_t)-1 && !is_one_of(r, *cr, *ce, *cs)) ||
		    (e != (uint32_t)-1 && !is_one_of(e, *cr, *ce, *cs)) ||
		    (s != (uint32_t)-1 && !is_one_of(s, *cr, *ce, *cs)))
			return -EPERM;
	}
	if (r != (uint32_t)-1)
		*cr = r;
	if (e != (uint32_t)-1)
		*ce = e;
	if (s != (uint32_t)-1)
		*cs = s;
	*cf = *ce;
	if (!gid)
		fix_caps_after_uid_change(t, &old);
	else if (c->egid != old.egid || c->fsgid != old.fsgid)
		t->tg->dumpable = 0;
	return 0;
}

static long set_re_ids(struct task *t, uint32_t r, uint32_t e, bool gid)
{
	if (kernel_id(t, r, gid, &r) || kernel_id(t, e, gid, &e))
		return -EINVAL;
	struct creds *c = &t->creds;
	struct creds old = *c;
	uint32_t *cr = gid ? &c->rgid : &c->ruid, *ce = gid ? &c->egid : &c->euid;
	uint32_t *cs = gid ? &c->sgid : &c->suid, *cf = gid ? &c->fsgid : &c->fsuid;
	bool priv = capable(t, gid ? CAP_SETGID : CAP_SETUID);
	uint32_t old_r = *cr;
	if (!priv) {
		if (r != (uint32_t)-1 && r != *cr && r != *ce)
			return -EPERM;
		if (e != (uint32_t)-1 && !is_one_of(e, *cr, *ce, *cs))
			return -EPERM;
	}
	if (r != (uint32_t)-1)
		*cr = r;
	if (e != (uint32_t)-1)
		*ce = e;
	/* The saved ID follows the effective one when the real one is set
	 * or the effective one moves away from the old real one. */
	if (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != old_r))
		*cs = *ce;
	*cf = *ce;
	if (!gid)
		fix_caps_after_uid_change(t, &old);
	return 0;
}

SYSCALL_DEFINE(setresuid) { return set_res_ids(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], false); }
SYSCALL_DEFINE(setresgid) { return set_res_ids(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], true); }
SYSCALL_DEFINE(setreuid) { return set_re_ids(t, (uint32_t)a[0], (uint32_t)a[1], false); }
SYSCALL_DEFINE(setregid) { return set_re_ids(t, (uint32_t)a[0], (uint32_t)a[1], true); }

SYSCALL_DEFINE(setgroups)
{
	int n = (int)a[0];
	if (n < 0 || n > 65536)
		return -EINVAL;
	/* In a user namespace, only once its gid_map is written and unless
	 * "deny" was written to /proc/<pid>/setgroups (user_namespaces(7)). */
	if (!capable(t, CAP_SETGID) || !user_ns_may_setgroups(creds_user_ns(&t->creds)))
		return -EPERM;
	/* The sentry keeps up to 64 supplementary groups. */
	if ((size_t)n > sizeof t->creds.groups / sizeof t->creds.groups[0]) {
		syscall_report_unsupported("setgroups with more than 64 groups");
		return -ENOMEM;
	}
	uint32_t g[64];
	if (n && task_copy_in(t, g, a[1], (size_t)n * sizeof g[0]))
		return -EFAULT;
	for (int i = 0; i < n; i++)
		if (kernel_id(t, g[i], true, &g[i]) || g[i] == (uint32_t)-1)
			return -EINVAL;
	memcpy(t->creds.groups, g, (size_t)n * sizeof g[0]);
	t->creds.ngroups = (uint32_t)n;
	return 0;
}

SYSCALL_DEFINE(setuid)
{
	uint32_t uid = make_kuid(creds_user_ns(&t->creds), (uint32_t)a[0]);
	struct creds *c = &t->creds;
	struct creds old = *c;
	if (uid == INVALID_ID)
		return -EINVAL;
	if (capable(t, CAP_SETUID)) {
		c->ruid = c->euid = c->suid = c->fsuid = uid;
	} else if (uid == c->ruid || uid == c->suid) {
		c->euid = c->fsuid = uid;
	} else {
		return -EPERM;
	}
	fix_caps_after_uid_change(t, &old);
	return 0;
}

SYSCALL_DEFINE(setgid)
{
	uint32_t gid = make_kgid(creds_user_ns(&t->creds), (uint32_t)a[0]);
	struct creds *c = &t->creds;
	if (gid == INVALID_ID)
		return -EINVAL;
	if (capable(t, CAP_SETGID)) {
		c->rgid = c->egid = c->sgid = c->fsgid = gid;
		return 0;
	}
	if (gid != c->rgid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return 0;
}

/* setfsuid always returns the previous fsuid (as the caller sees it),
 * success or not; an unmapped ID changes nothing. */
SYSCALL_DEFINE(setfsuid)
{
	uint32_t uid = make_kuid(creds_user_ns(&t->creds), (uint32_t)a[0]);
	struct creds *c = &t->creds;
	struct creds before = *c;
	uint32_t shown = from_kuid_munged(creds_user_ns(c), before.fsuid);
	if (uid != INVALID_ID && (capable(t, CAP_SETUID) || uid == c->ruid || uid == c->euid ||
				    uid == c->suid || uid == c->fsuid)) {
		c->fsuid = uid;
		fix_caps_after_uid_change(t, &before);
	}
	return shown;
}

SYSCALL_DEFINE(setfsgid)
{
	uint32_t gid = make_kgid(creds_user_ns(&t->creds), (uint32_t)a[0]);
	struct creds *c = &t->creds;
	uint32_t old = from_kgid_munged(creds_user_ns(c), c->fsgid);
	if (gid != INVALID_ID && (capable(t, CAP_SETGID) || gid == c->rgid || gid == c->egid ||
				    gid == c->sgid || gid == c->fsgid))
		c->fsgid = gid;
	return old;
}

/* capget(2)/capset(2): the three capability sets, in the 32-bit halves of
 * the v2/v3 interface (v1: the low half only). */
#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522
#define CAP_SETPCAP 8

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

/* Check the header; a wrong version is answered with the preferred one. */
static long cap_header(struct task *t, uint64_t uhdr, struct cap_header *h, int *words)
{
	if (task_copy_in(t, h, uhdr, sizeof *h))
		return -EFAULT;
	switch (h->version) {
	case CAP_V1: *words = 1; return 0;
	case CAP_V2: case CAP_V3: *words = 2; return 0;
	default:
		h->version = CAP_V3;
		if (task_copy_out(t, uhdr, h, sizeof *h))
			return -EFAULT;
		return -EINVAL;
	}
}

SYSCALL_DEFINE(capget)
{
	struct cap_header h;
	int words;
	long err = cap_header(t, a[0], &h, &words);
	if (err)
		return a[1] || err != -EINVAL ? err : 0;
	if (h.pid < 0)
		return -EINVAL;
	struct creds c = t->creds;
	if (h.pid && h.pid != task_vtid(t)) {
		struct kernel *k = t->kernel;
		pthread_mutex_lock(&k->lock);
		struct task *o = task_by_vnr_locked(t, h.pid);
		if (o)
			c = o->creds;
		pthread_mutex_unlock(&k->lock);
		if (!o)
			return -ESRCH;
	}
	if (!a[1])
		return 0;
	struct cap_data d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c.cap_inheritable >> (32 * i));
	}
	return task_copy_out(t, a[1], d, words * sizeof d[0]);
}

SYSCALL_DEFINE(capset)
{
	struct cap_header h;
	int words;
	long err = cap_header(t, a[0], &h, &words);
	if (err)
		return err;
	/* Only one's own capabilities can be set. */
	if (h.pid && h.pid != task_vtid(t))
		return -EPERM;
	struct cap_data d[2] = { 0 };
	if (task_copy_in(t, d, a[1], words * sizeof d[0]))
		return -EFAULT;
	uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	struct creds *c = &t->creds;
	if (words == 1) {
		/* v1 leaves the upper capabilities as they are. */
		eff |= c->cap_effective & ~0xffffffffULL;
		perm |= c->cap_permitted & ~0xffffffffULL;
		inh |= c->cap_inheritable & ~0xffffffffULL;
	}
	uint64_t inh_limit = c->cap_inheritable | c->cap_permitted;
	if (capable(t, CAP_SETPCAP))
		inh_limit = c->cap_inheritable | c->cap_bounding;
	if ((inh & ~inh_limit) || (inh & ~(c->cap_inheritable | c->cap_bounding)))
		return -EPERM;
	if (perm & ~c->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;
	c->cap_effective = eff;
	c->cap_permitted = perm;
	c->cap_inheritable = inh;
	c->cap_ambient &= perm & inh;
	return 0;
}
