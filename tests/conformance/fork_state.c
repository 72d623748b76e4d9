/* fork_state: what a forked child inherits and what it does not. Inherited:
 * open files with a shared offset, signal handlers, the signal mask, the
 * alternate signal stack, rlimits, umask, cwd, nice value, the thread name.
 * Not inherited: pending signals, alarm and interval timers, the parent
 * death signal; the child has a new pid (== its tid) and getppid() is the
 * parent. */
#include "tap.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

static void handler(int sig) { (void)sig; }

struct ctx {
	pid_t parent;
	int fd;
	char *altstack;
};

static void child(void *arg)
{
	struct ctx *c = arg;
	CHECK(getpid() != c->parent, "child has a new pid");
	CHECK_EQ(syscall(SYS_gettid), getpid(), "child's tid is its pid");
	CHECK_EQ(getppid(), c->parent, "getppid is the parent");
	CHECK_EQ(lseek(c->fd, 0, SEEK_CUR), 3, "file offset inherited");
	CHECK_EQ(lseek(c->fd, 7, SEEK_SET), 7, "child moves the shared offset");
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	CHECK(sa.sa_handler == handler, "signal handler inherited");
	sigaction(SIGUSR2, NULL, &sa);
	CHECK(sa.sa_handler == SIG_IGN, "ignored signal inherited");
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	CHECK(sigismember(&set, SIGTERM) && !sigismember(&set, SIGUSR1), "signal mask inherited");
	sigpending(&set);
	CHECK(!sigismember(&set, SIGTERM), "pending signals are not inherited");
	stack_t ss;
	sigaltstack(NULL, &ss);
	CHECK(ss.ss_sp == c->altstack && ss.ss_flags == 0, "alternate signal stack inherited");
	CHECK_EQ(alarm(0), 0, "alarm not inherited");
	struct itimerval it;
	getitimer(ITIMER_REAL, &it);
	CHECK(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0, "interval timer not inherited");
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_EQ(rl.rlim_cur, 200, "rlimit inherited");
	CHECK_EQ(umask(0), 027, "umask inherited");
	char cwd[256];
	CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "cwd inherited");
	errno = 0;
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 3, "nice value inherited");
	char name[16] = "";
	prctl(PR_GET_NAME, name);
	CHECK(strcmp(name, "forkstate-name") == 0, "thread name inherited");
	int pdeath = -1;
	prctl(PR_GET_PDEATHSIG, &pdeath);
	CHECK_EQ(pdeath, 0, "parent death signal cleared in the child");
}

int main(void)
{
	struct ctx c = { .parent = getpid() };
	c.fd = open("/etc/passwd", O_RDONLY);
	CHECK_OK(c.fd, "open a file");
	lseek(c.fd, 3, SEEK_SET);
	signal(SIGUSR1, handler);
	signal(SIGUSR2, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_OK(kill(getpid(), SIGTERM), "leave SIGTERM pending");
	static char altstack[65536];
	c.altstack = altstack;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	alarm(100);
	struct itimerval it = { .it_value = { 100, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 200;
	setrlimit(RLIMIT_NOFILE, &rl);
	mode_t old_umask = umask(027);
	CHECK_OK(chdir("/"), "chdir /");
	int old_nice = getpriority(PRIO_PROCESS, 0);
	setpriority(PRIO_PROCESS, 0, 3);
	prctl(PR_SET_NAME, "forkstate-name");
	prctl(PR_SET_PDEATHSIG, SIGHUP);

	tap_in_child(child, &c);
	CHECK_EQ(lseek(c.fd, 0, SEEK_CUR), 7, "child's lseek moved the parent's offset");

	/* Undo, so that nothing fires later. */
	alarm(0);
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	prctl(PR_SET_PDEATHSIG, 0);
	signal(SIGTERM, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGTERM, SIG_DFL);
	setpriority(PRIO_PROCESS, 0, old_nice);
	umask(old_umask);
	return tap_done();
}
