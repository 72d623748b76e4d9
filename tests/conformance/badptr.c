/* badptr: every syscall of the foundation set fed bad pointers (NULL, 1,
 * an unmapped page, a kernel address), bad file descriptors (-1, 9999) and
 * bad lengths/sizes, each checked against the exact errno Linux gives.
 * Only arguments the kernel really dereferences are made bad (some calls
 * never touch a buffer, e.g. write to /dev/null), and nothing here can
 * succeed in a harmful way. */
#include "tap.h"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <asm/prctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#define PG 4096L
#define BADP 0x5ead5ead5ead0L /* placeholder replaced by each bad pointer */

enum { K_NULL = 1, K_LOW = 2, K_UNMAPPED = 4, K_KERNEL = 8, K_ALL = 15, K_NONNULL = 14 };

struct ptr_case {
	const char *name;
	long nr;
	long a[6];
	int kinds;    /* which bad pointers to try */
	int err;      /* expected errno */
	int err_low;  /* expected errno for address 1, when it differs */
};

static const struct {
	int kind;
	const char *name;
} kinds[] = { { K_NULL, "NULL" }, { K_LOW, "address 1" }, { K_UNMAPPED, "unmapped page" }, { K_KERNEL, "kernel address" } };

static long bad_value(int kind)
{
	switch (kind) {
	case K_NULL: return 0;
	case K_LOW: return 1;
	case K_UNMAPPED: return (long)tap_unmapped_page();
	default: return (long)BAD_KERNEL;
	}
}

static void run_ptr_case(const struct ptr_case *c)
{
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (!(c->kinds & kinds[k].kind))
			continue;
		long a[6];
		long bad = bad_value(kinds[k].kind);
		for (int i = 0; i < 6; i++)
			a[i] = c->a[i] == BADP ? bad : c->a[i];
		int want = (kinds[k].kind == K_LOW && c->err_low) ? c->err_low : c->err;
		CHECK_ERR(syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]), want, "%s with %s: %s", c->name,
			  kinds[k].name, tap_errname(want));
	}
}

struct call_case {
	const char *name;
	long nr;
	long a[6];
	int err;
};

static void run_call_case(const struct call_case *c)
{
	CHECK_ERR(syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]), c->err, "%s: %s", c->name,
		  tap_errname(c->err));
}

#define BADFD_CASES(fd)                                                                        \
	{ "read fd " #fd, SYS_read, { fd, (long)buf, 16 }, EBADF },                            \
	{ "write fd " #fd, SYS_write, { fd, (long)buf, 16 }, EBADF },                          \
	{ "pread64 fd " #fd, SYS_pread64, { fd, (long)buf, 16, 0 }, EBADF },                   \
	{ "pwrite64 fd " #fd, SYS_pwrite64, { fd, (long)buf, 16, 0 }, EBADF },                 \
	{ "readv fd " #fd, SYS_readv, { fd, (long)iov, 1 }, EBADF },                           \
	{ "writev fd " #fd, SYS_writev, { fd, (long)iov, 1 }, EBADF },                         \
	{ "preadv fd " #fd, SYS_preadv, { fd, (long)iov, 1, 0 }, EBADF },                      \
	{ "pwritev fd " #fd, SYS_pwritev, { fd, (long)iov, 1, 0 }, EBADF },                    \
	{ "lseek fd " #fd, SYS_lseek, { fd, 0, SEEK_SET }, EBADF },                            \
	{ "fstat fd " #fd, SYS_fstat, { fd, (long)buf }, EBADF },                              \
	{ "newfstatat dirfd " #fd, SYS_newfstatat, { fd, (long)"x", (long)buf, 0 }, EBADF },   \
	{ "newfstatat AT_EMPTY_PATH fd " #fd, SYS_newfstatat, { fd, (long)"", (long)buf, AT_EMPTY_PATH }, EBADF }, \
	{ "statx dirfd " #fd, SYS_statx, { fd, (long)"x", 0, STATX_BASIC_STATS, (long)buf }, EBADF }, \
	{ "getdents64 fd " #fd, SYS_getdents64, { fd, (long)buf, 4096 }, EBADF },              \
	{ "getdents fd " #fd, SYS_getdents, { fd, (long)buf, 4096 }, EBADF },                  \
	{ "readlinkat dirfd " #fd, SYS_readlinkat, { fd, (long)"x", (long)buf, 16 }, EBADF },  \
	{ "faccessat dirfd " #fd, SYS_faccessat, { fd, (long)"x", F_OK }, EBADF },             \
	{ "faccessat2 dirfd " #fd, SYS_faccessat2, { fd, (long)"x", F_OK, 0 }, EBADF },        \
	{ "openat dirfd " #fd, SYS_openat, { fd, (long)"x", O_RDONLY }, EBADF },               \
	{ "fchdir fd " #fd, SYS_fchdir, { fd }, EBADF },                                       \
	{ "fcntl F_GETFD fd " #fd, SYS_fcntl, { fd, F_GETFD }, EBADF },                        \
	{ "fcntl F_SETFL fd " #fd, SYS_fcntl, { fd, F_SETFL, O_NONBLOCK }, EBADF },            \
	{ "dup fd " #fd, SYS_dup, { fd }, EBADF },                                             \
	{ "dup2 fd " #fd, SYS_dup2, { fd, 100 }, EBADF },                                      \
	{ "dup3 fd " #fd, SYS_dup3, { fd, 100, 0 }, EBADF },                                   \
	{ "ioctl FIONREAD fd " #fd, SYS_ioctl, { fd, FIONREAD, (long)buf }, EBADF },           \
	{ "mmap fd " #fd, SYS_mmap, { 0, PG, PROT_READ, MAP_PRIVATE, fd, 0 }, EBADF },         \
	{ "close fd " #fd, SYS_close, { fd }, EBADF },                                         \
	{ "fsync fd " #fd, SYS_fsync, { fd }, EBADF },                                         \
	{ "fdatasync fd " #fd, SYS_fdatasync, { fd }, EBADF },                                 \
	{ "ftruncate fd " #fd, SYS_ftruncate, { fd, 0 }, EBADF },                              \
	{ "fchmod fd " #fd, SYS_fchmod, { fd, 0644 }, EBADF },                                 \
	{ "fstatfs fd " #fd, SYS_fstatfs, { fd, (long)buf }, EBADF },                          \
	{ "flock fd " #fd, SYS_flock, { fd, LOCK_SH }, EBADF }

int main(void)
{
	tap_close_extra_fds();
	static char buf[65536];
	static char dirbuf[65536];
	struct iovec iov[1] = { { buf, 16 } };
	struct iovec badiov[1] = { { (void *)BADP, 16 } };
	int file = open("/etc/passwd", O_RDONLY);
	int dir = open("/etc", O_RDONLY | O_DIRECTORY);
	int zero = open("/dev/zero", O_RDONLY);
	int p[2];
	pipe2(p, O_NONBLOCK);
	write(p[1], "data", 4);
	struct timespec ts = { 0, 1000 };
	static int futex_word;
	long ngroups = getgroups(0, NULL);
	char *mapped = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stat st;
	int bin_is_link = lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode);
	char *argv[] = { "x", NULL };

	struct ptr_case ptr_cases[] = {
		{ "read buffer", SYS_read, { zero, BADP, 16 }, K_ALL, EFAULT },
		{ "read file buffer", SYS_read, { file, BADP, 16 }, K_ALL, EFAULT },
		{ "write pipe buffer", SYS_write, { p[1], BADP, 16 }, K_ALL, EFAULT },
		{ "pread64 buffer", SYS_pread64, { file, BADP, 16, 0 }, K_ALL, EFAULT },
		{ "readv iov", SYS_readv, { zero, BADP, 1 }, K_ALL, EFAULT },
		{ "writev iov", SYS_writev, { p[1], BADP, 1 }, K_ALL, EFAULT },
		{ "preadv iov", SYS_preadv, { file, BADP, 1, 0 }, K_ALL, EFAULT },
		{ "open path", SYS_open, { BADP, O_RDONLY }, K_ALL, EFAULT },
		{ "openat path", SYS_openat, { AT_FDCWD, BADP, O_RDONLY }, K_ALL, EFAULT },
		{ "creat path", SYS_creat, { BADP, 0644 }, K_ALL, EFAULT },
		{ "stat path", SYS_stat, { BADP, (long)buf }, K_ALL, EFAULT },
		{ "stat buffer", SYS_stat, { (long)"/etc/passwd", BADP }, K_ALL, EFAULT },
		{ "lstat path", SYS_lstat, { BADP, (long)buf }, K_ALL, EFAULT },
		{ "lstat buffer", SYS_lstat, { (long)"/etc/passwd", BADP }, K_ALL, EFAULT },
		{ "fstat buffer", SYS_fstat, { file, BADP }, K_ALL, EFAULT },
		{ "newfstatat path", SYS_newfstatat, { AT_FDCWD, BADP, (long)buf, 0 }, K_ALL, EFAULT },
		{ "newfstatat buffer", SYS_newfstatat, { AT_FDCWD, (long)"/etc/passwd", BADP, 0 }, K_ALL, EFAULT },
		{ "statx path", SYS_statx, { AT_FDCWD, BADP, 0, STATX_BASIC_STATS, (long)buf }, K_ALL, EFAULT },
		{ "statx buffer", SYS_statx, { AT_FDCWD, (long)"/etc/passwd", 0, STATX_BASIC_STATS, BADP }, K_ALL, EFAULT },
		{ "getdents64 buffer", SYS_getdents64, { dir, BADP, 4096 }, K_ALL, EFAULT },
		{ "getdents buffer", SYS_getdents, { dir, BADP, 4096 }, K_ALL, EFAULT },
		{ "readlink path", SYS_readlink, { BADP, (long)buf, 16 }, K_ALL, EFAULT },
		{ "readlinkat path", SYS_readlinkat, { AT_FDCWD, BADP, (long)buf, 16 }, K_ALL, EFAULT },
		{ "access path", SYS_access, { BADP, F_OK }, K_ALL, EFAULT },
		{ "faccessat path", SYS_faccessat, { AT_FDCWD, BADP, F_OK }, K_ALL, EFAULT },
		{ "faccessat2 path", SYS_faccessat2, { AT_FDCWD, BADP, F_OK, 0 }, K_ALL, EFAULT },
		{ "getcwd buffer", SYS_getcwd, { BADP, 4096 }, K_ALL, EFAULT },
		{ "chdir path", SYS_chdir, { BADP }, K_ALL, EFAULT },
		{ "pipe fds", SYS_pipe, { BADP }, K_ALL, EFAULT },
		{ "pipe2 fds", SYS_pipe2, { BADP, 0 }, K_ALL, EFAULT },
		{ "ioctl FIONREAD result", SYS_ioctl, { p[0], FIONREAD, BADP }, K_ALL, EFAULT },
		{ "fcntl F_GETLK lock", SYS_fcntl, { file, F_GETLK, BADP }, K_ALL, EFAULT },
		{ "uname buffer", SYS_uname, { BADP }, K_ALL, EFAULT },
		{ "sysinfo buffer", SYS_sysinfo, { BADP }, K_ALL, EFAULT },
		{ "getrandom buffer", SYS_getrandom, { BADP, 16, 0 }, K_ALL, EFAULT },
		{ "clock_gettime result", SYS_clock_gettime, { CLOCK_MONOTONIC, BADP }, K_ALL, EFAULT },
		{ "clock_getres result", SYS_clock_getres, { CLOCK_MONOTONIC, BADP }, K_NONNULL, EFAULT },
		{ "gettimeofday tv", SYS_gettimeofday, { BADP, 0 }, K_NONNULL, EFAULT },
		{ "gettimeofday tz", SYS_gettimeofday, { 0, BADP }, K_NONNULL, EFAULT },
		{ "time result", SYS_time, { BADP }, K_NONNULL, EFAULT },
		{ "nanosleep request", SYS_nanosleep, { BADP, 0 }, K_ALL, EFAULT },
		{ "clock_nanosleep request", SYS_clock_nanosleep, { CLOCK_MONOTONIC, 0, BADP, 0 }, K_ALL, EFAULT },
		{ "getrlimit result", SYS_getrlimit, { RLIMIT_NOFILE, BADP }, K_ALL, EFAULT },
		{ "setrlimit limits", SYS_setrlimit, { RLIMIT_NOFILE, BADP }, K_ALL, EFAULT },
		{ "prlimit64 old", SYS_prlimit64, { 0, RLIMIT_NOFILE, 0, BADP }, K_NONNULL, EFAULT },
		{ "prlimit64 new", SYS_prlimit64, { 0, RLIMIT_NOFILE, BADP, 0 }, K_NONNULL, EFAULT },
		{ "arch_prctl ARCH_GET_FS", SYS_arch_prctl, { ARCH_GET_FS, BADP }, K_ALL, EFAULT },
		{ "arch_prctl ARCH_GET_GS", SYS_arch_prctl, { ARCH_GET_GS, BADP }, K_ALL, EFAULT },
		{ "get_robust_list head", SYS_get_robust_list, { 0, BADP, (long)buf }, K_ALL, EFAULT },
		{ "get_robust_list len", SYS_get_robust_list, { 0, (long)buf, BADP }, K_ALL, EFAULT },
		{ "futex WAIT address", SYS_futex, { BADP, FUTEX_WAIT_PRIVATE, 0, (long)&ts }, K_ALL, EFAULT, EINVAL },
		{ "futex WAIT timeout", SYS_futex, { (long)&futex_word, FUTEX_WAIT_PRIVATE, 0, BADP }, K_NONNULL, EFAULT },
		{ "futex WAKE_OP second address", SYS_futex,
		  { (long)&futex_word, FUTEX_WAKE_OP_PRIVATE, 1, 1, BADP, 0 }, K_ALL, EFAULT, EINVAL },
		{ "rt_sigaction act", SYS_rt_sigaction, { SIGUSR1, BADP, 0, 8 }, K_NONNULL, EFAULT },
		{ "rt_sigaction oldact", SYS_rt_sigaction, { SIGUSR1, 0, BADP, 8 }, K_NONNULL, EFAULT },
		{ "rt_sigprocmask set", SYS_rt_sigprocmask, { SIG_BLOCK, BADP, 0, 8 }, K_NONNULL, EFAULT },
		{ "rt_sigprocmask oldset", SYS_rt_sigprocmask, { SIG_BLOCK, 0, BADP, 8 }, K_NONNULL, EFAULT },
		{ "rt_sigpending set", SYS_rt_sigpending, { BADP, 8 }, K_ALL, EFAULT },
		{ "sigaltstack ss", SYS_sigaltstack, { BADP, 0 }, K_NONNULL, EFAULT },
		{ "sigaltstack oss", SYS_sigaltstack, { 0, BADP }, K_NONNULL, EFAULT },
		{ "sched_getaffinity mask", SYS_sched_getaffinity, { 0, 128, BADP }, K_ALL, EFAULT },
		{ "sched_setaffinity mask", SYS_sched_setaffinity, { 0, 128, BADP }, K_ALL, EFAULT },
		{ "sched_getparam param", SYS_sched_getparam, { 0, BADP }, K_NULL, EINVAL },
		{ "sched_getparam param", SYS_sched_getparam, { 0, BADP }, K_NONNULL, EFAULT },
		{ "getresuid ruid", SYS_getresuid, { BADP, (long)buf, (long)buf }, K_ALL, EFAULT },
		{ "getresgid sgid", SYS_getresgid, { (long)buf, (long)buf, BADP }, K_ALL, EFAULT },
		{ "getcpu cpu", SYS_getcpu, { BADP, 0, 0 }, K_NONNULL, EFAULT },
		{ "prctl PR_GET_NAME", SYS_prctl, { PR_GET_NAME, BADP }, K_ALL, EFAULT },
		{ "prctl PR_SET_NAME", SYS_prctl, { PR_SET_NAME, BADP }, K_ALL, EFAULT },
		{ "mincore vector", SYS_mincore, { (long)mapped, PG, BADP }, K_ALL, EFAULT },
		{ "execve path", SYS_execve, { BADP, (long)argv, 0 }, K_ALL, EFAULT },
		/* /bin/true: if a bad pointer were wrongly accepted, the image that
		 * replaces us exits at once and the missing TAP lines show it. */
		{ "execve argv", SYS_execve, { (long)"/bin/true", BADP, 0 }, K_NONNULL, EFAULT },
		{ "execve envp", SYS_execve, { (long)"/bin/true", (long)argv, BADP }, K_NONNULL, EFAULT },
		{ "set_robust_list bad length with any head", SYS_set_robust_list, { BADP, 1 }, K_ALL, EINVAL },
		{ "statfs path", SYS_statfs, { BADP, (long)buf }, K_ALL, EFAULT },
		{ "statfs buffer", SYS_statfs, { (long)"/", BADP }, K_ALL, EFAULT },
		{ "fstatfs buffer", SYS_fstatfs, { file, BADP }, K_ALL, EFAULT },
	};
	for (size_t i = 0; i < sizeof ptr_cases / sizeof ptr_cases[0]; i++)
		run_ptr_case(&ptr_cases[i]);

	/* iovec elements that point to bad memory. */
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		badiov[0].iov_base = (void *)bad_value(kinds[k].kind);
		CHECK_ERR(readv(zero, badiov, 1), EFAULT, "readv iov_base %s: EFAULT", kinds[k].name);
		badiov[0].iov_base = (void *)bad_value(kinds[k].kind);
		CHECK_ERR(writev(p[1], badiov, 1), EFAULT, "writev iov_base %s: EFAULT", kinds[k].name);
	}

	/* readlink output buffer (needs a real symlink). */
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (bin_is_link)
			CHECK_ERR(syscall(SYS_readlink, "/bin", bad_value(kinds[k].kind), 16), EFAULT,
				  "readlink buffer with %s: EFAULT", kinds[k].name);
		else
			CHECK(1, "readlink buffer with %s: EFAULT", kinds[k].name);
	}
	/* getgroups only writes when there are groups. */
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (ngroups > 0)
			CHECK_ERR(syscall(SYS_getgroups, ngroups, bad_value(kinds[k].kind)), EFAULT,
				  "getgroups list with %s: EFAULT", kinds[k].name);
		else
			CHECK(1, "getgroups list with %s: EFAULT", kinds[k].name);
	}

	struct call_case call_cases[] = {
		BADFD_CASES(-1),
		BADFD_CASES(9999),
		{ "readv iovcnt -1", SYS_readv, { zero, (long)iov, -1 }, EINVAL },
		{ "readv iovcnt 1025", SYS_readv, { zero, (long)iov, 1025 }, EINVAL },
		{ "writev iovcnt -1", SYS_writev, { p[1], (long)iov, -1 }, EINVAL },
		{ "pread64 offset -1", SYS_pread64, { file, (long)buf, 16, -1 }, EINVAL },
		{ "pread64 on a pipe", SYS_pread64, { p[0], (long)buf, 16, 0 }, ESPIPE },
		{ "read count huge", SYS_read, { zero, (long)buf, -1 }, EFAULT },
		{ "lseek whence 5", SYS_lseek, { file, 0, 5 }, EINVAL },
		{ "lseek to -1", SYS_lseek, { file, -1, SEEK_SET }, EINVAL },
		{ "getdents64 count 0", SYS_getdents64, { dir, (long)dirbuf, 0 }, EINVAL },
		{ "getdents64 count 1", SYS_getdents64, { dir, (long)dirbuf, 1 }, EINVAL },
		{ "readlink bufsiz 0", SYS_readlink, { (long)"/bin", (long)buf, 0 }, EINVAL },
		{ "readlink bufsiz -1", SYS_readlink, { (long)"/bin", (long)buf, -1 }, EINVAL },
		{ "getcwd size 0", SYS_getcwd, { (long)buf, 0 }, ERANGE },
		{ "getcwd size 1", SYS_getcwd, { (long)buf, 1 }, ERANGE },
		{ "access mode 8", SYS_access, { (long)"/etc/passwd", 8 }, EINVAL },
		{ "faccessat2 flags 1", SYS_faccessat2, { AT_FDCWD, (long)"/etc/passwd", F_OK, 1 }, EINVAL },
		{ "statx flags 0x40000000", SYS_statx, { AT_FDCWD, (long)"/etc/passwd", 0x40000000, 0, (long)buf }, EINVAL },
		{ "statx mask bit 31", SYS_statx, { AT_FDCWD, (long)"/etc/passwd", 0, 0x80000000L, (long)buf }, EINVAL },
		{ "newfstatat flags 1", SYS_newfstatat, { AT_FDCWD, (long)"/etc/passwd", (long)buf, 1 }, EINVAL },
		{ "openat O_TMPFILE read-only", SYS_openat, { AT_FDCWD, (long)"/tmp", O_TMPFILE | O_RDONLY }, EINVAL },
		{ "fcntl cmd 9999", SYS_fcntl, { file, 9999 }, EINVAL },
		{ "fcntl F_DUPFD -1", SYS_fcntl, { file, F_DUPFD, -1 }, EINVAL },
		{ "dup3 same fd", SYS_dup3, { file, file, 0 }, EINVAL },
		{ "dup3 flags O_NONBLOCK", SYS_dup3, { file, 100, O_NONBLOCK }, EINVAL },
		{ "pipe2 flags 1", SYS_pipe2, { (long)p, 1 }, EINVAL },
		{ "ioctl unknown on pipe", SYS_ioctl, { p[0], 0x7fff1234, (long)buf }, ENOTTY },
		{ "mmap length 0", SYS_mmap, { 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 }, EINVAL },
		{ "mmap no type", SYS_mmap, { 0, PG, PROT_READ, MAP_ANONYMOUS, -1, 0 }, EINVAL },
		{ "mmap offset unaligned", SYS_mmap, { 0, PG, PROT_READ, MAP_PRIVATE, file, 1 }, EINVAL },
		{ "mmap length 2^63", SYS_mmap, { 0, 1L << 62 << 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 }, ENOMEM },
		{ "munmap length 0", SYS_munmap, { (long)mapped, 0 }, EINVAL },
		{ "munmap unaligned", SYS_munmap, { (long)mapped + 1, PG }, EINVAL },
		{ "munmap kernel range", SYS_munmap, { (long)BAD_KERNEL, PG }, EINVAL },
		{ "mprotect unaligned", SYS_mprotect, { (long)mapped + 1, PG, PROT_READ }, EINVAL },
		{ "mprotect bad prot", SYS_mprotect, { (long)mapped, PG, 0x1000 }, EINVAL },
		{ "mprotect kernel range", SYS_mprotect, { (long)BAD_KERNEL, PG, PROT_READ }, ENOMEM },
		{ "mremap new length 0", SYS_mremap, { (long)mapped, PG, 0, 0, 0 }, EINVAL },
		{ "mremap unaligned", SYS_mremap, { (long)mapped + 1, PG, PG, 0, 0 }, EINVAL },
		{ "mremap bad flags", SYS_mremap, { (long)mapped, PG, PG, 0x80, 0 }, EINVAL },
		{ "madvise unaligned", SYS_madvise, { (long)mapped + 1, PG, MADV_NORMAL }, EINVAL },
		{ "madvise bad advice", SYS_madvise, { (long)mapped, PG, 999 }, EINVAL },
		{ "msync unaligned", SYS_msync, { (long)mapped + 1, PG, MS_SYNC }, EINVAL },
		{ "msync bad flags", SYS_msync, { (long)mapped, PG, 0x40 }, EINVAL },
		{ "mincore unaligned", SYS_mincore, { (long)mapped + 1, PG, (long)buf }, EINVAL },
		{ "mincore kernel range", SYS_mincore, { (long)BAD_KERNEL, PG, (long)buf }, ENOMEM },
		{ "rt_sigaction sigsetsize 7", SYS_rt_sigaction, { SIGUSR1, 0, (long)buf, 7 }, EINVAL },
		{ "rt_sigaction signal 0", SYS_rt_sigaction, { 0, 0, (long)buf, 8 }, EINVAL },
		{ "rt_sigaction signal 65", SYS_rt_sigaction, { 65, 0, (long)buf, 8 }, EINVAL },
		{ "rt_sigprocmask sigsetsize 0", SYS_rt_sigprocmask, { SIG_BLOCK, 0, (long)buf, 0 }, EINVAL },
		{ "rt_sigpending sigsetsize 9", SYS_rt_sigpending, { (long)buf, 9 }, EINVAL },
		{ "sched_getaffinity size 1", SYS_sched_getaffinity, { 0, 1, (long)buf }, EINVAL },
		{ "getgroups size -1", SYS_getgroups, { -1, (long)buf }, EINVAL },
		{ "set_robust_list len 1", SYS_set_robust_list, { (long)buf, 1 }, EINVAL },
		{ "getrandom flags 0x100", SYS_getrandom, { (long)buf, 16, 0x100 }, EINVAL },
		{ "clock_gettime clock 99", SYS_clock_gettime, { 99, (long)buf }, EINVAL },
		{ "clock_nanosleep clock 99", SYS_clock_nanosleep, { 99, 0, (long)&ts, 0 }, EINVAL },
		{ "nanosleep tv_nsec 1e9", SYS_nanosleep, { (long)&(struct timespec){ 0, 1000000000L }, 0 }, EINVAL },
		{ "getrlimit resource 100", SYS_getrlimit, { 100, (long)buf }, EINVAL },
		{ "prlimit64 resource 100", SYS_prlimit64, { 0, 100, 0, (long)buf }, EINVAL },
		{ "arch_prctl code 0", SYS_arch_prctl, { 0, (long)buf }, EINVAL },
		{ "futex op 99", SYS_futex, { (long)&futex_word, 99, 0, 0 }, ENOSYS },
		{ "prctl option 0x7fff", SYS_prctl, { 0x7fff, 0, 0, 0, 0 }, EINVAL },
		{ "execve a directory", SYS_execve, { (long)"/etc", (long)argv, 0 }, EACCES },
	};
	for (size_t i = 0; i < sizeof call_cases / sizeof call_cases[0]; i++)
		run_call_case(&call_cases[i]);
	return tap_done();
}
