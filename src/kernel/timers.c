/*
 * Timers (see timers.h for the model and its approximations).
 *
 * One global timer lock protects every table here and every timer. The
 * timer thread never holds it while it sends signals: it collects the
 * expired timers' signals under the lock, drops it, and sends them holding
 * only the fire lock. Hooks that make a signal target go away (group exit,
 * exec, task exit) take the fire lock once after removing their timers, so
 * they return only after any signal already collected for that target has
 * been sent. Lock order: fire lock -> (signal locks); timer lock is taken
 * under the signal locks by timers_signal_dequeued() and never held while
 * taking another lock.
 */
#include "kernel/timers.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "kernel/task.h"
#include "lib/log.h"

/* signals.c and the TaskSet are being written at the same time as this
 * file: refer to them weakly and fall back to task_send_signal() until they
 * exist. (Harmless once they are defined.) */
#pragma weak signal_send_task
#pragma weak signal_send_tg
#pragma weak kernel_task_by_tid_locked

/* A periodic timer wakes the timer thread at most this often; faster
 * expirations are counted as overruns (as Linux does while a timer's signal
 * is still queued), so that a 1 ns interval cannot keep a host CPU busy. */
#define TIMER_MIN_WAKE_NS 100000LL
/* The timer thread sleeps at most this long at once (huge deadlines). */
#define TIMER_MAX_SLEEP_NS (3600 * NSEC_PER_SEC)
/* Upper bound of POSIX timers per thread group, whatever its
 * RLIMIT_SIGPENDING says (each costs sentry memory). */
#define POSIX_TIMERS_MAX 65536

/* ---- clocks ----------------------------------------------------------- */

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

/* Linux encodes CPU-time clocks of processes and threads in negative clock
 * ids: ~pid << 3 | per-thread bit (4) | type (0 PROF, 1 VIRT, 2 SCHED,
 * 3 FD for dynamic posix clocks). */
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_CLOCK_MASK 3
#define CPUCLOCK_FD 3

int64_t ns_add_sat(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int64_t timespec_to_ns_sat(const struct timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	if (ts->tv_sec <= INT64_MIN / NSEC_PER_SEC)
		return INT64_MIN;
	return ns_add_sat(ts->tv_sec * NSEC_PER_SEC, ts->tv_nsec);
}

struct timespec ns_to_timespec(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += NSEC_PER_SEC;
	}
	return ts;
}

static int64_t host_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return timespec_to_ns_sat(&ts);
}

int64_t clock_mono_ns(void)
{
	return host_clock_ns(CLOCK_MONOTONIC);
}

enum clock_kind clock_kind_of(struct task *t, clockid_t id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return CK_HOST;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return CK_ALARM;
	case CLOCK_PROCESS_CPUTIME_ID:
		return CK_PROCESS_CPU;
	case CLOCK_THREAD_CPUTIME_ID:
		return CK_THREAD_CPU;
	}
	if (id >= 0)
		return CK_INVALID;
	if ((id & CPUCLOCK_CLOCK_MASK) == CPUCLOCK_FD)
		return CK_INVALID; /* posix dynamic clocks (fd-based): not supported */
	int pid = ~(id >> 3);
	if (id & CPUCLOCK_PERTHREAD_MASK) {
		if (pid == 0 || pid == task_vtid(t))
			return CK_THREAD_CPU;
	} else {
		if (pid == 0 || pid == tg_vpid(t, t->tg))
			return CK_PROCESS_CPU;
	}
	/* A CPU clock of another task needs a task lookup and its CPU time,
	 * neither of which is available: the caller reports it. */
	return CK_INVALID;
}

/* CPU clocks: a task's CPU time is its stub's (application code) plus its
 * sentry thread's (its system calls), see task_cpu_times(). */
int clock_read_ns(struct task *t, clockid_t id, int64_t *ns)
{
	switch (clock_kind_of(t, id)) {
	case CK_HOST:
		*ns = host_clock_ns(id);
		return 0;
	case CK_PROCESS_CPU: {
		uint64_t u, s;
		tg_cpu_times(t->tg, &u, &s);
		*ns = (int64_t)(u + s);
		return 0;
	}
	case CK_THREAD_CPU: {
		uint64_t u, s;
		task_cpu_times(t, &u, &s);
		*ns = (int64_t)(u + s);
		return 0;
	}
	case CK_ALARM:
	case CK_INVALID:
		break;
	}
	return -EINVAL;
}

/* ---- timer objects ------------------------------------------------------ */

enum ktimer_kind { KT_ITIMER, KT_POSIX };

struct ktimer {
	enum ktimer_kind kind;
	struct tg_timers *owner;
	int id;                   /* POSIX timer ID (KT_POSIX) */
	clockid_t clock;          /* the clock it was created on (KT_POSIX) */
	struct ktimer *hash_next; /* in owner's ID hash (KT_POSIX) */

	/* Setting. deadline is the next expiry on CLOCK_MONOTONIC; wake is
	 * when the timer thread looks at it (>= deadline, see
	 * TIMER_MIN_WAKE_NS). */
	bool armed;
	int64_t deadline;
	int64_t interval;
	int64_t wake;
	size_t heap_index;        /* SIZE_MAX: not in the heap */

	/* Notification. */
	int notify;               /* SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD_ID */
	int signo;
	int si_code;              /* SI_TIMER or SI_KERNEL (itimers) */
	union sigval value;
	struct task *target;      /* SIGEV_THREAD_ID; NULL once it exited */
	int target_tid;

	/* Overruns (POSIX timers): while the last signal is still queued,
	 * further expirations are counted instead of sent. */
	bool sig_queued;
	int overrun_cur;          /* expirations since the queued signal */
	int overrun_last;         /* of the last delivered signal */
};

/* The timers of one thread group. */
struct tg_timers {
	struct thread_group *tg;
	struct tg_timers *hash_next;
	struct ktimer itimer[3];  /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
	struct ktimer **posix;    /* ID hash buckets */
	unsigned nbuckets;
	unsigned nposix;
	int next_id;
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fire_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static pthread_once_t timer_thread_once = PTHREAD_ONCE_INIT;

/* ---- hash maps keyed by pointer ------------------------------------------ */

#define PTR_BUCKETS 1024

static unsigned ptr_bucket(const void *p)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 17;
	x *= 0xed5ad4bbu;
	x ^= x >> 11;
	return (unsigned)(x % PTR_BUCKETS);
}

static struct tg_timers *tg_table[PTR_BUCKETS];

static struct tg_timers *tg_timers_find(struct thread_group *tg)
{
	for (struct tg_timers *tt = tg_table[ptr_bucket(tg)]; tt; tt = tt->hash_next)
		if (tt->tg == tg)
			return tt;
	return NULL;
}

static const int itimer_signals[3] = { SIGALRM, SIGVTALRM, SIGPROF };

/* NULL when out of memory. */
static struct tg_timers *tg_timers_get(struct thread_group *tg)
{
	struct tg_timers *tt = tg_timers_find(tg);
	if (tt)
		return tt;
	tt = calloc(1, sizeof *tt);
	if (!tt)
		return NULL;
	tt->tg = tg;
	for (int i = 0; i < 3; i++) {
		struct ktimer *k = &tt->itimer[i];
		k->kind = KT_ITIMER;
		k->owner = tt;
		k->heap_index = SIZE_MAX;
		k->notify = SIGEV_SIGNAL;
		k->signo = itimer_signals[i];
		k->si_code = SI_KERNEL; /* Linux sends itimer signals as SEND_SIG_PRIV */
	}
	unsigned b = ptr_bucket(tg);
	tt->hash_next = tg_table[b];
	tg_table[b] = tt;
	return tt;
}

static void tg_timers_unlink(struct tg_timers *tt)
{
	struct tg_timers **pp = &tg_table[ptr_bucket(tt->tg)];
	while (*pp != tt)
		pp = &(*pp)->hash_next;
	*pp = tt->hash_next;
}

/* ---- the deadline heap ----------------------------------------------------- */

static struct ktimer **heap;
static size_t heap_len, heap_cap;

static void heap_place(size_t i, struct ktimer *k)
{
	heap[i] = k;
	k->heap_index = i;
}

static void heap_sift_up(size_t i)
{
	struct ktimer *k = heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (heap[parent]->wake <= k->wake)
			break;
		heap_place(i, heap[parent]);
		i = parent;
	}
	heap_place(i, k);
}

static void heap_sift_down(size_t i)
{
	struct ktimer *k = heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= heap_len)
			break;
		if (child + 1 < heap_len && heap[child + 1]->wake < heap[child]->wake)
			child++;
		if (heap[child]->wake >= k->wake)
			break;
		heap_place(i, heap[child]);
		i = child;
	}
	heap_place(i, k);
}

static void heap_remove(struct ktimer *k)
{
	size_t i = k->heap_index;
	if (i == SIZE_MAX)
		return;
	k->heap_index = SIZE_MAX;
	struct ktimer *last = heap[--heap_len];
	if (i == heap_len)
		return;
	heap_place(i, last);
	heap_sift_up(i);
	heap_sift_down(last->heap_index);
}

/* 0 or -ENOMEM. */
static int heap_insert(struct ktimer *k)
{
	if (heap_len == heap_cap) {
		size_t cap = heap_cap ? heap_cap * 2 : 64;
		struct ktimer **h = realloc(heap, cap * sizeof *h);
		if (!h)
			return -ENOMEM;
		heap = h;
		heap_cap = cap;
	}
	heap_place(heap_len++, k);
	heap_sift_up(k->heap_index);
	return 0;
}

/* ---- arming ----------------------------------------------------------------- */

static void timer_thread_start(void);

static void ktimer_disarm(struct ktimer *k)
{
	heap_remove(k);
	k->armed = false;
	k->deadline = 0;
	k->interval = 0;
}

/* Arm k to expire at the CLOCK_MONOTONIC deadline, then every interval
 * (0: once). SIGEV_NONE timers never wake the timer thread: their state is
 * computed when read. */
static int ktimer_arm(struct ktimer *k, int64_t deadline, int64_t interval)
{
	heap_remove(k);
	k->armed = true;
	k->deadline = deadline;
	k->interval = interval;
	k->wake = deadline;
	if (k->notify == SIGEV_NONE)
		return 0;
	pthread_once(&timer_thread_once, timer_thread_start);
	int err = heap_insert(k);
	if (err) {
		k->armed = false;
		return err;
	}
	if (k->heap_index == 0)
		pthread_cond_signal(&timer_cond);
	return 0;
}

/* Move a periodic timer's deadline past now; returns how many expirations
 * that skipped (0 when the deadline is still ahead). */
static int64_t ktimer_forward(struct ktimer *k, int64_t now)
{
	if (!k->armed || k->deadline > now)
		return 0;
	if (!k->interval) {
		k->armed = false;
		return 1;
	}
	int64_t n = (now - k->deadline) / k->interval + 1;
	int64_t step;
	if (__builtin_mul_overflow(n, k->interval, &step))
		step = INT64_MAX;
	k->deadline = ns_add_sat(k->deadline, step);
	return n;
}

/* The current setting as timer_gettime(2)/getitimer(2) see it: time left to
 * the next expiry. An expiry the timer thread has not handled yet shows as
 * 1 ns left (Linux shows a timer whose signal is due as not yet expired). */
static struct ktimer_spec ktimer_read(struct ktimer *k, int64_t now)
{
	struct ktimer_spec s = { 0, k->interval };
	if (!k->armed)
		return s;
	if (k->notify == SIGEV_NONE) {
		ktimer_forward(k, now);
		if (!k->armed)
			return s;
	}
	int64_t left = k->deadline - now;
	if (left <= 0 && k->interval)
		left = k->interval - (now - k->deadline) % k->interval;
	s.value_ns = left > 0 ? left : 1;
	return s;
}

static int64_t sat_int(int64_t a, int64_t b)
{
	int64_t r = ns_add_sat(a, b);
	return r > INT_MAX ? INT_MAX : r;
}

/* ---- sending ---------------------------------------------------------------- */

/* Signals collected under the timer lock, sent after dropping it. */
struct pending_send {
	struct thread_group *tg;  /* process-directed when target is NULL */
	struct task *target;
	int target_tid;
	siginfo_t info;
};

static struct pending_send *batch;
static size_t batch_len, batch_cap;

static uint64_t pending_set_of(struct ktimer *k)
{
	const struct sigpending *p = k->notify == SIGEV_THREAD_ID ? (k->target ? &k->target->pending : NULL)
								  : &k->owner->tg->pending;
	return p ? __atomic_load_n(&p->set, __ATOMIC_SEQ_CST) : 0;
}

/* Without timers_signal_dequeued() from signals.c we notice that the last
 * signal was taken when its pending bit is clear again. */
static void ktimer_settle(struct ktimer *k)
{
	if (k->sig_queued && !(pending_set_of(k) & sig_bit(k->signo))) {
		k->sig_queued = false;
		k->overrun_last = k->overrun_cur;
		k->overrun_cur = 0;
	}
}

static void siginfo_of(struct ktimer *k, siginfo_t *info)
{
	memset(info, 0, sizeof *info);
	info->si_signo = k->signo;
	info->si_code = k->si_code;
	if (k->si_code == SI_TIMER) {
		info->si_timerid = k->id;
		info->si_overrun = k->overrun_cur;
		info->si_value = k->value;
	}
}

/* n expirations of k happened: queue its signal, or count overruns while
 * the previous one is still queued. (A standard signal already pending
 * would coalesce anyway, so itimers skip the send too.) */
static void ktimer_expired(struct ktimer *k, int64_t n)
{
	if (k->notify == SIGEV_NONE)
		return;
	ktimer_settle(k);
	if (k->sig_queued || (k->kind == KT_ITIMER && (pending_set_of(k) & sig_bit(k->signo)))) {
		k->overrun_cur = sat_int(k->overrun_cur, n);
		return;
	}
	if (k->notify == SIGEV_THREAD_ID && !k->target)
		return; /* the thread exited: Linux finds no task to signal */
	if (batch_len == batch_cap) {
		size_t cap = batch_cap ? batch_cap * 2 : 16;
		struct pending_send *b = realloc(batch, cap * sizeof *b);
		if (!b) {
			log_warn("moat: timers: out of memory, a timer signal is lost");
			return;
		}
		batch = b;
		batch_cap = cap;
	}
	k->overrun_cur = sat_int(0, n - 1);
	struct pending_send *s = &batch[batch_len++];
	s->tg = k->owner->tg;
	s->target = k->notify == SIGEV_THREAD_ID ? k->target : NULL;
	s->target_tid = k->target_tid;
	siginfo_of(k, &s->info);
	k->sig_queued = k->kind == KT_POSIX;
}

static void send_to_task(struct thread_group *tg, struct task *t, int tid, const siginfo_t *info)
{
	if (kernel_task_by_tid_locked) {
		/* The task must still be the one the timer was aimed at. */
		struct kernel *kernel = tg->kernel;
		pthread_mutex_lock(&kernel->lock);
		bool alive = kernel_task_by_tid_locked(kernel, tid) == t;
		pthread_mutex_unlock(&kernel->lock);
		if (!alive)
			return;
	}
	if (signal_send_task)
		signal_send_task(t, info);
	else
		task_send_signal(t, info->si_signo);
}

static void send_to_tg(struct thread_group *tg, const siginfo_t *info)
{
	/* A group whose tasks are all gone takes no signals (its timers go
	 * with timers_tg_exit(), this only closes the gap until then). */
	if (__atomic_load_n(&tg->live_tasks, __ATOMIC_SEQ_CST) == 0)
		return;
	if (signal_send_tg)
		signal_send_tg(tg, info);
	else if (tg->leader)
		task_send_signal(tg->leader, info->si_signo);
}

static void send_batch(struct pending_send *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i].target)
			send_to_task(b[i].tg, b[i].target, b[i].target_tid, &b[i].info);
		else
			send_to_tg(b[i].tg, &b[i].info);
	}
}

/* Handle every timer due at now; the caller holds the timer lock. */
static void collect_expired(int64_t now)
{
	while (heap_len && heap[0]->wake <= now) {
		struct ktimer *k = heap[0];
		heap_remove(k);
		int64_t n = ktimer_forward(k, now);
		if (n)
			ktimer_expired(k, n);
		if (k->armed) {
			k->wake = k->deadline;
			if (k->wake < now + TIMER_MIN_WAKE_NS)
				k->wake = now + TIMER_MIN_WAKE_NS;
			if (heap_insert(k))
				k->armed = false;
		}
	}
}

/* ---- the timer thread ------------------------------------------------------- */

static void *timer_thread_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&timer_lock);
		for (;;) {
			int64_t now = clock_mono_ns();
			if (heap_len && heap[0]->wake <= now)
				break;
			if (!heap_len) {
				pthread_cond_wait(&timer_cond, &timer_lock);
				continue;
			}
			int64_t until = heap[0]->wake;
			if (until - now > TIMER_MAX_SLEEP_NS)
				until = now + TIMER_MAX_SLEEP_NS;
			struct timespec ts = ns_to_timespec(until);
			pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
		}
		pthread_mutex_unlock(&timer_lock);

		pthread_mutex_lock(&fire_lock);
		pthread_mutex_lock(&timer_lock);
		collect_expired(clock_mono_ns());
		struct pending_send local[16];
		struct pending_send *b = batch;
		size_t n = batch_len;
		/* Send from a private copy: sending takes no timer lock, and
		 * the shared batch is reused by the next collection. */
		if (n <= 16) {
			memcpy(local, batch, n * sizeof *local);
			b = local;
		} else {
			batch = NULL;
			batch_cap = 0;
		}
		batch_len = 0;
		pthread_mutex_unlock(&timer_lock);
		send_batch(b, n);
		if (b != local)
			free(b);
		pthread_mutex_unlock(&fire_lock);
	}
	return NULL;
}

static void timer_thread_start(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	/* The timer thread takes no host signal (the sentry's interrupt
	 * signal is for task threads). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t th;
	int err = pthread_create(&th, NULL, timer_thread_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_printf("moat: cannot start the timer thread (error %d)", err);
		abort();
	}
	pthread_detach(th);
}

/* ---- interval timers ---------------------------------------------------------- */

int timers_itimer_get(struct task *t, int which, struct ktimer_spec *cur)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	pthread_mutex_lock(&timer_lock);
	struct tg_timers *tt = tg_timers_find(t->tg);
	*cur = tt ? ktimer_read(&tt->itimer[which], clock_mono_ns()) : (struct ktimer_spec){ 0, 0 };
	pthread_mutex_unlock(&timer_lock);
	return 0;
}

int timers_itimer_set(struct task *t, int which, const struct ktimer_spec *new_spec,
		      struct ktimer_spec *old)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	pthread_mutex_lock(&timer_lock);
	int err = 0;
	struct tg_timers *tt = tg_timers_get(t->tg);
	if (!tt) {
		err = -ENOMEM;
		goto out;
	}
	struct ktimer *k = &tt->itimer[which];
	int64_t now = clock_mono_ns();
	if (old)
		*old = ktimer_read(k, now);
	if (new_spec->value_ns) {
		err = ktimer_arm(k, ns_add_sat(now, new_spec->value_ns), new_spec->interval_ns);
	} else {
		ktimer_disarm(k);
		/* Linux keeps the interval of a disarmed CPU-time itimer
		 * (getitimer shows it); ITIMER_REAL's is cleared. */
		if (which != ITIMER_REAL)
			k->interval = new_spec->interval_ns;
	}
out:
	pthread_mutex_unlock(&timer_lock);
	return err;
}

/* ---- POSIX timers ---------------------------------------------------------------- */

static unsigned id_bucket(const struct tg_timers *tt, int id)
{
	return (unsigned)id * 2654435761u % tt->nbuckets;
}

static struct ktimer *posix_find(struct tg_timers *tt, int id)
{
	if (!tt || !tt->nbuckets || id < 0)
		return NULL;
	for (struct ktimer *k = tt->posix[id_bucket(tt, id)]; k; k = k->hash_next)
		if (k->id == id)
			return k;
	return NULL;
}

/* Keep about one timer per bucket. 0 or -ENOMEM. */
static int posix_grow(struct tg_timers *tt)
{
	if (tt->nposix < tt->nbuckets)
		return 0;
	unsigned n = tt->nbuckets ? tt->nbuckets * 2 : 16;
	struct ktimer **b = calloc(n, sizeof *b);
	if (!b)
		return -ENOMEM;
	unsigned old_n = tt->nbuckets;
	struct ktimer **old = tt->posix;
	tt->posix = b;
	tt->nbuckets = n;
	for (unsigned i = 0; i < old_n; i++) {
		while (old[i]) {
			struct ktimer *k = old[i];
			old[i] = k->hash_next;
			unsigned j = id_bucket(tt, k->id);
			k->hash_next = b[j];
			b[j] = k;
		}
	}
	free(old);
	return 0;
}

static unsigned posix_limit(struct thread_group *tg)
{
	rlim_t lim = tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;
	return lim < POSIX_TIMERS_MAX ? (unsigned)lim : POSIX_TIMERS_MAX;
}

/* The next free ID, in increasing order, wrapping at INT_MAX (Linux's
 * posix_timer_add); the caller checked the limit, so one is free. */
static int posix_next_id(struct tg_timers *tt)
{
	for (;;) {
		int id = tt->next_id;
		tt->next_id = id == INT_MAX ? 0 : id + 1;
		if (!posix_find(tt, id))
			return id;
	}
}

int timers_posix_use_id(struct task *t)
{
	pthread_mutex_lock(&timer_lock);
	int err = 0;
	struct tg_timers *tt = tg_timers_get(t->tg);
	if (!tt)
		err = -ENOMEM;
	else if (tt->nposix >= posix_limit(t->tg))
		err = -EAGAIN;
	else
		posix_next_id(tt);
	pthread_mutex_unlock(&timer_lock);
	return err;
}

int timers_posix_create(struct task *t, const struct posix_timer_params *p, int *id)
{
	pthread_mutex_lock(&timer_lock);
	int err = -ENOMEM;
	struct tg_timers *tt = tg_timers_get(t->tg);
	if (!tt)
		goto out;
	err = -EAGAIN;
	if (tt->nposix >= posix_limit(t->tg))
		goto out;
	err = posix_grow(tt);
	if (err)
		goto out;
	struct ktimer *k = calloc(1, sizeof *k);
	err = -ENOMEM;
	if (!k)
		goto out;
	k->kind = KT_POSIX;
	k->owner = tt;
	k->id = posix_next_id(tt);
	k->heap_index = SIZE_MAX;
	k->clock = p->clock;
	k->notify = p->notify;
	k->signo = p->signo;
	k->si_code = SI_TIMER;
	k->value = p->value;
	if (p->default_value)
		k->value.sival_int = k->id; /* timer_create(2): sigevent NULL */
	k->target = p->target;
	k->target_tid = p->target ? p->target->tid : 0;
	unsigned b = id_bucket(tt, k->id);
	k->hash_next = tt->posix[b];
	tt->posix[b] = k;
	tt->nposix++;
	*id = k->id;
	err = 0;
out:
	pthread_mutex_unlock(&timer_lock);
	return err;
}

int timers_posix_set(struct task *t, int id, int flags, const struct ktimer_spec *new_spec,
		     struct ktimer_spec *old)
{
	pthread_mutex_lock(&timer_lock);
	int err = -EINVAL;
	struct ktimer *k = posix_find(tg_timers_find(t->tg), id);
	if (!k)
		goto out;
	int64_t now = clock_mono_ns();
	if (old)
		*old = ktimer_read(k, now);
	/* A new setting starts overrun counting afresh (Linux clears
	 * it_overrun_last); a signal already queued stays queued. */
	k->overrun_cur = k->overrun_last = 0;
	err = 0;
	if (!new_spec->value_ns) {
		ktimer_disarm(k);
		goto out;
	}
	int64_t deadline = ns_add_sat(now, new_spec->value_ns);
	if (flags & TIMER_ABSTIME) {
		/* Convert the absolute time on the timer's clock now. */
		int64_t clock_now;
		if (clock_read_ns(t, k->clock, &clock_now) == 0)
			deadline = ns_add_sat(now, ns_add_sat(new_spec->value_ns, -clock_now));
	}
	err = ktimer_arm(k, deadline, new_spec->interval_ns);
out:
	pthread_mutex_unlock(&timer_lock);
	return err;
}

int timers_posix_get(struct task *t, int id, struct ktimer_spec *cur)
{
	pthread_mutex_lock(&timer_lock);
	struct ktimer *k = posix_find(tg_timers_find(t->tg), id);
	if (k)
		*cur = ktimer_read(k, clock_mono_ns());
	pthread_mutex_unlock(&timer_lock);
	return k ? 0 : -EINVAL;
}

int timers_posix_getoverrun(struct task *t, int id)
{
	pthread_mutex_lock(&timer_lock);
	struct ktimer *k = posix_find(tg_timers_find(t->tg), id);
	int r = -EINVAL;
	if (k) {
		ktimer_settle(k);
		r = k->overrun_last;
	}
	pthread_mutex_unlock(&timer_lock);
	return r;
}

static void posix_unlink(struct tg_timers *tt, struct ktimer *k)
{
	struct ktimer **pp = &tt->posix[id_bucket(tt, k->id)];
	while (*pp != k)
		pp = &(*pp)->hash_next;
	*pp = k->hash_next;
	tt->nposix--;
	heap_remove(k);
	free(k);
}

/* Wait until the timer thread has sent what it collected before now. */
static void wait_for_sends(void)
{
	pthread_mutex_lock(&fire_lock);
	pthread_mutex_unlock(&fire_lock);
}

int timers_posix_delete(struct task *t, int id)
{
	pthread_mutex_lock(&timer_lock);
	struct tg_timers *tt = tg_timers_find(t->tg);
	struct ktimer *k = posix_find(tt, id);
	if (k)
		posix_unlink(tt, k);
	pthread_mutex_unlock(&timer_lock);
	return k ? 0 : -EINVAL;
}

static void posix_delete_all(struct tg_timers *tt)
{
	for (unsigned i = 0; i < tt->nbuckets; i++)
		while (tt->posix[i])
			posix_unlink(tt, tt->posix[i]);
}

void timers_tg_exit(struct thread_group *tg)
{
	pthread_mutex_lock(&timer_lock);
	struct tg_timers *tt = tg_timers_find(tg);
	if (tt) {
		posix_delete_all(tt);
		for (int i = 0; i < 3; i++)
			ktimer_disarm(&tt->itimer[i]);
		tg_timers_unlink(tt);
		free(tt->posix);
		free(tt);
	}
	pthread_mutex_unlock(&timer_lock);
	if (tt)
		wait_for_sends();
}

void timers_tg_exec(struct thread_group *tg)
{
	pthread_mutex_lock(&timer_lock);
	struct tg_timers *tt = tg_timers_find(tg);
	if (tt)
		posix_delete_all(tt);
	pthread_mutex_unlock(&timer_lock);
	if (tt)
		wait_for_sends();
}

void timers_signal_dequeued(struct task *t, siginfo_t *info)
{
	if (info->si_code != SI_TIMER)
		return;
	pthread_mutex_lock(&timer_lock);
	struct ktimer *k = posix_find(tg_timers_find(t->tg), info->si_timerid);
	if (k && k->sig_queued && k->signo == info->si_signo) {
		info->si_overrun = k->overrun_cur;
		k->overrun_last = k->overrun_cur;
		k->overrun_cur = 0;
		k->sig_queued = false;
	}
	pthread_mutex_unlock(&timer_lock);
}

/* ---- restart blocks ------------------------------------------------------------- */

struct restart_entry {
	struct task *task;
	int tid;                  /* guards against a new task at the same address */
	unsigned gen;             /* bumped by every task_set_restart_block() */
	struct restart_entry *next;
	struct restart_block rb;
};

static struct restart_entry *restart_table[PTR_BUCKETS];

static struct restart_entry **restart_slot(struct task *t)
{
	struct restart_entry **pp = &restart_table[ptr_bucket(t)];
	while (*pp && (*pp)->task != t)
		pp = &(*pp)->next;
	return pp;
}

static void restart_forget_locked(struct task *t)
{
	struct restart_entry **pp = restart_slot(t);
	struct restart_entry *e = *pp;
	if (e) {
		*pp = e->next;
		free(e);
	}
}

long task_set_restart_block(struct task *t, const struct restart_block *rb)
{
	pthread_mutex_lock(&timer_lock);
	struct restart_entry **pp = restart_slot(t);
	struct restart_entry *e = *pp;
	if (!e) {
		e = calloc(1, sizeof *e);
		if (e) {
			e->task = t;
			*pp = e;
		}
	}
	if (e) {
		e->tid = t->tid;
		e->gen++;
		e->rb = *rb;
	}
	pthread_mutex_unlock(&timer_lock);
	/* Without memory for the block the sleep can only end with EINTR. */
	return e ? -ERESTART_RESTARTBLOCK : -EINTR;
}

/* Entries change only on their task's own thread, so the pointer stays
 * valid for that thread after the lock is dropped. */
struct restart_block *task_restart_block(struct task *t)
{
	pthread_mutex_lock(&timer_lock);
	struct restart_entry *e = *restart_slot(t);
	pthread_mutex_unlock(&timer_lock);
	return e && e->tid == t->tid ? &e->rb : NULL;
}

void task_clear_restart_block(struct task *t)
{
	pthread_mutex_lock(&timer_lock);
	restart_forget_locked(t);
	pthread_mutex_unlock(&timer_lock);
}

long task_run_restart_block(struct task *t)
{
	pthread_mutex_lock(&timer_lock);
	struct restart_entry *e = *restart_slot(t);
	long (*fn)(struct task *) = e && e->tid == t->tid ? e->rb.fn : NULL;
	unsigned gen = e ? e->gen : 0;
	if (!fn)
		restart_forget_locked(t);
	pthread_mutex_unlock(&timer_lock);
	if (!fn)
		return -EINTR;
	long r = fn(t);
	/* One use: a restarted call interrupted again has set a new one. */
	pthread_mutex_lock(&timer_lock);
	e = *restart_slot(t);
	if (e && e->gen == gen)
		restart_forget_locked(t);
	pthread_mutex_unlock(&timer_lock);
	return r;
}

void timers_task_exit(struct task *t)
{
	bool aimed_at_t = false;
	pthread_mutex_lock(&timer_lock);
	restart_forget_locked(t);
	struct tg_timers *tt = tg_timers_find(t->tg);
	for (unsigned i = 0; tt && i < tt->nbuckets; i++) {
		for (struct ktimer *k = tt->posix[i]; k; k = k->hash_next) {
			if (k->target == t) {
				k->target = NULL;
				aimed_at_t = true;
			}
		}
	}
	pthread_mutex_unlock(&timer_lock);
	if (aimed_at_t)
		wait_for_sends();
}
