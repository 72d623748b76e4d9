/* sig_flags: handler flags and the mask around handlers. By default a
 * signal raised inside its own handler waits until the handler returns;
 * SA_NODEFER lets it nest; SA_RESETHAND resets the disposition to SIG_DFL
 * on delivery while still blocking the signal during the handler (so the
 * default action comes after the handler), and with SA_NODEFER the default
 * action strikes at once; mask changes made inside a handler are undone at
 * return, changes to uc_sigmask take effect; setting SIG_IGN discards a
 * pending signal. */
#include "tap.h"
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static volatile int depth, max_depth, calls;

static void nesting(int sig)
{
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (calls == 1)
		raise(sig);
	depth--;
}

static int marker_fd;
static void resethand(int sig)
{
	write(marker_fd, "a", 1);
	raise(sig);
	write(marker_fd, "b", 1);
}

static void mask_changer(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL); /* undone by sigreturn */
	sigaddset(&uc->uc_sigmask, SIGWINCH); /* takes effect */
}

static volatile int usr2_hits;
static void on_usr2(int sig) { usr2_hits++; }

/* Runs a child with a SA_RESETHAND handler for SIGUSR1 that raises SIGUSR1
 * again; returns what it wrote and sets *status. */
static int resethand_child(int extra_flags, char *out, int *status)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		marker_fd = p[1];
		struct sigaction sa = { .sa_handler = resethand, .sa_flags = SA_RESETHAND | extra_flags };
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		write(p[1], "c", 1);
		_exit(0);
	}
	close(p[1]);
	*status = tap_wait(pid, 0);
	int n = read(p[0], out, 8);
	close(p[0]);
	out[n > 0 ? n : 0] = 0;
	return n;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = nesting };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK_EQ(calls, 2, "signal raised in its own handler is delivered after it returns");
	CHECK_EQ(max_depth, 1, "without SA_NODEFER handlers do not nest");

	calls = max_depth = 0;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK_EQ(calls, 2, "SA_NODEFER: delivered twice");
	CHECK_EQ(max_depth, 2, "SA_NODEFER: the second nests inside the first");

	char out[9];
	int st;
	resethand_child(0, out, &st);
	CHECK(strcmp(out, "ab") == 0, "SA_RESETHAND: the re-raised signal waits for the handler to finish");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "then its default action (reset) kills");
	resethand_child(SA_NODEFER, out, &st);
	CHECK(strcmp(out, "a") == 0, "SA_RESETHAND|SA_NODEFER: the default action strikes inside the handler");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "killed by SIGUSR1");

	sa.sa_handler = NULL;
	sa.sa_sigaction = mask_changer;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR2), "sigprocmask inside a handler is undone at return");
	CHECK(sigismember(&cur, SIGWINCH), "uc_sigmask changed in the handler becomes the mask");
	sigemptyset(&cur);
	sigprocmask(SIG_SETMASK, &cur, NULL);

	signal(SIGUSR2, on_usr2);
	sigset_t s2;
	sigemptyset(&s2);
	sigaddset(&s2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s2, NULL);
	raise(SIGUSR2);
	sigpending(&cur);
	CHECK(sigismember(&cur, SIGUSR2), "blocked SIGUSR2 pending");
	signal(SIGUSR2, SIG_IGN);
	sigpending(&cur);
	CHECK(!sigismember(&cur, SIGUSR2), "setting SIG_IGN discards it");
	signal(SIGUSR2, on_usr2);
	sigprocmask(SIG_UNBLOCK, &s2, NULL);
	CHECK_EQ(usr2_hits, 0, "nothing delivered after unblocking");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	return tap_done();
}
