/*
 * The syscalls of the anonymous files (fs/anon): epoll_create(2),
 * epoll_create1, epoll_ctl(2), epoll_wait(2), epoll_pwait, epoll_pwait2,
 * eventfd(2), eventfd2, timerfd_create(2), timerfd_settime,
 * timerfd_gettime, memfd_create(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>

#include "fs/anon/anon.h"
#include "kernel/signals.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#define CAP_WAKE_ALARM 35
/* Linux's limit on memfd names (NAME_MAX minus "memfd:"). */
#define MFD_NAME_MAX 249

/* Put a new file at the lowest free fd, dropping the caller's reference. */
static long install_file(struct task *t, struct file *f, bool cloexec)
{
	int fd = fdt_alloc(t->fdt, f, 0, cloexec, task_nofile_limit(t));
	file_put(f);
	return fd;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- epoll -------------------------------------------------------------- */

static long do_epoll_create(struct task *t, int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f;
	int err = epoll_new(&f);
	if (err)
		return err;
	return install_file(t, f, flags & EPOLL_CLOEXEC);
}

SYSCALL_DEFINE(epoll_create)
{
	/* The size is a hint since Linux 2.6.8, but must be positive. */
	if ((int)a[0] <= 0)
		return -EINVAL;
	return do_epoll_create(t, 0);
}

SYSCALL_DEFINE(epoll_create1)
{
	return do_epoll_create(t, (int)a[0]);
}

SYSCALL_DEFINE(epoll_ctl)
{
	int epfd = (int)a[0], op = (int)a[1], fd = (int)a[2];
	struct kepoll_event ev;
	/* Every op but DEL reads the event first (ep_op_has_event). */
	bool has_event = op != EPOLL_CTL_DEL;
	if (has_event && task_copy_in(t, &ev, a[3], sizeof(ev)))
		return -EFAULT;
	struct file *ep = fdt_get_file(t->fdt, epfd);
	if (!ep)
		return -EBADF;
	struct file *target = fdt_get_file(t->fdt, fd);
	if (!target) {
		file_put(ep);
		return -EBADF;
	}
	long r = epoll_ctl_file(ep, op, fd, target, has_event ? &ev : NULL);
	file_put(target);
	file_put(ep);
	return r;
}

/* do_epoll_wait: maxevents, the buffer, then the descriptor. */
static long do_epoll_wait(struct task *t, int epfd, uint64_t uevents, int maxevents, int64_t deadline)
{
	if (maxevents <= 0 || maxevents > (int)(INT_MAX / sizeof(struct kepoll_event)))
		return -EINVAL;
	size_t bytes = (size_t)maxevents * sizeof(struct kepoll_event);
	if (uevents > ARCH_TASK_SIZE || bytes > ARCH_TASK_SIZE - uevents)
		return -EFAULT;
	struct file *ep = fdt_get_file(t->fdt, epfd);
	if (!ep)
		return -EBADF;
	if (!file_is_epoll(ep)) {
		file_put(ep);
		return -EINVAL;
	}
	/* Events are gathered in the sentry, at most a page's worth per
	 * call beyond which the rest waits for the next call. */
	int max = maxevents < 341 ? maxevents : 341;
	struct kepoll_event out[341];
	long r = epoll_wait_file(t, ep, out, max, deadline);
	file_put(ep);
	if (r > 0 && task_copy_out(t, uevents, out, (size_t)r * sizeof(out[0])))
		return -EFAULT;
	return r;
}

static int64_t deadline_from_ms(int timeout)
{
	if (timeout < 0)
		return -1;
	if (timeout == 0)
		return 0;
	return mono_ns() + (int64_t)timeout * 1000000;
}

SYSCALL_DEFINE(epoll_wait)
{
	return do_epoll_wait(t, (int)a[0], a[1], (int)a[2], deadline_from_ms((int)a[3]));
}

SYSCALL_DEFINE(epoll_pwait)
{
	uint64_t old = 0;
	bool swapped;
	int err = syscall_swap_sigmask(t, a[4], a[5], &old, &swapped);
	if (err)
		return err;
	long r = do_epoll_wait(t, (int)a[0], a[1], (int)a[2], deadline_from_ms((int)a[3]));
	syscall_restore_sigmask(t, r, old, swapped);
	return r;
}

SYSCALL_DEFINE(epoll_pwait2)
{
	int64_t deadline = -1;
	if (a[3]) {
		struct timespec ts;
		if (task_copy_in(t, &ts, a[3], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		if (ts.tv_sec == 0 && ts.tv_nsec == 0)
			deadline = 0;
		else if (ts.tv_sec > INT64_MAX / 1000000000LL / 2)
			deadline = -1;
		else
			deadline = mono_ns() + ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	uint64_t old = 0;
	bool swapped;
	int err = syscall_swap_sigmask(t, a[4], a[5], &old, &swapped);
	if (err)
		return err;
	long r = do_epoll_wait(t, (int)a[0], a[1], (int)a[2], deadline);
	syscall_restore_sigmask(t, r, old, swapped);
	return r;
}
const char sys_epoll_ctl_partial[] = "EPOLLEXCLUSIVE wakes every waiter";

/* --- eventfd ------------------------------------------------------------ */

static long do_eventfd(struct task *t, unsigned int initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct file *f;
	int err = eventfd_new(initval, flags & (EFD_SEMAPHORE | EFD_NONBLOCK), &f);
	if (err)
		return err;
	return install_file(t, f, flags & EFD_CLOEXEC);
}

SYSCALL_DEFINE(eventfd) { return do_eventfd(t, (unsigned int)a[0], 0); }
SYSCALL_DEFINE(eventfd2) { return do_eventfd(t, (unsigned int)a[0], (int)a[1]); }

/* --- timerfd ------------------------------------------------------------ */

SYSCALL_DEFINE(timerfd_create)
{
	int clock = (int)a[0], flags = (int)a[1];
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_REALTIME_ALARM &&
	    clock != CLOCK_BOOTTIME && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !creds_has_cap(&t->creds, CAP_WAKE_ALARM))
		return -EPERM;
	struct file *f;
	int err = timerfd_new(clock, flags & TFD_NONBLOCK, &f);
	if (err)
		return err;
	return install_file(t, f, flags & TFD_CLOEXEC);
}
const char sys_timerfd_create_partial[] = "no ECANCELED on realtime clock steps (TFD_TIMER_CANCEL_ON_SET)";

static bool timespec_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* The timerfd at fd: -EBADF, or -EINVAL when it is something else. */
static struct file *get_timerfd(struct task *t, int fd, long *err)
{
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!file_is_timerfd(f)) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

SYSCALL_DEFINE(timerfd_settime)
{
	int flags = (int)a[1];
	struct itimerspec nv, old;
	if (task_copy_in(t, &nv, a[2], sizeof(nv)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) || !timespec_ok(&nv.it_value) ||
	    !timespec_ok(&nv.it_interval))
		return -EINVAL;
	long err;
	struct file *f = get_timerfd(t, (int)a[0], &err);
	if (!f)
		return err;
	timerfd_set(f, flags, &nv, &old);
	file_put(f);
	if (a[3] && task_copy_out(t, a[3], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(timerfd_gettime)
{
	long err;
	struct file *f = get_timerfd(t, (int)a[0], &err);
	if (!f)
		return err;
	struct itimerspec cur;
	timerfd_get(f, &cur);
	file_put(f);
	return task_copy_out(t, a[1], &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* --- memfd -------------------------------------------------------------- */

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

SYSCALL_DEFINE(memfd_create)
{
	unsigned int flags = (unsigned int)a[1];
	if (flags & MFD_HUGETLB) {
		syscall_report_unsupported("memfd_create MFD_HUGETLB");
		return -EINVAL;
	}
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC | MFD_NOEXEC_SEAL))
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	char name[MFD_NAME_MAX + 2];
	long len = task_copy_in_string(t, a[0], name, sizeof(name));
	if (len == -ENAMETOOLONG || len > MFD_NAME_MAX)
		return -EINVAL;
	if (len < 0)
		return len;
	if (flags & MFD_NOEXEC_SEAL) {
		/* Linux: mode 0666 and F_SEAL_EXEC, sealing allowed. */
		syscall_report_unsupported("memfd_create MFD_NOEXEC_SEAL");
		return -EINVAL;
	}
	struct file *f;
	int err = memfd_new(t, name, flags & MFD_ALLOW_SEALING, &f);
	if (err)
		return err;
	return install_file(t, f, flags & MFD_CLOEXEC);
}
const char sys_memfd_create_partial[] = "no MFD_HUGETLB, MFD_NOEXEC_SEAL";
