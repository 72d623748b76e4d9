/*
 * Mount trees and mount namespaces (Linux's fs/namespace.c, much smaller).
 *
 * Every mount namespace is a tree of struct mount. Changes to any tree
 * take the one mount lock; the ones that lockless walkers could see (a
 * mount attached, moved or cut out) also run inside a write section of
 * the mount sequence count, and the two readers of tree links
 * (mount_lookup, mount_parent) retry when a write section overlapped them
 * (Linux's mount_lock seqlock). Mounts are never freed, so a reader that
 * raced with a change only ever follows stale but valid pointers.
 *
 * Propagation: every mount in moat is private. Peer groups and slaves
 * (MS_SHARED, and MS_SLAVE of a shared mount) are not built, so MS_SHARED
 * fails with EINVAL; MS_PRIVATE and MS_SLAVE are accepted because on a
 * private mount they change nothing, and MS_UNBINDABLE is kept per mount.
 *
 * Not tracked: which mounts hold open files or working directories. A
 * plain umount2 of such a mount succeeds, as MNT_DETACH would (Linux says
 * EBUSY), and MS_REMOUNT read-only does not wait for writers to go.
 * unlink/rmdir/rename of a dentry that is a mount point in any namespace
 * give EBUSY (Linux only refuses mount points of the caller's namespace
 * and detaches the others).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/task.h"
#include "kernel/userns.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* Linux's fs.mount-max default: mounts per namespace, then ENOSPC. */
#define MNT_NS_MAX_MOUNTS 100000

static pthread_mutex_t mount_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint mount_seq;
static struct mnt_ns *init_ns;
static atomic_uint_fast64_t next_ns_id = 1;
/* Mount IDs (/proc/<pid>/mountinfo); Linux's start past its internal
 * mounts, these at 21. */
static atomic_int next_mount_id = 21;

/* --- the sequence count --------------------------------------------- */

/* With the mount lock held: readers started from now on retry. */
static void seq_write_begin(void)
{
	unsigned s = atomic_load_explicit(&mount_seq, memory_order_relaxed);
	atomic_store_explicit(&mount_seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void seq_write_end(void)
{
	unsigned s = atomic_load_explicit(&mount_seq, memory_order_relaxed);
	atomic_store_explicit(&mount_seq, s + 1, memory_order_release);
}

static unsigned seq_read_begin(void)
{
	unsigned s;
	while ((s = atomic_load_explicit(&mount_seq, memory_order_acquire)) & 1)
		sched_yield();
	return s;
}

static bool seq_read_retry(unsigned s)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&mount_seq, memory_order_relaxed) != s;
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

/* --- lockless readers ----------------------------------------------- */

struct mount *mount_lookup(struct mount *mnt, struct dentry *d)
{
	for (;;) {
		unsigned s = seq_read_begin();
		struct mount *found = NULL;
		/* The bound only matters for a list being rewritten under us,
		 * which the retry catches. */
		unsigned guard = 0;
		for (struct mount *c = LOAD(mnt->children); c && guard < 2 * MNT_NS_MAX_MOUNTS;
		     c = LOAD(c->sibling), guard++) {
			if (LOAD(c->mountpoint) == d) {
				found = c;
				break;
			}
		}
		if (!seq_read_retry(s))
			return found;
	}
}

struct mount *mount_parent(struct mount *m, struct dentry **mountpoint)
{
	for (;;) {
		unsigned s = seq_read_begin();
		struct mount *p = LOAD(m->parent);
		struct dentry *mp = LOAD(m->mountpoint);
		if (!seq_read_retry(s)) {
			*mountpoint = mp;
			return p;
		}
	}
}

/* --- tree changes (mount lock held) --------------------------------- */

/* The mount on (mnt, d) while the tree cannot change. */
static struct mount *child_on(struct mount *mnt, struct dentry *d)
{
	for (struct mount *c = LOAD(mnt->children); c; c = LOAD(c->sibling))
		if (LOAD(c->mountpoint) == d)
			return c;
	return NULL;
}

/* lock_mount(): the top of the stack of mounts on p, where a new mount
 * goes. */
static struct path topmost(struct path p)
{
	struct mount *c;
	while ((c = child_on(p.mnt, p.dentry))) {
		p.mnt = c;
		p.dentry = c->root;
	}
	return p;
}

/* The next mount after m in a pre-order walk of top's subtree; with
 * skip, m's own subtree is left out. */
static struct mount *next_mount(struct mount *m, struct mount *top, bool skip)
{
	if (!skip && LOAD(m->children))
		return LOAD(m->children);
	while (m != top) {
		struct mount *s = LOAD(m->sibling);
		if (s)
			return s;
		m = LOAD(m->parent);
	}
	return NULL;
}

/* Attach child as the newest mount on (parent, mp): inside a write
 * section when the tree is visible. */
static void link_child(struct mount *parent, struct dentry *mp, struct mount *child)
{
	STORE(child->parent, parent);
	STORE(child->mountpoint, mp);
	STORE(child->sibling, LOAD(parent->children));
	STORE(parent->children, child);
	atomic_fetch_add_explicit(&mp->mounted, 1, memory_order_release);
}

/* Cut m out of its parent's list (inside a write section). Its sibling
 * link stays so that a reader standing on it still finds the rest. */
static void unlink_child(struct mount *m)
{
	struct mount *parent = LOAD(m->parent);
	if (!parent)
		return;
	struct mount *_Atomic *pp = &parent->children;
	while (LOAD(*pp) && LOAD(*pp) != m)
		pp = &LOAD(*pp)->sibling;
	if (LOAD(*pp) == m)
		STORE(*pp, LOAD(m->sibling));
	atomic_fetch_sub_explicit(&LOAD(m->mountpoint)->mounted, 1, memory_order_release);
	STORE(m->parent, NULL);
}

/* umount_tree(): cut top and every mount below it out of their namespace
 * (inside a write section). Leaves first, each one the first child of
 * its parent, so the walk is linear. Returns how many went. */
static unsigned umount_tree(struct mount *top)
{
	unsigned n = 0;
	struct mount *m = top;
	for (;;) {
		struct mount *c;
		while ((c = LOAD(m->children)))
			m = c;
		if (m == top)
			break;
		struct mount *parent = LOAD(m->parent);
		unlink_child(m);
		m->ns = NULL;
		n++;
		m = parent;
	}
	unlink_child(top);
	top->ns = NULL;
	return n + 1;
}

static void mount_init(struct mount *m, struct mnt_ns *ns, struct filesystem *fs, struct dentry *root,
		       unsigned int flags)
{
	m->fs = fs;
	m->root = root;
	m->ns = ns;
	m->id = atomic_fetch_add(&next_mount_id, 1);
	atomic_init(&m->flags, flags);
}

int mount_attach_new(struct mnt_ns *ns, struct path mp, struct filesystem *fs, struct dentry *root,
		     unsigned int flags, struct mount **out)
{
	struct mount *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	mount_init(m, ns, fs, root, flags);
	pthread_mutex_lock(&mount_lock);
	if (ns->nr_mounts >= MNT_NS_MAX_MOUNTS) {
		pthread_mutex_unlock(&mount_lock);
		free(m);
		return -ENOSPC;
	}
	seq_write_begin();
	if (mp.mnt) {
		mp = topmost(mp);
		link_child(mp.mnt, mp.dentry, m);
	} else {
		ns->root = m;
	}
	ns->nr_mounts++;
	seq_write_end();
	pthread_mutex_unlock(&mount_lock);
	if (out)
		*out = m;
	return 0;
}

/* --- copying trees -------------------------------------------------- */

/* Whether copy_tree leaves m (and what is below it) out: mounts of src
 * outside the copied directory, and unbindable ones unless all. */
static bool copy_skips(struct mount *m, struct mount *src, struct dentry *root, bool all)
{
	if (LOAD(m->parent) == src && !dentry_is_ancestor(root, LOAD(m->mountpoint)))
		return true;
	return !all && (atomic_load(&m->flags) & MNT_UNBINDABLE);
}

/* How many mounts copy_tree would make. */
static unsigned copy_count(struct mount *src, struct dentry *root, bool all)
{
	unsigned n = 1;
	for (struct mount *m = next_mount(src, src, false); m;) {
		bool skip = copy_skips(m, src, root, all);
		if (!skip)
			n++;
		m = next_mount(m, src, skip);
	}
	return n;
}

/* Linux's copy_tree(): a copy of src seen from dentry root, and of the
 * mounts below it (all of them, or the bindable ones), for namespace ns.
 * The copies are linked among themselves but not to any parent, and are
 * visible to nobody yet. Each old mount's scratch names its copy. NULL
 * when out of memory; *count is how many were made. */
static struct mount *copy_tree(struct mount *src, struct dentry *root, struct mnt_ns *ns, bool all,
			       unsigned *count)
{
	unsigned n = copy_count(src, root, all);
	/* One block for the whole copy: mounts are never freed one by one. */
	struct mount *block = calloc(n, sizeof(*block));
	if (!block)
		return NULL;
	struct mount *top = &block[0];
	mount_init(top, ns, src->fs, root, atomic_load(&src->flags));
	src->scratch = top;
	top->scratch = NULL;   /* in a copy: its last child so far */
	unsigned used = 1;
	for (struct mount *m = next_mount(src, src, false); m;) {
		bool skip = copy_skips(m, src, root, all);
		if (!skip) {
			struct mount *c = &block[used++];
			mount_init(c, ns, m->fs, m->root, atomic_load(&m->flags));
			/* Keep the stacking order: append after the copy's
			 * previous children. */
			struct mount *pc = LOAD(m->parent)->scratch;
			struct dentry *mp = LOAD(m->mountpoint);
			STORE(c->parent, pc);
			STORE(c->mountpoint, mp);
			if (pc->scratch)
				STORE(pc->scratch->sibling, c);
			else
				STORE(pc->children, c);
			pc->scratch = c;
			c->scratch = NULL;
			m->scratch = c;
			atomic_fetch_add_explicit(&mp->mounted, 1, memory_order_release);
		}
		m = next_mount(m, src, skip);
	}
	*count = n;
	return top;
}

/* --- namespaces ----------------------------------------------------- */

static struct mnt_ns *mnt_ns_alloc(void)
{
	struct mnt_ns *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	atomic_init(&ns->refs, 1);
	ns->id = atomic_fetch_add(&next_ns_id, 1);
	ns->inum = ns_inum_alloc();
	return ns;
}

int mnt_ns_init(struct filesystem *root)
{
	/* The vfs keeps its own reference: the initial namespace lives on
	 * when every task has left it (vfs_root, boot mounts). */
	struct mnt_ns *ns = mnt_ns_alloc();
	if (!ns)
		return -ENOMEM;
	int err = mount_attach_new(ns, (struct path){ NULL, NULL }, root, root->root, MNT_RELATIME, NULL);
	if (err) {
		free(ns);
		return err;
	}
	init_ns = ns;
	return 0;
}

struct path vfs_root(void)
{
	struct mount *m = init_ns ? init_ns->root : NULL;
	return (struct path){ m, m ? m->root : NULL };
}

struct mnt_ns *mnt_ns_root(struct kernel *k)
{
	if (init_ns)
		mnt_ns_get(init_ns);
	return init_ns;
}

struct path mnt_ns_root_path(struct mnt_ns *ns)
{
	pthread_mutex_lock(&mount_lock);
	if (!ns)
		ns = init_ns;
	struct path p = { ns->root, ns->root->root };
	p = topmost(p);
	pthread_mutex_unlock(&mount_lock);
	return p;
}

void mnt_ns_get(struct mnt_ns *ns)
{
	atomic_fetch_add(&ns->refs, 1);
}

void mnt_ns_put(struct mnt_ns *ns)
{
	if (!ns || atomic_fetch_sub(&ns->refs, 1) != 1)
		return;
	/* The last task left: every mount goes, as Linux's put_mnt_ns. */
	pthread_mutex_lock(&mount_lock);
	seq_write_begin();
	umount_tree(ns->root);
	seq_write_end();
	pthread_mutex_unlock(&mount_lock);
	user_ns_put(ns->owner);
	free(ns);
}

/* The creator's user namespace when the namespace was made: for
 * unshare, the caller's (after a CLONE_NEWUSER in the same call); for
 * clone, the parent's, which is an ancestor of (so stricter than) a new
 * child user namespace Linux would record. */
static struct user_ns *creator_user_ns(void)
{
	struct task *t = current_task;
	struct user_ns *u = t ? creds_user_ns(&t->creds) : &user_ns_init;
	if (u == &user_ns_init)
		return NULL;
	user_ns_get(u);
	return u;
}

struct user_ns *mnt_ns_owner(struct mnt_ns *ns)
{
	return ns && ns->owner ? ns->owner : &user_ns_init;
}

/* A path of the old namespace moves to the copy of its mount. */
static void repoint(struct path *p, struct mnt_ns *old)
{
	if (p->mnt && p->mnt->ns == old && p->mnt->scratch)
		p->mnt = p->mnt->scratch;
}

struct mnt_ns *mnt_ns_copy(struct mnt_ns *old, struct fs_context *fs)
{
	if (!old)
		old = init_ns;
	struct mnt_ns *ns = mnt_ns_alloc();
	if (!ns)
		return NULL;
	pthread_mutex_lock(&mount_lock);
	unsigned n = 0;
	struct mount *top = copy_tree(old->root, old->root->root, ns, true, &n);
	if (!top) {
		pthread_mutex_unlock(&mount_lock);
		free(ns);
		return NULL;
	}
	ns->root = top;
	ns->nr_mounts = n;
	ns->owner = creator_user_ns();
	/* Lock order: mount lock, then the FS context. */
	pthread_mutex_lock(&fs->lock);
	repoint(&fs->root, old);
	repoint(&fs->cwd, old);
	pthread_mutex_unlock(&fs->lock);
	pthread_mutex_unlock(&mount_lock);
	return ns;
}

/* --- mount(2) and umount2(2) ---------------------------------------- */

/* check_mnt(): m is a mount of t's namespace (mount lock held). */
static bool in_task_ns(struct task *t, struct mount *m)
{
	return m->ns && m->ns == t->mnt_ns;
}

static bool is_dir(struct dentry *d)
{
	struct inode *ino = atomic_load_explicit(&d->inode, memory_order_acquire);
	return ino && S_ISDIR(ino->st.st_mode);
}

/* graft_tree()'s checks, before anything is copied: a directory goes on
 * a directory and a file on a file; the namespace has room for count
 * more mounts. */
static int graft_check(struct mnt_ns *ns, struct dentry *root, unsigned count, struct path target)
{
	if (is_dir(topmost(target).dentry) != is_dir(root))
		return -ENOTDIR;
	if (ns->nr_mounts + count > MNT_NS_MAX_MOUNTS)
		return -ENOSPC;
	return 0;
}

/* Attach the unattached tree top (count mounts) on top of target. */
static void graft(struct mnt_ns *ns, struct mount *top, unsigned count, struct path target)
{
	target = topmost(target);
	seq_write_begin();
	link_child(target.mnt, target.dentry, top);
	ns->nr_mounts += count;
	seq_write_end();
}

int vfs_mount_bind(struct task *t, struct path source, struct path target, bool rec)
{
	pthread_mutex_lock(&mount_lock);
	struct mnt_ns *ns = t->mnt_ns;
	int err = -EINVAL;
	/* do_loopback(): both ends in our namespace, no unbindable source. */
	if (!ns || !in_task_ns(t, target.mnt) || !in_task_ns(t, source.mnt) ||
	    (atomic_load(&source.mnt->flags) & MNT_UNBINDABLE))
		goto out;
	unsigned n = rec ? copy_count(source.mnt, source.dentry, false) : 1;
	err = graft_check(ns, source.dentry, n, target);
	if (err)
		goto out;
	err = -ENOMEM;
	struct mount *top;
	if (rec) {
		top = copy_tree(source.mnt, source.dentry, ns, false, &n);
	} else {
		top = calloc(1, sizeof(*top));
		if (top)
			mount_init(top, ns, source.mnt->fs, source.dentry, atomic_load(&source.mnt->flags));
	}
	if (!top)
		goto out;
	graft(ns, top, n, target);
	err = 0;
out:
	pthread_mutex_unlock(&mount_lock);
	return err;
}

int vfs_mount_check_target(struct task *t, struct path target)
{
	pthread_mutex_lock(&mount_lock);
	int err = -EINVAL;
	if (t->mnt_ns && in_task_ns(t, target.mnt))
		err = is_dir(topmost(target).dentry) ? 0 : -ENOTDIR;
	pthread_mutex_unlock(&mount_lock);
	return err;
}

int vfs_mount_new(struct task *t, struct path target, struct filesystem *fs, unsigned int mnt_flags)
{
	struct mount *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_lock(&mount_lock);
	struct mnt_ns *ns = t->mnt_ns;
	mount_init(m, ns, fs, fs->root, mnt_flags);
	int err = -EINVAL;
	if (ns && in_task_ns(t, target.mnt))
		err = graft_check(ns, m->root, 1, target);
	if (!err)
		graft(ns, m, 1, target);
	pthread_mutex_unlock(&mount_lock);
	if (err)
		free(m);
	return err;
}

/* The flags mount(2) sets on a mount; propagation stays. */
#define MNT_USER_SETTABLE (MNT_READONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC | MNT_NOATIME | \
			   MNT_NODIRATIME | MNT_RELATIME | MNT_STRICTATIME)
#define MNT_ATIME_MASK (MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME | MNT_STRICTATIME)

int vfs_mount_reconfigure(struct task *t, struct path target, unsigned int mnt_flags, bool bind,
			  bool sb_ro)
{
	struct mount *m = target.mnt;
	pthread_mutex_lock(&mount_lock);
	int err = -EINVAL;
	if (!in_task_ns(t, m) || target.dentry != m->root)
		goto out;
	if (!bind && sb_ro != m->fs->readonly) {
		/* reconfigure_super(): the host root is read-only for good
		 * (Linux's answer for write-protected media); the sentry's
		 * own file systems switch. */
		if (!sb_ro && strcmp(m->fs->type, "hostfs") == 0) {
			err = -EACCES;
			goto out;
		}
		m->fs->readonly = sb_ro;
	}
	unsigned old = atomic_load(&m->flags);
	/* Remounts keep the atime rule unless they name one. */
	if (mnt_flags & MNT_KEEP_ATIME)
		mnt_flags = (mnt_flags & ~MNT_ATIME_MASK) | (old & MNT_ATIME_MASK);
	atomic_store(&m->flags, (old & ~MNT_USER_SETTABLE) | (mnt_flags & MNT_USER_SETTABLE));
	err = 0;
out:
	pthread_mutex_unlock(&mount_lock);
	return err;
}

int vfs_mount_propagation(struct task *t, struct path target, unsigned long ptype, bool rec)
{
	/* <sys/mount.h> values, kept here to keep the header out. */
	const unsigned long ms_unbindable = 1 << 17, ms_private = 1 << 18, ms_slave = 1 << 19;
	struct mount *top = target.mnt;
	if (target.dentry != top->root)
		return -EINVAL;
	if (ptype != ms_unbindable && ptype != ms_private && ptype != ms_slave)
		return -EINVAL;
	pthread_mutex_lock(&mount_lock);
	int err = -EINVAL;
	if (in_task_ns(t, top)) {
		err = 0;
		for (struct mount *m = top; m; m = rec ? next_mount(m, top, false) : NULL) {
			/* Private and slave-of-nothing are what every mount
			 * already is; only unbindable changes anything. */
			if (ptype == ms_unbindable)
				atomic_fetch_or(&m->flags, MNT_UNBINDABLE);
			else if (ptype == ms_private)
				atomic_fetch_and(&m->flags, ~MNT_UNBINDABLE);
		}
	}
	pthread_mutex_unlock(&mount_lock);
	return err;
}

int vfs_mount_move(struct task *t, struct path source, struct path target)
{
	struct mount *old = source.mnt;
	pthread_mutex_lock(&mount_lock);
	/* do_move_mount(): target in our namespace; source an attached
	 * mount root of it (a namespace root has nowhere to move from). */
	int err = -EINVAL;
	if (!in_task_ns(t, target.mnt) || !in_task_ns(t, old) || !LOAD(old->parent) ||
	    source.dentry != old->root)
		goto out;
	target = topmost(target);
	if (is_dir(target.dentry) != is_dir(source.dentry))
		goto out;
	/* Not under itself. */
	err = -ELOOP;
	for (struct mount *p = target.mnt; p; p = LOAD(p->parent))
		if (p == old)
			goto out;
	seq_write_begin();
	unlink_child(old);
	link_child(target.mnt, target.dentry, old);
	seq_write_end();
	err = 0;
out:
	pthread_mutex_unlock(&mount_lock);
	return err;
}

int vfs_umount(struct task *t, struct path target, bool detach)
{
	struct mount *m = target.mnt;
	if (target.dentry != m->root)
		return -EINVAL;
	pthread_mutex_lock(&mount_lock);
	struct mnt_ns *ns = t->mnt_ns;
	int err = -EINVAL;
	if (!ns || !in_task_ns(t, m))
		goto out;
	if (m == ns->root) {
		/* Linux remounts the root read-only on a plain umount (busy
		 * here: the sandbox always has it open) and leaves the
		 * namespace without a root on MNT_DETACH, which moat has no
		 * use for. */
		if (detach)
			syscall_report_unsupported("umount2 of the namespace root with MNT_DETACH");
		err = detach ? -EINVAL : -EBUSY;
		goto out;
	}
	/* Open files and working directories are not tracked: a plain
	 * umount only refuses mounts with mounts below them. */
	err = -EBUSY;
	if (!detach && LOAD(m->children))
		goto out;
	seq_write_begin();
	ns->nr_mounts -= umount_tree(m);
	seq_write_end();
	err = 0;
out:
	pthread_mutex_unlock(&mount_lock);
	return err;
}
