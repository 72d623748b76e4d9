/*
 * Signal state: rt_sigaction(2), rt_sigprocmask(2), rt_sigpending(2),
 * sigaltstack(2). Delivery (frames, sigreturn, kill and friends) lives with
 * the run loop; these calls only read and change the state it uses:
 * the thread group's handlers (under sighand->lock), the task's blocked
 * mask and its alternate stack.
 *
 * Signal sets are bit n-1 for signal n, the kernel's 8-byte sigset_t.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "syscalls/syscalls.h"

#define KSIGSET_SIZE 8
#define SIGBIT(sig) (1ull << ((sig) - 1))
/* SIGKILL and SIGSTOP can be neither caught, ignored nor blocked. */
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SA_EXPOSE_TAGBITS
#define SA_EXPOSE_TAGBITS 0x00000800
#endif
/* The sa_flags bits Linux knows on x86-64 (UAPI_SA_FLAGS): others are
 * cleared, so that a program can detect unsupported flags by reading the
 * action back (SA_UNSUPPORTED). */
#define KNOWN_SA_FLAGS                                                                   \
	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | \
	 SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER)

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif
#define SS_FLAG_BITS SS_AUTODISARM
/* x86's MINSIGSTKSZ as the kernel checks it. */
#define KERNEL_MINSIGSTKSZ 2048

static bool signal_valid(uint64_t sig)
{
	return sig >= 1 && sig <= MOAT_NSIG;
}

/* Signals whose default action is to ignore them (signal(7); SIGCONT
 * too, as the kernel counts it). */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* POSIX (2.4.3): setting a signal's action to SIG_IGN, or to SIG_DFL when
 * its default is to ignore, discards it from the pending sets.
 * TODO: also the other threads of the group, and any queued siginfo, once
 * the signal code keeps them (called with sighand->lock held). */
static void discard_pending(struct task *t, int sig)
{
	__atomic_and_fetch(&t->tg->pending.set, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
	__atomic_and_fetch(&t->pending.set, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
}

static bool action_ignores(const struct k_sigaction *act, int sig)
{
	return act->handler == (uint64_t)(uintptr_t)SIG_IGN ||
	       (act->handler == (uint64_t)(uintptr_t)SIG_DFL && default_ignored(sig));
}

SYSCALL_DEFINE(rt_sigaction)
{
	uint64_t sig = a[0];
	struct k_sigaction new_act, old_act;

	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a[1] && task_copy_in(t, &new_act, a[1], sizeof(new_act)))
		return -EFAULT;
	/* Reading SIGKILL's or SIGSTOP's action is allowed; changing it not. */
	if (!signal_valid(sig) || (a[1] && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;

	struct sighand *sh = t->tg->sighand;
	pthread_mutex_lock(&sh->lock);
	old_act = sh->action[sig - 1];
	if (a[1]) {
		new_act.flags &= KNOWN_SA_FLAGS;
		new_act.mask &= ~UNBLOCKABLE;
		sh->action[sig - 1] = new_act;
		if (action_ignores(&new_act, (int)sig))
			discard_pending(t, (int)sig);
	}
	pthread_mutex_unlock(&sh->lock);

	if (a[2] && task_copy_out(t, a[2], &old_act, sizeof(old_act)))
		return -EFAULT;
	return 0;
}

/* rt_sigprocmask(2): `how` is only looked at when a new set is given. */
SYSCALL_DEFINE(rt_sigprocmask)
{
	int how = (int)a[0];
	uint64_t old = t->sigmask;

	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		uint64_t set;
		if (task_copy_in(t, &set, a[1], sizeof(set)))
			return -EFAULT;
		set &= ~UNBLOCKABLE;
		uint64_t mask;
		switch (how) {
		case SIG_BLOCK:
			mask = old | set;
			break;
		case SIG_UNBLOCK:
			mask = old & ~set;
			break;
		case SIG_SETMASK:
			mask = set;
			break;
		default:
			return -EINVAL;
		}
		/* Senders pick a thread by its mask under the handlers lock. */
		pthread_mutex_lock(&t->tg->sighand->lock);
		t->sigmask = mask;
		pthread_mutex_unlock(&t->tg->sighand->lock);
		/* Newly unblocked pending signals are delivered on the way
		 * back to the application by the run loop. */
	}
	if (a[2] && task_copy_out(t, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* rt_sigpending(2): the pending signals that are blocked (the others would
 * have been delivered). Linux accepts sizes up to 8 and copies that many
 * bytes. */
SYSCALL_DEFINE(rt_sigpending)
{
	size_t size = a[1];
	if (size > KSIGSET_SIZE)
		return -EINVAL;
	/* Senders set pending bits atomically (kernel/signals.c). */
	uint64_t pending = __atomic_load_n(&t->pending.set, __ATOMIC_SEQ_CST) |
			   __atomic_load_n(&t->tg->pending.set, __ATOMIC_SEQ_CST);
	uint64_t set = pending & t->sigmask;
	if (size && task_copy_out(t, a[0], &set, size))
		return -EFAULT;
	return 0;
}

/* The kernel's stack_t on x86-64. */
struct stack_abi {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/* Linux's on_sig_stack(): with SS_AUTODISARM the stack is disarmed while
 * in use, so the task never counts as on it. */
static bool on_altstack(struct task *t, uint64_t sp)
{
	if (t->altstack_flags & SS_AUTODISARM)
		return false;
	return sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

static int altstack_reported_flags(struct task *t, uint64_t sp)
{
	int flags;
	if (!t->altstack_size)
		flags = SS_DISABLE;
	else
		flags = on_altstack(t, sp) ? SS_ONSTACK : 0;
	return flags | (t->altstack_flags & SS_FLAG_BITS);
}

/* sigaltstack(2), following Linux's do_sigaltstack(). */
SYSCALL_DEFINE(sigaltstack)
{
	uint64_t sp = t->arch.regs.rsp;
	struct stack_abi ss, old;

	if (a[0] && task_copy_in(t, &ss, a[0], sizeof(ss)))
		return -EFAULT;
	memset(&old, 0, sizeof(old));
	old.sp = t->altstack_sp;
	old.size = t->altstack_size;
	old.flags = altstack_reported_flags(t, sp);

	if (a[0]) {
		if (on_altstack(t, sp))
			return -EPERM;
		int mode = ss.flags & ~(int)SS_FLAG_BITS;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss.sp = 0;
			ss.size = 0;
		} else if (ss.size < KERNEL_MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->altstack_sp = ss.sp;
		t->altstack_size = ss.size;
		t->altstack_flags = ss.flags;
	}
	if (a[1] && task_copy_out(t, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
