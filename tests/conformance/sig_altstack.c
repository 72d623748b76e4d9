/* sig_altstack: handlers on the alternate signal stack. With SA_ONSTACK the
 * handler runs inside the sigaltstack area and sigaltstack reports
 * SS_ONSTACK there, where changing the stack is EPERM; uc_stack holds the
 * settings; without SA_ONSTACK the handler runs on the normal stack;
 * SS_AUTODISARM disarms the stack during the handler and restores it at
 * return; a stack overflow's SIGSEGV can be handled on the alternate
 * stack (in a child). */
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char altstack[1 << 16];
static volatile int on_alt, flags_inside, eperm_inside, uc_ok, try_change = 1;

static int in_alt(void *p) { return (char *)p >= altstack && (char *)p < altstack + sizeof altstack; }

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int local;
	on_alt = in_alt(&local);
	stack_t cur;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
	stack_t other = { .ss_sp = altstack, .ss_size = sizeof altstack };
	if (try_change)
		eperm_inside = sigaltstack(&other, NULL) == -1 && errno == EPERM;
	uc_ok = uc->uc_stack.ss_sp == altstack && uc->uc_stack.ss_size == sizeof altstack;
}

static char segv_stack[1 << 16];
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	int local;
	_exit((char *)&local >= segv_stack && (char *)&local < segv_stack + sizeof segv_stack ? 0 : 1);
}

static volatile int sink;
static volatile int limit = 1 << 30; /* never reached: the stack runs out */
static int recurse(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	if (n >= limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	CHECK_OK(sigaltstack(&ss, NULL), "install an alternate stack");
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK(on_alt, "SA_ONSTACK handler runs on the alternate stack");
	CHECK_EQ(flags_inside, SS_ONSTACK, "sigaltstack inside reports SS_ONSTACK");
	CHECK(eperm_inside, "changing the stack while on it EPERM");
	CHECK(uc_ok, "uc_stack holds the alternate stack settings");
	stack_t cur;
	sigaltstack(NULL, &cur);
	CHECK_EQ(cur.ss_flags, 0, "after the handler: enabled, not on it");

	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	on_alt = 1;
	raise(SIGUSR1);
	CHECK(!on_alt, "without SA_ONSTACK the handler uses the normal stack");
	CHECK_EQ(flags_inside, 0, "and sigaltstack there reports 0");

	ss.ss_flags = SS_AUTODISARM;
	CHECK_OK(sigaltstack(&ss, NULL), "SS_AUTODISARM stack");
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	try_change = 0;
	raise(SIGUSR1);
	CHECK(on_alt, "handler on the auto-disarmed stack");
	CHECK_EQ(flags_inside, SS_DISABLE, "inside, the stack is disarmed");
	sigaltstack(NULL, &cur);
	CHECK(cur.ss_sp == altstack && (unsigned)cur.ss_flags == SS_AUTODISARM, "restored at return");

	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_STACK, &rl);
		stack_t s2 = { .ss_sp = segv_stack, .ss_size = sizeof segv_stack };
		sigaltstack(&s2, NULL);
		struct sigaction sg = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
		sigaction(SIGSEGV, &sg, NULL);
		sink = recurse(0);
		_exit(2);
	}
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stack overflow SIGSEGV handled on the alternate stack");
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	signal(SIGUSR1, SIG_DFL);
	return tap_done();
}
