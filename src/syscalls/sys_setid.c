/*
 * Changing user and group IDs: setuid(2), setreuid(2), setresuid(2),
 * setfsuid(2), the gid counterparts and setgroups(2), with Linux's rules:
 * with CAP_SETUID/CAP_SETGID any ID may be set; without, only to one of the
 * current real, effective or saved IDs. A uid change adjusts capabilities
 * as capabilities(7) says (leaving root drops them unless
 * PR_SET_KEEPCAPS).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "syscalls/syscalls.h"

#define CAP_SETGID 6
#define CAP_SETUID 7

static bool capable(struct task *t, int cap) { return creds_has_cap(&t->creds, cap); }

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
	bool had_root = old->ruid == 0 || old->euid == 0 || old->suid == 0;
	bool has_root = c->ruid == 0 || c->euid == 0 || c->suid == 0;
	if (had_root && !has_root) {
		if (!t->keep_caps)
			c->cap_permitted = 0;
		c->cap_effective = 0;
		c->cap_ambient = 0;
	}
	if (old->euid == 0 && c->euid != 0)
		c->cap_effective = 0;
	if (old->euid != 0 && c->euid == 0)
		c->cap_effective = c->cap_permitted;
	if (old->fsuid == 0 && c->fsuid != 0)
		c->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != 0 && c->fsuid == 0)
		c->cap_effective |= c->cap_permitted & CAP_FS_MASK;
}

static bool is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c) { return id == a || id == b || id == c; }

static long set_res_ids(struct task *t, uint32_t r, uint32_t e, uint32_t s, bool gid)
{
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
	if (!capable(t, CAP_SETGID))
		return -EPERM;
	/* The sentry keeps up to 64 supplementary groups. */
	if ((size_t)n > sizeof t->creds.groups / sizeof t->creds.groups[0]) {
		syscall_report_unsupported("setgroups with more than 64 groups");
		return -ENOMEM;
	}
	uint32_t g[64];
	if (n && task_copy_in(t, g, a[1], (size_t)n * sizeof g[0]))
		return -EFAULT;
	memcpy(t->creds.groups, g, (size_t)n * sizeof g[0]);
	t->creds.ngroups = (uint32_t)n;
	return 0;
}

SYSCALL_DEFINE(setuid)
{
	uint32_t uid = (uint32_t)a[0];
	struct creds *c = &t->creds;
	struct creds old = *c;
	if (uid == (uint32_t)-1)
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
	uint32_t gid = (uint32_t)a[0];
	struct creds *c = &t->creds;
	if (gid == (uint32_t)-1)
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

/* setfsuid always returns the previous fsuid, success or not. */
SYSCALL_DEFINE(setfsuid)
{
	uint32_t uid = (uint32_t)a[0];
	struct creds *c = &t->creds;
	struct creds before = *c;
	if (uid != (uint32_t)-1 && (capable(t, CAP_SETUID) || uid == c->ruid || uid == c->euid ||
				    uid == c->suid || uid == c->fsuid)) {
		c->fsuid = uid;
		fix_caps_after_uid_change(t, &before);
	}
	return before.fsuid;
}

SYSCALL_DEFINE(setfsgid)
{
	uint32_t gid = (uint32_t)a[0];
	struct creds *c = &t->creds;
	uint32_t old = c->fsgid;
	if (gid != (uint32_t)-1 && (capable(t, CAP_SETGID) || gid == c->rgid || gid == c->egid ||
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
	if (h.pid && h.pid != t->tid) {
		struct kernel *k = t->kernel;
		pthread_mutex_lock(&k->lock);
		struct task *o = kernel_task_by_tid_locked(k, h.pid);
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
	if (h.pid && h.pid != t->tid)
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
