/*
 * Signal generation and default actions. Thread-directed pending signals
 * live in t->pending.set, process-directed ones in the thread group.
 * Standard signals coalesce (one pending instance each).
 *
 * Not yet done (process-model issue): running handlers with signal frames,
 * siginfo queues for real-time signals, stop signals. A caught signal is
 * reported as unsupported and dropped.
 */
#include "kernel/signals.h"

#include <signal.h>
#include <stdio.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"

enum sig_default { SD_TERM, SD_CORE, SD_IGN, SD_STOP, SD_CONT };

static enum sig_default default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SD_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SD_IGN;
	case SIGCONT:
		return SD_CONT;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SD_STOP;
	default:
		return SD_TERM;
	}
}

static uint64_t pending_of(struct task *t)
{
	return t->pending.set | t->tg->pending.set;
}

bool signals_deliverable(struct task *t)
{
	uint64_t blocked = t->sigmask & ~SIG_UNBLOCKABLE;
	return (pending_of(t) & ~blocked) != 0;
}

void task_send_signal(struct task *t, int sig)
{
	if (sig < 1 || sig > MOAT_NSIG)
		return;
	__atomic_or_fetch(&t->pending.set, sig_bit(sig), __ATOMIC_SEQ_CST);
	if (!(t->sigmask & sig_bit(sig)) || (sig_bit(sig) & SIG_UNBLOCKABLE))
		task_interrupt(t);
}

void task_send_signal_self(struct task *t, int sig)
{
	task_send_signal(t, sig);
}

void signals_force_fault(struct task *t, int sig, int code, uint64_t addr)
{
	struct sighand *sh = t->tg->sighand;
	pthread_mutex_lock(&sh->lock);
	/* A blocked or ignored synchronous signal would loop forever on the
	 * same instruction: Linux resets it to the default action. */
	if ((t->sigmask & sig_bit(sig)) || sh->action[sig - 1].handler == (uint64_t)SIG_IGN) {
		sh->action[sig - 1].handler = (uint64_t)SIG_DFL;
		t->sigmask &= ~sig_bit(sig);
	}
	pthread_mutex_unlock(&sh->lock);
	t->fault_code = code;
	t->fault_addr = addr;
	__atomic_or_fetch(&t->pending.set, sig_bit(sig), __ATOMIC_SEQ_CST);
}

/* Take one pending, unblocked signal: the lowest-numbered, thread-directed
 * first (Linux dequeues synchronous signals first; close enough here). */
static int dequeue_signal(struct task *t)
{
	uint64_t blocked = t->sigmask & ~SIG_UNBLOCKABLE;
	uint64_t mine = t->pending.set & ~blocked;
	uint64_t *set = &t->pending.set;
	if (!mine) {
		mine = t->tg->pending.set & ~blocked;
		set = &t->tg->pending.set;
	}
	if (!mine)
		return 0;
	int sig = __builtin_ctzll(mine) + 1;
	__atomic_and_fetch(set, ~sig_bit(sig), __ATOMIC_SEQ_CST);
	return sig;
}

void signals_handle_pending(struct task *t)
{
	int sig;
	while ((sig = dequeue_signal(t)) != 0) {
		struct k_sigaction act = t->tg->sighand->action[sig - 1];
		if (sig == SIGKILL || act.handler == (uint64_t)SIG_DFL) {
			switch (default_action(sig)) {
			case SD_TERM:
				task_exit_group(t, sig);
				return;
			case SD_CORE:
				task_exit_group(t, sig | 0x80);
				return;
			case SD_STOP:
				if (sig == SIGSTOP)
					syscall_report_unsupported("stop signals (SIGSTOP)");
				break;
			case SD_IGN:
			case SD_CONT:
				break;
			}
			continue;
		}
		if (act.handler == (uint64_t)SIG_IGN)
			continue;
		char what[64];
		snprintf(what, sizeof what, "signal handler delivery (signal %d dropped)", sig);
		syscall_report_unsupported(what);
	}
	/* No handler ran: an interrupted syscall restarts. */
	syscall_restart(t);
}
