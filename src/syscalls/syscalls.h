/*
 * The amd64 syscall table and the handler convention.
 *
 * A handler is `long sys_NAME(struct task *t, const uint64_t *a)` with the
 * six raw arguments in a[0..5]; it returns the result or a negative errno
 * (including the ERESTART* codes). Define one with SYSCALL_DEFINE(NAME) in
 * the src/syscalls file of its area; table.c refers to every sys_NAME weakly,
 * so an area that does not define one leaves it ENOSYS.
 */
#ifndef MOAT_SYSCALLS_SYSCALLS_H
#define MOAT_SYSCALLS_SYSCALLS_H

#include <stdint.h>

#include "kernel/task.h"

#define SYSCALL_DEFINE(name) long sys_##name(struct task *t, const uint64_t *a)

typedef long (*syscall_fn)(struct task *t, const uint64_t *a);

/* How --strace shows an argument. */
enum sc_arg {
	A_NONE = 0,
	A_INT,        /* signed decimal */
	A_UINT,       /* unsigned decimal */
	A_HEX,        /* hexadecimal */
	A_PTR,        /* pointer: 0x..., NULL */
	A_FD,         /* file descriptor; AT_FDCWD shown by name */
	A_STR,        /* NUL-terminated string (path) read from the app */
	A_BUF_IN,     /* buffer the app passes in; length is the next argument */
	A_BUF_OUT,    /* buffer the kernel fills; length is the next argument,
	                 the result says how much was filled */
	A_OFLAGS,     /* open(2) flags */
	A_MODE,       /* file mode, octal */
	A_PROT,       /* PROT_* */
	A_MMAP_FLAGS, /* MAP_* */
	A_SIGNAL,     /* signal number by name */
	A_CLOCKID,    /* CLOCK_* */
	A_ATFLAGS,    /* AT_* flags */
	A_FCNTL_CMD,  /* F_* */
	A_IOCTL_CMD,  /* TCGETS ... */
	A_CLONE_FLAGS,/* CLONE_* */
	A_WHENCE,     /* SEEK_* */
	A_STRV,       /* NULL-terminated array of strings (argv, envp) */
};

/* How much of a syscall moat implements (moat syscalls). */
enum sc_support { SC_NONE = 0, SC_FULL, SC_PARTIAL };

struct syscall_desc {
	const char *name;
	uint8_t nargs;
	uint8_t args[6];      /* enum sc_arg */
	uint8_t ret_hex;      /* result is an address (mmap, brk) */
	syscall_fn fn;        /* NULL: not implemented (ENOSYS) */
	const char *partial;  /* what is missing, when the handler is partial */
};

#define SYSCALL_MAX 512
extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* Format one strace line for the syscall t is in: entry (before the call)
 * and exit (with the result). */
void strace_enter(struct task *t, long nr, const uint64_t *a);
void strace_exit(struct task *t, long nr, const uint64_t *a, long ret);

/* `moat syscalls`: print the compatibility table to stdout. */
void syscalls_print_table(void);

/* ppoll/pselect6/epoll_pwait: wait with the application's mask umask (a
 * sigset of `size` bytes, none when 0). After the wait, the old mask comes
 * back at once, or, when a signal interrupted it (-EINTR/-ERESTARTNOHAND),
 * only after its handler ran, as for sigsuspend (sys_poll.c). */
int syscall_swap_sigmask(struct task *t, uint64_t umask, size_t size, uint64_t *old, bool *swapped);
void syscall_restore_sigmask(struct task *t, long ret, uint64_t old, bool swapped);

/* Report an unimplemented syscall, flag or ioctl once per distinct message. */
void syscall_report_unsupported(const char *what);

#endif
