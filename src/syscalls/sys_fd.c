/*
 * Descriptor-table syscalls: close, close_range, dup*, fcntl, pipe*,
 * ioctl's generic commands, umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kernel/task.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

SYSCALL_DEFINE(close) { return fdt_close(t->fdt, (int)a[0]); }

SYSCALL_DEFINE(close_range)
{
	unsigned int first = (unsigned int)a[0], last = (unsigned int)a[1];
	unsigned int flags = (unsigned int)a[2];
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		/* This task gets its own copy of the table first. */
		struct fd_table *copy = fdt_fork(t->fdt);
		if (!copy)
			return -ENOMEM;
		struct fd_table *old = t->fdt;
		t->fdt = copy;
		fdt_put(old);
	}
	fdt_close_range(t->fdt, first, last, flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}

SYSCALL_DEFINE(dup)
{
	struct file *f = fdt_get_file(t->fdt, (int)a[0]);
	if (!f)
		return -EBADF;
	int r = fdt_alloc(t->fdt, f, 0, false, task_nofile_limit(t));
	file_put(f);
	return r;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	if (newfd < 0 || newfd >= task_nofile_limit(t))
		return -EBADF;
	struct file *f = fdt_get_file(t->fdt, oldfd);
	if (!f)
		return -EBADF;
	int r = fdt_install_at(t->fdt, newfd, f, flags & O_CLOEXEC);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(dup2)
{
	int oldfd = (int)a[0], newfd = (int)a[1];
	if (oldfd == newfd) {
		/* Only checks that oldfd is valid. */
		struct file *f = fdt_get_file(t->fdt, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

SYSCALL_DEFINE(dup3)
{
	int flags = (int)a[2];
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if ((int)a[0] == (int)a[1])
		return -EINVAL;
	return do_dup3(t, (int)a[0], (int)a[1], flags);
}

/* --- fcntl ---------------------------------------------------------- */

#define CAP_FOWNER 3

static long fcntl_setfl(struct task *t, struct file *f, int arg)
{
	const int settable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT | O_ASYNC;
	if (arg & O_ASYNC) {
		syscall_report_unsupported("fcntl F_SETFL O_ASYNC");
		return -EINVAL;
	}
	if ((arg & O_DIRECT) && !(atomic_load(&f->flags) & O_DIRECT)) {
		syscall_report_unsupported("fcntl F_SETFL O_DIRECT");
		return -EINVAL;
	}
	if ((arg & O_NOATIME) && f->inode && t->creds.fsuid != f->inode->st.st_uid &&
	    !creds_has_cap(&t->creds, CAP_FOWNER))
		return -EPERM;
	int old = atomic_load(&f->flags);
	int nf;
	do {
		nf = (old & ~settable) | (arg & settable);
	} while (!atomic_compare_exchange_weak(&f->flags, &old, nf));
	return 0;
}

SYSCALL_DEFINE(fcntl)
{
	int fd = (int)a[0];
	int cmd = (int)a[1];
	uint64_t arg = a[2];
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f)
		return -EBADF;
	long r;
	/* check_fcntl_cmd(): an O_PATH descriptor allows only these. */
	if ((f->mode & FMODE_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
	    cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		int limit = task_nofile_limit(t);
		if ((long)(int)arg < 0 || (int)arg >= limit || arg > 0xffffffffUL)
			r = -EINVAL;
		else
			r = fdt_alloc(t->fdt, f, (int)arg, cmd == F_DUPFD_CLOEXEC, limit);
		break;
	}
	case F_GETFD:
		r = fdt_get_cloexec(t->fdt, fd);
		if (r > 0)
			r = FD_CLOEXEC;
		break;
	case F_SETFD:
		r = fdt_set_cloexec(t->fdt, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = atomic_load(&f->flags);
		break;
	case F_SETFL:
		r = fcntl_setfl(t, f, (int)arg);
		break;
	case F_GETPIPE_SZ:
		r = f->ops->pipe_size ? f->ops->pipe_size(f, t, -1) : -EBADF;
		break;
	case F_SETPIPE_SZ:
		r = f->ops->pipe_size ? f->ops->pipe_size(f, t, (long)(unsigned int)arg) : -EBADF;
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: {
		struct flock fl;
		if (task_copy_in(t, &fl, arg, sizeof(fl))) {
			r = -EFAULT;
			break;
		}
		r = vfs_reclock(t, f, cmd, &fl);
		if (r == 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK) &&
		    task_copy_out(t, arg, &fl, sizeof(fl)))
			r = -EFAULT;
		break;
	}
	case F_ADD_SEALS:
	case F_GET_SEALS:
		r = -EINVAL; /* only memfds have seals */
		break;
	default: {
		char what[48];
		snprintf(what, sizeof(what), "fcntl cmd %d", cmd);
		syscall_report_unsupported(what);
		r = -EINVAL;
		break;
	}
	}
	file_put(f);
	return r;
}
const char sys_fcntl_partial[] = "no leases, F_SETOWN/SIGIO, F_NOTIFY; no EDEADLK detection for record locks";

/* --- pipes ---------------------------------------------------------- */

#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE O_EXCL
#endif

static long do_pipe2(struct task *t, uint64_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE))
		return -EINVAL;
	if (flags & (O_DIRECT | O_NOTIFICATION_PIPE)) {
		syscall_report_unsupported("pipe2 O_DIRECT/O_NOTIFICATION_PIPE");
		return -EINVAL;
	}
	struct file *rd, *wr;
	int err = pipe_create(t, flags, &rd, &wr);
	if (err)
		return err;
	int limit = task_nofile_limit(t);
	bool cloexec = flags & O_CLOEXEC;
	int fds[2] = { -1, -1 };
	fds[0] = fdt_alloc(t->fdt, rd, 0, cloexec, limit);
	if (fds[0] >= 0)
		fds[1] = fdt_alloc(t->fdt, wr, 0, cloexec, limit);
	long r = 0;
	if (fds[0] < 0 || fds[1] < 0)
		r = fds[0] < 0 ? fds[0] : fds[1];
	else if (task_copy_out(t, ufds, fds, sizeof(fds)))
		r = -EFAULT;
	if (r) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fdt_close(t->fdt, fds[i]);
	}
	file_put(rd);
	file_put(wr);
	return r;
}

SYSCALL_DEFINE(pipe) { return do_pipe2(t, a[0], 0); }
SYSCALL_DEFINE(pipe2) { return do_pipe2(t, a[0], (int)a[1]); }
const char sys_pipe2_partial[] = "no O_DIRECT packet mode";

/* --- ioctl ---------------------------------------------------------- */

#ifndef FIOQSIZE
#define FIOQSIZE 0x5460
#endif

SYSCALL_DEFINE(ioctl)
{
	int fd = (int)a[0];
	unsigned int cmd = (unsigned int)a[1];
	uint64_t arg = a[2];
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f)
		return -EBADF;
	long r;
	if (f->mode & FMODE_PATH) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case FIOCLEX:
		r = fdt_set_cloexec(t->fdt, fd, true);
		break;
	case FIONCLEX:
		r = fdt_set_cloexec(t->fdt, fd, false);
		break;
	case FIONBIO: {
		int on;
		if (task_copy_in(t, &on, arg, sizeof(on))) {
			r = -EFAULT;
			break;
		}
		if (on)
			atomic_fetch_or(&f->flags, O_NONBLOCK);
		else
			atomic_fetch_and(&f->flags, ~O_NONBLOCK);
		r = 0;
		break;
	}
	case FIOASYNC:
		syscall_report_unsupported("ioctl FIOASYNC");
		r = -EINVAL;
		break;
	case FIOQSIZE: {
		struct stat st;
		if (file_stat(f, &st))
			r = -ENOTTY;
		else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
			int64_t size = st.st_size;
			r = task_copy_out(t, arg, &size, sizeof(size)) ? -EFAULT : 0;
		} else
			r = -ENOTTY;
		break;
	}
	default:
		/* Unknown commands are ENOTTY, as on Linux for files that do
		 * not implement them (isatty() relies on it). */
		r = f->ops->ioctl ? f->ops->ioctl(f, t, cmd, arg) : -ENOTTY;
		break;
	}
	file_put(f);
	return r;
}
const char sys_ioctl_partial[] = "FIONREAD, terminal state of host terminals; no FIOASYNC";

SYSCALL_DEFINE(umask)
{
	return (long)atomic_exchange(&t->fs->umask, (unsigned int)a[0] & 0777);
}

/* flock(2): BSD locks on the open file description. */
SYSCALL_DEFINE(flock)
{
	int op = (int)a[1];
	struct file *f = fdt_get_file(t->fdt, (int)a[0]);
	if (!f)
		return -EBADF;
	long r;
	int cmd = op & ~LOCK_NB;
	if (f->mode & FMODE_PATH)
		r = -EBADF;
	else if (cmd != LOCK_SH && cmd != LOCK_EX && cmd != LOCK_UN)
		r = -EINVAL;
	else if (cmd != LOCK_UN && !(f->mode & (FMODE_READ | FMODE_WRITE)))
		r = -EBADF;
	else
		r = vfs_flock(t, f, cmd, op & LOCK_NB);
	file_put(f);
	return r;
}
