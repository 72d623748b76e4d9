/* sig_wait: waiting for signals. rt_sigtimedwait with a zero or short
 * timeout and nothing pending EAGAIN; it takes an already pending blocked
 * signal and returns its number and siginfo without running the handler;
 * EINTR when another, handled signal arrives; EINVAL for a bad timeout and
 * sigsetsize; sigsuspend swaps the mask, returns EINTR after the handler
 * and restores the mask; pause returns EINTR after a handler (signals come
 * from a helper process that repeats them). */
#include "tap.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile int usr1, usr2;
static void on_usr1(int sig) { usr1++; }
static void on_usr2(int sig) { usr2++; }

static pid_t pester(pid_t target, int sig)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30);
		for (;;) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
			if (kill(target, sig) != 0)
				_exit(0);
		}
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	tap_wait(pid, 0);
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	sigset_t s1, s2, both, old;
	sigemptyset(&s1);
	sigaddset(&s1, SIGUSR1);
	sigemptyset(&s2);
	sigaddset(&s2, SIGUSR2);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s1, &old);

	struct timespec zero = { 0, 0 }, short_ts = { 0, 30 * 1000000L };
	siginfo_t si;
	CHECK_ERR(sigtimedwait(&s1, &si, &zero), EAGAIN, "zero timeout, nothing pending EAGAIN");
	CHECK_ERR(sigtimedwait(&s1, &si, &short_ts), EAGAIN, "30 ms timeout, nothing pending EAGAIN");
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 8 });
	memset(&si, 0, sizeof si);
	CHECK_EQ(sigtimedwait(&s1, &si, &zero), SIGUSR1, "takes the pending SIGUSR1");
	CHECK(si.si_signo == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 8, "with its siginfo");
	CHECK_EQ(usr1, 0, "the handler did not run");
	sigset_t pend;
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1), "no longer pending");
	kill(getpid(), SIGUSR1);
	CHECK_EQ(sigwaitinfo(&s1, &si), SIGUSR1, "sigwaitinfo takes a pending one");
	CHECK_EQ(si.si_code, SI_USER, "SI_USER");
	struct timespec bad = { 0, 1000000000L };
	CHECK_ERR(sigtimedwait(&s1, &si, &bad), EINVAL, "tv_nsec 1e9 EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &s1, &si, &zero, 16), EINVAL, "sigsetsize 16 EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, BAD_LOW, &si, &zero, 8), EFAULT, "bad set pointer EFAULT");

	pid_t h = pester(getpid(), SIGUSR2);
	struct timespec long_ts = { 30, 0 };
	CHECK_ERR(sigtimedwait(&s1, &si, &long_ts), EINTR, "a handled SIGUSR2 interrupts the wait: EINTR");
	CHECK(usr2 >= 1, "its handler ran");
	stop(h);

	/* sigsuspend: wait with SIGUSR1 unblocked and SIGUSR2 blocked. */
	usr1 = usr2 = 0;
	sigprocmask(SIG_BLOCK, &both, NULL);
	h = pester(getpid(), SIGUSR1);
	sigset_t during;
	sigemptyset(&during);
	sigaddset(&during, SIGUSR2);
	CHECK_ERR(sigsuspend(&during), EINTR, "sigsuspend returns EINTR");
	CHECK(usr1 >= 1, "after the SIGUSR1 handler ran");
	stop(h);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2), "the old mask is back");
	/* A signal pending before sigsuspend is taken at once. */
	usr2 = 0;
	kill(getpid(), SIGUSR2);
	sigemptyset(&during);
	CHECK_ERR(sigsuspend(&during), EINTR, "sigsuspend with SIGUSR2 already pending returns at once");
	CHECK_EQ(usr2, 1, "its handler ran");
	sigprocmask(SIG_SETMASK, &old, NULL);

	usr1 = 0;
	h = pester(getpid(), SIGUSR1);
	CHECK_ERR(pause(), EINTR, "pause returns EINTR");
	CHECK(usr1 >= 1, "after the handler");
	stop(h);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	return tap_done();
}
