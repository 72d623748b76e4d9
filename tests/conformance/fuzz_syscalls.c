/* fuzz_syscalls: 100000 random system calls with random arguments, made to
 * shake out crashes and hangs in a syscall implementation. Run it inside the
 * sandbox only: the suite never runs it natively.
 *
 * The generator is deterministic (xorshift64*, fixed seed; argv[1] may give
 * another seed). Arguments mix small integers, descriptors 0-20, pointers
 * into a guarded scratch area, NULL, unmapped/kernel/non-canonical addresses
 * and huge lengths. Only calls on an allow list are made, and a few
 * arguments are tamed so that the fuzzer cannot end, hijack or block itself:
 * nothing exits, execs, clones, sends signals, installs handlers or changes
 * the signal mask; memory calls that unmap or remap only touch regions the
 * fuzzer mapped itself; descriptors are made O_NONBLOCK before any call that
 * could wait on them; waits use WNOHANG or a zero timeout; file-changing path
 * calls only name files in a scratch directory. Pointers handed to the
 * kernel point into a scratch area fenced by PROT_NONE guard pages, so a
 * long length makes the kernel stop at the guard, not scribble on our data.
 *
 * The real stdout is kept on fd 100 (outside the fuzzed 0-20) and fds 0-2
 * are pointed at /dev/null, so fuzzed writes cannot garble the report.
 * As a safety net when run natively as root (pid != 1), it drops to the
 * nobody user first. It prints "# fuzz done N calls" and "ok 1 - fuzz completed". */
#include "tap.h"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>

#define CALLS 100000
#define OUT_FD 100
#define SCRATCH_SIZE (256 * 1024)
#define PG 4096UL
#define MAX_REGIONS 16
#define FD_LIMIT 21 /* fuzzed descriptors are 0..20 */
#define MREMAP_DONTUNMAP_FLAG 4

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(int percent) { return (int)rnd_below(100) < percent; }

static char *scratch; /* SCRATCH_SIZE bytes between two guard pages */
static char wdir[64];  /* scratch directory, absolute */

static struct region {
	char *addr;
	size_t len;
} regions[MAX_REGIONS];

/* ---- argument generators ---- */

enum kind {
	A_NONE,  /* 0 */
	A_INT,   /* a small or random integer */
	A_FLAGS, /* random low bits */
	A_FD,    /* a descriptor 0..20, sometimes bad */
	A_DIRFD, /* AT_FDCWD or a descriptor */
	A_PTR,   /* pointer into the scratch area, or a bad pointer */
	A_OUT,   /* pointer the kernel writes to: scratch or bad, never NULL-only */
	A_LEN,   /* a length */
	A_RPATH, /* path for calls that only look */
	A_WPATH, /* path for calls that change things: inside the scratch dir */
	A_MODE,  /* permission bits */
	A_PID,   /* a pid-like value */
	A_SIG,   /* a signal number (only for calls that do not send signals) */
	A_CWD,   /* AT_FDCWD: calls that change files never get a dirfd, which
		  * could name a system directory */
};

static long gen_int(void)
{
	switch (rnd_below(6)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (long)rnd_below(16);
	case 3: return -1;
	case 4: return (long)rnd_below(65536);
	default: return (long)rnd();
	}
}

static long gen_fd(void)
{
	if (chance(90))
		return (long)rnd_below(FD_LIMIT);
	switch (rnd_below(3)) {
	case 0: return -1;
	case 1: return 1000 + (long)rnd_below(100000);
	default: return (long)(int)rnd() | (1L << 24);
	}
}

static long gen_bad_ptr(void)
{
	switch (rnd_below(6)) {
	case 0: return 0;
	case 1: return 1 + (long)rnd_below(4096);
	case 2: return (long)(scratch - PG + rnd_below(PG)); /* leading guard page */
	case 3: return (long)0xffff800000000000UL + (long)rnd_below(1UL << 40);
	case 4: return (long)0x0000800000000000UL + (long)rnd_below(1UL << 40); /* non-canonical */
	default: return 0x100000000000L + (long)(rnd_below(0x3ff000000000UL) & ~7UL); /* unmapped space */
	}
}

/* An address that munmap/mprotect/madvise/mremap must reject whatever the
 * length: kernel, non-canonical, or unaligned. (NULL or a low address with a
 * huge length would be a valid range covering this very program.) */
static long gen_reject_addr(void)
{
	switch (rnd_below(3)) {
	case 0: return (long)0xffff800000000000UL + (long)(rnd_below(1UL << 40) & ~(PG - 1));
	case 1: return (long)0x0000800000000000UL + (long)(rnd_below(1UL << 40) & ~(PG - 1));
	default: return (long)(scratch + 1 + 8 * rnd_below(SCRATCH_SIZE / 8));
	}
}

static long gen_ptr(void)
{
	if (chance(75)) {
		uint64_t off = chance(50) ? rnd_below(4096) : rnd_below(SCRATCH_SIZE);
		if (chance(70))
			off &= ~7UL;
		return (long)(scratch + off);
	}
	return gen_bad_ptr();
}

static long gen_len(void)
{
	switch (rnd_below(8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (long)rnd_below(64);
	case 3: return (long)rnd_below(4096);
	case 4: return (long)rnd_below(SCRATCH_SIZE);
	case 5: return -1;
	case 6: return 1L << (rnd_below(63));
	default: return (long)rnd_below(1 << 20);
	}
}

static const char *rpaths[] = {
	"/etc/passwd", "/etc", "/", "/dev/null", "/dev/zero", "/bin/sh", "/usr/bin", "/bin",
	"/nonexistent", "", ".", "..", "/etc/passwd/", "/etc/passwd/x", "/etc/os-release", "/usr/bin/env",
};
static char wpaths[8][96];
static char longpath[8192];

static long gen_rpath(void)
{
	int r = (int)rnd_below(100);
	if (r < 70)
		return (long)rpaths[rnd_below(sizeof rpaths / sizeof rpaths[0])];
	if (r < 80)
		return (long)wpaths[rnd_below(8)];
	if (r < 85)
		return (long)longpath;
	if (r < 92)
		return (long)(scratch + rnd_below(SCRATCH_SIZE)); /* garbage, maybe unterminated */
	return gen_bad_ptr();
}

static long gen_wpath(void)
{
	int r = (int)rnd_below(100);
	if (r < 85)
		return (long)wpaths[rnd_below(8)];
	if (r < 90)
		return (long)longpath;
	return gen_bad_ptr();
}

static long gen_pid(void)
{
	switch (rnd_below(5)) {
	case 0: return 0;
	case 1: return getpid();
	case 2: return -1;
	case 3: return 1 + (long)rnd_below(1000);
	default: return (long)(int)rnd();
	}
}

static long gen(enum kind k)
{
	switch (k) {
	case A_NONE: return 0;
	case A_INT: return gen_int();
	case A_FLAGS: return chance(80) ? (long)(rnd() & ((1UL << rnd_below(24)) - 1)) : (long)rnd();
	case A_FD: return gen_fd();
	case A_DIRFD: return chance(40) ? AT_FDCWD : gen_fd();
	case A_PTR: return gen_ptr();
	case A_OUT: return gen_ptr();
	case A_LEN: return gen_len();
	case A_RPATH: return gen_rpath();
	case A_WPATH: return gen_wpath();
	case A_MODE: return (long)rnd_below(010000);
	case A_PID: return gen_pid();
	case A_SIG: return (long)rnd_below(70);
	case A_CWD: return AT_FDCWD;
	}
	return 0;
}

/* ---- the allow list ---- */

enum fix {
	F_NONE,
	F_NONBLOCK_A0,  /* make arg 0 (an fd) non-blocking first */
	F_NONBLOCK_A01, /* args 0 and 1 */
	F_OPEN,         /* path/flag consistency for open */
	F_OPENAT,
	F_FCNTL,
	F_IOCTL,
	F_FLOCK,
	F_WAIT4,
	F_WAITID,
	F_POLL,
	F_SELECT,
	F_EPOLL_WAIT,
	F_MMAP,
	F_MUNMAP,
	F_MPROTECT,
	F_MADVISE,
	F_MREMAP,
	F_FUTEX,
	F_PRCTL,
	F_PRLIMIT,
	F_CAP_LEN, /* cap arg 3 (length) to 1 MiB: copy_file_range, sendfile */
};

struct entry {
	long nr;
	const char *name;
	enum kind k[6];
	enum fix fix;
};

#define E(n, fx, ...) { SYS_##n, #n, { __VA_ARGS__ }, fx }

static const struct entry table[] = {
	E(read, F_NONBLOCK_A0, A_FD, A_OUT, A_LEN),
	E(write, F_NONBLOCK_A0, A_FD, A_PTR, A_LEN),
	E(pread64, F_NONBLOCK_A0, A_FD, A_OUT, A_LEN, A_INT),
	E(pwrite64, F_NONBLOCK_A0, A_FD, A_PTR, A_LEN, A_INT),
	E(readv, F_NONBLOCK_A0, A_FD, A_PTR, A_INT),
	E(writev, F_NONBLOCK_A0, A_FD, A_PTR, A_INT),
	E(preadv, F_NONBLOCK_A0, A_FD, A_PTR, A_INT, A_INT),
	E(pwritev, F_NONBLOCK_A0, A_FD, A_PTR, A_INT, A_INT),
	E(preadv2, F_NONBLOCK_A0, A_FD, A_PTR, A_INT, A_INT, A_INT, A_FLAGS),
	E(pwritev2, F_NONBLOCK_A0, A_FD, A_PTR, A_INT, A_INT, A_INT, A_FLAGS),
	E(open, F_OPEN, A_RPATH, A_FLAGS, A_MODE),
	E(openat, F_OPENAT, A_DIRFD, A_RPATH, A_FLAGS, A_MODE),
	E(creat, F_NONE, A_WPATH, A_MODE),
	E(close, F_NONE, A_FD),
	E(stat, F_NONE, A_RPATH, A_OUT),
	E(fstat, F_NONE, A_FD, A_OUT),
	E(lstat, F_NONE, A_RPATH, A_OUT),
	E(newfstatat, F_NONE, A_DIRFD, A_RPATH, A_OUT, A_FLAGS),
	E(statx, F_NONE, A_DIRFD, A_RPATH, A_FLAGS, A_FLAGS, A_OUT),
	E(lseek, F_NONE, A_FD, A_INT, A_INT),
	E(getdents64, F_NONE, A_FD, A_OUT, A_LEN),
	E(getdents, F_NONE, A_FD, A_OUT, A_LEN),
	E(readlink, F_NONE, A_RPATH, A_OUT, A_LEN),
	E(readlinkat, F_NONE, A_DIRFD, A_RPATH, A_OUT, A_LEN),
	E(access, F_NONE, A_RPATH, A_INT),
	E(faccessat, F_NONE, A_DIRFD, A_RPATH, A_INT),
	E(faccessat2, F_NONE, A_DIRFD, A_RPATH, A_INT, A_FLAGS),
	E(getcwd, F_NONE, A_OUT, A_LEN),
	E(fcntl, F_FCNTL, A_FD, A_INT, A_INT),
	E(dup, F_NONE, A_FD),
	E(dup2, F_NONE, A_FD, A_FD),
	E(dup3, F_NONE, A_FD, A_FD, A_FLAGS),
	E(pipe, F_NONE, A_OUT),
	E(pipe2, F_NONE, A_OUT, A_FLAGS),
	E(ioctl, F_IOCTL, A_FD, A_INT, A_PTR),
	E(flock, F_FLOCK, A_FD, A_INT),
	E(fsync, F_NONE, A_FD),
	E(fdatasync, F_NONE, A_FD),
	E(syncfs, F_NONE, A_FD),
	E(ftruncate, F_NONE, A_FD, A_INT),
	E(truncate, F_NONE, A_WPATH, A_INT),
	E(chmod, F_NONE, A_WPATH, A_MODE),
	E(fchmodat, F_NONE, A_CWD, A_WPATH, A_MODE, A_FLAGS),
	E(chown, F_NONE, A_WPATH, A_INT, A_INT),
	E(lchown, F_NONE, A_WPATH, A_INT, A_INT),
	E(fchownat, F_NONE, A_CWD, A_WPATH, A_INT, A_INT, A_FLAGS),
	E(mkdir, F_NONE, A_WPATH, A_MODE),
	E(mkdirat, F_NONE, A_CWD, A_WPATH, A_MODE),
	E(rmdir, F_NONE, A_WPATH),
	E(unlink, F_NONE, A_WPATH),
	E(unlinkat, F_NONE, A_CWD, A_WPATH, A_FLAGS),
	E(rename, F_NONE, A_WPATH, A_WPATH),
	E(renameat, F_NONE, A_CWD, A_WPATH, A_CWD, A_WPATH),
	E(renameat2, F_NONE, A_CWD, A_WPATH, A_CWD, A_WPATH, A_FLAGS),
	E(link, F_NONE, A_WPATH, A_WPATH),
	E(linkat, F_NONE, A_CWD, A_WPATH, A_CWD, A_WPATH, A_FLAGS),
	E(symlink, F_NONE, A_WPATH, A_WPATH),
	E(symlinkat, F_NONE, A_WPATH, A_CWD, A_WPATH),
	E(utimensat, F_NONE, A_CWD, A_WPATH, A_PTR, A_FLAGS),
	E(statfs, F_NONE, A_RPATH, A_OUT),
	E(fstatfs, F_NONE, A_FD, A_OUT),
	E(getxattr, F_NONE, A_RPATH, A_PTR, A_OUT, A_LEN),
	E(lgetxattr, F_NONE, A_RPATH, A_PTR, A_OUT, A_LEN),
	E(fgetxattr, F_NONE, A_FD, A_PTR, A_OUT, A_LEN),
	E(listxattr, F_NONE, A_RPATH, A_OUT, A_LEN),
	E(flistxattr, F_NONE, A_FD, A_OUT, A_LEN),
	E(setxattr, F_NONE, A_WPATH, A_PTR, A_PTR, A_LEN, A_FLAGS),
	E(removexattr, F_NONE, A_WPATH, A_PTR),
	E(fadvise64, F_NONE, A_FD, A_INT, A_INT, A_INT),
	E(readahead, F_NONE, A_FD, A_INT, A_LEN),
	E(copy_file_range, F_CAP_LEN, A_FD, A_PTR, A_FD, A_PTR, A_LEN, A_FLAGS),
	E(sendfile, F_CAP_LEN, A_FD, A_FD, A_PTR, A_LEN),
	E(mmap, F_MMAP, A_INT, A_LEN, A_FLAGS, A_FLAGS, A_FD, A_INT),
	E(munmap, F_MUNMAP, A_NONE, A_LEN),
	E(mprotect, F_MPROTECT, A_NONE, A_LEN, A_FLAGS),
	E(madvise, F_MADVISE, A_NONE, A_LEN, A_INT),
	E(mremap, F_MREMAP, A_NONE, A_LEN, A_LEN, A_FLAGS),
	E(mincore, F_NONE, A_PTR, A_LEN, A_OUT),
	E(msync, F_NONE, A_PTR, A_LEN, A_FLAGS),
	E(getpid, F_NONE),
	E(getppid, F_NONE),
	E(gettid, F_NONE),
	E(getuid, F_NONE),
	E(geteuid, F_NONE),
	E(getgid, F_NONE),
	E(getegid, F_NONE),
	E(getresuid, F_NONE, A_OUT, A_OUT, A_OUT),
	E(getresgid, F_NONE, A_OUT, A_OUT, A_OUT),
	E(getgroups, F_NONE, A_INT, A_OUT),
	E(getpgid, F_NONE, A_PID),
	E(getsid, F_NONE, A_PID),
	E(getpgrp, F_NONE),
	E(umask, F_NONE, A_MODE),
	E(uname, F_NONE, A_OUT),
	E(sysinfo, F_NONE, A_OUT),
	E(times, F_NONE, A_OUT),
	E(getrusage, F_NONE, A_INT, A_OUT),
	E(getrlimit, F_NONE, A_INT, A_OUT),
	E(prlimit64, F_PRLIMIT, A_PID, A_INT, A_NONE, A_OUT),
	E(getpriority, F_NONE, A_INT, A_INT),
	E(getitimer, F_NONE, A_INT, A_OUT),
	E(capget, F_NONE, A_PTR, A_OUT),
	E(getrandom, F_NONE, A_OUT, A_LEN, A_FLAGS),
	E(clock_gettime, F_NONE, A_INT, A_OUT),
	E(clock_getres, F_NONE, A_INT, A_OUT),
	E(gettimeofday, F_NONE, A_OUT, A_OUT),
	E(time, F_NONE, A_OUT),
	E(sched_yield, F_NONE),
	E(sched_getaffinity, F_NONE, A_PID, A_LEN, A_OUT),
	E(sched_getparam, F_NONE, A_PID, A_OUT),
	E(sched_getscheduler, F_NONE, A_PID),
	E(sched_get_priority_max, F_NONE, A_INT),
	E(sched_get_priority_min, F_NONE, A_INT),
	E(sched_rr_get_interval, F_NONE, A_PID, A_OUT),
	E(getcpu, F_NONE, A_OUT, A_OUT, A_PTR),
	E(rt_sigpending, F_NONE, A_OUT, A_LEN),
	E(prctl, F_PRCTL, A_INT, A_PTR, A_INT, A_INT, A_INT),
	E(ioprio_get, F_NONE, A_INT, A_PID),
	E(set_tid_address, F_NONE, A_PTR),
	E(futex, F_FUTEX, A_PTR, A_INT, A_INT, A_PTR, A_PTR, A_INT),
	E(wait4, F_WAIT4, A_PID, A_OUT, A_FLAGS, A_OUT),
	E(waitid, F_WAITID, A_INT, A_PID, A_OUT, A_FLAGS, A_OUT),
	E(poll, F_POLL, A_PTR, A_INT, A_NONE),
	E(select, F_SELECT, A_INT, A_PTR, A_PTR, A_PTR, A_NONE),
	E(epoll_create1, F_NONE, A_FLAGS),
	E(epoll_ctl, F_NONE, A_FD, A_INT, A_FD, A_PTR),
	E(epoll_wait, F_EPOLL_WAIT, A_FD, A_OUT, A_INT, A_NONE),
	E(eventfd2, F_NONE, A_INT, A_FLAGS),
	E(timerfd_create, F_NONE, A_INT, A_FLAGS),
	E(timerfd_settime, F_NONE, A_FD, A_FLAGS, A_PTR, A_OUT),
	E(timerfd_gettime, F_NONE, A_FD, A_OUT),
	E(signalfd4, F_NONE, A_FD, A_PTR, A_LEN, A_FLAGS),
	E(inotify_init1, F_NONE, A_FLAGS),
	E(inotify_add_watch, F_NONE, A_FD, A_RPATH, A_FLAGS),
	E(inotify_rm_watch, F_NONE, A_FD, A_INT),
	E(memfd_create, F_NONE, A_PTR, A_FLAGS),
	E(socket, F_NONE, A_INT, A_FLAGS, A_INT),
	E(socketpair, F_NONE, A_INT, A_FLAGS, A_INT, A_OUT),
	E(listen, F_NONE, A_FD, A_INT),
	E(accept4, F_NONBLOCK_A0, A_FD, A_OUT, A_PTR, A_FLAGS),
	E(shutdown, F_NONE, A_FD, A_INT),
	E(getsockname, F_NONE, A_FD, A_OUT, A_PTR),
	E(getpeername, F_NONE, A_FD, A_OUT, A_PTR),
	E(getsockopt, F_NONE, A_FD, A_INT, A_INT, A_OUT, A_PTR),
	E(setsockopt, F_NONE, A_FD, A_INT, A_INT, A_PTR, A_LEN),
	E(recvfrom, F_NONBLOCK_A0, A_FD, A_OUT, A_LEN, A_FLAGS, A_OUT, A_PTR),
	E(recvmsg, F_NONBLOCK_A0, A_FD, A_PTR, A_FLAGS),
};

/* ---- taming ---- */

static void set_nonblock(long fd)
{
	if (fd < 0 || fd >= FD_LIMIT)
		return;
	long fl = syscall(SYS_fcntl, fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		syscall(SYS_fcntl, fd, F_SETFL, fl | O_NONBLOCK);
}

static struct region *pick_region(void)
{
	struct region *r = &regions[rnd_below(MAX_REGIONS)];
	return r->addr ? r : NULL;
}

static void remember_region(char *addr, size_t len)
{
	for (int i = 0; i < MAX_REGIONS; i++)
		if (!regions[i].addr) {
			regions[i] = (struct region){ addr, len };
			return;
		}
	/* Full: drop a random old one. */
	struct region *r = &regions[rnd_below(MAX_REGIONS)];
	syscall(SYS_munmap, r->addr, r->len);
	*r = (struct region){ addr, len };
}

static const long fcntl_cmds[] = {
	F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC, F_GETLK, F_SETLK,
	F_OFD_GETLK, F_OFD_SETLK, F_GETPIPE_SZ, F_SETPIPE_SZ, F_GET_SEALS, F_ADD_SEALS, F_GETOWN, 9999,
};
static const long ioctl_cmds[] = {
	FIONREAD, TCGETS, TIOCGWINSZ, FIONBIO, FIOCLEX, FIONCLEX, TIOCGPGRP, TCSETS,
	0x5401 + 0x100, 0x7fff1234, 0, -1,
};
static const long prctl_opts[] = {
	PR_GET_NAME, PR_SET_NAME, PR_GET_DUMPABLE, PR_GET_PDEATHSIG, PR_GET_NO_NEW_PRIVS,
	PR_GET_TIMERSLACK, PR_GET_CHILD_SUBREAPER, PR_GET_KEEPCAPS, PR_CAPBSET_READ, 0, 1000, 0x7fff,
};
static const long madv_advice[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_DONTFORK,
	MADV_DOFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, 20 /* COLD */, 21 /* PAGEOUT */, 999,
};

#define PICK(arr) (arr[rnd_below(sizeof arr / sizeof arr[0])])
#define READ_ONLY_OPEN_FLAGS \
	(O_NONBLOCK | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW | O_PATH | O_LARGEFILE | O_NOATIME | O_DIRECT)

static int is_writing_open(long flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

/* Returns 0 to make the call, 1 when the call was fully handled here. */
static int tame(const struct entry *e, long *a, long *ret)
{
	struct region *r;
	switch (e->fix) {
	case F_NONE:
		return 0;
	case F_NONBLOCK_A0:
		set_nonblock(a[0]);
		return 0;
	case F_NONBLOCK_A01:
		set_nonblock(a[0]);
		set_nonblock(a[1]);
		return 0;
	case F_OPEN:
		a[1] |= O_NOCTTY;
		if (is_writing_open(a[1]) && chance(50))
			a[0] = gen_wpath();
		else if (is_writing_open(a[1]))
			a[1] &= READ_ONLY_OPEN_FLAGS;
		if (is_writing_open(a[1]) && !(a[0] >= (long)wpaths && a[0] < (long)(wpaths + 8)))
			a[1] &= READ_ONLY_OPEN_FLAGS;
		return 0;
	case F_OPENAT:
		a[2] |= O_NOCTTY;
		if (is_writing_open(a[2]) && chance(50))
			a[1] = gen_wpath();
		if (is_writing_open(a[2]) && !(a[1] >= (long)wpaths && a[1] < (long)(wpaths + 8)))
			a[2] &= READ_ONLY_OPEN_FLAGS;
		if (is_writing_open(a[2]))
			a[0] = AT_FDCWD; /* a dirfd could name a system directory */
		return 0;
	case F_FCNTL:
		a[1] = PICK(fcntl_cmds);
		if (a[1] == F_SETFL)
			a[2] &= ~(long)O_ASYNC; /* SIGIO would kill us */
		if (a[1] == F_GETLK || a[1] == F_SETLK || a[1] == F_OFD_GETLK || a[1] == F_OFD_SETLK)
			a[2] = gen_ptr();
		if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC)
			a[2] = chance(90) ? (long)rnd_below(FD_LIMIT) : gen_int();
		return 0;
	case F_IOCTL:
		a[1] = PICK(ioctl_cmds);
		return 0;
	case F_FLOCK:
		a[1] = (a[1] & ~LOCK_NB) | LOCK_NB;
		return 0;
	case F_WAIT4:
		a[2] |= WNOHANG;
		return 0;
	case F_WAITID:
		a[3] |= WNOHANG;
		return 0;
	case F_POLL:
		a[2] = 0;
		return 0;
	case F_SELECT: {
		struct timeval *tv = (struct timeval *)(scratch + SCRATCH_SIZE - sizeof *tv);
		tv->tv_sec = 0;
		tv->tv_usec = 0;
		a[4] = (long)tv;
		return 0;
	}
	case F_EPOLL_WAIT:
		a[3] = 0;
		return 0;
	case F_MMAP:
		a[3] &= ~(long)(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_LOCKED | MAP_HUGETLB |
				MAP_GROWSDOWN | MAP_STACK);
		if (chance(50))
			a[3] = (a[3] & ~0xfL) | (chance(50) ? MAP_PRIVATE : MAP_SHARED);
		if (chance(50))
			a[3] |= MAP_ANONYMOUS;
		a[2] &= 0xf;
		if (chance(70))
			a[0] = 0;
		if ((unsigned long)a[1] > (64UL << 20) && chance(80))
			a[1] = (long)rnd_below(64UL << 20);
		*ret = syscall(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (*ret != -1 && *ret != 0)
			remember_region((char *)*ret, ((unsigned long)a[1] + PG - 1) & ~(PG - 1));
		return 1;
	case F_MUNMAP:
		if (!(r = pick_region())) {
			a[0] = gen_reject_addr();
			return 0;
		}
		*ret = syscall(SYS_munmap, r->addr, r->len);
		r->addr = NULL;
		return 1;
	case F_MPROTECT:
	case F_MADVISE:
		if (!(r = pick_region())) {
			a[0] = gen_reject_addr();
			a[2] = PICK(madv_advice);
			return 0;
		}
		/* Stay inside the region: its neighbours are ours. */
		size_t off = rnd_below(r->len / PG + 1) * PG;
		a[0] = (long)(r->addr + off + (chance(10) ? 1 : 0));
		a[1] = (long)rnd_below(r->len - off + 1);
		if (e->fix == F_MADVISE)
			a[2] = PICK(madv_advice);
		return 0;
	case F_MREMAP:
		if (!(r = pick_region())) {
			a[0] = gen_reject_addr();
			a[3] &= ~(long)(MREMAP_FIXED);
			return 0;
		}
		a[3] &= MREMAP_MAYMOVE | MREMAP_DONTUNMAP_FLAG;
		if ((unsigned long)a[2] > (64UL << 20))
			a[2] = (long)rnd_below(64UL << 20);
		*ret = syscall(SYS_mremap, r->addr, r->len, a[2], a[3], 0);
		if (*ret != -1) {
			if (!(a[3] & MREMAP_DONTUNMAP_FLAG))
				r->addr = NULL;
			remember_region((char *)*ret, ((unsigned long)a[2] + PG - 1) & ~(PG - 1));
		}
		return 1;
	case F_FUTEX:
		/* Only wakes: a wait could block for ever. */
		a[1] = (chance(50) ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE) | (chance(10) ? (long)rnd_below(16) << 8 : 0);
		return 0;
	case F_PRCTL:
		a[0] = PICK(prctl_opts);
		return 0;
	case F_PRLIMIT:
		a[2] = 0; /* read only */
		return 0;
	case F_CAP_LEN:
		if ((unsigned long)a[3] > (1UL << 20))
			a[3] = (long)rnd_below(1UL << 20);
		if (e->nr == SYS_copy_file_range && (unsigned long)a[4] > (1UL << 20))
			a[4] = (long)rnd_below(1UL << 20);
		set_nonblock(a[0]);
		set_nonblock(a[1]);
		if (e->nr == SYS_copy_file_range)
			set_nonblock(a[2]);
		return 0;
	}
	return 0;
}

/* ---- setup and teardown ---- */

static void fill_scratch(void)
{
	for (size_t i = 0; i < SCRATCH_SIZE; i += 8) {
		uint64_t v = rnd();
		memcpy(scratch + i, &v, 8);
	}
	/* Plant a few well-formed iovecs, timespecs and strings among the noise. */
	for (int i = 0; i < 32; i++) {
		size_t off = (rnd_below(SCRATCH_SIZE / 16 - 2)) * 16;
		switch (i % 4) {
		case 0: {
			struct iovec v = { scratch + rnd_below(SCRATCH_SIZE - 4096), rnd_below(4096) };
			memcpy(scratch + off, &v, sizeof v);
			break;
		}
		case 1: {
			struct timespec t = { 0, (long)rnd_below(1000) };
			memcpy(scratch + off, &t, sizeof t);
			break;
		}
		case 2:
			memcpy(scratch + off, "/etc/passwd", 12);
			break;
		default:
			memset(scratch + off, 0, 16);
		}
	}
	scratch[SCRATCH_SIZE - 1] = 0;
}

static void close_fuzz_fds(void)
{
	for (int fd = 3; fd < OUT_FD; fd++)
		close(fd);
	for (int fd = OUT_FD + 1; fd < 256; fd++)
		close(fd);
}

static void reset_stdio(void)
{
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		if (null != fd)
			dup2(null, fd);
	if (null > 2)
		close(null);
}

static void reset_fds(void)
{
	close_fuzz_fds();
	reset_stdio();
	/* A few interesting descriptors in the fuzzed range. */
	int p[2];
	open("/etc/passwd", O_RDONLY | O_NONBLOCK);
	open("/etc", O_RDONLY | O_DIRECTORY);
	pipe2(p, O_NONBLOCK);
	open("/dev/zero", O_RDONLY);
	open(wpaths[0], O_RDWR | O_CREAT, 0644);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path) < 0 ? 0 : 0;
}

static void drop_root_if_native(void)
{
	/* Inside the sandbox the program is pid 1; natively we must not hold
	 * root while making random file calls. */
	if (getpid() != 1 && geteuid() == 0) {
		setgroups(0, NULL);
		setresgid(65534, 65534, 65534);
		setresuid(65534, 65534, 65534);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rng_state = strtoull(argv[1], NULL, 0) | 1;
	int trace = argc > 2 && strcmp(argv[2], "trace") == 0; /* debugging aid */
	fflush(stdout);
	if (dup2(1, OUT_FD) != OUT_FD)
		return 1;
	FILE *out = fdopen(OUT_FD, "w");
	setvbuf(out, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* Bound file growth (tmpfs memory); EFBIG instead of SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &(struct rlimit){ 64 << 20, 64 << 20 });

	char *area = mmap(NULL, SCRATCH_SIZE + 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	scratch = area + PG;
	mprotect(scratch, SCRATCH_SIZE, PROT_READ | PROT_WRITE);

	strcpy(wdir, "/tmp/moat-fuzz-XXXXXX");
	bool writable = mkdtemp(wdir) != NULL;
	if (!writable && errno == EROFS) {
		/* A read-only root (a sandbox without a /tmp file system): the
		 * calls that change files then fail, which fuzzes as well. */
		fprintf(out, "# /tmp is read-only: file-changing calls will fail with EROFS\n");
		strcpy(wdir, "/tmp/moat-fuzz-readonly");
	} else if (!writable) {
		fprintf(out, "# cannot create a scratch directory in /tmp: %s\n", strerror(errno));
		fprintf(out, "not ok 1 - fuzz completed\n1..1\n");
		return 1;
	}
	chmod(wdir, 0777);
	static const char *names[8] = { "f1", "f2", "d1", "d1/f3", "d1/d2", "link", "d1/../f4", "" };
	for (int i = 0; i < 8; i++)
		snprintf(wpaths[i], sizeof wpaths[i], "%s/%s", wdir, names[i]);
	for (size_t i = 0; i + 1 < sizeof longpath; i++)
		longpath[i] = (i % 200 == 0) ? '/' : 'L';
	if (writable && chdir(wdir) != 0)
		return 1;
	drop_root_if_native();
	fill_scratch();
	reset_fds();

	long calls = 0, errors = 0, successes = 0;
	long per_entry = sizeof table / sizeof table[0];
	for (long i = 0; i < CALLS; i++) {
		if (i % 1000 == 0) {
			fill_scratch();
			reset_fds();
		}
		const struct entry *e = &table[rnd_below(per_entry)];
		long a[6], ret = 0;
		for (int j = 0; j < 6; j++)
			a[j] = gen(e->k[j]);
		if (trace)
			fprintf(out, "# %ld %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", i, e->name, a[0], a[1], a[2], a[3],
				a[4], a[5]);
		if (!tame(e, a, &ret))
			ret = syscall(e->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (trace)
			fprintf(out, "#   -> %#lx\n", ret);
		calls++;
		if (ret == -1)
			errors++;
		else
			successes++;
	}

	close_fuzz_fds();
	for (int i = 0; i < MAX_REGIONS; i++)
		if (regions[i].addr)
			munmap(regions[i].addr, regions[i].len);
	if (chdir("/") == 0)
		nftw(wdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	fprintf(out, "# %ld calls succeeded, %ld failed\n", successes, errors);
	fprintf(out, "# fuzz done %ld calls\n", calls);
	fprintf(out, "ok 1 - fuzz completed\n1..1\n");
	fflush(out);
	return 0;
}
