/* cred_uid: user ID changes (each case in a forked child so the test keeps
 * root). Root's setresuid sets all three ids; an unprivileged process may
 * only pick among its real/effective/saved ids (EPERM otherwise) for
 * setresuid, setreuid and setuid; setreuid updates the saved id when the
 * real id is set; setuid as root sets all three; the filesystem uid follows
 * the effective uid, setfsuid returns the old value and ignores values it
 * may not use; capabilities: effective cleared when euid leaves 0,
 * restored when it returns while the saved uid is 0; permitted cleared
 * when no id is 0, unless PR_SET_KEEPCAPS. */
#include "tap.h"
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>

static int ids_are(uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;
	getresuid(&a, &b, &c);
	return a == r && b == e && c == s;
}

static void caps(uint32_t *eff, uint32_t *perm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	*eff = d[0].effective;
	*perm = d[0].permitted;
}

static void unprivileged(void *arg)
{
	CHECK_OK(setresuid(1000, 2000, 3000), "root setresuid(1000, 2000, 3000)");
	CHECK(ids_are(1000, 2000, 3000), "all three set");
	CHECK_EQ(setfsuid(-1), 2000, "fsuid followed the euid");
	uint32_t eff, perm;
	caps(&eff, &perm);
	CHECK(eff == 0 && perm == 0, "no uid 0 left: effective and permitted capabilities cleared");
	CHECK_ERR(setuid(0), EPERM, "setuid(0) EPERM");
	CHECK_ERR(setresuid(-1, 4000, -1), EPERM, "setresuid to a foreign euid EPERM");
	CHECK_ERR(setresuid(-1, -1, 4000), EPERM, "setresuid to a foreign suid EPERM");
	CHECK_OK(setresuid(-1, 3000, -1), "euid := saved id is allowed");
	CHECK(ids_are(1000, 3000, 3000), "euid 3000");
	CHECK_OK(setresuid(2000 - 1000, -1, -1), "ruid := 1000 (its own) is allowed");
	CHECK_OK(setuid(1000), "unprivileged setuid to the real uid");
	CHECK(ids_are(1000, 1000, 3000), "setuid changed only the euid");
	CHECK_ERR(setreuid(3000, -1), EPERM, "setreuid ruid := saved uid EPERM (only real or effective)");
	CHECK_OK(setreuid(-1, 3000), "setreuid euid := saved uid");
	CHECK(ids_are(1000, 3000, 3000), "euid differs from the real id: saved := new euid");
	CHECK_OK(setreuid(3000, -1), "setreuid ruid := euid");
	CHECK(ids_are(3000, 3000, 3000), "setting the real id sets saved := euid");
	CHECK_ERR(setreuid(-1, 5000), EPERM, "setreuid to a foreign euid EPERM");
	CHECK_ERR(setreuid(5000, -1), EPERM, "setreuid to a foreign ruid EPERM");
	CHECK_EQ(setfsuid(7777), 3000, "setfsuid to a foreign id returns the old fsuid");
	CHECK_EQ(setfsuid(-1), 3000, "and did not change it");
}

static void effective_only(void *arg)
{
	CHECK_OK(seteuid(1000), "root seteuid(1000)");
	CHECK(ids_are(0, 1000, 0), "only the euid changed");
	uint32_t eff, perm;
	caps(&eff, &perm);
	CHECK(eff == 0 && perm != 0, "effective capabilities cleared, permitted kept");
	CHECK_ERR(setresuid(-1, -1, 1234), EPERM, "without capabilities: foreign suid EPERM");
	CHECK_OK(seteuid(0), "back to euid 0 (the real id)");
	caps(&eff, &perm);
	CHECK(eff == perm && eff != 0, "effective capabilities restored");
	CHECK_OK(setuid(4242), "root setuid(4242)");
	CHECK(ids_are(4242, 4242, 4242), "sets all three");
	CHECK_ERR(setuid(0), EPERM, "and there is no way back");
}

static void keepcaps(void *arg)
{
	CHECK_OK(prctl(PR_SET_KEEPCAPS, 1), "PR_SET_KEEPCAPS 1");
	CHECK_EQ(prctl(PR_GET_KEEPCAPS), 1, "PR_GET_KEEPCAPS");
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2), EINVAL, "PR_SET_KEEPCAPS 2 EINVAL");
	CHECK_OK(setresuid(1000, 1000, 1000), "drop every uid");
	uint32_t eff, perm;
	caps(&eff, &perm);
	CHECK(eff == 0 && perm != 0, "with KEEPCAPS permitted capabilities survive, effective do not");
	CHECK_EQ(prctl(PR_GET_KEEPCAPS), 1, "KEEPCAPS still set");
}

int main(void)
{
	tap_in_child(unprivileged, NULL);
	tap_in_child(effective_only, NULL);
	tap_in_child(keepcaps, NULL);
	CHECK_EQ(getuid(), 0, "the test itself is still root");
	return tap_done();
}
