/* cred_gid: group IDs and supplementary groups (in forked children). Root
 * sets all three gids with setresgid and setgid; setgroups replaces the
 * list (getgroups returns it, size 0 counts), an empty list is allowed,
 * more than NGROUPS_MAX (65536) EINVAL, bad pointer EFAULT; without
 * CAP_SETGID (after dropping uids) setgroups and a foreign gid are EPERM
 * while choosing among real/effective/saved gids works; setfsgid follows
 * the egid and returns the old value. */
#include "tap.h"
#include <grp.h>
#include <sys/fsuid.h>

static int gids_are(gid_t r, gid_t e, gid_t s)
{
	gid_t a, b, c;
	getresgid(&a, &b, &c);
	return a == r && b == e && c == s;
}

static void privileged(void *arg)
{
	CHECK_OK(setresgid(100, 200, 300), "root setresgid(100, 200, 300)");
	CHECK(gids_are(100, 200, 300), "all three set");
	CHECK_EQ(setfsgid(-1), 200, "fsgid follows the egid");
	CHECK_OK(setgid(400), "root setgid(400)");
	CHECK(gids_are(400, 400, 400), "sets all three");
	gid_t list[3] = { 5, 6, 7 }, got[8];
	CHECK_OK(setgroups(3, list), "setgroups three groups");
	CHECK_EQ(getgroups(0, NULL), 3, "getgroups(0) counts them");
	CHECK_EQ(getgroups(8, got), 3, "getgroups returns them");
	CHECK(got[0] == 5 && got[1] == 6 && got[2] == 7, "in order");
	CHECK_ERR(getgroups(2, got), EINVAL, "too small a buffer EINVAL");
	CHECK_ERR(setgroups(65537, list), EINVAL, "more than NGROUPS_MAX EINVAL");
	CHECK_ERR(syscall(SYS_setgroups, 2, BAD_LOW), EFAULT, "bad list pointer EFAULT");
	CHECK_OK(setgroups(0, NULL), "an empty list");
	CHECK_EQ(getgroups(0, NULL), 0, "no supplementary groups");
}

static void unprivileged(void *arg)
{
	setresgid(100, 200, 300);
	CHECK_OK(setresuid(1000, 1000, 1000), "drop to uid 1000");
	gid_t list[1] = { 9 };
	CHECK_ERR(setgroups(1, list), EPERM, "setgroups without CAP_SETGID EPERM");
	CHECK_ERR(setgid(999), EPERM, "setgid to a foreign gid EPERM");
	CHECK_ERR(setresgid(-1, 999, -1), EPERM, "setresgid to a foreign egid EPERM");
	CHECK_OK(setresgid(-1, 300, -1), "egid := saved gid");
	CHECK(gids_are(100, 300, 300 ), "egid 300");
	CHECK_OK(setgid(100), "setgid to the real gid");
	CHECK(gids_are(100, 100, 300), "changed only the egid");
	CHECK_OK(setregid(-1, 300), "setregid egid := saved");
	CHECK(gids_are(100, 300, 300), "saved := new egid (differs from the real gid)");
	CHECK_EQ(setfsgid(999), 300, "setfsgid to a foreign gid returns the old fsgid");
	CHECK_EQ(setfsgid(-1), 300, "and did not change it");
	CHECK_EQ(setfsgid(100), 300, "setfsgid to the real gid");
	CHECK_EQ(setfsgid(-1), 100, "is allowed");
}

int main(void)
{
	tap_in_child(privileged, NULL);
	tap_in_child(unprivileged, NULL);
	CHECK_EQ(getgid(), 0, "the test itself keeps gid 0");
	return tap_done();
}
