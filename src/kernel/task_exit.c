/*
 * Exit and wait. exit_group marks the thread group exiting with its wait
 * status and pulls every task of it out of the application; each task then
 * leaves through the exit state, releasing what it holds. The last task
 * makes the group a zombie: its children go to init (or the nearest child
 * subreaper), its parent gets the exit signal and wakes from wait. When
 * init's thread group is gone, every task is killed and the sandbox ends.
 *
 * Task and thread-group structures are not freed after reaping yet (other
 * threads may still hold pointers found before the reap); that needs
 * reference counts on them.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/netns.h"
#include "kernel/signals.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "mm/mm.h"
#include "vfs/vfs.h"

/* From the futex code: wake waiters on a futex word (CLONE_CHILD_CLEARTID). */
int futex_wake_addr(struct mm *mm, uint64_t addr, int n) __attribute__((weak));
/* And hand on the PI futexes a dead thread still owned. */
void futex_exit_pi(struct task *dead) __attribute__((weak));
/* From the signal code (declared in signals.h; weak until it lands). */
#pragma weak signal_send_tg
#pragma weak signal_send_task
/* From the timer code: the group's timers go with it. */
void timers_tg_exit(struct thread_group *tg) __attribute__((weak));
void timers_task_exit(struct task *t) __attribute__((weak));
void ipc_task_exit(struct task *t) __attribute__((weak));
void ipc_tg_exit(struct thread_group *tg) __attribute__((weak));
#pragma weak uts_ns_put
#pragma weak ipc_ns_put

void task_exit_group(struct task *t, int status)
{
	struct thread_group *tg = t->tg;
	struct kernel *k = t->kernel;
	pthread_mutex_lock(&k->lock);
	pthread_mutex_lock(&tg->lock);
	bool first = !tg->exiting;
	if (first) {
		tg->exiting = true;
		tg->exit_status = status;
	}
	pthread_mutex_unlock(&tg->lock);
	t->exiting = true;
	if (first)
		for (struct task *o = tg->tasks; o; o = o->tg_next)
			if (o != t) {
				o->exiting = true;
				task_interrupt(o);
			}
	pthread_mutex_unlock(&k->lock);
}

/* Linux's mm_release: clear and wake the child TID word. */
static void clear_child_tid(struct task *t)
{
	if (!t->clear_child_tid || !t->mm)
		return;
	uint32_t zero = 0;
	if (task_copy_out(t, t->clear_child_tid, &zero, sizeof zero) == 0 && futex_wake_addr)
		futex_wake_addr(t->mm, t->clear_child_tid, 1);
}

/* Robust futexes (Linux's exit_robust_list): every lock on the dying
 * thread's robust list that it still owns gets FUTEX_OWNER_DIED and one
 * waiter is woken, so the next owner learns of the death. */
#define ROBUST_LIST_LIMIT 2048
#define FUTEX_TID_MASK_ 0x3fffffffu
#define FUTEX_OWNER_DIED_ 0x40000000u
#define FUTEX_WAITERS_ 0x80000000u

static void robust_futex_died(struct task *t, uint64_t uaddr)
{
	if (uaddr & 3)
		return;
	for (int tries = 0; tries < 16; tries++) {
		uint32_t word, actual;
		if (task_copy_in(t, &word, uaddr, sizeof word))
			return;
		/* The word holds the TID as the thread saw it (its PID
		 * namespace's, Linux's task_pid_vnr). */
		if ((word & FUTEX_TID_MASK_) != (uint32_t)task_vtid(t))
			return;
		/* Keeping FUTEX_WAITERS; the wake below also kicks a PI
		 * waiter (futex.c), which takes the lock with OWNER_DIED. */
		uint32_t nw = (word & FUTEX_WAITERS_) | FUTEX_OWNER_DIED_;
		if (mm_cmpxchg_u32(t, uaddr, word, nw, &actual))
			return;
		if (actual != word)
			continue;
		if ((word & FUTEX_WAITERS_) && futex_wake_addr)
			futex_wake_addr(t->mm, uaddr, 1);
		return;
	}
}

static void exit_robust_list(struct task *t)
{
	if (!t->robust_list || !t->mm)
		return;
	uint64_t head[3];   /* list, futex_offset, list_op_pending */
	if (task_copy_in(t, head, t->robust_list, sizeof head))
		return;
	int64_t off = (int64_t)head[1];
	uint64_t pending = head[2] & ~1ULL;
	uint64_t entry = head[0] & ~1ULL;
	for (int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		if (task_copy_in(t, &next, entry, sizeof next))
			return;
		/* The pending entry is handled last, once. */
		if (entry != pending)
			robust_futex_died(t, entry + off);
		entry = next & ~1ULL;
	}
	if (pending)
		robust_futex_died(t, pending + off);
}

/* Linux's zap_pid_ns_processes: when a namespace's init goes, every task
 * of the namespace (nested ones included) is killed, no process may enter
 * it any more, and init reaps them all before its own exit is reported. */
static bool is_last_of_ns_init(struct task *t)
{
	struct pid_ns *ns = task_pidns(t);
	if (ns->level == 0 || ns->reaper != t->tg)
		return false;
	pthread_mutex_lock(&t->tg->lock);
	bool last = t->tg->live_tasks == 1;
	pthread_mutex_unlock(&t->tg->lock);
	return last;
}

/* SIGKILL every task of ns but those of init (NULL: every task, when the
 * sandbox's init is gone). */
static void kill_ns_locked(struct kernel *k, struct pid_ns *ns, struct thread_group *init)
{
	for (struct task *o = k->all_tasks; o; o = o->all_next) {
		struct thread_group *tg = o->tg;
		if (tg == init || !kpid_in_ns(o->kpid, ns))
			continue;
		pthread_mutex_lock(&tg->lock);
		if (!tg->exiting) {
			tg->exiting = true;
			tg->exit_status = SIGKILL;
		}
		pthread_mutex_unlock(&tg->lock);
		o->exiting = true;
		task_interrupt(o);
	}
}

static void reap_locked(struct kernel *k, struct thread_group *parent, struct thread_group *child);

/* Reap init's zombie children; are tasks of ns other than init's still
 * running? */
static bool ns_reap_and_count_locked(struct kernel *k, struct pid_ns *ns, struct thread_group *init)
{
	bool others = false;
	for (struct task *o = k->all_tasks; o && !others; o = o->all_next)
		others = o->tg != init && kpid_in_ns(o->kpid, ns);
	for (struct thread_group *c = init->children, *next; c; c = next) {
		next = c->sibling_next;
		if (c->zombie)
			reap_locked(k, init, c);
	}
	return others;
}

static void zap_pid_ns(struct task *t)
{
	struct kernel *k = t->kernel;
	struct pid_ns *ns = task_pidns(t);
	pthread_mutex_lock(&k->lock);
	ns->init_dead = true;
	kill_ns_locked(k, ns, t->tg);
	pthread_mutex_unlock(&k->lock);
	for (long delay_ns = 100000;; delay_ns = delay_ns < 10000000 ? 2 * delay_ns : delay_ns) {
		pthread_mutex_lock(&k->lock);
		bool others = ns_reap_and_count_locked(k, ns, t->tg);
		pthread_mutex_unlock(&k->lock);
		if (!others)
			break;
		struct timespec ts = { 0, delay_ns };
		nanosleep(&ts, NULL);
	}
}

/* A process group is orphaned when no member has a parent in another
 * group of the same session (POSIX; Linux's will_become_orphaned_pgrp).
 * `ignore` is a thread group about to leave. Caller holds k->lock. */
static bool pgrp_orphaned_locked(struct kernel *k, int pgid, int sid, struct thread_group *ignore)
{
	for (struct task *it = k->all_tasks; it; it = it->all_next) {
		struct thread_group *g = it->tg;
		if (g == ignore || g->pgid != pgid || g->zombie)
			continue;
		struct thread_group *p = g->parent;
		if (p && p != ignore && p->pgid != pgid && p->sid == sid)
			return false;
	}
	return true;
}

bool tg_pgrp_orphaned(struct thread_group *tg)
{
	struct kernel *k = tg->kernel;
	pthread_mutex_lock(&k->lock);
	bool r = pgrp_orphaned_locked(k, tg->pgid, tg->sid, NULL);
	pthread_mutex_unlock(&k->lock);
	return r;
}

static bool pgrp_has_stopped_locked(struct kernel *k, int pgid)
{
	for (struct task *it = k->all_tasks; it; it = it->all_next)
		if (it->tg->pgid == pgid && it->tg->stopped)
			return true;
	return false;
}

/* Members of process group pgid, to be sent SIGHUP and SIGCONT. */
static int pgrp_members_locked(struct kernel *k, int pgid, struct thread_group **out, int max)
{
	int n = 0;
	for (struct task *it = k->all_tasks; it && n < max; it = it->all_next) {
		struct thread_group *g = it->tg;
		if (g->pgid != pgid || g->zombie)
			continue;
		bool seen = false;
		for (int i = 0; i < n; i++)
			seen |= out[i] == g;
		if (!seen)
			out[n++] = g;
	}
	return n;
}

/* Linux's kill_orphaned_pgrp: when dead's exit orphans a process group
 * (its own, or a child's) that has stopped members, every member gets
 * SIGHUP then SIGCONT. Caller holds k->lock; the groups go into hup. */
static int orphaned_by_exit_locked(struct kernel *k, struct thread_group *dead, struct thread_group **hup, int max)
{
	int n = 0;
	struct thread_group *p = dead->parent;
	if (p && p->pgid != dead->pgid && p->sid == dead->sid &&
	    pgrp_orphaned_locked(k, dead->pgid, dead->sid, dead) && pgrp_has_stopped_locked(k, dead->pgid))
		n += pgrp_members_locked(k, dead->pgid, hup + n, max - n);
	for (struct thread_group *c = dead->children; c && n < max; c = c->sibling_next) {
		if (c->pgid != dead->pgid && c->sid == dead->sid &&
		    pgrp_orphaned_locked(k, c->pgid, c->sid, dead) && pgrp_has_stopped_locked(k, c->pgid))
			n += pgrp_members_locked(k, c->pgid, hup + n, max - n);
	}
	return n;
}

/* Where orphans go: the nearest ancestor in the same PID namespace that is
 * a child subreaper, else the namespace's init (PR_SET_CHILD_SUBREAPER,
 * Linux's find_new_reaper). */
static struct thread_group *new_reaper_locked(struct kernel *k, struct thread_group *dead)
{
	struct pid_ns *ns = kpid_ns(dead->pidp);
	for (struct thread_group *a = dead->parent; a && a->pidp->level == ns->level; a = a->parent)
		if (a->child_subreaper && !a->zombie && a->live_tasks > 0)
			return a;
	return ns->reaper;
}

static void unlink_child_locked(struct thread_group *parent, struct thread_group *child)
{
	for (struct thread_group **p = &parent->children; *p; p = &(*p)->sibling_next) {
		if (*p == child) {
			*p = child->sibling_next;
			child->sibling_next = NULL;
			return;
		}
	}
}

/* Give dead's children to a new parent; returns whether any was a zombie
 * (the new parent must hear about it). */
static bool reparent_children_locked(struct kernel *k, struct thread_group *dead, struct thread_group **to)
{
	struct thread_group *reaper = new_reaper_locked(k, dead);
	bool zombies = false;
	*to = reaper;
	while (dead->children) {
		struct thread_group *c = dead->children;
		dead->children = c->sibling_next;
		if (!reaper || reaper == dead) {
			c->parent = NULL;
			continue;
		}
		c->parent = reaper;
		c->parent_task = reaper->leader;
		c->sibling_next = reaper->children;
		reaper->children = c;
		if (c->zombie)
			zombies = true;
	}
	return zombies;
}

/* Does the parent ask for its children to vanish without a wait?
 * (SIGCHLD ignored or SA_NOCLDWAIT, for children exiting with SIGCHLD.) */
static bool parent_autoreaps(struct thread_group *parent, int exit_signal)
{
	if (!parent || exit_signal != SIGCHLD)
		return false;
	struct k_sigaction *a = &parent->sighand->action[SIGCHLD - 1];
	return a->handler == (uint64_t)SIG_IGN || (a->flags & SA_NOCLDWAIT);
}

static void child_siginfo(siginfo_t *info, struct thread_group *tg, struct thread_group *parent, int sig)
{
	memset(info, 0, sizeof *info);
	info->si_signo = sig;
	info->si_pid = kpid_nr_ns(tg->pidp, kpid_ns(parent->pidp));
	info->si_uid = tg->leader ? tg->leader->creds.ruid : 0;
	int st = tg->exit_status;
	if (WIFEXITED(st)) {
		info->si_code = CLD_EXITED;
		info->si_status = WEXITSTATUS(st);
	} else {
		info->si_code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
		info->si_status = WTERMSIG(st);
	}
}

static void reap_locked(struct kernel *k, struct thread_group *parent, struct thread_group *child)
{
	if (parent) {
		unlink_child_locked(parent, child);
		parent->cutime_ns += child->utime_ns + child->cutime_ns;
		parent->cstime_ns += child->stime_ns + child->cstime_ns;
		uint64_t rss = child->maxrss_kb > child->cmaxrss_kb ? child->maxrss_kb : child->cmaxrss_kb;
		if (rss > parent->cmaxrss_kb)
			parent->cmaxrss_kb = rss;
	}
	if (child->leader)
		taskset_remove_tid_locked(k, child->leader);
	kpid_detach_root_locked(k, child->pgid);
	kpid_detach_root_locked(k, child->sid);
	child->parent = NULL;
	__atomic_store_n(&child->reaped, true, __ATOMIC_SEQ_CST);
	waitq_notify(&child->exit_events, ~0u);
}

/* The last task of tg is gone. Called with k->lock held. */
struct exit_notes {
	struct thread_group *hup[64];  /* members of newly orphaned, stopped groups */
	int nhup;
	struct thread_group *notify;   /* the parent to wake */
	siginfo_t info;                /* its exit signal, when send */
	bool send;
	struct task *pdeath[64];       /* children owed PR_SET_PDEATHSIG */
	int pdeath_sig[64], npdeath;
};

static void thread_group_exited_locked(struct task *t, struct exit_notes *n)
{
	struct kernel *k = t->kernel;
	struct thread_group *tg = t->tg;
	n->nhup = orphaned_by_exit_locked(k, tg, n->hup, 64);
	tg->zombie = true;
	struct thread_group *reaper;
	bool zombies = reparent_children_locked(k, tg, &reaper);
	if (zombies && reaper)
		waitq_notify(&reaper->child_events, ~0u);
	if (tg == k->root_pidns->reaper) {
		kill_ns_locked(k, k->root_pidns, NULL);   /* the end of the sandbox */
		pthread_mutex_lock(&k->exit_lock);
		k->init_exited = true;
		k->init_status = tg->exit_status;
		pthread_cond_broadcast(&k->exit_cond);
		pthread_mutex_unlock(&k->exit_lock);
		return;
	}
	struct thread_group *parent = tg->parent;
	/* The exit signal goes even to a parent that reaps automatically
	 * (SA_NOCLDWAIT with a handler); an ignored one is dropped later. */
	if (parent && tg->exit_signal) {
		child_siginfo(&n->info, tg, parent, tg->exit_signal);
		n->send = true;
	}
	if (parent_autoreaps(parent, tg->exit_signal))
		reap_locked(k, parent, tg);
	n->notify = parent;
}

void task_exit_release(struct task *t)
{
	struct kernel *k = t->kernel;
	struct thread_group *tg = t->tg;
	exit_robust_list(t);
	clear_child_tid(t);
	task_vfork_release(t);
	if (timers_task_exit)
		timers_task_exit(t);
	if (ipc_task_exit)
		ipc_task_exit(t);
	if (t->uts && uts_ns_put)
		uts_ns_put(t->uts);
	if (t->ipc && ipc_ns_put)
		ipc_ns_put(t->ipc);
	t->uts = NULL;
	t->ipc = NULL;
	net_ns_put(t->net);
	t->net = NULL;
	/* The creds' user namespace goes too; later readers of a zombie's
	 * creds (kill, capget) only compare the pointer, never follow it. */
	user_ns_put(t->creds.user_ns);
	uint64_t utime, stime;
	task_cpu_times(t, &utime, &stime);
	pthread_mutex_lock(&tg->lock);
	tg->utime_ns += utime;
	tg->stime_ns += stime;
	if (t->mm && t->mm->rss_hiwater * 4 > tg->maxrss_kb)
		tg->maxrss_kb = t->mm->rss_hiwater * 4;
	pthread_mutex_unlock(&tg->lock);
	if (t->mm) {
		mm_put(t->mm);
		t->mm = NULL;
	}
	if (t->fdt) {
		fdt_put(t->fdt);
		t->fdt = NULL;
	}
	if (t->fs) {
		fs_context_put(t->fs);
		t->fs = NULL;
	}
	if (t->mnt_ns) {
		mnt_ns_put(t->mnt_ns);
		t->mnt_ns = NULL;
	}
	if (is_last_of_ns_init(t))
		zap_pid_ns(t);
	struct exit_notes n;
	n.notify = NULL;
	n.send = false;
	n.npdeath = 0;
	n.nhup = 0;
	pthread_mutex_lock(&k->lock);
	for (struct task **p = &tg->tasks; *p; p = &(*p)->tg_next) {
		if (*p == t) {
			*p = t->tg_next;
			break;
		}
	}
	taskset_remove_live_locked(k, t);
	__atomic_store_n(&t->released, true, __ATOMIC_SEQ_CST);
	/* PR_SET_PDEATHSIG fires when the thread that created the child
	 * dies; its children pass to another thread of the group. */
	for (struct thread_group *c = tg->children; c; c = c->sibling_next) {
		if (c->parent_task != t)
			continue;
		c->parent_task = tg->tasks;
		if (c->leader && c->leader->pdeath_signal && n.npdeath < 64) {
			n.pdeath[n.npdeath] = c->leader;
			n.pdeath_sig[n.npdeath++] = c->leader->pdeath_signal;
		}
	}
	/* A thread's ID is free at once; the leader's is the process ID and
	 * stays taken until the zombie is reaped. */
	if (t != tg->leader)
		taskset_remove_tid_locked(k, t);
	pthread_mutex_lock(&tg->lock);
	bool last = --tg->live_tasks == 0;
	if (last && !tg->exiting) {
		tg->exiting = true;
		tg->exit_status = (t->exit_code & 0xff) << 8;
	}
	pthread_mutex_unlock(&tg->lock);
	if (last)
		thread_group_exited_locked(t, &n);
	pthread_mutex_unlock(&k->lock);
	if (futex_exit_pi)
		futex_exit_pi(t);
	if (last && timers_tg_exit)
		timers_tg_exit(tg);
	if (last && ipc_tg_exit)
		ipc_tg_exit(tg);
	for (int i = 0; i < n.npdeath && signal_send_task; i++) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = n.pdeath_sig[i];
		si.si_code = SI_USER;
		si.si_pid = kpid_nr_ns(tg->pidp, task_pidns(n.pdeath[i]));
		si.si_uid = t->creds.ruid;
		signal_send_task(n.pdeath[i], &si);
	}
	for (int i = 0; i < n.nhup && signal_send_tg; i++) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_code = SI_KERNEL;
		si.si_signo = SIGHUP;
		signal_send_tg(n.hup[i], &si);
		si.si_signo = SIGCONT;
		signal_send_tg(n.hup[i], &si);
	}
	if (n.send && signal_send_tg)
		signal_send_tg(n.notify, &n.info);
	if (n.notify)
		waitq_notify(&n.notify->child_events, ~0u);
	waitq_notify(&tg->exit_events, ~0u);
}

/* A task's CPU time: the application's own (its stub's) counts as user
 * time, the sentry thread serving its system calls as system time. */
void task_cpu_times(struct task *t, uint64_t *utime, uint64_t *stime)
{
	*utime = t->ctx && platform->ctx_cpu_ns ? platform->ctx_cpu_ns(t->ctx) : 0;
	*stime = 0;
	clockid_t clk;
	struct timespec ts;
	if (t->thread && pthread_getcpuclockid(t->thread, &clk) == 0 && clock_gettime(clk, &ts) == 0)
		*stime = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The thread group's: its exited tasks' plus its live ones'. */
void tg_cpu_times(struct thread_group *tg, uint64_t *utime, uint64_t *stime)
{
	struct kernel *k = tg->kernel;
	pthread_mutex_lock(&k->lock);
	*utime = tg->utime_ns;
	*stime = tg->stime_ns;
	for (struct task *o = tg->tasks; o; o = o->tg_next) {
		uint64_t u, s;
		task_cpu_times(o, &u, &s);
		*utime += u;
		*stime += s;
	}
	pthread_mutex_unlock(&k->lock);
}

void task_free(struct task *t)
{
	if (t->ctx)
		platform->ctx_release(t->ctx);
	t->ctx = NULL;
}

void tg_notify_parent_stop(struct thread_group *tg, int why, int sig)
{
	struct kernel *k = tg->kernel;
	pthread_mutex_lock(&k->lock);
	struct thread_group *parent = tg->parent;
	pthread_mutex_lock(&tg->lock);
	if (why == CLD_STOPPED) {
		tg->stopped = true;
		tg->stop_signal = sig;
		tg->stop_reported = false;
		tg->continued = false;
	} else {
		tg->stopped = false;
		tg->continued = true;
	}
	pthread_mutex_unlock(&tg->lock);
	bool send = parent && !(parent->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP) &&
		    parent->sighand->action[SIGCHLD - 1].handler != (uint64_t)SIG_IGN;
	pthread_mutex_unlock(&k->lock);
	if (!parent)
		return;
	if (send && signal_send_tg) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGCHLD;
		info.si_code = why;
		info.si_pid = kpid_nr_ns(tg->pidp, kpid_ns(parent->pidp));
		info.si_uid = tg->leader ? tg->leader->creds.ruid : 0;
		info.si_status = why == CLD_STOPPED ? sig : SIGCONT;
		signal_send_tg(parent, &info);
	}
	waitq_notify(&parent->child_events, ~0u);
}

/* ---- wait ------------------------------------------------------------- */

static bool wait_selects(struct task *t, struct wait_opts *w, struct thread_group *c)
{
	if (w->only && c != w->only)
		return false;
	switch (w->idtype) {
	case P_PID:
		if (c->pid != w->id)
			return false;
		break;
	case P_PGID:
		if (c->pgid != w->id)
			return false;
		break;
	default:
		break;
	}
	if ((w->options & __WNOTHREAD) && c->parent_task != t)
		return false;
	/* A "clone" child reports to its parent with a signal other than
	 * SIGCHLD; __WCLONE waits for those only, __WALL for both. */
	if (w->options & __WALL)
		return true;
	bool clone_child = c->exit_signal != SIGCHLD;
	return !!(w->options & __WCLONE) == clone_child;
}

/* One pass over the children. Returns the pid reported, 0 when some child
 * matched but none had news, -ECHILD when none matched. */
static long wait_scan_locked(struct task *t, struct wait_opts *w)
{
	struct kernel *k = t->kernel;
	bool any = false;
	for (struct thread_group *c = t->tg->children; c; c = c->sibling_next) {
		if (!wait_selects(t, w, c))
			continue;
		any = true;
		pthread_mutex_lock(&c->lock);
		if (c->zombie && (w->options & WEXITED)) {
			pthread_mutex_unlock(&c->lock);
			w->pid = tg_vpid(t, c);
			w->status = c->exit_status;
			w->uid = c->leader ? (int)c->leader->creds.ruid : 0;
			w->code = WIFEXITED(c->exit_status) ? CLD_EXITED
				  : WCOREDUMP(c->exit_status) ? CLD_DUMPED : CLD_KILLED;
			w->utime_ns = c->utime_ns + c->cutime_ns;
			w->stime_ns = c->stime_ns + c->cstime_ns;
			w->maxrss_kb = c->maxrss_kb > c->cmaxrss_kb ? c->maxrss_kb : c->cmaxrss_kb;
			if (!(w->options & WNOWAIT))
				reap_locked(k, t->tg, c);
			return w->pid;
		}
		if (c->stopped && !c->stop_reported && (w->options & WSTOPPED) && !c->zombie) {
			if (!(w->options & WNOWAIT))
				c->stop_reported = true;
			w->pid = tg_vpid(t, c);
			w->status = (c->stop_signal << 8) | 0x7f;
			w->code = CLD_STOPPED;
			w->uid = c->leader ? (int)c->leader->creds.ruid : 0;
			pthread_mutex_unlock(&c->lock);
			return w->pid;
		}
		if (c->continued && (w->options & WCONTINUED) && !c->zombie) {
			if (!(w->options & WNOWAIT))
				c->continued = false;
			w->pid = tg_vpid(t, c);
			w->status = 0xffff;
			w->code = CLD_CONTINUED;
			w->uid = c->leader ? (int)c->leader->creds.ruid : 0;
			pthread_mutex_unlock(&c->lock);
			return w->pid;
		}
		pthread_mutex_unlock(&c->lock);
	}
	return any ? 0 : -ECHILD;
}

long task_wait(struct task *t, struct wait_opts *w)
{
	struct kernel *k = t->kernel;
	struct waiter wt;
	memset(&wt, 0, sizeof wt);
	waitq_add(&t->tg->child_events, &wt, t, ~0u);
	long ret;
	for (;;) {
		pthread_mutex_lock(&k->lock);
		ret = wait_scan_locked(t, w);
		pthread_mutex_unlock(&k->lock);
		if (ret != 0 || (w->options & WNOHANG))
			break;
		if (task_block(t, NULL) == -EINTR) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	waitq_remove(&t->tg->child_events, &wt);
	return ret;
}
