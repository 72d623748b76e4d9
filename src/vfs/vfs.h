/*
 * The sentry's virtual file system (DESIGN.md, 1 and 2): file systems,
 * inodes, dentries (the name cache), mounts, path resolution, open file
 * descriptions (struct file), FD tables and FS contexts.
 *
 * Lifetimes: inodes and dentries belong to their file system and to the
 * dentry cache; they live as long as the file system does (file systems
 * and mounts are never freed, even once unmounted). Files, FD tables, FS
 * contexts and mount namespaces are reference counted.
 */
#ifndef MOAT_VFS_VFS_H
#define MOAT_VFS_VFS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kernel/waitq.h"

struct task;
struct creds;
struct file;
struct dentry;

#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255
#define VFS_MAXSYMLINKS 40
/* Linux caps every read/write at this many bytes. */
#define MAX_RW_COUNT 0x7ffff000L
/* Linux's hard ceiling for RLIMIT_NOFILE (fs.nr_open default). */
#define VFS_NR_OPEN 1048576

/* Permission masks, as Linux's MAY_*. */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* --- file systems, inodes, dentries --------------------------------- */

struct inode;
struct mount;
struct path;

/* What a setattr changes (Linux's ATTR_*). Times are explicit values;
 * vfs_setattr resolves UTIME_NOW before the file system sees them. */
struct iattr {
	unsigned int valid;
	mode_t mode;             /* permission bits (and S_ISUID/S_ISGID/S_ISVTX) */
	uid_t uid;
	gid_t gid;
	int64_t size;
	struct timespec atime, mtime;
};
#define ATTR_MODE  0x1
#define ATTR_UID   0x2
#define ATTR_GID   0x4
#define ATTR_SIZE  0x8
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40          /* ctime = now */
#define ATTR_SIZE_TIMES 0x80     /* with ATTR_SIZE: mtime/ctime = now if the size changes */
/* Checks and conversions vfs_setattr does before the file system: */
#define ATTR_TIMES_SET 0x100     /* explicit times: owner or CAP_FOWNER */
#define ATTR_TOUCH     0x200     /* utimes(NULL): owner or write permission */
#define ATTR_KILL_SUID 0x400     /* chown: drop set-user-ID (set-group-ID if g+x) */
#define ATTR_ATIME_NOW 0x800     /* atime = now */
#define ATTR_MTIME_NOW 0x1000    /* mtime = now */

struct inode_ops {
	/* Look up name (len bytes, NUL-terminated) in directory dir.
	 * 0 with *out set; -ENOENT when the name does not exist (the dentry
	 * cache remembers that); another -errno otherwise. */
	int (*lookup)(struct dentry *dir, const char *name, size_t len, struct inode **out);
	/* Open d's inode into f (f->flags and f->mode are set): fill f->ops
	 * and the private state. */
	int (*open)(struct dentry *d, struct file *f);

	/* Namespace changes, called with the file system's ns_lock held and
	 * after the VFS has done Linux's checks (permissions, sticky bits,
	 * types, emptiness is left to the fs). NULL: the fs cannot (EPERM).
	 * d is the hashed dentry of the name, negative for the new ones. */
	/* A new inode of type mode & S_IFMT (regular, directory, FIFO,
	 * socket, device) owned by c, instantiated in d. */
	int (*mknod)(struct dentry *dir, struct dentry *d, mode_t mode, dev_t rdev, const struct creds *c);
	int (*symlink)(struct dentry *dir, struct dentry *d, const char *target, const struct creds *c);
	/* A new name d in dir for old's inode (not a directory). */
	int (*link)(struct dentry *old, struct dentry *dir, struct dentry *d);
	int (*unlink)(struct dentry *dir, struct dentry *d);
	int (*rmdir)(struct dentry *dir, struct dentry *d);
	/* RENAME_NOREPLACE/EXCHANGE/WHITEOUT semantics; nd may be positive. */
	int (*rename)(struct dentry *odir, struct dentry *od, struct dentry *ndir, struct dentry *nd,
		      unsigned int flags, const struct creds *c);
	/* O_TMPFILE: an unnamed regular inode in dir (nlink 0). */
	int (*tmpfile)(struct dentry *dir, mode_t mode, const struct creds *c, bool linkable,
		       struct inode **out);
	/* Apply checked attribute changes; NULL: generic in-memory change. */
	int (*setattr)(struct inode *ino, const struct iattr *ia, struct task *t);

	/* File systems whose contents depend on the reader or change under
	 * the VFS (procfs). The reader is current_task (NULL for the
	 * sentry's own walks). */
	/* A "magic link" (Linux's nd_jump_link: /proc/<pid>/fd/N, exe,
	 * cwd, root, self): following symlink d (on mount mnt) goes straight
	 * to *out instead of resolving a text target. */
	int (*get_link)(struct dentry *d, struct mount *mnt, struct path *out);
	/* The text readlink(2) gives for symlink d when it is made on
	 * demand: its length (not NUL-terminated when it fills buf), or
	 * -errno. NULL: the inode's link. */
	int (*readlink)(struct dentry *d, char *buf, size_t n);
	/* A dentry cache hit for child d of directory dir: when the name
	 * has come to mean something else (Linux's d_revalidate), either
	 * give d an inode in place (dentry_instantiate: only from negative,
	 * or between inodes that no holder depends on, such as symlinks) or
	 * dcache_unhash it, and the lookup asks the file system again while
	 * the holders of d (a cwd, an open file) keep the old inode. */
	void (*revalidate)(struct dentry *dir, struct dentry *d);
};

struct inode {
	struct filesystem *fs;
	const struct inode_ops *ops;
	struct stat st;          /* attributes (cached for hostfs) */
	char *link;              /* symlink target, NUL-terminated */
	atomic_int hostfd;       /* hostfs: O_PATH fd of a directory, or -1 */
	pthread_mutex_t lock;
	void *priv;
	/* flock(2) state, under lock: holders of LOCK_SH, the LOCK_EX
	 * holder, and the waiters for a change. */
	int flock_shared;
	struct file *flock_excl;
	struct waitq flock_wq;
	struct reclock *reclocks;     /* POSIX and OFD record locks (reclock.c) */
	/* O_TMPFILE without O_EXCL: linkat may name it (I_LINKABLE). */
	bool linkable;
	/* FIFOs: the pipe while the FIFO is open, managed by fs/pipe under
	 * lock. */
	void *pipe;
	/* memfd seals (F_SEAL_*, fcntl(2)), under lock (fs/anon/memfd.c). */
	unsigned int seals;
};

/*
 * A dentry is a name. Writable file systems change them: a new name
 * instantiates a negative dentry; unlink takes the dentry out of the hash
 * (it stays positive for whoever still holds it: cwd, open files, as
 * Linux's d_delete of a busy dentry); rename moves it (new parent and
 * name, as d_move), so the children of a moved directory follow.
 * Dentries are never freed, so lockless walkers may hold any of them.
 * parent and name change only under the dcache's locks (see
 * dcache_move); name/len readers outside them use dentry_name_lock.
 */
struct dentry {
	struct dentry *_Atomic parent; /* NULL for the root of a file system */
	struct inode *_Atomic inode; /* NULL: negative (name does not exist) */
	struct dentry *hash_next;
	struct filesystem *fs;
	atomic_int mounted;      /* how many mounts sit on this dentry */
	uint32_t hash;
	uint16_t len;
	bool hashed;             /* reachable by lookup (false once unlinked) */
	bool name_heap;          /* name was allocated by a rename */
	const char *name;        /* NUL-terminated; iname until renamed */
	void *fsdata;            /* the file system's (tmpfs: its directory entry) */
	char iname[];
};

struct statfs;

struct filesystem {
	const char *type;        /* "hostfs", "devfs", ... */
	/* Serialises the namespace changes of this file system (Linux's
	 * i_rwsem of the directories plus s_vfs_rename_mutex, coarser). */
	pthread_mutex_t ns_lock;
	/* statfs(2) of the file system holding d. */
	int (*statfs)(struct filesystem *fs, struct dentry *d, struct statfs *out);
	bool readonly;           /* mounted read-only: writes give EROFS */
	bool noexec;             /* execve of its files gives EACCES */
	struct dentry *root;
	dev_t dev;
	void *priv;
};

/*
 * A mount: a file system (from the dentry root on) attached at a dentry of
 * a parent mount, in one mount namespace (mntns.c). The tree links change
 * only under the mount lock, inside a write section of the mount sequence
 * count; lockless walkers read them through mount_lookup() and
 * mount_parent(), which retry across changes. Mounts are never freed (like
 * dentries), so a walker, an open file or a cwd may hold any of them; an
 * unmounted one is only cut out of its tree (parent NULL).
 */
struct mnt_ns;
struct mount {
	struct filesystem *fs;
	struct dentry *root;
	struct mount *_Atomic parent;    /* NULL for a tree's top mount */
	struct dentry *_Atomic mountpoint;
	struct mount *_Atomic children;  /* newest first, linked by sibling */
	struct mount *_Atomic sibling;
	struct mnt_ns *ns;       /* under the mount lock; NULL once unmounted */
	atomic_uint flags;       /* MNT_* */
	struct mount *scratch;   /* under the mount lock: copy_tree's old->new */
	int id;                  /* mountinfo's mount ID: unique, never reused */
};

/* Per-mount flags (Linux's MNT_*; mount(2)'s MS_RDONLY, MS_NOSUID ...). */
#define MNT_READONLY    0x1
#define MNT_NOSUID      0x2
#define MNT_NODEV       0x4
#define MNT_NOEXEC      0x8
#define MNT_NOATIME     0x10
#define MNT_NODIRATIME  0x20
#define MNT_RELATIME    0x40
#define MNT_STRICTATIME 0x80
#define MNT_UNBINDABLE  0x1000   /* MS_UNBINDABLE: bind mounts of it fail */
/* vfs_mount_reconfigure: keep the mount's atime flags (a remount that
 * names none). Never stored. */
#define MNT_KEEP_ATIME  0x10000

/* Writes through m give EROFS: a read-only mount or file system. */
static inline bool mnt_readonly(const struct mount *m)
{
	return (atomic_load_explicit(&m->flags, memory_order_relaxed) & MNT_READONLY) || m->fs->readonly;
}

/* execve and PROT_EXEC mappings of m's files are refused. */
static inline bool mnt_noexec(const struct mount *m)
{
	return (atomic_load_explicit(&m->flags, memory_order_relaxed) & MNT_NOEXEC) || m->fs->noexec;
}

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* New inode of fs with the given attributes; hostfd -1, no link. */
struct inode *inode_new(struct filesystem *fs, const struct inode_ops *ops, const struct stat *st);
/* A root dentry for a new file system. */
struct dentry *dentry_new_root(struct filesystem *fs, struct inode *root);
/* The child `name` of dir through the dentry cache (calls the fs's lookup
 * on a miss). 0 with *out (possibly negative), or -errno. */
int dcache_lookup(struct dentry *dir, const char *name, size_t len, struct dentry **out);
/* A dentry that lookups never find (O_TMPFILE's "#ino" names). */
struct dentry *dentry_new_unhashed(struct dentry *parent, const char *name, size_t len, struct inode *ino);
/* Give a negative dentry an inode (mount points made up by vfs_mount). */
void dentry_instantiate(struct dentry *d, struct inode *inode);
/* Take d out of the hash: later lookups of its name miss (unlink). */
void dcache_unhash(struct dentry *d);
/* d_move: d takes the name (newparent, name); whatever dentry had that
 * name is unhashed. */
int dcache_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len);
/* RENAME_EXCHANGE: a and b swap their names. */
void dcache_exchange(struct dentry *a, struct dentry *b);
/* Guards name/len/parent of dentries for readers outside the dcache lock
 * (path strings). */
extern pthread_rwlock_t dentry_name_lock;
/* Whether anc is d or one of its ancestors (same file system). */
bool dentry_is_ancestor(struct dentry *anc, struct dentry *d);
/* A consistent copy of ino's attributes. */
void inode_stat(struct inode *ino, struct stat *st);

/* Linux's generic_permission() against creds: mask of MAY_*. Root (DAC
 * override) passes except exec of a file with no x bit at all. Also
 * -EROFS for MAY_WRITE on a read-only file system (regular files,
 * directories, symlinks). */
int vfs_permission(const struct creds *c, struct inode *inode, int mask);

/* --- mounts and path resolution ------------------------------------- */

/* Mount hostfs(root_dir, read-only) at "/" and devfs at "/dev", in the
 * initial mount namespace. */
int vfs_init(const char *root_dir);
/* Mount fs at path (resolved from the sandbox root, following symlinks).
 * A missing last component is made up as an empty directory so that a
 * minimal root without /dev or /proc still gets its mounts. */
int vfs_mount(const char *path, struct filesystem *fs);
/* The root of the sandbox (the initial namespace's root mount). */
struct path vfs_root(void);

/* --- mount namespaces (mntns.c) ------------------------------------- */

/*
 * A mount namespace is a tree of mounts, reference counted by the tasks
 * in it. Path resolution needs no namespace pointer: a task's root and
 * cwd are mounts of its namespace, and walks cross into the child mounts
 * of the mount they are in. The namespace is what mount(2) and umount2(2)
 * act on and what CLONE_NEWNS copies. When the last task leaves, every
 * mount of it is unmounted (what is still open stays usable, detached).
 */
struct fs_context;
struct user_ns;
struct mnt_ns {
	atomic_int refs;
	struct mount *root;      /* the mount at "/", under the mount lock */
	unsigned int nr_mounts;  /* under the mount lock */
	uint64_t id;
	uint32_t inum;           /* /proc/<pid>/ns/mnt (ns_inum_alloc) */
	struct user_ns *owner;   /* one reference; NULL: the initial one */
};

struct kernel;
/* Boot (vfs_init): the initial namespace, with root at its top. */
int mnt_ns_init(struct filesystem *root);
/* A new reference to the initial namespace. */
struct mnt_ns *mnt_ns_root(struct kernel *k);
/* CLONE_NEWNS (Linux's copy_mnt_ns): a new namespace with a copy of every
 * mount of old (same file systems and dentries, same flags), and fs's root
 * and cwd moved to the copies of their mounts. NULL when out of memory. */
struct mnt_ns *mnt_ns_copy(struct mnt_ns *old, struct fs_context *fs);
void mnt_ns_get(struct mnt_ns *ns);
void mnt_ns_put(struct mnt_ns *ns);
/* The user namespace owning ns (setns needs CAP_SYS_ADMIN there). */
struct user_ns *mnt_ns_owner(struct mnt_ns *ns);
/* The root of ns as a task would see it after chroot("/") there (with
 * whatever is mounted on it): Linux's current_chrooted() compares a
 * task's root with this. ns NULL: the initial namespace. */
struct path mnt_ns_root_path(struct mnt_ns *ns);

/* The mount stacked last on dentry d of mnt, or NULL. */
struct mount *mount_lookup(struct mount *mnt, struct dentry *d);
/* m's parent (NULL at the top of a tree) and the dentry it sits on, read
 * consistently. */
struct mount *mount_parent(struct mount *m, struct dentry **mountpoint);
/* A new mount of fs (from dentry root) attached on mp (NULL mp.mnt: the
 * top of a new tree), in ns. 0 or -ENOMEM. */
int mount_attach_new(struct mnt_ns *ns, struct path mp, struct filesystem *fs, struct dentry *root,
		     unsigned int flags, struct mount **out);

/* mount(2) and umount2(2) after their arguments are copied in, the paths
 * resolved and CAP_SYS_ADMIN checked (sys_mount.c); these do the tree
 * work with Linux's checks (the mounts must be in t's namespace...). */
/* MS_BIND (rec: MS_REC) of source onto target. */
int vfs_mount_bind(struct task *t, struct path source, struct path target, bool rec);
/* Whether a new directory-rooted mount may go on target (before the file
 * system is made): 0, -EINVAL (another namespace) or -ENOTDIR. */
int vfs_mount_check_target(struct task *t, struct path target);
/* A new file system fs (fresh, not yet in any tree) on target. */
int vfs_mount_new(struct task *t, struct path target, struct filesystem *fs, unsigned int mnt_flags);
/* MS_REMOUNT|MS_BIND: set target's per-mount flags; MS_REMOUNT alone:
 * also the file system's read-only state (sb_ro). */
int vfs_mount_reconfigure(struct task *t, struct path target, unsigned int mnt_flags, bool bind,
			  bool sb_ro);
/* MS_PRIVATE/MS_SLAVE/MS_UNBINDABLE (ptype is the MS_ flag), MS_REC. */
int vfs_mount_propagation(struct task *t, struct path target, unsigned long ptype, bool rec);
/* MS_MOVE of the mount at source onto target. */
int vfs_mount_move(struct task *t, struct path source, struct path target);
/* umount2 of the mount whose root target is; detach: MNT_DETACH. */
int vfs_umount(struct task *t, struct path target, bool detach);

/* Path walk flags. */
#define WALK_FOLLOW     0x1  /* follow a symlink in the last component */
#define WALK_DIRECTORY  0x2  /* the result must be a directory */
#define WALK_PARENT     0x4  /* stop at the parent of the last component */
#define WALK_EMPTY      0x8  /* "" means the start directory itself */

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct walk {
	const struct creds *creds;
	struct path root;        /* where "/" and ".." stop */
	struct path cur;         /* start, then the result */
	int flags;
	int nlinks;
	/* WALK_PARENT results: */
	const char *last;        /* points into the walked string */
	size_t last_len;
	enum last_type last_type;
	bool trailing_slash;     /* the last component was followed by '/' */
};

/* Step down through every mount stacked on p. */
void vfs_follow_mounts(struct path *p);
/* Walk path from w->cur (or w->root when absolute). 0 or -errno. */
int vfs_walk(struct walk *w, const char *path);

/* Resolve path relative to dirfd (AT_FDCWD or a directory fd) for task t,
 * with t's credentials (or creds when not NULL). Returns 0 with *out. */
int vfs_lookup_at(struct task *t, const struct creds *creds, int dirfd,
		  const char *path, int flags, struct path *out);
/* Start a walk for t at dirfd: fills w->root, w->cur, w->creds. */
int vfs_walk_start(struct task *t, const struct creds *creds, int dirfd,
		   const char *path, struct walk *w);

/* Sandbox path of p (relative to root) into buf; length or -ENAMETOOLONG.
 * A path outside root starts with "(unreachable)". root.mnt NULL: up to
 * the top of p's mount tree (Linux's d_path of a file: its namespace's
 * root, or the top of a detached tree), never "(unreachable)". */
int vfs_path_string(struct path p, struct path root, char *buf, size_t n);

static inline struct inode *path_inode(struct path p)
{
	return atomic_load_explicit(&p.dentry->inode, memory_order_acquire);
}

/* --- open file descriptions ----------------------------------------- */

/* f->mode bits (Linux's FMODE_*). */
#define FMODE_READ   0x1
#define FMODE_WRITE  0x2
#define FMODE_LSEEK  0x4   /* lseek allowed */
#define FMODE_PREAD  0x8   /* pread allowed */
#define FMODE_PWRITE 0x10  /* pwrite allowed */
#define FMODE_PATH   0x20  /* O_PATH: no I/O */
#define FMODE_STREAM 0x40  /* no position at all (pipes, sockets, ttys) */
#define FMODE_EXEC   0x80

/* Flags of one read/write operation. */
#define IOF_NOWAIT 0x1     /* do not block: return -EAGAIN */
#define IOF_NOSIGNAL 0x2   /* EPIPE without SIGPIPE (RWF_NOSIGNAL) */

/* Directory iteration: emit() stores one entry (next_off is the position
 * just after it) and returns false when the caller's buffer is full. */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len,
		     uint64_t ino, unsigned type, int64_t next_off);
};

/* Flags of one write: RWF_APPEND / RWF_NOAPPEND (pwritev2). */
#define IOF_APPEND 0x4
#define IOF_NOAPPEND 0x8

/* What mmap of a file means (file_mmap_check). */
enum mmap_kind { MMAP_NONE = 0, MMAP_FILE, MMAP_ZERO };

struct file_ops {
	enum mmap_kind mmap_kind;
	/* Read/write between the file and a sentry buffer; *pos is the
	 * position to use and update (NULL for stream files). */
	ssize_t (*read)(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof);
	ssize_t (*write)(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof);
	/* Same, but straight from/to application memory; preferred when set
	 * (pipes, /dev/null, /dev/zero). */
	ssize_t (*read_app)(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof);
	ssize_t (*write_app)(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof);
	/* New position or -errno; NULL: -ESPIPE. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* Directories: emit entries from f->pos on, updating f->pos. */
	int (*iterate)(struct file *f, struct dir_ctx *ctx);
	/* -ENOTTY for commands the file does not know. */
	long (*ioctl)(struct file *f, struct task *t, unsigned int cmd, uint64_t arg);
	/* Fresh attributes; NULL: f->inode->st. */
	int (*stat)(struct file *f, struct stat *st);
	/* Current readiness (POLLIN|POLLOUT|POLLHUP|POLLERR...). */
	uint32_t (*poll)(struct file *f);
	/* Wait queue notified with poll events when readiness changes. */
	struct waitq *(*waitq)(struct file *f);
	/* Host descriptor whose readiness is this file's (imported host
	 * fds), or -1. */
	int (*host_fd)(struct file *f);
	/* F_GETPIPE_SZ / F_SETPIPE_SZ. */
	long (*pipe_size)(struct file *f, struct task *t, long newsize);
	int (*fsync)(struct file *f);
	/* ftruncate on a writable regular file without an inode setattr
	 * (imported host descriptors). */
	int (*truncate)(struct file *f, int64_t len);
	/* fallocate(2) on a regular file opened for writing, after the
	 * generic checks. */
	int (*fallocate)(struct file *f, struct task *t, int mode, int64_t off, int64_t len);
	/* Sandbox path of an anonymous file ("pipe:[12]"). */
	int (*path)(struct file *f, char *buf, size_t n);
	void (*release)(struct file *f);
};

struct file {
	atomic_int refs;
	const struct file_ops *ops;
	struct path path;        /* mnt NULL for anonymous files */
	struct inode *inode;
	atomic_int flags;        /* status flags: O_ACCMODE|O_APPEND|O_NONBLOCK... */
	unsigned int mode;       /* FMODE_* */
	pthread_mutex_t pos_lock;
	int64_t pos;
	int hostfd;              /* host descriptor behind the file, or -1 */
	bool hostfd_borrowed;    /* hostfd belongs to the inode: not closed */
	int flock_type;          /* flock(2) held: 0, LOCK_SH or LOCK_EX */
	void *priv;
	/* epoll items watching this file (fs/anon/epoll.c, under its lock). */
	void *epoll_links;
};

/* A new file with one reference (hostfd -1). */
struct file *file_alloc(const struct file_ops *ops, struct inode *inode, int flags, unsigned int mode);
void file_get(struct file *f);
void file_put(struct file *f);
/* fs/anon/epoll.c: the last reference to a watched file is gone; take it
 * out of every interest list (Linux's eventpoll_release). */
void eventpoll_release(struct file *f);

/* flock(2) on f's inode: op LOCK_SH/LOCK_EX/LOCK_UN, nonblock for
 * LOCK_NB. 0, -EWOULDBLOCK or -ERESTARTSYS. */
int vfs_flock(struct task *t, struct file *f, int op, bool nonblock);

/* Store the attributes ia sets (mode, owner, times; ctime = ctime) under
 * the inode lock: the common end of a file system's setattr. */
struct iattr;
void inode_apply_attr(struct inode *ino, const struct iattr *ia, struct timespec ctime);

/* fcntl record locks (reclock.c): F_GETLK/F_SETLK/F_SETLKW and the
 * F_OFD_* forms, fl in the application's struct flock layout. */
struct flock;
long vfs_reclock(struct task *t, struct file *f, int cmd, struct flock *fl);
/* Drop the record locks owner holds on f's inode: a POSIX owner (an FD
 * table) when it closes a descriptor of the file, an OFD owner (the file)
 * when the last reference goes. */
void vfs_reclock_release(struct file *f, const void *owner);

/* Open p with open(2) flags for the sentry's own use (exec, tests). */
int vfs_open_path(struct path p, int flags, struct file **out);
/* For execve: resolve in t->fs (following symlinks); a regular file with
 * exec permission on an exec-allowed mount, else -EACCES. */
int vfs_open_exec(struct task *t, const char *path, struct file **out);

/* pread into a sentry buffer (loader, mm page-in). */
ssize_t file_kread(struct file *f, void *buf, size_t n, uint64_t off);
/* Linux mmap rules: 0 for a mappable regular file, 1 for /dev/zero (the
 * caller maps anonymous memory), -EACCES / -ENODEV otherwise. */
int file_mmap_check(struct file *f, int prot, int flags);
int file_stat(struct file *f, struct stat *st);
/* The sandbox path of f (for messages and /proc). */
int file_path(struct file *f, char *buf, size_t n);
/* Readiness for poll/epoll: events now, and the queue to wait on (NULL
 * when the file is always ready or has a host descriptor instead). */
uint32_t file_poll(struct file *f);
struct waitq *file_waitq(struct file *f);
/* Host descriptor whose readiness is f's (imported host fds), or -1. */
int file_host_fd(struct file *f);

/* Generic llseek for files with a size (SEEK_SET/CUR/END/DATA/HOLE). */
int64_t generic_llseek(struct file *f, int64_t off, int whence, int64_t size);
/* Default stat: attributes of f->inode. */
int generic_stat(struct file *f, struct stat *st);

/* I/O entry points for the syscalls: addr/n are in the application;
 * pos NULL means the file position. */
ssize_t vfs_read(struct task *t, struct file *f, uint64_t addr, size_t n, int64_t *pos);
ssize_t vfs_write(struct task *t, struct file *f, uint64_t addr, size_t n, int64_t *pos);
/* The checks of read/write before any buffer is looked at: -EBADF when
 * not open for it, -EINVAL when the file cannot do it (-EISDIR for a
 * directory read), -ESPIPE / -EINVAL for a bad explicit position. */
int vfs_check_rw(struct file *f, int64_t *pos, bool write);
/* A per-thread 64 KiB sentry buffer for one syscall's data. */
#define VFS_IOBUF_SIZE 65536
char *vfs_io_buffer(void);
/* readv/writev over an iovec array already copied in (and checked by
 * vfs_check_iovec). */
struct iovec;
ssize_t vfs_readv(struct task *t, struct file *f, const struct iovec *iov, int cnt, int64_t *pos, int iof);
ssize_t vfs_writev(struct task *t, struct file *f, const struct iovec *iov, int cnt, int64_t *pos, int iof);
/* Validate an iovec array as Linux's import_iovec: negative lengths give
 * -EINVAL, bad ranges -EFAULT; lengths are cut so the total stays within
 * MAX_RW_COUNT. */
int vfs_check_iovec(struct iovec *iov, int cnt);
/* The open(2) logic after resolution: checks (EISDIR, ELOOP, permission,
 * EROFS) and the file system's open. */
int vfs_open_resolved(const struct creds *c, struct path p, int flags, struct file **out);
/* The file system's open of p without any check (a file just created). */
int vfs_open_inode(struct path p, int flags, struct file **out);

/* --- namespace changes (namei.c) ------------------------------------ */

/* open(2)/openat(2)/creat(2) after the path is copied in: O_CREAT (through
 * dangling symlinks too), O_EXCL, O_TRUNC, O_TMPFILE. */
int vfs_openat(struct task *t, int dirfd, const char *path, int flags, mode_t mode, struct file **out);
int vfs_mknodat(struct task *t, int dirfd, const char *path, mode_t mode, dev_t dev);
int vfs_mkdirat(struct task *t, int dirfd, const char *path, mode_t mode);
int vfs_symlinkat(struct task *t, const char *target, int dirfd, const char *path);
/* oldp resolved already (linkat's flags decide how). */
int vfs_linkat(struct task *t, struct path oldp, int newdirfd, const char *newpath);
int vfs_unlinkat(struct task *t, int dirfd, const char *path, bool rmdir);
int vfs_renameat2(struct task *t, int odfd, const char *oldpath, int ndfd, const char *newpath,
		  unsigned int flags);
/* notify_change(): the owner/capability checks of chmod, chown, utimes
 * (mnt is where ino lives, NULL for anonymous files), then the change. */
int vfs_setattr(struct task *t, struct mount *mnt, struct inode *ino, struct iattr *ia);
/* truncate to len (checks done by the caller); mtime/ctime if it changes. */
int vfs_truncate_inode(struct task *t, struct inode *ino, int64_t len);
/* The tmpfs memory object of f's data (for MAP_SHARED), or NULL. The
 * caller takes its own reference with memobj_get. */
struct memobj *file_memobj(struct file *f);
/* The file operations of regular tmpfs files (memfd builds on them). */
const struct file_ops *tmpfs_reg_file_ops(void);

/* --- FD tables ------------------------------------------------------ */

struct fd_slot {
	struct file *file;
	bool cloexec;
};

struct fd_table {
	pthread_mutex_t lock;
	atomic_int refs;
	int size;                /* slots allocated */
	int next;                /* no free fd below this one */
	struct fd_slot *slots;
};

struct fd_table *fdt_new(void);
struct fd_table *fdt_fork(struct fd_table *fdt);
void fdt_get(struct fd_table *fdt);
void fdt_put(struct fd_table *fdt);
/* Wrap a dup of hostfd as app fd appfd. */
int fdt_import_host_fd(struct fd_table *fdt, int appfd, int hostfd);
void fdt_close_on_exec(struct fd_table *fdt);
/* A new reference to the file at fd, or NULL. */
struct file *fdt_get_file(struct fd_table *fdt, int fd);
/* Install f (taking a new reference) at the lowest free fd >= minfd below
 * limit: the fd, or -EMFILE. */
int fdt_alloc(struct fd_table *fdt, struct file *f, int minfd, bool cloexec, int limit);
/* Install f at exactly fd (closing what was there): fd or -errno. */
int fdt_install_at(struct fd_table *fdt, int fd, struct file *f, bool cloexec);
int fdt_close(struct fd_table *fdt, int fd);
/* close_range(2): close (or mark close-on-exec) fds first..last. */
void fdt_close_range(struct fd_table *fdt, unsigned int first, unsigned int last, bool cloexec_only);
int fdt_get_cloexec(struct fd_table *fdt, int fd);
int fdt_set_cloexec(struct fd_table *fdt, int fd, bool cloexec);
/* RLIMIT_NOFILE of t, capped at VFS_NR_OPEN. */
int task_nofile_limit(struct task *t);

/* --- FS contexts ---------------------------------------------------- */

struct fs_context {
	pthread_mutex_t lock;
	atomic_int refs;
	struct path root;
	struct path cwd;
	atomic_uint umask;
};

struct fs_context *fs_context_new(const char *cwd);
struct fs_context *fs_context_fork(struct fs_context *fs);
void fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);
void fs_context_paths(struct fs_context *fs, struct path *root, struct path *cwd);
void fs_context_set_cwd(struct fs_context *fs, struct path cwd);

/* --- file systems --------------------------------------------------- */

/* hostfs: the host directory root_dir, read-only. NULL and *err on failure. */
struct filesystem *hostfs_new(const char *root_dir, int *err);
/* devfs: null, zero, full, random, urandom, tty... */
struct filesystem *devfs_new(void);
/* tmpfs: files in the memory file; mode of the root (01777 for /tmp);
 * max_bytes 0 for the default limit (half of the RAM, as Linux). */
struct filesystem *tmpfs_new(mode_t root_mode, uint64_t max_bytes);
#define TMPFS_MAGIC 0x01021994
/* A pipe: two files, the read end and the write end. flags: O_NONBLOCK. */
int pipe_create(struct task *t, int flags, struct file **rd, struct file **wr);
/* Open another file f of the pipe that pipe file src is an end of, as
 * opening /proc/<pid>/fd/N of a pipe does (f->mode says which ends): 0,
 * -ENXIO when src is no pipe or the other end is gone (Linux's
 * fifo_open would wait for a peer; this does not). */
int pipe_reopen(struct file *src, struct file *f);
/* Open FIFO file f (its inode a named pipe) as fifo(7) says: a reader
 * waits for a writer and a writer for a reader (ENXIO with O_NONBLOCK),
 * O_RDWR never waits; -ERESTARTSYS when a wait is interrupted. */
int pipe_fifo_open(struct task *t, struct file *f);
/* The same for an imported host descriptor: a new file on a dup of its
 * host descriptor (-EACCES when the host descriptor's access mode does
 * not allow f->mode, -ENXIO when src is not one). */
int hostfd_reopen(struct file *src, struct file *f);
/* procfs, mounted at /proc (fs/proc/procfs.c). */
struct filesystem *procfs_new(void);
/* sysfs, mounted at /sys (fs/sys/sysfs.c). */
struct filesystem *sysfs_new(void);
/* A file wrapping host descriptor hostfd (owned by the file). */
struct file *hostfd_file_new(int hostfd, int *err);

/* A made-up empty directory inode (mount points). */
struct inode *vfs_empty_dir_inode(struct filesystem *fs);
/* Time of vfs_init, for the attributes of made-up inodes. */
extern struct timespec vfs_boot_time;

#endif
