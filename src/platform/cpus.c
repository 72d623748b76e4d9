#include "platform/cpus.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#define CPUS_MAX 256

static int ncpus;                 /* CPUs moat may use; 0: placement off */
static int cpu_ids[CPUS_MAX];
static _Atomic int runnable[CPUS_MAX];   /* sentry threads awake, per index */
static __thread int my_index = -1;

void cpus_init(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return;
	int n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < CPUS_MAX; c++)
		if (CPU_ISSET(c, &set))
			cpu_ids[n++] = c;
	/* With one CPU there is nothing to choose. */
	ncpus = n > 1 ? n : 0;
}

static int least_runnable(void)
{
	int best = 0;
	for (int i = 1; i < ncpus; i++)
		if (atomic_load(&runnable[i]) < atomic_load(&runnable[best]))
			best = i;
	return best;
}

static void pin_self(int index)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu_ids[index], &set);
	sched_setaffinity(0, sizeof set, &set);
}

void cpus_thread_start(void)
{
	if (!ncpus)
		return;
	my_index = least_runnable();
	atomic_fetch_add(&runnable[my_index], 1);
	pin_self(my_index);
}

void cpus_thread_end(void)
{
	if (my_index >= 0)
		atomic_fetch_sub(&runnable[my_index], 1);
	my_index = -1;
}

void cpus_sleep(void)
{
	if (my_index >= 0)
		atomic_fetch_sub(&runnable[my_index], 1);
}

void cpus_wake(void)
{
	if (my_index < 0)
		return;
	int here = atomic_fetch_add(&runnable[my_index], 1) + 1;
	int best = least_runnable();
	if (here < atomic_load(&runnable[best]) + 2)
		return;
	atomic_fetch_sub(&runnable[my_index], 1);
	atomic_fetch_add(&runnable[best], 1);
	my_index = best;
	pin_self(best);
}
