/* procfs_self: /proc/self and /proc/thread-self, /proc/self/fd (listing,
 * readlink, opening the magic links of a pipe and of a file), /dev/stdout
 * and /dev/fd through them, exe and cwd links, missing PIDs and fds, and
 * the errors of writes to read-only proc files. Only relations are
 * checked (readlink("/proc/self") is getpid() in decimal...), never
 * host-specific values. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

static bool dir_has(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *e;
	bool found = false;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = true;
	closedir(d);
	return found;
}

static bool link_is(const char *path, const char *want)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = 0;
	if (strcmp(buf, want))
		tap_diag("%s -> %s", path, buf);
	return !strcmp(buf, want);
}

int main(int argc, char **argv)
{
	char want[64], path[PATH_MAX];

	/* self and thread-self name the caller. */
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK(link_is("/proc/self", want), "readlink /proc/self is getpid()");
	snprintf(want, sizeof(want), "%d/task/%d", getpid(), gettid());
	CHECK(link_is("/proc/thread-self", want), "readlink /proc/thread-self is pid/task/tid");
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d", getpid());
	CHECK(stat("/proc/self", &a) == 0 && stat(path, &b) == 0 && S_ISDIR(a.st_mode) &&
		      a.st_ino == b.st_ino, "/proc/self is the directory /proc/<pid>");
	struct stat ls;
	CHECK(lstat("/proc/self", &ls) == 0 && S_ISLNK(ls.st_mode), "lstat /proc/self is a symlink");
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK(dir_has("/proc", want), "readdir /proc lists getpid()");
	CHECK(dir_has("/proc", "self"), "readdir /proc lists self");

	/* fd links: a pipe and a file. */
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	char name[32];
	snprintf(name, sizeof(name), "%d", p[0]);
	CHECK(dir_has("/proc/self/fd", name), "readdir /proc/self/fd lists the pipe's read end");
	CHECK(dir_has("/proc/self/fd", "0") && dir_has("/proc/self/fd", "1"),
	      "readdir /proc/self/fd lists 0 and 1");
	struct stat ps;
	CHECK_OK(fstat(p[0], &ps), "fstat pipe");
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)ps.st_ino);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	CHECK(link_is(path, want), "readlink of a pipe's fd is pipe:[ino]");
	struct stat fs;
	CHECK(stat(path, &fs) == 0 && S_ISFIFO(fs.st_mode) && fs.st_ino == ps.st_ino,
	      "stat through the fd link is the pipe");
	CHECK(lstat(path, &fs) == 0 && S_ISLNK(fs.st_mode), "lstat of the fd link is a symlink");

	/* Opening the read end's link for writing gives a write end. */
	int w = open(path, O_WRONLY);
	CHECK_OK(w, "open /proc/self/fd/<read end> O_WRONLY");
	CHECK_EQ(write(w, "hello", 5), 5, "write through the reopened pipe");
	char buf[64] = { 0 };
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5, "read end gets it");
	CHECK(!memcmp(buf, "hello", 5), "same bytes");
	close(w);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
	int r = open(path, O_RDONLY);
	CHECK_OK(r, "open /dev/fd/<write end> O_RDONLY");
	CHECK_EQ(write(p[1], "xy", 2), 2, "write on the write end");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(read(r, buf, sizeof(buf)), 2, "reopened read end reads it");
	close(r);

	/* /dev/stdout when stdout is a pipe. */
	int saved = dup(1);
	int q[2];
	CHECK_OK(pipe(q), "pipe for stdout");
	dup2(q[1], 1);
	int so = open("/dev/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int so_err = errno;
	if (so >= 0) {
		(void)!write(so, "out", 3);
		close(so);
	}
	dup2(saved, 1);
	close(saved);
	CHECK(so >= 0, "open /dev/stdout (a pipe) with O_CREAT|O_TRUNC");
	if (so < 0)
		tap_diag("errno %s", tap_errname(so_err));
	memset(buf, 0, sizeof(buf));
	CHECK(read(q[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "out", 3), "written to the pipe");
	close(q[0]);
	close(q[1]);

	/* A regular file: the link gives its path; opening it is a new
	 * open of the same file (own offset). */
	char tmpl[] = "/tmp/procfs_selfXXXXXX";
	int fd = mkstemp(tmpl);
	CHECK_OK(fd, "mkstemp");
	CHECK_EQ(write(fd, "abcdef", 6), 6, "write file");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(link_is(path, tmpl), "readlink of a file's fd is its path");
	int fd2 = open(path, O_RDONLY);
	CHECK_OK(fd2, "open the file through its fd link");
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd2, buf, 3) == 3 && !memcmp(buf, "abc", 3), "new open starts at offset 0");
	struct stat s1, s2;
	CHECK(fstat(fd, &s1) == 0 && fstat(fd2, &s2) == 0 && s1.st_ino == s2.st_ino &&
		      s1.st_dev == s2.st_dev, "same file");
	close(fd2);
	unlink(tmpl);
	close(fd);
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "closed fd: the link is gone");
	CHECK_ERR(readlink(path, buf, sizeof(buf)), ENOENT, "closed fd: readlink ENOENT");

	/* exe and cwd. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe");
	exe[n > 0 ? n : 0] = 0;
	CHECK(exe[0] == '/' && strstr(exe, "procfs_self") != NULL, "exe names this program");
	struct stat es, ms;
	CHECK(stat("/proc/self/exe", &es) == 0 && stat(exe, &ms) == 0 && es.st_ino == ms.st_ino,
	      "following exe reaches the binary");
	char cwd[PATH_MAX];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	CHECK(link_is("/proc/self/cwd", cwd), "readlink /proc/self/cwd is getcwd()");
	CHECK_OK(chdir("/tmp"), "chdir /tmp");
	CHECK(link_is("/proc/self/cwd", "/tmp"), "cwd link follows chdir");
	CHECK(link_is("/proc/self/root", "/"), "readlink /proc/self/root is /");
	(void)!chdir(cwd);

	/* Names that do not exist. */
	CHECK_ERR(open("/proc/999999999/status", O_RDONLY), ENOENT, "missing pid: ENOENT");
	CHECK_ERR(open("/proc/0/status", O_RDONLY), ENOENT, "pid 0: ENOENT");
	CHECK_ERR(open("/proc/self/fd/99999", O_RDONLY), ENOENT, "missing fd: ENOENT");
	CHECK_ERR(open("/proc/self/fd/x", O_RDONLY), ENOENT, "bad fd name: ENOENT");
	CHECK_ERR(open("/proc/00001/status", O_RDONLY), ENOENT, "leading zero: ENOENT");
	CHECK_ERR(open("/proc/self/nonexistent", O_RDONLY), ENOENT, "missing pid entry: ENOENT");

	/* Writes to read-only files: a task file takes the open (as root)
	 * and refuses the write with EINVAL, or refuses the open (EACCES)
	 * for others; sysctl files refuse the open for everyone. */
	int sfd = open("/proc/self/status", O_WRONLY);
	if (sfd >= 0) {
		CHECK_ERR(write(sfd, "x", 1), EINVAL, "write /proc/self/status: EINVAL");
		close(sfd);
	} else {
		CHECK(errno == EACCES, "open /proc/self/status O_WRONLY: EACCES");
	}
	CHECK_ERR(open("/proc/sys/kernel/ostype", O_WRONLY), EACCES, "open ostype O_WRONLY: EACCES");
	if (geteuid() == 0) {
		CHECK_ERR(mkdir("/proc/newdir", 0755), ENOENT, "mkdir in /proc: ENOENT");
		CHECK_ERR(open("/proc/newfile", O_WRONLY | O_CREAT, 0644), ENOENT, "creat in /proc: ENOENT");
		CHECK_ERR(symlink("x", "/proc/newlink"), ENOENT, "symlink in /proc: ENOENT");
		CHECK_ERR(unlink("/proc/uptime"), EPERM, "unlink in /proc: EPERM");
	}

	/* Small and offset reads of a generated file reassemble it. */
	char whole[4096] = { 0 }, pieces[4096] = { 0 };
	int s = open("/proc/self/stat", O_RDONLY);
	ssize_t wn = read(s, whole, sizeof(whole) - 1);
	close(s);
	s = open("/proc/self/stat", O_RDONLY);
	size_t off = 0;
	ssize_t k;
	while (off < sizeof(pieces) - 1 && (k = read(s, pieces + off, 1)) == 1)
		off++;
	CHECK(wn > 0 && (size_t)wn == off && !memcmp(whole, pieces, off),
	      "one-byte reads of /proc/self/stat give the whole text");
	char one;
	CHECK_EQ(pread(s, &one, 1, 1LL << 40), 0, "pread far past the end: 0");
	close(s);

	/* A child sees itself. */
	pid_t c = fork();
	if (c == 0) {
		char me[32];
		snprintf(me, sizeof(me), "%d", getpid());
		_exit(link_is("/proc/self", me) ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child's /proc/self is its own pid");
	snprintf(path, sizeof(path), "/proc/%d", c);
	struct stat gone;
	CHECK_ERR(stat(path, &gone), ENOENT, "a reaped child's directory is gone");
	return tap_done();
}
