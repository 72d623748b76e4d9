/* ns_setns: setns(2) and the /proc/<pid>/ns links it takes (run as root).
 * Opened links are namespace files (equal st_ino for one namespace, the
 * number in the link text); setns through one joins that namespace
 * (hostname follows a child's UTS namespace, and back), through a pidfd
 * several at once; wrong nstype, bad fd, an ordinary file: EINVAL/EBADF;
 * the own user namespace: EINVAL, an ancestor one: EPERM, namespaces
 * owned by another user namespace: EPERM; a PID namespace
 * join changes only where children go; a mount namespace join moves the
 * cwd to its root. */
#include "tap.h"
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHILD_HOST "moat-setns-child"

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

static int ns_open(pid_t pid, const char *kind)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)pid, kind);
	return open(p, O_RDONLY | O_CLOEXEC);
}

static void ns_text(pid_t pid, const char *kind, char *buf, size_t n)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)pid, kind);
	ssize_t r = readlink(p, buf, n - 1);
	buf[r > 0 ? r : 0] = 0;
}

/* A child that unshares flags (and names its UTS namespace), tells us,
 * and waits until its pipe closes. */
static pid_t ns_child(int flags, int *release)
{
	int ready[2], hold[2];
	if (pipe(ready) || pipe(hold))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		char ok = 1;
		if (unshare(flags) != 0)
			ok = 0;
		if ((flags & CLONE_NEWUTS) && sethostname(CHILD_HOST, strlen(CHILD_HOST)) != 0)
			ok = 0;
		if (write(ready[1], &ok, 1) != 1)
			_exit(1);
		char c;
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	char ok = 0;
	if (pid < 0 || read(ready[0], &ok, 1) != 1 || !ok)
		pid = -1;
	close(ready[0]);
	*release = hold[1];
	return pid;
}

static void end_child(pid_t pid, int release)
{
	close(release);
	if (pid > 0)
		tap_wait(pid, 0);
}

static bool hostname_is(const char *want)
{
	char h[65] = { 0 };
	gethostname(h, sizeof h - 1);
	return strcmp(h, want) == 0;
}

static void test_uts_file(pid_t child, const char *own_host, int own_uts)
{
	int cfd = CHECK_OK(ns_open(child, "uts"), "open the child's /proc/<pid>/ns/uts");
	CHECK_OK(setns(cfd, CLONE_NEWUTS), "setns into it with CLONE_NEWUTS");
	CHECK(hostname_is(CHILD_HOST), "gethostname shows the child's name");
	CHECK_OK(setns(own_uts, 0), "setns back with nstype 0");
	CHECK(hostname_is(own_host), "our own hostname again");
	CHECK_ERR(setns(cfd, CLONE_NEWIPC), EINVAL, "a uts file with CLONE_NEWIPC: EINVAL");

	struct stat a, b, l, own;
	int cfd2 = CHECK_OK(ns_open(child, "uts"), "open the same link again");
	CHECK(fstat(cfd, &a) == 0 && fstat(cfd2, &b) == 0, "fstat both");
	CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino, "two opens: equal st_dev/st_ino");
	CHECK(S_ISREG(a.st_mode), "a namespace file is a regular file");
	char p[64], text[64], want[64];
	snprintf(p, sizeof p, "/proc/%d/ns/uts", (int)child);
	CHECK(stat(p, &l) == 0 && l.st_ino == a.st_ino, "stat through the link: the same inode");
	ns_text(child, "uts", text, sizeof text);
	snprintf(want, sizeof want, "uts:[%lu]", (unsigned long)a.st_ino);
	CHECK(strcmp(text, want) == 0, "st_ino is the number in the link text");
	CHECK(fstat(own_uts, &own) == 0 && own.st_ino != a.st_ino, "another namespace: another inode");
	close(cfd);
	close(cfd2);
}

static void test_pidfd(pid_t child, const char *own_host, int own_uts, int own_ipc)
{
	char theirs[64], mine[64];
	int pfd = CHECK_OK(pidfd_open(child), "pidfd_open the child");
	CHECK_ERR(setns(pfd, 0), EINVAL, "a pidfd with nstype 0: EINVAL");
	CHECK_OK(setns(pfd, CLONE_NEWUTS | CLONE_NEWIPC), "setns(pidfd, CLONE_NEWUTS|CLONE_NEWIPC)");
	CHECK(hostname_is(CHILD_HOST), "its UTS namespace joined");
	ns_text(child, "ipc", theirs, sizeof theirs);
	ns_text(getpid(), "ipc", mine, sizeof mine);
	CHECK(strcmp(theirs, mine) == 0, "its IPC namespace joined");
	CHECK_OK(setns(own_uts, CLONE_NEWUTS), "back to our UTS namespace");
	CHECK_OK(setns(own_ipc, CLONE_NEWIPC), "back to our IPC namespace");
	CHECK(hostname_is(own_host), "our hostname again");
	close(pfd);
}

static void test_errors(void)
{
	CHECK_ERR(setns(-1, 0), EBADF, "fd -1: EBADF");
	CHECK_ERR(setns(999, CLONE_NEWUTS), EBADF, "a closed fd: EBADF");
	int reg = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	CHECK_ERR(setns(reg, 0), EINVAL, "a regular file: EINVAL");
	close(reg);
	int own_user = CHECK_OK(ns_open(getpid(), "user"), "open our user namespace");
	CHECK_ERR(setns(own_user, CLONE_NEWUSER), EINVAL, "our own user namespace: EINVAL");
	close(own_user);
}

/* Joining a PID namespace: only the children go there. */
static void test_pidns(void)
{
	int hold[2];
	if (pipe(hold))
		return;
	pid_t init = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (init == 0) {
		close(hold[1]);
		char c;
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	CHECK(init > 0, "a child init of a new PID namespace");
	char pid_before[64], pid_after[64], kids[64], theirs[64];
	ns_text(getpid(), "pid", pid_before, sizeof pid_before);
	int own_pid = CHECK_OK(ns_open(getpid(), "pid"), "open our PID namespace");
	int nfd = CHECK_OK(ns_open(init, "pid"), "open its PID namespace");
	CHECK_OK(setns(nfd, CLONE_NEWPID), "setns into it");
	ns_text(getpid(), "pid", pid_after, sizeof pid_after);
	ns_text(getpid(), "pid_for_children", kids, sizeof kids);
	ns_text(init, "pid", theirs, sizeof theirs);
	CHECK(strcmp(pid_before, pid_after) == 0, "our own PID namespace is unchanged");
	CHECK(strcmp(kids, theirs) == 0, "pid_for_children is the joined one");
	CHECK_EQ(getpid(), getpid(), "getpid works as before");

	pid_t g = fork();
	if (g == 0)
		_exit((getpid() == 2 ? 0 : 1) | (getppid() == 0 ? 0 : 2));
	int st = g > 0 ? tap_wait(g, 0) : 0;
	CHECK(g > 2, "fork gives the child's number in our namespace");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the child is 2 in the joined namespace and its parent is outside (0)");

	CHECK_OK(setns(own_pid, CLONE_NEWPID), "setns back into our active PID namespace");
	int p[2];
	if (pipe(p))
		return;
	pid_t h = fork();
	if (h == 0) {
		pid_t me = getpid();
		_exit(write(p[1], &me, sizeof me) == sizeof me ? 0 : 1);
	}
	pid_t seen = 0;
	if (h > 0 && read(p[0], &seen, sizeof seen) != sizeof seen)
		seen = -1;
	if (h > 0)
		tap_wait(h, 0);
	CHECK(h > 0 && seen == h, "then children are numbered in ours again");
	close(p[0]);
	close(p[1]);
	close(nfd);
	close(own_pid);
	close(hold[1]);
	tap_wait(init, 0);
}

/* Joining a mount namespace moves the cwd to its root. */
static void test_mntns(void)
{
	int release;
	pid_t child = ns_child(CLONE_NEWNS, &release);
	CHECK(child > 0, "a child in a new mount namespace");
	int own = CHECK_OK(ns_open(getpid(), "mnt"), "open our mount namespace");
	int mfd = CHECK_OK(ns_open(child, "mnt"), "open the child's");
	CHECK_ERR(setns(mfd, CLONE_NEWUTS), EINVAL, "a mnt file with CLONE_NEWUTS: EINVAL");
	CHECK_OK(chdir("/proc"), "chdir /proc");
	CHECK_OK(setns(mfd, CLONE_NEWNS), "setns into the child's mount namespace");
	char cwd[256] = { 0 };
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "the cwd is its root");
	char mine[64], theirs[64];
	ns_text(getpid(), "mnt", mine, sizeof mine);
	ns_text(child, "mnt", theirs, sizeof theirs);
	CHECK(strcmp(mine, theirs) == 0, "the link shows the joined namespace");
	CHECK_OK(setns(own, 0), "and back");
	close(mfd);
	close(own);
	end_child(child, release);
}

/* A user namespace: joined by helper processes (there is no way back:
 * its parent is an ancestor). Its capabilities then reach the namespaces
 * it owns, not those of the initial one. */
static void test_userns(int own_uts)
{
	int release;
	pid_t child = ns_child(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNS, &release);
	CHECK(child > 0, "a child in new user, UTS and mount namespaces");
	int ufd = CHECK_OK(ns_open(child, "user"), "open its user namespace");
	int cuts = CHECK_OK(ns_open(child, "uts"), "open its UTS namespace");
	int cmnt = CHECK_OK(ns_open(child, "mnt"), "open its mount namespace");
	int own = CHECK_OK(ns_open(getpid(), "user"), "open our user namespace");
	int own_mnt = CHECK_OK(ns_open(getpid(), "mnt"), "open our mount namespace");
	pid_t h = fork();
	if (h == 0) {
		int r = 0;
		if (setns(ufd, CLONE_NEWUSER) != 0)
			r |= 1;
		errno = 0;
		if (setns(own, CLONE_NEWUSER) != -1 || errno != EPERM)
			r |= 2;
		if (setns(cuts, CLONE_NEWUTS) != 0 || !hostname_is(CHILD_HOST))
			r |= 4;
		errno = 0;
		if (setns(own_uts, CLONE_NEWUTS) != -1 || errno != EPERM)
			r |= 8;
		if (setns(cmnt, CLONE_NEWNS) != 0)
			r |= 16;
		errno = 0;
		if (setns(own_mnt, CLONE_NEWNS) != -1 || errno != EPERM)
			r |= 32;
		_exit(r);
	}
	int st = h > 0 ? tap_wait(h, 0) : 0;
	int r = WIFEXITED(st) ? WEXITSTATUS(st) : 0xff;
	CHECK(!(r & 1), "setns into the child's user namespace");
	CHECK(!(r & 2), "then into its parent (an ancestor): EPERM");
	CHECK(!(r & 4), "then into the UTS namespace it owns");
	CHECK(!(r & 8), "but not into ours, owned by the initial one: EPERM");
	CHECK(!(r & 16), "into the mount namespace it owns");
	CHECK(!(r & 32), "but not into ours: EPERM");

	int pfd = CHECK_OK(pidfd_open(child), "pidfd_open the child");
	h = fork();
	if (h == 0)
		_exit(setns(pfd, CLONE_NEWUSER | CLONE_NEWUTS) == 0 && hostname_is(CHILD_HOST) ? 0 : 1);
	st = h > 0 ? tap_wait(h, 0) : 0;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "setns(pidfd, CLONE_NEWUSER|CLONE_NEWUTS): the UTS join is checked in the new user namespace");
	close(pfd);
	close(ufd);
	close(cuts);
	close(cmnt);
	close(own);
	close(own_mnt);
	end_child(child, release);
}

int main(void)
{
	tap_close_extra_fds();
	char own_host[65] = { 0 };
	gethostname(own_host, sizeof own_host - 1);
	int own_uts = CHECK_OK(ns_open(getpid(), "uts"), "open our /proc/<pid>/ns/uts");
	int own_ipc = CHECK_OK(ns_open(getpid(), "ipc"), "open our /proc/<pid>/ns/ipc");

	int release;
	pid_t child = ns_child(CLONE_NEWUTS | CLONE_NEWIPC, &release);
	CHECK(child > 0, "a child with its own UTS and IPC namespaces");
	test_uts_file(child, own_host, own_uts);
	test_pidfd(child, own_host, own_uts, own_ipc);
	end_child(child, release);

	test_errors();
	test_pidns();
	test_mntns();
	test_userns(own_uts);
	close(own_uts);
	close(own_ipc);
	return tap_done();
}
