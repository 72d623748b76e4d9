/* wait_stop_cont: stopped and continued children. WUNTRACED reports a stop
 * once (WIFSTOPPED/WSTOPSIG), WCONTINUED reports a continue once
 * (WIFCONTINUED), neither is reported without its flag; waitid with
 * WSTOPPED/WCONTINUED gives CLD_STOPPED/CLD_CONTINUED; the parent's SIGCHLD
 * handler sees the same si_code values unless SA_NOCLDSTOP is set; a
 * stopped child can still be killed and reaped. */
#include "tap.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile int chld_codes[8];
static volatile int chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (chld_count < 8)
		chld_codes[chld_count] = si->si_code;
	chld_count++;
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	return pid;
}

/* Waits up to ~5 s for n SIGCHLDs to have arrived. */
static int await_chld(int n)
{
	for (int i = 0; i < 500 && chld_count < n; i++) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return chld_count >= n;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigaction(SIGCHLD, &sa, NULL);

	int st;
	pid_t pid = spawn_sleeper();
	CHECK_OK(kill(pid, SIGSTOP), "stop the child");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid, "WUNTRACED reports the stop");
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "WIFSTOPPED with SIGSTOP");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, "a stop is reported only once");
	CHECK(await_chld(1) && chld_codes[0] == CLD_STOPPED, "parent got SIGCHLD with CLD_STOPPED");
	CHECK_OK(kill(pid, SIGCONT), "continue it");
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid, "WCONTINUED reports the continue");
	CHECK(WIFCONTINUED(st) && !WIFSTOPPED(st) && !WIFEXITED(st), "WIFCONTINUED");
	CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0, "a continue is reported only once");
	CHECK(await_chld(2) && chld_codes[1] == CLD_CONTINUED, "parent got SIGCHLD with CLD_CONTINUED");

	kill(pid, SIGSTOP);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED), "waitid WSTOPPED");
	CHECK(si.si_pid == pid && si.si_signo == SIGCHLD, "waitid si_pid and si_signo");
	CHECK(si.si_code == CLD_STOPPED && si.si_status == SIGSTOP, "CLD_STOPPED with the stop signal");
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0, "a stop is not reported without WUNTRACED");
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WCONTINUED), "waitid WCONTINUED");
	CHECK(si.si_code == CLD_CONTINUED && si.si_status == SIGCONT, "CLD_CONTINUED with SIGCONT");

	/* WNOWAIT leaves the stop to be reported again. */
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT), "waitid WSTOPPED|WNOWAIT");
	CHECK_EQ(si.si_code, CLD_STOPPED, "stopped");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid, "the stop is still reported after WNOWAIT");
	CHECK(WIFSTOPPED(st), "WIFSTOPPED");
	CHECK_OK(kill(pid, SIGKILL), "SIGKILL a stopped child");
	CHECK_EQ(waitpid(pid, &st, 0), pid, "reap it");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed by SIGKILL");

	/* SA_NOCLDSTOP: no SIGCHLD for stops, still one for the exit. */
	await_chld(5);
	chld_count = 0;
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	pid = spawn_sleeper();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CHECK(await_chld(1), "SIGCHLD for the exit");
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
	CHECK(chld_count == 1 && chld_codes[0] == CLD_KILLED, "with SA_NOCLDSTOP only the exit (CLD_KILLED) is signalled");

	/* SIGTSTP stops a process with the default action unless its process
	 * group is orphaned: the child gets its own group, whose member's parent
	 * (us) is in another group of the same session, so it is not. */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(30); /* never outlive a broken run */
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	CHECK_OK(kill(pid, SIGTSTP), "SIGTSTP");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid, "reported");
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "stopped by SIGTSTP");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	signal(SIGCHLD, SIG_DFL);
	return tap_done();
}
