/* procfs_pid: the files of /proc/<pid>: status and stat agree with
 * getpid/getppid/getuid/getpgrp/getsid, cmdline is argv, environ holds
 * the environment, comm the name, maps shows a fresh mapping at its
 * address, task/ lists a new thread's gettid(), and a child's files are
 * readable by its parent. Relations only, no host-specific values. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

extern char **environ;

/* The whole of a proc file into buf (NUL-terminated); its length. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t off = 0;
	ssize_t r;
	while (off < n - 1 && (r = read(fd, buf + off, n - 1 - off)) > 0)
		off += (size_t)r;
	close(fd);
	buf[off] = 0;
	return (ssize_t)off;
}

/* The number after "Key:" in a status text, or -1. */
static long status_field(const char *text, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\n%s:", key);
	const char *p = strstr(text, pat);
	if (!p)
		return -1;
	return strtol(p + strlen(pat), NULL, 10);
}

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

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int thread_tid, thread_done;
static char thread_self[64];

static void *thread_main(void *arg)
{
	char buf[64];
	ssize_t n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
	pthread_mutex_lock(&mu);
	if (n > 0) {
		buf[n] = 0;
		strcpy(thread_self, buf);
	}
	thread_tid = gettid();
	pthread_cond_broadcast(&cv);
	while (!thread_done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	char path[PATH_MAX];

	/* status */
	CHECK(slurp("/proc/self/status", buf, sizeof(buf)) > 0, "read /proc/self/status");
	CHECK(!strncmp(buf, "Name:\t", 6), "status starts with Name:");
	CHECK_EQ(status_field(buf, "Tgid"), getpid(), "status Tgid is getpid()");
	CHECK_EQ(status_field(buf, "Pid"), gettid(), "status Pid is gettid()");
	CHECK_EQ(status_field(buf, "PPid"), getppid(), "status PPid is getppid()");
	CHECK_EQ(status_field(buf, "Uid"), (long)getuid(), "status Uid is getuid()");
	CHECK_EQ(status_field(buf, "Gid"), (long)getgid(), "status Gid is getgid()");
	CHECK_EQ(status_field(buf, "Threads"), 1, "status Threads is 1");
	CHECK(status_field(buf, "VmRSS") > 0, "status VmRSS is positive");
	CHECK(status_field(buf, "VmSize") >= status_field(buf, "VmRSS"), "VmSize >= VmRSS");
	CHECK(strstr(buf, "\nState:\tR (running)\n") != NULL, "status State of self is R (running)");

	/* stat */
	CHECK(slurp("/proc/self/stat", buf, sizeof(buf)) > 0, "read /proc/self/stat");
	int pid = 0, ppid = 0, pgrp = 0, sid = 0;
	char state = 0;
	char *close_paren = strrchr(buf, ')');
	CHECK_EQ(sscanf(buf, "%d", &pid), 1, "stat field 1");
	CHECK_EQ(pid, getpid(), "stat pid is getpid()");
	CHECK(close_paren && sscanf(close_paren + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid) == 4,
	      "stat fields 3-6");
	CHECK_EQ(state, 'R', "stat state R");
	CHECK_EQ(ppid, getppid(), "stat ppid is getppid()");
	CHECK_EQ(pgrp, getpgrp(), "stat pgrp is getpgrp()");
	CHECK_EQ(sid, getsid(0), "stat session is getsid(0)");
	int fields = 0;
	for (char *p = close_paren + 1; p && *p;) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		fields++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	CHECK(fields + 2 >= 52, "stat has at least 52 fields");
	char comm[32] = { 0 };
	char *open_paren = strchr(buf, '(');
	if (open_paren && close_paren && close_paren - open_paren - 1 < (long)sizeof(comm))
		memcpy(comm, open_paren + 1, (size_t)(close_paren - open_paren - 1));

	/* comm */
	char cbuf[64];
	CHECK(slurp("/proc/self/comm", cbuf, sizeof(cbuf)) > 0, "read comm");
	char want[64];
	snprintf(want, sizeof(want), "%s\n", comm);
	CHECK(!strcmp(cbuf, want), "comm is stat's (comm) and a newline");
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	CHECK(!strncmp(comm, base, 15), "comm is the program's name");

	/* cmdline is argv, NUL-separated. */
	ssize_t n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	size_t expect = 0;
	for (int i = 0; i < argc; i++)
		expect += strlen(argv[i]) + 1;
	bool same = n == (ssize_t)expect;
	for (int i = 0, off = 0; same && i < argc; off += (int)strlen(argv[i]) + 1, i++)
		same = !strcmp(buf + off, argv[i]);
	CHECK(same, "cmdline is argv");

	/* environ holds every variable. */
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	bool all = n >= 0;
	for (char **e = environ; all && *e; e++) {
		bool found = false;
		for (ssize_t off = 0; off < n; off += (ssize_t)strlen(buf + off) + 1)
			if (!strcmp(buf + off, *e))
				found = true;
		all = found;
	}
	CHECK(all, "environ holds the environment");

	/* maps shows a fresh mapping at its address with its protections. */
	void *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_OK(mprotect((char *)m + 4096, 4096, PROT_READ), "mprotect the middle page");
	CHECK(slurp("/proc/self/maps", buf, sizeof(buf)) > 0, "read maps");
	char line[128];
	snprintf(line, sizeof(line), "%lx-%lx r--p 00000000 00:00 0",
		 (unsigned long)m + 4096, (unsigned long)m + 8192);
	CHECK(strstr(buf, line) != NULL, "maps has the read-only page of the mapping");
	snprintf(line, sizeof(line), "%lx-", (unsigned long)m);
	CHECK(strstr(buf, line) != NULL, "maps has the start of the mapping");
	CHECK(strstr(buf, "[stack]") != NULL, "maps has [stack]");
	char exe[PATH_MAX];
	ssize_t en = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[en > 0 ? en : 0] = 0;
	CHECK(en > 0 && strstr(buf, exe) != NULL, "maps names the executable");
	munmap(m, 3 * 4096);

	/* task/ lists a new thread; thread-self in it names it. */
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, thread_main, NULL), 0, "pthread_create");
	pthread_mutex_lock(&mu);
	while (!thread_tid)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	char tid[32];
	snprintf(tid, sizeof(tid), "%d", thread_tid);
	CHECK(dir_has("/proc/self/task", tid), "task/ lists the thread's tid");
	snprintf(tid, sizeof(tid), "%d", gettid());
	CHECK(dir_has("/proc/self/task", tid), "task/ lists the main thread");
	snprintf(want, sizeof(want), "%d/task/%d", getpid(), thread_tid);
	CHECK(!strcmp(thread_self, want), "thread-self in the thread is pid/task/tid");
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", thread_tid);
	CHECK(slurp(path, buf, sizeof(buf)) > 0, "read task/<tid>/status");
	CHECK_EQ(status_field(buf, "Pid"), thread_tid, "its Pid is the tid");
	CHECK_EQ(status_field(buf, "Tgid"), getpid(), "its Tgid is getpid()");
	CHECK_EQ(status_field(buf, "Threads"), 2, "Threads is 2");
	snprintf(tid, sizeof(tid), "%d", thread_tid);
	CHECK(!dir_has("/proc", tid), "readdir /proc does not list threads");
	snprintf(path, sizeof(path), "/proc/self/task/%d/task", thread_tid);
	struct stat st;
	CHECK_ERR(stat(path, &st), ENOENT, "no task/ inside task/<tid>/");
	pthread_mutex_lock(&mu);
	thread_done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(th, NULL);

	/* A child's files, read by its parent. */
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	pid_t c = fork();
	if (c == 0) {
		char x;
		close(p[1]);
		(void)!read(p[0], &x, 1);
		_exit(0);
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/status", c);
	CHECK(slurp(path, buf, sizeof(buf)) > 0, "read the child's status");
	CHECK_EQ(status_field(buf, "Pid"), c, "child's Pid");
	CHECK_EQ(status_field(buf, "PPid"), getpid(), "child's PPid is us");
	snprintf(path, sizeof(path), "/proc/%d/stat", c);
	bool sleeping = false;
	for (int i = 0; i < 200 && !sleeping; i++) {
		sleeping = slurp(path, buf, sizeof(buf)) > 0 && strstr(buf, ") S ") != NULL;
		if (!sleeping)
			usleep(10000);
	}
	CHECK(sleeping, "child blocked in read is S (sleeping)");
	snprintf(path, sizeof(path), "/proc/%d/exe", c);
	char cexe[PATH_MAX];
	ssize_t cn = readlink(path, cexe, sizeof(cexe) - 1);
	cexe[cn > 0 ? cn : 0] = 0;
	CHECK(cn > 0 && !strcmp(cexe, exe), "child's exe is ours");
	snprintf(path, sizeof(path), "/proc/%d", c);
	int cdir = open(path, O_RDONLY | O_DIRECTORY);
	CHECK_OK(cdir, "open the child's directory");
	int sfd = openat(cdir, "status", O_RDONLY);
	CHECK_OK(sfd, "open the child's status");
	close(sfd);
	close(p[1]);
	int ws;
	waitpid(c, &ws, 0);
	CHECK(WIFEXITED(ws), "child exited");
	CHECK_ERR(openat(cdir, "status", O_RDONLY), ESRCH, "its status after reaping: ESRCH");
	CHECK_ERR(openat(cdir, ".", O_RDONLY | O_DIRECTORY), ESRCH, "its directory after reaping: ESRCH");
	CHECK_ERR(open(path, O_RDONLY | O_DIRECTORY), ENOENT, "its name after reaping: ENOENT");
	close(cdir);
	return tap_done();
}
