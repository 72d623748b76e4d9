/* proc_ids: getpid/getppid/gettid relations in a single-threaded process,
 * uid/gid families agree with each other, getgroups sizes and EINVAL,
 * getresuid/getresgid EFAULT, umask round trips. Values are not printed. */
#include "tap.h"
#include <grp.h>
#include <sys/stat.h>

int main(void)
{
	pid_t pid = getpid();
	CHECK(pid > 0, "getpid is positive");
	CHECK_EQ(syscall(SYS_gettid), pid, "gettid == getpid when single-threaded");
	CHECK_EQ(syscall(SYS_getpid), pid, "getpid is stable");
	CHECK(getppid() >= 0 && getppid() != pid, "getppid is another process (or 0)");
	CHECK(getpgrp() >= 0, "getpgrp is not negative (0 when the group leader is outside our PID namespace)");
	CHECK(getsid(0) >= 0, "getsid(0) is not negative (0 when the session leader is outside our PID namespace)");
	CHECK_EQ(getsid(0), getsid(pid), "getsid(0) == getsid(getpid())");
	CHECK_EQ(getpgid(0), getpgrp(), "getpgid(0) == getpgrp()");
	CHECK_ERR(getsid(-1), ESRCH, "getsid(-1) ESRCH");
	CHECK_ERR(getpgid(-1), ESRCH, "getpgid(-1) ESRCH");
	CHECK_ERR(getsid(0x3fffffff), ESRCH, "getsid of a missing pid ESRCH");

	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_OK(getresuid(&r, &e, &s), "getresuid");
	CHECK(r == getuid() && e == geteuid(), "getresuid agrees with getuid/geteuid");
	CHECK_OK(getresgid(&gr, &ge, &gs), "getresgid");
	CHECK(gr == getgid() && ge == getegid(), "getresgid agrees with getgid/getegid");
	CHECK_ERR(syscall(SYS_getresuid, BAD_LOW, &e, &s), EFAULT, "getresuid bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_getresgid, &gr, &ge, BAD_KERNEL), EFAULT, "getresgid kernel pointer EFAULT");
	CHECK_OK(setuid(getuid()), "setuid to the current uid");
	CHECK_OK(setgid(getgid()), "setgid to the current gid");
	CHECK_EQ(syscall(SYS_setfsuid, -1), geteuid(), "setfsuid(-1) reports the fsuid");
	CHECK_EQ(syscall(SYS_setfsgid, -1), getegid(), "setfsgid(-1) reports the fsgid");

	int n = CHECK_OK(getgroups(0, NULL), "getgroups(0) counts the groups");
	gid_t groups[1024];
	CHECK_EQ(getgroups(1024, groups), n, "getgroups fills the list");
	if (n > 0)
		CHECK_ERR(getgroups(n - 1, groups), EINVAL, "getgroups with a too small size EINVAL");
	else
		CHECK(1, "getgroups with a too small size EINVAL");
	CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL, "getgroups negative size EINVAL");
	if (n > 0)
		CHECK_ERR(syscall(SYS_getgroups, n, BAD_LOW), EFAULT, "getgroups bad pointer EFAULT");
	else
		CHECK(1, "getgroups bad pointer EFAULT");

	mode_t old = umask(027);
	CHECK_EQ(umask(old), 027, "umask returns the previous mask");
	CHECK_EQ(umask(0777 | 07000), old, "umask round trip");
	CHECK_EQ(umask(old), 0777, "umask keeps only the permission bits");
	return tap_done();
}
