/* wait_rusage: resource usage of children. wait4 fills the reaped child's
 * rusage (CPU time of a child that burned CPU, maxrss); RUSAGE_CHILDREN
 * counts only reaped children (not running or zombie ones) and grows after
 * the reap; RUSAGE_SELF/RUSAGE_THREAD; getrusage EINVAL for a bad who;
 * times() tms_cutime follows the reaped children. */
#include "tap.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static long cpu_ns(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static long tv_us(struct timeval tv) { return tv.tv_sec * 1000000L + tv.tv_usec; }

/* Burns about ms milliseconds of CPU time. */
static void burn(int ms)
{
	long end = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * 1000000L;
	volatile unsigned long x = 0;
	while (cpu_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

int main(void)
{
	struct rusage before, ru, after;
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &before), "RUSAGE_CHILDREN");
	CHECK_ERR(getrusage(42, &ru), EINVAL, "bad who EINVAL");
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, BAD_LOW), EFAULT, "bad pointer EFAULT");
	struct tms t0;
	times(&t0);

	pid_t pid = fork();
	if (pid == 0) {
		burn(150);
		_exit(0);
	}
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	getrusage(RUSAGE_CHILDREN, &ru);
	CHECK_EQ(tv_us(ru.ru_utime) + tv_us(ru.ru_stime), tv_us(before.ru_utime) + tv_us(before.ru_stime),
		 "a zombie's CPU time is not yet in RUSAGE_CHILDREN");
	int st;
	memset(&ru, 0, sizeof ru);
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid, "wait4 with rusage");
	long child_us = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	tap_diag("child cpu %ld us", child_us);
	CHECK(child_us >= 50000, "child's CPU time is at least a third of what it burned");
	CHECK(child_us < 10000000, "and not absurd");
	CHECK(ru.ru_maxrss > 0, "maxrss is set");
	getrusage(RUSAGE_CHILDREN, &after);
	long grown = tv_us(after.ru_utime) + tv_us(after.ru_stime) - tv_us(before.ru_utime) - tv_us(before.ru_stime);
	CHECK(grown >= 50000, "RUSAGE_CHILDREN grew after the reap");
	struct tms t1;
	times(&t1);
	CHECK(t1.tms_cutime + t1.tms_cstime - t0.tms_cutime - t0.tms_cstime >= 5,
	      "times() child CPU grew by at least 5 ticks");

	long self0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	burn(60);
	struct rusage self, thr;
	CHECK_OK(getrusage(RUSAGE_SELF, &self), "RUSAGE_SELF");
	CHECK_OK(getrusage(RUSAGE_THREAD, &thr), "RUSAGE_THREAD");
	long self_us = tv_us(self.ru_utime) + tv_us(self.ru_stime);
	CHECK(self_us * 1000 >= cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - self0 - 20000000L, "RUSAGE_SELF counts our burn");
	CHECK(tv_us(thr.ru_utime) + tv_us(thr.ru_stime) <= self_us + 10000, "thread time <= process time");
	CHECK(self.ru_maxrss > 0, "our maxrss is set");
	clock_t c0 = times(NULL);
	CHECK(c0 != (clock_t)-1, "times(NULL) returns the tick count");
	return tap_done();
}
