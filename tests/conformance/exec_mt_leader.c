/* exec_mt_leader: execve from the leader while other threads are blocked
 * in a pipe read, in nanosleep and in a busy loop. After the exec: one
 * thread with tid == pid, pid unchanged, old thread IDs gone (tgkill
 * ESRCH), the pipe the killed reader was blocked on is intact and usable
 * (its descriptors had no close-on-exec), a close-on-exec descriptor is
 * closed. TAP numbering continues across the exec. */
#include "tap.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile pid_t tids[3];
static volatile int started;
static int pipefd[2];

static void *reader(void *arg)
{
	tids[0] = syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	char c;
	read(pipefd[0], &c, 1);
	return arg;
}

static void *sleeper(void *arg)
{
	tids[1] = syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	struct timespec ts = { 1000, 0 };
	nanosleep(&ts, NULL);
	return arg;
}

static void *spinner(void *arg)
{
	tids[2] = syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (volatile unsigned long i = 0;; i++)
		;
	return arg;
}

static void phase2(char **argv)
{
	tap_set_count(atoi(argv[2]) - 1);
	pid_t pid = atoi(argv[3]);
	CHECK(1, "execve from the leader with three other threads");
	CHECK_EQ(getpid(), pid, "pid unchanged");
	CHECK_EQ(syscall(SYS_gettid), pid, "tid is the pid");
	for (int i = 0; i < 3; i++)
		CHECK_ERR(syscall(SYS_tgkill, pid, atoi(argv[4 + i]), 0), ESRCH, "old thread %d (%s) is gone", i,
			  i == 0 ? "pipe reader" : i == 1 ? "sleeper" : "spinner");
	int rd = atoi(argv[7]), wr = atoi(argv[8]);
	CHECK_EQ(write(wr, "z", 1), 1, "write to the pipe the killed thread was reading");
	char c = 0;
	CHECK_EQ(read(rd, &c, 1), 1, "read it back");
	CHECK_EQ(c, 'z', "the data is intact");
	CHECK_ERR(fcntl(atoi(argv[9]), F_GETFD), EBADF, "close-on-exec descriptor closed");
}

int main(int argc, char **argv)
{
	if (argc == 10 && strcmp(argv[1], "phase2") == 0) {
		phase2(argv);
		return tap_done();
	}
	CHECK_OK(pipe(pipefd), "pipe");
	int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_OK(cloexec, "a close-on-exec descriptor");
	pthread_t a, b, c;
	CHECK_EQ(pthread_create(&a, NULL, reader, NULL), 0, "thread blocked reading a pipe");
	CHECK_EQ(pthread_create(&b, NULL, sleeper, NULL), 0, "thread in nanosleep");
	CHECK_EQ(pthread_create(&c, NULL, spinner, NULL), 0, "thread in a busy loop");
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 3)
		sched_yield();
	char args[7][16];
	snprintf(args[0], 16, "%d", tap_count + 1);
	snprintf(args[1], 16, "%d", getpid());
	for (int i = 0; i < 3; i++)
		snprintf(args[2 + i], 16, "%d", tids[i]);
	snprintf(args[5], 16, "%d", pipefd[0]);
	snprintf(args[6], 16, "%d", pipefd[1]);
	char cl[16];
	snprintf(cl, sizeof cl, "%d", cloexec);
	char *nargv[] = { argv[0], "phase2", args[0], args[1], args[2], args[3], args[4], args[5], args[6], cl, NULL };
	char *envp[] = { NULL };
	fflush(stdout);
	execve(argv[0], nargv, envp);
	CHECK(0, "execve failed: %s", tap_errname(errno));
	return tap_done();
}
