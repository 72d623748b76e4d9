/* time_clock: clock_gettime/clock_getres for the standard clocks, ordering
 * of monotonic readings, agreement of gettimeofday/time with CLOCK_REALTIME,
 * EINVAL for bad clocks, EFAULT. Raw syscalls bypass the vDSO. */
#include "tap.h"
#include <sys/time.h>
#include <time.h>

static long ts_ns_diff(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
}

static int valid_ts(struct timespec t)
{
	return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000L;
}

int main(void)
{
	static const struct {
		clockid_t id;
		const char *name;
	} clocks[] = {
		{ CLOCK_REALTIME, "CLOCK_REALTIME" },
		{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
		{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
		{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
		{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
		{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
		{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
		{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
	};
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec t = { -1, -1 }, r = { -1, -1 };
		long g = syscall(SYS_clock_gettime, clocks[i].id, &t);
		CHECK(g == 0 && valid_ts(t), "clock_gettime %s", clocks[i].name);
		long s = syscall(SYS_clock_getres, clocks[i].id, &r);
		CHECK(s == 0 && valid_ts(r) && (r.tv_sec || r.tv_nsec), "clock_getres %s", clocks[i].name);
	}
	CHECK_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), "clock_getres with NULL result");

	struct timespec m0, m1, r0, b0;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m0);
	int increasing = 1;
	for (int i = 0; i < 1000; i++) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m1);
		if (ts_ns_diff(m0, m1) < 0)
			increasing = 0;
		m0 = m1;
	}
	CHECK(increasing, "CLOCK_MONOTONIC never goes back");
	syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &b0);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m1);
	CHECK(ts_ns_diff(m1, b0) <= 1000000, "CLOCK_BOOTTIME >= CLOCK_MONOTONIC");
	struct timespec c0, c1;
	syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (volatile int i = 0; i < 3000000; i++)
		;
	syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c1);
	CHECK(ts_ns_diff(c0, c1) > 0, "CPU time advances while spinning");

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &r0);
	CHECK(r0.tv_sec > 1600000000, "realtime is after 2020");
	struct timeval tv;
	CHECK_OK(syscall(SYS_gettimeofday, &tv, NULL), "gettimeofday");
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec in range");
	CHECK(tv.tv_sec - r0.tv_sec >= 0 && tv.tv_sec - r0.tv_sec <= 5, "gettimeofday agrees with CLOCK_REALTIME");
	CHECK_OK(syscall(SYS_gettimeofday, NULL, NULL), "gettimeofday with NULLs");
	time_t t1 = 0;
	long t0 = syscall(SYS_time, &t1);
	/* Linux's time(2) reads the timekeeper's coarse seconds, which may
	 * lag CLOCK_REALTIME read just before by up to a tick. */
	CHECK(t0 == t1 && t0 - r0.tv_sec >= -1 && t0 - r0.tv_sec <= 5, "time() returns and stores the time");
	CHECK(syscall(SYS_time, NULL) >= t0, "time(NULL)");

	struct timespec t;
	CHECK_ERR(syscall(SYS_clock_gettime, 12345, &t), EINVAL, "clock_gettime bad clock EINVAL");
	CHECK_ERR(syscall(SYS_clock_gettime, -1, &t), EINVAL, "clock_gettime clock -1 EINVAL");
	CHECK_ERR(syscall(SYS_clock_getres, 12345, &t), EINVAL, "clock_getres bad clock EINVAL");
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_LOW), EFAULT, "clock_gettime bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_clock_getres, CLOCK_REALTIME, BAD_KERNEL), EFAULT, "clock_getres kernel pointer EFAULT");
	CHECK_ERR(syscall(SYS_gettimeofday, BAD_LOW, NULL), EFAULT, "gettimeofday bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_time, BAD_LOW), EFAULT, "time bad pointer EFAULT");
	return tap_done();
}
