/* clone_share: what CLONE_FS, CLONE_FILES, CLONE_SIGHAND and CLONE_VM
 * share with the child, and that without them the child gets copies:
 * chdir and umask (FS), opened/closed descriptors (FILES), signal
 * dispositions (SIGHAND), memory (VM). Children are processes (no
 * CLONE_THREAD) reaped with waitpid. */
#include "tap.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char stack[65536];
static volatile int mem_word;
static int opened_fd = -1;

static void handler(int sig) { (void)sig; }

static int child_fn(void *arg)
{
	int fd_to_close = (int)(long)arg;
	chdir("/etc");
	umask(0077);
	opened_fd = open("/dev/null", O_RDONLY); /* before the close: a new number */
	close(fd_to_close);
	signal(SIGUSR1, handler);
	mem_word = 1;
	return 0;
}

static void reset(void)
{
	chdir("/");
	umask(022);
	signal(SIGUSR1, SIG_DFL);
	mem_word = 0;
	opened_fd = -1;
}

static int run(int flags, int *victim_fd, int *child_fd_out)
{
	reset();
	*victim_fd = open("/dev/null", O_RDONLY);
	opened_fd = -1;
	pid_t pid = clone(child_fn, stack + sizeof stack, flags | SIGCHLD, (void *)(long)*victim_fd);
	int st = tap_wait(pid, 0);
	*child_fd_out = opened_fd;
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int cwd_is(const char *want)
{
	char buf[256];
	return getcwd(buf, sizeof buf) && strcmp(buf, want) == 0;
}

static int handler_is(void (*h)(int))
{
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	return sa.sa_handler == h;
}

int main(void)
{
	int victim, child_fd;
	CHECK(run(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND, &victim, &child_fd), "child with everything shared");
	CHECK(cwd_is("/etc"), "CLONE_FS: child's chdir seen");
	CHECK_EQ(umask(022), 0077, "CLONE_FS: child's umask seen");
	CHECK_ERR(fcntl(victim, F_GETFD), EBADF, "CLONE_FILES: child's close seen");
	CHECK(child_fd >= 0 && fcntl(child_fd, F_GETFD) >= 0, "CLONE_FILES: child's open seen");
	CHECK(handler_is(handler), "CLONE_SIGHAND: child's sigaction seen");
	CHECK_EQ(mem_word, 1, "CLONE_VM: child's write seen");
	if (child_fd >= 0)
		close(child_fd);

	CHECK(run(CLONE_VM, &victim, &child_fd), "child sharing only memory");
	CHECK(cwd_is("/"), "without CLONE_FS: cwd unchanged");
	CHECK_EQ(umask(022), 022, "without CLONE_FS: umask unchanged");
	CHECK_OK(fcntl(victim, F_GETFD), "without CLONE_FILES: our descriptor stays open");
	CHECK(child_fd >= 0 && fcntl(child_fd, F_GETFD) == -1 && errno == EBADF,
	      "without CLONE_FILES: the child's new descriptor is not in our table");
	CHECK(handler_is(SIG_DFL), "without CLONE_SIGHAND: disposition unchanged");
	CHECK_EQ(mem_word, 1, "CLONE_VM alone still shares memory");
	close(victim);

	CHECK(run(0, &victim, &child_fd), "child sharing nothing");
	CHECK_EQ(mem_word, 0, "without CLONE_VM: child's write not seen");
	CHECK_EQ(child_fd, -1, "nor its variables");
	CHECK_OK(fcntl(victim, F_GETFD), "descriptor still open");
	close(victim);

	CHECK(run(CLONE_FILES, &victim, &child_fd), "child sharing only the descriptor table");
	CHECK_ERR(fcntl(victim, F_GETFD), EBADF, "CLONE_FILES without CLONE_VM: close seen");
	CHECK(cwd_is("/"), "cwd unchanged");
	reset();
	return tap_done();
}
