/* proc_exec_state: process state across execve (beyond exec_basic).
 * Kept: pending signals (a blocked SIGUSR1 stays pending), the alarm and
 * ITIMER_REAL, nice value, the parent death signal, the subreaper flag,
 * rlimits, cwd, umask, SIGCHLD ignored. Reset: a SA_SIGINFO handler to
 * SIG_DFL (with its flags cleared). Changed: the thread name becomes the
 * first 15 bytes of the new file's base name. */
#include "tap.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

static void handler(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; }

static void phase2(char **argv)
{
	tap_set_count(atoi(argv[2]) - 1);
	CHECK(1, "execve with state set up");
	sigset_t set;
	sigpending(&set);
	CHECK(sigismember(&set, SIGUSR1), "blocked pending SIGUSR1 still pending");
	struct sigaction sa;
	sigaction(SIGUSR2, NULL, &sa);
	CHECK(sa.sa_handler == SIG_DFL, "SA_SIGINFO handler reset to SIG_DFL");
	CHECK(!(sa.sa_flags & SA_SIGINFO), "its SA_SIGINFO flag is gone");
	sigaction(SIGCHLD, NULL, &sa);
	CHECK(sa.sa_handler == SIG_IGN, "ignored SIGCHLD stays ignored");
	unsigned left = alarm(0);
	tap_diag("alarm left %u", left);
	CHECK(left >= 90 && left <= 100, "alarm survives execve");
	struct itimerval it;
	getitimer(ITIMER_REAL, &it);
	CHECK(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0, "alarm(0) cleared ITIMER_REAL (the same timer)");
	errno = 0;
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 5, "nice value kept");
	int v = -1;
	prctl(PR_GET_PDEATHSIG, &v);
	CHECK_EQ(v, SIGHUP, "parent death signal kept (not a set-id exec)");
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	CHECK_EQ(v, 1, "subreaper flag kept");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_EQ(rl.rlim_cur, 123, "rlimit kept");
	char cwd[64];
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/etc") == 0, "cwd kept");
	CHECK_EQ(umask(0), 061, "umask kept");
	char name[17] = "";
	prctl(PR_GET_NAME, name);
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	char want[16];
	snprintf(want, sizeof want, "%s", base);
	CHECK(strcmp(name, want) == 0, "thread name is the new file's base name");
	prctl(PR_SET_PDEATHSIG, 0);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "phase2") == 0) {
		phase2(argv);
		return tap_done();
	}
	char self[4096];
	if (argv[0][0] == '/')
		snprintf(self, sizeof self, "%s", argv[0]);
	else {
		getcwd(self, sizeof self - 256);
		strcat(self, "/");
		strcat(self, argv[0]);
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_OK(raise(SIGUSR1), "leave SIGUSR1 pending");
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART };
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL), "SA_SIGINFO handler for SIGUSR2");
	signal(SIGCHLD, SIG_IGN);
	alarm(100);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 5), "nice 5");
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 123;
	setrlimit(RLIMIT_NOFILE, &rl);
	CHECK_OK(chdir("/etc"), "chdir /etc");
	umask(061);
	prctl(PR_SET_NAME, "before-exec");
	char count[16];
	snprintf(count, sizeof count, "%d", tap_count + 1);
	char *nargv[] = { self, "phase2", count, NULL };
	char *envp[] = { NULL };
	fflush(stdout);
	execve(self, nargv, envp);
	CHECK(0, "execve failed: %s", tap_errname(errno));
	return tap_done();
}
