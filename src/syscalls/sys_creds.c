/*
 * Reading credentials: getuid(2), geteuid(2), getgid(2), getegid(2),
 * getresuid(2), getresgid(2), getgroups(2). Credentials hold kernel IDs;
 * each is shown as seen from the caller's user namespace, the overflow ID
 * (65534) when it does not map there (user_namespaces(7)).
 */
#include <errno.h>

#include "kernel/userns.h"
#include "syscalls/syscalls.h"

static uint32_t uid_seen(struct task *t, uint32_t kuid) { return from_kuid_munged(creds_user_ns(&t->creds), kuid); }
static uint32_t gid_seen(struct task *t, uint32_t kgid) { return from_kgid_munged(creds_user_ns(&t->creds), kgid); }

SYSCALL_DEFINE(getuid) { return uid_seen(t, t->creds.ruid); }
SYSCALL_DEFINE(geteuid) { return uid_seen(t, t->creds.euid); }
SYSCALL_DEFINE(getgid) { return gid_seen(t, t->creds.rgid); }
SYSCALL_DEFINE(getegid) { return gid_seen(t, t->creds.egid); }

/* Linux writes the three IDs one after the other and stops at the first
 * bad pointer with EFAULT. */
static long copy_out_three_ids(struct task *t, const uint64_t *addrs, uint32_t r, uint32_t e,
			       uint32_t s)
{
	uint32_t ids[3] = { r, e, s };
	for (int i = 0; i < 3; i++)
		if (task_copy_out(t, addrs[i], &ids[i], sizeof(ids[i])))
			return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(getresuid)
{
	const struct creds *c = &t->creds;
	return copy_out_three_ids(t, a, uid_seen(t, c->ruid), uid_seen(t, c->euid), uid_seen(t, c->suid));
}

SYSCALL_DEFINE(getresgid)
{
	const struct creds *c = &t->creds;
	return copy_out_three_ids(t, a, gid_seen(t, c->rgid), gid_seen(t, c->egid), gid_seen(t, c->sgid));
}

/* getgroups(2): size 0 asks for the count; a smaller non-zero size is
 * EINVAL, as is a negative one. */
SYSCALL_DEFINE(getgroups)
{
	int size = (int)a[0];
	uint32_t n = t->creds.ngroups;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((uint32_t)size < n)
		return -EINVAL;
	uint32_t groups[sizeof t->creds.groups / sizeof t->creds.groups[0]];
	for (uint32_t i = 0; i < n; i++)
		groups[i] = gid_seen(t, t->creds.groups[i]);
	if (n && task_copy_out(t, a[1], groups, n * sizeof(groups[0])))
		return -EFAULT;
	return n;
}
