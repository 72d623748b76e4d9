/* timerfd_create(2): clocks and flags, one-shot and periodic expirations,
 * TFD_TIMER_ABSTIME, gettime, blocking and nonblocking reads, poll and
 * epoll wakeups, and what settime does to unread expirations. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "tap.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct itimerspec its(long v_ns, long i_ns)
{
	struct itimerspec s = { { i_ns / 1000000000, i_ns % 1000000000 }, { v_ns / 1000000000, v_ns % 1000000000 } };
	return s;
}

int main(void)
{
	tap_close_extra_fds();
	uint64_t v;
	struct itimerspec s, old;
	CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL, "CPU-time clock: EINVAL");
	CHECK_ERR(timerfd_create(12345, 0), EINVAL, "unknown clock: EINVAL");
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x4), EINVAL, "unknown flag: EINVAL");
	int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "CLOCK_MONOTONIC, NONBLOCK|CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec set");
	CHECK_ERR(read(fd, &v, 8), EAGAIN, "disarmed: EAGAIN");
	char small[4];
	CHECK_ERR(read(fd, small, 4), EINVAL, "4-byte read: EINVAL");
	CHECK_OK(timerfd_gettime(fd, &s), "gettime disarmed");
	CHECK(s.it_value.tv_sec == 0 && s.it_value.tv_nsec == 0, "disarmed: value 0");
	s = its(0, 0);
	s.it_value.tv_nsec = 1000000000;
	CHECK_ERR(timerfd_settime(fd, 0, &s, NULL), EINVAL, "tv_nsec 1e9: EINVAL");
	s = its(-1, 0);
	s.it_value.tv_sec = -1;
	CHECK_ERR(timerfd_settime(fd, 0, &s, NULL), EINVAL, "negative value: EINVAL");
	s = its(1000000, 0);
	CHECK_ERR(timerfd_settime(fd, 0x8, &s, NULL), EINVAL, "unknown settime flag: EINVAL");
	CHECK_ERR(timerfd_settime(fd, 0, BAD_LOW, NULL), EFAULT, "bad new value: EFAULT");
	CHECK_ERR(timerfd_settime(999, 0, &s, NULL), EBADF, "bad fd: EBADF");
	CHECK_ERR(timerfd_settime(0, 0, &s, NULL), EINVAL, "not a timerfd: EINVAL");
	CHECK_ERR(timerfd_gettime(fd, BAD_LOW), EFAULT, "gettime bad pointer: EFAULT");

	/* One-shot, relative. */
	s = its(50000000, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, &old), "arm 50 ms one-shot");
	CHECK_OK(timerfd_gettime(fd, &s), "gettime armed");
	long left = s.it_value.tv_sec * 1000000000L + s.it_value.tv_nsec;
	CHECK(left > 0 && left <= 50000000, "remaining time within 50 ms");
	CHECK_ERR(read(fd, &v, 8), EAGAIN, "not expired yet: EAGAIN");
	struct pollfd p = { fd, POLLIN, 0 };
	double t0 = now_s();
	CHECK_EQ(poll(&p, 1, 5000), 1, "poll woken by the expiration");
	double dt = now_s() - t0;
	CHECK(dt >= 0.04 && dt < 2, "after about 50 ms");
	CHECK_EQ(read(fd, &v, 8), 8, "read 8 bytes");
	CHECK_EQ(v, 1, "one expiration");
	CHECK_ERR(read(fd, &v, 8), EAGAIN, "read resets the count");
	CHECK_OK(timerfd_gettime(fd, &s), "gettime after a one-shot");
	CHECK(s.it_value.tv_sec == 0 && s.it_value.tv_nsec == 0, "expired one-shot is disarmed");

	/* Periodic: expirations accumulate. */
	s = its(10000000, 10000000);
	CHECK_OK(timerfd_settime(fd, 0, &s, NULL), "arm 10 ms periodic");
	usleep(105000);
	CHECK_EQ(read(fd, &v, 8), 8, "read the count");
	CHECK(v >= 9 && v <= 12, "about ten expirations");
	tap_diag("periodic count %lu", (unsigned long)v);
	CHECK_OK(timerfd_gettime(fd, &s), "gettime periodic");
	CHECK(s.it_interval.tv_nsec == 10000000 && s.it_interval.tv_sec == 0, "interval reported");

	/* Re-arming forgets unread expirations; old value is returned. */
	usleep(25000);
	s = its(0, 0);
	CHECK_OK(timerfd_settime(fd, 0, &s, &old), "disarm");
	CHECK(old.it_interval.tv_nsec == 10000000, "old interval returned");
	CHECK_ERR(read(fd, &v, 8), EAGAIN, "unread expirations are gone after settime");

	/* Absolute time on CLOCK_REALTIME, in the past: expires at once. */
	int rfd = CHECK_OK(timerfd_create(CLOCK_REALTIME, 0), "CLOCK_REALTIME blocking timerfd");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	s = its(0, 0);
	s.it_value.tv_sec = now.tv_sec - 1;
	CHECK_OK(timerfd_settime(rfd, TFD_TIMER_ABSTIME, &s, NULL), "arm absolute in the past");
	CHECK_EQ(read(rfd, &v, 8), 8, "blocking read returns at once");
	CHECK_EQ(v, 1, "one expiration");
	clock_gettime(CLOCK_REALTIME, &now);
	s = its(0, 0);
	s.it_value = now;
	s.it_value.tv_nsec += 40000000;
	if (s.it_value.tv_nsec >= 1000000000) {
		s.it_value.tv_nsec -= 1000000000;
		s.it_value.tv_sec++;
	}
	CHECK_OK(timerfd_settime(rfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL), "arm absolute 40 ms ahead");
	t0 = now_s();
	CHECK_EQ(read(rfd, &v, 8), 8, "blocking read waits for it");
	dt = now_s() - t0;
	CHECK(dt >= 0.02 && dt < 2, "after about 40 ms");
	close(rfd);

	/* epoll sees it. */
	int bfd = CHECK_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK), "CLOCK_BOOTTIME timerfd");
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[2];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, bfd, &ev), "epoll watches it");
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0, "disarmed: not ready");
	s = its(30000000, 0);
	timerfd_settime(bfd, 0, &s, NULL);
	CHECK_EQ(epoll_wait(ep, out, 2, 5000), 1, "epoll_wait woken by the expiration");
	CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 7, "EPOLLIN with the data");
	read(bfd, &v, 8);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0, "not ready after the read");
	close(ep);
	close(bfd);
	close(fd);
	return tap_done();
}
