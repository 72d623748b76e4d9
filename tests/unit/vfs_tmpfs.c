/*
 * Unit test of tmpfs through the VFS API, without running any program:
 * creating, reading and writing files (holes, truncation, the size
 * limit), directories and link counts, rename rules, unlinked-but-open
 * files, getdents positions across unlinks, the sticky /tmp, EXDEV
 * between the /tmp and /dev/shm mounts, O_TMPFILE and statfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "kernel/task.h"
#include "mm/memfile.h"
#include "vfs/vfs.h"

static int failures, count;

#define CHECK(cond, ...)                                   \
	do {                                               \
		count++;                                   \
		if (cond) {                                \
			printf("ok %d - ", count);         \
		} else {                                   \
			failures++;                        \
			printf("not ok %d - ", count);     \
		}                                          \
		printf(__VA_ARGS__);                       \
		printf("\n");                              \
	} while (0)

static struct task task;

static int open_at(const char *path, int flags, mode_t mode, struct file **f)
{
	return vfs_openat(&task, AT_FDCWD, path, flags, mode, f);
}

static int stat_path(const char *path, struct stat *st)
{
	struct path p;
	int err = vfs_lookup_at(&task, NULL, AT_FDCWD, path, 0, &p);
	if (!err)
		inode_stat(path_inode(p), st);
	return err;
}

static ssize_t fwrite_at(struct file *f, const void *buf, size_t n, int64_t pos)
{
	return f->ops->write(f, &task, buf, n, &pos, 0);
}

static ssize_t fread_at(struct file *f, void *buf, size_t n, int64_t pos)
{
	return f->ops->read(f, &task, buf, n, &pos, 0);
}

/* Write a small file in one go. */
static int put(const char *path, const char *s)
{
	struct file *f;
	int err = open_at(path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);
	if (err)
		return err;
	ssize_t r = fwrite_at(f, s, strlen(s), 0);
	file_put(f);
	return r < 0 ? (int)r : 0;
}

struct names {
	struct dir_ctx ctx;
	char seen[64][16];
	int n, limit;
};

static bool names_emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		       unsigned type, int64_t off)
{
	struct names *nm = (struct names *)ctx;
	if (nm->n >= nm->limit || len >= 16)
		return false;
	memcpy(nm->seen[nm->n], name, len);
	nm->seen[nm->n][len] = 0;
	nm->n++;
	return true;
}

static int count_name(struct names *nm, const char *name)
{
	int c = 0;
	for (int i = 0; i < nm->n; i++)
		c += !strcmp(nm->seen[i], name);
	return c;
}

static uint64_t free_blocks(const char *path)
{
	struct path p;
	struct statfs sf;
	if (vfs_lookup_at(&task, NULL, AT_FDCWD, path, WALK_FOLLOW, &p) ||
	    p.mnt->fs->statfs(p.mnt->fs, p.dentry, &sf))
		return 0;
	return sf.f_bfree;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char root[] = "/tmp/moat-tmpfs-XXXXXX";
	if (!mkdtemp(root) || mf_init(256 << 20)) {
		perror("setup");
		return 1;
	}
	chmod(root, 0755); /* searchable by the unprivileged user below */
	CHECK(vfs_init(root) == 0, "vfs_init");
	task.creds.cap_effective = task.creds.cap_permitted = ~0ULL;
	task.fs = fs_context_new("/");
	task.fdt = fdt_new();

	/* The mounts. */
	struct path p;
	struct statfs sf;
	CHECK(vfs_lookup_at(&task, NULL, AT_FDCWD, "/tmp", WALK_FOLLOW, &p) == 0 &&
	      p.mnt->fs->statfs(p.mnt->fs, p.dentry, &sf) == 0 && sf.f_type == TMPFS_MAGIC,
	      "/tmp is a tmpfs");
	struct stat st;
	CHECK(stat_path("/tmp", &st) == 0 && st.st_mode == (S_IFDIR | 01777), "/tmp has mode 01777");
	CHECK(stat_path("/dev/shm", &st) == 0 && st.st_mode == (S_IFDIR | 01777), "/dev/shm too");

	/* Files. */
	struct file *f;
	uint64_t free0 = free_blocks("/tmp");
	CHECK(open_at("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0666, &f) == 0, "create /tmp/a");
	CHECK(open_at("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0666, &f) == -EEXIST, "O_EXCL: EEXIST");
	CHECK(stat_path("/tmp/a", &st) == 0 && (st.st_mode & 0777) == 0644, "umask applied");
	CHECK(fwrite_at(f, "hello", 5, 0) == 5, "write");
	CHECK(fwrite_at(f, "!", 1, 10000) == 1, "write past the end");
	char buf[16384];
	memset(buf, 'x', sizeof(buf));
	CHECK(fread_at(f, buf, sizeof(buf), 0) == 10001, "read returns the size");
	bool zeros = true;
	for (int i = 5; i < 10000; i++)
		zeros &= buf[i] == 0;
	CHECK(!memcmp(buf, "hello", 5) && zeros && buf[10000] == '!', "the hole reads as zeros");
	CHECK(stat_path("/tmp/a", &st) == 0 && st.st_blocks == 16, "two pages allocated (%ld blocks)",
	      (long)st.st_blocks);
	CHECK(free_blocks("/tmp") == free0 - 2, "statfs counts them");
	CHECK(vfs_truncate_inode(&task, f->inode, 3) == 0 && stat_path("/tmp/a", &st) == 0 &&
	      st.st_size == 3 && st.st_blocks == 8, "truncate frees the pages past the end");
	CHECK(vfs_truncate_inode(&task, f->inode, 5000) == 0 && fread_at(f, buf, 10, 0) == 10 &&
	      !memcmp(buf, "hel\0\0\0\0\0\0\0", 10), "growing again reads zeros");
	int64_t pos = f->ops->llseek(f, 0, SEEK_HOLE);
	CHECK(pos == 4096, "SEEK_HOLE finds the unallocated page (%ld)", (long)pos);
	CHECK(f->ops->llseek(f, 4096, SEEK_DATA) == -ENXIO, "no data after it");

	/* Unlinked while open. */
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/a", false) == 0, "unlink the open file");
	CHECK(stat_path("/tmp/a", &st) == -ENOENT, "its name is gone");
	CHECK(fread_at(f, buf, 3, 0) == 3 && !memcmp(buf, "hel", 3), "still readable");
	file_stat(f, &st);
	CHECK(st.st_nlink == 0, "nlink 0");
	char pb[256];
	CHECK(file_path(f, pb, sizeof(pb)) > 0 && !strcmp(pb, "/tmp/a (deleted)"), "path %s", pb);
	file_put(f);
	CHECK(free_blocks("/tmp") == free0, "closing gives the pages back");

	/* Directories and names. */
	CHECK(vfs_mkdirat(&task, AT_FDCWD, "/tmp/d", 0755) == 0, "mkdir");
	CHECK(vfs_mkdirat(&task, AT_FDCWD, "/tmp/d", 0755) == -EEXIST, "mkdir again: EEXIST");
	CHECK(vfs_mkdirat(&task, AT_FDCWD, "/tmp/d/e", 0755) == 0, "mkdir d/e");
	CHECK(stat_path("/tmp/d", &st) == 0 && st.st_nlink == 3, "d has nlink 3");
	CHECK(put("/tmp/d/f", "file f") == 0, "create d/f");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/d", true) == -ENOTEMPTY, "rmdir: ENOTEMPTY");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/d", false) == -EISDIR, "unlink a dir: EISDIR");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/d/f", true) == -ENOTDIR, "rmdir a file: ENOTDIR");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/d/f/", false) == -ENOTDIR, "trailing slash: ENOTDIR");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/d", AT_FDCWD, "/tmp/d/e/x", 0) == -EINVAL,
	      "rename into itself: EINVAL");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/d/e", AT_FDCWD, "/tmp/d/f", 0) == -ENOTDIR,
	      "dir over file: ENOTDIR");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/d/f", AT_FDCWD, "/tmp/d/e", 0) == -EISDIR,
	      "file over dir: EISDIR");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/d/f", AT_FDCWD, "/tmp/d/e/g", 0) == 0, "move a file");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/d/e", AT_FDCWD, "/tmp/moved", 0) == 0,
	      "move a directory up");
	char rb[32] = { 0 };
	CHECK(open_at("/tmp/moved/g", O_RDONLY, 0, &f) == 0 && fread_at(f, rb, sizeof(rb), 0) == 6 &&
	      !strcmp(rb, "file f"), "its child follows it");
	CHECK(file_path(f, pb, sizeof(pb)) > 0 && !strcmp(pb, "/tmp/moved/g"), "path %s", pb);
	file_put(f);
	CHECK(stat_path("/tmp/d", &st) == 0 && st.st_nlink == 2, "d back to nlink 2");
	CHECK(put("/tmp/x", "x") == 0 && put("/tmp/y", "y") == 0, "two files");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/x", AT_FDCWD, "/tmp/y", 1 /* NOREPLACE */) == -EEXIST,
	      "RENAME_NOREPLACE: EEXIST");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/x", AT_FDCWD, "/tmp/moved", 2 /* EXCHANGE */) == 0 &&
	      stat_path("/tmp/x", &st) == 0 && S_ISDIR(st.st_mode) &&
	      stat_path("/tmp/moved", &st) == 0 && S_ISREG(st.st_mode), "RENAME_EXCHANGE swaps");
	CHECK(stat_path("/tmp/x/g", &st) == 0, "the exchanged directory keeps its child");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/y", AT_FDCWD, "/dev/shm/y", 0) == -EXDEV,
	      "rename across mounts: EXDEV");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/dev/shm", true) == -EBUSY, "rmdir a mount point: EBUSY");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/etc", true) == -EROFS, "the root stays read-only");

	/* Links. */
	CHECK(vfs_symlinkat(&task, "y", AT_FDCWD, "/tmp/s") == 0, "symlink");
	CHECK(vfs_lookup_at(&task, NULL, AT_FDCWD, "/tmp/s", 0, &p) == 0 &&
	      !strcmp(path_inode(p)->link, "y"), "its target");
	CHECK(open_at("/tmp/dl", O_WRONLY | O_CREAT, 0600, &f) == 0, "a file to link");
	file_put(f);
	CHECK(vfs_symlinkat(&task, "made-by-creat", AT_FDCWD, "/tmp/dangling") == 0 &&
	      open_at("/tmp/dangling", O_WRONLY | O_CREAT, 0600, &f) == 0 && (file_put(f), 1) &&
	      stat_path("/tmp/made-by-creat", &st) == 0, "O_CREAT through a dangling symlink");
	CHECK(vfs_lookup_at(&task, NULL, AT_FDCWD, "/tmp/dl", 0, &p) == 0 &&
	      vfs_linkat(&task, p, AT_FDCWD, "/tmp/dl2") == 0 && stat_path("/tmp/dl", &st) == 0 &&
	      st.st_nlink == 2, "hard link: nlink 2");
	CHECK(vfs_lookup_at(&task, NULL, AT_FDCWD, "/tmp/d", 0, &p) == 0 &&
	      vfs_linkat(&task, p, AT_FDCWD, "/tmp/d2") == -EPERM, "hard link to a dir: EPERM");

	/* O_TMPFILE, then given a name. */
	CHECK(open_at("/tmp", O_TMPFILE | O_RDWR, 0600, &f) == 0, "O_TMPFILE");
	file_stat(f, &st);
	CHECK(S_ISREG(st.st_mode) && st.st_nlink == 0, "unnamed file");
	CHECK(vfs_linkat(&task, f->path, AT_FDCWD, "/tmp/named") == 0 && stat_path("/tmp/named", &st) == 0 &&
	      st.st_nlink == 1, "linkat gives it a name");
	file_put(f);

	/* getdents positions survive unlinks. */
	CHECK(vfs_mkdirat(&task, AT_FDCWD, "/tmp/list", 0755) == 0, "mkdir list");
	const char *files[] = { "/tmp/list/1", "/tmp/list/2", "/tmp/list/3", "/tmp/list/4", "/tmp/list/5" };
	for (int i = 0; i < 5; i++)
		put(files[i], "");
	CHECK(open_at("/tmp/list", O_RDONLY | O_DIRECTORY, 0, &f) == 0, "open the directory");
	struct names nm = { .ctx.emit = names_emit, .limit = 4 };
	f->ops->iterate(f, &nm.ctx);
	CHECK(nm.n == 4 && !strcmp(nm.seen[0], ".") && !strcmp(nm.seen[2], "5"),
	      "first batch: ., .., newest first");
	vfs_unlinkat(&task, AT_FDCWD, "/tmp/list/5", false); /* listed already */
	vfs_unlinkat(&task, AT_FDCWD, "/tmp/list/2", false); /* not yet listed */
	nm.limit = 64;
	f->ops->iterate(f, &nm.ctx);
	CHECK(nm.n == 6 && count_name(&nm, "4") == 1 && count_name(&nm, "3") == 1 &&
	      count_name(&nm, "1") == 1 && count_name(&nm, "2") == 0, "the rest, each once (%d names)", nm.n);
	file_put(f);

	/* Another user in the sticky /tmp. */
	struct creds saved = task.creds;
	memset(&task.creds, 0, sizeof(task.creds));
	task.creds.ruid = task.creds.euid = task.creds.fsuid = 1000;
	task.creds.rgid = task.creds.egid = task.creds.fsgid = 1000;
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/y", false) == -EPERM, "sticky: someone else's file EPERM");
	CHECK(put("/tmp/mine", "m") == 0 && stat_path("/tmp/mine", &st) == 0 && st.st_uid == 1000 &&
	      st.st_gid == 1000, "own file, own ids");
	CHECK(vfs_renameat2(&task, AT_FDCWD, "/tmp/y", AT_FDCWD, "/tmp/z", 0) == -EPERM,
	      "sticky: no rename of it either");
	CHECK(put("/tmp/d/no", "") == -EACCES, "no write permission in root's 0755 dir: EACCES");
	CHECK(vfs_unlinkat(&task, AT_FDCWD, "/tmp/mine", false) == 0, "own file removed");
	struct iattr ia = { .valid = ATTR_UID | ATTR_CTIME, .uid = 0 };
	CHECK(vfs_lookup_at(&task, NULL, AT_FDCWD, "/tmp/y", 0, &p) == 0 &&
	      vfs_setattr(&task, p.mnt, path_inode(p), &ia) == -EPERM, "chown by a user: EPERM");
	task.creds = saved;
	ia = (struct iattr){ .valid = ATTR_UID | ATTR_CTIME, .uid = 1000 };
	CHECK(vfs_setattr(&task, p.mnt, path_inode(p), &ia) == 0 && stat_path("/tmp/y", &st) == 0 &&
	      st.st_uid == 1000, "chown by root");

	/* A small tmpfs: ENOSPC. */
	struct filesystem *small = tmpfs_new(S_IFDIR | 0755, 3 * 4096);
	CHECK(small && vfs_mount("/small", small) == 0, "mount a 12 KiB tmpfs");
	CHECK(open_at("/small/big", O_RDWR | O_CREAT, 0644, &f) == 0, "create a file there");
	CHECK(fwrite_at(f, buf, 16384, 0) == 12288, "a write stops at the limit");
	CHECK(fwrite_at(f, buf, 100, 12288) == -ENOSPC, "then ENOSPC");
	file_put(f);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd)) {
	}
	printf("1..%d\n", count);
	return failures ? 1 : 0;
}
