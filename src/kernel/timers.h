/*
 * Timers and clocks (timers.c): the clocks applications read, interval
 * timers (setitimer(2), alarm(2)), POSIX per-process timers
 * (timer_create(2) and friends), and the per-task restart block that
 * restart_syscall(2) resumes interrupted sleeps from.
 *
 * All timers run on one sentry timer thread with a min-heap of deadlines on
 * the host's CLOCK_MONOTONIC. Timers on other clocks are converted when
 * they are armed: a step of the host's CLOCK_REALTIME afterwards is not
 * followed (an absolute CLOCK_REALTIME timer fires when the realtime clock
 * read at arming time said it would). CPU-time timers (ITIMER_VIRTUAL,
 * ITIMER_PROF, timers on CPU-time clocks) are APPROXIMATED by wall-clock
 * time: the sentry cannot yet measure the CPU time of a stub thread.
 *
 * Timer state lives here, keyed by thread group and task, so that the
 * kernel's structures need no timer fields. The owners of those structures
 * call the hooks below at the right moments.
 */
#ifndef MOAT_KERNEL_TIMERS_H
#define MOAT_KERNEL_TIMERS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kernel/signals.h"

struct task;
struct thread_group;

#define NSEC_PER_SEC 1000000000LL

/* ---- clocks ----------------------------------------------------------- */

enum clock_kind {
	CK_INVALID,
	CK_HOST,          /* read the host clock of the same id */
	CK_ALARM,         /* *_ALARM: no RTC device in the sandbox */
	CK_PROCESS_CPU,   /* CPU time of the calling process (approximate) */
	CK_THREAD_CPU,    /* CPU time of the calling thread (approximate) */
};

/* Classify clock id as seen by t (CPU-time clocks of t itself are accepted
 * in their negative encodings too; those of other tasks are reported as
 * unsupported and classified invalid). */
enum clock_kind clock_kind_of(struct task *t, clockid_t id);
/* Read clock id for t: 0, or -EINVAL for invalid and alarm clocks. */
int clock_read_ns(struct task *t, clockid_t id, int64_t *ns);
int64_t clock_mono_ns(void);

/* Saturating conversions (deadlines beyond ~292 years are "never"). */
int64_t timespec_to_ns_sat(const struct timespec *ts);
struct timespec ns_to_timespec(int64_t ns);
int64_t ns_add_sat(int64_t a, int64_t b);

/* ---- interval timers and POSIX timers -------------------------------- */

/* A timer setting in nanoseconds: value 0 means disarmed. */
struct ktimer_spec {
	int64_t value_ns;
	int64_t interval_ns;
};

/* setitimer(2)/getitimer(2) for which = ITIMER_REAL/VIRTUAL/PROF of t's
 * thread group; old (may be NULL) gets the previous setting. */
int timers_itimer_set(struct task *t, int which, const struct ktimer_spec *new_spec,
		      struct ktimer_spec *old);
int timers_itimer_get(struct task *t, int which, struct ktimer_spec *cur);

/* What a POSIX timer notifies on expiry (a checked struct sigevent). */
struct posix_timer_params {
	clockid_t clock;
	int notify;               /* SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD_ID */
	int signo;
	union sigval value;       /* si_value of the signal */
	bool default_value;       /* sigevent was NULL: si_value is the timer id */
	struct task *target;      /* SIGEV_THREAD_ID: the thread to signal */
};

/* Create a timer in t's thread group; *id gets its ID. -EAGAIN when the
 * group has as many timers as its RLIMIT_SIGPENDING allows. */
int timers_posix_create(struct task *t, const struct posix_timer_params *p, int *id);
/* Linux allocates a timer ID before checking the sigevent (and the alarm
 * clocks); a failed timer_create still uses up an ID. Returns -EAGAIN at
 * the limit (which Linux checks first), else 0. */
int timers_posix_use_id(struct task *t);
/* flags: TIMER_ABSTIME. -EINVAL for an unknown id. */
int timers_posix_set(struct task *t, int id, int flags, const struct ktimer_spec *new_spec,
		     struct ktimer_spec *old);
int timers_posix_get(struct task *t, int id, struct ktimer_spec *cur);
int timers_posix_getoverrun(struct task *t, int id);
int timers_posix_delete(struct task *t, int id);

/* ---- hooks for the owners of tasks, thread groups and signals --------- */

/* The thread group is exiting: delete its POSIX timers and interval
 * timers. Returns after any signal the timer thread was sending to tg is
 * sent. Call it before tg is freed, without holding the TaskSet, sighand,
 * tg or task locks (the timer thread takes them to send signals). */
void timers_tg_exit(struct thread_group *tg);
/* execve: POSIX timers are deleted; interval timers (and alarm) are kept
 * (execve(2), timer_create(2)). Same locking rule. */
void timers_tg_exec(struct thread_group *tg);
/* The task is exiting: forget its restart block; SIGEV_THREAD_ID timers
 * aimed at it send nothing any more. Same locking rule. */
void timers_task_exit(struct task *t);
/* signals.c calls this when it dequeues a signal whose si_code is SI_TIMER,
 * before the siginfo reaches the application: it sets info->si_overrun to
 * the expirations since the signal was queued (Linux's posixtimer_rearm) and
 * timer_getoverrun(2) then returns the same number. Without this call the
 * timers still work; si_overrun is then 0 and only timer_getoverrun(2)
 * reports overruns. Takes the timer lock (inner to the signal locks). */
void timers_signal_dequeued(struct task *t, siginfo_t *info);

/* ---- restart_syscall(2) ----------------------------------------------- */

/* struct restart_block (signals.h) says what restart_syscall(2) resumes
 * after a sleep returned -ERESTART_RESTARTBLOCK and no handler ran. Until
 * struct task embeds one, timers.c keeps one per task. */

/* Set t's restart block (copied); returns -ERESTART_RESTARTBLOCK (or
 * -EINTR when there is no memory to keep it). */
long task_set_restart_block(struct task *t, const struct restart_block *rb);
/* t's current restart block, for its fn to read its data; NULL if none.
 * Only t's own thread may call this. */
struct restart_block *task_restart_block(struct task *t);
/* Run t's restart block once; -EINTR when there is none (Linux's
 * do_no_restart_syscall). */
long task_run_restart_block(struct task *t);
/* Forget t's restart block (rt_sigreturn does this in Linux). */
void task_clear_restart_block(struct task *t);

#endif
