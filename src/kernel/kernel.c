/*
 * The kernel object: one per sandbox (DESIGN.md, 3).
 */
#include "kernel/kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kernel/signals.h"
#include "lib/log.h"
#include "vfs/vfs.h"

void task_block_init(void);
#pragma weak uts_ns_root
#pragma weak ipc_ns_root

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct kernel *kernel_new(void)
{
	struct kernel *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	pthread_mutex_init(&k->exit_lock, NULL);
	pthread_cond_init(&k->exit_cond, NULL);
	if (!(k->root_pidns = pidns_new_root())) {
		free(k);
		return NULL;
	}
	strcpy(k->hostname, "moat");
	strcpy(k->domainname, "(none)");
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	k->ncpus = n > 0 ? (int)n : 1;
	k->boot_time_ns = monotonic_ns();
	task_block_init();
	return k;
}

/* Linux's defaults for init (see /proc/1/limits on a fresh system),
 * with the host's stack and open-file limits. */
static void default_rlimits(struct rlimit *r)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		r[i].rlim_cur = r[i].rlim_max = RLIM_INFINITY;
	getrlimit(RLIMIT_STACK, &r[RLIMIT_STACK]);
	getrlimit(RLIMIT_NOFILE, &r[RLIMIT_NOFILE]);
	getrlimit(RLIMIT_NPROC, &r[RLIMIT_NPROC]);
	getrlimit(RLIMIT_SIGPENDING, &r[RLIMIT_SIGPENDING]);
	getrlimit(RLIMIT_MSGQUEUE, &r[RLIMIT_MSGQUEUE]);
	getrlimit(RLIMIT_MEMLOCK, &r[RLIMIT_MEMLOCK]);
	r[RLIMIT_CORE].rlim_cur = 0;
	if (r[RLIMIT_STACK].rlim_cur == RLIM_INFINITY)
		r[RLIMIT_STACK].rlim_cur = 8 << 20;
}

static void root_creds(struct creds *c)
{
	memset(c, 0, sizeof *c);
	/* Root inside the sandbox with the full capability set of a
	 * container's init. */
	c->cap_effective = c->cap_permitted = c->cap_bounding = (1ULL << 41) - 1;
}

int kernel_create_process(struct kernel *k, struct init_args *args, struct task **out)
{
	struct task *t = calloc(1, sizeof *t);
	struct thread_group *tg = calloc(1, sizeof *tg);
	struct sighand *sh = calloc(1, sizeof *sh);
	struct init_exec *ie = calloc(1, sizeof *ie);
	if (!t || !tg || !sh || !ie)
		return -ENOMEM;
	t->start_ns = monotonic_ns();
	pthread_mutex_init(&sh->lock, NULL);
	atomic_init(&sh->refs, 1);
	pthread_mutex_init(&tg->lock, NULL);
	tg->sighand = sh;
	tg->leader = t;
	tg->live_tasks = 1;
	tg->dumpable = 1;
	default_rlimits(tg->rlimits);
	tg->kernel = k;
	tg->exit_signal = SIGCHLD;
	tg->tasks = t;
	waitq_init(&tg->child_events);
	waitq_init(&tg->exit_events);
	pthread_mutex_lock(&k->lock);
	int err = taskset_alloc_tid_locked(k, t, k->root_pidns, NULL, 0);
	if (!err) {
		taskset_insert_locked(k, t);
		tg->pid = tg->pgid = tg->sid = t->tid;
		tg->pidp = t->kpid;
		k->root_pidns->reaper = tg;
		kpid_attach_locked(t->kpid);   /* as the process group ID */
		kpid_attach_locked(t->kpid);   /* and the session ID */
	}
	pthread_mutex_unlock(&k->lock);
	if (err)
		return err;
	t->kernel = k;
	t->tg = tg;
	root_creds(&t->creds);
	t->altstack_flags = 0;   /* Linux starts with no alternate stack, flags 0 */
	if (uts_ns_root)
		t->uts = uts_ns_root(k);
	if (ipc_ns_root)
		t->ipc = ipc_ns_root();
	t->fdt = fdt_new();
	t->fs = fs_context_new(args->cwd);
	t->mnt_ns = mnt_ns_root(k);
	if (!t->fdt || !t->fs)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		if (args->stdio[fd] < 0)
			continue;
		int err = fdt_import_host_fd(t->fdt, fd, args->stdio[fd]);
		if (err)
			return err;
	}
	ie->path = strdup(args->path);
	ie->argv = args->argv;
	ie->envp = args->envp;
	memset(&args->argv, 0, sizeof args->argv);
	memset(&args->envp, 0, sizeof args->envp);
	t->init_exec = ie;
	t->state = task_state_exec_init();
	k->init = t;
	*out = t;
	return 0;
}

int task_start_thread(struct task *t)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t->thread, &attr, task_main, t);
	pthread_attr_destroy(&attr);
	return -err;
}

void kernel_start(struct kernel *k)
{
	if (task_start_thread(k->init))
		die("cannot start the init task thread");
}

int kernel_wait_exited(struct kernel *k)
{
	pthread_mutex_lock(&k->exit_lock);
	while (!k->init_exited)
		pthread_cond_wait(&k->exit_cond, &k->exit_lock);
	int status = k->init_status;
	pthread_mutex_unlock(&k->exit_lock);
	return status;
}

void kernel_send_external_signal(struct kernel *k, int sig)
{
	if (k->init && !k->init_exited)
		task_send_signal(k->init, sig);
}
