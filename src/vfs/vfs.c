/*
 * Mounts and path resolution.
 *
 * The walk is done entirely on sentry dentries, one component at a time:
 * "..", symlinks (with targets read once and cached in the inode) and mount
 * crossings are resolved here, so an absolute symlink restarts at the
 * sandbox root and ".." at the root stays there (path_resolution(7)).
 * A file system's lookup only ever sees one plain component.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "kernel/task.h"
#include "lib/log.h"
#include "vfs/vfs.h"

struct timespec vfs_boot_time;

void vfs_follow_mounts(struct path *p)
{
	while (atomic_load_explicit(&p->dentry->mounted, memory_order_acquire)) {
		/* mounted counts the mounts of every namespace: a miss means
		 * they are all elsewhere. */
		struct mount *m = mount_lookup(p->mnt, p->dentry);
		if (!m)
			break;
		p->mnt = m;
		p->dentry = m->root;
	}
}

static bool path_equal(struct path a, struct path b)
{
	return a.mnt == b.mnt && a.dentry == b.dentry;
}

/* "..": stays at the walk's root; climbs out of mounts to their
 * mountpoints first (follow_dotdot in Linux). */
static void walk_dotdot(struct walk *w)
{
	for (;;) {
		if (path_equal(w->cur, w->root))
			return;
		if (w->cur.dentry != w->cur.mnt->root)
			break;
		struct dentry *mp;
		struct mount *parent = mount_parent(w->cur.mnt, &mp);
		if (!parent)
			return; /* the top of the mount tree */
		w->cur.dentry = mp;
		w->cur.mnt = parent;
	}
	struct dentry *parent = w->cur.dentry->parent;
	if (parent)
		w->cur.dentry = parent;
	vfs_follow_mounts(&w->cur);
}

static bool only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == 0;
}

int vfs_walk(struct walk *w, const char *path)
{
	/* Unfinished rests of the strings we are inside of: the path, then
	 * one per symlink being expanded. Link targets live in their inodes,
	 * which never go away, so no copies are needed. */
	const char *rest[VFS_MAXSYMLINKS + 1];
	int depth = 0;
	const char *p = path;

	if (*p == '/')
		w->cur = w->root;
	w->last_type = LAST_ROOT;
	w->last = NULL;
	w->last_len = 0;
	w->trailing_slash = false;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			if (depth == 0)
				break;
			p = rest[--depth];
			continue;
		}
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - s);

		/* Is this the last component of the whole (expanded) path? */
		bool last = only_slashes(p);
		bool trailing = last && *p == '/';
		for (int i = depth - 1; last && i >= 0; i--) {
			if (!only_slashes(rest[i]))
				last = false;
			else if (*rest[i] == '/')
				trailing = true;
		}

		if (len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		struct inode *dir = path_inode(w->cur);
		if (!S_ISDIR(dir->st.st_mode))
			return -ENOTDIR;
		int err = vfs_permission(w->creds, dir, MAY_EXEC);
		if (err)
			return err;

		enum last_type type = LAST_NORM;
		if (len == 1 && s[0] == '.')
			type = LAST_DOT;
		else if (len == 2 && s[0] == '.' && s[1] == '.')
			type = LAST_DOTDOT;

		if (last && (w->flags & WALK_PARENT)) {
			w->last = s;
			w->last_len = len;
			w->last_type = type;
			w->trailing_slash = trailing;
			return 0;
		}
		if (last)
			w->trailing_slash = trailing;
		if (type == LAST_DOT)
			continue;
		if (type == LAST_DOTDOT) {
			walk_dotdot(w);
			continue;
		}

		struct dentry *child;
		err = dcache_lookup(w->cur.dentry, s, len, &child);
		if (err)
			return err;
		struct inode *ci = atomic_load_explicit(&child->inode, memory_order_acquire);
		if (!ci)
			return -ENOENT;
		struct path next = { w->cur.mnt, child };
		vfs_follow_mounts(&next);
		ci = path_inode(next);

		if (S_ISLNK(ci->st.st_mode) && (!last || trailing || (w->flags & WALK_FOLLOW))) {
			if (++w->nlinks > VFS_MAXSYMLINKS)
				return -ELOOP;
			if (ci->ops && ci->ops->get_link) {
				/* A magic link: the walk jumps to what it names. */
				struct path to;
				err = ci->ops->get_link(next.dentry, next.mnt, &to);
				if (err)
					return err;
				w->cur = to;
				continue;
			}
			const char *target = ci->link;
			if (!target || !*target)
				return -ENOENT;
			rest[depth++] = p;
			p = target;
			if (*p == '/')
				w->cur = w->root;
			continue;
		}
		w->cur = next;
	}

	if ((w->flags & WALK_PARENT) && w->last_type == LAST_ROOT) {
		/* Nothing but slashes (or "."/".." handled above): the parent
		 * walk ends at a directory with no last component. */
		return 0;
	}
	if ((w->trailing_slash || (w->flags & WALK_DIRECTORY)) &&
	    !S_ISDIR(path_inode(w->cur)->st.st_mode))
		return -ENOTDIR;
	return 0;
}

/* --- starting points ------------------------------------------------ */

int vfs_walk_start(struct task *t, const struct creds *creds, int dirfd,
		   const char *path, struct walk *w)
{
	struct path root, cwd;
	fs_context_paths(t->fs, &root, &cwd);
	w->creds = creds ? creds : &t->creds;
	w->root = root;
	w->nlinks = 0;
	if (path[0] == '/') {
		w->cur = root;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		w->cur = cwd;
		return 0;
	}
	struct file *f = fdt_get_file(t->fdt, dirfd);
	if (!f)
		return -EBADF;
	int err = 0;
	if (!f->path.mnt) {
		err = -ENOTDIR;
	} else {
		w->cur = f->path;
		if (path[0] && !S_ISDIR(path_inode(f->path)->st.st_mode))
			err = -ENOTDIR;
	}
	file_put(f);
	return err;
}

int vfs_lookup_at(struct task *t, const struct creds *creds, int dirfd,
		  const char *path, int flags, struct path *out)
{
	struct walk w;
	if (!path[0] && !(flags & WALK_EMPTY))
		return -ENOENT;
	int err = vfs_walk_start(t, creds, dirfd, path, &w);
	if (err)
		return err;
	w.flags = flags;
	err = vfs_walk(&w, path);
	if (err)
		return err;
	*out = w.cur;
	return 0;
}

/* --- path strings --------------------------------------------------- */

static int path_string_locked(struct path p, struct path root, char *buf, size_t n)
{
	/* Build from the end of buf backwards, then move to the front. */
	if (n < 2)
		return -ENAMETOOLONG;
	size_t pos = n - 1;
	buf[pos] = 0;
	bool reached_root = false;
	for (int guard = 0; guard < 4096; guard++) {
		if (path_equal(p, root)) {
			reached_root = true;
			break;
		}
		if (p.dentry == p.mnt->root) {
			struct dentry *mp;
			struct mount *parent = mount_parent(p.mnt, &mp);
			if (!parent) {
				/* The top of the tree: root only when the caller
				 * asked for the tree's own root. */
				reached_root = !root.mnt;
				break;
			}
			p.dentry = mp;
			p.mnt = parent;
			continue;
		}
		size_t len = p.dentry->len;
		if (pos < len + 1)
			return -ENAMETOOLONG;
		pos -= len;
		memcpy(buf + pos, p.dentry->name, len);
		buf[--pos] = '/';
		p.dentry = p.dentry->parent;
		if (!p.dentry)
			break;
	}
	const char *prefix = reached_root ? "" : "(unreachable)";
	size_t plen = strlen(prefix);
	if (pos == n - 1) {
		/* The root itself. */
		if (plen + 2 > n)
			return -ENAMETOOLONG;
		memcpy(buf, prefix, plen);
		buf[plen] = '/';
		buf[plen + 1] = 0;
		return (int)plen + 1;
	}
	size_t body = n - 1 - pos;
	if (plen + body + 1 > n)
		return -ENAMETOOLONG;
	memmove(buf + plen, buf + pos, body + 1);
	memcpy(buf, prefix, plen);
	return (int)(plen + body);
}

/* Linux's d_path(): an unlinked file or directory ends in " (deleted)". */
int vfs_path_string(struct path p, struct path root, char *buf, size_t n)
{
	pthread_rwlock_rdlock(&dentry_name_lock);
	bool deleted = p.dentry->parent && !p.dentry->hashed;
	int r = path_string_locked(p, root, buf, n);
	pthread_rwlock_unlock(&dentry_name_lock);
	if (r < 0 || !deleted)
		return r;
	static const char suffix[] = " (deleted)";
	if ((size_t)r + sizeof(suffix) > n)
		return -ENAMETOOLONG;
	memcpy(buf + r, suffix, sizeof(suffix));
	return r + (int)sizeof(suffix) - 1;
}

/* --- mounting ------------------------------------------------------- */

static const struct inode_ops empty_dir_ops;

static int empty_dir_lookup(struct dentry *dir, const char *name, size_t len, struct inode **out)
{
	return -ENOENT;
}

static const struct inode_ops empty_dir_ops = { .lookup = empty_dir_lookup };

struct inode *vfs_empty_dir_inode(struct filesystem *fs)
{
	struct stat st = { 0 };
	st.st_mode = S_IFDIR | 0755;
	st.st_nlink = 2;
	st.st_dev = fs ? fs->dev : 0;
	st.st_ino = 1;
	st.st_blksize = 4096;
	st.st_atim = st.st_mtim = st.st_ctim = vfs_boot_time;
	return inode_new(fs, &empty_dir_ops, &st);
}

/* Full kernel credentials for the sentry's own walks. */
static const struct creds kernel_creds = {
	.cap_effective = ~0ULL, .cap_permitted = ~0ULL, .cap_bounding = ~0ULL,
};

int vfs_mount(const char *path, struct filesystem *fs)
{
	if (!vfs_root().mnt)
		return -EINVAL;
	struct walk w = { .creds = &kernel_creds, .root = vfs_root(), .cur = vfs_root(),
			  .flags = WALK_PARENT };
	int err = vfs_walk(&w, path);
	if (err)
		return err;
	if (w.last_type != LAST_NORM)
		return -EBUSY;
	struct dentry *d;
	err = dcache_lookup(w.cur.dentry, w.last, w.last_len, &d);
	if (err)
		return err;
	if (!atomic_load(&d->inode)) {
		struct inode *ino = vfs_empty_dir_inode(w.cur.dentry->fs);
		if (!ino)
			return -ENOMEM;
		dentry_instantiate(d, ino);
	}
	struct path mp = { w.cur.mnt, d };
	vfs_follow_mounts(&mp);
	struct inode *mi = path_inode(mp);
	if (S_ISLNK(mi->st.st_mode)) {
		/* Mount on what the symlink names. */
		struct walk w2 = { .creds = &kernel_creds, .root = vfs_root(), .cur = vfs_root(),
				   .flags = WALK_FOLLOW };
		err = vfs_walk(&w2, path);
		if (err)
			return err;
		mp = w2.cur;
		mi = path_inode(mp);
	}
	if (!S_ISDIR(mi->st.st_mode))
		return -ENOTDIR;
	struct mnt_ns *ns = mnt_ns_root(NULL);
	err = mount_attach_new(ns, mp, fs, fs->root, MNT_RELATIME, NULL);
	mnt_ns_put(ns);
	return err;
}

/* Host descriptors: every cached directory keeps an O_PATH descriptor. */
static void raise_nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int vfs_init(const char *root_dir)
{
	clock_gettime(CLOCK_REALTIME, &vfs_boot_time);
	/* A write to a host pipe whose reader left must give the task EPIPE
	 * (and its own SIGPIPE), not kill the sentry. */
	signal(SIGPIPE, SIG_IGN);
	raise_nofile_limit();
	int err = 0;
	struct filesystem *root = hostfs_new(root_dir ? root_dir : "/", &err);
	if (!root)
		return err;
	err = mnt_ns_init(root);
	if (err)
		return err;
	struct filesystem *dev = devfs_new();
	if (!dev)
		return -ENOMEM;
	err = vfs_mount("/dev", dev);
	if (err)
		log_warn("moat: cannot mount devfs at /dev: %s\n", strerror(-err));
	/* moat's own procfs at /proc and sysfs at /sys (the host's are never
	 * visible: see hostfs). */
	struct filesystem *proc = procfs_new();
	if (!proc)
		return -ENOMEM;
	err = vfs_mount("/proc", proc);
	if (err)
		log_warn("moat: cannot mount procfs at /proc: %s\n", strerror(-err));
	struct filesystem *sys = sysfs_new();
	if (!sys)
		return -ENOMEM;
	err = vfs_mount("/sys", sys);
	if (err)
		log_warn("moat: cannot mount sysfs at /sys: %s\n", strerror(-err));
	/* tmpfs at /tmp and /dev/shm (sticky, world-writable, as usual),
	 * each with Linux's default limit: half of the RAM. */
	static const char *const tmp_mounts[] = { "/tmp", "/dev/shm" };
	for (size_t i = 0; i < sizeof(tmp_mounts) / sizeof(tmp_mounts[0]); i++) {
		struct filesystem *tmp = tmpfs_new(S_IFDIR | 01777, 0);
		if (!tmp)
			return -ENOMEM;
		err = vfs_mount(tmp_mounts[i], tmp);
		if (err)
			log_warn("moat: cannot mount tmpfs at %s: %s\n", tmp_mounts[i], strerror(-err));
	}
	return 0;
}
