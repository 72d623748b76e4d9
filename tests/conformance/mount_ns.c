/* mount_ns: mount namespaces, mount(2) and umount2(2).
 *
 * Every mount is made in a child that did unshare(CLONE_NEWNS) and made
 * all its mounts private first, inside a directory of our own under /tmp,
 * so the host is never changed when this runs natively as root. Checked:
 * the cwd survives unshare; a tmpfs with mode=; a process outside the
 * namespace does not see it; bind mounts of directories and files,
 * MS_REC; read-only bind remounts (EROFS) and back; MS_MOVE; umount2
 * plain (EBUSY with a submount) and MNT_DETACH (open files stay usable);
 * errors EINVAL/ENOENT/ENOTDIR/ENODEV/EFAULT, and EPERM without
 * CAP_SYS_ADMIN; the mount points are free again once the namespace is
 * gone. */
#include "tap.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static char dir[64];
static char p_mnt[128], p_src[128], p_sub[128], p_file[128], p_file2[128], p_bind[128], p_rbind[128],
	p_nbind[128], p_m2[128], p_m3[128], p_m4[128], p_m5[128], p_missing[128];
static int to_observer[2], from_observer[2];

/* What a process outside the namespace saw (shared memory). */
struct seen {
	int access_errno;
	dev_t mnt_dev;
};
static struct seen *seen;

static void path(char *buf, const char *name)
{
	snprintf(buf, 128, "%s/%s", dir, name);
}

static int write_file(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

/* The first bytes of a file as a string ("" if unreadable). */
static const char *read_file(const char *p)
{
	static char buf[64];
	buf[0] = 0;
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	return buf;
}

static void unprivileged(void *arg)
{
	if (setgid(65534) != 0 || setuid(65534) != 0) {
		tap_line(0, "drop privileges");
		return;
	}
	CHECK_ERR(mount("none", p_m2, "tmpfs", 0, NULL), EPERM, "mount without CAP_SYS_ADMIN EPERM");
	CHECK_ERR(umount2(p_mnt, 0), EPERM, "umount2 without CAP_SYS_ADMIN EPERM");
	CHECK_ERR(mount(NULL, p_missing, "tmpfs", 0, NULL), ENOENT, "a missing target is ENOENT before EPERM");
}

static void in_namespace(void *arg)
{
	if (CHECK_OK(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)") < 0)
		return;
	/* Nothing we mount may propagate back to the host. */
	if (CHECK_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make every mount private") < 0)
		return;
	char cwd[128];
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0, "the cwd is the same directory after unshare");
	CHECK_ERR(mount(NULL, dir, NULL, MS_PRIVATE, NULL), EINVAL, "MS_PRIVATE of a directory that is no mount EINVAL");

	struct stat dst, st;
	stat(dir, &dst);
	CHECK_OK(mount("none", p_mnt, "tmpfs", 0, "mode=0700,size=1m"), "mount a tmpfs");
	CHECK(stat(p_mnt, &st) == 0 && (st.st_mode & 07777) == 0700, "mode= sets the root's mode");
	CHECK(st.st_dev != dst.st_dev, "the tmpfs is another file system");
	char hello[160];
	snprintf(hello, sizeof hello, "%s/hello", p_mnt);
	CHECK_OK(write_file(hello, "hi"), "write a file in it");
	CHECK_OK(chdir(p_mnt), "chdir into the mount");
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, p_mnt) == 0, "getcwd crosses the mount");
	chdir(dir);

	/* Let a process outside look, then go on. */
	char c = 'r';
	write(to_observer[1], &c, 1);
	read(from_observer[0], &c, 1);

	/* Bind mounts. */
	CHECK_OK(mount(p_src, p_bind, NULL, MS_BIND, NULL), "bind a directory");
	char inner[160];
	snprintf(inner, sizeof inner, "%s/inner", p_bind);
	CHECK(strcmp(read_file(inner), "src") == 0, "the bind shows the source's files");
	CHECK_OK(mount(p_file, p_file2, NULL, MS_BIND, NULL), "bind a file on a file");
	CHECK(strcmp(read_file(p_file2), "file") == 0, "the bound file has the source's data");
	CHECK_ERR(mount(p_src, p_file, NULL, MS_BIND, NULL), ENOTDIR, "bind a directory on a file ENOTDIR");
	CHECK_ERR(mount(NULL, p_bind, NULL, MS_BIND, NULL), EINVAL, "MS_BIND without a source EINVAL");

	/* Read-only bind remount. */
	CHECK_OK(mount(NULL, p_bind, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), "remount the bind read-only");
	char newf[160];
	snprintf(newf, sizeof newf, "%s/new", p_bind);
	CHECK_ERR(open(newf, O_WRONLY | O_CREAT, 0644), EROFS, "create through the read-only bind EROFS");
	CHECK_ERR(open(inner, O_WRONLY), EROFS, "open for writing through it EROFS");
	CHECK_ERR(unlink(inner), EROFS, "unlink through it EROFS");
	CHECK(strcmp(read_file(inner), "src") == 0, "reading through it works");
	char srcinner[160];
	snprintf(srcinner, sizeof srcinner, "%s/inner", p_src);
	int fd = open(srcinner, O_WRONLY | O_APPEND);
	CHECK(fd >= 0, "the source itself stays writable");
	close(fd);
	CHECK_OK(mount(NULL, p_bind, NULL, MS_REMOUNT | MS_BIND, NULL), "remount it read-write");
	CHECK_OK(write_file(newf, "n"), "create through it again");
	unlink(newf);
	CHECK_ERR(mount(NULL, p_src, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EINVAL,
		  "remount of a directory that is no mount EINVAL");

	/* MS_REC. */
	CHECK_OK(mount("none", p_sub, "tmpfs", 0, NULL), "mount a tmpfs inside the source");
	char subx[160];
	snprintf(subx, sizeof subx, "%s/x", p_sub);
	write_file(subx, "x");
	CHECK_OK(mount(p_src, p_rbind, NULL, MS_BIND | MS_REC, NULL), "bind with MS_REC");
	snprintf(subx, sizeof subx, "%s/sub/x", p_rbind);
	CHECK(access(subx, F_OK) == 0, "MS_REC brings the submount along");
	CHECK_OK(mount(p_src, p_nbind, NULL, MS_BIND, NULL), "bind without MS_REC");
	snprintf(subx, sizeof subx, "%s/sub/x", p_nbind);
	CHECK_ERR(access(subx, F_OK), ENOENT, "without MS_REC the submount stays behind");

	/* MS_MOVE. */
	CHECK_OK(mount("none", p_m4, "tmpfs", 0, NULL), "mount a tmpfs to move");
	char m4f[160], m5f[160];
	snprintf(m4f, sizeof m4f, "%s/f", p_m4);
	snprintf(m5f, sizeof m5f, "%s/f", p_m5);
	write_file(m4f, "m");
	CHECK_OK(mount(p_m4, p_m5, NULL, MS_MOVE, NULL), "MS_MOVE it");
	CHECK(access(m5f, F_OK) == 0, "it is at the new place");
	CHECK_ERR(access(m4f, F_OK), ENOENT, "and gone from the old one");
	CHECK_ERR(mount(p_m4, p_m3, NULL, MS_MOVE, NULL), EINVAL, "MS_MOVE of a directory that is no mount EINVAL");

	/* umount2. */
	CHECK_OK(umount2(p_bind, 0), "umount2 the bind");
	CHECK_ERR(access(inner, F_OK), ENOENT, "the directory under it is empty again");
	CHECK_ERR(umount2(dir, 0), EINVAL, "umount2 of a directory that is no mount EINVAL");
	CHECK_ERR(umount2(p_missing, 0), ENOENT, "umount2 of a missing path ENOENT");
	CHECK_ERR(umount2(p_mnt, 0x100), EINVAL, "umount2 with an unknown flag EINVAL");
	CHECK_OK(mount("none", p_m3, "tmpfs", 0, NULL), "mount a tmpfs");
	char m3sub[160];
	snprintf(m3sub, sizeof m3sub, "%s/sub", p_m3);
	mkdir(m3sub, 0755);
	CHECK_OK(mount("none", m3sub, "tmpfs", 0, NULL), "and one inside it");
	CHECK_ERR(umount2(p_m3, 0), EBUSY, "plain umount2 of a mount with a submount EBUSY");
	CHECK_OK(umount2(p_m3, MNT_DETACH), "MNT_DETACH takes both");
	CHECK_ERR(access(m3sub, F_OK), ENOENT, "both are gone");

	CHECK_OK(mount("none", p_m2, "tmpfs", 0, NULL), "mount a tmpfs");
	char m2f[160];
	snprintf(m2f, sizeof m2f, "%s/f", p_m2);
	write_file(m2f, "kept");
	fd = open(m2f, O_RDONLY);
	CHECK_OK(umount2(p_m2, MNT_DETACH), "umount2 MNT_DETACH with a file open");
	char buf[8] = { 0 };
	CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) == 4 && strcmp(buf, "kept") == 0, "the open file is still readable");
	close(fd);
	CHECK_ERR(access(m2f, F_OK), ENOENT, "the name is gone");

	/* More errors. */
	CHECK_ERR(mount(NULL, p_missing, "tmpfs", 0, NULL), ENOENT, "mount on a missing path ENOENT");
	CHECK_ERR(mount("x", p_m2, "nosuchfs", 0, NULL), ENODEV, "an unknown file system type ENODEV");
	CHECK_ERR(mount("x", p_m2, NULL, 0, NULL), EINVAL, "a new mount without a type EINVAL");
	CHECK_ERR(mount("x", p_m2, "tmpfs", 0, "bogus=1"), EINVAL, "an unknown tmpfs option EINVAL");
	CHECK_ERR(mount("x", p_m2, "tmpfs", 0, "mode=9"), EINVAL, "a bad mode= EINVAL");
	CHECK_ERR(mount("x", p_file, "tmpfs", 0, NULL), ENOTDIR, "a tmpfs on a file ENOTDIR");
	CHECK_ERR(mount("x", p_m2, "tmpfs", MS_PRIVATE | MS_SLAVE, NULL), EINVAL, "two propagation types EINVAL");
	CHECK_ERR(mount(BAD_KERNEL, p_m2, "tmpfs", 0, NULL), EFAULT, "bad source pointer EFAULT");
	CHECK_ERR(mount("x", BAD_KERNEL, "tmpfs", 0, NULL), EFAULT, "bad target pointer EFAULT");
	CHECK_ERR(mount("x", p_m2, BAD_KERNEL, 0, NULL), EFAULT, "bad type pointer EFAULT");
	CHECK_ERR(mount("x", p_m2, "tmpfs", 0, BAD_KERNEL), EFAULT, "bad data pointer EFAULT");
	CHECK_ERR(umount2(BAD_KERNEL, 0), EFAULT, "umount2 bad pointer EFAULT");

	/* Per-mount and file system flags. */
	CHECK_OK(mount("none", p_m2, "tmpfs", MS_NOEXEC | MS_NODEV, NULL), "mount a tmpfs noexec,nodev");
	char script[160], node[160];
	snprintf(script, sizeof script, "%s/s", p_m2);
	snprintf(node, sizeof node, "%s/null", p_m2);
	write_file(script, "#!/bin/sh\nexit 0\n");
	chmod(script, 0755);
	char *argv[] = { script, NULL };
	CHECK_ERR(execve(script, argv, argv + 1), EACCES, "execve on a noexec mount EACCES");
	CHECK_OK(mknod(node, S_IFCHR | 0666, makedev(1, 3)), "mknod a device on it");
	CHECK_ERR(open(node, O_RDONLY), EACCES, "opening a device on a nodev mount EACCES");
	unlink(node);
	CHECK_OK(mount(NULL, p_m2, NULL, MS_REMOUNT | MS_RDONLY, NULL), "MS_REMOUNT the tmpfs read-only");
	CHECK_ERR(unlink(script), EROFS, "unlink on it EROFS");
	CHECK_OK(mount(NULL, p_m2, NULL, MS_REMOUNT, "mode=0700"), "MS_REMOUNT it read-write (mode= ignored)");
	CHECK_OK(unlink(script), "unlink works again");
	CHECK_OK(umount2(p_m2, 0), "umount2 it");
	CHECK_OK(mount("none", p_m2, "tmpfs", MS_RDONLY, NULL), "mount a read-only tmpfs");
	CHECK_ERR(mkdir(node, 0755), EROFS, "mkdir on it EROFS");
	CHECK_OK(umount2(p_m2, 0), "umount2 it");

	/* Unbindable. */
	CHECK_OK(mount(NULL, p_m5, NULL, MS_UNBINDABLE, NULL), "MS_UNBINDABLE");
	CHECK_ERR(mount(p_m5, p_m2, NULL, MS_BIND, NULL), EINVAL, "a bind of an unbindable mount EINVAL");

	tap_in_child(unprivileged, NULL);
}

int main(void)
{
	strcpy(dir, "/tmp/mount_ns.XXXXXX");
	if (!mkdtemp(dir)) {
		tap_line(0, "mkdtemp");
		return tap_done();
	}
	chmod(dir, 0755);
	path(p_mnt, "mnt");
	path(p_src, "src");
	path(p_sub, "src/sub");
	path(p_file, "file");
	path(p_file2, "file2");
	path(p_bind, "bind");
	path(p_rbind, "rbind");
	path(p_nbind, "nbind");
	path(p_m2, "m2");
	path(p_m3, "m3");
	path(p_m4, "m4");
	path(p_m5, "m5");
	path(p_missing, "missing");
	const char *dirs[] = { p_mnt, p_src, p_sub, p_bind, p_rbind, p_nbind, p_m2, p_m3, p_m4, p_m5 };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		mkdir(dirs[i], 0755);
	char inner[160];
	snprintf(inner, sizeof inner, "%s/inner", p_src);
	write_file(inner, "src");
	write_file(p_file, "file");
	write_file(p_file2, "");
	chdir(dir);

	seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pipe(to_observer);
	pipe(from_observer);
	pid_t observer = fork();
	if (observer == 0) {
		/* Outside the new namespace: look when told to. */
		close(to_observer[1]);
		char c;
		if (read(to_observer[0], &c, 1) == 1) {
			char hello[160];
			snprintf(hello, sizeof hello, "%s/hello", p_mnt);
			seen->access_errno = access(hello, F_OK) == 0 ? 0 : errno;
			struct stat st;
			stat(p_mnt, &st);
			seen->mnt_dev = st.st_dev;
			write(from_observer[1], &c, 1);
		}
		_exit(0);
	}
	tap_in_child(in_namespace, NULL);
	close(to_observer[1]);
	tap_wait(observer, 0);

	struct stat dst;
	stat(dir, &dst);
	CHECK_EQ(seen->access_errno, ENOENT, "outside the namespace the tmpfs's file is not there");
	CHECK(seen->mnt_dev == dst.st_dev, "outside the namespace the mount point is the plain directory");
	CHECK_ERR(umount2(p_missing, 0), ENOENT, "umount2 of a missing path ENOENT (initial namespace)");

	/* The namespace died with its process: its mount points are plain
	 * directories again. */
	CHECK_OK(rmdir(p_mnt), "a former mount point can be removed");
	CHECK_OK(rmdir(p_m5), "another one too");
	CHECK_OK(unlink(p_file2), "a former file mount point can be removed");

	/* Clean up. */
	unlink(inner);
	unlink(p_file);
	const char *rest[] = { p_sub, p_src, p_bind, p_rbind, p_nbind, p_m2, p_m3, p_m4 };
	for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
		rmdir(rest[i]);
	chdir("/");
	CHECK_OK(rmdir(dir), "everything was cleaned up");
	return tap_done();
}
