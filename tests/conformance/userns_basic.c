/* userns_basic: user namespaces without ID mappings (user_namespaces(7)).
 * An unprivileged process may create one; inside, its IDs (unmapped) read
 * as the overflow IDs 65534, it holds every capability (capget, the bounding
 * set) but only over what the new namespace owns: it may make a UTS, IPC or
 * network namespace and set the hostname of its own UTS namespace, not of
 * the one it came from. Unmapped IDs cannot be used: setuid/setgid/setresuid
 * to them and chown to them are EINVAL, setgroups is EPERM (no gid_map).
 * A nested user namespace needs the creator mapped in its parent: EPERM.
 * A root-created child namespace is not privileged over global things
 * (raising a hard rlimit EPERM). clone(CLONE_NEWUSER|CLONE_NEWUTS) works
 * unprivileged. A program run by execve in a namespace without a uid_map
 * starts with no capabilities. */
#include "tap.h"
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define UNPRIV_ID 12345
#define SUPP_GID 4242
#define OVERFLOW_ID 65534

static char path[64];
static const char *self;
static char stack[65536];

static long cap_last(void)
{
	/* Linux 5.9+ has 41 capabilities (CAP_CHECKPOINT_RESTORE = 40). */
	return 40;
}

static int full_caps(const struct __user_cap_data_struct d[2], int which)
{
	uint64_t want = (1ULL << (cap_last() + 1)) - 1;
	uint64_t got;
	if (which == 0)
		got = d[0].effective | (uint64_t)d[1].effective << 32;
	else if (which == 1)
		got = d[0].permitted | (uint64_t)d[1].permitted << 32;
	else
		got = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return got == want;
}

static void drop_privileges(void)
{
	gid_t g = SUPP_GID;
	if (setgroups(1, &g) || setgid(UNPRIV_ID) || setuid(UNPRIV_ID)) {
		tap_diag("cannot drop privileges: %s", tap_errname(errno));
		_exit(1);
	}
}

static void unprivileged(void *arg)
{
	drop_privileges();
	CHECK_ERR(unshare(CLONE_NEWUTS), EPERM, "unprivileged unshare(CLONE_NEWUTS) EPERM");
	CHECK_ERR(unshare(CLONE_NEWNET), EPERM, "unprivileged unshare(CLONE_NEWNET) EPERM");
	CHECK_OK(unshare(CLONE_NEWUSER), "unprivileged unshare(CLONE_NEWUSER)");

	CHECK_EQ(getuid(), OVERFLOW_ID, "getuid is the overflow uid");
	CHECK_EQ(geteuid(), OVERFLOW_ID, "geteuid is the overflow uid");
	CHECK_EQ(getgid(), OVERFLOW_ID, "getgid is the overflow gid");
	CHECK_EQ(getegid(), OVERFLOW_ID, "getegid is the overflow gid");
	uid_t r = 0, e = 0, s = 0;
	getresuid(&r, &e, &s);
	CHECK(r == OVERFLOW_ID && e == OVERFLOW_ID && s == OVERFLOW_ID, "getresuid: all overflow");
	gid_t rg = 0, eg = 0, sg = 0;
	getresgid(&rg, &eg, &sg);
	CHECK(rg == OVERFLOW_ID && eg == OVERFLOW_ID && sg == OVERFLOW_ID, "getresgid: all overflow");
	gid_t groups[4] = { 0 };
	int n = getgroups(4, groups);
	CHECK(n == 1 && groups[0] == OVERFLOW_ID, "getgroups: the supplementary group is overflow");

	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	CHECK_OK(syscall(SYS_capget, &h, d), "capget");
	CHECK(full_caps(d, 0), "every capability is effective");
	CHECK(full_caps(d, 1), "every capability is permitted");
	CHECK(d[0].inheritable == 0 && d[1].inheritable == 0, "none is inheritable");
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN), 1, "CAP_SYS_ADMIN is in the bounding set");
	/* Nobody is root in a namespace without a uid_map: a program starts
	 * with no capabilities (only the ambient ones, none here). */
	pid_t pid = fork();
	if (pid == 0) {
		execl(self, self, "caps", (char *)NULL);
		_exit(3);
	}
	int ws = tap_wait(pid, 0);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "after execve no capability is left");

	struct stat st;
	CHECK_OK(stat(path, &st), "stat a file we own");
	CHECK(st.st_uid == OVERFLOW_ID && st.st_gid == OVERFLOW_ID, "its owner reads as overflow");
	CHECK_OK(stat("/", &st), "stat /");
	CHECK(st.st_uid == OVERFLOW_ID, "root-owned / reads as overflow");

	CHECK_ERR(setuid(0), EINVAL, "setuid(0): unmapped EINVAL");
	CHECK_ERR(setuid(OVERFLOW_ID), EINVAL, "setuid(65534): unmapped EINVAL");
	CHECK_ERR(setgid(0), EINVAL, "setgid(0): unmapped EINVAL");
	CHECK_ERR(setresuid(0, -1, -1), EINVAL, "setresuid(0, -1, -1) EINVAL");
	CHECK_OK(setresuid(-1, -1, -1), "setresuid(-1, -1, -1) changes nothing");
	CHECK_ERR(setreuid(-1, 0), EINVAL, "setreuid(-1, 0) EINVAL");
	CHECK_ERR(setgroups(0, NULL), EPERM, "setgroups EPERM without a gid_map");
	CHECK_ERR(chown(path, 0, -1), EINVAL, "chown to an unmapped uid EINVAL");
	CHECK_ERR(chown(path, -1, 0), EINVAL, "chown to an unmapped gid EINVAL");

	CHECK_ERR(sethostname("moat-userns", 11), EPERM,
		  "sethostname of the parent's UTS namespace EPERM");
	CHECK_ERR(unshare(CLONE_NEWUSER), EPERM, "a nested user namespace needs a mapping: EPERM");
	CHECK_OK(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET) inside");
	CHECK_OK(unshare(CLONE_NEWIPC), "unshare(CLONE_NEWIPC) inside");
	CHECK_OK(unshare(CLONE_NEWUTS), "unshare(CLONE_NEWUTS) inside");
	CHECK_OK(sethostname("moat-userns", 11), "sethostname of our own UTS namespace");
	char host[65] = "";
	gethostname(host, sizeof host);
	CHECK(strcmp(host, "moat-userns") == 0, "and it is seen");

	/* Capabilities can be dropped like anywhere else. */
	memset(d, 0, sizeof d);
	CHECK_OK(syscall(SYS_capset, &h, d), "capset: drop every capability");
	CHECK_ERR(unshare(CLONE_NEWUTS), EPERM, "without CAP_SYS_ADMIN no new UTS namespace");
	CHECK_ERR(sethostname("again", 5), EPERM, "nor sethostname");
}

static int clone_child(void *arg)
{
	int bad = 0;
	if (getuid() != OVERFLOW_ID)
		bad |= 1;
	if (sethostname("moat-clone", 10) != 0)
		bad |= 2;
	return bad;
}

static void unprivileged_clone(void *arg)
{
	drop_privileges();
	struct utsname before, after;
	uname(&before);
	pid_t pid = clone(clone_child, stack + sizeof stack, CLONE_NEWUSER | CLONE_NEWUTS | SIGCHLD, NULL);
	CHECK_OK(pid, "unprivileged clone(CLONE_NEWUSER | CLONE_NEWUTS)");
	int st = pid > 0 ? tap_wait(pid, 0) : -1;
	CHECK(st >= 0 && WIFEXITED(st) && !(WEXITSTATUS(st) & 1), "the child's uid is overflow");
	CHECK(st >= 0 && WIFEXITED(st) && !(WEXITSTATUS(st) & 2), "it sets the hostname of its UTS namespace");
	uname(&after);
	CHECK(strcmp(before.nodename, after.nodename) == 0, "ours is unchanged");
	pid = clone(clone_child, stack + sizeof stack, CLONE_NEWUTS | SIGCHLD, NULL);
	CHECK(pid == -1 && errno == EPERM, "clone(CLONE_NEWUTS) alone EPERM");
}

/* Root going into a new user namespace loses its global privileges. */
static void root_child(void *arg)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max > 64) {
		rl.rlim_max -= 1;
		rl.rlim_cur = rl.rlim_max < rl.rlim_cur ? rl.rlim_max : rl.rlim_cur;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	CHECK_OK(unshare(CLONE_NEWUSER), "root: unshare(CLONE_NEWUSER)");
	CHECK_EQ(getuid(), OVERFLOW_ID, "root reads as overflow");
	rl.rlim_max += 1;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM, "raising a hard rlimit needs the initial namespace: EPERM");
	CHECK_ERR(sethostname("x", 1), EPERM, "sethostname of the initial UTS namespace EPERM");
	CHECK_ERR(setuid(0), EINVAL, "setuid(0) EINVAL");
}

/* Run by execve from inside the namespace: exit 0 if no capability is
 * effective or permitted. */
static int exec_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return 2;
	return (d[0].effective | d[1].effective | d[0].permitted | d[1].permitted) ? 1 : 0;
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1 && strcmp(argv[1], "caps") == 0)
		return exec_caps();
	snprintf(path, sizeof path, "/tmp/userns_basic.%d", getpid());
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK_OK(fd, "create a file");
	close(fd);
	CHECK_OK(chown(path, UNPRIV_ID, UNPRIV_ID), "give it to the unprivileged user");
	CHECK_OK(chmod("/tmp", 01777) , "/tmp is world-writable");
	tap_in_child(unprivileged, NULL);
	tap_in_child(unprivileged_clone, NULL);
	tap_in_child(root_child, NULL);
	unlink(path);
	return tap_done();
}
