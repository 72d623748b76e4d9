/*
 * timeit: wall time of a whole program, from fork to the end of its wait.
 *
 *   timeit [-n RUNS] [-t SECONDS] [-l LABEL] -- CMD [ARGS...]
 *
 * Runs CMD RUNS times (default 1), one after the other, with stdin and stdout
 * on /dev/null (stderr is kept, for diagnosis), and prints
 * "LABEL VALUE ms" with the median wall time. LABEL defaults to CMD's base
 * name. If a run exits non-zero, is killed, or takes longer than SECONDS
 * (default 60; the whole process group of the run is then killed), timeit
 * prints nothing on stdout, says why on stderr and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n RUNS] [-t SECONDS] [-l LABEL] -- CMD [ARGS...]\n", prog);
	exit(2);
}

/* The child gets its own process group so that a timeout kills everything
 * it started (a sandbox's helper processes included). */
static pid_t spawn(char **cmd)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		exit(1);
	}
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			if (null > 2)
				close(null);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "timeit: exec %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* also from here, so the group exists before a kill */
	return pid;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Waits for pid; kills its process group after timeout_s seconds.
 * Returns the wait status, or -1 on timeout. */
static int wait_with_timeout(pid_t pid, unsigned timeout_s)
{
	int status;
	timed_out = 0;
	alarm(timeout_s);
	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR) {
			perror("timeit: waitpid");
			exit(1);
		}
		if (timed_out) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	return timed_out ? -1 : status;
}

int main(int argc, char **argv)
{
	int runs = 1;
	unsigned timeout_s = 60;
	const char *label = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+n:t:l:")) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 't': timeout_s = (unsigned)atoi(optarg); break;
		case 'l': label = optarg; break;
		default: usage(argv[0]);
		}
	}
	if (optind >= argc || runs < 1 || runs > MAX_RUNS || timeout_s < 1)
		usage(argv[0]);
	char **cmd = &argv[optind];
	if (!label) {
		const char *slash = strrchr(cmd[0], '/');
		label = slash ? slash + 1 : cmd[0];
	}

	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	static double ms[MAX_RUNS];
	for (int i = 0; i < runs; i++) {
		uint64_t start = now_ns();
		pid_t pid = spawn(cmd);
		int status = wait_with_timeout(pid, timeout_s);
		ms[i] = (double)(now_ns() - start) / 1e6;
		if (status == -1) {
			fprintf(stderr, "timeit: %s: timed out after %u s\n", label, timeout_s);
			return 1;
		}
		if (WIFSIGNALED(status)) {
			fprintf(stderr, "timeit: %s: killed by signal %d\n", label, WTERMSIG(status));
			return 1;
		}
		if (WEXITSTATUS(status) != 0) {
			fprintf(stderr, "timeit: %s: exit status %d\n", label, WEXITSTATUS(status));
			return 1;
		}
	}
	qsort(ms, (size_t)runs, sizeof(ms[0]), compare_double);
	double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("%s %.1f ms\n", label, median);
	return 0;
}
