/* proc_rlimit: getrlimit/setrlimit/prlimit64. Lowering a soft limit takes
 * effect (RLIMIT_NOFILE bounds new fds), soft > hard is EINVAL, bad
 * resources EINVAL, prlimit64 old/new round trips, ESRCH, EFAULT. Hard limits
 * are only lowered, never raised (we may or may not be privileged). */
#include "tap.h"
#include <fcntl.h>
#include <sys/resource.h>

int main(void)
{
	tap_close_extra_fds();
	struct rlimit rl, got;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl), "getrlimit RLIMIT_NOFILE");
	CHECK(rl.rlim_cur <= rl.rlim_max, "soft <= hard");
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 10, rl.rlim_max }), "lower the soft limit to 10");
	getrlimit(RLIMIT_NOFILE, &got);
	CHECK(got.rlim_cur == 10 && got.rlim_max == rl.rlim_max, "getrlimit shows it");
	int fds = 0, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		fds++;
	CHECK_EQ(errno, EMFILE, "opening past the limit EMFILE");
	CHECK_EQ(fds, 7, "fds 3..9 were available");
	CHECK_ERR(dup2(0, 10), EBADF, "dup2 to the limit EBADF");
	CHECK_ERR(fcntl(0, F_DUPFD, 10), EINVAL, "F_DUPFD at the limit EINVAL");
	CHECK_OK(dup2(0, 9), "dup2 below the limit");
	for (int i = 3; i < 10; i++)
		close(i);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl), "restore the soft limit");
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 20, 10 }), EINVAL, "soft > hard EINVAL");
	CHECK_ERR(getrlimit(99, &got), EINVAL, "unknown resource EINVAL");
	CHECK_ERR(setrlimit(99, &rl), EINVAL, "setrlimit unknown resource EINVAL");
	CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD_LOW), EFAULT, "getrlimit bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD_LOW), EFAULT, "setrlimit bad pointer EFAULT");

	struct rlimit old, stack;
	getrlimit(RLIMIT_STACK, &stack);
	CHECK_OK(prlimit(0, RLIMIT_STACK, NULL, &old), "prlimit64 read only");
	CHECK(old.rlim_cur == stack.rlim_cur && old.rlim_max == stack.rlim_max, "prlimit64 agrees with getrlimit");
	struct rlimit lower = { 1 << 20, stack.rlim_max };
	CHECK_OK(prlimit(0, RLIMIT_STACK, &lower, &old), "prlimit64 set and get");
	CHECK(old.rlim_cur == stack.rlim_cur, "prlimit64 returns the old value");
	getrlimit(RLIMIT_STACK, &got);
	CHECK_EQ(got.rlim_cur, 1 << 20, "the new value is in force");
	CHECK_OK(prlimit(getpid(), RLIMIT_STACK, &stack, NULL), "prlimit64 on our own pid");
	getrlimit(RLIMIT_STACK, &got);
	CHECK_EQ(got.rlim_cur, stack.rlim_cur, "restored");
	CHECK_ERR(prlimit(0x3fffffff, RLIMIT_STACK, NULL, &old), ESRCH, "prlimit64 missing pid ESRCH");
	CHECK_ERR(prlimit(0, 99, NULL, &old), EINVAL, "prlimit64 bad resource EINVAL");
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, BAD_KERNEL), EFAULT, "prlimit64 bad old pointer EFAULT");
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, BAD_LOW, NULL), EFAULT, "prlimit64 bad new pointer EFAULT");

	struct rlimit as;
	getrlimit(RLIMIT_AS, &as);
	CHECK_OK(setrlimit(RLIMIT_AS, &(struct rlimit){ 1UL << 40, as.rlim_max }), "set RLIMIT_AS to 1 TiB");
	CHECK(mmap(NULL, 2UL << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED &&
		      errno == ENOMEM,
	      "a 2 TiB mapping exceeds RLIMIT_AS: ENOMEM");
	CHECK_OK(setrlimit(RLIMIT_AS, &as), "restore RLIMIT_AS");
	void *big = mmap(NULL, 2UL << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(big != MAP_FAILED, "and now it fits");
	return tap_done();
}
