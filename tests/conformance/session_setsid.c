/* session_setsid: setsid in a child that is not a group leader creates a
 * session and a group both named after it (getsid/getpgid/getpgrp), drops
 * the controlling terminal (/dev/tty ENXIO); calling it again EPERM (now a
 * group leader); a process that made itself a group leader with setpgid
 * also gets EPERM; getsid/getpgid of another process (the parent's session
 * differs from the child's after setsid); a child of the new session
 * leader inherits the session; ESRCH for a missing pid. */
#include "tap.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static void new_session(void *arg)
{
	pid_t parent = *(pid_t *)arg;
	pid_t old_sid = getsid(0);
	pid_t me = getpid();
	CHECK(getpgrp() != me, "a fresh child is not a group leader");
	CHECK_EQ(setsid(), me, "setsid returns the new session id (our pid)");
	CHECK_EQ(getsid(0), me, "getsid(0) is our pid");
	CHECK_EQ(getpgrp(), me, "we lead a new process group");
	CHECK_EQ(getpgid(0), me, "getpgid(0) agrees");
	CHECK_EQ(getsid(parent), old_sid, "the parent stays in the old session");
	CHECK(getsid(parent) != me, "which is not ours");
	CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO, "no controlling terminal: /dev/tty ENXIO");
	CHECK_ERR(setsid(), EPERM, "setsid again (group leader) EPERM");
	pid_t c = fork();
	if (c == 0)
		_exit(getsid(0) == me && getpgrp() == me ? 0 : 1);
	int st = tap_wait(c, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "our child inherits the session and group");
	CHECK_EQ(getsid(c), -1, "a reaped child has no session");
}

static void group_leader(void *arg)
{
	CHECK_OK(setpgid(0, 0), "make ourselves a group leader");
	CHECK_ERR(setsid(), EPERM, "setsid as a group leader EPERM");
}

int main(void)
{
	pid_t me = getpid();
	tap_in_child(new_session, &me);
	tap_in_child(group_leader, NULL);
	CHECK_ERR(getsid(0x3fffffff), ESRCH, "getsid of a missing pid ESRCH");
	CHECK_ERR(getpgid(0x3fffffff), ESRCH, "getpgid of a missing pid ESRCH");
	CHECK_ERR(getpgid(-5), ESRCH, "getpgid of a negative pid ESRCH");
	return tap_done();
}
