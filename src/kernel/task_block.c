/*
 * Interruptible sleeps. A task sleeps on its own wake word with a host
 * futex; task_wake() sets the word, task_interrupt() also marks the task
 * interrupted and pulls its sentry thread out of host calls (SIGUSR2 without
 * SA_RESTART) and its stub out of application code.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kernel/task.h"
#include "platform/cpus.h"

#define SENTRY_INTERRUPT_SIGNAL SIGUSR2

void task_wake(struct task *t)
{
	atomic_store(&t->wake_word, 1);
	syscall(SYS_futex, &t->wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

bool task_interrupted(struct task *t)
{
	return atomic_load(&t->interrupted);
}

void task_interrupt(struct task *t)
{
	atomic_store(&t->interrupted, true);
	task_wake(t);
	if (t->ctx)
		platform->ctx_interrupt(t->ctx);
	if (t->thread && !pthread_equal(t->thread, pthread_self()))
		pthread_kill(t->thread, SENTRY_INTERRUPT_SIGNAL);
}

int task_block(struct task *t, const struct timespec *deadline)
{
	for (;;) {
		if (atomic_load(&t->interrupted))
			return -EINTR;
		if (atomic_exchange(&t->wake_word, 0))
			return 0;
		cpus_sleep();
		long r = syscall(SYS_futex, &t->wake_word, FUTEX_WAIT_BITSET_PRIVATE, 0, deadline,
				 NULL, FUTEX_BITSET_MATCH_ANY);
		cpus_wake();
		if (r < 0 && errno == ETIMEDOUT)
			return -ETIMEDOUT;
	}
}

int task_block_host_fd(struct task *t, int hostfd, short events)
{
	sigset_t open_mask;
	pthread_sigmask(SIG_SETMASK, NULL, &open_mask);
	sigdelset(&open_mask, SENTRY_INTERRUPT_SIGNAL);
	struct pollfd p = { .fd = hostfd, .events = events };
	for (;;) {
		if (atomic_load(&t->interrupted))
			return -EINTR;
		cpus_sleep();
		int r = ppoll(&p, 1, NULL, &open_mask);
		cpus_wake();
		if (r > 0)
			return p.revents;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static void sentry_interrupt_handler(int sig) { (void)sig; }

/* Sentry threads keep SIGUSR2 blocked except inside interruptible host
 * waits (ppoll's mask), so an interrupt is never lost between the check of
 * the flag and the wait. */
void task_block_init(void)
{
	struct sigaction sa = { .sa_handler = sentry_interrupt_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SENTRY_INTERRUPT_SIGNAL, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SENTRY_INTERRUPT_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}
