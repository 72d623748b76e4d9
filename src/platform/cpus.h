/*
 * Placement of sentry threads on host CPUs. Every system call of a task is
 * a hand-off between its sentry thread and its stub, and on a VM waking a
 * thread on another CPU costs tens of microseconds: the two must share a
 * CPU (the platform keeps the stub on its sentry thread's CPU), and the
 * sentry thread must not be moved by every wake-up. So each sentry thread
 * is pinned: to the CPU with the fewest runnable sentry threads when it
 * starts, and again when it wakes from a sleep to a CPU busier by two than
 * another.
 */
#ifndef MOAT_PLATFORM_CPUS_H
#define MOAT_PLATFORM_CPUS_H

/* Learn the CPUs moat may use (its affinity when it starts). */
void cpus_init(void);
/* The calling sentry thread starts, or ends, running tasks. */
void cpus_thread_start(void);
void cpus_thread_end(void);
/* The calling sentry thread goes to sleep, or has woken up. */
void cpus_sleep(void);
void cpus_wake(void);

#endif
