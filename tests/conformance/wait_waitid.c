/* wait_waitid: waitid. P_PID, P_PGID, P_ALL; WEXITED with the siginfo
 * fields (si_signo SIGCHLD, si_code CLD_EXITED/CLD_KILLED/CLD_DUMPED,
 * si_status, si_pid, si_uid); WNOWAIT leaves the child waitable; WNOHANG
 * with nothing ready returns 0 and zeroes si_pid; EINVAL without any of
 * WEXITED/WSTOPPED/WCONTINUED, for a bad idtype and unknown options; ECHILD;
 * EFAULT; the raw syscall's rusage argument. */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static pid_t spawn_exit(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

int main(void)
{
	siginfo_t si;
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD, "no children ECHILD");
	pid_t pid = spawn_exit(42);
	CHECK_ERR(waitid(P_PID, pid, &si, 0), EINVAL, "no event flag EINVAL");
	CHECK_ERR(waitid(P_PID, pid, &si, WNOHANG), EINVAL, "only WNOHANG EINVAL");
	CHECK_ERR(waitid((idtype_t)42, pid, &si, WEXITED), EINVAL, "bad idtype EINVAL");
	CHECK_ERR(waitid(P_PID, pid, &si, WEXITED | 0x00100000), EINVAL, "unknown option EINVAL");
	CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL, "P_PID with pid 0 EINVAL");

	memset(&si, 0xff, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), "WEXITED|WNOWAIT");
	CHECK_EQ(si.si_signo, SIGCHLD, "si_signo is SIGCHLD");
	CHECK_EQ(si.si_code, CLD_EXITED, "si_code CLD_EXITED");
	CHECK_EQ(si.si_status, 42, "si_status is the exit code");
	CHECK_EQ(si.si_pid, pid, "si_pid is the child");
	CHECK_EQ(si.si_uid, getuid(), "si_uid is the child's uid");
	CHECK_OK(kill(pid, 0), "after WNOWAIT the zombie is still there");
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED), "WEXITED reaps it");
	CHECK(si.si_pid == pid && si.si_status == 42, "same information again");
	CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD, "gone: ECHILD");

	pid = fork();
	if (pid == 0) {
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	memset(&si, 0xff, sizeof si);
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0, "WNOHANG with a running child returns 0");
	CHECK_EQ(si.si_pid, 0, "and zeroes si_pid");
	kill(pid, SIGKILL);
	CHECK_OK(waitid(P_ALL, 0, &si, WEXITED), "P_ALL");
	CHECK(si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGKILL, "CLD_KILLED with SIGKILL");

	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED), "wait for an aborted child");
	CHECK_EQ(si.si_status, SIGABRT, "si_status SIGABRT");
	/* Linux: with RLIMIT_CORE 0 no core is written, so no CLD_DUMPED. */
	CHECK_EQ(si.si_code, CLD_KILLED, "si_code CLD_KILLED (no core written with RLIMIT_CORE 0)");

	/* P_PGID. */
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		_exit(1);
	}
	setpgid(a, a);
	pid_t b = spawn_exit(2);
	CHECK_OK(waitid(P_PGID, a, &si, WEXITED), "P_PGID selects the other group");
	CHECK_EQ(si.si_pid, a, "the child in that group");
	CHECK_ERR(waitid(P_PGID, a, &si, WEXITED), ECHILD, "no more in that group ECHILD");
	CHECK_OK(waitid(P_PGID, 0, &si, WEXITED), "P_PGID 0 is our own group");
	CHECK_EQ(si.si_pid, b, "the child in our group");

	pid = spawn_exit(3);
	CHECK_ERR(waitid(P_PID, pid, BAD_LOW, WEXITED | WNOWAIT), EFAULT, "bad siginfo pointer EFAULT");
	struct rusage ru;
	CHECK_OK(syscall(SYS_waitid, P_PID, pid, &si, WEXITED, &ru), "raw waitid with a rusage pointer");
	CHECK(ru.ru_maxrss > 0, "rusage filled in");
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD, "all reaped: ECHILD");
	return tap_done();
}
