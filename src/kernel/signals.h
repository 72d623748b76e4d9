/*
 * Signals: pending sets, masks, default actions (signals.c). Handler
 * delivery with signal frames belongs to the process-model issue.
 * signals.c says what is done until then.
 */
#ifndef MOAT_KERNEL_SIGNALS_H
#define MOAT_KERNEL_SIGNALS_H

#include <stdbool.h>
#include <stdint.h>

struct task;

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
