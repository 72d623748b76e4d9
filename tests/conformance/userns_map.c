/* userns_map: writing a user namespace's ID maps through /proc/<pid>/uid_map,
 * gid_map and setgroups (user_namespaces(7)).
 * A child unshares CLONE_NEWUSER; the parent (root) writes its maps. The
 * child then sees its IDs and file owners through them (0 where 0 maps to
 * the host's root, the overflow ID 65534 where the host ID is unmapped).
 * Reading a map shows "%10u %10u %10u" lines whose outside IDs are those of
 * the reader's namespace (of the parent, for a reader inside): a nested
 * namespace mapped to 5 in a namespace mapped to 1000.. shows 5 from its
 * parent and from inside, 1005 from the host. pwrite is ESPIPE (seq files).
 * Errors: a second write EPERM; overlapping extents, malformed lines, a
 * count of 0, wrapping ranges and a write at a non-zero offset EINVAL; the
 * initial namespace's maps EPERM; setgroups "deny" after gid_map EPERM,
 * "allow" after "deny" EPERM, other words EINVAL; setgroups(2) EPERM in a
 * namespace where it was denied.
 * An unprivileged owner may map only its own euid/egid with count 1, and
 * the gid only once setgroups is denied. */
#include "tap.h"
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define UNPRIV 1000
#define OVERFLOW_ID 65534

struct result {
	long v[6];
};

struct nschild {
	pid_t pid;
	int cmd, res;
};

static char pathbuf[64];

static const char *proc_path(pid_t pid, const char *name)
{
	snprintf(pathbuf, sizeof pathbuf, "/proc/%d/%s", (int)pid, name);
	return pathbuf;
}

/* 0 or the errno of writing text at offset off (lseek, then write; -1:
 * at the start). */
static long write_at(const char *path, const char *text, off_t off)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	ssize_t n = off < 0 || lseek(fd, off, SEEK_SET) == off ? write(fd, text, strlen(text)) : -1;
	long e = n < 0 ? errno : n == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return e;
}

static long write_file(const char *path, const char *text) { return write_at(path, text, -1); }

/* The file's text into buf ("" when it cannot be read). */
static void read_text(const char *path, char *buf, size_t cap)
{
	buf[0] = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, cap - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
}

/* The outside ID of a map's first line; -2 when the map is empty. */
static long map_lower(const char *path)
{
	char buf[256];
	unsigned a, b, c;
	read_text(path, buf, sizeof buf);
	if (!buf[0])
		return -2;
	return sscanf(buf, "%u %u %u", &a, &b, &c) == 3 ? (long)b : -1;
}

/* --- the child in its new namespace, serving commands ----------------- */

static int nested_go = -1;
static pid_t nested_pid;

static void nested_child(int go, int back)
{
	long e = unshare(CLONE_NEWUSER) ? errno : 0;
	char c;
	if (write(back, &e, sizeof e) != sizeof e || read(go, &c, 1) != 1)
		_exit(1);
	long lower = map_lower("/proc/self/uid_map");
	if (write(back, &lower, sizeof lower) != sizeof lower)
		_exit(1);
	while (read(go, &c, 1) > 0)
		;
	_exit(0);
}

/* 'n': a namespace inside ours, mapped "0 5 1" by us. */
static void make_nested(struct result *r)
{
	int go[2], back[2];
	if (pipe(go) || pipe(back))
		return;
	pid_t g = fork();
	if (g == 0) {
		close(go[1]);
		close(back[0]);
		nested_child(go[0], back[1]);
	}
	close(go[0]);
	close(back[1]);
	long e = -1;
	if (read(back[0], &e, sizeof e) != sizeof e)
		e = -1;
	r->v[0] = e;
	r->v[1] = write_file(proc_path(g, "uid_map"), "0 5 1\n");
	r->v[2] = map_lower(proc_path(g, "uid_map"));
	r->v[3] = -1;
	if (write(go[1], "x", 1) != 1 || read(back[0], &r->v[3], sizeof r->v[3]) != sizeof r->v[3])
		r->v[3] = -1;
	r->v[4] = g;
	close(back[0]);
	nested_go = go[1];
	nested_pid = g;
}

static void serve(int cmd, int res)
{
	long e = unshare(CLONE_NEWUSER) ? errno : 0;
	if (write(res, &e, sizeof e) != sizeof e)
		_exit(1);
	char c;
	while (read(cmd, &c, 1) == 1 && c != 'q') {
		struct result r = { { 0 } };
		struct stat st;
		switch (c) {
		case 'i':
			r.v[0] = getuid();
			r.v[1] = geteuid();
			r.v[2] = getgid();
			r.v[3] = getegid();
			r.v[4] = stat("/", &st) ? -1 : (long)st.st_uid;
			r.v[5] = stat("/", &st) ? -1 : (long)st.st_gid;
			break;
		case 'g':
			r.v[0] = setgroups(0, NULL) ? errno : 0;
			break;
		case 'm':
			r.v[0] = map_lower("/proc/self/uid_map");
			break;
		case 'n':
			make_nested(&r);
			break;
		case 'r':
			close(nested_go);
			r.v[0] = waitpid(nested_pid, NULL, 0) == nested_pid;
			break;
		}
		if (write(res, &r, sizeof r) != sizeof r)
			_exit(1);
	}
	_exit(0);
}

/* A child in a new user namespace: 0 or the errno of its unshare. */
static long spawn(struct nschild *c)
{
	int a[2], b[2];
	if (pipe(a) || pipe(b))
		return errno;
	fflush(stdout);
	c->pid = fork();
	if (c->pid == 0) {
		close(a[1]);
		close(b[0]);
		serve(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	c->cmd = a[1];
	c->res = b[0];
	long e = -1;
	if (c->pid < 0 || read(c->res, &e, sizeof e) != sizeof e)
		return -1;
	return e;
}

static struct result ask(struct nschild *c, char cmd)
{
	struct result r;
	memset(&r, 0xff, sizeof r);
	if (write(c->cmd, &cmd, 1) != 1 || read(c->res, &r, sizeof r) != sizeof r)
		memset(&r, 0xff, sizeof r);
	return r;
}

static void finish(struct nschild *c)
{
	if (write(c->cmd, "q", 1) != 1)
		kill(c->pid, SIGKILL);
	close(c->cmd);
	close(c->res);
	waitpid(c->pid, NULL, 0);
}

/* --- the checks -------------------------------------------------------- */

static void root_mapped(void)
{
	struct nschild c;
	CHECK_EQ(spawn(&c), 0, "unshare(CLONE_NEWUSER) in a child");
	char buf[256];
	read_text(proc_path(c.pid, "uid_map"), buf, sizeof buf);
	CHECK_EQ(strlen(buf), 0, "a new namespace's uid_map is empty");
	read_text(proc_path(c.pid, "setgroups"), buf, sizeof buf);
	CHECK(!strcmp(buf, "allow\n"), "its setgroups reads allow");
	struct result r = ask(&c, 'i');
	CHECK(r.v[0] == OVERFLOW_ID && r.v[2] == OVERFLOW_ID, "unmapped: getuid and getgid are 65534");
	CHECK(r.v[4] == OVERFLOW_ID, "unmapped: / is owned by 65534");

	CHECK_EQ(write_at(proc_path(c.pid, "uid_map"), "0 0 1\n", 1), EINVAL, "uid_map write at offset 1: EINVAL");
	int fd = open(proc_path(c.pid, "uid_map"), O_WRONLY);
	CHECK_ERR(pwrite(fd, "0 0 1\n", 6, 0), ESPIPE, "pwrite of uid_map: ESPIPE (a seq file)");
	close(fd);
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0 10\n5 100 10\n"), EINVAL,
		 "overlapping inside ranges: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0 10\n20 5 10\n"), EINVAL,
		 "overlapping outside ranges: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0\n"), EINVAL, "two numbers: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "a b c\n"), EINVAL, "not numbers: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0 1 x\n"), EINVAL, "trailing junk: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0 0\n"), EINVAL, "a count of 0: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 4294967290 10\n"), EINVAL, "a wrapping range: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "4294967295 0 1\n"), EINVAL, "ID -1: EINVAL");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), ""), EINVAL, "an empty write: EINVAL");
	CHECK_EQ(map_lower(proc_path(c.pid, "uid_map")), -2, "failed writes leave the map empty");

	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "  0\t0 1  \n"), 0, "uid_map 0 0 1 written by root");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "1 1 1\n"), EPERM, "a second uid_map write: EPERM");
	read_text(proc_path(c.pid, "uid_map"), buf, sizeof buf);
	CHECK(!strcmp(buf, "         0          0          1\n"), "uid_map reads back in Linux's format");
	if (strcmp(buf, "         0          0          1\n"))
		tap_diag("uid_map: '%s'", buf);
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 0 1\n"), 0, "gid_map 0 0 1 written by root");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "deny"), EPERM, "setgroups deny after gid_map: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "allow\n"), 0, "setgroups allow (unchanged): ok");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "maybe"), EINVAL, "setgroups maybe: EINVAL");
	r = ask(&c, 'i');
	CHECK(r.v[0] == 0 && r.v[1] == 0 && r.v[2] == 0 && r.v[3] == 0, "mapped: getuid/geteuid/getgid/getegid are 0");
	CHECK(r.v[4] == 0 && r.v[5] == 0, "mapped: / is owned by 0:0 inside");
	r = ask(&c, 'g');
	CHECK_EQ(r.v[0], 0, "setgroups(2) allowed in the mapped namespace");
	CHECK_EQ(ask(&c, 'm').v[0], 0, "the child reads its own uid_map relative to its parent");
	finish(&c);
}

static void shifted_and_nested(void)
{
	struct nschild c;
	CHECK_EQ(spawn(&c), 0, "another child namespace");
	/* The host's root must map for the child to make a namespace. */
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 1000 2000\n2000 0 1\n"), 0, "uid_map of two extents");
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 1000 2000\n2000 0 1\n"), 0, "gid_map of two extents");
	char buf[256];
	read_text(proc_path(c.pid, "gid_map"), buf, sizeof buf);
	CHECK(!strcmp(buf, "         0       1000       2000\n      2000          0          1\n"),
	      "gid_map reads back both lines in order");
	struct result r = ask(&c, 'i');
	CHECK(r.v[0] == 2000 && r.v[2] == 2000, "host root is 2000 inside: getuid and getgid");
	CHECK(r.v[4] == 2000 && r.v[5] == 2000, "host root is 2000 inside: / is owned by 2000");
	r = ask(&c, 'n');
	CHECK_EQ(r.v[0], 0, "a nested namespace");
	CHECK_EQ(r.v[1], 0, "its parent writes its uid_map 0 5 1");
	CHECK_EQ(r.v[2], 5, "the parent namespace reads outside ID 5");
	CHECK_EQ(r.v[3], 5, "the nested namespace itself reads 5 (its parent's view)");
	CHECK_EQ(map_lower(proc_path((pid_t)r.v[4], "uid_map")), 1005, "the host reads 1005");
	CHECK_EQ(ask(&c, 'r').v[0], 1, "nested child done");
	finish(&c);
}

static void setgroups_denied(void)
{
	struct nschild c;
	CHECK_EQ(spawn(&c), 0, "a third child namespace");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "deny\n"), 0, "setgroups deny before gid_map");
	char buf[64];
	read_text(proc_path(c.pid, "setgroups"), buf, sizeof buf);
	CHECK(!strcmp(buf, "deny\n"), "setgroups reads deny");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "allow"), EPERM, "allow after deny: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 0 1"), 0, "uid_map written");
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 0 1"), 0, "gid_map written");
	CHECK_EQ(ask(&c, 'g').v[0], EPERM, "setgroups(2) after deny: EPERM");
	finish(&c);
	CHECK_EQ(write_file("/proc/self/uid_map", "0 0 1"), EPERM, "the initial namespace's uid_map: EPERM");
	CHECK_EQ(write_file("/proc/self/setgroups", "deny"), EPERM, "deny in the initial namespace: EPERM");
}

static void unprivileged(void *arg)
{
	if (setgroups(0, NULL) || setgid(UNPRIV) || setuid(UNPRIV)) {
		tap_diag("cannot drop privileges: %s", tap_errname(errno));
		return;
	}
	/* After setuid the process is not dumpable and its /proc files
	 * would belong to root. */
	prctl(PR_SET_DUMPABLE, 1);
	struct nschild c;
	CHECK_EQ(spawn(&c), 0, "an unprivileged child namespace");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 1001 1"), EPERM, "someone else's uid: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 1000 2"), EPERM, "a count of 2: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 1000 1\n1 1001 1"), EPERM, "two extents: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "uid_map"), "0 1000 1"), 0, "its own euid: ok");
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 1000 1"), EPERM, "gid_map before setgroups deny: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "setgroups"), "deny"), 0, "setgroups deny");
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 1001 1"), EPERM, "someone else's gid: EPERM");
	CHECK_EQ(write_file(proc_path(c.pid, "gid_map"), "0 1000 1"), 0, "its own egid after deny: ok");
	struct result r = ask(&c, 'i');
	CHECK(r.v[0] == 0 && r.v[1] == 0 && r.v[2] == 0 && r.v[3] == 0, "inside: uid and gid 0");
	CHECK(r.v[4] == OVERFLOW_ID, "inside: / is owned by 65534");
	CHECK_EQ(ask(&c, 'g').v[0], EPERM, "setgroups(2) inside: EPERM");
	finish(&c);
}

int main(void)
{
	tap_close_extra_fds();
	if (geteuid() != 0) {
		tap_diag("needs root");
		return tap_done();
	}
	root_mapped();
	shifted_and_nested();
	setgroups_denied();
	tap_in_child(unprivileged, NULL);
	return tap_done();
}
