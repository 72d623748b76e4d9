/* sig_queueinfo: rt_sigqueueinfo and rt_tgsigqueueinfo. To ourselves any
 * si_code is allowed and the siginfo arrives as given (apart from
 * si_signo); to another process si_code >= 0 (e.g. SI_USER) or SI_TKILL is
 * EPERM while SI_QUEUE works; bad signals EINVAL, missing pids ESRCH, bad
 * pointers EFAULT; rt_tgsigqueueinfo with a wrong tgid ESRCH. The number of
 * queued signals per user is capped by RLIMIT_SIGPENDING: EAGAIN beyond it
 * (checked as an unprivileged uid in a child). */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static volatile int got_code, got_val, got_pid, got;

static void rec(int sig, siginfo_t *si, void *uc)
{
	got++;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
	got_pid = si->si_pid;
}

static long queueinfo(pid_t pid, int sig, int code, int val, pid_t fake_pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = fake_pid;
	si.si_value.sival_int = val;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static void limit_child(void *arg)
{
	struct rlimit rl = { 4, 4 };
	CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &rl), "RLIMIT_SIGPENDING 4");
	CHECK_OK(setuid(54321), "become an unprivileged uid");
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int ok = 1;
	for (int i = 0; i < 4; i++)
		ok &= sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i }) == 0;
	CHECK(ok, "four real-time signals queue");
	CHECK_ERR(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 9 }), EAGAIN, "the fifth EAGAIN");
	signal(SIGUSR2, SIG_IGN);
	CHECK_OK(kill(getpid(), SIGUSR2), "kill() of a standard signal is still accepted");
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = rec, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	CHECK_OK(queueinfo(getpid(), SIGUSR1, SI_QUEUE, 77, 12345), "SI_QUEUE to ourselves");
	CHECK(got == 1 && got_code == SI_QUEUE && got_val == 77, "delivered with its code and value");
	CHECK_EQ(got_pid, 12345, "si_pid arrives as given");
	CHECK_OK(queueinfo(getpid(), SIGUSR1, SI_USER, 1, 0), "SI_USER to ourselves is allowed");
	CHECK_EQ(got_code, SI_USER, "and arrives as SI_USER");
	CHECK_OK(queueinfo(getpid(), SIGUSR1, 5, 1, 0), "a positive (kernel) code to ourselves is allowed");

	pid_t child = fork();
	if (child == 0) {
		signal(SIGUSR1, SIG_IGN);
		alarm(30);
		for (;;)
			pause();
	}
	CHECK_ERR(queueinfo(child, SIGUSR1, SI_USER, 1, 0), EPERM, "SI_USER to another process EPERM");
	CHECK_ERR(queueinfo(child, SIGUSR1, 1, 1, 0), EPERM, "a positive code to another process EPERM");
	CHECK_ERR(queueinfo(child, SIGUSR1, SI_TKILL, 1, 0), EPERM, "SI_TKILL to another process EPERM");
	CHECK_OK(queueinfo(child, SIGUSR1, SI_QUEUE, 1, 0), "SI_QUEUE to another process works");
	CHECK_OK(queueinfo(child, 0, SI_QUEUE, 1, 0), "signal 0 only checks");
	kill(child, SIGKILL);
	tap_wait(child, 0);

	CHECK_ERR(queueinfo(getpid(), 65, SI_QUEUE, 1, 0), EINVAL, "signal 65 EINVAL");
	CHECK_ERR(queueinfo(0x3fffffff, SIGUSR1, SI_QUEUE, 1, 0), ESRCH, "missing pid ESRCH");
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BAD_LOW), EFAULT, "bad siginfo pointer EFAULT");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 5;
	got = 0;
	CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGUSR1, &si), "rt_tgsigqueueinfo to ourselves");
	CHECK(got == 1 && got_val == 5, "delivered");
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid() + 0x10000000, syscall(SYS_gettid), SIGUSR1, &si), ESRCH,
		  "wrong tgid ESRCH");
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si), EINVAL, "tid 0 EINVAL");

	tap_in_child(limit_child, NULL);
	signal(SIGUSR1, SIG_DFL);
	return tap_done();
}
