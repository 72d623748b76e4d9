/* cred_caps: capget/capset and the bounding set (changes in forked
 * children). capget with an unknown version EINVAL and writes back the
 * preferred version (a NULL data pointer is then a version query); capget
 * of a missing pid ESRCH; capset may drop capabilities but not add to
 * permitted (EPERM), effective must be within permitted (EPERM), capset
 * on another process EPERM; PR_CAPBSET_READ/DROP, invalid capability
 * EINVAL, a dropped bounding capability cannot be made inheritable. */
#include "tap.h"
#include <linux/capability.h>
#include <sys/prctl.h>

static struct __user_cap_header_struct hdr(pid_t pid)
{
	return (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_3, pid };
}

static long capget_(pid_t pid, struct __user_cap_data_struct *d)
{
	struct __user_cap_header_struct h = hdr(pid);
	return syscall(SYS_capget, &h, d);
}

static long capset_(pid_t pid, struct __user_cap_data_struct *d)
{
	struct __user_cap_header_struct h = hdr(pid);
	return syscall(SYS_capset, &h, d);
}

#define BIT(c) (1U << (c))

static void drops(void *arg)
{
	struct __user_cap_data_struct d[2];
	capget_(0, d);
	d[0].effective &= ~BIT(CAP_NET_RAW);
	d[0].permitted &= ~BIT(CAP_NET_RAW);
	CHECK_OK(capset_(0, d), "drop CAP_NET_RAW from effective and permitted");
	struct __user_cap_data_struct g[2];
	capget_(0, g);
	CHECK(!(g[0].permitted & BIT(CAP_NET_RAW)) && !(g[0].effective & BIT(CAP_NET_RAW)), "capget shows it gone");
	d[0].permitted |= BIT(CAP_NET_RAW);
	CHECK_ERR(capset_(0, d), EPERM, "adding it back to permitted EPERM");
	d[0].permitted &= ~BIT(CAP_NET_RAW);
	d[0].effective |= BIT(CAP_NET_RAW);
	CHECK_ERR(capset_(0, d), EPERM, "effective beyond permitted EPERM");
	d[0].effective &= ~BIT(CAP_NET_RAW);
	CHECK_ERR(capset_(getppid() > 0 ? getppid() : 1, d), EPERM, "capset on another process EPERM");

	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_TIME), 1, "CAP_SYS_TIME is in the bounding set");
	CHECK_OK(prctl(PR_CAPBSET_DROP, CAP_SYS_TIME), "PR_CAPBSET_DROP CAP_SYS_TIME");
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_TIME), 0, "no longer in the bounding set");
	capget_(0, d);
	d[0].inheritable |= BIT(CAP_SYS_TIME);
	CHECK_ERR(capset_(0, d), EPERM, "a dropped bounding capability cannot become inheritable");
	d[0].inheritable = BIT(CAP_CHOWN);
	CHECK_OK(capset_(0, d), "an inheritable capability that is permitted and bounded");
	CHECK_ERR(prctl(PR_CAPBSET_READ, 1000), EINVAL, "PR_CAPBSET_READ of capability 1000 EINVAL");
	CHECK_ERR(prctl(PR_CAPBSET_DROP, 1000), EINVAL, "PR_CAPBSET_DROP of capability 1000 EINVAL");
}

int main(void)
{
	struct __user_cap_header_struct h = { 0x12345678, 0 };
	struct __user_cap_data_struct d[2];
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL, "capget with an unknown version EINVAL");
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3, "and writes back the preferred version");
	h = hdr(0);
	CHECK_OK(syscall(SYS_capget, &h, NULL), "capget with a NULL data pointer is a version query");
	CHECK_OK(capget_(0, d), "capget of ourselves");
	CHECK(d[0].effective & BIT(CAP_SYS_ADMIN), "root has CAP_SYS_ADMIN");
	CHECK(d[0].permitted & BIT(CAP_SETUID), "and CAP_SETUID permitted");
	CHECK_OK(capget_(getpid(), d), "capget by our pid");
	CHECK_ERR(capget_(0x3fffffff, d), ESRCH, "capget of a missing pid ESRCH");
	CHECK_ERR(syscall(SYS_capget, BAD_LOW, d), EFAULT, "bad header pointer EFAULT");
	h = hdr(0);
	CHECK_ERR(syscall(SYS_capget, &h, BAD_LOW), EFAULT, "bad data pointer EFAULT");
	tap_in_child(drops, NULL);
	capget_(0, d);
	CHECK(d[0].permitted & BIT(CAP_NET_RAW), "our own capabilities are untouched");
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_TIME), 1, "and our bounding set");
	return tap_done();
}
