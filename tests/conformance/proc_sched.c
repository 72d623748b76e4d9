/* proc_sched: scheduling policy, affinity and personality (changes in
 * forked children). sched_setscheduler to SCHED_BATCH, SCHED_IDLE and, as
 * root, SCHED_FIFO priority 1 (read back with getscheduler/getparam);
 * priority out of range for the policy EINVAL; bad policy EINVAL; an
 * unprivileged process cannot pick a real-time policy (EPERM);
 * SCHED_RESET_ON_FORK gives children SCHED_OTHER; sched_rr_get_interval;
 * pinning to one CPU makes getcpu report it and getaffinity return it;
 * personality query and set, ADDR_NO_RANDOMIZE round trip. */
#include "tap.h"
#include <sched.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <time.h>

static void policies(void *arg)
{
	struct sched_param sp = { 0 };
	CHECK_OK(sched_setscheduler(0, SCHED_BATCH, &sp), "SCHED_BATCH");
	CHECK_EQ(sched_getscheduler(0), SCHED_BATCH, "read back");
	CHECK_OK(sched_setscheduler(0, SCHED_IDLE, &sp), "SCHED_IDLE");
	CHECK_EQ(sched_getscheduler(0), SCHED_IDLE, "read back");
	sp.sched_priority = 5;
	CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL, "SCHED_OTHER with priority 5 EINVAL");
	sp.sched_priority = 100;
	CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &sp), EINVAL, "SCHED_FIFO priority 100 EINVAL");
	CHECK_ERR(sched_setscheduler(0, 42, &sp), EINVAL, "bad policy EINVAL");
	CHECK_ERR(sched_setscheduler(-1, SCHED_OTHER, &sp), EINVAL, "negative pid EINVAL");
	sp.sched_priority = 1;
	CHECK_OK(sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp), "SCHED_FIFO 1 with RESET_ON_FORK as root");
	CHECK_EQ(sched_getscheduler(0), SCHED_FIFO | SCHED_RESET_ON_FORK, "getscheduler shows both");
	sp.sched_priority = -1;
	CHECK_OK(sched_getparam(0, &sp), "getparam");
	CHECK_EQ(sp.sched_priority, 1, "priority 1");
	sp.sched_priority = 0;
	CHECK_ERR(sched_setparam(0, &sp), EINVAL, "setparam priority 0 under SCHED_FIFO EINVAL");
	pid_t c = fork();
	if (c == 0)
		_exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
	int st = tap_wait(c, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child was reset to SCHED_OTHER");
	struct timespec ts;
	CHECK_OK(sched_rr_get_interval(0, &ts), "sched_rr_get_interval");
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	CHECK_OK(setresuid(1000, 1000, 1000), "drop to uid 1000");
	sp.sched_priority = 1;
	CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &sp), EPERM, "unprivileged SCHED_FIFO EPERM");
}

static void pinning(void *arg)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK_OK(sched_setaffinity(0, sizeof set, &set), "pin to CPU 0");
	sched_yield();
	unsigned cpu = 99;
	CHECK_OK(syscall(SYS_getcpu, &cpu, NULL, NULL), "getcpu");
	CHECK_EQ(cpu, 0, "we run on CPU 0");
	cpu_set_t got;
	CPU_ZERO(&got);
	sched_getaffinity(0, sizeof got, &got);
	CHECK(CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got), "getaffinity returns just CPU 0");
	pid_t c = fork();
	if (c == 0) {
		cpu_set_t s;
		sched_getaffinity(0, sizeof s, &s);
		_exit(CPU_COUNT(&s) == 1 ? 0 : 1);
	}
	int st = tap_wait(c, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child inherits the affinity");
}

static void persona(void *arg)
{
	int p = personality(0xffffffff);
	CHECK_EQ(p & PER_MASK, PER_LINUX, "personality query: PER_LINUX");
	CHECK_EQ(personality(PER_LINUX | ADDR_NO_RANDOMIZE), p, "set returns the old value");
	CHECK_EQ(personality(0xffffffff), PER_LINUX | ADDR_NO_RANDOMIZE, "ADDR_NO_RANDOMIZE round trip");
	personality(p);
}

int main(void)
{
	tap_in_child(policies, NULL);
	tap_in_child(pinning, NULL);
	tap_in_child(persona, NULL);
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER, "the test itself is still SCHED_OTHER");
	return tap_done();
}
