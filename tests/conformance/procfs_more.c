/* procfs_more: the /proc files programs read beyond the basics: limits
 * agrees with getrlimit, auxv holds the program's auxiliary vector,
 * oom_score_adj reads, writes and refuses as Linux (range, parse, the
 * CAP_SYS_RESOURCE floor, inherited on fork), mountinfo lists "/" and
 * "/proc" (fstype proc), ns/ links agree between a parent and its child
 * and part after unshare(CLONE_NEWUTS), boot_id is stable and uuid is
 * new at each read. Relations only, no host-specific values. Runs as
 * root (unshare). */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

#define CAP_SYS_RESOURCE_BIT 24

static ssize_t slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t off = 0;
	ssize_t r;
	while (off < n - 1 && (r = read(fd, buf + off, n - 1 - off)) > 0)
		off += (size_t)r;
	close(fd);
	buf[off] = 0;
	return (ssize_t)off;
}

/* write() of text to a fresh open of path: its result, errno kept. */
static long write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	long r = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static long read_long(const char *path)
{
	char buf[64];
	if (slurp(path, buf, sizeof buf) <= 0)
		return -99999;
	return strtol(buf, NULL, 10);
}

/* --- limits --------------------------------------------------------- */

/* The soft and hard columns of the row named name ("Max open files"). */
static bool limits_row(const char *text, const char *name, char *soft, char *hard)
{
	const char *p = strstr(text, name);
	if (!p || (p != text && p[-1] != '\n'))
		return false;
	/* The name is padded to 25 columns, the values to 20. */
	return sscanf(p + 25, "%31s %31s", soft, hard) == 2;
}

static bool limit_matches(const char *col, rlim_t v)
{
	if (v == RLIM_INFINITY)
		return !strcmp(col, "unlimited");
	char want[32];
	snprintf(want, sizeof want, "%llu", (unsigned long long)v);
	return !strcmp(col, want);
}

static void test_limits(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	struct rlimit nrl = { rl.rlim_cur > 123 ? 123 : rl.rlim_cur, rl.rlim_max };
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &nrl), "setrlimit(RLIMIT_NOFILE) soft 123");
	static char text[8192];
	CHECK(slurp("/proc/self/limits", text, sizeof text) > 0, "read /proc/self/limits");
	char header[128];
	snprintf(header, sizeof header, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	CHECK(!strncmp(text, header, strlen(header)), "limits: Linux's header line");
	int lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	CHECK_EQ(lines, 17, "limits: a header and 16 rows");
	static const struct { const char *name; int res; } rows[] = {
		{ "Max open files", RLIMIT_NOFILE }, { "Max stack size", RLIMIT_STACK },
		{ "Max core file size", RLIMIT_CORE }, { "Max processes", RLIMIT_NPROC },
		{ "Max address space", RLIMIT_AS }, { "Max realtime timeout", RLIMIT_RTTIME },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char soft[32] = "", hard[32] = "";
		getrlimit(rows[i].res, &rl);
		bool ok = limits_row(text, rows[i].name, soft, hard) && limit_matches(soft, rl.rlim_cur) &&
			  limit_matches(hard, rl.rlim_max);
		CHECK(ok, "limits: %s agrees with getrlimit", rows[i].name);
		if (!ok)
			tap_diag("row %s: %s %s", rows[i].name, soft, hard);
	}
	CHECK(strstr(text, "\nMax nice priority         ") != NULL, "limits: Max nice priority row");
	setrlimit(RLIMIT_NOFILE, &(struct rlimit){ rl.rlim_cur, rl.rlim_max });
}

/* --- auxv ----------------------------------------------------------- */

static void test_auxv(void)
{
	static uint64_t av[512];
	int fd = open("/proc/self/auxv", O_RDONLY);
	CHECK(fd >= 0, "open /proc/self/auxv");
	ssize_t n = 0, r;
	while (fd >= 0 && (size_t)n < sizeof av && (r = read(fd, (char *)av + n, sizeof av - (size_t)n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	CHECK(n > 0 && n % 16 == 0, "auxv: whole (type, value) pairs");
	size_t pairs = (size_t)n / 16;
	CHECK(pairs > 0 && av[2 * (pairs - 1)] == AT_NULL, "auxv: ends with AT_NULL");
	uint64_t pagesz = 0, entry = 0;
	for (size_t i = 0; i < pairs; i++) {
		if (av[2 * i] == AT_PAGESZ)
			pagesz = av[2 * i + 1];
		if (av[2 * i] == AT_ENTRY)
			entry = av[2 * i + 1];
	}
	CHECK_EQ(pagesz, 4096, "auxv: AT_PAGESZ is 4096");
	CHECK(entry != 0 && entry == getauxval(AT_ENTRY), "auxv: AT_ENTRY is the program's entry");
}

/* --- oom_score_adj -------------------------------------------------- */

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return false;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static void oom_child_inherits(void *arg)
{
	CHECK_EQ(read_long("/proc/self/oom_score_adj"), 700, "oom_score_adj: inherited on fork");
}

static void oom_child_unprivileged(void *arg)
{
	CHECK_OK(drop_cap(CAP_SYS_RESOURCE_BIT), "capset: drop CAP_SYS_RESOURCE");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", "-1000"), EACCES,
		  "oom_score_adj: below the floor without CAP_SYS_RESOURCE: EACCES");
	CHECK_EQ(read_long("/proc/self/oom_score_adj"), 700, "oom_score_adj: unchanged after EACCES");
	CHECK_OK(write_text("/proc/self/oom_score_adj", "800"), "oom_score_adj: raising needs no capability");
	CHECK_EQ(read_long("/proc/self/oom_score_adj"), 800, "oom_score_adj: reads 800");
}

static void test_oom_score_adj(void)
{
	long v0 = read_long("/proc/self/oom_score_adj");
	CHECK(v0 >= -1000 && v0 <= 1000, "oom_score_adj: an integer in -1000..1000");
	struct stat st;
	CHECK(stat("/proc/self/oom_score_adj", &st) == 0 && (st.st_mode & 0777) == 0644,
	      "oom_score_adj: mode 0644");
	CHECK_EQ(write_text("/proc/self/oom_score_adj", "700\n"), 4, "oom_score_adj: write 700");
	CHECK_EQ(read_long("/proc/self/oom_score_adj"), 700, "oom_score_adj: reads 700");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", "1001"), EINVAL, "oom_score_adj: 1001: EINVAL");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", "-1001"), EINVAL, "oom_score_adj: -1001: EINVAL");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", "abc"), EINVAL, "oom_score_adj: abc: EINVAL");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", "5x"), EINVAL, "oom_score_adj: 5x: EINVAL");
	CHECK_ERR(write_text("/proc/self/oom_score_adj", ""), EINVAL, "oom_score_adj: empty: EINVAL");
	CHECK_EQ(write_text("/proc/self/oom_score_adj", " 0x2bc "), 7, "oom_score_adj: base-0 0x2bc, spaces");
	CHECK_EQ(read_long("/proc/self/oom_score_adj"), 700, "oom_score_adj: reads 700 again");
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0, "oom_score_adj: open with O_TRUNC (echo >)");
	if (fd >= 0)
		close(fd);
	tap_in_child(oom_child_inherits, NULL);
	/* Lowering below the floor needs CAP_SYS_RESOURCE (the floor: the
	 * last value a holder wrote, 0 at boot). */
	errno = 0;
	long r = write_text("/proc/self/oom_score_adj", "-1000");
	bool privileged = has_cap(CAP_SYS_RESOURCE_BIT);
	int e = errno;
	if (!CHECK(privileged ? r == 5 : (r == -1 && e == EACCES),
		   "oom_score_adj: -1000 allowed exactly with CAP_SYS_RESOURCE"))
		tap_diag("privileged %d r %ld errno %s", privileged, r, tap_errname(e));
	write_text("/proc/self/oom_score_adj", "700");
	tap_in_child(oom_child_unprivileged, NULL);
}

/* --- mountinfo ------------------------------------------------------ */

/* The line of mountinfo whose mount point is mp: its fstype. */
static bool mountinfo_fstype(const char *text, const char *mp, char *fstype, int *id, int *parent)
{
	const char *line = text;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];
		if (len < sizeof buf) {
			memcpy(buf, line, len);
			buf[len] = 0;
			char root[512], point[512];
			unsigned maj, min;
			const char *sep = strstr(buf, " - ");
			if (sep && sscanf(buf, "%d %d %u:%u %511s %511s", id, parent, &maj, &min, root, point) == 6 &&
			    !strcmp(point, mp) && sscanf(sep + 3, "%63s", fstype) == 1)
				return true;
		}
		line += len + (nl ? 1 : 0);
	}
	return false;
}

static void test_mountinfo(void)
{
	static char text[65536];
	CHECK(slurp("/proc/self/mountinfo", text, sizeof text) > 0, "read /proc/self/mountinfo");
	char fstype[64] = "";
	int id = 0, parent = 0, root_id = 0, root_parent = 0;
	CHECK(mountinfo_fstype(text, "/", fstype, &root_id, &root_parent), "mountinfo: lists /");
	CHECK(mountinfo_fstype(text, "/proc", fstype, &id, &parent) && !strcmp(fstype, "proc"),
	      "mountinfo: lists /proc with fstype proc");
	CHECK(id != root_id && id > 0, "mountinfo: /proc has its own mount ID");
	char again[65536];
	slurp("/proc/self/mountinfo", again, sizeof again);
	CHECK(!strcmp(text, again), "mountinfo: the same text at a second read");
}

/* --- ns/ ------------------------------------------------------------ */

static const char *const ns_names[] = { "ipc", "mnt", "net", "pid", "pid_for_children", "user", "uts" };
#define NNS (sizeof ns_names / sizeof ns_names[0])

static void read_ns(const char *dir, char out[NNS][64])
{
	for (size_t i = 0; i < NNS; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/ns/%s", dir, ns_names[i]);
		ssize_t n = readlink(path, out[i], 63);
		out[i][n > 0 ? n : 0] = 0;
	}
}

static bool ns_text_ok(const char *text, const char *name)
{
	char want[32];
	snprintf(want, sizeof want, "%s:[", !strcmp(name, "pid_for_children") ? "pid" : name);
	size_t l = strlen(want);
	return !strncmp(text, want, l) && strtoul(text + l, NULL, 10) > 0 && text[strlen(text) - 1] == ']';
}

static void test_ns(void)
{
	char mine[NNS][64], child_view[NNS][64];
	read_ns("/proc/self", mine);
	bool form = true;
	for (size_t i = 0; i < NNS; i++)
		form &= ns_text_ok(mine[i], ns_names[i]);
	CHECK(form, "ns: links read \"type:[inode]\"");
	CHECK(!strcmp(mine[3], mine[4]), "ns: pid_for_children is pid without unshare");
	struct stat st;
	CHECK(lstat("/proc/self/ns/uts", &st) == 0 && S_ISLNK(st.st_mode), "ns: uts is a symlink");
	CHECK(lstat("/proc/self/ns", &st) == 0 && (st.st_mode & 0777) == 0511, "ns: directory mode 0511");

	int to_child[2], to_parent[2];
	pipe(to_child);
	pipe(to_parent);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(to_child[0], &c, 1);   /* the parent has read our links */
		int r = unshare(CLONE_NEWUTS);
		write(to_parent[1], &r, sizeof r);
		read(to_child[0], &c, 1);   /* and read them again */
		_exit(0);
	}
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d", pid);
	read_ns(dir, child_view);
	bool same = true;
	for (size_t i = 0; i < NNS; i++)
		same &= !strcmp(mine[i], child_view[i]);
	CHECK(same, "ns: a child after fork shares every namespace link");
	write(to_child[1], "x", 1);
	int r = -1;
	read(to_parent[0], &r, sizeof r);
	CHECK_EQ(r, 0, "ns: unshare(CLONE_NEWUTS) in the child");
	read_ns(dir, child_view);
	CHECK(strcmp(mine[6], child_view[6]) != 0 && ns_text_ok(child_view[6], "uts"),
	      "ns: uts differs after unshare(CLONE_NEWUTS)");
	CHECK(!strcmp(mine[0], child_view[0]) && !strcmp(mine[1], child_view[1]) &&
	      !strcmp(mine[5], child_view[5]), "ns: ipc, mnt and user still shared");
	write(to_child[1], "x", 1);
	waitpid(pid, NULL, 0);
}

/* --- sysctl files --------------------------------------------------- */

static bool uuid_form(const char *s)
{
	if (strlen(s) != 37 || s[36] != '\n')
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

static void test_sysctl(void)
{
	char a[64], b[64];
	slurp("/proc/sys/kernel/random/boot_id", a, sizeof a);
	slurp("/proc/sys/kernel/random/boot_id", b, sizeof b);
	CHECK(uuid_form(a), "boot_id: a UUID");
	CHECK(!strcmp(a, b), "boot_id: the same at every read");
	slurp("/proc/sys/kernel/random/uuid", a, sizeof a);
	slurp("/proc/sys/kernel/random/uuid", b, sizeof b);
	CHECK(uuid_form(a) && uuid_form(b), "uuid: UUIDs");
	CHECK(strcmp(a, b) != 0, "uuid: a new one at every read");
	CHECK(a[14] == '4' && strchr("89ab", a[19]), "uuid: version 4, RFC 4122 variant");
	long oc = read_long("/proc/sys/vm/overcommit_memory");
	CHECK(oc >= 0 && oc <= 2, "overcommit_memory: 0, 1 or 2");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	long nr_open = read_long("/proc/sys/fs/nr_open");
	CHECK(nr_open > 0 && (rl.rlim_max == RLIM_INFINITY || (rlim_t)nr_open >= rl.rlim_max),
	      "nr_open: at least RLIMIT_NOFILE's hard limit");
}

int main(void)
{
	test_limits();
	test_auxv();
	test_oom_score_adj();
	test_mountinfo();
	test_ns();
	test_sysctl();
	return tap_done();
}
