/* sig_state: signal state without delivery. rt_sigaction old/new round
 * trips, SIGKILL/SIGSTOP cannot be caught, bad signal numbers and sigset
 * sizes; rt_sigprocmask SIG_BLOCK/UNBLOCK/SETMASK (SIGKILL/SIGSTOP never
 * blocked); rt_sigpending; sigaltstack (ENOMEM for small stacks, EINVAL for
 * bad flags, SS_DISABLE round trip), EFAULT. Uses raw syscalls with the
 * kernel's 8-byte sigset. */
#include "tap.h"
#include <signal.h>

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#define SA_RESTORER_FLAG 0x04000000
#define BIT(sig) (1ULL << ((sig) - 1))

static void handler(int sig) { (void)sig; }
static void restorer(void) {}

static long sigaction_raw(int sig, const struct kernel_sigaction *act, struct kernel_sigaction *old, size_t size)
{
	return syscall(SYS_rt_sigaction, sig, act, old, size);
}

static long sigprocmask_raw(int how, const uint64_t *set, uint64_t *old, size_t size)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

int main(void)
{
	struct kernel_sigaction act = { (void *)handler, SA_RESTORER_FLAG | SA_RESTART, (void *)restorer,
					BIT(SIGUSR2) | BIT(SIGKILL) };
	struct kernel_sigaction old;
	memset(&old, 0xff, sizeof old);
	CHECK_OK(sigaction_raw(SIGUSR1, NULL, &old, 8), "query SIGUSR1");
	CHECK(old.handler == SIG_DFL && old.mask == 0, "SIGUSR1 starts at SIG_DFL with an empty mask");
	CHECK_OK(sigaction_raw(SIGUSR1, &act, NULL, 8), "install a handler");
	CHECK_OK(sigaction_raw(SIGUSR1, NULL, &old, 8), "read it back");
	CHECK(old.handler == (void *)handler && old.restorer == (void *)restorer, "handler and restorer round trip");
	CHECK(old.flags == (SA_RESTORER_FLAG | SA_RESTART), "flags round trip");
	CHECK_EQ(old.mask, BIT(SIGUSR2), "mask round trips without SIGKILL");
	struct kernel_sigaction ign = { SIG_IGN, SA_RESTORER_FLAG, (void *)restorer, 0 };
	CHECK_OK(sigaction_raw(SIGUSR1, &ign, &old, 8), "swap in SIG_IGN and get the old action");
	CHECK(old.handler == (void *)handler, "old action returned in the same call");
	struct kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };
	sigaction_raw(SIGUSR1, &dfl, NULL, 8);

	CHECK_ERR(sigaction_raw(SIGKILL, &act, NULL, 8), EINVAL, "handler for SIGKILL EINVAL");
	CHECK_ERR(sigaction_raw(SIGSTOP, &ign, NULL, 8), EINVAL, "ignoring SIGSTOP EINVAL");
	CHECK_OK(sigaction_raw(SIGKILL, NULL, &old, 8), "querying SIGKILL is allowed");
	CHECK_ERR(sigaction_raw(0, NULL, &old, 8), EINVAL, "signal 0 EINVAL");
	CHECK_ERR(sigaction_raw(65, NULL, &old, 8), EINVAL, "signal 65 EINVAL");
	CHECK_OK(sigaction_raw(64, NULL, &old, 8), "signal 64 is valid");
	CHECK_ERR(sigaction_raw(SIGUSR1, NULL, &old, 4), EINVAL, "sigsetsize 4 EINVAL");
	CHECK_ERR(sigaction_raw(SIGUSR1, NULL, &old, 16), EINVAL, "sigsetsize 16 EINVAL");
	CHECK_ERR(sigaction_raw(SIGUSR1, BAD_LOW, NULL, 8), EFAULT, "bad act pointer EFAULT");
	CHECK_ERR(sigaction_raw(SIGUSR1, NULL, BAD_KERNEL, 8), EFAULT, "bad oldact pointer EFAULT");

	uint64_t set, cur;
	CHECK_OK(sigprocmask_raw(SIG_SETMASK, NULL, &cur, 8), "read the mask");
	CHECK_EQ(cur, 0, "mask starts empty");
	set = BIT(SIGUSR1) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGRTMIN + 1);
	CHECK_OK(sigprocmask_raw(SIG_BLOCK, &set, &cur, 8), "SIG_BLOCK");
	sigprocmask_raw(SIG_BLOCK, NULL, &cur, 8);
	CHECK_EQ(cur, BIT(SIGUSR1) | BIT(SIGRTMIN + 1), "SIGKILL and SIGSTOP are silently not blocked");
	set = BIT(SIGUSR2);
	sigprocmask_raw(SIG_BLOCK, &set, NULL, 8);
	set = BIT(SIGUSR1);
	CHECK_OK(sigprocmask_raw(SIG_UNBLOCK, &set, &cur, 8), "SIG_UNBLOCK");
	CHECK_EQ(cur, BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGRTMIN + 1), "old mask returned");
	sigprocmask_raw(SIG_BLOCK, NULL, &cur, 8);
	CHECK_EQ(cur, BIT(SIGUSR2) | BIT(SIGRTMIN + 1), "SIGUSR1 unblocked");
	set = BIT(SIGTERM);
	CHECK_OK(sigprocmask_raw(SIG_SETMASK, &set, NULL, 8), "SIG_SETMASK");
	sigprocmask_raw(SIG_BLOCK, NULL, &cur, 8);
	CHECK_EQ(cur, BIT(SIGTERM), "replaced");
	CHECK_ERR(sigprocmask_raw(99, &set, NULL, 8), EINVAL, "bad how EINVAL");
	CHECK_OK(sigprocmask_raw(99, NULL, &cur, 8), "bad how with a NULL set is only a query");
	CHECK_ERR(sigprocmask_raw(SIG_BLOCK, &set, NULL, 4), EINVAL, "sigsetsize 4 EINVAL");
	CHECK_ERR(sigprocmask_raw(SIG_BLOCK, BAD_LOW, NULL, 8), EFAULT, "bad set pointer EFAULT");
	CHECK_ERR(sigprocmask_raw(SIG_BLOCK, NULL, BAD_LOW, 8), EFAULT, "bad oldset pointer EFAULT");
	uint64_t pend = ~0ULL;
	CHECK_OK(syscall(SYS_rt_sigpending, &pend, 8), "rt_sigpending");
	CHECK_EQ(pend, 0, "nothing pending");
	CHECK_ERR(syscall(SYS_rt_sigpending, &pend, 16), EINVAL, "rt_sigpending sigsetsize 16 EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigpending, BAD_LOW, 8), EFAULT, "rt_sigpending bad pointer EFAULT");
	set = 0;
	sigprocmask_raw(SIG_SETMASK, &set, NULL, 8);

	stack_t ss, oss;
	memset(&oss, 0xff, sizeof oss);
	CHECK_OK(sigaltstack(NULL, &oss), "query sigaltstack");
	CHECK(oss.ss_flags == SS_DISABLE, "no alternate stack at start");
	static char stk[65536];
	ss = (stack_t){ .ss_sp = stk, .ss_size = sizeof stk, .ss_flags = 0 };
	CHECK_OK(sigaltstack(&ss, NULL), "install an alternate stack");
	CHECK_OK(sigaltstack(NULL, &oss), "query it");
	CHECK(oss.ss_sp == stk && oss.ss_size == sizeof stk && oss.ss_flags == 0, "round trip");
	ss.ss_size = 100;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM, "stack smaller than MINSIGSTKSZ ENOMEM");
	ss.ss_size = sizeof stk;
	ss.ss_flags = 0x1234;
	CHECK_ERR(sigaltstack(&ss, NULL), EINVAL, "bad flags EINVAL");
	ss.ss_flags = SS_ONSTACK;
	CHECK_OK(sigaltstack(&ss, NULL), "SS_ONSTACK is accepted as 0 (compat)");
	ss.ss_flags = SS_DISABLE;
	ss.ss_size = 1;
	CHECK_OK(sigaltstack(&ss, &oss), "SS_DISABLE ignores the size");
	sigaltstack(NULL, &oss);
	CHECK(oss.ss_flags == SS_DISABLE, "disabled");
	CHECK_ERR(syscall(SYS_sigaltstack, BAD_LOW, NULL), EFAULT, "bad ss pointer EFAULT");
	CHECK_ERR(syscall(SYS_sigaltstack, NULL, BAD_LOW), EFAULT, "bad oss pointer EFAULT");
	return tap_done();
}
