/*
 * Signals: pending sets, masks, default actions (signals.c). Handler
 * delivery with signal frames belongs to the process-model issue.
 * signals.c says what is done until then.
 */
#ifndef MOAT_KERNEL_SIGNALS_H
#define MOAT_KERNEL_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread_group;

/* A queued signal with its siginfo (real-time signals queue several;
 * standard ones coalesce to one entry). */
struct sigqueue_entry {
	struct sigqueue_entry *next;
	siginfo_t info;
};

/* Pending signals of a task (thread-directed) or of a thread group
 * (process-directed). `set` has bit sig-1 for each pending signal. */
struct sigpending {
	uint64_t set;
	struct sigqueue_entry *head;
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

/* Queue sig for t (thread-directed) and interrupt it if it may act on it. */
void task_send_signal(struct task *t, int sig);
void task_send_signal_self(struct task *t, int sig);
/* A signal caused by the task's own instruction (fault, exception): it
 * cannot be blocked or ignored (Linux's force_sig). */
void signals_force_fault(struct task *t, int sig, int code, uint64_t addr);
/* Act on pending unblocked signals before returning to the application. */
void signals_handle_pending(struct task *t);
/* True when an unblocked signal is still pending (the loop goes round). */
bool signals_deliverable(struct task *t);

#endif
