/* exec_basic: execve. Phase 1 checks the failures (ENOENT, EACCES for a
 * non-executable file and a directory, ENOTDIR, EFAULT for each pointer,
 * E2BIG for an over-long argument), sets up state, then re-executes itself
 * with "phase2". Phase 2 (same process, new image) checks argv, envp, the
 * auxiliary vector, that the pid is kept, that close-on-exec fds are gone
 * and others stay, that caught signals are reset while ignored ones and the
 * mask are kept, and that the alternate signal stack is cleared. TAP
 * numbering continues across the exec. */
#include "tap.h"
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>

#define KEEP_FD 50
#define CLOEXEC_FD 51

extern char **environ;
extern char _start[];

static void handler(int sig) { (void)sig; }

static int sig_handler_is(int sig, void (*want)(int))
{
	struct sigaction sa;
	sigaction(sig, NULL, &sa);
	return sa.sa_handler == want;
}

static void phase1(const char *self)
{
	char *argv[] = { (char *)self, NULL };
	char *envp[] = { NULL };
	CHECK_ERR(execve("/nonexistent-moat", argv, envp), ENOENT, "missing file ENOENT");
	CHECK_ERR(execve("", argv, envp), ENOENT, "empty path ENOENT");
	CHECK_ERR(execve("/etc/passwd", argv, envp), EACCES, "non-executable file EACCES");
	CHECK_ERR(execve("/etc", argv, envp), EACCES, "directory EACCES");
	CHECK_ERR(execve("/etc/passwd/x", argv, envp), ENOTDIR, "file as a directory ENOTDIR");
	CHECK_ERR(syscall(SYS_execve, BAD_LOW, argv, envp), EFAULT, "bad path pointer EFAULT");
	CHECK_ERR(syscall(SYS_execve, self, BAD_LOW, envp), EFAULT, "bad argv pointer EFAULT");
	char *badargv[] = { (char *)self, BAD_LOW, NULL };
	CHECK_ERR(syscall(SYS_execve, self, badargv, envp), EFAULT, "bad argv element EFAULT");
	CHECK_ERR(syscall(SYS_execve, self, argv, BAD_KERNEL), EFAULT, "bad envp pointer EFAULT");
	static char huge[200 * 1024];
	memset(huge, 'x', sizeof huge - 1);
	char *bigargv[] = { (char *)self, huge, NULL };
	CHECK_ERR(execve(self, bigargv, envp), E2BIG, "argument longer than 128 KiB E2BIG");
	int pw = open("/etc/passwd", O_RDONLY);
	CHECK_ERR(syscall(SYS_execveat, pw, "", argv, envp, AT_EMPTY_PATH), EACCES, "execveat AT_EMPTY_PATH on a non-executable EACCES");
	CHECK_ERR(syscall(SYS_execveat, pw, "", argv, envp, 0), ENOENT, "execveat empty path without the flag ENOENT");
	CHECK_ERR(syscall(SYS_execveat, AT_FDCWD, self, argv, envp, 0x12), EINVAL, "execveat bad flags EINVAL");

	/* State for phase 2 to inspect. */
	CHECK_EQ(dup2(pw, KEEP_FD), KEEP_FD, "fd without close-on-exec");
	CHECK_EQ(dup3(pw, CLOEXEC_FD, O_CLOEXEC), CLOEXEC_FD, "fd with close-on-exec");
	close(pw);
	CHECK(signal(SIGUSR1, handler) != SIG_ERR, "catch SIGUSR1");
	CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR, "ignore SIGUSR2");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL), "block SIGTERM");
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	CHECK_OK(sigaltstack(&ss, NULL), "install an alternate stack");

	char count[16], pid[16];
	snprintf(count, sizeof count, "%d", tap_count + 1);
	snprintf(pid, sizeof pid, "%d", getpid());
	char *next_argv[] = { (char *)self, "phase2", count, pid, NULL };
	char *next_envp[] = { "A=1", "MOAT_EXEC=second image", NULL };
	fflush(stdout);
	long r = syscall(SYS_execve, self, next_argv, next_envp);
	CHECK(0, "execve of ourselves failed: %ld %s", r, tap_errname(errno));
}

static void phase2(int argc, char **argv)
{
	tap_set_count(atoi(argv[2]) - 1);
	CHECK(1, "execve of ourselves");
	CHECK_EQ(argc, 4, "argc");
	CHECK(strcmp(argv[1], "phase2") == 0 && argv[4] == NULL, "argv contents, NULL terminated");
	CHECK(environ[0] && strcmp(environ[0], "A=1") == 0, "envp[0]");
	CHECK(environ[1] && strcmp(environ[1], "MOAT_EXEC=second image") == 0, "envp[1]");
	CHECK(environ[2] == NULL, "envp has exactly two entries");
	CHECK(strcmp(getenv("MOAT_EXEC"), "second image") == 0, "getenv");
	CHECK_EQ(getpid(), atoi(argv[3]), "execve keeps the pid");

	CHECK_EQ(getauxval(AT_PAGESZ), 4096, "AT_PAGESZ");
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int nonzero = 0;
	for (int i = 0; rnd && i < 16; i++)
		nonzero |= rnd[i];
	CHECK(rnd != NULL && nonzero, "AT_RANDOM points at 16 random bytes");
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK(execfn && strcmp(execfn, argv[0]) == 0, "AT_EXECFN is the path given to execve");
	CHECK_EQ(getauxval(AT_ENTRY), (unsigned long)_start, "AT_ENTRY is _start");
	CHECK_EQ(getauxval(AT_PHENT), sizeof(Elf64_Phdr), "AT_PHENT");
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	int has_load = 0;
	for (unsigned long i = 0; ph && i < phnum; i++)
		has_load |= ph[i].p_type == PT_LOAD;
	CHECK(ph && phnum > 0 && has_load, "AT_PHDR/AT_PHNUM describe the program headers");
	CHECK_EQ(getauxval(AT_BASE), 0, "AT_BASE 0 for a static program");
	CHECK_EQ(getauxval(AT_UID), getuid(), "AT_UID");
	CHECK_EQ(getauxval(AT_EUID), geteuid(), "AT_EUID");
	CHECK_EQ(getauxval(AT_GID), getgid(), "AT_GID");
	CHECK_EQ(getauxval(AT_EGID), getegid(), "AT_EGID");
	CHECK_EQ(getauxval(AT_SECURE), 0, "AT_SECURE 0");
	CHECK_EQ(getauxval(AT_CLKTCK), 100, "AT_CLKTCK 100");
	CHECK(getauxval(AT_HWCAP) != 0, "AT_HWCAP set");
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	CHECK(plat && strcmp(plat, "x86_64") == 0, "AT_PLATFORM x86_64");
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	CHECK(vdso && memcmp(vdso, "\177ELF", 4) == 0, "AT_SYSINFO_EHDR points at the vDSO ELF header");

	CHECK_EQ(fcntl(KEEP_FD, F_GETFD), 0, "fd without close-on-exec survives");
	char c;
	CHECK_EQ(pread(KEEP_FD, &c, 1, 0), 1, "and still reads the file");
	CHECK_ERR(fcntl(CLOEXEC_FD, F_GETFD), EBADF, "close-on-exec fd is closed");
	CHECK(sig_handler_is(SIGUSR1, SIG_DFL), "caught signal reset to SIG_DFL");
	CHECK(sig_handler_is(SIGUSR2, SIG_IGN), "ignored signal stays ignored");
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	CHECK(sigismember(&set, SIGTERM), "signal mask is kept");
	stack_t ss;
	sigaltstack(NULL, &ss);
	CHECK(ss.ss_flags == SS_DISABLE, "alternate signal stack is cleared");
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGUSR2, SIG_DFL);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "phase2") == 0)
		phase2(argc, argv);
	else
		phase1(argv[0]);
	return tap_done();
}
