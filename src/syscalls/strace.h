/*
 * --strace: formatting of syscall lines in strace's style, plus the pure
 * formatting helpers (no application memory involved) that the unit test
 * checks directly.
 */
#ifndef MOAT_SYSCALLS_STRACE_H
#define MOAT_SYSCALLS_STRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls/syscalls.h"

/*
 * Argument kinds beyond enum sc_arg (syscalls.h), used by table.c for a
 * closer-to-strace decoding. They share the uint8_t args[] slots, so they
 * start well above the last enum sc_arg value.
 * TODO(lead): these could move into enum sc_arg.
 */
enum sc_arg_ext {
	A_LONG = 64,      /* signed 64-bit decimal (off_t, long) */
	A_OFLAGS_NOACC,   /* O_CLOEXEC|O_NONBLOCK... without an access mode (pipe2, dup3) */
	A_SIGMASK_HOW,    /* SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK */
	A_ACCESS_MODE,    /* F_OK or R_OK|W_OK|X_OK */
	A_WAIT_OPTIONS,   /* WNOHANG|WUNTRACED|__WALL... */
	A_FUTEX_OP,       /* FUTEX_WAIT_PRIVATE ... */
	A_SOCK_FAMILY,    /* AF_UNIX, AF_INET ... */
	A_SOCK_TYPE,      /* SOCK_STREAM|SOCK_CLOEXEC ... */
	A_MADVISE,        /* MADV_* */
	A_PRCTL_OP,       /* PR_* */
	A_ARCH_PRCTL_OP,  /* ARCH_SET_FS ... */
	A_RLIMIT,         /* RLIMIT_* */
	A_IDTYPE,         /* P_PID, P_PGID, P_ALL, P_PIDFD (waitid) */
	A_MREMAP_FLAGS,   /* MREMAP_* */
	A_EPOLL_CTL_OP,   /* EPOLL_CTL_ADD ... */
	A_FCNTL_ARG,      /* third fcntl argument, decoded by the command */
	A_SHUT_HOW,       /* SHUT_RD, SHUT_WR, SHUT_RDWR */
	A_ITIMER_WHICH,   /* ITIMER_REAL ... */
	A_FLOCK_OP,       /* LOCK_SH|LOCK_NB ... */
	A_SIGSET_PTR,     /* sigset_t *: shown as pointer (kept apart for later decoding) */
};

/* Pure helpers; each writes a NUL-terminated text into buf (at most n
 * bytes including the NUL) and returns the length it wrote. */

/* A numeric or symbolic argument of the given kind (enum sc_arg or
 * enum sc_arg_ext) whose display depends only on its value: flags,
 * constants, integers, fds, pointers shown as addresses. */
size_t strace_format_flags(char *buf, size_t n, int kind, uint64_t v);

/* A quoted, escaped C string as strace shows it: s[0..len) in quotes; when
 * truncated is set, `...` follows the closing quote. */
size_t strace_format_string(char *buf, size_t n, const char *s, size_t len, bool truncated);

/* The ` = ...` part of a line: value, hex address, `-1 ENOENT (...)` or
 * `? ERESTARTSYS (...)`. */
size_t strace_format_result(char *buf, size_t n, long ret, bool hex);

/* Name of a signal (SIGSEGV, SIGRTMIN+3) or its number when unknown. */
size_t strace_format_signal(char *buf, size_t n, int sig);

/* Extra events that strace shows; the kernel calls them when log_strace. */
/* `--- SIGSEGV {si_signo=SIGSEGV, si_code=..., si_addr=0x...} ---` */
void strace_signal_delivered(struct task *t, const siginfo_t *info);
/* `+++ exited with 0 +++` or `+++ killed by SIGKILL +++` (wait status). */
void strace_task_exited(struct task *t, int wait_status);

/* Write one complete line (a newline is added) to stderr, closing another
 * task's unfinished line first so that lines never mix. */
void strace_emit_line(const char *line, size_t len);

/* Counters of syscall_report_unsupported(): all calls, distinct messages. */
unsigned long syscall_unsupported_total(void);
unsigned long syscall_unsupported_distinct(void);

#endif
