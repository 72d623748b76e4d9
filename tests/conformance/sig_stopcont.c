/* sig_stopcont: group stop and continue. SIGSTOP stops every thread of a
 * multithreaded child (shared counters stop moving) and SIGCONT resumes
 * them all; a SIGCONT handler runs when the process is continued; SIGCONT
 * discards a pending (blocked) stop signal; a caught SIGTSTP does not stop;
 * SIGSTOP cannot be caught (EINVAL) or blocked. */
#include "tap.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static volatile long *counters;

static void *count(void *arg)
{
	long i = (long)arg;
	for (;;)
		counters[i]++;
	return NULL;
}

static void nap_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static int both_move(void)
{
	long a = counters[0], b = counters[1];
	for (int i = 0; i < 500; i++) {
		nap_ms(10);
		if (counters[0] != a && counters[1] != b)
			return 1;
	}
	return 0;
}

static int report_fd;
static void on_cont(int sig) { write(report_fd, "c", 1); }
static void on_tstp(int sig) { write(report_fd, "t", 1); }
static volatile int got_cont;
static void on_cont_flag(int sig) { got_cont = 1; }

int main(void)
{
	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(30);
		pthread_t t;
		pthread_create(&t, NULL, count, (void *)1L);
		count((void *)0L);
	}
	CHECK(both_move(), "both threads of the child run");
	CHECK_OK(kill(pid, SIGSTOP), "SIGSTOP");
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid, "reported stopped");
	long a = counters[0], b = counters[1];
	nap_ms(100);
	CHECK(counters[0] == a && counters[1] == b, "neither thread moves while stopped");
	CHECK_OK(kill(pid, SIGCONT), "SIGCONT");
	CHECK(both_move(), "both threads run again");
	kill(pid, SIGKILL);
	tap_wait(pid, 0);

	int p[2];
	pipe(p);
	report_fd = p[1];
	pid = fork();
	if (pid == 0) {
		alarm(30);
		signal(SIGCONT, on_cont);
		signal(SIGTSTP, on_tstp);
		write(p[1], "r", 1);
		for (;;)
			pause();
	}
	char c;
	read(p[0], &c, 1);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	CHECK_EQ(read(p[0], &c, 1), 1, "continued child reports");
	CHECK_EQ(c, 'c', "its SIGCONT handler ran");
	kill(pid, SIGTSTP);
	CHECK_EQ(read(p[0], &c, 1), 1, "SIGTSTP with a handler");
	CHECK_EQ(c, 't', "ran the handler");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, "and did not stop");
	kill(pid, SIGKILL);
	tap_wait(pid, 0);

	pid = fork();
	if (pid == 0) {
		alarm(30);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGTSTP);
		sigprocmask(SIG_BLOCK, &s, NULL);
		signal(SIGCONT, on_cont_flag);
		write(p[1], "r", 1);
		/* SIGTSTP is sent before SIGCONT: once the latter is seen, the
		 * former has been generated (and should have been discarded). */
		for (int i = 0; i < 500 && !got_cont; i++)
			nap_ms(10);
		sigset_t pend;
		sigpending(&pend);
		if (!got_cont)
			_exit(2);
		_exit(sigismember(&pend, SIGTSTP) ? 1 : 0);
	}
	read(p[0], &c, 1);
	kill(pid, SIGTSTP);
	kill(pid, SIGCONT);
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGCONT discarded the blocked pending SIGTSTP");

	struct sigaction sa = { .sa_handler = on_cont };
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL, "SIGSTOP cannot be caught");
	sigset_t s, cur;
	sigemptyset(&s);
	sigaddset(&s, SIGSTOP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGSTOP), "SIGSTOP cannot be blocked");
	return tap_done();
}
