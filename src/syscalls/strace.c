/*
 * --strace: one line per syscall on stderr, in strace's format:
 *
 *   [pid 5] openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *
 * Most syscalls are printed whole at exit (their output buffers are filled
 * by then). Syscalls that may block for long or never return (read, wait4,
 * futex, execve, ...) print `name(args` at entry, up to the first output
 * buffer, and the rest at exit. While such a line is open, a line from any
 * other task first closes it with ` <unfinished ...>`, and the blocked
 * task's exit then prints `[pid 5] <... read resumed>"abc", 10) = 3`, as
 * strace does. When nothing comes in between, the two halves join into one
 * ordinary line.
 *
 * Application memory is only read through task_copy_in*: a bad pointer is
 * shown as its address.
 */
#include "syscalls/strace.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"

#define STRACE_LINE_MAX  4096
#define STRACE_STRLEN    32     /* strace -s default: bytes of a buffer shown */
#define STRACE_PATHLEN   1024   /* paths are shown whole, up to this */
#define STRACE_ARGV_MAX  32     /* argv elements shown */
#define STRACE_ENVC_MAX  4096   /* environment entries counted */

/* ---- bounded buffer ---- */

/* Appends never overflow and never fail: what does not fit is dropped.
 * buf stays NUL-terminated. */
struct strace_buf {
	char *buf;
	size_t len, cap;
};

static void sb_init(struct strace_buf *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	if (cap)
		buf[0] = '\0';
}

static void sb_putn(struct strace_buf *b, const char *s, size_t n)
{
	if (b->cap == 0)
		return;
	size_t room = b->cap - 1 - b->len;
	if (n > room)
		n = room;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_puts(struct strace_buf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct strace_buf *b, char c)
{
	sb_putn(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct strace_buf *b, const char *fmt, ...)
{
	if (b->cap == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* ---- symbolic constants ---- */

struct sym {
	uint64_t value;
	const char *name;
};

#define SYM(x) { x, #x }
#define NSYMS(tab) (sizeof(tab) / sizeof((tab)[0]))

/* Exactly-equal value lookup; NULL when unknown. */
static const char *sym_lookup(const struct sym *tab, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == v)
			return tab[i].name;
	return NULL;
}

static void put_enum(struct strace_buf *b, const struct sym *tab, size_t n, int64_t v)
{
	const char *name = sym_lookup(tab, n, (uint64_t)v);
	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "%lld", (long long)v);
}

/* Bit flags `A|B|0x40`, in table order; an entry may cover several bits
 * (O_SYNC) and matches only when all of them are set. `sep_first` is put
 * before the first flag (for a prefix already printed). Returns whether
 * anything was printed. */
static bool put_flag_bits(struct strace_buf *b, const struct sym *tab, size_t n,
			  uint64_t v, bool sep_first)
{
	bool any = sep_first;
	for (size_t i = 0; i < n && v; i++) {
		uint64_t m = tab[i].value;
		if (m && (v & m) == m) {
			if (any)
				sb_putc(b, '|');
			sb_puts(b, tab[i].name);
			any = true;
			v &= ~m;
		}
	}
	if (v) {
		if (any)
			sb_putc(b, '|');
		sb_printf(b, "%#llx", (unsigned long long)v);
		any = true;
	}
	return any;
}

static void put_flags(struct strace_buf *b, const struct sym *tab, size_t n, uint64_t v)
{
	if (!put_flag_bits(b, tab, n, v, false))
		sb_putc(b, '0');
}

/* open(2) flags with the kernel's (asm-generic) octal values: glibc
 * defines O_LARGEFILE as 0 on x86-64, the kernel does not. */
static const struct sym open_flag_syms[] = {
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	{ 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
};
#define KO_CREAT   0100
#define KO_TMPFILE 020000000

static void put_open_flags(struct strace_buf *b, uint64_t v, bool with_access_mode)
{
	uint32_t f = (uint32_t)v;
	if (with_access_mode) {
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
		sb_puts(b, acc[f & 3]);
		put_flag_bits(b, open_flag_syms, NSYMS(open_flag_syms), f & ~3u, true);
	} else {
		put_flags(b, open_flag_syms, NSYMS(open_flag_syms), f);
	}
}

static const struct sym prot_syms[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" },
};

static const struct sym mmap_flag_syms[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" },
};

static void put_mmap_flags(struct strace_buf *b, uint64_t v)
{
	static const char *const type[] = { NULL, "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE" };
	uint32_t f = (uint32_t)v;
	bool any = false;
	if (type[f & 3]) {
		sb_puts(b, type[f & 3]);
		any = true;
	}
	if (!put_flag_bits(b, mmap_flag_syms, NSYMS(mmap_flag_syms), f & ~3u, any))
		sb_putc(b, '0');
}

static const struct sym at_flag_syms[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" }, { 0x8000, "AT_RECURSIVE" },
};

static const struct sym clone_flag_syms[] = {
	{ 0x80, "CLONE_NEWTIME" }, /* only meaningful for unshare/setns */
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" }, { 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x400000, "CLONE_DETACHED" }, { 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" }, { 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" }, { 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000, "CLONE_IO" },
};

/* clone flags: the low byte is the exit signal (SIGCHLD), except that
 * unshare/setns reuse 0x80 for CLONE_NEWTIME. */
static void put_clone_flags(struct strace_buf *b, uint64_t v)
{
	uint64_t sig = v & 0x7f;
	bool any = put_flag_bits(b, clone_flag_syms, NSYMS(clone_flag_syms), v & ~0x7full, false);
	if (sig) {
		char name[32];
		strace_format_signal(name, sizeof name, (int)sig);
		if (any)
			sb_putc(b, '|');
		sb_puts(b, name);
		any = true;
	}
	if (!any)
		sb_putc(b, '0');
}

static const struct sym whence_syms[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" }, { 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" },
};

static const struct sym clock_syms[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" }, { 2, "CLOCK_PROCESS_CPUTIME_ID" },
	{ 3, "CLOCK_THREAD_CPUTIME_ID" }, { 4, "CLOCK_MONOTONIC_RAW" },
	{ 5, "CLOCK_REALTIME_COARSE" }, { 6, "CLOCK_MONOTONIC_COARSE" },
	{ 7, "CLOCK_BOOTTIME" }, { 8, "CLOCK_REALTIME_ALARM" }, { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" },
};

static const struct sym fcntl_cmd_syms[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
	{ 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" }, { 11, "F_GETSIG" },
	{ 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" }, { 17, "F_GETOWNER_UIDS" },
	{ 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
	{ 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" }, { 1026, "F_NOTIFY" },
	{ 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	{ 1033, "F_ADD_SEALS" }, { 1034, "F_GET_SEALS" }, { 1035, "F_GET_RW_HINT" },
	{ 1036, "F_SET_RW_HINT" }, { 1037, "F_GET_FILE_RW_HINT" }, { 1038, "F_SET_FILE_RW_HINT" },
};

/* Terminal, file and socket ioctl numbers (asm-generic/ioctls.h and friends). */
static const struct sym ioctl_syms[] = {
	{ 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" }, { 0x5404, "TCSETSF" },
	{ 0x5405, "TCGETA" }, { 0x5406, "TCSETA" }, { 0x5407, "TCSETAW" }, { 0x5408, "TCSETAF" },
	{ 0x5409, "TCSBRK" }, { 0x540A, "TCXONC" }, { 0x540B, "TCFLSH" }, { 0x540C, "TIOCEXCL" },
	{ 0x540D, "TIOCNXCL" }, { 0x540E, "TIOCSCTTY" }, { 0x540F, "TIOCGPGRP" },
	{ 0x5410, "TIOCSPGRP" }, { 0x5411, "TIOCOUTQ" }, { 0x5412, "TIOCSTI" },
	{ 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" }, { 0x5415, "TIOCMGET" },
	{ 0x5416, "TIOCMBIS" }, { 0x5417, "TIOCMBIC" }, { 0x5418, "TIOCMSET" },
	{ 0x5419, "TIOCGSOFTCAR" }, { 0x541A, "TIOCSSOFTCAR" }, { 0x541B, "FIONREAD" },
	{ 0x541C, "TIOCLINUX" }, { 0x541D, "TIOCCONS" }, { 0x541E, "TIOCGSERIAL" },
	{ 0x541F, "TIOCSSERIAL" }, { 0x5420, "TIOCPKT" }, { 0x5421, "FIONBIO" },
	{ 0x5422, "TIOCNOTTY" }, { 0x5423, "TIOCSETD" }, { 0x5424, "TIOCGETD" },
	{ 0x5425, "TCSBRKP" }, { 0x5427, "TIOCSBRK" }, { 0x5428, "TIOCCBRK" },
	{ 0x5429, "TIOCGSID" }, { 0x802C542A, "TCGETS2" }, { 0x402C542B, "TCSETS2" },
	{ 0x402C542C, "TCSETSW2" }, { 0x402C542D, "TCSETSF2" }, { 0x80045430, "TIOCGPTN" },
	{ 0x40045431, "TIOCSPTLCK" }, { 0x80045432, "TIOCGDEV" }, { 0x40045436, "TIOCSIG" },
	{ 0x5437, "TIOCVHANGUP" }, { 0x80045438, "TIOCGPKT" }, { 0x80045439, "TIOCGPTLCK" },
	{ 0x80045440, "TIOCGEXCL" }, { 0x5441, "TIOCGPTPEER" }, { 0x5450, "FIONCLEX" },
	{ 0x5451, "FIOCLEX" }, { 0x5452, "FIOASYNC" }, { 0x5460, "FIOQSIZE" },
	{ 0x8901, "FIOSETOWN" }, { 0x8902, "SIOCSPGRP" }, { 0x8903, "FIOGETOWN" },
	{ 0x8904, "SIOCGPGRP" }, { 0x8905, "SIOCATMARK" }, { 0x8906, "SIOCGSTAMP" },
	{ 0x8910, "SIOCGIFNAME" }, { 0x8912, "SIOCGIFCONF" }, { 0x8913, "SIOCGIFFLAGS" },
	{ 0x8914, "SIOCSIFFLAGS" }, { 0x8915, "SIOCGIFADDR" }, { 0x8921, "SIOCGIFMTU" },
	{ 0x8927, "SIOCGIFHWADDR" }, { 0x8933, "SIOCGIFINDEX" },
	{ 0x80086601, "FS_IOC_GETFLAGS" }, { 0x40086602, "FS_IOC_SETFLAGS" },
	{ 0x40049409, "FICLONE" }, { 0x80081272, "BLKGETSIZE64" }, { 0x80045200, "RNDGETENTCNT" },
};

static const struct sym sigmask_how_syms[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" },
};

static const struct sym access_syms[] = { { 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" } };

static const struct sym wait_syms[] = {
	{ 1, "WNOHANG" }, { 2, "WUNTRACED" }, { 4, "WEXITED" }, { 8, "WCONTINUED" },
	{ 0x1000000, "WNOWAIT" }, { 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" },
};

static const char *const futex_cmd_names[] = {
	"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
	"FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
	"FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
	"FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
};

/* FUTEX_WAIT_PRIVATE|FUTEX_CLOCK_REALTIME: the private flag (128) is
 * folded into the command's name, as strace does. */
static void put_futex_op(struct strace_buf *b, uint64_t v)
{
	uint32_t op = (uint32_t)v;
	uint32_t cmd = op & 127;
	if (cmd < NSYMS(futex_cmd_names)) {
		sb_puts(b, futex_cmd_names[cmd]);
		if (op & 128)
			sb_puts(b, "_PRIVATE");
	} else {
		sb_printf(b, "%#x", op & ~256u);
		op &= 256;
	}
	if (op & 256)
		sb_puts(b, "|FUTEX_CLOCK_REALTIME");
	if (op & ~(127u | 128u | 256u))
		sb_printf(b, "|%#x", op & ~(127u | 128u | 256u));
}

static const struct sym family_syms[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" }, { 10, "AF_INET6" },
	{ 16, "AF_NETLINK" }, { 17, "AF_PACKET" }, { 38, "AF_ALG" }, { 40, "AF_VSOCK" },
};

static const struct sym socktype_syms[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" }, { 4, "SOCK_RDM" },
	{ 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" }, { 10, "SOCK_PACKET" },
};
static const struct sym sockflag_syms[] = { { 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" } };

static void put_sock_type(struct strace_buf *b, uint64_t v)
{
	uint32_t f = (uint32_t)v;
	bool any = false;
	if (f & 0xf) {
		put_enum(b, socktype_syms, NSYMS(socktype_syms), f & 0xf);
		any = true;
	}
	if (!put_flag_bits(b, sockflag_syms, NSYMS(sockflag_syms), f & ~0xfu, any))
		sb_putc(b, '0');
}

static const struct sym madvise_syms[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" }, { 14, "MADV_HUGEPAGE" },
	{ 15, "MADV_NOHUGEPAGE" }, { 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" }, { 19, "MADV_KEEPONFORK" }, { 20, "MADV_COLD" },
	{ 21, "MADV_PAGEOUT" }, { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" }, { 100, "MADV_HWPOISON" },
	{ 101, "MADV_SOFT_OFFLINE" },
};

static const struct sym prctl_syms[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 2, "PR_GET_PDEATHSIG" }, { 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" }, { 5, "PR_GET_UNALIGN" }, { 6, "PR_SET_UNALIGN" },
	{ 7, "PR_GET_KEEPCAPS" }, { 8, "PR_SET_KEEPCAPS" }, { 9, "PR_GET_FPEMU" },
	{ 10, "PR_SET_FPEMU" }, { 11, "PR_GET_FPEXC" }, { 12, "PR_SET_FPEXC" },
	{ 13, "PR_GET_TIMING" }, { 14, "PR_SET_TIMING" }, { 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" }, { 19, "PR_GET_ENDIAN" }, { 20, "PR_SET_ENDIAN" },
	{ 21, "PR_GET_SECCOMP" }, { 22, "PR_SET_SECCOMP" }, { 23, "PR_CAPBSET_READ" },
	{ 24, "PR_CAPBSET_DROP" }, { 25, "PR_GET_TSC" }, { 26, "PR_SET_TSC" },
	{ 27, "PR_GET_SECUREBITS" }, { 28, "PR_SET_SECUREBITS" }, { 29, "PR_SET_TIMERSLACK" },
	{ 30, "PR_GET_TIMERSLACK" }, { 31, "PR_TASK_PERF_EVENTS_DISABLE" },
	{ 32, "PR_TASK_PERF_EVENTS_ENABLE" }, { 33, "PR_MCE_KILL" }, { 34, "PR_MCE_KILL_GET" },
	{ 35, "PR_SET_MM" }, { 36, "PR_SET_CHILD_SUBREAPER" }, { 37, "PR_GET_CHILD_SUBREAPER" },
	{ 38, "PR_SET_NO_NEW_PRIVS" }, { 39, "PR_GET_NO_NEW_PRIVS" }, { 40, "PR_GET_TID_ADDRESS" },
	{ 41, "PR_SET_THP_DISABLE" }, { 42, "PR_GET_THP_DISABLE" }, { 45, "PR_SET_FP_MODE" },
	{ 46, "PR_GET_FP_MODE" }, { 47, "PR_CAP_AMBIENT" }, { 52, "PR_GET_SPECULATION_CTRL" },
	{ 53, "PR_SET_SPECULATION_CTRL" }, { 57, "PR_SET_IO_FLUSHER" }, { 58, "PR_GET_IO_FLUSHER" },
	{ 59, "PR_SET_SYSCALL_USER_DISPATCH" }, { 62, "PR_SCHED_CORE" },
	{ 65, "PR_SET_MDWE" }, { 66, "PR_GET_MDWE" }, { 0x53564d41, "PR_SET_VMA" },
};

static const struct sym arch_prctl_syms[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" }, { 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" }, { 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" }, { 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" }, { 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" }, { 0x2001, "ARCH_MAP_VDSO_X32" },
	{ 0x2002, "ARCH_MAP_VDSO_32" }, { 0x2003, "ARCH_MAP_VDSO_64" },
	{ 0x5001, "ARCH_SHSTK_ENABLE" }, { 0x5002, "ARCH_SHSTK_DISABLE" },
	{ 0x5003, "ARCH_SHSTK_LOCK" }, { 0x5004, "ARCH_SHSTK_UNLOCK" }, { 0x5005, "ARCH_SHSTK_STATUS" },
};

static const struct sym rlimit_syms[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" }, { 3, "RLIMIT_STACK" },
	{ 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" }, { 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" },
	{ 8, "RLIMIT_MEMLOCK" }, { 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" },
	{ 11, "RLIMIT_SIGPENDING" }, { 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },
	{ 14, "RLIMIT_RTPRIO" }, { 15, "RLIMIT_RTTIME" },
};

static const struct sym idtype_syms[] = { { 0, "P_ALL" }, { 1, "P_PID" }, { 2, "P_PGID" }, { 3, "P_PIDFD" } };
static const struct sym mremap_syms[] = { { 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" }, { 4, "MREMAP_DONTUNMAP" } };
static const struct sym epoll_op_syms[] = { { 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" } };
static const struct sym shut_syms[] = { { 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" } };
static const struct sym itimer_syms[] = { { 0, "ITIMER_REAL" }, { 1, "ITIMER_VIRTUAL" }, { 2, "ITIMER_PROF" } };
static const struct sym flock_syms[] = { { 1, "LOCK_SH" }, { 2, "LOCK_EX" }, { 4, "LOCK_NB" }, { 8, "LOCK_UN" } };

/* File mode: type bits by name, permission bits in octal (0644, 000). */
static void put_mode(struct strace_buf *b, uint64_t v)
{
	static const struct sym types[] = {
		{ 0140000, "S_IFSOCK" }, { 0120000, "S_IFLNK" }, { 0100000, "S_IFREG" },
		{ 060000, "S_IFBLK" }, { 040000, "S_IFDIR" }, { 020000, "S_IFCHR" }, { 010000, "S_IFIFO" },
	};
	uint32_t m = (uint32_t)v;
	uint32_t type = m & 0170000;
	if (type) {
		const char *name = sym_lookup(types, NSYMS(types), type);
		if (name)
			sb_printf(b, "%s|", name);
		else
			sb_printf(b, "%#o|", type);
	}
	sb_printf(b, "%#03o", m & ~0170000u);
}

size_t strace_format_signal(char *buf, size_t n, int sig)
{
	struct strace_buf b;
	sb_init(&b, buf, n);
	/* Linux's SIGRTMIN is 32; glibc keeps 32 and 33 for itself, which is
	 * why strace names them from the kernel's numbering. */
	static const char *const names[32] = {
		NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
		"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
		"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
		"SIGIO", "SIGPWR", "SIGSYS",
	};
	if (sig > 0 && sig < 32)
		sb_puts(&b, names[sig]);
	else if (sig == 32)
		sb_puts(&b, "SIGRTMIN");
	else if (sig > 32 && sig <= MOAT_NSIG)
		sb_printf(&b, "SIGRT_%d", sig - 32);
	else
		sb_printf(&b, "%d", sig);
	return b.len;
}

static void put_signal(struct strace_buf *b, int64_t v)
{
	char name[32];
	strace_format_signal(name, sizeof name, (int)v);
	sb_puts(b, name);
}

static void put_pointer(struct strace_buf *b, uint64_t v)
{
	if (v == 0)
		sb_puts(b, "NULL");
	else
		sb_printf(b, "%#llx", (unsigned long long)v);
}

/* Everything whose display depends only on the value. */
static void put_value(struct strace_buf *b, int kind, uint64_t v)
{
	switch (kind) {
	case A_INT:          sb_printf(b, "%d", (int)v); break;
	case A_UINT:         sb_printf(b, "%llu", (unsigned long long)v); break;
	case A_LONG:         sb_printf(b, "%lld", (long long)v); break;
	case A_FD:
		if ((int)v == -100)
			sb_puts(b, "AT_FDCWD");
		else
			sb_printf(b, "%d", (int)v);
		break;
	case A_MODE:         put_mode(b, v); break;
	case A_OFLAGS:       put_open_flags(b, v, true); break;
	case A_OFLAGS_NOACC: put_open_flags(b, v, false); break;
	case A_PROT:
		if ((uint32_t)v == 0)
			sb_puts(b, "PROT_NONE");
		else
			put_flags(b, prot_syms, NSYMS(prot_syms), (uint32_t)v);
		break;
	case A_MMAP_FLAGS:   put_mmap_flags(b, v); break;
	case A_SIGNAL:       put_signal(b, (int)v); break;
	case A_CLOCKID:      put_enum(b, clock_syms, NSYMS(clock_syms), (int)v); break;
	case A_ATFLAGS:      put_flags(b, at_flag_syms, NSYMS(at_flag_syms), (uint32_t)v); break;
	case A_FCNTL_CMD:    put_enum(b, fcntl_cmd_syms, NSYMS(fcntl_cmd_syms), (int)v); break;
	case A_IOCTL_CMD: {
		const char *name = sym_lookup(ioctl_syms, NSYMS(ioctl_syms), (uint32_t)v);
		if (name)
			sb_puts(b, name);
		else
			sb_printf(b, "%#x", (uint32_t)v);
		break;
	}
	case A_CLONE_FLAGS:  put_clone_flags(b, v); break;
	case A_WHENCE:       put_enum(b, whence_syms, NSYMS(whence_syms), (int)v); break;
	case A_SIGMASK_HOW:  put_enum(b, sigmask_how_syms, NSYMS(sigmask_how_syms), (int)v); break;
	case A_ACCESS_MODE:
		if ((uint32_t)v == 0)
			sb_puts(b, "F_OK");
		else
			put_flags(b, access_syms, NSYMS(access_syms), (uint32_t)v);
		break;
	case A_WAIT_OPTIONS: put_flags(b, wait_syms, NSYMS(wait_syms), (uint32_t)v); break;
	case A_FUTEX_OP:     put_futex_op(b, v); break;
	case A_SOCK_FAMILY:  put_enum(b, family_syms, NSYMS(family_syms), (int)v); break;
	case A_SOCK_TYPE:    put_sock_type(b, v); break;
	case A_MADVISE:      put_enum(b, madvise_syms, NSYMS(madvise_syms), (int)v); break;
	case A_PRCTL_OP:     put_enum(b, prctl_syms, NSYMS(prctl_syms), (int)v); break;
	case A_ARCH_PRCTL_OP:put_enum(b, arch_prctl_syms, NSYMS(arch_prctl_syms), (int)v); break;
	case A_RLIMIT:       put_enum(b, rlimit_syms, NSYMS(rlimit_syms), (int)v); break;
	case A_IDTYPE:       put_enum(b, idtype_syms, NSYMS(idtype_syms), (int)v); break;
	case A_MREMAP_FLAGS: put_flags(b, mremap_syms, NSYMS(mremap_syms), (uint32_t)v); break;
	case A_EPOLL_CTL_OP: put_enum(b, epoll_op_syms, NSYMS(epoll_op_syms), (int)v); break;
	case A_SHUT_HOW:     put_enum(b, shut_syms, NSYMS(shut_syms), (int)v); break;
	case A_ITIMER_WHICH: put_enum(b, itimer_syms, NSYMS(itimer_syms), (int)v); break;
	case A_FLOCK_OP:     put_flags(b, flock_syms, NSYMS(flock_syms), (uint32_t)v); break;
	case A_PTR:
	case A_STR:
	case A_BUF_IN:
	case A_BUF_OUT:
	case A_STRV:
	case A_SIGSET_PTR:   put_pointer(b, v); break;
	case A_HEX:
	case A_FCNTL_ARG:
	default:             sb_printf(b, "%#llx", (unsigned long long)v); break;
	}
}

size_t strace_format_flags(char *buf, size_t n, int kind, uint64_t v)
{
	struct strace_buf b;
	sb_init(&b, buf, n);
	put_value(&b, kind, v);
	return b.len;
}

/* ---- strings ---- */

static void put_escaped(struct strace_buf *b, const char *s, size_t len, bool truncated)
{
	sb_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':  sb_puts(b, "\\\""); continue;
		case '\\': sb_puts(b, "\\\\"); continue;
		case '\t': sb_puts(b, "\\t"); continue;
		case '\n': sb_puts(b, "\\n"); continue;
		case '\v': sb_puts(b, "\\v"); continue;
		case '\f': sb_puts(b, "\\f"); continue;
		case '\r': sb_puts(b, "\\r"); continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			sb_putc(b, (char)c);
			continue;
		}
		/* Octal, as short as possible unless an octal digit follows
		 * (then the reader could not tell where the escape ends). */
		bool digit_follows = i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7';
		sb_printf(b, digit_follows ? "\\%03o" : "\\%o", c);
	}
	sb_putc(b, '"');
	if (truncated)
		sb_puts(b, "...");
}

size_t strace_format_string(char *buf, size_t n, const char *s, size_t len, bool truncated)
{
	struct strace_buf b;
	sb_init(&b, buf, n);
	put_escaped(&b, s, len, truncated);
	return b.len;
}

/* A NUL-terminated string of the application, at most max bytes shown. */
static void put_app_string(struct strace_buf *b, struct task *t, uint64_t addr, size_t max)
{
	char tmp[STRACE_PATHLEN + 1];
	if (max > STRACE_PATHLEN)
		max = STRACE_PATHLEN;
	if (addr == 0) {
		sb_puts(b, "NULL");
		return;
	}
	long r = task_copy_in_string(t, addr, tmp, max + 1);
	if (r >= 0) {
		put_escaped(b, tmp, (size_t)r, false);
		return;
	}
	/* Longer than max: show its first max bytes, which were readable. */
	if (r == -ENAMETOOLONG && task_copy_in(t, tmp, addr, max) == 0) {
		put_escaped(b, tmp, max, true);
		return;
	}
	put_pointer(b, addr);
}

/* A buffer of len bytes of the application; the first 32 are shown. */
static void put_app_buffer(struct strace_buf *b, struct task *t, uint64_t addr, uint64_t len)
{
	char tmp[STRACE_STRLEN];
	size_t n = len < STRACE_STRLEN ? (size_t)len : STRACE_STRLEN;
	if (task_copy_in(t, tmp, addr, n) != 0) {
		put_pointer(b, addr);
		return;
	}
	put_escaped(b, tmp, n, len > n);
}

/* Read up to max pointers of a NULL-terminated array, stopping at the
 * NULL; page by page so that a NULL just before unmapped memory is found.
 * Returns the count read (without the NULL) or -1 if unreadable. *ended
 * says whether the NULL was seen. */
static long read_app_ptr_array(struct task *t, uint64_t addr, uint64_t *out, size_t max, bool *ended)
{
	size_t count = 0;
	*ended = false;
	while (count < max) {
		uint64_t at = addr + count * 8;
		size_t in_page = (4096 - (at & 4095)) / 8;
		if (in_page == 0)
			in_page = 1;
		size_t want = max - count < in_page ? max - count : in_page;
		if (task_copy_in(t, out + count, at, want * 8) != 0)
			return count ? (long)count : -1;
		for (size_t i = 0; i < want; i++) {
			if (out[count + i] == 0) {
				*ended = true;
				return (long)(count + i);
			}
		}
		count += want;
	}
	return (long)count;
}

/* argv: ["ls", "-l", ...]. */
static void put_app_strv(struct strace_buf *b, struct task *t, uint64_t addr)
{
	uint64_t ptrs[STRACE_ARGV_MAX];
	bool ended;
	if (addr == 0) {
		sb_puts(b, "NULL");
		return;
	}
	long n = read_app_ptr_array(t, addr, ptrs, STRACE_ARGV_MAX, &ended);
	if (n < 0) {
		put_pointer(b, addr);
		return;
	}
	sb_putc(b, '[');
	for (long i = 0; i < n; i++) {
		if (i)
			sb_puts(b, ", ");
		put_app_string(b, t, ptrs[i], STRACE_STRLEN);
	}
	if (!ended)
		sb_puts(b, n ? ", ..." : "...");
	sb_putc(b, ']');
}

/* envp: strace shows the pointer and a comment with the number of
 * variables, not the variables themselves. */
static void put_app_strv_count(struct strace_buf *b, struct task *t, uint64_t addr)
{
	uint64_t ptrs[64];
	put_pointer(b, addr);
	if (addr == 0)
		return;
	size_t total = 0;
	bool ended = false;
	while (!ended && total < STRACE_ENVC_MAX) {
		long n = read_app_ptr_array(t, addr + total * 8, ptrs, 64, &ended);
		if (n < 0)
			return;
		total += (size_t)n;
		if (n < 64 && !ended)
			return; /* unreadable tail */
	}
	sb_printf(b, " /* %zu var%s%s */", total, total == 1 ? "" : "s", ended ? "" : "?");
}

/* ---- results ---- */

static const char *restart_name(long err, const char **desc)
{
	switch (err) {
	case ERESTARTSYS:           *desc = "To be restarted if SA_RESTART is set"; return "ERESTARTSYS";
	case ERESTARTNOINTR:        *desc = "To be restarted"; return "ERESTARTNOINTR";
	case ERESTARTNOHAND:        *desc = "To be restarted if no handler"; return "ERESTARTNOHAND";
	case ERESTART_RESTARTBLOCK: *desc = "Interrupted by signal"; return "ERESTART_RESTARTBLOCK";
	}
	return NULL;
}

static void put_result(struct strace_buf *b, long ret, bool hex)
{
	sb_puts(b, " = ");
	if (ret < 0 && ret >= -4095) {
		long err = -ret;
		const char *desc;
		const char *name = restart_name(err, &desc);
		if (name) {
			sb_printf(b, "? %s (%s)", name, desc);
			return;
		}
		name = strerrorname_np((int)err);
		desc = strerrordesc_np((int)err);
		if (name)
			sb_printf(b, "-1 %s (%s)", name, desc ? desc : "Unknown error");
		else
			sb_printf(b, "-1 E??? (errno %ld)", err);
		return;
	}
	if (hex)
		sb_printf(b, "%#lx", (unsigned long)ret);
	else
		sb_printf(b, "%ld", ret);
}

size_t strace_format_result(char *buf, size_t n, long ret, bool hex)
{
	struct strace_buf b;
	sb_init(&b, buf, n);
	put_result(&b, ret, hex);
	return b.len;
}

/* ---- one syscall ---- */

/* Numbers of the syscalls with special display rules. */
enum {
	NR_read = 0, NR_readv = 19, NR_poll = 7, NR_select = 23, NR_pause = 34,
	NR_nanosleep = 35, NR_connect = 42, NR_accept = 43, NR_recvfrom = 45,
	NR_recvmsg = 47, NR_clone = 56, NR_vfork = 58, NR_execve = 59, NR_exit = 60,
	NR_wait4 = 61, NR_semop = 65, NR_msgsnd = 69, NR_msgrcv = 70, NR_fcntl = 72,
	NR_flock = 73, NR_umask = 95, NR_rt_sigtimedwait = 128, NR_rt_sigsuspend = 130,
	NR_futex = 202, NR_io_getevents = 208, NR_semtimedop = 220,
	NR_clock_nanosleep = 230, NR_exit_group = 231, NR_epoll_wait = 232,
	NR_mq_timedsend = 242, NR_mq_timedreceive = 243, NR_waitid = 247,
	NR_pselect6 = 270, NR_ppoll = 271, NR_epoll_pwait = 281, NR_accept4 = 288,
	NR_recvmmsg = 299, NR_execveat = 322, NR_io_pgetevents = 333, NR_clone3 = 435,
	NR_epoll_pwait2 = 441, NR_futex_waitv = 449, NR_futex_wait = 455,
};

/* Syscalls that may block for long or not return: their line is opened at
 * entry so that a hang shows where it is. */
static const bool shown_at_entry[SYSCALL_MAX] = {
	[NR_read] = 1, [NR_readv] = 1, [NR_poll] = 1, [NR_select] = 1, [NR_pause] = 1,
	[NR_nanosleep] = 1, [NR_connect] = 1, [NR_accept] = 1, [NR_recvfrom] = 1,
	[NR_recvmsg] = 1, [NR_clone] = 1, [NR_vfork] = 1, [NR_execve] = 1,
	[NR_wait4] = 1, [NR_semop] = 1, [NR_msgsnd] = 1, [NR_msgrcv] = 1, [NR_flock] = 1,
	[NR_rt_sigtimedwait] = 1, [NR_rt_sigsuspend] = 1, [NR_futex] = 1,
	[NR_io_getevents] = 1, [NR_semtimedop] = 1, [NR_clock_nanosleep] = 1,
	[NR_epoll_wait] = 1, [NR_mq_timedsend] = 1, [NR_mq_timedreceive] = 1,
	[NR_waitid] = 1, [NR_pselect6] = 1, [NR_ppoll] = 1, [NR_epoll_pwait] = 1,
	[NR_accept4] = 1, [NR_recvmmsg] = 1, [NR_execveat] = 1, [NR_io_pgetevents] = 1,
	[NR_clone3] = 1, [NR_epoll_pwait2] = 1, [NR_futex_waitv] = 1, [NR_futex_wait] = 1,
};

static bool never_returns(long nr)
{
	return nr == NR_exit || nr == NR_exit_group;
}

static const struct syscall_desc *desc_of(long nr)
{
	if (nr < 0 || nr >= SYSCALL_MAX || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}

/* fcntl commands that take no third argument (strace omits it). */
static bool fcntl_cmd_without_arg(uint64_t cmd)
{
	switch ((int)cmd) {
	case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034: /* F_GET* */
		return true;
	}
	return false;
}

/* How many futex(2) arguments the operation uses (futex(2) man page). */
static int futex_nargs(uint64_t op)
{
	switch (op & 127) {
	case 0: case 6: case 13: return 4;          /* WAIT, LOCK_PI(2): timeout */
	case 1: case 2: return 3;                   /* WAKE, FD */
	case 3: return 5;                           /* REQUEUE: val2, uaddr2 */
	case 7: case 8: return 2;                   /* UNLOCK_PI, TRYLOCK_PI */
	case 11: return 5;                          /* WAIT_REQUEUE_PI */
	}
	return 6;
}

/* ioctl commands that take no argument (strace omits it). */
static bool ioctl_cmd_without_arg(uint64_t cmd)
{
	switch ((uint32_t)cmd) {
	case 0x540C: case 0x540D: case 0x5422: case 0x5437: case 0x5450: case 0x5451:
		return true; /* TIOCEXCL TIOCNXCL TIOCNOTTY TIOCVHANGUP FIONCLEX FIOCLEX */
	}
	return false;
}

/* Arguments strace leaves out: open's mode without O_CREAT/O_TMPFILE,
 * fcntl's argument for the F_GET commands, ioctl's for argument-less
 * commands, futex's beyond what the operation uses. */
static bool arg_hidden(const struct syscall_desc *d, int i, const uint64_t *a)
{
	int kind = d->args[i];
	if (d == &syscall_table[NR_futex])
		return i >= futex_nargs(a[1]);
	if (i == 2 && d->args[1] == A_IOCTL_CMD)
		return ioctl_cmd_without_arg(a[1]);
	if (kind == A_MODE && i > 0 && d->args[i - 1] == A_OFLAGS)
		return !(a[i - 1] & (KO_CREAT | KO_TMPFILE));
	if (kind == A_FCNTL_ARG && i > 0)
		return fcntl_cmd_without_arg(a[i - 1]);
	return false;
}

/* fcntl's third argument, decoded by the command before it. */
static void put_fcntl_arg(struct strace_buf *b, uint64_t cmd, uint64_t v)
{
	switch ((int)cmd) {
	case 2: /* F_SETFD */
		sb_puts(b, (v & 1) ? "FD_CLOEXEC" : "0");
		if (v & ~1ull)
			sb_printf(b, "|%#llx", (unsigned long long)(v & ~1ull));
		break;
	case 4: /* F_SETFL */
		put_open_flags(b, v, true);
		break;
	case 0: case 8: case 10: case 1024: case 1026: case 1030: case 1031: /* ints */
		sb_printf(b, "%d", (int)v);
		break;
	case 5: case 6: case 7: case 15: case 16: case 36: case 37: case 38: /* struct pointers */
		put_pointer(b, v);
		break;
	default:
		sb_printf(b, "%#llx", (unsigned long long)v);
	}
}

/* Which A_STRV of the call this is: the first is shown as a list (argv),
 * later ones as a count (envp). */
static bool is_first_strv(const struct syscall_desc *d, int i)
{
	for (int j = 0; j < i; j++)
		if (d->args[j] == A_STRV)
			return false;
	return true;
}

static void put_arg(struct strace_buf *b, struct task *t, const struct syscall_desc *d,
		    int i, const uint64_t *a, bool at_exit, long ret)
{
	int kind = d->args[i];
	uint64_t v = a[i];
	uint64_t len = i + 1 < 6 ? a[i + 1] : 0;
	switch (kind) {
	case A_STR:
		put_app_string(b, t, v, STRACE_PATHLEN);
		break;
	case A_BUF_IN:
		put_app_buffer(b, t, v, len);
		break;
	case A_BUF_OUT:
		/* Filled only when the call succeeded; the result is the length
		 * filled (read, readlink, getrandom, getxattr ...). */
		if (at_exit && ret >= 0)
			put_app_buffer(b, t, v, (uint64_t)ret < len ? (uint64_t)ret : len);
		else
			put_pointer(b, v);
		break;
	case A_STRV:
		if (is_first_strv(d, i))
			put_app_strv(b, t, v);
		else
			put_app_strv_count(b, t, v);
		break;
	case A_FCNTL_ARG:
		put_fcntl_arg(b, i > 0 ? a[i - 1] : 0, v);
		break;
	default:
		put_value(b, kind, v);
	}
}

/* Arguments [from, to) with their separators; returns the first not shown. */
static void put_args(struct strace_buf *b, struct task *t, const struct syscall_desc *d,
		     const uint64_t *a, int from, int to, bool at_exit, long ret)
{
	for (int i = from; i < to; i++) {
		if (arg_hidden(d, i, a))
			continue;
		if (i > 0)
			sb_puts(b, ", ");
		put_arg(b, t, d, i, a, at_exit, ret);
	}
}

/* The arguments shown at entry: up to the first buffer the kernel fills. */
static int entry_arg_count(const struct syscall_desc *d)
{
	for (int i = 0; i < d->nargs; i++)
		if (d->args[i] == A_BUF_OUT)
			return i;
	return d->nargs;
}

static void put_unknown_call(struct strace_buf *b, long nr, const uint64_t *a)
{
	sb_printf(b, "syscall_%#lx(", (unsigned long)nr);
	for (int i = 0; i < 6; i++)
		sb_printf(b, "%s%#llx", i ? ", " : "", (unsigned long long)a[i]);
}

/* fcntl F_GETFD/F_GETFL results are flag words; umask's is a mode. */
static void put_call_result(struct strace_buf *b, long nr, const struct syscall_desc *d,
			    const uint64_t *a, long ret)
{
	bool is_error = ret < 0 && ret >= -4095;
	if (!is_error && nr == NR_fcntl && (a[1] == 1 || a[1] == 3)) {
		sb_printf(b, " = %#lx (flags ", (unsigned long)ret);
		if (a[1] == 1)
			sb_puts(b, (ret & 1) ? "FD_CLOEXEC" : "0");
		else
			put_open_flags(b, (uint64_t)ret, true);
		sb_putc(b, ')');
		return;
	}
	if (!is_error && nr == NR_umask) {
		sb_printf(b, " = %#03lo", (unsigned long)ret);
		return;
	}
	put_result(b, ret, d && d->ret_hex);
}

/* ---- output: lines from several tasks never mix ---- */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int open_line_tid;   /* task whose line was left open, or 0 */

static void write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static const char unfinished[] = " <unfinished ...>\n";

/* Emit text (already in buf[off..len), with room before off for the
 * unfinished marker) in one write, closing another task's open line. */
static void emit_locked(char *buf, size_t off, size_t len, int owner_tid)
{
	size_t start = off;
	if (open_line_tid && open_line_tid != owner_tid) {
		size_t m = sizeof unfinished - 1;
		start = off - m;
		memcpy(buf + start, unfinished, m);
	}
	write_all(buf + start, len - start);
}

/* Lines are built after this much headroom for the unfinished marker. */
#define HEADROOM (sizeof unfinished)

struct line {
	char buf[HEADROOM + STRACE_LINE_MAX];
	struct strace_buf sb;
};

static void line_init(struct line *l)
{
	sb_init(&l->sb, l->buf + HEADROOM, STRACE_LINE_MAX - 1);
}

static void line_put_prefix(struct line *l, const struct task *t)
{
	sb_printf(&l->sb, "[pid %d] ", t ? t->tid : 0);
}

/* A complete line: close any open line, print, leave nothing open. */
static void line_emit_complete(struct line *l)
{
	l->sb.buf[l->sb.len] = '\n';
	size_t len = HEADROOM + l->sb.len + 1;
	pthread_mutex_lock(&out_lock);
	emit_locked(l->buf, HEADROOM, len, 0);
	open_line_tid = 0;
	pthread_mutex_unlock(&out_lock);
}

/* The first half of a line, left open for tid. */
static void line_emit_open(struct line *l, int tid)
{
	size_t len = HEADROOM + l->sb.len;
	pthread_mutex_lock(&out_lock);
	emit_locked(l->buf, HEADROOM, len, tid);
	open_line_tid = tid;
	pthread_mutex_unlock(&out_lock);
}

/* The second half: appended to tid's open line if it is still the last
 * thing written, else on a line of its own after `<... name resumed>`. */
static void line_emit_resumed(struct task *t, const char *name, const char *rest, size_t rest_len)
{
	struct line l;
	line_init(&l);
	pthread_mutex_lock(&out_lock);
	bool joined = open_line_tid == t->tid;
	if (!joined) {
		line_put_prefix(&l, t);
		sb_printf(&l.sb, "<... %s resumed>", name);
	}
	sb_putn(&l.sb, rest, rest_len);
	l.sb.buf[l.sb.len] = '\n';
	emit_locked(l.buf, HEADROOM, HEADROOM + l.sb.len + 1, t->tid);
	open_line_tid = 0;
	pthread_mutex_unlock(&out_lock);
}

void strace_emit_line(const char *text, size_t len)
{
	struct line l;
	line_init(&l);
	sb_putn(&l.sb, text, len);
	line_emit_complete(&l);
}

/* ---- entry and exit ---- */

/* What entry printed, for the exit of the same syscall. Each task's run
 * loop runs on its own sentry thread, so this is per thread. */
static __thread struct {
	int tid;
	long nr;
	bool opened;        /* entry opened a line */
	bool finished;      /* entry printed everything (exit, exit_group) */
	int next_arg;       /* first argument left for the exit */
} pending;

static void put_call_name(struct strace_buf *b, const struct syscall_desc *d)
{
	sb_printf(b, "%s(", d->name);
}

void strace_enter(struct task *t, long nr, const uint64_t *a)
{
	pending.tid = t->tid;
	pending.nr = nr;
	pending.opened = false;
	pending.finished = false;
	const struct syscall_desc *d = desc_of(nr);
	if (!d || !(shown_at_entry[nr] || never_returns(nr)))
		return;
	struct line l;
	line_init(&l);
	line_put_prefix(&l, t);
	put_call_name(&l.sb, d);
	if (never_returns(nr)) {
		/* exit/exit_group: strace shows `exit_group(0) = ?`. */
		put_args(&l.sb, t, d, a, 0, d->nargs, false, 0);
		sb_puts(&l.sb, ") = ?");
		line_emit_complete(&l);
		pending.finished = true;
		return;
	}
	int shown = entry_arg_count(d);
	put_args(&l.sb, t, d, a, 0, shown, false, 0);
	if (shown < d->nargs && shown > 0)
		sb_puts(&l.sb, ", ");
	pending.next_arg = shown;
	pending.opened = true;
	line_emit_open(&l, t->tid);
}

void strace_exit(struct task *t, long nr, const uint64_t *a, long ret)
{
	bool same_call = pending.tid == t->tid && pending.nr == nr;
	if (same_call && pending.finished) {
		pending.finished = false;
		return;
	}
	const struct syscall_desc *d = desc_of(nr);
	struct line l;
	line_init(&l);
	if (same_call && pending.opened && d) {
		pending.opened = false;
		/* The separator before next_arg was printed at entry. */
		int from = pending.next_arg;
		for (int i = from; i < d->nargs; i++) {
			if (arg_hidden(d, i, a))
				continue;
			if (i > from)
				sb_puts(&l.sb, ", ");
			put_arg(&l.sb, t, d, i, a, true, ret);
		}
		sb_putc(&l.sb, ')');
		put_call_result(&l.sb, nr, d, a, ret);
		line_emit_resumed(t, d->name, l.sb.buf, l.sb.len);
		return;
	}
	pending.opened = false;
	line_put_prefix(&l, t);
	if (d) {
		put_call_name(&l.sb, d);
		put_args(&l.sb, t, d, a, 0, d->nargs, true, ret);
	} else {
		put_unknown_call(&l.sb, nr, a);
	}
	sb_putc(&l.sb, ')');
	put_call_result(&l.sb, nr, d, a, ret);
	line_emit_complete(&l);
}

/* ---- signals and exits ---- */

static const char *si_code_name(int sig, int code)
{
	static const char *const segv[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR" };
	static const char *const bus[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO" };
	static const char *const ill[] = { NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
					   "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK" };
	static const char *const fpe[] = { NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
					   "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB" };
	static const char *const chld[] = { NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED",
					    "CLD_STOPPED", "CLD_CONTINUED" };
	static const char *const trap[] = { NULL, "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT" };
	static const char *const poll[] = { NULL, "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP" };
	switch (code) {
	case 0:    return "SI_USER";
	case 0x80: return "SI_KERNEL";
	case -1:   return "SI_QUEUE";
	case -2:   return "SI_TIMER";
	case -3:   return "SI_MESGQ";
	case -4:   return "SI_ASYNCIO";
	case -5:   return "SI_SIGIO";
	case -6:   return "SI_TKILL";
	}
#define PICK(tab) (code > 0 && (size_t)code < NSYMS(tab) ? tab[code] : NULL)
	switch (sig) {
	case SIGSEGV: return PICK(segv);
	case SIGBUS:  return PICK(bus);
	case SIGILL:  return PICK(ill);
	case SIGFPE:  return PICK(fpe);
	case SIGCHLD: return PICK(chld);
	case SIGTRAP: return PICK(trap);
	case SIGIO:   return PICK(poll);
	case SIGSYS:  return code == 1 ? "SYS_SECCOMP" : NULL;
	}
#undef PICK
	return NULL;
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

void strace_signal_delivered(struct task *t, const siginfo_t *info)
{
	struct line l;
	char name[32];
	line_init(&l);
	line_put_prefix(&l, t);
	strace_format_signal(name, sizeof name, info->si_signo);
	sb_printf(&l.sb, "--- %s {si_signo=%s, si_code=", name, name);
	const char *code = si_code_name(info->si_signo, info->si_code);
	if (code)
		sb_puts(&l.sb, code);
	else
		sb_printf(&l.sb, "%d", info->si_code);
	if (info->si_code <= 0 && info->si_code != -2 && info->si_code != -4) {
		/* Sent by a process: kill, tkill, sigqueue. */
		sb_printf(&l.sb, ", si_pid=%d, si_uid=%u", info->si_pid, info->si_uid);
		if (info->si_code == -1)
			sb_printf(&l.sb, ", si_int=%d", info->si_value.sival_int);
	} else if (info->si_signo == SIGCHLD) {
		sb_printf(&l.sb, ", si_pid=%d, si_uid=%u, si_status=", info->si_pid, info->si_uid);
		if (info->si_code == 2 || info->si_code == 3 || info->si_code == 5) {
			strace_format_signal(name, sizeof name, info->si_status);
			sb_puts(&l.sb, name);
		} else {
			sb_printf(&l.sb, "%d", info->si_status);
		}
		sb_printf(&l.sb, ", si_utime=%ld, si_stime=%ld", (long)info->si_utime, (long)info->si_stime);
	} else if (info->si_code == -2) {
		sb_printf(&l.sb, ", si_timerid=%#x, si_overrun=%d", info->si_timerid, info->si_overrun);
	} else if (is_fault_signal(info->si_signo)) {
		sb_printf(&l.sb, ", si_addr=");
		put_pointer(&l.sb, (uint64_t)(uintptr_t)info->si_addr);
	} else if (info->si_signo == SIGSYS) {
		sb_printf(&l.sb, ", si_call_addr=%p, si_syscall=%d, si_arch=%#x",
			  info->si_call_addr, info->si_syscall, info->si_arch);
	}
	sb_puts(&l.sb, "} ---");
	line_emit_complete(&l);
}

void strace_task_exited(struct task *t, int wait_status)
{
	struct line l;
	char name[32];
	line_init(&l);
	line_put_prefix(&l, t);
	if (WIFSIGNALED(wait_status)) {
		strace_format_signal(name, sizeof name, WTERMSIG(wait_status));
		sb_printf(&l.sb, "+++ killed by %s%s +++", name,
			  WCOREDUMP(wait_status) ? " (core dumped)" : "");
	} else {
		sb_printf(&l.sb, "+++ exited with %d +++", WEXITSTATUS(wait_status));
	}
	line_emit_complete(&l);
}
