/*
 * sysfs, mounted at /sys: the few attributes programs commonly read,
 * made from moat's own state, never from the host's /sys (sysfs(5)).
 *
 * The tree is a set of fixed directory tables (struct sent) plus one
 * generated part: /sys/devices/system/cpu/cpuN for the CPUs the sandbox
 * shows (kernel->ncpus, the same count sched_getaffinity gives inside).
 * Files are generated whole at open, as Linux's sysfs fills one page per
 * open file: every read of one open file sees the same text.
 *
 * Permissions follow Linux's kernfs: read-only attributes (mode 0444)
 * refuse an open for writing with EACCES even for root, new names give
 * EACCES (create) or EPERM (mkdir, symlink), and writable attributes take
 * only values that describe what moat already is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "kernel/task.h"
#include "vfs/vfs.h"

#define SYSFS_MAGIC 0x62656572
/* Linux's sysfs reports every attribute with the size of one page. */
#define SYSFS_ATTR_SIZE 4096
/* Text of one attribute: at most one page (sysfs_emit). */
#define SYSFS_TEXT_MAX 4096

/* --- what an inode stands for --------------------------------------- */

enum skind {
	SK_DIR,          /* a fixed directory table */
	SK_CPU_DIR,      /* /sys/devices/system/cpu: its table plus cpuN */
	SK_CPUN_DIR,     /* /sys/devices/system/cpu/cpuN: a table for CPU N */
	SK_FILE,         /* a generated attribute */
};

struct snode;
/* Fill buf (SYSFS_TEXT_MAX bytes) with the text of node n; its length. */
typedef int (*sysfs_show_fn)(const struct snode *n, char *buf);
/* Take the text written to node n: n (all taken) or -errno. */
typedef ssize_t (*sysfs_store_fn)(const struct snode *n, const char *text, size_t len);

struct sent {
	const char *name;
	enum skind kind;
	mode_t mode;
	sysfs_show_fn show;
	sysfs_store_fn store;            /* NULL: read-only */
	const struct sent *children;     /* directories */
	size_t nchildren;
	bool not_cpu0;                   /* absent from cpu0/ */
};

struct snode {
	const struct sent *ent;
	enum skind kind;
	int cpu;                         /* under cpuN/: N; -1 otherwise */
};

static struct filesystem *sys_fs;
static atomic_ulong sys_next_ino = 2;
static const struct inode_ops sys_inode_ops;

static const struct snode *inode_snode(struct inode *ino) { return ino ? ino->priv : NULL; }

/* The CPUs the sandbox shows: the reader's kernel, or (for the
 * sentry's own walks) the host's online count kernel_new starts from. */
static int sandbox_ncpus(void)
{
	struct task *r = current_task;
	if (r && r->kernel && r->kernel->ncpus > 0)
		return r->kernel->ncpus;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* --- attributes ----------------------------------------------------- */

/* A CPU list in Linux's cpulist format ("0", "0-3"), every CPU of the
 * sandbox being possible, present and online. */
static int show_all_cpus(const struct snode *n, char *buf)
{
	int ncpus = sandbox_ncpus();
	if (ncpus == 1)
		return snprintf(buf, SYSFS_TEXT_MAX, "0\n");
	return snprintf(buf, SYSFS_TEXT_MAX, "0-%d\n", ncpus - 1);
}

/* No CPU is offline: an empty list, just the newline. */
static int show_no_cpus(const struct snode *n, char *buf)
{
	return snprintf(buf, SYSFS_TEXT_MAX, "\n");
}

/* cpuN/online: every CPU of the sandbox is online. */
static int show_cpu_online(const struct snode *n, char *buf)
{
	return snprintf(buf, SYSFS_TEXT_MAX, "1\n");
}

/* Linux's cpumask format (%*pb) for the CPUs lo..hi of ncpus: hex,
 * nr_cpu_ids bits wide, in 32-bit words separated by commas, the most
 * significant first ("3" for 2 CPUs, "f,ffffffff" for 36). */
static int show_cpumask(char *buf, int ncpus, int lo, int hi)
{
	int nwords = (ncpus + 31) / 32, len = 0;
	for (int w = nwords - 1; w >= 0; w--) {
		uint32_t word = 0;
		for (int b = 0; b < 32; b++) {
			int cpu = w * 32 + b;
			if (cpu >= lo && cpu <= hi)
				word |= 1u << b;
		}
		int bits = w == nwords - 1 && ncpus % 32 ? ncpus % 32 : 32;
		int digits = (bits + 3) / 4;
		len += snprintf(buf + len, (size_t)(SYSFS_TEXT_MAX - len), "%s%0*x", w == nwords - 1 ? "" : ",",
				digits, word);
	}
	len += snprintf(buf + len, (size_t)(SYSFS_TEXT_MAX - len), "\n");
	return len;
}

/* The sandbox's topology: one package and one die, each virtual CPU a
 * core of its own (no SMT siblings). */
static int show_own_cpu_mask(const struct snode *n, char *buf)
{
	return show_cpumask(buf, sandbox_ncpus(), n->cpu, n->cpu);
}

static int show_own_cpu_list(const struct snode *n, char *buf)
{
	return snprintf(buf, SYSFS_TEXT_MAX, "%d\n", n->cpu);
}

static int show_all_cpus_mask(const struct snode *n, char *buf)
{
	int ncpus = sandbox_ncpus();
	return show_cpumask(buf, ncpus, 0, ncpus - 1);
}

static int show_zero(const struct snode *n, char *buf)
{
	return snprintf(buf, SYSFS_TEXT_MAX, "0\n");
}

/* Linux's kstrtobool: the first character decides ("1yYtT" / "0nNfF",
 * "on"/"off"); anything else is EINVAL. */
static int parse_bool(const char *s, size_t len, bool *out)
{
	if (len == 0)
		return -EINVAL;
	switch (s[0]) {
	case '1': case 'y': case 'Y': case 't': case 'T':
		*out = true;
		return 0;
	case '0': case 'n': case 'N': case 'f': case 'F':
		*out = false;
		return 0;
	case 'o': case 'O':
		if (len > 1 && (s[1] == 'n' || s[1] == 'N')) {
			*out = true;
			return 0;
		}
		if (len > 1 && (s[1] == 'f' || s[1] == 'F')) {
			*out = false;
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* Onlining an online CPU changes nothing and succeeds, as Linux's
 * device_online of an online device; moat cannot take a CPU away, as
 * Linux with CPU hotplug disabled (cpu_down: EBUSY). */
static ssize_t store_cpu_online(const struct snode *n, const char *text, size_t len)
{
	bool on;
	int err = parse_bool(text, len, &on);
	if (err)
		return err;
	return on ? (ssize_t)len : -EBUSY;
}

/* Transparent huge pages: moat backs no memory with huge pages. */
static int show_thp_enabled(const struct snode *n, char *buf)
{
	return snprintf(buf, SYSFS_TEXT_MAX, "always madvise [never]\n");
}

/* Linux's sysfs_match_string after one trailing newline is cut: "never"
 * is what moat is; "always" and "madvise" cannot be had (EINVAL, as an
 * unknown value). */
static ssize_t store_thp_enabled(const struct snode *n, const char *text, size_t len)
{
	size_t l = len;
	if (l && text[l - 1] == '\n')
		l--;
	if (l == 5 && memcmp(text, "never", 5) == 0)
		return (ssize_t)len;
	return -EINVAL;
}

/* --- the tree ------------------------------------------------------- */

#define DIR_MODE (S_IFDIR | 0755)
#define RO_MODE (S_IFREG | 0444)
#define RW_MODE (S_IFREG | 0644)
#define TABLE(t) (t), (sizeof(t) / sizeof((t)[0]))

static const struct sent topology_entries[] = {
	{ "core_cpus", SK_FILE, RO_MODE, show_own_cpu_mask },
	{ "core_cpus_list", SK_FILE, RO_MODE, show_own_cpu_list },
	{ "core_id", SK_FILE, RO_MODE, show_own_cpu_list },
	{ "core_siblings", SK_FILE, RO_MODE, show_all_cpus_mask },
	{ "core_siblings_list", SK_FILE, RO_MODE, show_all_cpus },
	{ "die_cpus", SK_FILE, RO_MODE, show_all_cpus_mask },
	{ "die_cpus_list", SK_FILE, RO_MODE, show_all_cpus },
	{ "die_id", SK_FILE, RO_MODE, show_zero },
	{ "package_cpus", SK_FILE, RO_MODE, show_all_cpus_mask },
	{ "package_cpus_list", SK_FILE, RO_MODE, show_all_cpus },
	{ "physical_package_id", SK_FILE, RO_MODE, show_zero },
	{ "thread_siblings", SK_FILE, RO_MODE, show_own_cpu_mask },
	{ "thread_siblings_list", SK_FILE, RO_MODE, show_own_cpu_list },
};

/* Linux: cpu0 cannot be taken offline, so it has no "online". */
static const struct sent cpun_entries[] = {
	{ "online", SK_FILE, RW_MODE, show_cpu_online, store_cpu_online, .not_cpu0 = true },
	{ "topology", SK_DIR, DIR_MODE, NULL, NULL, TABLE(topology_entries) },
};

static const struct sent cpun_ent = {
	"cpu", SK_CPUN_DIR, DIR_MODE, NULL, NULL, TABLE(cpun_entries),
};

static const struct sent cpu_entries[] = {
	{ "offline", SK_FILE, RO_MODE, show_no_cpus },
	{ "online", SK_FILE, RO_MODE, show_all_cpus },
	{ "possible", SK_FILE, RO_MODE, show_all_cpus },
	{ "present", SK_FILE, RO_MODE, show_all_cpus },
};

/* One memory node, node 0, with every CPU. */
static const struct sent node0_entries[] = {
	{ "cpulist", SK_FILE, RO_MODE, show_all_cpus },
	{ "cpumap", SK_FILE, RO_MODE, show_all_cpus_mask },
};

static const struct sent node_entries[] = {
	{ "has_cpu", SK_FILE, RO_MODE, show_zero },
	{ "has_memory", SK_FILE, RO_MODE, show_zero },
	{ "has_normal_memory", SK_FILE, RO_MODE, show_zero },
	{ "node0", SK_DIR, DIR_MODE, NULL, NULL, TABLE(node0_entries) },
	{ "online", SK_FILE, RO_MODE, show_zero },
	{ "possible", SK_FILE, RO_MODE, show_zero },
};

static const struct sent system_entries[] = {
	{ "cpu", SK_CPU_DIR, DIR_MODE, NULL, NULL, TABLE(cpu_entries) },
	{ "node", SK_DIR, DIR_MODE, NULL, NULL, TABLE(node_entries) },
};

static const struct sent devices_entries[] = {
	{ "system", SK_DIR, DIR_MODE, NULL, NULL, TABLE(system_entries) },
};

static const struct sent thp_entries[] = {
	{ "enabled", SK_FILE, RW_MODE, show_thp_enabled, store_thp_enabled },
};

static const struct sent mm_entries[] = {
	{ "transparent_hugepage", SK_DIR, DIR_MODE, NULL, NULL, TABLE(thp_entries) },
};

static const struct sent kernel_entries[] = {
	{ "mm", SK_DIR, DIR_MODE, NULL, NULL, TABLE(mm_entries) },
};

/* block, bus and class are empty: moat has no block devices, buses or
 * device classes to show; fs is empty: no cgroups. */
static const struct sent root_entries[] = {
	{ "block", SK_DIR, DIR_MODE },
	{ "bus", SK_DIR, DIR_MODE },
	{ "class", SK_DIR, DIR_MODE },
	{ "devices", SK_DIR, DIR_MODE, NULL, NULL, TABLE(devices_entries) },
	{ "fs", SK_DIR, DIR_MODE },
	{ "kernel", SK_DIR, DIR_MODE, NULL, NULL, TABLE(kernel_entries) },
};

static const struct sent root_ent = {
	"", SK_DIR, S_IFDIR | 0555, NULL, NULL, TABLE(root_entries),
};

/* --- inodes and lookup ---------------------------------------------- */

static struct inode *make_inode(const struct sent *ent, enum skind kind, int cpu)
{
	struct stat st = { 0 };
	st.st_dev = sys_fs->dev;
	st.st_ino = atomic_fetch_add(&sys_next_ino, 1);
	st.st_blksize = 4096;
	st.st_mode = ent ? ent->mode : DIR_MODE;
	st.st_nlink = S_ISDIR(st.st_mode) ? 2 : 1;
	if (S_ISREG(st.st_mode))
		st.st_size = SYSFS_ATTR_SIZE;
	st.st_atim = st.st_mtim = st.st_ctim = vfs_boot_time;
	struct snode *n = calloc(1, sizeof(*n));
	struct inode *ino = n ? inode_new(sys_fs, &sys_inode_ops, &st) : NULL;
	if (!ino) {
		free(n);
		return NULL;
	}
	n->ent = ent;
	n->kind = kind;
	n->cpu = cpu;
	ino->priv = n;
	return ino;
}

/* "cpuN" with N plain decimal (no sign, no leading zero): N, or -1. */
static int parse_cpu_name(const char *name, size_t len)
{
	if (len < 4 || len > 13 || memcmp(name, "cpu", 3) != 0)
		return -1;
	const char *d = name + 3;
	size_t dl = len - 3;
	if (d[0] == '0' && dl > 1)
		return -1;
	long v = 0;
	for (size_t i = 0; i < dl; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		v = v * 10 + (d[i] - '0');
		if (v > 1000000)
			return -1;
	}
	return (int)v;
}

static const struct sent *find_entry(const struct sent *tab, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && memcmp(tab[i].name, name, len) == 0)
			return &tab[i];
	return NULL;
}

static bool entry_shown(const struct sent *e, int cpu)
{
	return !(e->not_cpu0 && cpu == 0);
}

static int sysfs_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	const struct snode *dn = inode_snode(atomic_load(&dir->inode));
	if (!dn)
		return -ENOENT;
	if (dn->kind == SK_FILE)
		return -ENOTDIR;
	const struct sent *e = find_entry(dn->ent->children, dn->ent->nchildren, name, len);
	int cpu = dn->cpu;
	if (e && !entry_shown(e, cpu))
		e = NULL;
	if (!e && dn->kind == SK_CPU_DIR) {
		cpu = parse_cpu_name(name, len);
		if (cpu >= 0 && cpu < sandbox_ncpus())
			e = &cpun_ent;
	}
	if (!e)
		return -ENOENT;
	struct inode *ino = make_inode(e, e->kind, cpu);
	if (!ino)
		return -ENOMEM;
	*out = ino;
	return 0;
}

/* --- attribute files ------------------------------------------------ */

struct attr_text {
	size_t len;
	char p[SYSFS_TEXT_MAX];
};

static ssize_t attr_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	struct attr_text *a = f->priv;
	if (!a || *pos < 0 || (uint64_t)*pos >= a->len)
		return 0;
	size_t avail = a->len - (size_t)*pos;
	if (n > avail)
		n = avail;
	memcpy(buf, a->p + *pos, n);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

/* Linux's kernfs_fop_write_iter: at most one page is taken, the text is
 * handed to the attribute's store in one piece whatever the position. */
static ssize_t attr_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	const struct snode *sn = inode_snode(f->inode);
	if (!sn || !sn->ent || !sn->ent->store)
		return -EACCES;
	if (n > SYSFS_TEXT_MAX - 1)
		n = SYSFS_TEXT_MAX - 1;
	char text[SYSFS_TEXT_MAX];
	memcpy(text, buf, n);
	text[n] = 0;
	ssize_t r = sn->ent->store(sn, text, n);
	if (r > 0 && pos)
		*pos += r;
	return r;
}

static int64_t attr_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, SYSFS_ATTR_SIZE);
}

static void attr_release(struct file *f)
{
	free(f->priv);
	f->priv = NULL;
}

static const struct file_ops sysfs_attr_ops = {
	.read = attr_read, .write = attr_write, .llseek = attr_llseek, .release = attr_release,
};

static int open_attr(struct file *f, const struct snode *n)
{
	/* kernfs_fop_open: writing needs a write bit and a store, even for
	 * root (EACCES). */
	if ((f->mode & FMODE_WRITE) && (!(n->ent->mode & 0222) || !n->ent->store))
		return -EACCES;
	f->ops = &sysfs_attr_ops;
	f->mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	if (!(f->mode & FMODE_READ))
		return 0;
	struct attr_text *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	int len = n->ent->show(n, a->p);
	a->len = len < 0 ? 0 : (size_t)len < sizeof(a->p) ? (size_t)len : sizeof(a->p) - 1;
	f->priv = a;
	return 0;
}

/* --- directories ---------------------------------------------------- */

static unsigned dtype_of(mode_t m)
{
	return S_ISDIR(m) ? DT_DIR : DT_REG;
}

/* Positions: 0 ".", 1 "..", 2.. the table, then (in the cpu
 * directory) cpu0, cpu1... */
static int sysfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	const struct snode *n = inode_snode(f->inode);
	if (!n)
		return -ENOENT;
	int64_t ntab = (int64_t)n->ent->nchildren;
	int64_t ncpu_dirs = n->kind == SK_CPU_DIR ? sandbox_ncpus() : 0;
	for (;;) {
		int64_t i = f->pos;
		bool ok = true;
		if (i == 0) {
			ok = ctx->emit(ctx, ".", 1, f->inode->st.st_ino, DT_DIR, 1);
		} else if (i == 1) {
			ok = ctx->emit(ctx, "..", 2, 1, DT_DIR, 2);
		} else if (i - 2 < ntab) {
			const struct sent *e = &n->ent->children[i - 2];
			if (entry_shown(e, n->cpu))
				ok = ctx->emit(ctx, e->name, strlen(e->name), atomic_load(&sys_next_ino),
					       dtype_of(e->mode), i + 1);
		} else if (i - 2 - ntab < ncpu_dirs) {
			char name[24];
			int len = snprintf(name, sizeof(name), "cpu%d", (int)(i - 2 - ntab));
			ok = ctx->emit(ctx, name, (size_t)len, atomic_load(&sys_next_ino), DT_DIR, i + 1);
		} else {
			return 0;
		}
		if (!ok)
			return 0;
		f->pos = i + 1;
	}
}

static int64_t sysfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	return generic_llseek(f, off, whence, 0);
}

static const struct file_ops sysfs_dir_ops = {
	.iterate = sysfs_iterate,
	.llseek = sysfs_dir_llseek,
};

static int sysfs_open(struct dentry *d, struct file *f)
{
	const struct snode *n = inode_snode(f->inode);
	if (!n)
		return -ENOENT;
	if (n->kind == SK_FILE)
		return open_attr(f, n);
	f->ops = &sysfs_dir_ops;
	f->mode |= FMODE_LSEEK;
	return 0;
}

/* --- namespace changes ---------------------------------------------- */

/* kernfs: a new file has no create operation (EACCES at open), mkdir
 * none outside cgroups (EPERM). */
static int sysfs_mknod(struct dentry *dir, struct dentry *d, mode_t mode, dev_t rdev, const struct creds *c)
{
	return S_ISDIR(mode) ? -EPERM : -EACCES;
}

static int sysfs_symlink(struct dentry *dir, struct dentry *d, const char *target, const struct creds *c)
{
	return -EPERM;
}

/* Attribute modes and owners are fixed here (no chmod/chown/utimes). */
static int sysfs_setattr(struct inode *ino, const struct iattr *ia, struct task *t)
{
	/* O_TRUNC of a writable attribute (echo never > enabled): Linux's
	 * kernfs_iop_setattr lets a size change through, changing
	 * nothing. */
	if (!(ia->valid & ~(ATTR_SIZE | ATTR_SIZE_TIMES)))
		return 0;
	return -EPERM;
}

static const struct inode_ops sys_inode_ops = {
	.lookup = sysfs_lookup,
	.open = sysfs_open,
	.mknod = sysfs_mknod,
	.symlink = sysfs_symlink,
	.setattr = sysfs_setattr,
};

static int sysfs_statfs(struct filesystem *fs, struct dentry *d, struct statfs *out)
{
	memset(out, 0, sizeof(*out));
	out->f_type = SYSFS_MAGIC;
	out->f_bsize = 4096;
	out->f_frsize = 4096;
	out->f_namelen = 255;
	return 0;
}

struct filesystem *sysfs_new(void)
{
	if (sys_fs)
		return sys_fs;
	struct filesystem *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->ns_lock, NULL);
	fs->type = "sysfs";
	fs->statfs = sysfs_statfs;
	fs->dev = makedev(0, 21);
	sys_fs = fs;
	struct inode *root = make_inode(&root_ent, SK_DIR, -1);
	if (!root)
		return NULL;
	root->st.st_ino = 1;
	if (!(fs->root = dentry_new_root(fs, root)))
		return NULL;
	return fs;
}
