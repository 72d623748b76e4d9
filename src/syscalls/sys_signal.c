/*
 * Signal syscalls: rt_sigaction(2), rt_sigprocmask(2), rt_sigpending(2),
 * sigaltstack(2), rt_sigreturn(2), kill(2), tkill(2), tgkill(2),
 * rt_sigqueueinfo(2), rt_tgsigqueueinfo(2), rt_sigsuspend(2), pause(2),
 * rt_sigtimedwait(2) (restart_syscall(2) is in sys_timer.c). Generation and delivery live in
 * kernel/signals.c, frames in arch/x86_64/signal_frame.c.
 *
 * Signal sets are bit n-1 for signal n, the kernel's 8-byte sigset_t.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "arch/x86_64/signal_frame.h"
#include "kernel/timers.h"
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

static bool signal_valid(uint64_t sig)
{
	return sig >= 1 && sig <= MOAT_NSIG;
}

static bool action_ignores(const struct k_sigaction *act, int sig)
{
	return act->handler == (uint64_t)(uintptr_t)SIG_IGN ||
	       (act->handler == (uint64_t)(uintptr_t)SIG_DFL && signal_default_ignored(sig));
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
	bool discard = false;
	pthread_mutex_lock(&sh->lock);
	old_act = sh->action[sig - 1];
	if (a[1]) {
		new_act.flags &= KNOWN_SA_FLAGS;
		new_act.mask &= ~UNBLOCKABLE;
		sh->action[sig - 1] = new_act;
		discard = action_ignores(&new_act, (int)sig);
	}
	pthread_mutex_unlock(&sh->lock);
	/* POSIX 2.4.3: the signal is discarded from every pending set, even
	 * where it is blocked. */
	if (discard)
		signals_discard(t, (int)sig);

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
		/* Newly unblocked pending signals are delivered on the way
		 * back to the application by the run loop. */
		signals_set_mask(t, mask);
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
	uint64_t set = signals_pending(t) & t->sigmask;
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
		int err = signals_set_altstack(t, sp, ss.sp, ss.flags, ss.size);
		if (err)
			return err;
	}
	if (a[1] && task_copy_out(t, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* rt_sigreturn(2): back from a handler through the frame at rsp - 8. The
 * mask is restored first, then the registers, the FPU state and the
 * alternate stack (whose errors Linux ignores). A bad frame gets SIGSEGV.
 * The result is the restored rax, so the registers come back unchanged
 * (signals.c keeps a restored -ERESTART* value from being taken for a
 * restart request). */
SYSCALL_DEFINE(rt_sigreturn)
{
	struct sigframe_restored r;
	bool mask_ok;
	int err = sigframe_restore(t, &r, &mask_ok);
	if (mask_ok)
		signals_set_mask(t, r.mask);
	if (err) {
		signals_force_sigsegv(t, 0);
		return 0;
	}
	/* A sleep interrupted before the handler does not resume through
	 * restart_syscall any more (Linux: do_no_restart_syscall). */
	task_clear_restart_block(t);
	signals_set_altstack(t, t->arch.regs.rsp, r.altstack.sp, r.altstack.flags, r.altstack.size);
	return (long)t->arch.regs.rax;
}

/* ---- sending --------------------------------------------------------------- */

SYSCALL_DEFINE(kill)
{
	int pid = (int)a[0], sig = (int)a[1];
	siginfo_t info;
	siginfo_user(&info, sig, t);
	return signals_kill(t, pid, &info);
}

static long tkill_common(struct task *t, int tgid, int tid, int sig)
{
	siginfo_t info;
	siginfo_user(&info, sig, t);
	info.si_code = SI_TKILL;
	return signals_send_specific(t, tgid, tid, &info);
}

SYSCALL_DEFINE(tkill)
{
	int tid = (int)a[0];
	if (tid <= 0)
		return -EINVAL;
	return tkill_common(t, 0, tid, (int)a[1]);
}

SYSCALL_DEFINE(tgkill)
{
	int tgid = (int)a[0], tid = (int)a[1];
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	return tkill_common(t, tgid, tid, (int)a[2]);
}

/* The siginfo of rt_sigqueueinfo/rt_tgsigqueueinfo. Not even root may
 * pretend to be the kernel (si_code >= 0) or tkill to another task. */
static long queueinfo_check(struct task *t, int sig, int target_tid, siginfo_t *info)
{
	info->si_signo = sig;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target_tid != task_vtid(t))
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE(rt_sigqueueinfo)
{
	int pid = (int)a[0], sig = (int)a[1];
	siginfo_t info;
	if (task_copy_in(t, &info, a[2], sizeof info))
		return -EFAULT;
	long err = queueinfo_check(t, sig, pid, &info);
	if (err)
		return err;
	/* POSIX.1b does not mention process groups: pid names one process. */
	if (pid <= 0)
		return -ESRCH;
	return signals_kill(t, pid, &info);
}

SYSCALL_DEFINE(rt_tgsigqueueinfo)
{
	int tgid = (int)a[0], tid = (int)a[1], sig = (int)a[2];
	siginfo_t info;
	if (task_copy_in(t, &info, a[3], sizeof info))
		return -EFAULT;
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	long err = queueinfo_check(t, sig, tid, &info);
	if (err)
		return err;
	return signals_send_specific(t, tgid, tid, &info);
}

/* ---- waiting --------------------------------------------------------------- */

/* Sleep until a signal can be delivered (or a stop or exit needs the
 * task). An interrupt for another reason also ends the sleep: the caller
 * returns a restart code, so the call is simply made again. */
static void sleep_until_signal(struct task *t)
{
	while (!signals_deliverable(t) && !t->exiting && !t->tg->exiting && !t->tg->stopped) {
		if (task_block(t, NULL) == -EINTR)
			return;
	}
}

/* rt_sigsuspend(2): the old mask comes back after the handler ran (it is
 * the one saved in the frame) or, with no handler, before the call is
 * restarted. */
SYSCALL_DEFINE(rt_sigsuspend)
{
	uint64_t set;
	if (a[1] != KSIGSET_SIZE)
		return -EINVAL;
	if (task_copy_in(t, &set, a[0], sizeof set))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->have_saved_sigmask = true;
	signals_set_mask(t, set & ~UNBLOCKABLE);
	sleep_until_signal(t);
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE(pause)
{
	sleep_until_signal(t);
	return -ERESTARTNOHAND;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

static struct timespec deadline_after(const struct timespec *rel)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct timespec d = { now.tv_sec + rel->tv_sec, now.tv_nsec + rel->tv_nsec };
	if (d.tv_nsec >= 1000000000L) {
		d.tv_sec++;
		d.tv_nsec -= 1000000000L;
	}
	return d;
}

/* rt_sigtimedwait(2), Linux's do_sigtimedwait: take a pending signal of
 * the set; otherwise unblock the set while sleeping (so that the signal
 * comes to this thread) and try again. EAGAIN on timeout, EINTR when
 * another signal interrupts. The real mask is kept in saved_sigmask
 * meanwhile, so that waited-for signals are not discarded as ignored. */
SYSCALL_DEFINE(rt_sigtimedwait)
{
	uint64_t set;
	struct timespec ts, deadline;
	bool timed = a[2] != 0;
	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (task_copy_in(t, &set, a[0], sizeof set))
		return -EFAULT;
	if (timed && task_copy_in(t, &ts, a[2], sizeof ts))
		return -EFAULT;
	if (timed && !timespec_valid(&ts))
		return -EINVAL;
	set &= ~UNBLOCKABLE;

	siginfo_t info;
	int sig = signals_dequeue_set(t, set, &info);
	if (!sig) {
		if (timed && ts.tv_sec == 0 && ts.tv_nsec == 0)
			return -EAGAIN;
		if (timed)
			deadline = deadline_after(&ts);
		uint64_t blocked = t->sigmask;
		t->saved_sigmask = blocked;
		t->have_saved_sigmask = true;
		signals_set_mask(t, blocked & ~set);
		int r = 0;
		while (!signals_deliverable(t) && !t->exiting && !t->tg->exiting && !t->tg->stopped) {
			r = task_block(t, timed ? &deadline : NULL);
			if (r == -EINTR || r == -ETIMEDOUT)
				break;
		}
		t->have_saved_sigmask = false;
		signals_set_mask(t, blocked);
		sig = signals_dequeue_set(t, set, &info);
		if (!sig)
			return r == -ETIMEDOUT ? -EAGAIN : -EINTR;
	}
	if (a[1] && task_copy_out(t, a[1], &info, sizeof info))
		return -EFAULT;
	return sig;
}
