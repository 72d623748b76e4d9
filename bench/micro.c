/*
 * micro: one microbenchmark per run, chosen by argv[1].
 *
 *   micro NAME      prints "NAME VALUE UNIT" (e.g. "getppid 0.262 us")
 *   micro --list    prints the benchmark names, one a line
 *
 * Method: each benchmark is a "batch" function that repeats one operation n
 * times. The batch size n is calibrated by doubling until one batch takes at
 * least TARGET_BATCH_NS; then up to MAX_BATCHES batches are timed and the
 * median time per operation is reported. Because the batch size follows the
 * measured speed, a run takes ~0.2 s natively and stays short inside a slow
 * sandbox (a whole run stops timing after BUDGET_NS once MIN_BATCHES are done).
 *
 * Exit status is non-zero, with a message on stderr, if any operation fails:
 * a sandbox that gets a benchmark wrong must not report a time for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TARGET_BATCH_NS 20000000ULL   /* 20 ms per timed batch */
#define MAX_BATCHES 7
#define MIN_BATCHES 3
#define BUDGET_NS 2000000000ULL       /* stop adding batches after 2 s */
#define MAX_ITERS (1UL << 24)

#define CHUNK 4096
#define BIG_CHUNK 65536
#define MAX_FAULT_PAGES 32768UL       /* 128 MiB per page-fault batch */

static const char *bench_name;

static void die(const char *what)
{
	fprintf(stderr, "micro %s: %s: %s\n", bench_name, what, strerror(errno));
	exit(1);
}

static void die_msg(const char *what)
{
	fprintf(stderr, "micro %s: %s\n", bench_name, what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Reads or writes exactly len bytes, retrying short transfers. */
static void read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		p += r;
		len -= (size_t)r;
	}
}

static void write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("write");
		p += r;
		len -= (size_t)r;
	}
}

static void wait_child_ok(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die_msg("child did not exit with status 0");
}

/* ---- simple system calls ---------------------------------------------- */

static void bench_getppid(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0) /* 0 for a namespace init */
			die("getppid");
}

static void bench_clock_gettime(unsigned long n)
{
	struct timespec ts;
	for (unsigned long i = 0; i < n; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			die("clock_gettime");
}

static void bench_open_close(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		int fd = open("/etc/passwd", O_RDONLY);
		if (fd < 0)
			die("open /etc/passwd");
		close(fd);
	}
}

static void bench_stat(unsigned long n)
{
	struct stat st;
	for (unsigned long i = 0; i < n; i++)
		if (stat("/etc/passwd", &st) != 0)
			die("stat /etc/passwd");
}

/* pread: 4 KiB reads cycling over the first MiB of a big, cached file. */
static int pread_fd = -1;
static off_t pread_span;

static void setup_pread(void)
{
	static const char *const candidates[] = {
		"/usr/bin/python3.11", "/usr/bin/python3", "/usr/bin/gcc",
		"/bin/bash", "/bin/sh",
	};
	struct stat st;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		pread_fd = open(candidates[i], O_RDONLY);
		if (pread_fd < 0)
			continue;
		if (fstat(pread_fd, &st) == 0 && st.st_size >= 2 * CHUNK)
			break;
		close(pread_fd);
		pread_fd = -1;
	}
	if (pread_fd < 0)
		die_msg("no big file to pread");
	pread_span = st.st_size < (1 << 20) ? st.st_size : (1 << 20);
	pread_span -= pread_span % CHUNK;
}

static void bench_pread(unsigned long n)
{
	static char buf[CHUNK];
	static off_t off;
	for (unsigned long i = 0; i < n; i++) {
		if (pread(pread_fd, buf, CHUNK, off) != CHUNK)
			die("pread");
		off = (off + CHUNK) % pread_span;
	}
}

static int devnull_fd = -1;

static void setup_write_devnull(void)
{
	devnull_fd = open("/dev/null", O_WRONLY);
	if (devnull_fd < 0)
		die("open /dev/null");
}

static void bench_write_devnull(unsigned long n)
{
	static char buf[CHUNK];
	for (unsigned long i = 0; i < n; i++)
		if (write(devnull_fd, buf, CHUNK) != CHUNK)
			die("write /dev/null");
}

/* ---- two processes: a child echoes every byte back -------------------- */

static int echo_wfd = -1, echo_rfd = -1;
static pid_t echo_pid = -1;

/* The echo child: reads one byte, writes it back, until EOF. */
static void run_echo_child(int rfd, int wfd)
{
	char c;
	for (;;) {
		ssize_t r = read(rfd, &c, 1);
		if (r == 0)
			_exit(0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			_exit(2);
		}
		if (write(wfd, &c, 1) != 1)
			_exit(3);
	}
}

static void setup_pipe_pingpong(void)
{
	int to_child[2], to_parent[2];
	if (pipe(to_child) || pipe(to_parent))
		die("pipe");
	echo_pid = fork();
	if (echo_pid < 0)
		die("fork");
	if (echo_pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		run_echo_child(to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);
	echo_wfd = to_child[1];
	echo_rfd = to_parent[0];
}

static void setup_unix_pingpong(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	echo_pid = fork();
	if (echo_pid < 0)
		die("fork");
	if (echo_pid == 0) {
		close(sv[0]);
		run_echo_child(sv[1], sv[1]);
	}
	close(sv[1]);
	echo_wfd = echo_rfd = sv[0];
}

static void teardown_echo(void)
{
	if (echo_rfd != echo_wfd)
		close(echo_rfd);
	close(echo_wfd);
	wait_child_ok(echo_pid);
}

static void bench_pingpong(unsigned long n)
{
	char c = 'x';
	for (unsigned long i = 0; i < n; i++) {
		write_full(echo_wfd, &c, 1);
		read_full(echo_rfd, &c, 1);
	}
}

/* ---- pipe throughput: a child writes 64 KiB chunks forever ------------ */

static int stream_rfd = -1;
static pid_t stream_pid = -1;

static void setup_pipe_throughput(void)
{
	int p[2];
	if (pipe(p))
		die("pipe");
	stream_pid = fork();
	if (stream_pid < 0)
		die("fork");
	if (stream_pid == 0) {
		static char buf[BIG_CHUNK];
		close(p[0]);
		memset(buf, 'a', sizeof(buf));
		/* Ends with EPIPE (SIGPIPE is ignored) when the reader closes. */
		signal(SIGPIPE, SIG_IGN);
		for (;;)
			if (write(p[1], buf, sizeof(buf)) < 0 && errno != EINTR)
				_exit(0);
	}
	close(p[1]);
	stream_rfd = p[0];
}

static void bench_pipe_throughput(unsigned long n)
{
	static char buf[BIG_CHUNK];
	for (unsigned long i = 0; i < n; i++)
		read_full(stream_rfd, buf, sizeof(buf));
}

static void teardown_pipe_throughput(void)
{
	close(stream_rfd);
	wait_child_ok(stream_pid);
}

/* ---- processes and threads -------------------------------------------- */

static void bench_fork(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		wait_child_ok(pid);
	}
}

static void bench_fork_exec(unsigned long n)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		wait_child_ok(pid);
	}
}

static void *empty_thread(void *arg)
{
	return arg;
}

static void bench_pthread(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		pthread_t th;
		int err = pthread_create(&th, NULL, empty_thread, NULL);
		if (err) {
			errno = err;
			die("pthread_create");
		}
		if ((err = pthread_join(th, NULL))) {
			errno = err;
			die("pthread_join");
		}
	}
}

/* page fault: touch each 4 KiB page of a fresh anonymous mapping once.
 * Huge pages are refused so that every page is its own fault. */
static void bench_page_fault(unsigned long n)
{
	while (n > 0) {
		unsigned long pages = n < MAX_FAULT_PAGES ? n : MAX_FAULT_PAGES;
		size_t len = pages * 4096;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		madvise(p, len, MADV_NOHUGEPAGE); /* advisory: may be absent */
		for (unsigned long i = 0; i < pages; i++)
			((volatile char *)p)[i * 4096] = 1;
		if (munmap(p, len))
			die("munmap");
		n -= pages;
	}
}

/* futex ping-pong: the word says whose turn it is (0: main, 1: partner). */
static _Atomic uint32_t futex_word;
static _Atomic int futex_stop;
static pthread_t futex_partner;

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void futex_wait_while(uint32_t val)
{
	while (atomic_load(&futex_word) == val) {
		if (futex(&futex_word, FUTEX_WAIT, val) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			die("futex wait");
	}
}

static void futex_hand_over(uint32_t to)
{
	atomic_store(&futex_word, to);
	if (futex(&futex_word, FUTEX_WAKE, 1) < 0)
		die("futex wake");
}

static void *futex_partner_main(void *arg)
{
	for (;;) {
		futex_wait_while(0);
		if (atomic_load(&futex_stop))
			return arg;
		futex_hand_over(0);
	}
}

static void setup_futex(void)
{
	int err = pthread_create(&futex_partner, NULL, futex_partner_main, NULL);
	if (err) {
		errno = err;
		die("pthread_create");
	}
}

static void bench_futex(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		futex_hand_over(1);
		futex_wait_while(1);
	}
}

static void teardown_futex(void)
{
	atomic_store(&futex_stop, 1);
	futex_hand_over(1);
	pthread_join(futex_partner, NULL);
}

/* signal to self: kill() delivers SIGUSR1 before it returns. */
static volatile sig_atomic_t signals_seen;

static void on_sigusr1(int sig)
{
	(void)sig;
	signals_seen++;
}

static void setup_signal(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");
}

static void bench_signal(unsigned long n)
{
	pid_t self = getpid();
	for (unsigned long i = 0; i < n; i++) {
		sig_atomic_t before = signals_seen;
		if (kill(self, SIGUSR1))
			die("kill");
		if (signals_seen != before + 1)
			die_msg("signal handler did not run before kill returned");
	}
}

/* ---- the table --------------------------------------------------------- */

enum unit { UNIT_US, UNIT_MBPS };

struct bench {
	const char *name;
	void (*setup)(void);
	void (*run)(unsigned long n);
	void (*teardown)(void);
	enum unit unit;
	unsigned long bytes_per_op;   /* for UNIT_MBPS */
	unsigned long max_iters;      /* bound on one batch */
};

static const struct bench benches[] = {
	{ "getppid", NULL, bench_getppid, NULL, UNIT_US, 0, MAX_ITERS },
	{ "clock_gettime", NULL, bench_clock_gettime, NULL, UNIT_US, 0, MAX_ITERS },
	{ "open_close", NULL, bench_open_close, NULL, UNIT_US, 0, MAX_ITERS },
	{ "stat", NULL, bench_stat, NULL, UNIT_US, 0, MAX_ITERS },
	{ "pread_4k", setup_pread, bench_pread, NULL, UNIT_US, 0, MAX_ITERS },
	{ "write_devnull_4k", setup_write_devnull, bench_write_devnull, NULL, UNIT_US, 0, MAX_ITERS },
	{ "pipe_pingpong", setup_pipe_pingpong, bench_pingpong, teardown_echo, UNIT_US, 0, MAX_ITERS },
	{ "pipe_throughput", setup_pipe_throughput, bench_pipe_throughput, teardown_pipe_throughput,
	  UNIT_MBPS, BIG_CHUNK, MAX_ITERS },
	{ "fork_exit_wait", NULL, bench_fork, NULL, UNIT_US, 0, 4096 },
	{ "fork_exec_wait", NULL, bench_fork_exec, NULL, UNIT_US, 0, 1024 },
	{ "pthread_create_join", NULL, bench_pthread, NULL, UNIT_US, 0, 65536 },
	{ "page_fault", NULL, bench_page_fault, NULL, UNIT_US, 0, MAX_FAULT_PAGES * 8 },
	{ "futex_pingpong", setup_futex, bench_futex, teardown_futex, UNIT_US, 0, MAX_ITERS },
	{ "signal_self", setup_signal, bench_signal, NULL, UNIT_US, 0, MAX_ITERS },
	{ "unix_pingpong", setup_unix_pingpong, bench_pingpong, teardown_echo, UNIT_US, 0, MAX_ITERS },
};

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static uint64_t time_batch(const struct bench *b, unsigned long n)
{
	uint64_t start = now_ns();
	b->run(n);
	return now_ns() - start;
}

/* Doubles the batch size until a batch reaches the target time (this also
 * warms caches and the sandbox's own paths). */
static unsigned long calibrate(const struct bench *b)
{
	unsigned long n = 1;
	while (n < b->max_iters && time_batch(b, n) < TARGET_BATCH_NS)
		n *= 2;
	return n;
}

/* Median nanoseconds per operation over the timed batches. */
static double measure_ns_per_op(const struct bench *b)
{
	double per_op[MAX_BATCHES];
	int batches = 0;
	unsigned long n = calibrate(b);
	uint64_t started = now_ns();
	while (batches < MAX_BATCHES &&
	       (batches < MIN_BATCHES || now_ns() - started < BUDGET_NS))
		per_op[batches++] = (double)time_batch(b, n) / (double)n;
	qsort(per_op, (size_t)batches, sizeof(per_op[0]), compare_double);
	if (batches % 2)
		return per_op[batches / 2];
	return (per_op[batches / 2 - 1] + per_op[batches / 2]) / 2;
}

/* Three significant digits at most, without exponents. */
static void print_value(const char *name, double v, const char *unit)
{
	const char *fmt = v < 1 ? "%s %.4f %s\n" : v < 10 ? "%s %.3f %s\n" :
			  v < 100 ? "%s %.2f %s\n" : v < 1000 ? "%s %.1f %s\n" :
			  "%s %.0f %s\n";
	printf(fmt, name, v, unit);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME | --list\n", argv[0]);
		return 2;
	}
	size_t count = sizeof(benches) / sizeof(benches[0]);
	if (strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < count; i++)
			printf("%s\n", benches[i].name);
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		const struct bench *b = &benches[i];
		if (strcmp(argv[1], b->name) != 0)
			continue;
		bench_name = b->name;
		if (b->setup)
			b->setup();
		double ns = measure_ns_per_op(b);
		if (b->teardown)
			b->teardown();
		if (b->unit == UNIT_MBPS)
			print_value(b->name, (double)b->bytes_per_op * 1000.0 / ns, "MB/s");
		else
			print_value(b->name, ns / 1000.0, "us");
		return 0;
	}
	fprintf(stderr, "micro: unknown benchmark '%s' (try --list)\n", argv[1]);
	return 2;
}
