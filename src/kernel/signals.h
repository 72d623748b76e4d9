/*
 * Signals (signals.c): generation into the pending sets of tasks and thread
 * groups, the choice of the thread that takes a process-directed signal,
 * default actions with group stop and SIGCONT, and delivery to handlers
 * through x86-64 signal frames (arch/x86_64/signal_frame.c).
 *
 * Locking: the pending sets of a thread group and of its tasks, and the
 * tasks' masks, are protected by tg->sighand->lock. Senders take the
 * TaskSet lock (kernel->lock) first, to walk the group's tasks.
 */
#ifndef MOAT_KERNEL_SIGNALS_H
#define MOAT_KERNEL_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread_group;

/* The kernel's first real-time signal (glibc reserves 32 and 33). */
#define KSIGRTMIN 32

/* A queued signal with its siginfo (real-time signals queue several;
 * standard ones coalesce to one entry, the first). */
struct sigqueue_entry {
	struct sigqueue_entry *next;
	siginfo_t info;
	bool charged;           /* counts against RLIMIT_SIGPENDING of `uid` */
	uint32_t uid;
	bool sync;              /* from a fault: dequeued before the others */
	uint64_t err, trapno, cr2; /* fault details for the sigcontext */
};

/* Pending signals of a task (thread-directed) or of a thread group
 * (process-directed). `set` has bit sig-1 for each pending signal. */
struct sigpending {
	uint64_t set;
	struct sigqueue_entry *head;
};

/* How an interrupted sleep continues after a stop or a handler without
 * SA_RESTART when it returned -ERESTART_RESTARTBLOCK (Linux's
 * restart_block): restart_syscall(2) calls fn. To be embedded in struct
 * task as `struct restart_block restart;`. */
struct restart_block {
	long (*fn)(struct task *t);
	uint64_t data[4];
};

/* Send a signal with its siginfo to one task (tkill/tgkill/faults) or to a
 * thread group (kill, SIGCHLD, timers): picks a thread that does not block
 * it and interrupts it. Handles SIGKILL/SIGCONT/stop side effects. Returns 0
 * or -EAGAIN (queue limit). Callers hold no TaskSet/sighand lock. */
int signal_send_task(struct task *t, const siginfo_t *info);
int signal_send_tg(struct thread_group *tg, const siginfo_t *info);
/* Fill a siginfo for a kernel-generated signal (si_code SI_KERNEL) or one
 * sent by a task (SI_USER with its pid and uid). */
void siginfo_kernel(siginfo_t *info, int sig);
void siginfo_user(siginfo_t *info, int sig, struct task *sender);

static inline uint64_t sig_bit(int sig) { return 1ULL << (sig - 1); }
/* SIGKILL and SIGSTOP can be neither blocked nor caught. */
#define SIG_UNBLOCKABLE (sig_bit(9) | sig_bit(19))

/* Queue sig for t (thread-directed, SI_KERNEL) and interrupt it if it may
 * act on it. task_send_signal is also how signals from outside the sandbox
 * arrive (kernel_send_external_signal). */
void task_send_signal(struct task *t, int sig);
void task_send_signal_self(struct task *t, int sig);
/* A signal caused by the task's own instruction (fault, exception): it
 * cannot be blocked or ignored (Linux's force_sig). code/addr are si_code
 * and si_addr; the trap details of t->trap go to the sigcontext. */
void signals_force_fault(struct task *t, int sig, int code, uint64_t addr);
/* Linux's force_sigsegv: SIGSEGV that no handler can catch again when the
 * signal being delivered was SIGSEGV itself. */
void signals_force_sigsegv(struct task *t, int sig);
/* Act on pending unblocked signals before returning to the application:
 * default actions, group stop, handler frames and syscall restart. */
void signals_handle_pending(struct task *t);
/* True when an unblocked signal is still pending (the loop goes round). */
bool signals_deliverable(struct task *t);

/* The default action of sig is to ignore it (SIGCHLD, SIGURG, SIGWINCH,
 * and SIGCONT apart from continuing). */
bool signal_default_ignored(int sig);
/* POSIX 2.4.3: setting SIG_IGN (or SIG_DFL for a default-ignored signal)
 * discards sig from the pending sets of t's group and all its threads. */
void signals_discard(struct task *t, int sig);
/* Set t's blocked mask (SIGKILL/SIGSTOP are never blocked). */
void signals_set_mask(struct task *t, uint64_t mask);
/* Take a pending signal in `set` (blocked or not) for sigtimedwait: 0 or
 * the signal number with *info filled. */
int signals_dequeue_set(struct task *t, uint64_t set, siginfo_t *info);
/* The pending signals of t and its group (rt_sigpending). */
uint64_t signals_pending(struct task *t);
/* kill(2) (Linux's kill_something_info: pid > 0, 0, -1, -pgrp) and
 * tkill/tgkill/rt_tgsigqueueinfo (do_send_specific; tgid <= 0: any
 * process). info->si_signo is the signal; 0 only checks. */
int signals_kill(struct task *sender, int pid, const siginfo_t *info);
int signals_send_specific(struct task *sender, int tgid, int tid, const siginfo_t *info);
/* pidfd_send_signal: to the process tg, or only its thread when given;
 * -ESRCH once it is reaped (that thread gone). */
int signals_kill_tg(struct task *sender, struct thread_group *tg, struct task *thread, const siginfo_t *info);
/* kill(2)'s permission rule (Linux's check_kill_permission): 0, -EINVAL
 * for a bad signal, -EPERM. */
int signal_check_kill_permission(struct task *sender, struct task *target, int sig,
				 const siginfo_t *info);
/* sigaltstack's rules (Linux do_sigaltstack) for the syscall and for
 * rt_sigreturn: sp is the current stack pointer. 0 or -EPERM/-EINVAL/-ENOMEM. */
int signals_set_altstack(struct task *t, uint64_t sp, uint64_t ss_sp, int ss_flags,
			 uint64_t ss_size);
/* Free the queued siginfo of a pending set (task or group teardown). */
void sigpending_flush(struct sigpending *p);

#endif
