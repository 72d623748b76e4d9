/* epoll(7): interest list errors, level/edge-triggered, EPOLLONESHOT,
 * nested epolls and loops, what closing a watched fd does, timeouts,
 * wakeups from other threads, EINTR (never restarted) and epoll_pwait's
 * signal mask. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>

#include "tap.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *late_writer(void *arg)
{
	usleep(50000);
	write(*(int *)arg, "x", 1);
	return NULL;
}

static void on_alarm(int sig) { (void)sig; }

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void)
{
	tap_close_extra_fds();
	struct epoll_event ev = { .events = EPOLLIN }, out[8];
	CHECK_ERR(epoll_create(0), EINVAL, "epoll_create(0) is EINVAL");
	CHECK_ERR(epoll_create1(1), EINVAL, "epoll_create1 unknown flag is EINVAL");
	int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC)");
	CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC, "close-on-exec set");
	int p[2];
	pipe(p);
	int reg = open("/proc/self/exe", O_RDONLY);
	if (reg < 0)
		reg = open("/bin/sh", O_RDONLY);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF, "bad target fd: EBADF");
	CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF, "bad epoll fd: EBADF");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM, "regular file: EPERM");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL, "epoll on itself: EINVAL");
	CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL, "epfd not an epoll: EINVAL");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)BAD_LOW), EFAULT, "bad event pointer: EFAULT");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT, "DEL of an unwatched fd: ENOENT");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT, "MOD of an unwatched fd: ENOENT");
	CHECK_ERR(epoll_ctl(ep, 42, p[0], &ev), EINVAL, "unknown op: EINVAL");
	CHECK_OK(add(ep, p[0], EPOLLIN, 11), "ADD pipe read end");
	CHECK_ERR(add(ep, p[0], EPOLLIN, 11), EEXIST, "second ADD: EEXIST");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL, "MOD with EPOLLEXCLUSIVE: EINVAL");
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL, "maxevents 0: EINVAL");
	CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL, "maxevents -1: EINVAL");
	CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL, "epoll_wait on a pipe: EINVAL");
	CHECK_ERR(epoll_wait(999, out, 1, 0), EBADF, "epoll_wait on a bad fd: EBADF");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "nothing ready");
	double t0 = now_s();
	CHECK_EQ(epoll_wait(ep, out, 8, 100), 0, "timeout with nothing ready");
	CHECK(now_s() - t0 >= 0.09, "waited the timeout");

	/* Level-triggered: reported while data is there. */
	write(p[1], "ab", 2);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "LT: ready after a write");
	CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 11, "LT: EPOLLIN with the data");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "LT: still ready");
	CHECK_ERR(syscall(SYS_epoll_wait, ep, BAD_LOW, 8, 0), EFAULT, "bad events buffer: EFAULT");
	char buf[8];
	read(p[0], buf, 8);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "LT: not ready once drained");

	/* Edge-triggered: once per change. */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 12;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "MOD to EPOLLET");
	write(p[1], "a", 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "ET: ready after a write");
	CHECK_EQ(out[0].data.u64, 12, "ET: new data after MOD");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "ET: not again without a change");
	write(p[1], "b", 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "ET: again after another write");
	read(p[0], buf, 8);

	/* One-shot: disabled after one event, MOD re-arms. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "MOD to EPOLLONESHOT");
	write(p[1], "a", 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "ONESHOT: first event");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "ONESHOT: disabled afterwards");
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), "ONESHOT: re-armed by MOD");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "ONESHOT: reported after re-arming");
	read(p[0], buf, 8);

	/* Several files; maxevents limits one call. */
	int e1 = eventfd(1, 0), e2 = eventfd(1, 0);
	CHECK_OK(add(ep, e1, EPOLLIN, 21), "ADD eventfd 1");
	CHECK_OK(add(ep, e2, EPOLLIN | EPOLLOUT, 22), "ADD eventfd 2");
	CHECK_EQ(epoll_wait(ep, out, 1, 0), 1, "maxevents 1 gives one event");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 2, "both eventfds ready");
	uint64_t sum = out[0].data.u64 + out[1].data.u64;
	CHECK_EQ(sum, 43, "both reported");
	CHECK_EQ(out[0].data.u64 == 22 ? out[0].events : out[1].events, EPOLLIN | EPOLLOUT, "IN|OUT");
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, e1, NULL), "DEL eventfd 1");
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, e2, NULL), "DEL eventfd 2");

	/* Closing: the item lives as long as the file does. */
	int d = dup(e1);
	CHECK_OK(add(ep, e1, EPOLLIN, 31), "ADD eventfd");
	close(e1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "closed fd with a dup still reported");
	CHECK_EQ(out[0].data.u64, 31, "with its data");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, e1, NULL), EBADF, "DEL of the closed fd: EBADF");
	close(d);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "last reference closed: item gone");
	close(e2);

	/* HUP when the writer goes. */
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), "DEL pipe");
	int q[2];
	pipe(q);
	CHECK_OK(add(ep, q[0], EPOLLIN, 41), "ADD another pipe");
	close(q[1]);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "writer closed: ready");
	CHECK_EQ(out[0].events, EPOLLHUP, "EPOLLHUP without asking");
	close(q[0]);

	/* Nested epolls and loops. */
	int inner = epoll_create1(0), third = epoll_create1(0);
	CHECK_OK(add(inner, p[0], EPOLLIN, 51), "inner watches the pipe");
	CHECK_OK(add(ep, inner, EPOLLIN, 52), "outer watches inner");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(third, EPOLL_CTL_ADD, inner, &ev), EINVAL, "EPOLLEXCLUSIVE on an epoll: EINVAL");
	CHECK_ERR(add(inner, ep, EPOLLIN, 0), ELOOP, "a cycle: ELOOP");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "nested: nothing ready");
	write(p[1], "a", 1);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 1, "nested: inner ready");
	CHECK(out[0].data.u64 == 52 && out[0].events == EPOLLIN, "nested: inner reported as EPOLLIN");
	struct pollfd pf = { inner, POLLIN, 0 };
	CHECK_EQ(poll(&pf, 1, 0), 1, "poll on an epoll fd");
	read(p[0], buf, 8);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "nested: not ready after draining");
	pthread_t th;
	pthread_create(&th, NULL, late_writer, &p[1]);
	CHECK_EQ(epoll_wait(ep, out, 8, 5000), 1, "nested: wait woken by a thread's write");
	pthread_join(th, NULL);
	read(p[0], buf, 8);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, inner, NULL), "DEL inner");
	close(third);

	/* Blocking wait woken by another thread. */
	CHECK_OK(add(ep, p[0], EPOLLIN, 61), "ADD pipe again");
	pthread_create(&th, NULL, late_writer, &p[1]);
	CHECK_EQ(epoll_wait(ep, out, 8, -1), 1, "infinite wait woken by a write");
	pthread_join(th, NULL);
	read(p[0], buf, 8);

	/* A signal interrupts with EINTR, even with SA_RESTART. */
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	ualarm(50000, 0);
	CHECK_ERR(epoll_wait(ep, out, 8, 5000), EINTR, "signal: EINTR despite SA_RESTART");
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	ualarm(30000, 0);
	CHECK_EQ(epoll_pwait(ep, out, 8, 100, &block), 0, "epoll_pwait: masked signal does not interrupt");
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGALRM), "signal delivered after the mask came back");
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 8, 0, &block, 4), EINVAL, "epoll_pwait bad sigsetsize: EINVAL");
	struct timespec ts = { 0, 1000000000 };
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), EINVAL, "epoll_pwait2 bad timespec: EINVAL");
	ts.tv_nsec = 20000000;
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), 0, "epoll_pwait2 timeout");
	close(ep);
	close(inner);
	return tap_done();
}
