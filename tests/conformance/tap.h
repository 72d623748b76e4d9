/* tap.h: a tiny TAP producer for the conformance programs.
 *
 * Each check prints "ok N - desc" or "not ok N - desc". Details that may
 * differ between runs (values, errno names on failure) go only into "#"
 * comment lines, so that the ok/not ok lines of a native run and of a run
 * inside moat can be compared byte for byte. The plan "1..N" is printed by
 * tap_done(), whose result is the exit status (non-zero if any check failed).
 *
 * Every line is flushed at once so that nothing is lost if the program dies.
 */
#ifndef MOAT_TAP_H
#define MOAT_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TAP_FN static __attribute__((unused))

static int tap_count;
static int tap_failures;
/* Set in a child run by tap_in_child(): where to publish the numbering. */
static int *tap_child_counts;

TAP_FN const char *tap_errname(int e)
{
	const char *name = e ? strerrorname_np(e) : "0";
	return name ? name : "E?";
}

TAP_FN void tap_vline(int ok, const char *fmt, va_list ap)
{
	tap_count++;
	if (!ok)
		tap_failures++;
	printf("%sok %d - ", ok ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	if (tap_child_counts) {
		tap_child_counts[0] = tap_count;
		tap_child_counts[1] = tap_failures;
	}
}

TAP_FN void tap_line(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
TAP_FN void tap_line(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vline(ok, fmt, ap);
	va_end(ap);
}

TAP_FN void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
TAP_FN void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

/* Continue numbering from a previous program image (used across execve). */
TAP_FN void tap_set_count(int n) { tap_count = n; }

TAP_FN int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}

TAP_FN int tap_check(int ok, const char *expr, const char *file, int line,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
TAP_FN int tap_check(int ok, const char *expr, const char *file, int line,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vline(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("failed: %s (%s:%d)", expr, file, line);
	return ok;
}

TAP_FN int tap_check_err(long ret, int err, int want, const char *expr,
			 const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
TAP_FN int tap_check_err(long ret, int err, int want, const char *expr,
			 const char *file, int line, const char *fmt, ...)
{
	int ok = ret == -1 && err == want;
	va_list ap;
	va_start(ap, fmt);
	tap_vline(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s (%s:%d): got ret=%ld errno=%s, expected -1 %s", expr,
			 file, line, ret, ret == -1 ? tap_errname(err) : "-",
			 tap_errname(want));
	return ok;
}

TAP_FN int tap_check_ok(long ret, int err, const char *expr, const char *file,
			int line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
TAP_FN int tap_check_ok(long ret, int err, const char *expr, const char *file,
			int line, const char *fmt, ...)
{
	int ok = ret >= 0;
	va_list ap;
	va_start(ap, fmt);
	tap_vline(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s (%s:%d): failed with errno=%s", expr, file, line,
			 tap_errname(err));
	return ok;
}

TAP_FN int tap_check_eq(long got, long want, const char *expr, const char *file,
			int line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
TAP_FN int tap_check_eq(long got, long want, const char *expr, const char *file,
			int line, const char *fmt, ...)
{
	int ok = got == want;
	va_list ap;
	va_start(ap, fmt);
	tap_vline(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s (%s:%d): got %ld (%#lx), expected %ld (%#lx)", expr,
			 file, line, got, got, want, want);
	return ok;
}

/* CHECK(cond, "desc", ...): passes when cond is true. */
#define CHECK(cond, ...) tap_check(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)

/* CHECK_ERR(call, ERRNO, "desc", ...): call must return -1 with errno ERRNO. */
#define CHECK_ERR(call, want, ...)                                            \
	({                                                                    \
		errno = 0;                                                    \
		long _tap_r = (long)(call);                                   \
		int _tap_e = errno;                                           \
		tap_check_err(_tap_r, _tap_e, (want), #call, __FILE__,        \
			      __LINE__, __VA_ARGS__);                         \
	})

/* CHECK_OK(call, "desc", ...): call must return >= 0; yields the result. */
#define CHECK_OK(call, ...)                                                   \
	({                                                                    \
		errno = 0;                                                    \
		long _tap_r = (long)(call);                                   \
		int _tap_e = errno;                                           \
		tap_check_ok(_tap_r, _tap_e, #call, __FILE__, __LINE__,       \
			     __VA_ARGS__);                                    \
		_tap_r;                                                       \
	})

/* CHECK_EQ(got, want, "desc", ...): integer equality, values shown on failure. */
#define CHECK_EQ(got, want, ...)                                              \
	tap_check_eq((long)(got), (long)(want), #got " == " #want, __FILE__,  \
		     __LINE__, __VA_ARGS__)

/* Close descriptors inherited from whoever started us, so that tests about
 * fd numbering see only 0, 1 and 2 (the sandbox starts with just those). */
TAP_FN void tap_close_extra_fds(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/* Addresses that are bad in different ways, for EFAULT checks. */
#define BAD_NULL ((void *)0)
#define BAD_LOW ((void *)1)
#define BAD_KERNEL ((void *)0xffff800000000000UL)
#define BAD_NONCANON ((void *)0x0000800000000000UL)

/* A page that is certainly unmapped: map two pages, unmap them. */
#include <sys/mman.h>
TAP_FN void *tap_unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return BAD_LOW;
	munmap(p, 4096);
	return p;
}


/* tap_in_child(fn, arg): runs fn(arg) in a forked child (e.g. to drop
 * privileges or change process-wide state without touching the test itself).
 * The child's checks continue our numbering and we continue after them.
 * If the child does not return from fn normally, one "not ok" line says so.
 * Calls may nest (a child may run tap_in_child itself).
 * Returns the child's wait status. */
#include <sys/wait.h>
TAP_FN int tap_in_child(void (*fn)(void *), void *arg)
{
	int *counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED) {
		tap_line(0, "child checks (no shared memory: %s)", tap_errname(errno));
		return -1;
	}
	counts[0] = tap_count;
	counts[1] = tap_failures;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		tap_child_counts = counts;
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int status = -1;
	if (pid < 0) {
		tap_line(0, "child checks (fork: %s)", tap_errname(errno));
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		tap_count = counts[0];
		tap_failures = counts[1];
		if (tap_child_counts) { /* nested: pass the numbering up */
			tap_child_counts[0] = tap_count;
			tap_child_counts[1] = tap_failures;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			tap_line(0, "child ran its checks to the end (status %#x)", status);
	}
	munmap(counts, 4096);
	return status;
}

/* Waits for a particular child, retrying after EINTR; returns its status
 * or -1. */
TAP_FN int tap_wait(pid_t pid, int options)
{
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, options);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : status;
}

#endif
