/* clone_ns: UTS, IPC, user and network namespaces from clone and unshare.
 * A new UTS namespace starts with the parent's hostname and its
 * sethostname/setdomainname stay inside; a new IPC namespace does not see
 * the parent's System V message queue (ENOENT) and its own queue is not
 * seen outside; a new user namespace without mappings shows the overflow
 * ids (65534); a new network namespace starts. */
#include "tap.h"
#include <sched.h>
#include <signal.h>
#include <sys/msg.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static char stack[65536];
static char parent_host[65];

static int uts_child(void *arg)
{
	char h[65];
	int bad = 0;
	gethostname(h, sizeof h);
	if (strcmp(h, parent_host) != 0)
		bad |= 1;
	if (sethostname("moat-uts-child", 14) != 0)
		bad |= 2;
	gethostname(h, sizeof h);
	if (strcmp(h, "moat-uts-child") != 0)
		bad |= 4;
	if (setdomainname("moat-dom", 8) != 0)
		bad |= 8;
	return bad;
}

static int ipc_child(void *arg)
{
	int key = *(int *)arg;
	int bad = 0;
	errno = 0;
	if (msgget(key, 0) != -1 || errno != ENOENT)
		bad |= 1;
	int q = msgget(key + 1, IPC_CREAT | 0600);
	if (q < 0)
		bad |= 2;
	/* Leave it: it dies with the namespace. */
	return bad;
}

static int user_child(void *arg)
{
	return getuid() == 65534 && getgid() == 65534 ? 0 : 1;
}

static int net_child(void *arg) { return 7; }

static int run(int (*fn)(void *), int flags, void *arg)
{
	pid_t pid = clone(fn, stack + sizeof stack, flags | SIGCHLD, arg);
	if (pid < 0)
		return -1;
	int st = tap_wait(pid, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x100;
}

int main(void)
{
	gethostname(parent_host, sizeof parent_host);
	struct utsname before, after;
	uname(&before);
	int r = run(uts_child, CLONE_NEWUTS, NULL);
	CHECK(r >= 0 && !(r & 1), "new UTS namespace starts with our hostname");
	CHECK(r >= 0 && !(r & 2), "sethostname inside works");
	CHECK(r >= 0 && !(r & 4), "and is seen inside");
	CHECK(r >= 0 && !(r & 8), "setdomainname inside works");
	uname(&after);
	CHECK(strcmp(before.nodename, after.nodename) == 0, "our hostname is unchanged");
	CHECK(strcmp(before.domainname, after.domainname) == 0, "our domain name is unchanged");

	int key = 0x6d6f6174 ^ getpid();
	int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	CHECK_OK(q, "create a message queue");
	r = run(ipc_child, CLONE_NEWIPC, &key);
	CHECK(r >= 0 && !(r & 1), "a new IPC namespace does not see it: ENOENT");
	CHECK(r >= 0 && !(r & 2), "and can create its own");
	CHECK_ERR(msgget(key + 1, 0), ENOENT, "the child's queue is not seen here");
	CHECK_OK(msgctl(q, IPC_RMID, NULL), "remove our queue");

	r = run(user_child, CLONE_NEWUSER, NULL);
	CHECK_EQ(r, 0, "new user namespace without mappings: uid and gid 65534");
	r = run(net_child, CLONE_NEWNET, NULL);
	CHECK_EQ(r, 7, "new network namespace");

	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUTS) != 0)
			_exit(1);
		static char longname[66];
		memset(longname, 'x', 65);
		errno = 0;
		if (sethostname(longname, 65) != -1 || errno != EINVAL)
			_exit(3);
		sethostname("moat-unshared", 13);
		char h[65];
		gethostname(h, sizeof h);
		_exit(strcmp(h, "moat-unshared") == 0 ? 0 : 2);
	}
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unshare(CLONE_NEWUTS) then sethostname (65 bytes EINVAL, 13 fine)");
	uname(&after);
	CHECK(strcmp(before.nodename, after.nodename) == 0, "still unchanged here");
	return tap_done();
}
