/*
 * execve: load the new image into a fresh address space, then (past the
 * point of no return) replace the task's mm, close close-on-exec
 * descriptors, reset caught signals to their default and start the new
 * program with clean registers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "arch/x86_64/signal_frame.h"
#include "kernel/kernel.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "lib/log.h"
#include "loader/loader.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

static void reset_registers(struct arch_state *st, uint64_t entry, uint64_t sp)
{
	struct user_regs_struct *r = &st->regs;
	uint64_t cs = r->cs ? r->cs : 0x33, ss = r->ss ? r->ss : 0x2b;
	memset(r, 0, sizeof *r);
	r->rip = entry;
	r->rsp = sp;
	r->cs = cs;
	r->ss = ss;
	r->eflags = 0x202;
	r->orig_rax = (uint64_t)-1;
}

/* Handled signals go back to SIG_DFL; ignored ones stay ignored. */
static void reset_signal_handlers(struct task *t)
{
	struct sighand *sh = t->tg->sighand;
	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < MOAT_NSIG; i++) {
		struct k_sigaction *a = &sh->action[i];
		if (a->handler != (uint64_t)SIG_IGN)
			memset(a, 0, sizeof *a);
	}
	pthread_mutex_unlock(&sh->lock);
	t->altstack_sp = 0;
	t->altstack_size = 0;
}

void timers_tg_exec(struct thread_group *tg) __attribute__((weak));

/* execve in a multi-threaded process: the other threads die, and the
 * exec'ing thread becomes the leader with the process ID as its thread ID
 * (Linux's de_thread). */
static void become_sole_thread(struct task *t)
{
	struct kernel *k = t->kernel;
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&k->lock);
	for (struct task *o = tg->tasks; o; o = o->tg_next)
		if (o != t) {
			o->exiting = true;
			task_interrupt(o);
		}
	pthread_mutex_unlock(&k->lock);
	for (;;) {
		pthread_mutex_lock(&tg->lock);
		int live = tg->live_tasks;
		pthread_mutex_unlock(&tg->lock);
		if (live <= 1 || tg->exiting)
			break;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (tg->leader == t)
		return;
	pthread_mutex_lock(&k->lock);
	/* The process ID passes to t; its own thread ID is free again. */
	taskset_remove_tid_locked(k, t);
	tg->pidp->task = t;
	t->kpid = tg->pidp;
	t->tid = tg->pid;
	tg->leader = t;
	pthread_mutex_unlock(&k->lock);
}

int task_exec(struct task *t, const char *path, struct file *opened, struct strvec *argv,
	      struct strvec *envp)
{
	struct exec_image img;
	int err = loader_exec(t, path, opened, argv, envp, &img);
	if (err)
		return err;
	if (t->tg->live_tasks > 1 || t->tg->leader != t)
		become_sole_thread(t);
	task_vfork_release(t);
	t->tg->did_exec = true;
	user_ns_exec_caps(&t->creds);
	if (timers_tg_exec)
		timers_tg_exec(t->tg);
	struct mm *old = t->mm;
	t->mm = img.mm;
	if (old)
		mm_put(old);
	fdt_close_on_exec(t->fdt);
	reset_signal_handlers(t);
	memcpy(t->tg->comm, img.comm, sizeof img.comm);
	memcpy(t->comm, img.comm, sizeof img.comm);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	reset_registers(&t->arch, img.entry, img.sp);
	/* Nothing of the old program's FPU state (or of whatever ran in the
	 * stub before) reaches the new one. */
	fpstate_reset(t);
	return 0;
}

/* The first state of init: exec the program moat was asked to run. */
static const struct task_state *st_exec_init_execute(struct task *t)
{
	struct init_exec *ie = t->init_exec;
	int err = task_exec(t, ie->path, NULL, &ie->argv, &ie->envp);
	if (err) {
		log_printf("moat: cannot run %s: %s", ie->path, strerror(-err));
		/* As a shell reports it: 127 not found, 126 not executable. */
		task_exit_group(t, (err == -ENOENT || err == -ENOTDIR ? 127 : 126) << 8);
		t->exiting = true;
	}
	strvec_free(&ie->argv);
	strvec_free(&ie->envp);
	free(ie->path);
	free(ie);
	t->init_exec = NULL;
	if (err)
		return task_state_exit();
	return task_state_app();
}

static const struct task_state st_exec_init = { "exec-init", st_exec_init_execute };
const struct task_state *task_state_exec_init(void) { return &st_exec_init; }

/* execveat(2)'s executable: dirfd + path, AT_EMPTY_PATH for the file of
 * dirfd itself; *name becomes the name the new program sees (AT_EXECFN),
 * /dev/fd/N[/path] when the path is relative to a descriptor. */
static int open_exec_at(struct task *t, int dirfd, const char *path, int flags, char *name,
			size_t name_size, struct file **out)
{
	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	int walk = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) | ((flags & AT_EMPTY_PATH) ? WALK_EMPTY : 0);
	struct path p;
	int err = vfs_lookup_at(t, NULL, dirfd, path, walk, &p);
	if (err)
		return err;
	struct inode *inode = path_inode(p);
	if (S_ISLNK(inode->st.st_mode))
		return -ELOOP;
	if (!S_ISREG(inode->st.st_mode) || mnt_noexec(p.mnt))
		return -EACCES;
	if ((err = vfs_permission(&t->creds, inode, MAY_EXEC)))
		return err;
	if ((err = vfs_open_path(p, O_RDONLY, out)))
		return err;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		snprintf(name, name_size, "%s", path);
	else if (!path[0])
		snprintf(name, name_size, "/dev/fd/%d", dirfd);
	else
		snprintf(name, name_size, "/dev/fd/%d/%s", dirfd, path);
	return 0;
}

static long do_execveat(struct task *t, int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
			int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	char *path = malloc(VFS_PATH_MAX), *name = malloc(VFS_PATH_MAX);
	long n = path && name ? task_copy_in_string(t, upath, path, VFS_PATH_MAX) : -ENOMEM;
	if (n < 0) {
		free(path);
		free(name);
		return n;
	}
	struct strvec argv, envp;
	int err = strvec_copy_in(t, uargv, &argv);
	if (!err) {
		err = strvec_copy_in(t, uenvp, &envp);
		if (err)
			strvec_free(&argv);
	}
	if (!err) {
		struct file *f = NULL;
		if (dirfd == AT_FDCWD && !flags) {
			strcpy(name, path);
			if (!path[0])
				err = -ENOENT;
		} else {
			err = open_exec_at(t, dirfd, path, flags, name, VFS_PATH_MAX, &f);
		}
		if (!err)
			err = task_exec(t, name, f, &argv, &envp);
		strvec_free(&argv);
		strvec_free(&envp);
	}
	free(path);
	free(name);
	return err;
}

SYSCALL_DEFINE(execve) { return do_execveat(t, AT_FDCWD, a[0], a[1], a[2], 0); }
SYSCALL_DEFINE(execveat) { return do_execveat(t, (int)a[0], a[1], a[2], a[3], (int)a[4]); }
