/*
 * Tasks, thread groups and the kernel object: the core of the emulated
 * Linux kernel (see DESIGN.md, 3). A task is one application thread; it has
 * one sentry thread that runs its run loop (task_run.c).
 */
#ifndef MOAT_KERNEL_TASK_H
#define MOAT_KERNEL_TASK_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "arch/x86_64/arch.h"
#include "kernel/pidns.h"
#include "kernel/signals.h"
#include "kernel/waitq.h"
#include "platform/platform.h"

struct mm;
struct uts_ns;
struct ipc_ns;
struct user_ns;
struct net_ns;
struct fd_table;
struct fs_context;
struct mnt_ns;
struct file;

/* Linux's kernel-internal restart codes (never seen by applications). */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

#define MOAT_NSIG 64
#define TASKS_LIMIT 65536

struct creds {
	uint32_t ruid, euid, suid, fsuid;
	uint32_t rgid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[64];
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding, cap_ambient;
	/* The user namespace the capabilities are held in (one reference;
	 * NULL means the initial one, as for the static kernel creds). IDs
	 * above are kernel IDs: translate at the syscall boundary
	 * (kernel/userns.h). */
	struct user_ns *user_ns;
};

extern struct user_ns user_ns_init;

/* Capability and group membership tests on credentials (Linux's
 * capable(): cap effective in the *initial* user namespace, so a task in
 * a child namespace is not privileged over global things; namespaced
 * objects use ns_capable, kernel/userns.h; in_group_p() against fsgid). */
static inline bool creds_has_cap(const struct creds *c, int cap)
{
	return ((c->cap_effective >> cap) & 1) && (!c->user_ns || c->user_ns == &user_ns_init);
}

static inline bool creds_in_group(const struct creds *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < 64; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* Kernel sigaction layout for rt_sigaction (struct kernel_sigaction). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct sighand {
	pthread_mutex_t lock;
	atomic_int refs;
	struct k_sigaction action[MOAT_NSIG];
};

/* Thread groups (processes). Links between thread groups (parent,
 * children, siblings) and the task lists are protected by the TaskSet lock
 * (kernel->lock); the fields below `lock` by tg->lock. */
struct thread_group {
	struct kernel *kernel;
	int pid;                      /* thread group ID in the root namespace */
	struct kpid *pidp;            /* the same ID at every level (pidns.h) */
	int pgid, sid;
	struct task *leader;
	struct task *tasks;           /* live tasks, linked by task->tg_next */
	struct thread_group *parent;  /* NULL for init */
	struct thread_group *children;/* linked by sibling_next */
	struct thread_group *sibling_next;
	int exit_signal;              /* sent to the parent at exit (SIGCHLD) */

	pthread_mutex_t lock;
	int live_tasks;
	bool exiting;                 /* exit_group in progress */
	bool zombie;                  /* all tasks gone, waiting to be reaped */
	bool reaped;                  /* and reaped: its ID is free */
	struct waitq exit_events;     /* its tasks' exits and its reaping (pidfd poll) */
	int exit_status;              /* wait status format */
	/* Job control, read by wait(WUNTRACED/WCONTINUED) of the parent. */
	bool stopped;                 /* group stop complete */
	int stop_signal;
	bool stop_reported;           /* already seen by a WUNTRACED wait */
	bool continued;               /* SIGCONT since the last WCONTINUED wait */
	struct rlimit rlimits[RLIM_NLIMITS];
	struct sighand *sighand;
	struct sigpending pending;    /* process-directed signals */
	struct waitq child_events;    /* children exit/stop/continue: wait4 sleeps here */
	uint64_t utime_ns, stime_ns;  /* accumulated by exited tasks */
	uint64_t cutime_ns, cstime_ns;/* of reaped children */
	uint64_t maxrss_kb, cmaxrss_kb;
	char comm[16];
	int dumpable;                 /* PR_SET_DUMPABLE */
	bool did_exec;                /* setpgid by the parent: EACCES */
	int nice;                     /* -20..19 */
	struct task *parent_task;     /* the thread that created it (__WNOTHREAD, PDEATHSIG) */
	bool child_subreaper;
	/* /proc/<pid>/oom_score_adj (-1000..1000) and the floor below which
	 * only CAP_SYS_RESOURCE may set it; under lock, inherited on fork. */
	short oom_score_adj, oom_score_adj_min;
};

/* The task's current place in its run loop (DESIGN.md, 3). Each state's
 * execute function returns the next state. */
struct task_state {
	const char *name;
	const struct task_state *(*execute)(struct task *t);
};

struct task {
	struct kernel *kernel;
	int tid;                      /* in the root PID namespace */
	struct kpid *kpid;            /* the thread ID at every level (pidns.h) */
	/* unshare(CLONE_NEWPID): where children go; NULL: the task's own. */
	struct pid_ns *pidns_children;
	struct thread_group *tg;
	struct mm *mm;
	struct fd_table *fdt;
	struct fs_context *fs;
	struct uts_ns *uts;           /* hostname/domainname (uts.c) */
	struct ipc_ns *ipc;           /* System V IPC objects (ipc.c) */
	struct mnt_ns *mnt_ns;        /* mount namespace (vfs/mntns.c) */
	struct net_ns *net;           /* network namespace (netns.c) */
	struct creds creds;

	struct arch_state arch;       /* registers when not running app code */
	struct plat_ctx *ctx;
	struct trap_info trap;        /* the last trap */
	const struct task_state *state;

	uint64_t syscall_args[6];
	long syscall_nr;
	long restart_code;            /* ERESTART* of an interrupted syscall, or 0 */
	/* Page faults of the app in a row on one page (mm_fault). */
	uint64_t last_fault_page;
	int fault_count;
	/* Synchronous signal information of the last forced fault. */
	int fault_code;
	uint64_t fault_addr;

	uint64_t sigmask;             /* blocked signals (bit n-1 = signal n) */
	struct sigpending pending;    /* thread-directed signals */
	uint64_t saved_sigmask;       /* for sigsuspend-style calls */
	bool have_saved_sigmask;
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;

	char comm[16];                /* thread name (PR_SET_NAME) */
	uint64_t start_ns;            /* CLOCK_MONOTONIC at creation (/proc starttime) */
	int sched_policy;             /* SCHED_*, with SCHED_RESET_ON_FORK */
	int sched_priority;
	uint32_t personality;
	uint64_t cpu_affinity;        /* allowed virtual CPUs (bit n = CPU n), 0 = all */
	int pdeath_signal;            /* PR_SET_PDEATHSIG */
	bool no_new_privs;
	int keep_caps;
	uint64_t clear_child_tid;
	uint64_t robust_list, robust_list_len;

	/* Sleeping: the task waits on its wake word with an optional deadline. */
	atomic_uint wake_word;
	atomic_bool interrupted;

	bool exiting;
	bool released;                /* gone from the TaskSet (task_exit_release) */
	int exit_code;
	pthread_t thread;
	struct init_exec *init_exec;  /* what init execs first */

	/* TaskSet links (kernel->lock). */
	struct task *all_next, *all_prev;
	struct task *tg_next;
	/* vfork: the parent sleeps until this task execs or exits. */
	struct task *vfork_parent;
	atomic_uint vfork_done_word;
};

struct strvec;
struct init_exec;
int task_exec(struct task *t, const char *path, struct file *opened, struct strvec *argv,
	      struct strvec *envp);

struct kernel {
	pthread_mutex_t lock;         /* the TaskSet lock */
	struct task *init;
	struct pid_ns *root_pidns;
	int live_tasks;
	struct task *all_tasks;       /* every live task, linked by all_next */
	char hostname[65];
	char domainname[65];
	int ncpus;
	uint64_t boot_time_ns;        /* CLOCK_MONOTONIC at kernel creation */
	pthread_mutex_t exit_lock;
	pthread_cond_t exit_cond;
	bool init_exited;
	int init_status;              /* wait status of init */
};

/* Run loop, exit and exec (task_run.c, task_exit.c, task_exec.c). */
void *task_main(void *arg);
const struct task_state *task_state_app(void);
const struct task_state *task_state_exec_init(void);
const struct task_state *task_state_exit(void);
long syscall_dispatch(struct task *t, long nr, const uint64_t *a);
void syscall_restart(struct task *t);
/* Make t's thread group exit with wait status `status` (exit_group, fatal
 * signals). */
void task_exit_group(struct task *t, int status);
/* The exit state: release the task's resources, notify, reap. */
void task_exit_release(struct task *t);
void task_free(struct task *t);
/* CPU time in ns: user (application code), system (its sentry thread). */
void task_cpu_times(struct task *t, uint64_t *utime, uint64_t *stime);
void tg_cpu_times(struct thread_group *tg, uint64_t *utime, uint64_t *stime);
/* UTS and IPC namespaces (uts.c, ipc.c): reference counted; the root
 * ones are made by kernel_new. */
struct uts_ns *uts_ns_root(struct kernel *k);
struct uts_ns *uts_ns_clone(struct uts_ns *ns, struct user_ns *owner); /* CLONE_NEWUTS: a copy */
void uts_ns_get(struct uts_ns *ns);
void uts_ns_put(struct uts_ns *ns);
struct ipc_ns *ipc_ns_root(void);
struct ipc_ns *ipc_ns_new(struct user_ns *owner);  /* CLONE_NEWIPC: empty */
void ipc_ns_get(struct ipc_ns *ns);
void ipc_ns_put(struct ipc_ns *ns);

/* Start the sentry thread running t's run loop. */
int task_start_thread(struct task *t);
/* Release a vfork parent waiting for t (exec or exit). */
void task_vfork_release(struct task *t);

/* TaskSet lookups; the caller holds kernel->lock. */
struct task *kernel_task_by_tid_locked(struct kernel *k, int tid);
struct thread_group *kernel_tg_by_pid_locked(struct kernel *k, int pid);
/* PID namespaces (pidns.h): the task's own namespace; lookups and
 * translations of IDs as t sees them ("vnr": its namespace's numbers).
 * The _locked ones need k->lock. */
struct pid_ns *task_pidns(const struct task *t);
struct task *task_by_vnr_locked(struct task *t, int nr);
int task_vnr_of_root_locked(struct task *t, int root_nr);   /* 0: not visible */
int task_root_of_vnr_locked(struct task *t, int nr);        /* 0: no such ID */
/* t's thread ID and a thread group's ID as seen from t (0: not visible). */
static inline int task_vtid(const struct task *t) { return t->kpid->numbers[t->kpid->level].nr; }
static inline int tg_vpid(const struct task *t, const struct thread_group *tg)
{
	return kpid_nr_ns(tg->pidp, kpid_ns(t->kpid));
}

/* Is tg's process group orphaned (no member with a parent in another
 * group of the session)? Takes the TaskSet lock. */
bool tg_pgrp_orphaned(struct thread_group *tg);

/* Tell the parent of tg about a stop (CLD_STOPPED) or continue
 * (CLD_CONTINUED): SIGCHLD unless SA_NOCLDSTOP, and wake its waiters. */
void tg_notify_parent_stop(struct thread_group *tg, int why, int sig);

/* The task whose run loop the calling sentry thread is executing. */
extern __thread struct task *current_task;

/* Copy application memory of t's address space; 0 or -EFAULT. */
int task_copy_in(struct task *t, void *dst, uint64_t addr, size_t len);
int task_copy_out(struct task *t, uint64_t addr, const void *src, size_t len);
/* Copy a NUL-terminated string of at most max bytes (NUL included) into buf;
 * returns its length, -EFAULT or -ENAMETOOLONG. */
long task_copy_in_string(struct task *t, uint64_t addr, char *buf, size_t max);


/* Interruptible sleep (task_block.c). A task sleeps on its wake word until
 * task_wake(), an interrupt (signal, stop, kill: task_interrupt()) or the
 * deadline (absolute CLOCK_MONOTONIC, NULL for none). Returns 0 when woken,
 * -ETIMEDOUT or -EINTR. Callers re-check their condition after 0: wakeups
 * may be spurious. */
int task_block(struct task *t, const struct timespec *deadline);
void task_wake(struct task *t);
void task_interrupt(struct task *t);
bool task_interrupted(struct task *t);
/* Sleep until host descriptor hostfd is ready for events (POLLIN/POLLOUT),
 * or an interrupt. Returns the poll revents, or -EINTR. */
int task_block_host_fd(struct task *t, int hostfd, short events);

#endif
