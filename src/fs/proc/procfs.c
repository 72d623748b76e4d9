/*
 * procfs, mounted at /proc: a view of moat's own kernel state, never of
 * the host's /proc (proc(5)).
 *
 * Every name is looked up against the reader (current_task): /proc/self
 * and the numbered directories are the IDs of the reader's PID
 * namespace. Dentries of this file system are revalidated on every cache
 * hit (inode_ops.revalidate): when a name has come to mean another task
 * or file (a PID reused, an fd closed or dup2'ed over, another namespace
 * reading), the dentry gets a fresh inode (or none). Inodes carry a key
 * (what they stand for) and are never freed, like every inode here.
 *
 * Links to files (/proc/<pid>/fd/N, exe, cwd, root, self) are "magic
 * links" (inode_ops.get_link): following one goes to the file itself.
 * An anonymous file (a pipe) has no path, so its fd link leads to a
 * stand-in dentry (a "proxy") with the file's attributes whose open
 * reopens the pipe, as Linux opens the pipe's inode.
 *
 * Files are generated whole at open (Linux's seq_file makes them at the
 * first read): reads at any offset and series of small reads see one
 * consistent text.
 */
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kernel/task.h"
#include "kernel/userns.h"
#include "kernel/ipc.h"
#include "kernel/netns.h"
#include "kernel/pidns.h"
#include "kernel/uts.h"
#include "kernel/nsfile.h"
#include "mm/memfile.h"
#include "mm/mm.h"
#include "vfs/vfs.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21
#define CAP_SYS_RESOURCE 24
#define USER_HZ 100
/* Directory positions of the numbered entries of /proc and task/: past
 * the fixed names, one per ID. */
#define PROC_NR_OFFSET 256

/* --- text buffers --------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *sb, const void *s, size_t n)
{
	if (sb->oom)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 1024;
		while (cap < sb->len + n + 1)
			cap *= 2;
		char *np = realloc(sb->p, cap);
		if (!np) {
			sb->oom = true;
			return;
		}
		sb->p = np;
		sb->cap = cap;
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = 0;
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_put(sb, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		sb->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_put(sb, big, (size_t)n);
	free(big);
}

/* --- what an inode stands for --------------------------------------- */

enum pkind {
	PK_ROOT,         /* /proc */
	PK_DIR,          /* a fixed directory (sys, sys/kernel) */
	PK_SELF,         /* /proc/self */
	PK_THREAD_SELF,  /* /proc/thread-self */
	PK_LINK_TEXT,    /* an ordinary symlink (/proc/mounts) */
	PK_GLOBAL_FILE,  /* /proc/uptime ... */
	PK_SYSCTL_FILE,  /* /proc/sys/... (read-only here) */
	PK_PID_DIR,      /* /proc/<pid>, /proc/<pid>/task/<tid> */
	PK_TASK_DIR,     /* /proc/<pid>/task */
	PK_FD_DIR,       /* /proc/<pid>/fd */
	PK_FD_LINK,      /* /proc/<pid>/fd/N */
	PK_PID_FILE,     /* /proc/<pid>/status ... */
	PK_PID_LINK,     /* /proc/<pid>/exe, cwd, root */
	PK_PROXY,        /* an anonymous file reached through an fd link */
	PK_NS_DIR,       /* /proc/<pid>/ns */
	PK_NS_LINK,      /* /proc/<pid>/ns/uts ... */
	PK_NS_FILE,      /* a namespace reached through an ns link (nsfs) */
};

enum plink { PL_EXE, PL_CWD, PL_ROOT };

/* The namespaces of /proc/<pid>/ns, in Linux's order. */
enum nskind { NSK_IPC, NSK_MNT, NSK_NET, NSK_PID, NSK_PID_FOR_CHILDREN, NSK_USER, NSK_UTS };

typedef void (*gen_fn)(struct task *reader, struct task *target, struct sbuf *sb);

struct pent {
	const char *name;
	enum pkind kind;
	mode_t mode;
	gen_fn gen;
	enum plink link;
	const char *text;                /* PK_LINK_TEXT */
	const struct pent *children;     /* PK_DIR */
	size_t nchildren;
	bool process_only;               /* not in task/<tid>/ */
	bool ptrace_read;                /* needs ptrace access (environ) */
	enum nskind ns;                  /* PK_NS_LINK */
};

struct pkey {
	enum pkind kind;
	const struct pent *ent;
	struct task *task;
	bool thread;                     /* task/<tid>/ rather than <pid>/ */
	int fd;
	const struct file *file;         /* identity only, never followed */
};

struct pnode {
	struct pkey key;
	pthread_mutex_t lock;
	struct dentry *proxy;            /* PK_FD_LINK of an anonymous file,
					  * PK_NS_LINK: its namespace */
};

static struct filesystem *proc_fs;
static atomic_ulong proc_next_ino = 4096;
static const struct inode_ops proc_inode_ops;
static const struct inode_ops proc_text_link_ops = { 0 };

static struct pnode *inode_node(struct inode *ino) { return ino ? ino->priv : NULL; }
static struct pnode *dentry_node(struct dentry *d) { return inode_node(atomic_load(&d->inode)); }

/* --- the reader and its view of tasks ------------------------------- */

static struct task *reader(void) { return current_task; }

/* The thread group ID of target and its thread ID as the reader sees
 * them (0: not visible). */
static int reader_vpid(struct task *r, struct task *target)
{
	return r ? kpid_nr_ns(target->tg->pidp, task_pidns(r)) : 0;
}

static int reader_vtid(struct task *r, struct task *target)
{
	return r ? kpid_nr_ns(target->kpid, task_pidns(r)) : 0;
}

/* Linux's name_to_int(): plain decimal, no sign, no leading zero. */
static int parse_nr(const char *name, size_t len)
{
	if (len == 0 || len > 10 || (name[0] == '0' && len > 1))
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v > 0x7fffffff ? -1 : (int)v;
}

static struct task *task_by_reader_nr(struct task *r, int nr)
{
	if (!r || nr <= 0)
		return NULL;
	struct kernel *k = r->kernel;
	pthread_mutex_lock(&k->lock);
	struct task *t = task_by_vnr_locked(r, nr);
	pthread_mutex_unlock(&k->lock);
	return t;
}

/* References to another task's FD table, memory and FS context (those
 * asked for; NULL once it exited), taken under the TaskSet lock as
 * pidfd_getfd does. */
static void task_get_parts(struct task *t, struct fd_table **fdt, struct mm **mm,
			   struct fs_context **fs)
{
	pthread_mutex_lock(&t->kernel->lock);
	if (fdt && (*fdt = t->fdt))
		fdt_get(*fdt);
	if (mm && (*mm = t->mm))
		mm_get(*mm);
	if (fs && (*fs = t->fs))
		fs_context_get(*fs);
	pthread_mutex_unlock(&t->kernel->lock);
}

static struct fd_table *task_get_fdt(struct task *t)
{
	struct fd_table *fdt;
	task_get_parts(t, &fdt, NULL, NULL);
	return fdt;
}

static struct mm *task_get_mm(struct task *t)
{
	struct mm *mm;
	task_get_parts(t, NULL, &mm, NULL);
	return mm;
}

static struct fs_context *task_get_fs(struct task *t)
{
	struct fs_context *fs;
	task_get_parts(t, NULL, NULL, &fs);
	return fs;
}

static struct file *task_fd_file(struct task *t, int fd)
{
	struct fd_table *fdt = task_get_fdt(t);
	if (!fdt)
		return NULL;
	struct file *f = fdt_get_file(fdt, fd);
	fdt_put(fdt);
	return f;
}

/* The directory of t outlived it: a thread that exited, or a process
 * that was reaped (a zombie keeps its directory, as in Linux). */
static bool task_gone(struct task *t)
{
	pthread_mutex_lock(&t->kernel->lock);
	bool gone = t->released && (t != t->tg->leader || t->tg->reaped);
	pthread_mutex_unlock(&t->kernel->lock);
	return gone;
}

/* ptrace_may_access(PTRACE_MODE_READ), simplified: the task itself, the
 * same user, or CAP_SYS_PTRACE. */
static bool may_inspect(struct task *r, struct task *target)
{
	if (!r)
		return false;
	if (r->tg == target->tg)
		return true;
	const struct creds *c = &r->creds, *o = &target->creds;
	if (c->fsuid == o->euid && c->fsuid == o->ruid && c->fsuid == o->suid)
		return true;
	return creds_has_cap(c, CAP_SYS_PTRACE);
}

/* The reader's root, for path strings (Linux's d_path against the
 * reader's root). */
static struct path reader_root(struct task *r)
{
	struct path root = { NULL, NULL };
	if (r && r->fs)
		fs_context_paths(r->fs, &root, NULL);
	return root;
}

/* --- generated files of a task ------------------------------------- */

static void put_task_memory(struct task *target, struct sbuf *sb, bool env)
{
	struct mm *mm = task_get_mm(target);
	if (!mm)
		return;
	uint64_t start = env ? mm->env_start : mm->arg_start;
	uint64_t end = env ? mm->env_end : mm->arg_end;
	/* A sane bound: the argument area is at most a quarter of the stack
	 * limit plus the strings' pointers. */
	if (end > start && end - start <= (64u << 20)) {
		char chunk[4096];
		for (uint64_t a = start; a < end;) {
			size_t n = end - a < sizeof(chunk) ? (size_t)(end - a) : sizeof(chunk);
			if (mm_copy_in(NULL, mm, chunk, a, n))
				break;
			sb_put(sb, chunk, n);
			a += n;
		}
	}
	mm_put(mm);
}

static void gen_cmdline(struct task *r, struct task *target, struct sbuf *sb)
{
	put_task_memory(target, sb, false);
}

static void gen_environ(struct task *r, struct task *target, struct sbuf *sb)
{
	put_task_memory(target, sb, true);
}

static void gen_comm(struct task *r, struct task *target, struct sbuf *sb)
{
	char comm[17];
	memcpy(comm, target->comm, 16);
	comm[16] = 0;
	sb_printf(sb, "%s\n", comm);
}

/* One-letter state and its name, as fs/proc/array.c. */
static const char *task_state_name(struct task *r, struct task *target, char *letter)
{
	struct thread_group *tg = target->tg;
	if (tg->zombie || target->released) {
		*letter = 'Z';
		return "zombie";
	}
	if (tg->stopped) {
		*letter = 'T';
		return "stopped";
	}
	if (target == r) {
		*letter = 'R';
		return "running";
	}
	*letter = 'S';
	return "sleeping";
}

struct vm_sizes {
	uint64_t size_kb, rss_kb, hwm_kb, data_kb, stk_kb, exe_kb;
};

static void task_vm_sizes(struct task *target, struct vm_sizes *vs)
{
	memset(vs, 0, sizeof(*vs));
	struct mm *mm = task_get_mm(target);
	if (!mm)
		return;
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n; i++) {
		struct vma *v = &mm->vmas.v[i];
		if (v->flags & VMA_SPECIAL)
			continue;
		uint64_t kb = (v->end - v->start) / 1024;
		vs->size_kb += kb;
		if (v->flags & VMA_STACK)
			vs->stk_kb += kb;
		else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			vs->data_kb += kb;
		else if ((v->prot & PROT_EXEC) && v->file)
			vs->exe_kb += kb;
	}
	vs->rss_kb = mm->rss_pages * (PAGE_SIZE / 1024);
	vs->hwm_kb = mm->rss_hiwater * (PAGE_SIZE / 1024);
	pthread_mutex_unlock(&mm->lock);
	mm_put(mm);
}

static uint64_t sig_mask_of(struct sighand *sh, bool ignored)
{
	uint64_t m = 0;
	if (!sh)
		return 0;
	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < MOAT_NSIG; i++) {
		uint64_t h = sh->action[i].handler;
		if (ignored ? h == (uint64_t)SIG_IGN : (h != (uint64_t)SIG_IGN && h != (uint64_t)SIG_DFL))
			m |= 1ULL << i;
	}
	pthread_mutex_unlock(&sh->lock);
	return m;
}

/* What status and stat show about the task's relatives, read under the
 * TaskSet lock. */
struct task_ids {
	int pid, tid, ppid, pgrp, sid, threads;
};

static void task_ids(struct task *r, struct task *target, struct task_ids *ids)
{
	struct kernel *k = target->kernel;
	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = target->tg;
	ids->pid = reader_vpid(r, target);
	ids->tid = reader_vtid(r, target);
	ids->ppid = tg->parent && r ? kpid_nr_ns(tg->parent->pidp, task_pidns(r)) : 0;
	ids->pgrp = r ? task_vnr_of_root_locked(r, tg->pgid) : 0;
	ids->sid = r ? task_vnr_of_root_locked(r, tg->sid) : 0;
	ids->threads = tg->live_tasks;
	pthread_mutex_unlock(&k->lock);
}

static void gen_status(struct task *r, struct task *target, struct sbuf *sb)
{
	struct task_ids ids;
	task_ids(r, target, &ids);
	char comm[17];
	memcpy(comm, target->comm, 16);
	comm[16] = 0;
	char letter;
	const char *state = task_state_name(r, target, &letter);
	const struct creds *c = &target->creds;
	unsigned umask = target->fs ? atomic_load(&target->fs->umask) : 022;
	sb_printf(sb, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		  "PPid:\t%d\nTracerPid:\t0\n", comm, umask, letter, state, ids.pid, ids.tid, ids.ppid);
	/* IDs as the reader's user namespace sees them. */
	const struct user_ns *ns = r ? creds_user_ns(&r->creds) : NULL;
	sb_printf(sb, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		  from_kuid_munged(ns, c->ruid), from_kuid_munged(ns, c->euid),
		  from_kuid_munged(ns, c->suid), from_kuid_munged(ns, c->fsuid),
		  from_kgid_munged(ns, c->rgid), from_kgid_munged(ns, c->egid),
		  from_kgid_munged(ns, c->sgid), from_kgid_munged(ns, c->fsgid));
	sb_printf(sb, "FDSize:\t64\nGroups:\t");
	for (uint32_t i = 0; i < c->ngroups && i < 64; i++)
		sb_printf(sb, "%u ", from_kgid_munged(ns, c->groups[i]));
	sb_printf(sb, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", ids.pid, ids.tid, ids.pgrp,
		  ids.sid);
	struct vm_sizes vs;
	task_vm_sizes(target, &vs);
	if (target->mm) {
		sb_printf(sb, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n"
			  "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
			  "RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
			  "VmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n",
			  (unsigned long)vs.size_kb, (unsigned long)vs.size_kb, 0UL, 0UL,
			  (unsigned long)(vs.hwm_kb > vs.rss_kb ? vs.hwm_kb : vs.rss_kb),
			  (unsigned long)vs.rss_kb, (unsigned long)vs.rss_kb, 0UL, 0UL,
			  (unsigned long)vs.data_kb, (unsigned long)vs.stk_kb, (unsigned long)vs.exe_kb,
			  0UL, 0UL, 0UL);
	}
	struct thread_group *tg = target->tg;
	sb_printf(sb, "Threads:\t%d\nSigQ:\t0/%lu\n", ids.threads,
		  (unsigned long)tg->rlimits[RLIMIT_SIGPENDING].rlim_cur);
	sb_printf(sb, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		  "SigCgt:\t%016llx\n", (unsigned long long)target->pending.set,
		  (unsigned long long)tg->pending.set, (unsigned long long)target->sigmask,
		  (unsigned long long)sig_mask_of(tg->sighand, true),
		  (unsigned long long)sig_mask_of(tg->sighand, false));
	sb_printf(sb, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		  "CapAmb:\t%016llx\nNoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n",
		  (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
		  (unsigned long long)c->cap_effective, (unsigned long long)c->cap_bounding,
		  (unsigned long long)c->cap_ambient, target->no_new_privs ? 1 : 0);
	int ncpus = target->kernel->ncpus > 0 ? target->kernel->ncpus : 1;
	sb_printf(sb, "Cpus_allowed_list:\t0-%d\nvoluntary_ctxt_switches:\t0\n"
		  "nonvoluntary_ctxt_switches:\t0\n", ncpus - 1);
}

/* Sizes in pages: total, resident, shared, text, lib (0), data + stack,
 * dirty (0), as Linux's proc_pid_statm. */
static void gen_statm(struct task *r, struct task *target, struct sbuf *sb)
{
	struct vm_sizes vs;
	task_vm_sizes(target, &vs);
	uint64_t kb_per_page = PAGE_SIZE / 1024;
	sb_printf(sb, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)(vs.size_kb / kb_per_page),
		  (unsigned long long)(vs.rss_kb / kb_per_page), (unsigned long long)(vs.exe_kb / kb_per_page),
		  (unsigned long long)((vs.data_kb + vs.stk_kb) / kb_per_page));
}

static uint64_t ns_to_ticks(uint64_t ns) { return ns / (1000000000ULL / USER_HZ); }

static void gen_stat(struct task *r, struct task *target, struct sbuf *sb)
{
	struct task_ids ids;
	task_ids(r, target, &ids);
	char comm[17];
	memcpy(comm, target->comm, 16);
	comm[16] = 0;
	char letter;
	task_state_name(r, target, &letter);
	struct thread_group *tg = target->tg;
	uint64_t ut = 0, st = 0;
	tg_cpu_times(tg, &ut, &st);
	struct vm_sizes vs;
	task_vm_sizes(target, &vs);
	uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0, brk_start = 0, stack = 0;
	struct mm *mm = task_get_mm(target);
	if (mm) {
		arg_start = mm->arg_start;
		arg_end = mm->arg_end;
		env_start = mm->env_start;
		env_end = mm->env_end;
		brk_start = mm->brk_start;
		stack = mm->stack_top;
		mm_put(mm);
	}
	int prio = 20 + tg->nice;
	/* pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime vsize rss rsslim startcode endcode
	 * startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan
	 * nswap cnswap exit_signal processor rt_priority policy
	 * delayacct_blkio_ticks guest_time cguest_time start_data end_data
	 * start_brk arg_start arg_end env_start env_end exit_code */
	sb_printf(sb, "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 %llu %llu %llu %llu %d %d %d 0 %llu "
		  "%llu %llu %llu 0 0 %llu 0 0 %llu %llu %llu %llu 0 0 0 %d 0 %d %d 0 0 0 0 0 %llu %llu "
		  "%llu %llu %llu 0\n",
		  ids.tid, comm, letter, ids.ppid, ids.pgrp, ids.sid,
		  (unsigned long long)ns_to_ticks(ut), (unsigned long long)ns_to_ticks(st),
		  (unsigned long long)ns_to_ticks(tg->cutime_ns),
		  (unsigned long long)ns_to_ticks(tg->cstime_ns), prio, tg->nice, ids.threads,
		  (unsigned long long)ns_to_ticks(target->start_ns > target->kernel->boot_time_ns
						  ? target->start_ns - target->kernel->boot_time_ns : 0),
		  (unsigned long long)vs.size_kb * 1024, (unsigned long long)vs.rss_kb / (PAGE_SIZE / 1024),
		  (unsigned long long)tg->rlimits[RLIMIT_RSS].rlim_cur, (unsigned long long)stack,
		  (unsigned long long)target->pending.set, (unsigned long long)target->sigmask,
		  (unsigned long long)sig_mask_of(tg->sighand, true),
		  (unsigned long long)sig_mask_of(tg->sighand, false), tg->exit_signal,
		  target->sched_priority, target->sched_policy & 0xff,
		  (unsigned long long)brk_start, (unsigned long long)arg_start,
		  (unsigned long long)arg_end, (unsigned long long)env_start, (unsigned long long)env_end);
}

static const char *special_name(const struct vma *v)
{
	for (int j = 0; j < PLAT_SPECIAL_MAX; j++)
		if (platform_special[j].start == v->start && platform_special[j].name)
			return platform_special[j].name;
	return "";
}

static void gen_maps(struct task *r, struct task *target, struct sbuf *sb)
{
	struct mm *mm = task_get_mm(target);
	if (!mm)
		return;
	struct path root = reader_root(r);
	char *name = malloc(VFS_PATH_MAX);
	if (!name) {
		mm_put(mm);
		sb->oom = true;
		return;
	}
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->vmas.n; i++) {
		struct vma *v = &mm->vmas.v[i];
		unsigned long dev_major = 0, dev_minor = 0, ino = 0;
		const char *label = "";
		name[0] = 0;
		if (v->file) {
			struct stat st;
			if (file_stat(v->file, &st) == 0) {
				dev_major = major(st.st_dev);
				dev_minor = minor(st.st_dev);
				ino = (unsigned long)st.st_ino;
			}
			int n = v->file->path.mnt ? vfs_path_string(v->file->path, root, name, VFS_PATH_MAX)
						  : file_path(v->file, name, VFS_PATH_MAX);
			if (n < 0)
				name[0] = 0;
			label = name;
		} else if (v->flags & VMA_HEAP) {
			label = "[heap]";
		} else if (v->flags & VMA_STACK) {
			label = "[stack]";
		} else if (v->flags & VMA_SPECIAL) {
			label = special_name(v);
		}
		size_t before = sb->len;
		sb_printf(sb, "%08llx-%08llx %c%c%c%c %08llx %02lx:%02lx %lu ",
			  (unsigned long long)v->start, (unsigned long long)v->end,
			  (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
			  (v->prot & PROT_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p',
			  (unsigned long long)(v->file ? v->off : 0), dev_major, dev_minor, ino);
		if (*label) {
			/* show_vma_header_prefix pads the name to column 73. */
			size_t col = sb->len - before;
			static const char spaces[80] = { [0 ... 79] = ' ' };
			if (col < 73)
				sb_put(sb, spaces, 73 - col);
			sb_put(sb, label, strlen(label));
		}
		sb_put(sb, "\n", 1);
	}
	pthread_mutex_unlock(&mm->lock);
	free(name);
	mm_put(mm);
}

/* Mount options as /proc/mounts shows them. */
static void put_mount_opts(struct sbuf *sb, struct mount *m)
{
	unsigned f = atomic_load(&m->flags);
	sb_printf(sb, "%s", mnt_readonly(m) ? "ro" : "rw");
	if (f & MNT_NOSUID)
		sb_printf(sb, ",nosuid");
	if (f & MNT_NODEV)
		sb_printf(sb, ",nodev");
	if (f & MNT_NOEXEC)
		sb_printf(sb, ",noexec");
	if (f & MNT_NOATIME)
		sb_printf(sb, ",noatime");
	else if (f & MNT_STRICTATIME)
		sb_printf(sb, ",strictatime");
	else if (f & MNT_RELATIME)
		sb_printf(sb, ",relatime");
}

static const char *mount_source(struct filesystem *fs)
{
	if (!strcmp(fs->type, "hostfs"))
		return "none";
	return fs->type;
}

/* Mounts of the tree under m, parents before children, oldest child
 * first (the children list is newest first). Lockless: mounts are
 * never freed. */
static void put_mount_tree(struct sbuf *sb, struct mount *m, struct path root, char *buf, int depth)
{
	if (depth > 64)
		return;
	int n = vfs_path_string((struct path){ m, m->root }, root, buf, VFS_PATH_MAX);
	if (n >= 0 && strncmp(buf, "(unreachable)", 13) != 0) {
		sb_printf(sb, "%s %s %s ", mount_source(m->fs), buf,
			  !strcmp(m->fs->type, "hostfs") ? "9p" : m->fs->type);
		put_mount_opts(sb, m);
		sb_printf(sb, " 0 0\n");
	}
	struct mount *kids[256];
	int nk = 0;
	for (struct mount *c = atomic_load(&m->children); c && nk < 256; c = atomic_load(&c->sibling))
		kids[nk++] = c;
	while (nk > 0)
		put_mount_tree(sb, kids[--nk], root, buf, depth + 1);
}

static void gen_mounts(struct task *r, struct task *target, struct sbuf *sb)
{
	pthread_mutex_lock(&target->kernel->lock);
	struct mnt_ns *ns = target->mnt_ns;
	if (ns)
		mnt_ns_get(ns);
	pthread_mutex_unlock(&target->kernel->lock);
	if (!ns)
		return;
	char *buf = malloc(VFS_PATH_MAX);
	if (buf) {
		struct mount *top = ns->root;
		if (top)
			put_mount_tree(sb, top, reader_root(r), buf, 0);
		free(buf);
	}
	mnt_ns_put(ns);
}

/* Linux's mangle(): the characters that would break a line's fields,
 * as octal escapes (\040 for a space). */
static void put_mangled(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			sb_printf(sb, "\\%03o", (unsigned char)*s);
		else
			sb_put(sb, s, 1);
	}
}

/* The path of d inside its own file system (mountinfo's root field: "/"
 * for a whole file system, the bound directory for a bind mount). */
static void put_dentry_in_fs(struct sbuf *sb, struct dentry *d)
{
	const char *names[64];
	uint16_t lens[64];
	int n = 0;
	pthread_rwlock_rdlock(&dentry_name_lock);
	for (struct dentry *p = d; p && atomic_load(&p->parent) && n < 64; p = atomic_load(&p->parent)) {
		names[n] = p->name;
		lens[n++] = p->len;
	}
	struct sbuf path = { 0 };
	for (int i = n - 1; i >= 0; i--) {
		sb_put(&path, "/", 1);
		sb_put(&path, names[i], lens[i]);
	}
	pthread_rwlock_unlock(&dentry_name_lock);
	if (path.oom)
		sb->oom = true;
	put_mangled(sb, path.len ? path.p : "/");
	free(path.p);
}

/* One line of show_mountinfo: "id parent major:minor root mountpoint
 * mount-options optional-fields - fstype source super-options". moat has
 * no mount propagation: the only optional field is "unbindable". */
static void put_mountinfo_line(struct sbuf *sb, struct mount *m, int parent_id, const char *mountpoint)
{
	unsigned f = atomic_load(&m->flags);
	sb_printf(sb, "%d %d %u:%u ", m->id, parent_id, major(m->fs->dev), minor(m->fs->dev));
	put_dentry_in_fs(sb, m->root);
	sb_put(sb, " ", 1);
	put_mangled(sb, mountpoint);
	sb_printf(sb, " %s", (f & MNT_READONLY) ? "ro" : "rw");
	if (f & MNT_NOSUID)
		sb_printf(sb, ",nosuid");
	if (f & MNT_NODEV)
		sb_printf(sb, ",nodev");
	if (f & MNT_NOEXEC)
		sb_printf(sb, ",noexec");
	if (f & MNT_NOATIME)
		sb_printf(sb, ",noatime");
	if (f & MNT_NODIRATIME)
		sb_printf(sb, ",nodiratime");
	if (f & MNT_RELATIME)
		sb_printf(sb, ",relatime");
	if (f & MNT_UNBINDABLE)
		sb_printf(sb, " unbindable");
	sb_printf(sb, " - %s ", !strcmp(m->fs->type, "hostfs") ? "9p" : m->fs->type);
	put_mangled(sb, mount_source(m->fs));
	sb_printf(sb, " %s\n", m->fs->readonly ? "ro" : "rw");
}

/* The tree under m in the order of put_mount_tree; mount points as seen
 * from root, mounts outside it left out. The namespace's top mount is
 * its own parent, as Linux's root mount. */
static void put_mountinfo_tree(struct sbuf *sb, struct mount *m, int parent_id, struct path root, char *buf,
			       int depth)
{
	if (depth > 64)
		return;
	int n = vfs_path_string((struct path){ m, m->root }, root, buf, VFS_PATH_MAX);
	if (n >= 0 && strncmp(buf, "(unreachable)", 13) != 0)
		put_mountinfo_line(sb, m, parent_id, buf);
	struct mount *kids[256];
	int nk = 0;
	for (struct mount *c = atomic_load(&m->children); c && nk < 256; c = atomic_load(&c->sibling))
		kids[nk++] = c;
	while (nk > 0)
		put_mountinfo_tree(sb, kids[--nk], m->id, root, buf, depth + 1);
}

/* Mount points relative to the target's root (Linux's mounts_open_common
 * takes the task's root). */
static void gen_mountinfo(struct task *r, struct task *target, struct sbuf *sb)
{
	pthread_mutex_lock(&target->kernel->lock);
	struct mnt_ns *ns = target->mnt_ns;
	if (ns)
		mnt_ns_get(ns);
	pthread_mutex_unlock(&target->kernel->lock);
	if (!ns)
		return;
	struct path root = { NULL, NULL };
	struct fs_context *fs = task_get_fs(target);
	if (fs) {
		fs_context_paths(fs, &root, NULL);
		fs_context_put(fs);
	}
	char *buf = malloc(VFS_PATH_MAX);
	if (buf) {
		struct mount *top = ns->root;
		if (top && root.mnt)
			put_mountinfo_tree(sb, top, top->id, root, buf, 0);
		free(buf);
	} else {
		sb->oom = true;
	}
	mnt_ns_put(ns);
}

/* proc_pid_limits: Linux's names and units, in RLIMIT_* order. */
static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	{ "Max cpu time", "seconds" },      { "Max file size", "bytes" },
	{ "Max data size", "bytes" },       { "Max stack size", "bytes" },
	{ "Max core file size", "bytes" },  { "Max resident set", "bytes" },
	{ "Max processes", "processes" },   { "Max open files", "files" },
	{ "Max locked memory", "bytes" },   { "Max address space", "bytes" },
	{ "Max file locks", "locks" },      { "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" },   { "Max nice priority", NULL },
	{ "Max realtime priority", NULL },  { "Max realtime timeout", "us" },
};

static void put_limit_value(struct sbuf *sb, rlim_t v)
{
	if (v == RLIM_INFINITY)
		sb_printf(sb, "%-20s ", "unlimited");
	else
		sb_printf(sb, "%-20llu ", (unsigned long long)v);
}

static void gen_limits(struct task *r, struct task *target, struct sbuf *sb)
{
	struct rlimit lim[RLIM_NLIMITS];
	struct thread_group *tg = target->tg;
	pthread_mutex_lock(&tg->lock);
	memcpy(lim, tg->rlimits, sizeof lim);
	pthread_mutex_unlock(&tg->lock);
	sb_printf(sb, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		sb_printf(sb, "%-25s ", limit_names[i].name);
		put_limit_value(sb, lim[i].rlim_cur);
		put_limit_value(sb, lim[i].rlim_max);
		if (limit_names[i].unit)
			sb_printf(sb, "%-10s\n", limit_names[i].unit);
		else
			sb_put(sb, "\n", 1);
	}
}

/* The auxiliary vector the last execve gave the program, binary, up to
 * and with its AT_NULL pair. */
static void gen_auxv(struct task *r, struct task *target, struct sbuf *sb)
{
	struct mm *mm = task_get_mm(target);
	if (!mm)
		return;
	int n = mm->auxv_len;
	if (n > (int)(sizeof mm->auxv / sizeof mm->auxv[0]))
		n = (int)(sizeof mm->auxv / sizeof mm->auxv[0]);
	if (n > 0)
		sb_put(sb, mm->auxv, (size_t)n * sizeof mm->auxv[0]);
	mm_put(mm);
}

static void gen_oom_score_adj(struct task *r, struct task *target, struct sbuf *sb)
{
	struct thread_group *tg = target->tg;
	pthread_mutex_lock(&tg->lock);
	int v = tg->oom_score_adj;
	pthread_mutex_unlock(&tg->lock);
	sb_printf(sb, "%d\n", v);
}

/* --- namespace links: /proc/<pid>/ns/ ------------------------------- */

static const char *const ns_names[] = {
	[NSK_IPC] = "ipc", [NSK_MNT] = "mnt", [NSK_NET] = "net", [NSK_PID] = "pid",
	[NSK_PID_FOR_CHILDREN] = "pid", [NSK_USER] = "user", [NSK_UTS] = "uts",
};

/* The inode number of t's namespace of kind k (0: t has exited). Read
 * under the TaskSet lock: unshare and setns replace them. */
static uint32_t task_ns_inum(struct task *t, enum nskind k)
{
	uint32_t inum = 0;
	pthread_mutex_lock(&t->kernel->lock);
	if (!t->released) {
		switch (k) {
		case NSK_IPC: inum = t->ipc ? t->ipc->inum : 0; break;
		case NSK_MNT: inum = t->mnt_ns ? t->mnt_ns->inum : 0; break;
		case NSK_NET: inum = t->net ? t->net->inum : NS_NET_INIT_INUM; break;
		case NSK_PID: inum = task_pidns(t)->inum; break;
		case NSK_PID_FOR_CHILDREN:
			inum = t->pidns_children ? t->pidns_children->inum : task_pidns(t)->inum;
			break;
		case NSK_USER: inum = creds_user_ns(&t->creds)->inum; break;
		case NSK_UTS: inum = uts_ns_inum(t->uts); break;
		}
	}
	pthread_mutex_unlock(&t->kernel->lock);
	return inum;
}

static int ns_link_text(struct task *r, struct task *target, enum nskind k, char *buf, size_t n)
{
	/* proc_ns_readlink: PTRACE_MODE_READ_FSCREDS. */
	if (!may_inspect(r, target))
		return -EACCES;
	uint32_t inum = task_ns_inum(target, k);
	if (!inum)
		return -ENOENT;
	int len = snprintf(buf, n, "%s:[%u]", ns_names[k], inum);
	return len < (int)n ? len : -ENAMETOOLONG;
}

/* --- user namespace files: uid_map, gid_map, setgroups ------------- */

enum userns_file { UF_UID_MAP, UF_GID_MAP, UF_SETGROUPS };

/* The user namespace of target's credentials, with a reference (taken
 * under the TaskSet lock, as the other task_get_* helpers). */
static struct user_ns *task_get_user_ns(struct task *t)
{
	pthread_mutex_lock(&t->kernel->lock);
	struct user_ns *ns = creds_user_ns(&t->creds);
	user_ns_get(ns);
	pthread_mutex_unlock(&t->kernel->lock);
	return ns;
}

/* Linux's uid_m_show: "%10u %10u %10u", the outside IDs as the reader's
 * namespace names them (user_ns_map_view). */
static void put_map_text(struct sbuf *sb, struct user_ns *ns, bool gid, const struct user_ns *reader_ns)
{
	struct id_extent *ext = malloc(USERNS_MAP_EXTENTS * sizeof *ext);
	if (!ext) {
		sb->oom = true;
		return;
	}
	uint32_t n = user_ns_map_view(ns, gid, reader_ns, ext);
	for (uint32_t i = 0; i < n; i++)
		sb_printf(sb, "%10u %10u %10u\n", ext[i].first, ext[i].lower_first, ext[i].count);
	free(ext);
}

static void put_userns_text(struct sbuf *sb, enum userns_file which, struct user_ns *ns,
			    const struct user_ns *reader_ns)
{
	if (which == UF_SETGROUPS)
		sb_printf(sb, "%s\n", user_ns_setgroups_denied(ns) ? "deny" : "allow");
	else
		put_map_text(sb, ns, which == UF_GID_MAP, reader_ns);
}

static void gen_userns_file(struct task *r, struct task *target, struct sbuf *sb, enum userns_file which)
{
	struct user_ns *ns = task_get_user_ns(target);
	put_userns_text(sb, which, ns, r ? creds_user_ns(&r->creds) : &user_ns_init);
	user_ns_put(ns);
}

static void gen_uid_map(struct task *r, struct task *target, struct sbuf *sb)
{
	gen_userns_file(r, target, sb, UF_UID_MAP);
}

static void gen_gid_map(struct task *r, struct task *target, struct sbuf *sb)
{
	gen_userns_file(r, target, sb, UF_GID_MAP);
}

static void gen_setgroups(struct task *r, struct task *target, struct sbuf *sb)
{
	gen_userns_file(r, target, sb, UF_SETGROUPS);
}

/* --- global files --------------------------------------------------- */

static char *host_cpuinfo;       /* the host's text, read once at boot */
static struct utsname host_uts;

static struct kernel *reader_kernel(struct task *r) { return r ? r->kernel : NULL; }

static void gen_cpuinfo(struct task *r, struct task *target, struct sbuf *sb)
{
	if (host_cpuinfo)
		sb_put(sb, host_cpuinfo, strlen(host_cpuinfo));
}

/* The host's RAM as sysinfo(2) shows it, capped by the memory file that
 * holds all of the sandbox's memory. */
static void gen_meminfo(struct task *r, struct task *target, struct sbuf *sb)
{
	uint64_t total = mf_total_pages() * (PAGE_SIZE / 1024);
	uint64_t used = mf_used_pages() * (PAGE_SIZE / 1024);
	uint64_t free_kb = used < total ? total - used : 0;
	struct sysinfo host;
	if (sysinfo(&host) == 0) {
		uint64_t host_total = (uint64_t)host.totalram * host.mem_unit / 1024;
		uint64_t host_free = (uint64_t)host.freeram * host.mem_unit / 1024;
		if (host_total < total)
			total = host_total;
		if (host_free < free_kb)
			free_kb = host_free;
	}
	sb_printf(sb, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n"
		  "Buffers:        %8llu kB\nCached:         %8llu kB\nSwapCached:     %8llu kB\n"
		  "SwapTotal:      %8llu kB\nSwapFree:       %8llu kB\n",
		  (unsigned long long)total, (unsigned long long)free_kb, (unsigned long long)free_kb,
		  0ULL, 0ULL, 0ULL, 0ULL, 0ULL);
}

static uint64_t kernel_uptime_ns(struct kernel *k)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	return k && ns > k->boot_time_ns ? ns - k->boot_time_ns : 0;
}

static void gen_uptime(struct task *r, struct task *target, struct sbuf *sb)
{
	uint64_t up = kernel_uptime_ns(reader_kernel(r)) / 10000000ULL; /* centiseconds */
	/* The idle time of the virtual CPUs is not accounted: 0. */
	sb_printf(sb, "%llu.%02llu 0.00\n", (unsigned long long)(up / 100), (unsigned long long)(up % 100));
}

/* CPU time of the whole sandbox: every live process with the children
 * it reaped (user, system in ns). */
static void sandbox_cpu_times(struct kernel *k, uint64_t *user, uint64_t *sys)
{
	*user = *sys = 0;
	struct thread_group *tgs[1024];
	size_t n = 0;
	pthread_mutex_lock(&k->lock);
	for (struct task *t = k->all_tasks; t && n < 1024; t = t->all_next) {
		if (t->tg->tasks != t)
			continue; /* one task per thread group: its first */
		tgs[n++] = t->tg;
		*user += t->tg->cutime_ns;
		*sys += t->tg->cstime_ns;
	}
	pthread_mutex_unlock(&k->lock);
	for (size_t i = 0; i < n; i++) {
		uint64_t u, s;
		tg_cpu_times(tgs[i], &u, &s);  /* thread groups are never freed */
		*user += u;
		*sys += s;
	}
}

static void gen_stat_global(struct task *r, struct task *target, struct sbuf *sb)
{
	struct kernel *k = reader_kernel(r);
	if (!k)
		return;
	int ncpus = k->ncpus > 0 ? k->ncpus : 1;
	uint64_t up = kernel_uptime_ns(k), user, sys;
	sandbox_cpu_times(k, &user, &sys);
	uint64_t busy = user + sys, all = up * (uint64_t)ncpus;
	uint64_t idle = all > busy ? all - busy : 0;
	/* Times are not accounted per CPU: each cpuN line is an even share
	 * of the totals. */
	sb_printf(sb, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)ns_to_ticks(user),
		  (unsigned long long)ns_to_ticks(sys), (unsigned long long)ns_to_ticks(idle));
	for (int i = 0; i < ncpus; i++)
		sb_printf(sb, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", i,
			  (unsigned long long)ns_to_ticks(user / ncpus),
			  (unsigned long long)ns_to_ticks(sys / ncpus),
			  (unsigned long long)ns_to_ticks(idle / ncpus));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long long btime = (long long)now.tv_sec - (long long)(up / 1000000000ULL);
	pthread_mutex_lock(&k->lock);
	/* Every clone took the next root-namespace ID (until they wrap). */
	int forks = k->root_pidns ? k->root_pidns->next_nr - 1 : 0;
	pthread_mutex_unlock(&k->lock);
	sb_printf(sb, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running 1\nprocs_blocked 0\n"
		  "softirq 0 0 0 0 0 0 0 0 0 0 0\n", btime, forks > 0 ? forks : 0);
}

/* The load average is not computed (0.00); then running/total tasks (the
 * run state of the others is not tracked: the reader is the one known
 * to run) and the last ID given out in the reader's namespace. */
static void gen_loadavg(struct task *r, struct task *target, struct sbuf *sb)
{
	struct kernel *k = reader_kernel(r);
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	int live = k->live_tasks;
	struct pid_ns *ns = task_pidns(r);
	int last = ns->next_nr > 1 ? ns->next_nr - 1 : 0;
	pthread_mutex_unlock(&k->lock);
	sb_printf(sb, "0.00 0.00 0.00 1/%d %d\n", live, last);
}

static void gen_version(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "Linux version %s (moat) %s\n", host_uts.release, host_uts.version);
}

static void gen_filesystems(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tpipefs\n");
}

static void gen_hostname(struct task *r, struct task *target, struct sbuf *sb)
{
	char host[UTS_NAME_LEN + 1] = "", dom[UTS_NAME_LEN + 1] = "";
	if (r && r->uts)
		uts_ns_read(r->uts, host, dom);
	sb_printf(sb, "%s\n", host);
}

static void gen_ostype(struct task *r, struct task *target, struct sbuf *sb) { sb_printf(sb, "Linux\n"); }
static void gen_osrelease(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "%s\n", host_uts.release);
}
static void gen_pid_max(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", 4194304);
}

/* A random (version 4) UUID in its text form, as Linux's
 * generate_random_uuid and "%pU". */
static void make_uuid(char out[37])
{
	uint8_t b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static char boot_id[37];         /* made once, at boot */

static void gen_boot_id(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "%s\n", boot_id);
}

static void gen_uuid(struct task *r, struct task *target, struct sbuf *sb)
{
	char u[37];
	make_uuid(u);
	sb_printf(sb, "%s\n", u);
}

/* Mode 0: moat's mm applies no commit limit (the heuristic mode's
 * default, which refuses only absurd requests). */
static void gen_overcommit_memory(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "0\n");
}

static void gen_nr_open(struct task *r, struct task *target, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", VFS_NR_OPEN);
}

/* --- the tables of names -------------------------------------------- */

static const struct pent sys_kernel_random_entries[] = {
	{ "boot_id", PK_SYSCTL_FILE, S_IFREG | 0444, gen_boot_id },
	{ "uuid",    PK_SYSCTL_FILE, S_IFREG | 0444, gen_uuid },
};

static const struct pent sys_kernel_entries[] = {
	{ "hostname",  PK_SYSCTL_FILE, S_IFREG | 0444, gen_hostname },
	{ "ostype",    PK_SYSCTL_FILE, S_IFREG | 0444, gen_ostype },
	{ "osrelease", PK_SYSCTL_FILE, S_IFREG | 0444, gen_osrelease },
	{ "pid_max",   PK_SYSCTL_FILE, S_IFREG | 0444, gen_pid_max },
	{ "random",    PK_DIR,         S_IFDIR | 0555, .children = sys_kernel_random_entries,
	  .nchildren = sizeof(sys_kernel_random_entries) / sizeof(sys_kernel_random_entries[0]) },
};

static const struct pent sys_vm_entries[] = {
	{ "overcommit_memory", PK_SYSCTL_FILE, S_IFREG | 0444, gen_overcommit_memory },
};

static const struct pent sys_fs_entries[] = {
	{ "nr_open", PK_SYSCTL_FILE, S_IFREG | 0444, gen_nr_open },
};

static const struct pent sys_entries[] = {
	{ "fs",     PK_DIR, S_IFDIR | 0555, .children = sys_fs_entries,
	  .nchildren = sizeof(sys_fs_entries) / sizeof(sys_fs_entries[0]) },
	{ "kernel", PK_DIR, S_IFDIR | 0555, .children = sys_kernel_entries,
	  .nchildren = sizeof(sys_kernel_entries) / sizeof(sys_kernel_entries[0]) },
	{ "vm",     PK_DIR, S_IFDIR | 0555, .children = sys_vm_entries,
	  .nchildren = sizeof(sys_vm_entries) / sizeof(sys_vm_entries[0]) },
};

static const struct pent root_entries[] = {
	{ "self",        PK_SELF,        S_IFLNK | 0777 },
	{ "thread-self", PK_THREAD_SELF, S_IFLNK | 0777 },
	{ "cpuinfo",     PK_GLOBAL_FILE, S_IFREG | 0444, gen_cpuinfo },
	{ "meminfo",     PK_GLOBAL_FILE, S_IFREG | 0444, gen_meminfo },
	{ "uptime",      PK_GLOBAL_FILE, S_IFREG | 0444, gen_uptime },
	{ "version",     PK_GLOBAL_FILE, S_IFREG | 0444, gen_version },
	{ "stat",        PK_GLOBAL_FILE, S_IFREG | 0444, gen_stat_global },
	{ "loadavg",     PK_GLOBAL_FILE, S_IFREG | 0444, gen_loadavg },
	{ "filesystems", PK_GLOBAL_FILE, S_IFREG | 0444, gen_filesystems },
	{ "mounts",      PK_LINK_TEXT,   S_IFLNK | 0777, .text = "self/mounts" },
	{ "sys",         PK_DIR,         S_IFDIR | 0555, .children = sys_entries,
	  .nchildren = sizeof(sys_entries) / sizeof(sys_entries[0]) },
};
#define NROOT (sizeof(root_entries) / sizeof(root_entries[0]))

/* Links of /proc/<pid>/ns (no cgroup or time namespaces in moat). */
static const struct pent ns_entries[] = {
	{ "ipc",              PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_IPC },
	{ "mnt",              PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_MNT },
	{ "net",              PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_NET },
	{ "pid",              PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_PID },
	{ "pid_for_children", PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_PID_FOR_CHILDREN },
	{ "user",             PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_USER },
	{ "uts",              PK_NS_LINK, S_IFLNK | 0777, .ns = NSK_UTS },
};
#define NNS (sizeof(ns_entries) / sizeof(ns_entries[0]))

static const struct pent pid_entries[] = {
	{ "auxv",    PK_PID_FILE, S_IFREG | 0400, gen_auxv, .ptrace_read = true },
	{ "cmdline", PK_PID_FILE, S_IFREG | 0444, gen_cmdline },
	{ "comm",    PK_PID_FILE, S_IFREG | 0444, gen_comm },
	{ "cwd",     PK_PID_LINK, S_IFLNK | 0777, .link = PL_CWD },
	{ "environ", PK_PID_FILE, S_IFREG | 0400, gen_environ, .ptrace_read = true },
	{ "exe",     PK_PID_LINK, S_IFLNK | 0777, .link = PL_EXE },
	{ "fd",      PK_FD_DIR,   S_IFDIR | 0500 },
	{ "gid_map", PK_PID_FILE, S_IFREG | 0644, gen_gid_map },
	{ "limits",  PK_PID_FILE, S_IFREG | 0444, gen_limits },
	{ "maps",    PK_PID_FILE, S_IFREG | 0444, gen_maps, .ptrace_read = true },
	{ "mountinfo", PK_PID_FILE, S_IFREG | 0444, gen_mountinfo },
	{ "mounts",  PK_PID_FILE, S_IFREG | 0444, gen_mounts },
	{ "ns",      PK_NS_DIR,   S_IFDIR | 0511 },
	{ "oom_score_adj", PK_PID_FILE, S_IFREG | 0644, gen_oom_score_adj },
	{ "root",    PK_PID_LINK, S_IFLNK | 0777, .link = PL_ROOT },
	{ "setgroups", PK_PID_FILE, S_IFREG | 0644, gen_setgroups },
	{ "stat",    PK_PID_FILE, S_IFREG | 0444, gen_stat },
	{ "statm",   PK_PID_FILE, S_IFREG | 0444, gen_statm },
	{ "status",  PK_PID_FILE, S_IFREG | 0444, gen_status },
	{ "task",    PK_TASK_DIR, S_IFDIR | 0555, .process_only = true },
	{ "uid_map", PK_PID_FILE, S_IFREG | 0644, gen_uid_map },
};
#define NPID (sizeof(pid_entries) / sizeof(pid_entries[0]))

static const struct pent *find_entry(const struct pent *tab, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && !memcmp(tab[i].name, name, len))
			return &tab[i];
	return NULL;
}

/* --- lookups -------------------------------------------------------- */

/* What name means in directory dn for reader r, without making an
 * inode: 0 with *key, or -ENOENT. */
static int resolve(struct pnode *dn, struct task *r, const char *name, size_t len, struct pkey *key)
{
	memset(key, 0, sizeof(*key));
	key->fd = -1;
	const struct pent *e;
	switch (dn->key.kind) {
	case PK_ROOT: {
		if ((e = find_entry(root_entries, NROOT, name, len))) {
			key->kind = e->kind;
			key->ent = e;
			return 0;
		}
		struct task *t = task_by_reader_nr(r, parse_nr(name, len));
		if (!t)
			return -ENOENT;
		key->kind = PK_PID_DIR;
		key->task = t;
		return 0;
	}
	case PK_DIR:
		if (!(e = find_entry(dn->key.ent->children, dn->key.ent->nchildren, name, len)))
			return -ENOENT;
		key->kind = e->kind;
		key->ent = e;
		return 0;
	case PK_PID_DIR:
		if (!(e = find_entry(pid_entries, NPID, name, len)) || (e->process_only && dn->key.thread))
			return -ENOENT;
		if (task_gone(dn->key.task))
			return -ENOENT;
		key->kind = e->kind;
		key->ent = e;
		key->task = dn->key.task;
		key->thread = dn->key.thread;
		return 0;
	case PK_NS_DIR:
		if (!(e = find_entry(ns_entries, NNS, name, len)) || task_gone(dn->key.task))
			return -ENOENT;
		key->kind = e->kind;
		key->ent = e;
		key->task = dn->key.task;
		key->thread = dn->key.thread;
		return 0;
	case PK_TASK_DIR: {
		struct task *t = task_by_reader_nr(r, parse_nr(name, len));
		if (!t || t->tg != dn->key.task->tg)
			return -ENOENT;
		key->kind = PK_PID_DIR;
		key->task = t;
		key->thread = true;
		return 0;
	}
	case PK_FD_DIR: {
		int fd = parse_nr(name, len);
		if (fd < 0)
			return -ENOENT;
		struct file *f = task_fd_file(dn->key.task, fd);
		if (!f)
			return -ENOENT;
		key->kind = PK_FD_LINK;
		key->task = dn->key.task;
		key->thread = dn->key.thread;
		key->fd = fd;
		key->file = f;
		file_put(f);
		return 0;
	}
	default:
		return -ENOTDIR;
	}
}

static bool key_equal(const struct pkey *a, const struct pkey *b)
{
	return a->kind == b->kind && a->ent == b->ent && a->task == b->task && a->thread == b->thread &&
	       a->fd == b->fd && a->file == b->file;
}

static mode_t fd_link_mode(struct task *t, int fd)
{
	struct file *f = task_fd_file(t, fd);
	mode_t m = S_IFLNK;
	if (f) {
		if (f->mode & FMODE_READ)
			m |= 0500;
		if (f->mode & FMODE_WRITE)
			m |= 0300;
		file_put(f);
	}
	return m;
}

static struct inode *make_inode(const struct pkey *key)
{
	struct stat st = { 0 };
	st.st_dev = proc_fs->dev;
	st.st_ino = atomic_fetch_add(&proc_next_ino, 1);
	st.st_blksize = 1024;
	st.st_nlink = 1;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	switch (key->kind) {
	case PK_PID_DIR: st.st_mode = S_IFDIR | 0555; break;
	case PK_FD_LINK: st.st_mode = fd_link_mode(key->task, key->fd); break;
	default: st.st_mode = key->ent ? key->ent->mode : S_IFDIR | 0555; break;
	}
	if (S_ISDIR(st.st_mode))
		st.st_nlink = 2;
	if (key->task) {
		/* Linux: the task's effective IDs (it is dumpable). */
		st.st_uid = key->task->creds.euid;
		st.st_gid = key->task->creds.egid;
	}
	struct pnode *n = calloc(1, sizeof(*n));
	struct inode *ino = n ? inode_new(proc_fs, &proc_inode_ops, &st) : NULL;
	if (!ino) {
		free(n);
		return NULL;
	}
	n->key = *key;
	pthread_mutex_init(&n->lock, NULL);
	ino->priv = n;
	if (key->kind == PK_LINK_TEXT) {
		/* An ordinary symlink: the VFS follows its text. */
		ino->ops = &proc_text_link_ops;
		ino->link = (char *)key->ent->text;
	}
	return ino;
}

static int procfs_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	struct pnode *dn = dentry_node(dir);
	if (!dn)
		return -ENOENT;
	struct pkey key;
	int err = resolve(dn, reader(), name, len, &key);
	if (err)
		return err;
	struct inode *ino = make_inode(&key);
	if (!ino)
		return -ENOMEM;
	*out = ino;
	return 0;
}

static void procfs_revalidate(struct dentry *dir, struct dentry *d)
{
	struct pnode *dn = dentry_node(dir);
	if (!dn)
		return;
	struct pnode *cur = dentry_node(d);
	if (cur && (cur->key.kind == PK_PROXY || cur->key.kind == PK_NS_FILE))
		return;
	/* Names in the directory of a dead task stay as they were: opening
	 * them fails with ESRCH, as in Linux. */
	if (cur && dn->key.task && task_gone(dn->key.task))
		return;
	struct pkey key;
	int err = resolve(dn, reader(), d->name, d->len, &key);
	if (err) {
		/* Gone: a new negative dentry; a cwd or open file here keeps
		 * the old one. */
		if (cur)
			dcache_unhash(d);
		return;
	}
	if (cur && key_equal(&cur->key, &key))
		return;
	/* Negative to positive, or an fd link to another file (no one
	 * depends on a symlink's inode staying): in place, so reused names
	 * do not pile up dentries. Directories and files of another task:
	 * a new dentry. */
	if (cur && !(cur->key.kind == PK_FD_LINK && key.kind == PK_FD_LINK)) {
		dcache_unhash(d);
		return;
	}
	struct inode *ino = make_inode(&key);
	if (ino)
		dentry_instantiate(d, ino);
}

/* --- links ---------------------------------------------------------- */

static int lookup_path(struct mount *mnt, struct dentry *dir, const char *name, struct path *out)
{
	struct dentry *d;
	int err = dcache_lookup(dir, name, strlen(name), &d);
	if (err)
		return err;
	if (!atomic_load(&d->inode))
		return -ENOENT;
	*out = (struct path){ mnt, d };
	return 0;
}

static int self_path(struct mount *mnt, bool thread, struct path *out)
{
	struct task *r = reader();
	if (!r)
		return -ENOENT;
	char name[16];
	snprintf(name, sizeof(name), "%d", reader_vpid(r, r));
	int err = lookup_path(mnt, proc_fs->root, name, out);
	if (err || !thread)
		return err;
	err = lookup_path(mnt, out->dentry, "task", out);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%d", reader_vtid(r, r));
	return lookup_path(mnt, out->dentry, name, out);
}

/* The path a task link names: its executable, cwd or root. */
static int pid_link_path(struct task *target, enum plink which, struct path *out, struct file **exe)
{
	*exe = NULL;
	if (which == PL_EXE) {
		struct mm *mm = task_get_mm(target);
		if (!mm)
			return -ENOENT;
		struct file *f = mm->exe;
		if (f)
			file_get(f);
		mm_put(mm);
		if (!f)
			return -ENOENT;
		*exe = f;
		*out = f->path;
		return f->path.mnt ? 0 : -ENOENT;
	}
	struct fs_context *fs = task_get_fs(target);
	if (!fs)
		return -ENOENT;
	struct path root, cwd;
	fs_context_paths(fs, &root, &cwd);
	fs_context_put(fs);
	*out = which == PL_CWD ? cwd : root;
	return 0;
}

/* The stand-in dentry of an anonymous file for fd link n (made once per
 * link inode; the link inode is replaced when the fd changes). */
static struct dentry *fd_proxy(struct pnode *n, struct dentry *link, struct file *f)
{
	pthread_mutex_lock(&n->lock);
	if (!n->proxy) {
		struct stat st;
		if (file_stat(f, &st) == 0) {
			struct pkey key = n->key;
			key.kind = PK_PROXY;
			struct inode *ino = make_inode(&key);
			if (ino) {
				ino->st = st;
				n->proxy = dentry_new_unhashed(link, link->name, link->len, ino);
			}
		}
	}
	struct dentry *d = n->proxy;
	pthread_mutex_unlock(&n->lock);
	return d;
}

/* The CLONE_NEW* type of a /proc/<pid>/ns link. */
static int nskind_type(enum nskind k, bool *for_children)
{
	*for_children = k == NSK_PID_FOR_CHILDREN;
	static const int types[] = {
		[NSK_IPC] = CLONE_NEWIPC, [NSK_MNT] = CLONE_NEWNS, [NSK_NET] = CLONE_NEWNET,
		[NSK_PID] = CLONE_NEWPID, [NSK_PID_FOR_CHILDREN] = CLONE_NEWPID,
		[NSK_USER] = CLONE_NEWUSER, [NSK_UTS] = CLONE_NEWUTS,
	};
	return types[k];
}

/* The stand-in dentry of the namespace ns link n names now: an nsfs-like
 * regular file whose inode number is the namespace's, so that stat(2)
 * through links of one namespace agree. Remade when the task has moved
 * to another namespace (dentries are never freed, so an old one stays
 * valid for whoever holds it). */
static struct dentry *ns_proxy(struct pnode *n, struct dentry *link)
{
	uint32_t inum = task_ns_inum(n->key.task, n->key.ent->ns);
	if (!inum)
		return NULL;
	pthread_mutex_lock(&n->lock);
	struct inode *cur = n->proxy ? atomic_load(&n->proxy->inode) : NULL;
	if (!cur || cur->st.st_ino != inum) {
		struct pkey key = n->key;
		key.kind = PK_NS_FILE;
		struct inode *ino = make_inode(&key);
		if (ino) {
			ino->st.st_ino = inum;
			ino->st.st_mode = S_IFREG | 0444;
			ino->st.st_uid = ino->st.st_gid = 0;
			struct dentry *d = dentry_new_unhashed(link, link->name, link->len, ino);
			if (d)
				n->proxy = d;
		}
	}
	struct dentry *d = n->proxy;
	cur = d ? atomic_load(&d->inode) : NULL;
	pthread_mutex_unlock(&n->lock);
	return cur && cur->st.st_ino == inum ? d : NULL;
}

/* Opening a namespace's stand-in: a namespace file holding it. The task
 * is asked again; if it has moved since the link was followed, the
 * namespace the link named is no longer reachable from it (ENOENT). */
static int open_ns_file(struct file *f, struct pnode *n)
{
	if (!may_inspect(reader(), n->key.task))
		return -EACCES;
	bool for_children;
	int type = nskind_type(n->key.ent->ns, &for_children);
	struct ns_ref ref;
	int err = task_ns_ref(n->key.task, type, for_children, &ref);
	if (err)
		return err == -ESRCH ? -ENOENT : err;
	if (ref.inum != f->inode->st.st_ino) {
		ns_ref_put(&ref);
		return -ENOENT;
	}
	return nsfile_init(f, &ref);
}

static int procfs_get_link(struct dentry *d, struct mount *mnt, struct path *out)
{
	struct pnode *n = dentry_node(d);
	struct task *r = reader();
	if (!n)
		return -ENOENT;
	switch (n->key.kind) {
	case PK_SELF:
		return self_path(mnt, false, out);
	case PK_THREAD_SELF:
		return self_path(mnt, true, out);
	case PK_PID_LINK: {
		if (!may_inspect(r, n->key.task))
			return -EACCES;
		struct file *exe;
		int err = pid_link_path(n->key.task, n->key.ent->link, out, &exe);
		if (exe)
			file_put(exe); /* files' paths stay valid: mounts and dentries live on */
		return err;
	}
	case PK_FD_LINK: {
		if (!may_inspect(r, n->key.task))
			return -EACCES;
		struct file *f = task_fd_file(n->key.task, n->key.fd);
		if (!f)
			return -ENOENT;
		int err = 0;
		if (f->path.mnt) {
			*out = f->path;
		} else {
			struct dentry *p = f == n->key.file ? fd_proxy(n, d, f) : NULL;
			if (p)
				*out = (struct path){ mnt, p };
			else
				err = -ENOENT;
		}
		file_put(f);
		return err;
	}
	case PK_NS_LINK: {
		/* proc_ns_get_link: PTRACE_MODE_READ_FSCREDS. */
		if (!may_inspect(r, n->key.task))
			return -EACCES;
		struct dentry *p = ns_proxy(n, d);
		if (!p)
			return -ENOENT;
		*out = (struct path){ mnt, p };
		return 0;
	}
	default:
		return -ENOENT;
	}
}

static int path_text(struct task *r, struct path p, char *buf, size_t n)
{
	return vfs_path_string(p, reader_root(r), buf, n);
}

static int procfs_readlink(struct dentry *d, char *buf, size_t n)
{
	struct pnode *nd = dentry_node(d);
	struct task *r = reader();
	if (!nd)
		return -ENOENT;
	int len;
	switch (nd->key.kind) {
	case PK_SELF:
	case PK_THREAD_SELF:
		if (!r)
			return -ENOENT;
		len = nd->key.kind == PK_SELF
			      ? snprintf(buf, n, "%d", reader_vpid(r, r))
			      : snprintf(buf, n, "%d/task/%d", reader_vpid(r, r), reader_vtid(r, r));
		return len < (int)n ? len : -ENAMETOOLONG;
	case PK_PID_LINK: {
		if (!may_inspect(r, nd->key.task))
			return -EACCES;
		struct path p;
		struct file *exe;
		int err = pid_link_path(nd->key.task, nd->key.ent->link, &p, &exe);
		if (!err)
			err = path_text(r, p, buf, n);
		if (exe)
			file_put(exe);
		return err;
	}
	case PK_FD_LINK: {
		if (!may_inspect(r, nd->key.task))
			return -EACCES;
		struct file *f = task_fd_file(nd->key.task, nd->key.fd);
		if (!f)
			return -ENOENT;
		int err = f->path.mnt && !(f->ops && f->ops->path) ? path_text(r, f->path, buf, n)
								    : file_path(f, buf, n);
		file_put(f);
		return err;
	}
	case PK_NS_LINK:
		return ns_link_text(r, nd->key.task, nd->key.ent->ns, buf, n);
	case PK_LINK_TEXT:
		len = snprintf(buf, n, "%s", nd->key.ent->text);
		return len < (int)n ? len : -ENAMETOOLONG;
	default:
		return -EINVAL;
	}
}

/* --- generated files ------------------------------------------------ */

struct gen_text {
	char *p;
	size_t len;
};

static ssize_t gen_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	struct gen_text *g = f->priv;
	if (!g || *pos < 0 || (uint64_t)*pos >= g->len)
		return 0;
	size_t avail = g->len - (size_t)*pos;
	if (n > avail)
		n = avail;
	memcpy(buf, g->p + *pos, n);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

/* Writes to the files of a task: EINVAL (no write handler); to the
 * global ones: EIO, as Linux's proc_reg_write without a handler. */
static ssize_t pid_file_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos,
			      int iof)
{
	return -EINVAL;
}

static ssize_t global_file_write(struct file *f, struct task *t, const void *buf, size_t n,
				 int64_t *pos, int iof)
{
	return -EIO;
}

/* seq_lseek(): SEEK_SET and SEEK_CUR only. */
static int64_t gen_llseek(struct file *f, int64_t off, int whence)
{
	int64_t np;
	if (whence == SEEK_SET)
		np = off;
	else if (whence == SEEK_CUR)
		np = f->pos + off;
	else
		return -EINVAL;
	if (np < 0)
		return -EINVAL;
	f->pos = np;
	return np;
}

static void gen_release(struct file *f)
{
	struct gen_text *g = f->priv;
	if (g) {
		free(g->p);
		free(g);
	}
}

static const struct file_ops pid_file_ops = {
	.read = gen_read, .write = pid_file_write, .llseek = gen_llseek, .release = gen_release,
};
/* cmdline and environ are not seq files: generic_llseek over an i_size
 * of 0, so SEEK_END works. */
static int64_t mem_file_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, 0);
}

static const struct file_ops pid_mem_file_ops = {
	.read = gen_read, .write = pid_file_write, .llseek = mem_file_llseek, .release = gen_release,
};
static const struct file_ops global_file_ops = {
	.read = gen_read, .write = global_file_write, .llseek = gen_llseek, .release = gen_release,
};

/* Linux's oom_score_adj_write: at most PROC_NUMBUF - 1 (12) bytes are
 * looked at and counted as written; the trimmed text is an integer in
 * kstrtoint's base-0 form (ERANGE past int, EINVAL otherwise) in
 * -1000..1000 (EINVAL). Going below oom_score_adj_min needs
 * CAP_SYS_RESOURCE (EACCES); a writer holding it sets the floor too. */
static int parse_oom_score_adj(const char *text, int *out)
{
	while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
		text++;
	size_t len = strlen(text);
	while (len && (text[len - 1] == ' ' || (text[len - 1] >= '\t' && text[len - 1] <= '\r')))
		len--;
	char s[16];
	memcpy(s, text, len);
	s[len] = 0;
	/* One sign at most (strtoll would take "-+5"). */
	if (!len || ((s[0] == '-' || s[0] == '+') && (s[1] == '-' || s[1] == '+')))
		return -EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (*end || end == s)
		return -EINVAL;
	if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
		return -ERANGE;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static ssize_t oom_score_adj_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos,
				   int iof)
{
	struct pnode *pn = inode_node(f->inode);
	char text[13] = { 0 };
	if (n > sizeof text - 1)
		n = sizeof text - 1;
	memcpy(text, buf, n);
	int v;
	int err = parse_oom_score_adj(text, &v);
	if (err)
		return err;
	if (!pn || !pn->key.task || task_gone(pn->key.task))
		return -ESRCH;
	bool privileged = creds_has_cap(&t->creds, CAP_SYS_RESOURCE);
	struct thread_group *tg = pn->key.task->tg;
	pthread_mutex_lock(&tg->lock);
	if (v < tg->oom_score_adj_min && !privileged) {
		pthread_mutex_unlock(&tg->lock);
		return -EACCES;
	}
	tg->oom_score_adj = (short)v;
	if (privileged)
		tg->oom_score_adj_min = (short)v;
	pthread_mutex_unlock(&tg->lock);
	return (ssize_t)n;
}

static const struct file_ops oom_score_adj_file_ops = {
	.read = gen_read, .write = oom_score_adj_write, .llseek = mem_file_llseek, .release = gen_release,
};

/* uid_map, gid_map and setgroups keep what Linux's proc_id_map_open and
 * proc_setgroups_open keep: the target's user namespace at open and the
 * opener's credentials (f_cred), which the write rules look at. */
struct userns_file_state {
	struct gen_text text;    /* first: gen_read reads it */
	enum userns_file which;
	struct user_ns *ns;      /* one reference */
	struct creds opener;     /* with its own user_ns reference */
};

static bool is_userns_file(const struct pent *e, enum userns_file *which)
{
	if (e->gen == gen_uid_map)
		*which = UF_UID_MAP;
	else if (e->gen == gen_gid_map)
		*which = UF_GID_MAP;
	else if (e->gen == gen_setgroups)
		*which = UF_SETGROUPS;
	else
		return false;
	return true;
}

/* The whole text in one write() at offset 0 (the rules are in
 * kernel/userns.c); a success moves the offset past it (Linux sets it to
 * the count). */
static ssize_t userns_file_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos,
				 int iof)
{
	struct userns_file_state *st = f->priv;
	int err = st->which == UF_SETGROUPS
			  ? user_ns_write_setgroups(st->ns, buf, n, *pos)
			  : user_ns_write_map(st->ns, st->which == UF_GID_MAP, &st->opener, &t->creds, buf, n, *pos);
	if (err)
		return err;
	*pos = (int64_t)n;
	return (ssize_t)n;
}

static void userns_file_release(struct file *f)
{
	struct userns_file_state *st = f->priv;
	if (!st)
		return;
	free(st->text.p);
	user_ns_put(st->ns);
	user_ns_put(st->opener.user_ns);
	free(st);
}

static const struct file_ops userns_file_ops = {
	.read = gen_read, .write = userns_file_write, .llseek = gen_llseek, .release = userns_file_release,
};

static int open_userns_file(struct file *f, struct pnode *n, enum userns_file which)
{
	struct task *r = reader();
	if (!r)
		return -ENOENT;
	struct user_ns *ns = task_get_user_ns(n->key.task);
	/* proc_setgroups_open: writing needs CAP_SYS_ADMIN over the
	 * namespace. */
	if (which == UF_SETGROUPS && (f->mode & FMODE_WRITE) && !ns_capable(&r->creds, ns, CAP_SYS_ADMIN)) {
		user_ns_put(ns);
		return -EACCES;
	}
	struct userns_file_state *st = calloc(1, sizeof *st);
	if (!st) {
		user_ns_put(ns);
		return -ENOMEM;
	}
	st->which = which;
	st->ns = ns;
	st->opener = r->creds;
	creds_get_user_ns(&st->opener);
	if (f->mode & FMODE_READ) {
		struct sbuf sb = { 0 };
		put_userns_text(&sb, which, ns, creds_user_ns(&st->opener));
		st->text.p = sb.p;
		st->text.len = sb.len;
		if (sb.oom) {
			f->priv = st;
			userns_file_release(f);
			f->priv = NULL;
			return -ENOMEM;
		}
	}
	f->priv = st;
	f->ops = &userns_file_ops;
	/* seq_open: lseek and pread, but pwrite is ESPIPE. */
	f->mode |= FMODE_LSEEK | FMODE_PREAD;
	return 0;
}

static int open_generated(struct file *f, struct pnode *n)
{
	struct task *r = reader();
	const struct pent *e = n->key.ent;
	enum userns_file which;
	if (n->key.kind == PK_PID_FILE && is_userns_file(e, &which))
		return open_userns_file(f, n, which);
	if (n->key.kind == PK_SYSCTL_FILE && (f->mode & FMODE_WRITE))
		return -EACCES; /* proc_sys_permission: no write bit, even for root */
	if (e->ptrace_read && !may_inspect(r, n->key.task))
		return -EACCES;
	f->ops = n->key.kind != PK_PID_FILE ? &global_file_ops
		 : e->gen == gen_oom_score_adj ? &oom_score_adj_file_ops
		 : e->gen == gen_cmdline || e->gen == gen_environ || e->gen == gen_auxv ? &pid_mem_file_ops
											 : &pid_file_ops;
	f->mode |= FMODE_LSEEK | FMODE_PREAD;
	if (!(f->mode & FMODE_READ))
		return 0;
	struct sbuf sb = { 0 };
	e->gen(r, n->key.task, &sb);
	if (sb.oom) {
		free(sb.p);
		return -ENOMEM;
	}
	struct gen_text *g = malloc(sizeof(*g));
	if (!g) {
		free(sb.p);
		return -ENOMEM;
	}
	g->p = sb.p;
	g->len = sb.len;
	f->priv = g;
	return 0;
}

/* --- directories ---------------------------------------------------- */

static unsigned dtype_of(mode_t m)
{
	return S_ISDIR(m) ? DT_DIR : S_ISLNK(m) ? DT_LNK : DT_REG;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The IDs the reader sees: of every thread group (tg_only) or of the
 * threads of tg, sorted and without repeats. */
static int collect_ids(struct task *r, struct thread_group *tg, int **out)
{
	*out = NULL;
	if (!r)
		return 0;
	struct kernel *k = r->kernel;
	pthread_mutex_lock(&k->lock);
	size_t cap = 0, n = 0;
	if (tg) {
		for (struct task *t = tg->tasks; t; t = t->tg_next)
			cap++;
	} else {
		for (struct task *t = k->all_tasks; t; t = t->all_next)
			cap++;
	}
	int *ids = malloc((cap + 1) * sizeof(int));
	if (ids) {
		struct pid_ns *ns = task_pidns(r);
		if (tg) {
			for (struct task *t = tg->tasks; t && n < cap; t = t->tg_next) {
				int v = kpid_nr_ns(t->kpid, ns);
				if (v)
					ids[n++] = v;
			}
		} else {
			for (struct task *t = k->all_tasks; t && n < cap; t = t->all_next) {
				int v = kpid_nr_ns(t->tg->pidp, ns);
				if (v)
					ids[n++] = v;
			}
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (!ids)
		return -ENOMEM;
	qsort(ids, n, sizeof(int), cmp_int);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || ids[u - 1] != ids[i])
			ids[u++] = ids[i];
	*out = ids;
	return (int)u;
}

static bool emit_dots(struct file *f, struct dir_ctx *ctx)
{
	while (f->pos < 2) {
		bool ok = f->pos == 0 ? ctx->emit(ctx, ".", 1, f->inode->st.st_ino, DT_DIR, 1)
				      : ctx->emit(ctx, "..", 2, 1, DT_DIR, 2);
		if (!ok)
			return false;
		f->pos++;
	}
	return true;
}

static bool emit_table(struct file *f, struct dir_ctx *ctx, const struct pent *tab, size_t n, bool thread)
{
	while (f->pos >= 2 && f->pos < 2 + (int64_t)n) {
		const struct pent *e = &tab[f->pos - 2];
		if (!(e->process_only && thread) &&
		    !ctx->emit(ctx, e->name, strlen(e->name), atomic_load(&proc_next_ino), dtype_of(e->mode),
			       f->pos + 1))
			return false;
		f->pos++;
	}
	return true;
}

/* Numbered entries at positions PROC_NR_OFFSET + id. */
static int emit_ids(struct file *f, struct dir_ctx *ctx, int *ids, int n, unsigned type)
{
	if (f->pos < PROC_NR_OFFSET)
		f->pos = PROC_NR_OFFSET;
	for (int i = 0; i < n; i++) {
		if (PROC_NR_OFFSET + (int64_t)ids[i] < f->pos)
			continue;
		char name[16];
		int len = snprintf(name, sizeof(name), "%d", ids[i]);
		if (!ctx->emit(ctx, name, (size_t)len, (uint64_t)ids[i] + 0x10000, type,
			       PROC_NR_OFFSET + (int64_t)ids[i] + 1))
			return 0;
		f->pos = PROC_NR_OFFSET + (int64_t)ids[i] + 1;
	}
	f->pos = INT64_MAX / 2;
	return 0;
}

static int procfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct pnode *n = inode_node(f->inode);
	struct task *r = reader();
	if (n->key.task && task_gone(n->key.task))
		return -ESRCH;
	if (!emit_dots(f, ctx))
		return 0;
	switch (n->key.kind) {
	case PK_ROOT: {
		if (!emit_table(f, ctx, root_entries, NROOT, false))
			return 0;
		int *ids;
		int cnt = collect_ids(r, NULL, &ids);
		if (cnt < 0)
			return cnt;
		emit_ids(f, ctx, ids, cnt, DT_DIR);
		free(ids);
		return 0;
	}
	case PK_DIR:
		emit_table(f, ctx, n->key.ent->children, n->key.ent->nchildren, false);
		return 0;
	case PK_PID_DIR:
		emit_table(f, ctx, pid_entries, NPID, n->key.thread);
		return 0;
	case PK_NS_DIR:
		emit_table(f, ctx, ns_entries, NNS, false);
		return 0;
	case PK_TASK_DIR: {
		int *ids;
		int cnt = collect_ids(r, n->key.task->tg, &ids);
		if (cnt < 0)
			return cnt;
		emit_ids(f, ctx, ids, cnt, DT_DIR);
		free(ids);
		return 0;
	}
	case PK_FD_DIR: {
		if (!may_inspect(r, n->key.task))
			return -EACCES;
		struct fd_table *fdt = task_get_fdt(n->key.task);
		if (!fdt)
			return 0;
		pthread_mutex_lock(&fdt->lock);
		int cnt = 0;
		int *fds = malloc(((size_t)fdt->size + 1) * sizeof(int));
		for (int i = 0; fds && i < fdt->size; i++)
			if (fdt->slots[i].file)
				fds[cnt++] = i;
		pthread_mutex_unlock(&fdt->lock);
		fdt_put(fdt);
		if (!fds)
			return -ENOMEM;
		/* fd N at position N + 2 (Linux's proc_readfd_common). */
		for (int i = 0; i < cnt; i++) {
			if (fds[i] + 2 < f->pos)
				continue;
			char name[16];
			int len = snprintf(name, sizeof(name), "%d", fds[i]);
			if (!ctx->emit(ctx, name, (size_t)len, (uint64_t)fds[i] + 0x20000, DT_LNK,
				       (int64_t)fds[i] + 3))
				break;
			f->pos = (int64_t)fds[i] + 3;
		}
		free(fds);
		return 0;
	}
	default:
		return -ENOTDIR;
	}
}

static int64_t procfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	return gen_llseek(f, off, whence);
}

static const struct file_ops procfs_dir_ops = {
	.iterate = procfs_iterate,
	.llseek = procfs_dir_llseek,
};

/* --- open ----------------------------------------------------------- */

/* An anonymous file reached through /proc/<pid>/fd/N: a pipe end opens
 * another file of the same pipe; anything else cannot be opened. */
static int open_proxy(struct file *f, struct pnode *n)
{
	struct file *src = task_fd_file(n->key.task, n->key.fd);
	if (!src)
		return -ENOENT;
	int err = -ENOENT;
	if (src == n->key.file) {
		err = pipe_reopen(src, f);
		if (err == -ENXIO && src->hostfd >= 0)
			err = hostfd_reopen(src, f);
	}
	/* The new file is as anonymous as src: its links (/proc/<pid>/fd)
	 * must lead to it, not back through this stand-in. */
	if (!err)
		f->path = (struct path){ NULL, NULL };
	file_put(src);
	return err;
}

static int procfs_open(struct dentry *d, struct file *f)
{
	struct pnode *n = inode_node(f->inode);
	if (!n)
		return -ENOENT;
	if (n->key.task && n->key.kind != PK_PROXY && n->key.kind != PK_NS_FILE && task_gone(n->key.task))
		return -ESRCH;
	switch (n->key.kind) {
	case PK_ROOT:
	case PK_DIR:
	case PK_PID_DIR:
	case PK_TASK_DIR:
	case PK_FD_DIR:
	case PK_NS_DIR:
		if (n->key.kind == PK_FD_DIR && !may_inspect(reader(), n->key.task))
			return -EACCES;
		f->ops = &procfs_dir_ops;
		f->mode |= FMODE_LSEEK;
		return 0;
	case PK_GLOBAL_FILE:
	case PK_SYSCTL_FILE:
	case PK_PID_FILE:
		return open_generated(f, n);
	case PK_PROXY:
		return open_proxy(f, n);
	case PK_NS_FILE:
		return open_ns_file(f, n);
	default:
		return -ENXIO;
	}
}

/* Only the size of a stand-in may change: O_TRUNC through a link to an
 * imported host file truncates that file, as Linux's open of the link
 * would. Everything else is EPERM (proc_setattr refuses most changes). */
static int procfs_setattr(struct inode *ino, const struct iattr *ia, struct task *t)
{
	struct pnode *n = inode_node(ino);
	if (!n)
		return -EPERM;
	/* O_TRUNC or truncate(2) of a task's file (echo > oom_score_adj):
	 * Linux's proc_setattr lets a size change through, changing
	 * nothing. */
	if (n->key.kind == PK_PID_FILE && !(ia->valid & ~(ATTR_SIZE | ATTR_SIZE_TIMES)))
		return 0;
	if (n->key.kind != PK_PROXY || (ia->valid & ~(ATTR_SIZE | ATTR_SIZE_TIMES)))
		return -EPERM;
	struct file *src = task_fd_file(n->key.task, n->key.fd);
	if (!src)
		return -ENOENT;
	int err = -EINVAL;
	if (src == n->key.file && src->ops && src->ops->truncate)
		err = src->ops->truncate(src, ia->size);
	file_put(src);
	return err;
}

/* New names: proc's lookups fail with ENOENT before Linux's VFS gets to
 * the missing create operations, so mkdir, mknod, open(O_CREAT) and
 * symlink of a new name give ENOENT. */
static int procfs_mknod(struct dentry *dir, struct dentry *d, mode_t mode, dev_t rdev,
			const struct creds *c)
{
	return -ENOENT;
}

static int procfs_symlink(struct dentry *dir, struct dentry *d, const char *target, const struct creds *c)
{
	return -ENOENT;
}

static const struct inode_ops proc_inode_ops = {
	.mknod = procfs_mknod,
	.symlink = procfs_symlink,
	.setattr = procfs_setattr,
	.lookup = procfs_lookup,
	.open = procfs_open,
	.get_link = procfs_get_link,
	.readlink = procfs_readlink,
	.revalidate = procfs_revalidate,
};

static int procfs_statfs(struct filesystem *fs, struct dentry *d, struct statfs *out)
{
	memset(out, 0, sizeof(*out));
	out->f_type = PROC_SUPER_MAGIC;
	out->f_bsize = 4096;
	out->f_frsize = 4096;
	out->f_namelen = 255;
	return 0;
}

/* The host's CPU description, read by the sentry at boot (the sandbox
 * never sees the host's /proc: this copies text). */
static void read_host_cpuinfo(void)
{
	FILE *fp = fopen("/proc/cpuinfo", "re");
	if (!fp)
		return;
	struct sbuf sb = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && sb.len < (4u << 20))
		sb_put(&sb, chunk, n);
	fclose(fp);
	if (sb.oom)
		free(sb.p);
	else
		host_cpuinfo = sb.p;
}

struct filesystem *procfs_new(void)
{
	if (proc_fs)
		return proc_fs;
	struct filesystem *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->ns_lock, NULL);
	fs->type = "proc";
	fs->statfs = procfs_statfs;
	fs->dev = makedev(0, 22);
	proc_fs = fs;
	if (uname(&host_uts) != 0) {
		strcpy(host_uts.release, "6.1.0");
		strcpy(host_uts.version, "#1 SMP");
	}
	read_host_cpuinfo();
	make_uuid(boot_id);
	struct pkey key = { .kind = PK_ROOT, .fd = -1 };
	struct inode *root = make_inode(&key);
	if (!root)
		return NULL;
	root->st.st_ino = 1;
	root->st.st_mode = S_IFDIR | 0555;
	if (!(fs->root = dentry_new_root(fs, root)))
		return NULL;
	return fs;
}
