/*
 * Reading credentials: getuid(2), geteuid(2), getgid(2), getegid(2),
 * getresuid(2), getresgid(2), getgroups(2). IDs are those of the task's
 * credentials as seen from the root user namespace (the only one so far).
 */
#include <errno.h>

#include "syscalls/syscalls.h"

SYSCALL_DEFINE(getuid) { return t->creds.ruid; }
SYSCALL_DEFINE(geteuid) { return t->creds.euid; }
SYSCALL_DEFINE(getgid) { return t->creds.rgid; }
SYSCALL_DEFINE(getegid) { return t->creds.egid; }

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
	return copy_out_three_ids(t, a, t->creds.ruid, t->creds.euid, t->creds.suid);
}

SYSCALL_DEFINE(getresgid)
{
	return copy_out_three_ids(t, a, t->creds.rgid, t->creds.egid, t->creds.sgid);
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
	if (n && task_copy_out(t, a[1], t->creds.groups, n * sizeof(t->creds.groups[0])))
		return -EFAULT;
	return n;
}
