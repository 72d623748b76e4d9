/* proc_arch: arch_prctl (FS/GS base round trips, EINVAL for unknown codes,
 * EFAULT), set_tid_address (returns the tid), set_robust_list /
 * get_robust_list (EINVAL for a bad length), prctl basics (name round trip,
 * EINVAL for an unknown option). */
#include "tap.h"
#include <asm/prctl.h>
#include <linux/futex.h>
#include <sys/prctl.h>

static __thread int tls_marker = 42;

int main(void)
{
	unsigned long fs = 0, gs = 0;
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), "ARCH_GET_FS");
	CHECK(fs != 0, "FS base is set (TLS)");
	unsigned long self;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK_EQ(self, fs, "the TCB points to itself at %%fs:0");
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs), "ARCH_SET_FS to the same value");
	CHECK_EQ(tls_marker, 42, "TLS still works");
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), "ARCH_GET_GS");
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x12345000UL), "ARCH_SET_GS");
	unsigned long gs2 = 0;
	syscall(SYS_arch_prctl, ARCH_GET_GS, &gs2);
	CHECK_EQ(gs2, 0x12345000UL, "GS base round trip");
	syscall(SYS_arch_prctl, ARCH_SET_GS, gs);
	CHECK_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL, "unknown code EINVAL");
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, BAD_LOW), EFAULT, "ARCH_GET_FS bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL), EPERM,
		  "ARCH_SET_FS to a kernel address EPERM");

	static int tid_word;
	CHECK_EQ(syscall(SYS_set_tid_address, &tid_word), syscall(SYS_gettid), "set_tid_address returns the tid");

	struct robust_list_head head = { { &head.list }, 0, NULL };
	CHECK_OK(syscall(SYS_set_robust_list, &head, sizeof head), "set_robust_list");
	CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head + 1), EINVAL, "set_robust_list bad length EINVAL");
	CHECK_ERR(syscall(SYS_set_robust_list, &head, 0), EINVAL, "set_robust_list length 0 EINVAL");
	void *got = NULL;
	size_t len = 0;
	CHECK_OK(syscall(SYS_get_robust_list, 0, &got, &len), "get_robust_list");
	CHECK(got == &head && len == sizeof head, "get_robust_list returns what was set");
	CHECK_ERR(syscall(SYS_get_robust_list, 0x3fffffff, &got, &len), ESRCH, "get_robust_list missing pid ESRCH");
	CHECK_ERR(syscall(SYS_get_robust_list, 0, BAD_LOW, &len), EFAULT, "get_robust_list bad pointer EFAULT");

	char name[32] = { 0 };
	CHECK_OK(prctl(PR_SET_NAME, "moat-test-name-too-long"), "PR_SET_NAME");
	CHECK_OK(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	CHECK(strcmp(name, "moat-test-name-") == 0, "name truncated to 15 bytes");
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1, "PR_GET_DUMPABLE is 1");
	CHECK_OK(prctl(PR_SET_PDEATHSIG, 0), "PR_SET_PDEATHSIG 0");
	int sig = -1;
	CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig), "PR_GET_PDEATHSIG");
	CHECK_EQ(sig, 0, "no parent-death signal");
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 100), EINVAL, "PR_SET_PDEATHSIG bad signal EINVAL");
	CHECK_ERR(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL, "unknown option EINVAL");
	CHECK_ERR(prctl(PR_GET_NAME, BAD_LOW), EFAULT, "PR_GET_NAME bad pointer EFAULT");
	return tap_done();
}
