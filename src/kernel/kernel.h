/*
 * The kernel object (DESIGN.md, 3): created once per sandbox; makes the
 * init process, starts it, and reports how it ended.
 */
#ifndef MOAT_KERNEL_KERNEL_H
#define MOAT_KERNEL_KERNEL_H

#include "kernel/task.h"
#include "loader/loader.h"

struct init_args {
	const char *path;          /* program to exec, as given */
	struct strvec argv, envp;
	const char *cwd;           /* inside the sandbox; NULL: "/" */
	int stdio[3];              /* host descriptors imported as 0, 1, 2 */
};

/* The program init execs first (owned by init until it has run). */
struct init_exec {
	char *path;
	struct strvec argv, envp;
};

struct kernel *kernel_new(void);
/* Create the init process (PID 1); it execs args->path in its own thread. */
int kernel_create_process(struct kernel *k, struct init_args *args, struct task **out);
void kernel_start(struct kernel *k);
/* Block until init exits; returns its wait status. */
int kernel_wait_exited(struct kernel *k);
/* Deliver a signal from outside the sandbox (Ctrl-C, SIGTERM) to init. */
void kernel_send_external_signal(struct kernel *k, int sig);

/* Give t a thread ID in ns (set_tid: clone3's wanted numbers, innermost
 * first); -EAGAIN past TASKS_LIMIT, -EEXIST, -EINVAL, -ENOMEM (pidns.h). */
int taskset_alloc_tid_locked(struct kernel *k, struct task *t, struct pid_ns *ns, const int *set_tid,
			     int nset);
/* TaskSet membership (taskset.c); the caller holds k->lock. */
void taskset_insert_locked(struct kernel *k, struct task *t);
void taskset_remove_live_locked(struct kernel *k, struct task *t);
void taskset_remove_tid_locked(struct kernel *k, struct task *t);

/* clone(2) and friends (task_clone.c). */
struct clone_args_k {
	uint64_t flags;
	uint64_t pidfd, child_tid, parent_tid;
	int exit_signal;
	uint64_t stack, stack_size, tls;
	int set_tid[PIDNS_MAX_LEVEL];   /* clone3: wanted IDs, innermost namespace first */
	int set_tid_size;
};
long task_clone(struct task *t, const struct clone_args_k *args);
long task_unshare(struct task *t, uint64_t flags);

/* wait4/waitid (task_exit.c). */
struct wait_opts {
	int idtype;          /* P_PID, P_PGID, P_ALL */
	int id;              /* a root-namespace number (pidns.h) */
	int options;         /* WNOHANG, WEXITED, WSTOPPED, WCONTINUED, WNOWAIT, __W* */
	struct thread_group *only;   /* P_PIDFD: this child only */
	/* Results: */
	int pid, status, code, uid;   /* code: CLD_* for waitid */
	uint64_t utime_ns, stime_ns, maxrss_kb;
};
long task_wait(struct task *t, struct wait_opts *w);

#endif
