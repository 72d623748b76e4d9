/* sig_default: default actions, seen from the parent's wait status.
 * Terminate (SIGTERM, SIGUSR1, SIGHUP, SIGALRM from alarm, SIGPIPE from a
 * write to a pipe without readers); core (SIGSEGV, SIGQUIT, SIGABRT: with
 * RLIMIT_CORE 0 no core is written and the status has no core bit on
 * Linux); ignore (SIGCHLD, SIGURG, SIGWINCH: the child carries on); SIGKILL
 * kills even when blocked; SIG_IGN for SIGPIPE turns the write into EPIPE;
 * a handler that returns for SIGTERM keeps the process alive. */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int run_child(int sig, int block_it, int ignore_it)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (block_it) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, sig);
			sigprocmask(SIG_BLOCK, &s, NULL);
		}
		if (ignore_it)
			signal(sig, SIG_IGN);
		raise(sig);
		_exit(77);
	}
	return tap_wait(pid, 0);
}

static int killed(int st, int sig) { return WIFSIGNALED(st) && WTERMSIG(st) == sig && !WCOREDUMP(st); }

static void noop(int sig) { (void)sig; }

int main(void)
{
	int term[] = { SIGTERM, SIGUSR1, SIGHUP, SIGINT, SIGUSR2 };
	for (int i = 0; i < 5; i++)
		CHECK(killed(run_child(term[i], 0, 0), term[i]), "default action of %s terminates", sigabbrev_np(term[i]));
	int core[] = { SIGSEGV, SIGQUIT, SIGABRT };
	for (int i = 0; i < 3; i++) {
		int st = run_child(core[i], 0, 0);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == core[i], "default action of %s terminates",
		      sigabbrev_np(core[i]));
		CHECK(!WCOREDUMP(st), "with RLIMIT_CORE 0 no core bit for %s", sigabbrev_np(core[i]));
	}
	int ign[] = { SIGCHLD, SIGURG, SIGWINCH };
	for (int i = 0; i < 3; i++) {
		int st = run_child(ign[i], 0, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 77, "default action of %s is to ignore", sigabbrev_np(ign[i]));
	}
	CHECK(killed(run_child(SIGKILL, 1, 0), SIGKILL), "SIGKILL cannot be blocked");
	int st = run_child(SIGTERM, 0, 1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 77, "SIG_IGN SIGTERM: the child carries on");

	pid_t pid = fork();
	if (pid == 0) {
		alarm(1);
		for (;;)
			pause();
	}
	CHECK(killed(tap_wait(pid, 0), SIGALRM), "alarm's SIGALRM terminates by default");

	int p[2];
	pipe(p);
	close(p[0]);
	pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(77);
	}
	CHECK(killed(tap_wait(pid, 0), SIGPIPE), "writing to a pipe without readers: SIGPIPE");
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "with SIGPIPE ignored the write fails EPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, noop);
		raise(SIGTERM);
		_exit(78);
	}
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 78, "a handled SIGTERM returns and the child carries on");
	return tap_done();
}
