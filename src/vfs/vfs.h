/*
 * The sentry's virtual file system (DESIGN.md, 1 and 2): file systems,
 * inodes, dentries (the name cache), mounts, path resolution, open file
 * descriptions (struct file), FD tables and FS contexts.
 *
 * Lifetimes: inodes and dentries belong to their file system and to the
 * dentry cache; they live as long as the file system does (file systems are
 * never unmounted yet). Files, FD tables and FS contexts are reference
 * counted.
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

struct inode_ops {
	/* Look up name (len bytes, NUL-terminated) in directory dir.
	 * 0 with *out set; -ENOENT when the name does not exist (the dentry
	 * cache remembers that); another -errno otherwise. */
	int (*lookup)(struct dentry *dir, const char *name, size_t len, struct inode **out);
	/* Open d's inode into f (f->flags and f->mode are set): fill f->ops
	 * and the private state. */
	int (*open)(struct dentry *d, struct file *f);
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
};

struct dentry {
	struct dentry *parent;   /* NULL for the root of a file system */
	struct inode *_Atomic inode; /* NULL: negative (name does not exist) */
	struct dentry *hash_next;
	struct filesystem *fs;
	atomic_int mounted;      /* how many mounts sit on this dentry */
	uint32_t hash;
	uint16_t len;
	char name[];             /* NUL-terminated */
};

struct statfs;

struct filesystem {
	const char *type;        /* "hostfs", "devfs", ... */
	/* statfs(2) of the file system holding d. */
	int (*statfs)(struct filesystem *fs, struct dentry *d, struct statfs *out);
	bool readonly;           /* mounted read-only: writes give EROFS */
	bool noexec;             /* execve of its files gives EACCES */
	struct dentry *root;
	dev_t dev;
	void *priv;
};

struct mount {
	struct filesystem *fs;
	struct dentry *root;
	struct mount *parent;    /* NULL for the root mount */
	struct dentry *mountpoint;
	struct mount *next;
};

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
/* Give a negative dentry an inode (mount points made up by vfs_mount). */
void dentry_instantiate(struct dentry *d, struct inode *inode);

/* Linux's generic_permission() against creds: mask of MAY_*. Root (DAC
 * override) passes except exec of a file with no x bit at all. Also
 * -EROFS for MAY_WRITE on a read-only file system (regular files,
 * directories, symlinks). */
int vfs_permission(const struct creds *c, struct inode *inode, int mask);

/* --- mounts and path resolution ------------------------------------- */

/* Mount hostfs(root_dir, read-only) at "/" and devfs at "/dev". */
int vfs_init(const char *root_dir);
/* Mount fs at path (resolved from the sandbox root, following symlinks).
 * A missing last component is made up as an empty directory so that a
 * minimal root without /dev or /proc still gets its mounts. */
int vfs_mount(const char *path, struct filesystem *fs);
/* The root of the sandbox (the root mount's root). */
struct path vfs_root(void);

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
 * A path outside root starts with "(unreachable)". */
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
	/* ftruncate on a writable regular file. */
	int (*truncate)(struct file *f, int64_t len);
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
};

/* A new file with one reference (hostfd -1). */
struct file *file_alloc(const struct file_ops *ops, struct inode *inode, int flags, unsigned int mode);
void file_get(struct file *f);
void file_put(struct file *f);

/* flock(2) on f's inode: op LOCK_SH/LOCK_EX/LOCK_UN, nonblock for
 * LOCK_NB. 0, -EWOULDBLOCK or -ERESTARTSYS. */
int vfs_flock(struct task *t, struct file *f, int op, bool nonblock);

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
/* A pipe: two files, the read end and the write end. flags: O_NONBLOCK. */
int pipe_create(struct task *t, int flags, struct file **rd, struct file **wr);
/* A file wrapping host descriptor hostfd (owned by the file). */
struct file *hostfd_file_new(int hostfd, int *err);

/* A made-up empty directory inode (mount points). */
struct inode *vfs_empty_dir_inode(struct filesystem *fs);
/* Time of vfs_init, for the attributes of made-up inodes. */
extern struct timespec vfs_boot_time;

#endif
