/* mm_threads: the threads of a process see one address space. A mapping,
 * an unmapping or a protection change made by one thread holds for the
 * others at once; fork in a multi-threaded process copies a snapshot that
 * the parent's other threads cannot write into afterwards; many short-lived
 * threads (created one after another, and from several threads at once)
 * all run and see the memory of the process; a new thread's CPU clock
 * counts its own time only. */
#include "tap.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long page;

/* ---- a helper thread that runs requests --------------------------------- */

enum { REQ_NONE, REQ_READ, REQ_WRITE, REQ_QUIT };
static _Atomic int req, req_done;
static volatile char *req_addr;
static char req_value;
static int req_signal;           /* signal the access got, or 0 */
static sigjmp_buf req_jmp;

static void on_fault(int sig)
{
	req_signal = sig;
	siglongjmp(req_jmp, 1);
}

static void *helper_main(void *arg)
{
	for (;;) {
		int r;
		while ((r = atomic_load(&req)) == REQ_NONE)
			sched_yield();
		if (r == REQ_QUIT)
			return NULL;
		req_signal = 0;
		if (sigsetjmp(req_jmp, 1) == 0) {
			if (r == REQ_READ)
				req_value = *req_addr;
			else
				*req_addr = req_value;
		}
		atomic_store(&req, REQ_NONE);
		atomic_fetch_add(&req_done, 1);
	}
}

/* Make the helper thread access addr; the signal it got, or 0. */
static int helper_access(int kind, void *addr, char *value)
{
	req_addr = addr;
	if (kind == REQ_WRITE)
		req_value = *value;
	int before = atomic_load(&req_done);
	atomic_store(&req, kind);
	while (atomic_load(&req_done) == before)
		sched_yield();
	if (kind == REQ_READ && !req_signal)
		*value = req_value;
	return req_signal;
}

static void check_changes_reach_other_threads(void)
{
	pthread_t helper;
	CHECK_EQ(pthread_create(&helper, NULL, helper_main, NULL), 0, "helper thread created");

	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap in the main thread");
	p[0] = 'a';
	char v = 0;
	CHECK(helper_access(REQ_READ, p, &v) == 0 && v == 'a', "the helper reads what main wrote");
	v = 'b';
	CHECK_EQ(helper_access(REQ_WRITE, p + page, &v), 0, "the helper writes the second page");
	CHECK_EQ(p[page], 'b', "main reads what the helper wrote");

	CHECK_OK(mprotect(p, page, PROT_READ), "main makes the first page read-only");
	v = 'c';
	CHECK_EQ(helper_access(REQ_WRITE, p, &v), SIGSEGV, "the helper's write to it faults");
	CHECK_EQ(p[0], 'a', "the page kept its contents");
	CHECK_OK(mprotect(p, page, PROT_READ | PROT_WRITE), "main makes it writable again");
	CHECK_EQ(helper_access(REQ_WRITE, p, &v), 0, "the helper's write succeeds");
	CHECK_EQ(p[0], 'c', "and main sees it");

	CHECK_OK(munmap(p, page), "main unmaps the first page");
	CHECK_EQ(helper_access(REQ_READ, p, &v), SIGSEGV, "the helper's read of it faults");
	CHECK(helper_access(REQ_READ, p + page, &v) == 0 && v == 'b', "the second page is still there");

	/* Replaced behind the helper's back: it sees the new page. */
	char *q = mmap(p + page, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + page, "main maps a fresh page over the second one");
	CHECK(helper_access(REQ_READ, q, &v) == 0 && v == 0, "the helper reads the fresh zero page");
	munmap(q, page);

	atomic_store(&req, REQ_QUIT);
	CHECK_EQ(pthread_join(helper, NULL), 0, "helper joined");
}

/* ---- fork while another thread writes ------------------------------------ */

static _Atomic int writer_stop;
static volatile unsigned long *counter;

static void *writer_main(void *arg)
{
	while (!atomic_load(&writer_stop))
		(*counter)++;
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static void check_fork_snapshot(void)
{
	counter = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED, "counter page mapped");
	pthread_t writer;
	CHECK_EQ(pthread_create(&writer, NULL, writer_main, NULL), 0, "writer thread created");
	while (*counter < 1000)
		sched_yield();
	int fds[2];
	CHECK_OK(pipe(fds), "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		/* Only this thread was copied: the count must stand still. */
		unsigned long a = *counter;
		sleep_ms(30);
		unsigned long b = *counter;
		char ok = a == b && a >= 1000;
		if (write(fds[1], &ok, 1) != 1)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0, "fork with a writing thread");
	char ok = 0;
	CHECK_EQ(read(fds[0], &ok, 1), 1, "the child reports");
	CHECK(ok, "the child's copy does not change under it");
	int status = -1;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "child reaped");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exited 0");
	unsigned long before = *counter;
	sleep_ms(10);
	CHECK(*counter > before, "the writer still counts in the parent");
	atomic_store(&writer_stop, 1);
	CHECK_EQ(pthread_join(writer, NULL), 0, "writer joined");
	close(fds[0]);
	close(fds[1]);
}

/* ---- many threads --------------------------------------------------------- */

#define CHURN 200
static int slots[CHURN];

static void *mark_slot(void *arg)
{
	int i = (int)(long)arg;
	slots[i] = i + 1;
	return (void *)(long)(i * 3);
}

static void check_thread_churn(void)
{
	int bad = 0;
	for (int i = 0; i < CHURN; i++) {
		pthread_t th;
		void *ret = NULL;
		if (pthread_create(&th, NULL, mark_slot, (void *)(long)i) != 0 ||
		    pthread_join(th, &ret) != 0 || ret != (void *)(long)(i * 3))
			bad++;
	}
	CHECK_EQ(bad, 0, "%d threads one after another ran and returned", CHURN);
	int missing = 0;
	for (int i = 0; i < CHURN; i++)
		missing += slots[i] != i + 1;
	CHECK_EQ(missing, 0, "every thread wrote its slot");
}

#define SPAWNERS 4
#define PER_SPAWNER 25
static _Atomic int spawned_ran;

static void *count_run(void *arg)
{
	atomic_fetch_add(&spawned_ran, 1);
	return NULL;
}

static void *spawner_main(void *arg)
{
	long failures = 0;
	for (int i = 0; i < PER_SPAWNER; i++) {
		pthread_t th;
		if (pthread_create(&th, NULL, count_run, NULL) != 0 || pthread_join(th, NULL) != 0)
			failures++;
	}
	return (void *)failures;
}

static void check_concurrent_spawners(void)
{
	pthread_t sp[SPAWNERS];
	int made = 0;
	for (int i = 0; i < SPAWNERS; i++)
		made += pthread_create(&sp[i], NULL, spawner_main, NULL) == 0;
	CHECK_EQ(made, SPAWNERS, "%d spawner threads created", SPAWNERS);
	long failures = 0;
	for (int i = 0; i < made; i++) {
		void *r = NULL;
		pthread_join(sp[i], &r);
		failures += (long)r;
	}
	CHECK_EQ(failures, 0, "the spawners' threads were created and joined");
	CHECK_EQ(atomic_load(&spawned_ran), SPAWNERS * PER_SPAWNER, "every spawned thread ran");
}

/* ---- per-thread CPU time ---------------------------------------------- */

static double thread_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *burn_cpu(void *arg)
{
	while (thread_cpu_seconds() < 0.1)
		;
	return NULL;
}

static void *report_cpu(void *arg)
{
	*(double *)arg = thread_cpu_seconds();
	return NULL;
}

static void check_thread_cpu_time(void)
{
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, burn_cpu, NULL), 0, "a thread burns 0.1 s of CPU");
	pthread_join(th, NULL);
	double fresh = -1;
	CHECK_EQ(pthread_create(&th, NULL, report_cpu, &fresh), 0, "then another thread starts");
	pthread_join(th, NULL);
	CHECK(fresh >= 0 && fresh < 0.05, "the new thread's CPU clock starts near zero");
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_handler = on_fault };
	sigaction(SIGSEGV, &sa, NULL);
	check_changes_reach_other_threads();
	check_fork_snapshot();
	check_thread_churn();
	check_concurrent_spawners();
	check_thread_cpu_time();
	return tap_done();
}
