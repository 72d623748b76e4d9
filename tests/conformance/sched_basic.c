/* sched_basic: sched_getaffinity/setaffinity (sizes, EINVAL for small
 * masks, EFAULT, ESRCH), sched_yield, sched_getscheduler/getparam,
 * priority ranges, getcpu agreeing with the affinity mask. */
#include "tap.h"
#include <sched.h>

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = CHECK_OK(syscall(SYS_sched_getaffinity, 0, sizeof set, &set), "sched_getaffinity");
	CHECK(n > 0 && n % 8 == 0 && n <= (long)sizeof set, "returns the kernel mask size in bytes");
	int count = CPU_COUNT(&set);
	CHECK(count >= 1, "at least one CPU allowed");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &set), EINVAL, "size not a multiple of 8 EINVAL");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL, "size 0 EINVAL");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, BAD_LOW), EFAULT, "bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0x3fffffff, sizeof set, &set), ESRCH, "missing pid ESRCH");
	CHECK_EQ(syscall(SYS_sched_getaffinity, getpid(), sizeof set, &set), n, "by our own pid");

	unsigned cpu = 99999, node = 99999;
	CHECK_OK(syscall(SYS_getcpu, &cpu, &node, NULL), "getcpu");
	CHECK(CPU_ISSET(cpu, &set), "getcpu returns an allowed CPU");
	CHECK_OK(syscall(SYS_getcpu, NULL, NULL, NULL), "getcpu with NULLs");

	CHECK_OK(syscall(SYS_sched_setaffinity, 0, sizeof set, &set), "sched_setaffinity to the same mask");
	cpu_set_t none;
	CPU_ZERO(&none);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof none, &none), EINVAL, "empty mask EINVAL");
	CHECK_OK(sched_yield(), "sched_yield");
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER, "SCHED_OTHER");
	struct sched_param sp = { 99 };
	CHECK_OK(sched_getparam(0, &sp), "sched_getparam");
	CHECK_EQ(sp.sched_priority, 0, "priority 0");
	CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99, "SCHED_FIFO max 99");
	CHECK_EQ(sched_get_priority_min(SCHED_FIFO), 1, "SCHED_FIFO min 1");
	CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0, "SCHED_OTHER max 0");
	CHECK_ERR(sched_get_priority_max(1234), EINVAL, "bad policy EINVAL");
	CHECK_ERR(sched_getscheduler(-1), EINVAL, "negative pid EINVAL");
	CHECK_ERR(sched_getparam(0x3fffffff, &sp), ESRCH, "missing pid ESRCH");
	CHECK_ERR(syscall(SYS_sched_getparam, 0, BAD_LOW), EFAULT, "bad param pointer EFAULT");
	return tap_done();
}
