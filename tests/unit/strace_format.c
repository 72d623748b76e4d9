/*
 * Unit test of the --strace formatting helpers and of the syscall table's
 * data. Only pure functions: no task or application memory involved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "syscalls/strace.h"
#include "syscalls/syscalls.h"

static int test_no;
static int failures;

static void check_str(const char *what, const char *got, const char *want)
{
	test_no++;
	if (strcmp(got, want) == 0) {
		printf("ok %d - %s\n", test_no, what);
	} else {
		printf("not ok %d - %s\n#   got:  %s\n#   want: %s\n", test_no, what, got, want);
		failures++;
	}
}

static void check(const char *what, int cond)
{
	test_no++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
	if (!cond)
		failures++;
}

static void flags(const char *what, int kind, uint64_t v, const char *want)
{
	char buf[256];
	strace_format_flags(buf, sizeof buf, kind, v);
	check_str(what, buf, want);
}

static void string(const char *what, const char *s, size_t len, bool trunc, const char *want)
{
	char buf[256];
	strace_format_string(buf, sizeof buf, s, len, trunc);
	check_str(what, buf, want);
}

static void result(const char *what, long ret, bool hex, const char *want)
{
	char buf[256];
	strace_format_result(buf, sizeof buf, ret, hex);
	check_str(what, buf, want);
}

static void test_flags(void)
{
	flags("openat flags", A_OFLAGS, 02000000, "O_RDONLY|O_CLOEXEC");
	flags("open flags creat", A_OFLAGS, 01 | 0100 | 01000, "O_WRONLY|O_CREAT|O_TRUNC");
	flags("open flags dir", A_OFLAGS, 04000 | 02000000 | 0200000, "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY");
	flags("O_SYNC covers O_DSYNC", A_OFLAGS, 2 | 04010000, "O_RDWR|O_SYNC");
	flags("O_TMPFILE", A_OFLAGS, 2 | 020200000, "O_RDWR|O_TMPFILE");
	flags("pipe2 flags", A_OFLAGS_NOACC, 02000000, "O_CLOEXEC");
	flags("pipe2 no flags", A_OFLAGS_NOACC, 0, "0");
	flags("prot none", A_PROT, 0, "PROT_NONE");
	flags("prot rw", A_PROT, 3, "PROT_READ|PROT_WRITE");
	flags("prot unknown bit", A_PROT, 0x11, "PROT_READ|0x10");
	flags("mmap flags", A_MMAP_FLAGS, 0x22, "MAP_PRIVATE|MAP_ANONYMOUS");
	flags("mmap fixed denywrite", A_MMAP_FLAGS, 0x812, "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
	flags("AT_FDCWD", A_FD, (uint64_t)-100, "AT_FDCWD");
	flags("AT_FDCWD as 32-bit", A_FD, 0xffffff9c, "AT_FDCWD");
	flags("plain fd", A_FD, 3, "3");
	flags("at flags", A_ATFLAGS, 0x1100, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
	flags("at flags zero", A_ATFLAGS, 0, "0");
	flags("mode", A_MODE, 0644, "0644");
	flags("mode zero", A_MODE, 0, "000");
	flags("mode umask", A_MODE, 022, "022");
	flags("mode with type", A_MODE, 0100600, "S_IFREG|0600");
	flags("NULL pointer", A_PTR, 0, "NULL");
	flags("pointer", A_PTR, 0x7ffd1234, "0x7ffd1234");
	flags("hex zero", A_HEX, 0, "0");
	flags("int", A_INT, 0xffffffff, "-1");
	flags("long", A_LONG, (uint64_t)-2, "-2");
	flags("signal", A_SIGNAL, 11, "SIGSEGV");
	flags("signal zero", A_SIGNAL, 0, "0");
	flags("SIGIO not SIGPOLL", A_SIGNAL, 29, "SIGIO");
	flags("signal rtmin", A_SIGNAL, 32, "SIGRTMIN");
	flags("signal rt", A_SIGNAL, 34, "SIGRT_2");
	flags("clock", A_CLOCKID, 1, "CLOCK_MONOTONIC");
	flags("clock unknown", A_CLOCKID, 99, "99");
	flags("fcntl cmd", A_FCNTL_CMD, 1030, "F_DUPFD_CLOEXEC");
	flags("ioctl TCGETS", A_IOCTL_CMD, 0x5401, "TCGETS");
	flags("ioctl TIOCGWINSZ", A_IOCTL_CMD, 0x5413, "TIOCGWINSZ");
	flags("ioctl unknown", A_IOCTL_CMD, 0x1234, "0x1234");
	flags("clone flags fork", A_CLONE_FLAGS, 0x1200000 | 17,
	      "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	flags("clone flags thread", A_CLONE_FLAGS, 0x3d0f00,
	      "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	      "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	flags("whence", A_WHENCE, 2, "SEEK_END");
	flags("sigprocmask how", A_SIGMASK_HOW, 2, "SIG_SETMASK");
	flags("access F_OK", A_ACCESS_MODE, 0, "F_OK");
	flags("access R_OK|X_OK", A_ACCESS_MODE, 5, "R_OK|X_OK");
	flags("wait options", A_WAIT_OPTIONS, 0x40000001, "WNOHANG|__WALL");
	flags("futex wait private", A_FUTEX_OP, 128, "FUTEX_WAIT_PRIVATE");
	flags("futex bitset realtime", A_FUTEX_OP, 9 | 128 | 256,
	      "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
	flags("socket family", A_SOCK_FAMILY, 1, "AF_UNIX");
	flags("socket type", A_SOCK_TYPE, 1 | 02000000 | 04000, "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
	flags("accept4 flags", A_SOCK_TYPE, 02000000, "SOCK_CLOEXEC");
	flags("madvise", A_MADVISE, 4, "MADV_DONTNEED");
	flags("prctl", A_PRCTL_OP, 15, "PR_SET_NAME");
	flags("arch_prctl", A_ARCH_PRCTL_OP, 0x1002, "ARCH_SET_FS");
	flags("rlimit", A_RLIMIT, 7, "RLIMIT_NOFILE");
	flags("flock", A_FLOCK_OP, 6, "LOCK_EX|LOCK_NB");
}

static void test_strings(void)
{
	string("plain path", "/etc/passwd", 11, false, "\"/etc/passwd\"");
	string("escapes", "a\"b\\c\n\t", 7, false, "\"a\\\"b\\\\c\\n\\t\"");
	string("octal short", "\033[0m", 4, false, "\"\\33[0m\"");
	string("octal before digit", "\0001", 2, false, "\"\\0001\"");
	string("ELF header", "\177ELF\2\1\1\0", 8, false, "\"\\177ELF\\2\\1\\1\\0\"");
	string("truncated", "abc", 3, true, "\"abc\"...");
	string("high bytes", "\xc3\xa9", 2, false, "\"\\303\\251\"");

	char small[8];
	size_t n = strace_format_string(small, sizeof small, "0123456789", 10, false);
	check("bounded buffer stays terminated", n == 7 && small[7] == '\0' && strlen(small) == 7);
}

static void test_results(void)
{
	result("value", 3, false, " = 3");
	result("zero", 0, false, " = 0");
	result("ENOENT", -ENOENT, false, " = -1 ENOENT (No such file or directory)");
	result("EFAULT", -EFAULT, false, " = -1 EFAULT (Bad address)");
	result("ERESTARTSYS", -ERESTARTSYS, false, " = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	result("ERESTART_RESTARTBLOCK", -ERESTART_RESTARTBLOCK, false,
	       " = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
	result("address", 0x7f0012345000, true, " = 0x7f0012345000");
	result("error on address result", -ENOMEM, true, " = -1 ENOMEM (Cannot allocate memory)");
	result("large negative is a value", -5000, false, " = -5000");
}

static void test_table(void)
{
	check_str("0 is read", syscall_table[0].name, "read");
	check_str("257 is openat", syscall_table[257].name, "openat");
	check_str("262 is newfstatat", syscall_table[262].name, "newfstatat");
	check_str("156 is _sysctl", syscall_table[156].name, "_sysctl");
	check_str("435 is clone3", syscall_table[435].name, "clone3");
	check_str("462 is mseal", syscall_table[462].name, "mseal");
	check("gap 335..423 is empty", syscall_table[335].name == NULL && syscall_table[423].name == NULL);
	check("openat has 4 args", syscall_table[257].nargs == 4 && syscall_table[257].args[2] == A_OFLAGS);
	check("read arg kinds", syscall_table[0].nargs == 3 && syscall_table[0].args[1] == A_BUF_OUT);
	check("getpid has 0 args", syscall_table[39].nargs == 0);
	check("mmap result is an address", syscall_table[9].ret_hex && syscall_table[9].nargs == 6);
	check("execve args", syscall_table[59].args[1] == A_STRV && syscall_table[59].args[2] == A_STRV);

	int named = 0, dup = 0;
	for (int i = 0; i < SYSCALL_MAX; i++) {
		if (!syscall_table[i].name)
			continue;
		named++;
		for (int j = i + 1; j < SYSCALL_MAX; j++)
			if (syscall_table[j].name && strcmp(syscall_table[i].name, syscall_table[j].name) == 0)
				dup++;
	}
	check("every name appears once", dup == 0);
	check("every number of 0..334 and 424..462 named", named >= 335 + 39);
}

int main(void)
{
	test_flags();
	test_strings();
	test_results();
	test_table();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
