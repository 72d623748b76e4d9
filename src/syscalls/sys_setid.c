/*
 * Changing user and group IDs (setuid(2), setgid(2), setfsuid(2)), with
 * Linux's rules: with CAP_SETUID/CAP_SETGID every ID may be set; without,
 * only to one of the current real, effective or saved IDs. The capability
 * changes that follow a uid change (dropping them when leaving root) and
 * setre*id/setres*id/setgroups come with the process-model issue.
 */
#include <errno.h>

#include "syscalls/syscalls.h"

#define CAP_SETGID 6
#define CAP_SETUID 7

static bool capable(struct task *t, int cap) { return (t->creds.cap_effective >> cap) & 1; }

SYSCALL_DEFINE(setuid)
{
	uint32_t uid = (uint32_t)a[0];
	struct creds *c = &t->creds;
	if (uid == (uint32_t)-1)
		return -EINVAL;
	if (capable(t, CAP_SETUID)) {
		c->ruid = c->euid = c->suid = c->fsuid = uid;
		return 0;
	}
	if (uid != c->ruid && uid != c->suid)
		return -EPERM;
	c->euid = c->fsuid = uid;
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
	uint32_t old = c->fsuid;
	if (uid != (uint32_t)-1 && (capable(t, CAP_SETUID) || uid == c->ruid || uid == c->euid ||
				    uid == c->suid || uid == c->fsuid))
		c->fsuid = uid;
	return old;
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
