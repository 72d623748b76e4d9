/* sig_restart: system call restart after a signal. A handler without
 * SA_RESTART makes a blocked pipe read fail with EINTR; with SA_RESTART the
 * read is restarted and returns the data that comes later; nanosleep and
 * poll fail with EINTR even with SA_RESTART (nanosleep reports the
 * remaining time); a stop and continue without a handler restarts
 * nanosleep and read transparently. A helper process sends the signals
 * again and again, so nothing depends on timing. */
#include "tap.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile int hits;
static void on_usr1(int sig) { hits++; }

static void nap_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Sends sig to target every 20 ms: forever (count < 0) or count times,
 * then writes a byte to fd (if fd >= 0) and exits. */
static pid_t pester(pid_t target, int sig, int count, int fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30);
		for (int i = 0; count < 0 || i < count; i++) {
			nap_ms(20);
			if (kill(target, sig) != 0)
				_exit(1);
		}
		if (fd >= 0)
			write(fd, "x", 1);
		_exit(0);
	}
	return pid;
}

static void stop_pester(pid_t pid)
{
	kill(pid, SIGKILL);
	tap_wait(pid, 0);
}

static void set_handler(int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
	sigaction(SIGUSR1, &sa, NULL);
}

int main(void)
{
	int p[2];
	pipe(p);
	char c;

	set_handler(0);
	pid_t h = pester(getpid(), SIGUSR1, -1, -1);
	CHECK_ERR(read(p[0], &c, 1), EINTR, "blocked read without SA_RESTART EINTR");
	stop_pester(h);
	CHECK(hits >= 1, "the handler ran");

	set_handler(SA_RESTART);
	hits = 0;
	h = pester(getpid(), SIGUSR1, 5, p[1]);
	CHECK_EQ(read(p[0], &c, 1), 1, "blocked read with SA_RESTART is restarted and gets the data");
	CHECK(hits >= 1 && hits <= 5, "the signals were handled meanwhile");
	stop_pester(h);

	h = pester(getpid(), SIGUSR1, -1, -1);
	struct timespec req = { 30, 0 }, rem = { -1, -1 };
	CHECK_ERR(nanosleep(&req, &rem), EINTR, "nanosleep EINTR even with SA_RESTART");
	CHECK(rem.tv_sec >= 0 && rem.tv_sec < 30 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L,
	      "nanosleep reports the remaining time");
	CHECK(rem.tv_sec >= 20, "which is most of it");
	CHECK_ERR(poll(NULL, 0, 30000), EINTR, "poll EINTR even with SA_RESTART");
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 30;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), EINTR,
		 "clock_nanosleep TIMER_ABSTIME returns EINTR");
	stop_pester(h);

	/* Stop and continue without a handler: nothing is seen. */
	pid_t sleeper = fork();
	if (sleeper == 0) {
		struct timespec ts = { 0, 600 * 1000000L };
		int r = nanosleep(&ts, NULL);
		_exit(r == 0 ? 0 : 1);
	}
	for (int i = 0; i < 5; i++) {
		nap_ms(20);
		kill(sleeper, SIGSTOP);
		nap_ms(10);
		kill(sleeper, SIGCONT);
	}
	int st = tap_wait(sleeper, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nanosleep survives stop/continue and returns 0");

	pid_t reader = fork();
	if (reader == 0) {
		char x;
		_exit(read(p[0], &x, 1) == 1 ? 0 : 1);
	}
	for (int i = 0; i < 5; i++) {
		nap_ms(20);
		kill(reader, SIGSTOP);
		nap_ms(10);
		kill(reader, SIGCONT);
	}
	write(p[1], "y", 1);
	st = tap_wait(reader, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a pipe read survives stop/continue and returns the data");
	signal(SIGUSR1, SIG_DFL);
	return tap_done();
}
