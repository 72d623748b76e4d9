/* time_sleep: nanosleep and clock_nanosleep sleep at least as long as
 * asked (short sleeps), absolute deadlines in the past return at once,
 * EINVAL for bad tv_nsec, negative tv_sec, bad clocks and flags, EFAULT. */
#include "tap.h"
#include <time.h>

static long now_ns(clockid_t c)
{
	struct timespec t;
	syscall(SYS_clock_gettime, c, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
	struct timespec req = { 0, 20 * 1000000L }, rem = { 7, 7 };
	long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_OK(syscall(SYS_nanosleep, &req, &rem), "nanosleep 20 ms");
	long dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(dt >= 20 * 1000000L, "slept at least 20 ms");
	CHECK(dt < 2000 * 1000000L, "and not absurdly long");
	CHECK_OK(syscall(SYS_nanosleep, &(struct timespec){ 0, 0 }, NULL), "nanosleep 0");

	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL), "clock_nanosleep relative 20 ms");
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20 * 1000000L, "slept at least 20 ms");
	long target = now_ns(CLOCK_MONOTONIC) + 15 * 1000000L;
	struct timespec abs = { target / 1000000000L, target % 1000000000L };
	CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), "clock_nanosleep absolute");
	CHECK(now_ns(CLOCK_MONOTONIC) >= target, "woke after the deadline");
	struct timespec past = { 0, 1 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), "absolute deadline in the past");
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 500 * 1000000L, "returns at once");
	long rt = now_ns(CLOCK_REALTIME) + 10 * 1000000L;
	struct timespec rabs = { rt / 1000000000L, rt % 1000000000L };
	CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &rabs, NULL), "CLOCK_REALTIME absolute");
	CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &(struct timespec){ 0, 1000 }, NULL), "CLOCK_BOOTTIME");

	CHECK_ERR(syscall(SYS_nanosleep, &(struct timespec){ 0, 1000000000L }, NULL), EINVAL, "tv_nsec 1e9 EINVAL");
	CHECK_ERR(syscall(SYS_nanosleep, &(struct timespec){ 0, -1 }, NULL), EINVAL, "negative tv_nsec EINVAL");
	CHECK_ERR(syscall(SYS_nanosleep, &(struct timespec){ -1, 0 }, NULL), EINVAL, "negative tv_sec EINVAL");
	CHECK_ERR(syscall(SYS_nanosleep, BAD_LOW, NULL), EFAULT, "bad request pointer EFAULT");
	/* clock_nanosleep returns the error number instead of setting errno. */
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ 0, 2000000000L }, NULL), EINVAL,
		 "clock_nanosleep bad tv_nsec EINVAL");
	CHECK_ERR(syscall(SYS_clock_nanosleep, 12345, 0, &req, NULL), EINVAL, "clock_nanosleep bad clock EINVAL");
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EOPNOTSUPP,
		  "clock_nanosleep on the thread CPU clock EOPNOTSUPP");
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_KERNEL, NULL), EFAULT,
		  "clock_nanosleep bad pointer EFAULT");
	return tap_done();
}
