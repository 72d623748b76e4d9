/*
 * mount(2) and umount2(2): argument copying, flag parsing and the order
 * of Linux's checks (fs/namespace.c: do_mount, path_mount, ksys_umount);
 * the tree work is vfs/mntns.c's. File system types: tmpfs only, with its
 * mode=, size=, uid=, gid= options; any other type is ENODEV, as for a
 * type the kernel does not have. Every mount is private (mntns.c): no
 * MS_SHARED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#define CAP_SYS_ADMIN 21
#define MOUNT_STRING_MAX 4096   /* PATH_MAX for types and sources */
#define MOUNT_DATA_MAX 4096     /* one page of options */

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

const char sys_mount_partial[] = "tmpfs and bind mounts only; no MS_SHARED (all mounts are private)";
const char sys_umount2_partial[] = "no MNT_EXPIRE; open files do not make a mount busy";

/* may_mount(): CAP_SYS_ADMIN. */
static bool may_mount(struct task *t)
{
	return creds_has_cap(&t->creds, CAP_SYS_ADMIN);
}

/* copy_mount_string(): NULL stays NULL; longer than a page is EINVAL. */
static long copy_mount_string(struct task *t, uint64_t addr, char **out)
{
	*out = NULL;
	if (!addr)
		return 0;
	char *buf = malloc(MOUNT_STRING_MAX);
	if (!buf)
		return -ENOMEM;
	long n = task_copy_in_string(t, addr, buf, MOUNT_STRING_MAX);
	if (n < 0) {
		free(buf);
		return n == -ENAMETOOLONG ? -EINVAL : n;
	}
	*out = buf;
	return 0;
}

/* copy_mount_options(): up to a page, as much of it as is readable;
 * EFAULT only when nothing is. Always NUL-terminated. */
static long copy_mount_data(struct task *t, uint64_t addr, char **out)
{
	*out = NULL;
	if (!addr)
		return 0;
	char *buf = calloc(1, MOUNT_DATA_MAX);
	if (!buf)
		return -ENOMEM;
	if (task_copy_in(t, buf, addr, MOUNT_DATA_MAX) != 0) {
		size_t to_page_end = MOUNT_DATA_MAX - (addr & (MOUNT_DATA_MAX - 1));
		memset(buf, 0, MOUNT_DATA_MAX);
		if (task_copy_in(t, buf, addr, to_page_end) != 0) {
			free(buf);
			return -EFAULT;
		}
	}
	buf[MOUNT_DATA_MAX - 1] = 0;
	*out = buf;
	return 0;
}

/* Resolve a path argument already copied in (getname + user_path_at). */
static int lookup(struct task *t, const char *path, bool follow, struct path *out)
{
	if (!path[0])
		return -ENOENT;
	return vfs_lookup_at(t, NULL, AT_FDCWD, path, follow ? WALK_FOLLOW : 0, out);
}

/* The source of a bind mount or a move: a path that must be given. */
static int lookup_source(struct task *t, const char *source, struct path *out)
{
	if (!source || !source[0])
		return -EINVAL;
	return lookup(t, source, true, out);
}

/* --- tmpfs options -------------------------------------------------- */

struct tmpfs_opts {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	uint64_t size;           /* bytes; 0: the default */
	bool size_set;
	bool ro_set, ro;         /* "ro" / "rw" among the options */
};

/* memparse(): a number with an optional K/M/G/T/P/E suffix. */
static bool parse_size(const char *v, uint64_t *out)
{
	char *end;
	if (!*v || *v == '-')
		return false;
	unsigned long long n = strtoull(v, &end, 0);
	if (end == v)
		return false;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	case 'p': case 'P': shift = 50; break;
	case 'e': case 'E': shift = 60; break;
	case '%': {
		/* size=N%: of the RAM. */
		if (end[1])
			return false;
		long pages = sysconf(_SC_PHYS_PAGES);
		long psz = sysconf(_SC_PAGESIZE);
		if (pages <= 0 || psz <= 0)
			return false;
		*out = (uint64_t)pages * (uint64_t)psz / 100 * n;
		return true;
	}
	default: break;
	}
	if (shift)
		end++;
	if (*end)
		return false;
	if (shift && n > (~0ULL >> shift))
		return false;
	*out = (uint64_t)n << shift;
	return true;
}

static bool parse_u32(const char *v, int base, uint32_t *out)
{
	char *end;
	if (!*v || *v == '-')
		return false;
	unsigned long long n = strtoull(v, &end, base);
	if (*end || n > 0xffffffffULL)
		return false;
	*out = (uint32_t)n;
	return true;
}

/* shmem_parse_one() for the options moat has; Linux options moat lacks
 * are reported, and every bad option is EINVAL. */
static int parse_tmpfs_option(char *opt, struct tmpfs_opts *o)
{
	char *val = strchr(opt, '=');
	if (val)
		*val++ = 0;
	uint32_t u;
	if (!strcmp(opt, "size") && val) {
		if (!parse_size(val, &o->size))
			return -EINVAL;
		o->size_set = true;
	} else if (!strcmp(opt, "mode") && val) {
		if (!parse_u32(val, 8, &u))
			return -EINVAL;
		o->mode = u & 07777;
	} else if (!strcmp(opt, "uid") && val) {
		if (!parse_u32(val, 0, &u) || u == (uint32_t)-1)
			return -EINVAL;
		o->uid = u;
	} else if (!strcmp(opt, "gid") && val) {
		if (!parse_u32(val, 0, &u) || u == (uint32_t)-1)
			return -EINVAL;
		o->gid = u;
	} else if ((!strcmp(opt, "ro") || !strcmp(opt, "rw")) && !val) {
		o->ro_set = true;
		o->ro = opt[1] == 'o';
	} else if (!strcmp(opt, "nr_blocks") || !strcmp(opt, "nr_inodes") || !strcmp(opt, "huge") ||
		   !strcmp(opt, "mpol") || !strcmp(opt, "inode32") || !strcmp(opt, "inode64") ||
		   !strcmp(opt, "noswap") || !strncmp(opt, "quota", 5) || !strncmp(opt, "usrquota", 8) ||
		   !strncmp(opt, "grpquota", 8)) {
		syscall_report_unsupported("mount: tmpfs option nr_blocks/nr_inodes/huge/mpol/inode32/inode64/noswap/quota");
		return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* generic_parse_monolithic(): comma-separated options. */
static int parse_tmpfs_options(char *data, struct tmpfs_opts *o)
{
	if (!data)
		return 0;
	for (char *save = NULL, *opt = strtok_r(data, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		int err = parse_tmpfs_option(opt, o);
		if (err)
			return err;
	}
	return 0;
}

/* --- mount(2) ------------------------------------------------------- */

/* The per-mount flags of path_mount(): relatime unless told otherwise. */
static unsigned int mnt_flags_of(unsigned long flags)
{
	unsigned int m = 0;
	if (flags & MS_NOSUID)
		m |= MNT_NOSUID;   /* moat's execve has no set-ID bits to ignore */
	if (flags & MS_NODEV)
		m |= MNT_NODEV;
	if (flags & MS_NOEXEC)
		m |= MNT_NOEXEC;
	if (flags & MS_NOATIME)
		m |= MNT_NOATIME;
	else
		m |= MNT_RELATIME;
	if (flags & MS_NODIRATIME)
		m |= MNT_NODIRATIME;
	if (flags & MS_STRICTATIME)
		m = (m & ~(MNT_RELATIME | MNT_NOATIME)) | MNT_STRICTATIME;
	if (flags & MS_RDONLY)
		m |= MNT_READONLY;
	/* The default atime rule of a remount is the mount's own. */
	if ((flags & MS_REMOUNT) && !(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)))
		m |= MNT_KEEP_ATIME;
	return m;
}

static int mount_tmpfs(struct task *t, struct path target, unsigned long flags, char *data)
{
	struct tmpfs_opts o = { .mode = 01777, .uid = t->creds.fsuid, .gid = t->creds.fsgid };
	int err = parse_tmpfs_options(data, &o);
	if (!err)
		err = vfs_mount_check_target(t, target);
	if (err)
		return err;
	/* size=0 is unlimited: the memory file's size bounds it. */
	uint64_t max = !o.size_set ? 0 : o.size ? o.size : (uint64_t)1 << 62;
	if (o.size_set && o.size && o.size < 4096)
		max = 4096;   /* Linux rounds up to whole pages */
	struct filesystem *fs = tmpfs_new(S_IFDIR | o.mode, max);
	if (!fs)
		return -ENOMEM;
	/* The root belongs to the mounter (or uid=/gid=). Nobody sees it
	 * yet, so no lock is needed. */
	struct inode *root = atomic_load(&fs->root->inode);
	root->st.st_uid = o.uid;
	root->st.st_gid = o.gid;
	bool ro = (flags & MS_RDONLY) || (o.ro_set && o.ro);
	fs->readonly = ro;
	unsigned int mf = mnt_flags_of(flags);
	if (ro)
		mf |= MNT_READONLY;
	/* A tmpfs that is not mounted after all stays allocated (file
	 * systems are never freed); its root is empty. */
	return vfs_mount_new(t, target, fs, mf);
}

/* Known Linux file system types moat does not have: reported. */
static bool known_linux_fstype(const char *type)
{
	static const char *const types[] = {
		"proc", "sysfs", "devpts", "devtmpfs", "mqueue", "cgroup", "cgroup2", "ramfs", "overlay",
		"bpf", "securityfs", "debugfs", "tracefs", "hugetlbfs", "fusectl", "binfmt_misc",
		"configfs", "pstore", "autofs", "nfs", "ext4", "xfs", "btrfs", "vfat", "iso9660", "squashfs",
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

static int mount_new(struct task *t, struct path target, const char *type, unsigned long flags,
		     char *data)
{
	if (!type)
		return -EINVAL;
	if (!strcmp(type, "tmpfs"))
		return mount_tmpfs(t, target, flags, data);
	if (known_linux_fstype(type))
		syscall_report_unsupported("mount of a file system other than tmpfs");
	return -ENODEV;
}

/* do_remount(): the file system's options, then its read-only state
 * and the mount's flags. */
static int mount_remount(struct task *t, struct path target, unsigned long flags, char *data)
{
	if (data && data[0]) {
		if (strcmp(target.mnt->fs->type, "tmpfs") != 0) {
			syscall_report_unsupported("mount: MS_REMOUNT with options of a file system other than tmpfs");
			return -EINVAL;
		}
		struct tmpfs_opts o = { 0 };
		int err = parse_tmpfs_options(data, &o);
		if (err)
			return err;
		if (o.size_set) {
			syscall_report_unsupported("mount: MS_REMOUNT of a tmpfs with size=");
			return -EINVAL;
		}
		/* mode=, uid= and gid= are ignored by a tmpfs remount. */
		if (o.ro_set && o.ro)
			flags |= MS_RDONLY;
	}
	return vfs_mount_reconfigure(t, target, mnt_flags_of(flags), false, (flags & MS_RDONLY) != 0);
}

/* do_change_type(): exactly one propagation type, maybe with MS_REC. */
static int mount_change_type(struct task *t, struct path target, unsigned long flags)
{
	unsigned long type = flags & ~(unsigned long)(MS_REC | MS_SILENT);
	if (type == MS_SHARED) {
		/* Peer groups are not built: a shared mount would promise
		 * propagation that never happens. */
		syscall_report_unsupported("mount: MS_SHARED (mount propagation)");
		return -EINVAL;
	}
	if (type != MS_PRIVATE && type != MS_SLAVE && type != MS_UNBINDABLE)
		return -EINVAL;
	return vfs_mount_propagation(t, target, type, (flags & MS_REC) != 0);
}

/* path_mount(), after the target is resolved. */
static int do_mount(struct task *t, const char *source, struct path target, const char *type,
		    unsigned long flags, char *data)
{
	/* The old magic number in the upper 16 bits means nothing. */
	if ((flags & 0xffff0000UL) == 0xC0ED0000UL)
		flags &= ~0xffff0000UL;
	if (flags & MS_NOUSER)
		return -EINVAL;
	if (!may_mount(t))
		return -EPERM;
	if (flags & MS_NOSYMFOLLOW) {
		syscall_report_unsupported("mount: MS_NOSYMFOLLOW");
		return -EINVAL;
	}
	/* Ignored as Linux ignores them here, or changing nothing on tmpfs
	 * (memory has nothing to sync or to be lazy about): MS_SILENT,
	 * MS_SYNCHRONOUS, MS_DIRSYNC, MS_MANDLOCK, MS_LAZYTIME,
	 * MS_POSIXACL, MS_I_VERSION, MS_KERNMOUNT, MS_ACTIVE. */

	if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND))
		return vfs_mount_reconfigure(t, target, mnt_flags_of(flags), true, false);
	if (flags & MS_REMOUNT)
		return mount_remount(t, target, flags, data);
	if (flags & MS_BIND) {
		struct path src;
		int err = lookup_source(t, source, &src);
		return err ? err : vfs_mount_bind(t, src, target, (flags & MS_REC) != 0);
	}
	if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return mount_change_type(t, target, flags);
	if (flags & MS_MOVE) {
		struct path src;
		int err = lookup_source(t, source, &src);
		return err ? err : vfs_mount_move(t, src, target);
	}
	return mount_new(t, target, type, flags, data);
}

SYSCALL_DEFINE(mount)
{
	char *type = NULL, *source = NULL, *data = NULL;
	char *target = malloc(VFS_PATH_MAX);
	long err = target ? 0 : -ENOMEM;
	/* do_mount's order: type, source, data, then the target path. */
	if (!err)
		err = copy_mount_string(t, a[2], &type);
	if (!err)
		err = copy_mount_string(t, a[0], &source);
	if (!err)
		err = copy_mount_data(t, a[4], &data);
	if (!err) {
		long n = task_copy_in_string(t, a[1], target, VFS_PATH_MAX);
		err = n < 0 ? n : 0;
	}
	struct path tp;
	if (!err)
		err = lookup(t, target, true, &tp);
	if (!err)
		err = do_mount(t, source, tp, type, (unsigned long)a[3], data);
	free(type);
	free(source);
	free(data);
	free(target);
	return err;
}

/* --- umount2(2) ----------------------------------------------------- */

SYSCALL_DEFINE(umount2)
{
	int flags = (int)a[1];
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	char *path = malloc(VFS_PATH_MAX);
	if (!path)
		return -ENOMEM;
	long n = task_copy_in_string(t, a[0], path, VFS_PATH_MAX);
	struct path p;
	long err = n < 0 ? n : lookup(t, path, !(flags & UMOUNT_NOFOLLOW), &p);
	free(path);
	if (err)
		return err;
	/* can_umount(): the capability first, then what is named. */
	if (!may_mount(t))
		return -EPERM;
	if (p.dentry != p.mnt->root)
		return -EINVAL;
	if (flags & MNT_EXPIRE) {
		if (flags & (MNT_FORCE | MNT_DETACH))
			return -EINVAL;
		/* Expiry marks need to know when a mount was last used. */
		syscall_report_unsupported("umount2 with MNT_EXPIRE");
		return -EINVAL;
	}
	/* MNT_FORCE: tmpfs has no umount_begin, so it is a plain umount. */
	return vfs_umount(t, p, (flags & MNT_DETACH) != 0);
}
