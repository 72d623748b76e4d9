/* timer_itimer: alarm and the interval timers. alarm returns the seconds
 * left of the previous alarm (rounded) and alarm(0) cancels; alarm and
 * ITIMER_REAL are the same timer; setitimer returns the old value;
 * getitimer counts down; a periodic ITIMER_REAL fires repeatedly and stops
 * when disarmed; ITIMER_VIRTUAL and ITIMER_PROF fire after CPU time is
 * used (SIGVTALRM, SIGPROF); EINVAL for a bad which and tv_usec >= 1e6;
 * EFAULT for bad pointers. */
#include "tap.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile int alrm, vtalrm, prof;
static void on_alrm(int sig) { alrm++; }
static void on_vt(int sig) { vtalrm++; }
static void on_prof(int sig) { prof++; }

static long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Burns CPU until *flag is set or 3 s of wall time pass. */
static int burn_until(volatile int *flag)
{
	long end = mono_ms() + 3000;
	volatile unsigned long x = 0;
	while (!*flag && mono_ms() < end)
		for (int i = 0; i < 100000; i++)
			x += i;
	return *flag;
}

int main(void)
{
	signal(SIGALRM, on_alrm);
	CHECK_EQ(alarm(100), 0, "no previous alarm: 0");
	CHECK_EQ(alarm(50), 100, "previous alarm's seconds left (100)");
	struct itimerval it;
	CHECK_OK(getitimer(ITIMER_REAL, &it), "getitimer ITIMER_REAL");
	CHECK(it.it_value.tv_sec >= 48 && it.it_value.tv_sec <= 50, "alarm is ITIMER_REAL: about 50 s left");
	CHECK(it.it_interval.tv_sec == 0 && it.it_interval.tv_usec == 0, "no interval");
	CHECK_EQ(alarm(0), 50, "alarm(0) returns what was left");
	getitimer(ITIMER_REAL, &it);
	CHECK(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0, "and cancels it");

	struct itimerval set = { .it_interval = { 0, 20000 }, .it_value = { 0, 20000 } }, old;
	CHECK_OK(setitimer(ITIMER_REAL, &set, NULL), "periodic ITIMER_REAL every 20 ms");
	long end = mono_ms() + 5000;
	while (alrm < 3 && mono_ms() < end)
		pause();
	CHECK(alrm >= 3, "it fired at least three times");
	struct itimerval zero = { 0 };
	CHECK_OK(setitimer(ITIMER_REAL, &zero, &old), "disarm");
	CHECK(old.it_interval.tv_usec == 20000 && old.it_interval.tv_sec == 0, "the old value has the interval");
	CHECK(old.it_value.tv_sec == 0 && old.it_value.tv_usec <= 20000, "and a value within one interval");
	int n = alrm;
	struct timespec ts = { 0, 60 * 1000000L };
	nanosleep(&ts, NULL);
	CHECK_EQ(alrm, n, "no more expirations after disarming");

	set = (struct itimerval){ .it_value = { 10, 0 } };
	setitimer(ITIMER_REAL, &set, NULL);
	CHECK_EQ(alarm(0), 10, "alarm(0) reports a setitimer value, rounded");

	signal(SIGVTALRM, on_vt);
	set = (struct itimerval){ .it_value = { 0, 30000 } };
	CHECK_OK(setitimer(ITIMER_VIRTUAL, &set, NULL), "ITIMER_VIRTUAL 30 ms");
	CHECK(burn_until(&vtalrm), "SIGVTALRM after 30 ms of user CPU time");
	signal(SIGPROF, on_prof);
	CHECK_OK(setitimer(ITIMER_PROF, &set, NULL), "ITIMER_PROF 30 ms");
	CHECK(burn_until(&prof), "SIGPROF after 30 ms of CPU time");
	CHECK_OK(getitimer(ITIMER_PROF, &it), "getitimer ITIMER_PROF");
	CHECK(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0, "a one-shot timer is disarmed after firing");

	CHECK_ERR(setitimer(42, &set, NULL), EINVAL, "bad which EINVAL");
	CHECK_ERR(getitimer(42, &it), EINVAL, "getitimer bad which EINVAL");
	set = (struct itimerval){ .it_value = { 0, 1000000 } };
	CHECK_ERR(setitimer(ITIMER_REAL, &set, NULL), EINVAL, "tv_usec 1000000 EINVAL");
	set = (struct itimerval){ .it_value = { -1, 0 } };
	CHECK_ERR(setitimer(ITIMER_REAL, &set, NULL), EINVAL, "negative seconds EINVAL");
	CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, BAD_LOW), EFAULT, "getitimer bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, BAD_LOW, NULL), EFAULT, "setitimer bad pointer EFAULT");
	signal(SIGALRM, SIG_DFL);
	return tap_done();
}
