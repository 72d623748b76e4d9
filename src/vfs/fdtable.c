/*
 * FD tables: the application's descriptor numbers, each naming an open
 * file description plus its close-on-exec flag. Files are released outside
 * the table lock (releasing may close host descriptors or wake pipe peers).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/task.h"
#include "vfs/vfs.h"

int task_nofile_limit(struct task *t)
{
	if (!t || !t->tg)
		return 1024;
	rlim_t cur = t->tg->rlimits[RLIMIT_NOFILE].rlim_cur;
	if (cur > VFS_NR_OPEN)
		return VFS_NR_OPEN;
	return (int)cur;
}

struct fd_table *fdt_new(void)
{
	struct fd_table *fdt = calloc(1, sizeof(*fdt));
	if (!fdt)
		return NULL;
	pthread_mutex_init(&fdt->lock, NULL);
	atomic_init(&fdt->refs, 1);
	return fdt;
}

/* Make room for fd; caller holds the lock. */
static int fdt_reserve_locked(struct fd_table *fdt, int fd)
{
	if (fd < fdt->size)
		return 0;
	int n = fdt->size ? fdt->size : 64;
	while (n <= fd)
		n *= 2;
	struct fd_slot *s = realloc(fdt->slots, (size_t)n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + fdt->size, 0, (size_t)(n - fdt->size) * sizeof(*s));
	fdt->slots = s;
	fdt->size = n;
	return 0;
}

struct fd_table *fdt_fork(struct fd_table *old)
{
	struct fd_table *fdt = fdt_new();
	if (!fdt)
		return NULL;
	pthread_mutex_lock(&old->lock);
	if (old->size && fdt_reserve_locked(fdt, old->size - 1)) {
		pthread_mutex_unlock(&old->lock);
		fdt_put(fdt);
		return NULL;
	}
	for (int i = 0; i < old->size; i++) {
		fdt->slots[i] = old->slots[i];
		if (fdt->slots[i].file)
			file_get(fdt->slots[i].file);
	}
	fdt->next = old->next;
	pthread_mutex_unlock(&old->lock);
	return fdt;
}

void fdt_get(struct fd_table *fdt)
{
	atomic_fetch_add(&fdt->refs, 1);
}

void fdt_put(struct fd_table *fdt)
{
	if (!fdt || atomic_fetch_sub(&fdt->refs, 1) != 1)
		return;
	for (int i = 0; i < fdt->size; i++)
		if (fdt->slots[i].file) {
			vfs_reclock_release(fdt->slots[i].file, fdt);
			file_put(fdt->slots[i].file);
		}
	free(fdt->slots);
	pthread_mutex_destroy(&fdt->lock);
	free(fdt);
}

struct file *fdt_get_file(struct fd_table *fdt, int fd)
{
	struct file *f = NULL;
	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->size && (f = fdt->slots[fd].file))
		file_get(f);
	pthread_mutex_unlock(&fdt->lock);
	return f;
}

int fdt_alloc(struct fd_table *fdt, struct file *f, int minfd, bool cloexec, int limit)
{
	pthread_mutex_lock(&fdt->lock);
	int fd = minfd > fdt->next ? minfd : fdt->next;
	while (fd < fdt->size && fdt->slots[fd].file)
		fd++;
	if (fd >= limit) {
		pthread_mutex_unlock(&fdt->lock);
		return -EMFILE;
	}
	int err = fdt_reserve_locked(fdt, fd);
	if (err) {
		pthread_mutex_unlock(&fdt->lock);
		return err;
	}
	file_get(f);
	fdt->slots[fd].file = f;
	fdt->slots[fd].cloexec = cloexec;
	if (minfd <= fdt->next)
		fdt->next = fd + 1;
	pthread_mutex_unlock(&fdt->lock);
	return fd;
}

int fdt_install_at(struct fd_table *fdt, int fd, struct file *f, bool cloexec)
{
	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	int err = fdt_reserve_locked(fdt, fd);
	if (err) {
		pthread_mutex_unlock(&fdt->lock);
		return err;
	}
	struct file *old = fdt->slots[fd].file;
	file_get(f);
	fdt->slots[fd].file = f;
	fdt->slots[fd].cloexec = cloexec;
	pthread_mutex_unlock(&fdt->lock);
	if (old) {
		vfs_reclock_release(old, fdt);
		file_put(old);
	}
	return fd;
}

int fdt_close(struct fd_table *fdt, int fd)
{
	struct file *f = NULL;
	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->size && (f = fdt->slots[fd].file)) {
		fdt->slots[fd].file = NULL;
		fdt->slots[fd].cloexec = false;
		if (fd < fdt->next)
			fdt->next = fd;
	}
	pthread_mutex_unlock(&fdt->lock);
	if (!f)
		return -EBADF;
	/* POSIX: closing any descriptor of a file drops the process's
	 * record locks on it. */
	vfs_reclock_release(f, fdt);
	file_put(f);
	return 0;
}

/* Detach the files selected by pred from the table, then release them
 * outside the lock. */
static void fdt_close_matching(struct fd_table *fdt, unsigned int first, unsigned int last,
			       bool only_cloexec)
{
	for (;;) {
		struct file *batch[64];
		int n = 0;
		pthread_mutex_lock(&fdt->lock);
		unsigned int end = last < (unsigned int)fdt->size ? last : (unsigned int)fdt->size - 1;
		for (unsigned int fd = first; fdt->size && fd <= end && n < 64; fd++) {
			struct fd_slot *s = &fdt->slots[fd];
			if (!s->file || (only_cloexec && !s->cloexec))
				continue;
			batch[n++] = s->file;
			s->file = NULL;
			s->cloexec = false;
			if ((int)fd < fdt->next)
				fdt->next = (int)fd;
		}
		pthread_mutex_unlock(&fdt->lock);
		for (int i = 0; i < n; i++) {
			vfs_reclock_release(batch[i], fdt);
			file_put(batch[i]);
		}
		if (n < 64)
			return;
	}
}

void fdt_close_on_exec(struct fd_table *fdt)
{
	fdt_close_matching(fdt, 0, ~0u, true);
}

void fdt_close_range(struct fd_table *fdt, unsigned int first, unsigned int last, bool cloexec_only)
{
	if (!cloexec_only) {
		fdt_close_matching(fdt, first, last, false);
		return;
	}
	pthread_mutex_lock(&fdt->lock);
	for (unsigned int fd = first; fd <= last && fd < (unsigned int)fdt->size; fd++)
		if (fdt->slots[fd].file)
			fdt->slots[fd].cloexec = true;
	pthread_mutex_unlock(&fdt->lock);
}

int fdt_get_cloexec(struct fd_table *fdt, int fd)
{
	int r = -EBADF;
	if (fd < 0)
		return r;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->size && fdt->slots[fd].file)
		r = fdt->slots[fd].cloexec;
	pthread_mutex_unlock(&fdt->lock);
	return r;
}

int fdt_set_cloexec(struct fd_table *fdt, int fd, bool cloexec)
{
	int r = -EBADF;
	if (fd < 0)
		return r;
	pthread_mutex_lock(&fdt->lock);
	if (fd < fdt->size && fdt->slots[fd].file) {
		fdt->slots[fd].cloexec = cloexec;
		r = 0;
	}
	pthread_mutex_unlock(&fdt->lock);
	return r;
}

int fdt_import_host_fd(struct fd_table *fdt, int appfd, int hostfd)
{
	/* Keep the sentry's own descriptors 0-2 free of surprises: the copy
	 * goes high and is close-on-exec on the host side. */
	int fd = fcntl(hostfd, F_DUPFD_CLOEXEC, 100);
	if (fd < 0)
		return -errno;
	int err = 0;
	struct file *f = hostfd_file_new(fd, &err);
	if (!f) {
		close(fd);
		return err;
	}
	int r = fdt_install_at(fdt, appfd, f, false);
	file_put(f);
	return r < 0 ? r : 0;
}
