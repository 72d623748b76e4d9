/* sig_siginfo: what a SA_SIGINFO handler receives. kill gives SI_USER with
 * the sender's pid and uid; tgkill gives SI_TKILL; sigqueue gives SI_QUEUE
 * with si_value; a signal from a child carries the child's pid. During the
 * handler the signal and sa_mask are blocked, uc_sigmask holds the mask
 * from before, and the mask is restored after; a handler without
 * SA_SIGINFO gets the signal number. */
#include "tap.h"
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static volatile int h_sig, h_code, h_pid, h_uid, h_val, h_calls;
static volatile int h_blocked_self, h_blocked_extra, h_uc_had_term, h_uc_ok;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	h_calls++;
	h_sig = si->si_signo == sig ? sig : -1;
	h_code = si->si_code;
	h_pid = si->si_pid;
	h_uid = si->si_uid;
	h_val = si->si_value.sival_int;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	h_blocked_self = sigismember(&cur, sig);
	h_blocked_extra = sigismember(&cur, SIGWINCH);
	h_uc_ok = uc != NULL;
	h_uc_had_term = uc && sigismember(&uc->uc_sigmask, SIGTERM) && !sigismember(&uc->uc_sigmask, sig);
}

static volatile int plain_sig;
static void plain(int sig) { plain_sig = sig; }

static void reset(void) { h_sig = h_code = h_pid = h_uid = h_val = h_calls = 0; }

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGWINCH);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL), "install a SA_SIGINFO handler");
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);

	CHECK_OK(kill(getpid(), SIGUSR1), "kill ourselves");
	CHECK_EQ(h_calls, 1, "handler ran before kill returned");
	CHECK_EQ(h_sig, SIGUSR1, "si_signo matches the handler's argument");
	CHECK_EQ(h_code, SI_USER, "si_code SI_USER");
	CHECK_EQ(h_pid, getpid(), "si_pid is the sender");
	CHECK_EQ(h_uid, getuid(), "si_uid is the sender's uid");
	CHECK(h_blocked_self, "the signal is blocked in its handler");
	CHECK(h_blocked_extra, "sa_mask is blocked in the handler");
	CHECK(h_uc_ok && h_uc_had_term, "uc_sigmask is the mask from before the handler");
	sigset_t after;
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK(!sigismember(&after, SIGUSR1) && !sigismember(&after, SIGWINCH) && sigismember(&after, SIGTERM),
	      "mask restored after the handler");

	reset();
	CHECK_OK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1), "tgkill ourselves");
	CHECK_EQ(h_code, SI_TKILL, "si_code SI_TKILL");
	CHECK_EQ(h_pid, getpid(), "si_pid is the sender");

	reset();
	CHECK_OK(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1), "tkill ourselves");
	CHECK_EQ(h_code, SI_TKILL, "tkill: si_code SI_TKILL");

	reset();
	CHECK_OK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 }), "sigqueue with a value");
	CHECK_EQ(h_code, SI_QUEUE, "si_code SI_QUEUE");
	CHECK_EQ(h_val, 4242, "si_value delivered");
	CHECK_EQ(h_pid, getpid(), "si_pid is the sender");

	reset();
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	tap_wait(c, 0);
	/* The signal arrived while we were in waitpid (SA_RESTART not set, but
	 * waitpid restarts via its own rules or returned EINTR; either way). */
	for (int i = 0; i < 100 && !h_calls; i++)
		usleep(10000);
	CHECK_EQ(h_pid, c, "a child's signal carries the child's pid");
	CHECK_EQ(h_code, SI_USER, "and SI_USER");

	signal(SIGUSR2, plain);
	raise(SIGUSR2);
	CHECK_EQ(plain_sig, SIGUSR2, "a plain handler gets the signal number");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	return tap_done();
}
