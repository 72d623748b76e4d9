/*
 * Anonymous files (DESIGN.md, 1): epoll, eventfd, timerfd and memfd. They
 * have no name in any mounted file system; /proc shows them as
 * "anon_inode:[eventfd]" and the like ("/memfd:NAME (deleted)" for memfds).
 * The syscalls that make and drive them are in syscalls/sys_anon.c.
 */
#ifndef MOAT_FS_ANON_ANON_H
#define MOAT_FS_ANON_ANON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct file;
struct file_ops;
struct task;

/* A new file on the one anonymous inode every such file shares (as Linux's
 * anon_inode_getfile): status flags and FMODE_* as given. */
struct file *anon_file_new(const struct file_ops *ops, int flags, unsigned int mode, void *priv);
/* The /proc/PID/fd link text of such a file, "anon_inode:[NAME]": its
 * length, or -ENAMETOOLONG when it does not fit in n bytes. */
int anon_path_name(char *buf, size_t n, const char *name);
/* lseek on these files does nothing and returns the position (Linux's
 * noop_llseek). */
int64_t anon_noop_llseek(struct file *f, int64_t off, int whence);

/* --- epoll (epoll.c) ---------------------------------------------------- */

/* struct epoll_event as the x86-64 ABI lays it out (packed, 12 bytes). */
struct kepoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

int epoll_new(struct file **out);
bool file_is_epoll(struct file *f);
/* epoll_ctl(2) after the descriptors are looked up: op on (fd, target)
 * in ep. ev is NULL for EPOLL_CTL_DEL. */
int epoll_ctl_file(struct file *ep, int op, int fd, struct file *target, const struct kepoll_event *ev);
/* Wait for at most max events into out until deadline (absolute
 * CLOCK_MONOTONIC ns; -1 forever, 0 no wait). The count, 0 on timeout or
 * -EINTR when a signal interrupts (epoll_wait never restarts). */
long epoll_wait_file(struct task *t, struct file *ep, struct kepoll_event *out, int max, int64_t deadline);

/* --- eventfd (eventfd.c) ------------------------------------------------ */

/* flags: EFD_SEMAPHORE | EFD_NONBLOCK (EFD_CLOEXEC is the caller's). */
int eventfd_new(unsigned int initval, int flags, struct file **out);

/* --- timerfd (timerfd.c) ------------------------------------------------ */

/* clock: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME or their _ALARM
 * forms (already checked); flags: TFD_NONBLOCK. */
int timerfd_new(clockid_t clock, int flags, struct file **out);
bool file_is_timerfd(struct file *f);
/* timerfd_settime(2)/timerfd_gettime(2) on a timerfd (values checked). */
void timerfd_set(struct file *f, int flags, const struct itimerspec *new_value, struct itimerspec *old);
void timerfd_get(struct file *f, struct itimerspec *cur);

/* --- pidfd (pidfd.c) ---------------------------------------------------- */

struct thread_group;
/* A pidfd for tg, or with thread for that thread only (PIDFD_THREAD);
 * flags: O_NONBLOCK. */
int pidfd_new(struct thread_group *tg, struct task *thread, int flags, struct file **out);
bool file_is_pidfd(struct file *f);
struct thread_group *pidfd_tg(struct file *f);
struct task *pidfd_thread(struct file *f);   /* NULL: the whole process */

/* --- memfd (memfd.c) ---------------------------------------------------- */

/* A new memfd named "memfd:" name (flags: MFD_ALLOW_SEALING; the caller
 * checked the rest and handles MFD_CLOEXEC). */
int memfd_new(struct task *t, const char *name, unsigned int flags, struct file **out);
/* fcntl(2) F_ADD_SEALS (arg: the seals) and F_GET_SEALS: the result, or
 * -EINVAL for a file that is not a memfd (as Linux's memfd_fcntl). */
long memfd_fcntl(struct file *f, int cmd, unsigned int arg);

#endif
