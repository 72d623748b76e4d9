/* sig_pending: blocked signals, pending sets and delivery order. A blocked
 * signal stays pending (sigpending) and is delivered when unblocked, before
 * sigprocmask returns; a standard signal sent three times while blocked is
 * delivered once; a real-time signal sent three times with sigqueue is
 * delivered three times, in order, each with its value; on unblocking,
 * lower-numbered signals are delivered first (delivery nests, so handlers
 * run in the reverse order of delivery when all become deliverable at
 * once; the test records delivery by blocking all others with sa_mask);
 * thread-directed and process-directed pending signals both show in
 * sigpending. */
#include "tap.h"
#include <pthread.h>
#include <signal.h>

static volatile int log_sig[32], log_val[32], n_log;

static void rec(int sig, siginfo_t *si, void *uc)
{
	if (n_log < 32) {
		log_sig[n_log] = sig;
		log_val[n_log] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
		n_log++;
	}
}

static void install(int sig)
{
	/* sa_mask = everything: one handler at a time, in delivery order. */
	struct sigaction sa = { .sa_sigaction = rec, .sa_flags = SA_SIGINFO };
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

int main(void)
{
	install(SIGUSR1);
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	CHECK(pending(SIGUSR1), "blocked SIGUSR1 is pending");
	CHECK_EQ(n_log, 0, "not delivered while blocked");
	raise(SIGUSR1);
	block(SIGUSR1, SIG_UNBLOCK);
	CHECK_EQ(n_log, 1, "three thread-directed standard signals coalesce into one delivery");
	CHECK(!pending(SIGUSR1), "nothing pending after");
	n_log = 0;
	block(SIGUSR1, SIG_BLOCK);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	block(SIGUSR1, SIG_UNBLOCK);
	CHECK_EQ(n_log, 2, "process- and thread-directed pending sets are separate: two deliveries");

	int rt = SIGRTMIN + 2;
	install(rt);
	n_log = 0;
	block(rt, SIG_BLOCK);
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), rt, (union sigval){ .sival_int = i * 11 });
	CHECK(pending(rt), "real-time signal pending");
	block(rt, SIG_UNBLOCK);
	CHECK_EQ(n_log, 3, "three queued real-time signals are delivered three times");
	CHECK(log_val[0] == 11 && log_val[1] == 22 && log_val[2] == 33, "in order, each with its value");

	/* Delivery order among different signals. */
	int sigs[] = { SIGRTMIN + 5, SIGUSR2, SIGRTMIN + 1, SIGUSR1, SIGHUP };
	sigset_t all, old;
	sigemptyset(&all);
	for (int i = 0; i < 5; i++) {
		install(sigs[i]);
		sigaddset(&all, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < 5; i++)
		raise(sigs[i]);
	n_log = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ(n_log, 5, "five different pending signals all delivered");
	int want[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGRTMIN + 5 };
	int in_order = 1;
	for (int i = 0; i < 5; i++)
		in_order &= log_sig[i] == want[i];
	CHECK(in_order, "lowest number first: SIGHUP, SIGUSR1, SIGUSR2, then real-time ones");
	if (!in_order)
		tap_diag("order %d %d %d %d %d", log_sig[0], log_sig[1], log_sig[2], log_sig[3], log_sig[4]);

	/* Thread-directed vs process-directed. */
	block(SIGUSR1, SIG_BLOCK);
	block(SIGUSR2, SIG_BLOCK);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	kill(getpid(), SIGUSR2);
	CHECK(pending(SIGUSR1) && pending(SIGUSR2), "thread and process pending signals both reported");
	n_log = 0;
	block(SIGUSR1, SIG_UNBLOCK);
	block(SIGUSR2, SIG_UNBLOCK);
	CHECK_EQ(n_log, 2, "both delivered on unblocking");
	CHECK(!pending(SIGUSR1) && !pending(SIGUSR2), "none left");

	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return tap_done();
}
