/*
 * Files wrapping a host descriptor that the sandbox was given (its stdin,
 * stdout and stderr: a terminal, a pipe, a file). The sentry owns a dup of
 * it; reads and writes go to the host descriptor.
 *
 * The host descriptor is never switched to O_NONBLOCK (that would change
 * the open file description the user's shell shares). Instead, a read from
 * a pipe, socket or terminal first checks readiness with poll and sleeps in
 * task_block_host_fd, which signals and stops interrupt. A write to a host
 * pipe or socket waits for POLLOUT the same way, but a large write may
 * still block the sentry thread until the outside reader makes room.
 *
 * Only ioctls that read the terminal's state, or set it (the terminal was
 * given to the sandbox), are forwarded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "kernel/signals.h"
#include "kernel/task.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* Whether reads/writes may block on the host: pipes, sockets, terminals. */
static bool host_may_block(struct file *f)
{
	return !S_ISREG(f->inode->st.st_mode) && !S_ISBLK(f->inode->st.st_mode);
}

/* Wait until the host descriptor is ready for events, or fail with
 * -EAGAIN (non-blocking) or -ERESTARTSYS (interrupted). */
static int host_wait(struct file *f, struct task *t, short events, int iof)
{
	for (;;) {
		struct pollfd p = { .fd = f->hostfd, .events = events };
		int r = poll(&p, 1, 0);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if ((atomic_load(&f->flags) & O_NONBLOCK) || (iof & IOF_NOWAIT) || !t)
			return -EAGAIN;
		r = task_block_host_fd(t, f->hostfd, events);
		if (r == -EINTR)
			return -ERESTARTSYS;
		if (r < 0)
			return r;
		return 0;
	}
}

static ssize_t hostfd_read(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	if (pos) {
		ssize_t r = pread(f->hostfd, buf, n, *pos);
		if (r < 0)
			return -errno;
		*pos += r;
		return r;
	}
	if (n && host_may_block(f)) {
		int err = host_wait(f, t, POLLIN, iof);
		if (err)
			return err;
	}
	ssize_t r = read(f->hostfd, buf, n);
	return r < 0 ? -errno : r;
}

static ssize_t hostfd_write(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos, int iof)
{
	ssize_t r;
	if (pos) {
		r = pwrite(f->hostfd, buf, n, *pos);
		if (r < 0)
			return -errno;
		*pos += r;
		return r;
	}
	if (n && (S_ISFIFO(f->inode->st.st_mode) || S_ISSOCK(f->inode->st.st_mode))) {
		int err = host_wait(f, t, POLLOUT, iof);
		if (err)
			return err;
	}
	r = write(f->hostfd, buf, n);
	if (r < 0) {
		int e = errno;
		if (e == EPIPE && t && !(iof & IOF_NOSIGNAL))
			task_send_signal_self(t, SIGPIPE);
		return -e;
	}
	return r;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	off_t r = lseek(f->hostfd, off, whence);
	return r < 0 ? -errno : r;
}

static int hostfd_stat(struct file *f, struct stat *st)
{
	return fstat(f->hostfd, st) < 0 ? -errno : 0;
}

static uint32_t hostfd_poll(struct file *f)
{
	struct pollfd p = { .fd = f->hostfd, .events = POLLIN | POLLOUT | POLLPRI };
	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return (uint32_t)p.revents;
}

static int hostfd_host_fd(struct file *f)
{
	return f->hostfd;
}

/* The kernel's struct termios (what TCGETS/TCSETS move): 36 bytes. */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

static long forward_out(struct file *f, struct task *t, unsigned int cmd, uint64_t arg, size_t size)
{
	char buf[128] = { 0 };
	if (ioctl(f->hostfd, cmd, buf) < 0)
		return -errno;
	return task_copy_out(t, arg, buf, size) ? -EFAULT : 0;
}

static long forward_in(struct file *f, struct task *t, unsigned int cmd, uint64_t arg, size_t size)
{
	char buf[128] = { 0 };
	if (task_copy_in(t, buf, arg, size))
		return -EFAULT;
	return ioctl(f->hostfd, cmd, buf) < 0 ? -errno : 0;
}

static long hostfd_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	bool tty = isatty(f->hostfd);
	switch (cmd) {
	case TCGETS:
		return tty ? forward_out(f, t, cmd, arg, sizeof(struct kernel_termios)) : -ENOTTY;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty ? forward_in(f, t, cmd, arg, sizeof(struct kernel_termios)) : -ENOTTY;
	case TIOCGWINSZ:
		return tty ? forward_out(f, t, cmd, arg, sizeof(struct winsize)) : -ENOTTY;
	case TIOCSWINSZ:
		return tty ? forward_in(f, t, cmd, arg, sizeof(struct winsize)) : -ENOTTY;
	case FIONREAD:
		return forward_out(f, t, cmd, arg, sizeof(int));
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCSCTTY:
		/* The sandbox has no controlling terminal yet: Linux gives
		 * ENOTTY for a terminal that is not the caller's. */
		return -ENOTTY;
	default:
		if (tty) {
			char what[64];
			snprintf(what, sizeof(what), "ioctl %#x on a host terminal", cmd);
			syscall_report_unsupported(what);
		}
		return -ENOTTY;
	}
}

static int hostfd_fsync(struct file *f)
{
	return fsync(f->hostfd) < 0 ? -errno : 0;
}

static int hostfd_path(struct file *f, char *buf, size_t n)
{
	struct stat *st = &f->inode->st;
	int r;
	if (S_ISFIFO(st->st_mode))
		r = snprintf(buf, n, "pipe:[%lu]", (unsigned long)st->st_ino);
	else if (S_ISSOCK(st->st_mode))
		r = snprintf(buf, n, "socket:[%lu]", (unsigned long)st->st_ino);
	else if (S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143)
		r = snprintf(buf, n, "/dev/pts/%u", minor(st->st_rdev));
	else if (S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3)
		r = snprintf(buf, n, "/dev/null");
	else
		r = snprintf(buf, n, "host:[%lu]", (unsigned long)st->st_ino);
	return r < (int)n ? r : -ENAMETOOLONG;
}

static void hostfd_release(struct file *f)
{
	free(f->inode);
	f->inode = NULL;
}

static int hostfd_truncate(struct file *f, int64_t len)
{
	return ftruncate(f->hostfd, len) < 0 ? -errno : 0;
}

static const struct file_ops hostfd_ops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.stat = hostfd_stat,
	.poll = hostfd_poll,
	.host_fd = hostfd_host_fd,
	.fsync = hostfd_fsync,
	.path = hostfd_path,
	.release = hostfd_release,
};

static const struct file_ops hostfd_reg_ops = {
	.mmap_kind = MMAP_FILE,
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.stat = hostfd_stat,
	.fsync = hostfd_fsync,
	.truncate = hostfd_truncate,
	.path = hostfd_path,
	.release = hostfd_release,
};

struct file *hostfd_file_new(int hostfd, int *err)
{
	struct stat st;
	int fl = fcntl(hostfd, F_GETFL);
	if (fl < 0 || fstat(hostfd, &st) < 0) {
		*err = -errno;
		return NULL;
	}
	struct inode *ino = inode_new(NULL, NULL, &st);
	if (!ino) {
		*err = -ENOMEM;
		return NULL;
	}
	unsigned int mode = FMODE_STREAM;
	if ((fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == O_RDWR)
		mode |= FMODE_READ;
	if ((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR)
		mode |= FMODE_WRITE;
	bool reg = S_ISREG(st.st_mode);
	if (reg || S_ISBLK(st.st_mode))
		mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	/* The sandbox's view of O_NONBLOCK starts from the host's. */
	int flags = fl & (O_ACCMODE | O_APPEND | O_NONBLOCK | 0100000 /* kernel O_LARGEFILE */);
	struct file *f = file_alloc(reg ? &hostfd_reg_ops : &hostfd_ops, ino, flags, mode);
	if (!f) {
		free(ino);
		*err = -ENOMEM;
		return NULL;
	}
	f->hostfd = hostfd;
	return f;
}

int hostfd_reopen(struct file *src, struct file *f)
{
	if (src->ops != &hostfd_ops && src->ops != &hostfd_reg_ops)
		return -ENXIO;
	/* The new file may not do more than the descriptor the sandbox was
	 * given allows. */
	int fl = fcntl(src->hostfd, F_GETFL);
	if (fl < 0)
		return -errno;
	int acc = fl & O_ACCMODE;
	if (((f->mode & FMODE_READ) && acc == O_WRONLY) || ((f->mode & FMODE_WRITE) && acc == O_RDONLY))
		return -EACCES;
	struct inode *ino = inode_new(NULL, NULL, &src->inode->st);
	if (!ino)
		return -ENOMEM;
	int fd = fcntl(src->hostfd, F_DUPFD_CLOEXEC, 100);
	if (fd < 0) {
		int err = -errno;
		free(ino);
		return err;
	}
	f->inode = ino;  /* freed by hostfd_release, like hostfd_file_new's */
	f->ops = src->ops;
	f->hostfd = fd;
	f->mode = (f->mode & (FMODE_READ | FMODE_WRITE)) |
		  (src->mode & (FMODE_STREAM | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE));
	return 0;
}
