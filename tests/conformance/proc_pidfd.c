/* proc_pidfd: pidfds. pidfd_open of ourselves, of a thread with and
 * without PIDFD_THREAD, bad flags and pids; poll says readable once the
 * process has exited; waitid(P_PIDFD) reaps it, ECHILD afterwards, EAGAIN
 * on an O_NONBLOCK pidfd of a running child; pidfd_send_signal with and
 * without siginfo (forged si_code EPERM, mismatched signal EINVAL), to a
 * reaped process ESRCH, on a non-pidfd EBADF; pidfd_getfd copies a
 * descriptor of a child. */
#include "tap.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static long pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static long pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}
static long pidfd_getfd(int pidfd, int fd, unsigned flags) { return syscall(SYS_pidfd_getfd, pidfd, fd, flags); }

static pid_t spawn_pauser(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30);
		for (;;)
			pause();
	}
	return pid;
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);
	return n == 1 ? p.revents : n;
}

static volatile pid_t thread_tid;
static volatile int thread_stop;
static void *thread_fn(void *arg)
{
	thread_tid = syscall(SYS_gettid);
	while (!thread_stop)
		usleep(1000);
	return NULL;
}

int main(void)
{
	CHECK_ERR(pidfd_open(getpid(), 1), EINVAL, "unknown flags EINVAL");
	CHECK_ERR(pidfd_open(0, 0), EINVAL, "pid 0 EINVAL");
	CHECK_ERR(pidfd_open(-1, 0), EINVAL, "pid -1 EINVAL");
	CHECK_ERR(pidfd_open(0x3ffffff0, 0), ESRCH, "a pid nobody has ESRCH");

	int self = pidfd_open(getpid(), 0);
	CHECK(self >= 0, "pidfd_open of ourselves");
	CHECK_EQ(fcntl(self, F_GETFD), FD_CLOEXEC, "pidfds are close-on-exec");
	char b[8];
	CHECK_ERR(read(self, b, sizeof b), EINVAL, "read on a pidfd EINVAL");
	CHECK_EQ(poll_in(self, 0), 0, "a live process: not readable");
	CHECK_OK(pidfd_send_signal(self, 0, NULL, 0), "signal 0 to ourselves");
	CHECK_ERR(pidfd_send_signal(self, 0, NULL, 8), EINVAL, "unknown send flags EINVAL");
	CHECK_ERR(pidfd_send_signal(self, 65, NULL, 0), EINVAL, "bad signal EINVAL");
	CHECK_ERR(pidfd_send_signal(0, 0, NULL, 0), EBADF, "on a non-pidfd EBADF");
	CHECK_ERR(pidfd_send_signal(999, 0, NULL, 0), EBADF, "on a closed fd EBADF");
	close(self);

	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	while (!thread_tid)
		usleep(1000);
	CHECK_ERR(pidfd_open(thread_tid, 0), ENOENT, "a thread without PIDFD_THREAD ENOENT");
	int tfd = pidfd_open(thread_tid, PIDFD_THREAD);
	CHECK(tfd >= 0, "a thread with PIDFD_THREAD");
	thread_stop = 1;
	pthread_join(th, NULL);
	CHECK(poll_in(tfd, 1000) & POLLIN, "readable once the thread has exited");
	close(tfd);

	pid_t child = spawn_pauser();
	int fd = pidfd_open(child, PIDFD_NONBLOCK);
	CHECK(fd >= 0, "pidfd_open of a child, nonblocking");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN, "waitid on a nonblocking pidfd of a running child EAGAIN");
	CHECK_EQ(poll_in(fd, 0), 0, "running child: not readable");
	memset(&si, 0, sizeof si);
	si.si_signo = SIGTERM;
	si.si_code = SI_KERNEL;
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, &si, 0), EPERM, "a forged kernel si_code EPERM");
	si.si_code = SI_QUEUE;
	si.si_signo = SIGUSR1;
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, &si, 0), EINVAL, "si_signo differing from sig EINVAL");
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, (siginfo_t *)BAD_LOW, 0), EFAULT, "bad siginfo pointer EFAULT");
	CHECK_OK(pidfd_send_signal(fd, SIGTERM, NULL, 0), "SIGTERM through the pidfd");
	CHECK(poll_in(fd, 5000) == POLLIN, "readable once the child has exited");
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PIDFD, fd, &si, WEXITED), "waitid(P_PIDFD) reaps it");
	CHECK(si.si_pid == child && si.si_code == CLD_KILLED && si.si_status == SIGTERM, "with its pid and signal");
	CHECK(poll_in(fd, 0) == (POLLIN | POLLHUP), "reaped: POLLIN|POLLHUP");
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), ECHILD, "a second waitid ECHILD");
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, NULL, 0), ESRCH, "signal to a reaped process ESRCH");
	CHECK_ERR(waitid(P_PIDFD, 0, &si, WEXITED), EBADF, "waitid P_PIDFD on a non-pidfd EBADF");
	CHECK_ERR(waitid(P_PIDFD, 999, &si, WEXITED), EBADF, "waitid P_PIDFD on a closed fd EBADF");
	close(fd);

	/* pidfd_getfd: a descriptor of the child, here a pipe end. */
	int p[2];
	pipe(p);
	child = fork();
	if (child == 0) {
		close(p[0]);
		alarm(30);
		pause();
		_exit(0);
	}
	close(p[1]);
	fd = pidfd_open(child, 0);
	CHECK_ERR(pidfd_getfd(fd, p[1], 1), EINVAL, "pidfd_getfd flags EINVAL");
	CHECK_ERR(pidfd_getfd(fd, 999, 0), EBADF, "pidfd_getfd of a closed descriptor EBADF");
	CHECK_ERR(pidfd_getfd(0, 1, 0), EBADF, "pidfd_getfd on a non-pidfd EBADF");
	int got = pidfd_getfd(fd, p[1], 0);
	CHECK(got >= 0, "pidfd_getfd copies the child's write end");
	CHECK_EQ(fcntl(got, F_GETFD), FD_CLOEXEC, "close-on-exec");
	CHECK_EQ(write(got, "x", 1), 1, "and it writes into the pipe");
	char c = 0;
	CHECK(read(p[0], &c, 1) == 1 && c == 'x', "which we read");
	close(got);
	kill(child, SIGKILL);
	tap_wait(child, 0);
	CHECK_ERR(pidfd_getfd(fd, 1, 0), ESRCH, "pidfd_getfd of a reaped process ESRCH");
	close(fd);
	close(p[0]);
	return tap_done();
}
