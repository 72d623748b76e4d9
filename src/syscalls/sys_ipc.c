/*
 * System V IPC system calls (svipc(7)): msgget/msgsnd/msgrcv/msgctl,
 * semget/semop/semtimedop/semctl, shmget/shmat/shmdt/shmctl, in the
 * caller's IPC namespace (kernel/ipc.c holds the tables and the shared
 * rules). Errors and their order follow Linux's ipc/msg.c, sem.c, shm.c.
 *
 * Left out: the /proc/sys/kernel limits are Linux's defaults and cannot be
 * changed; the old (non-IPC_64) structure layouts of other architectures;
 * SHM_HUGETLB (ENOMEM, reported, as with no huge pages reserved); threads
 * made without CLONE_SYSVSEM still share their process's SEM_UNDO list.
 * Process IDs recorded (sempid, msg_lspid, shm_cpid...) are root-namespace
 * thread group IDs.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>

#include "kernel/ipc.h"
#include "mm/mm.h"
#include "syscalls/syscalls.h"

int ipc_sem_try(struct sem_array *sma, struct sem_waiter *w);
struct sem_undo *ipc_sem_undo_for(struct sem_array *sma, struct task *t);

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif

/* The kernel's x86-64 IPC_64 structures, as the syscalls copy them. */
struct k_ipc_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
};

struct k_msqid_ds {
	struct k_ipc_perm perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t unused4, unused5;
};

struct k_semid_ds {
	struct k_ipc_perm perm;
	int64_t otime;
	uint64_t unused1;
	int64_t ctime;
	uint64_t unused2;
	uint64_t nsems;
	uint64_t unused3, unused4;
};

struct k_shmid_ds {
	struct k_ipc_perm perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch;
	uint64_t unused4, unused5;
};

struct k_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

struct k_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct k_shminfo {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

struct k_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

_Static_assert(sizeof(struct k_ipc_perm) == 48, "ipc64_perm");
_Static_assert(sizeof(struct k_msqid_ds) == 120, "msqid64_ds");
_Static_assert(sizeof(struct k_semid_ds) == 104, "semid64_ds");
_Static_assert(sizeof(struct k_shmid_ds) == 112, "shmid64_ds");

static int caller_pid(struct task *t) { return tg_vpid(t, t->tg); }

static void perm_to_user(const struct ipc_obj *o, struct k_ipc_perm *p)
{
	memset(p, 0, sizeof *p);
	p->key = o->key;
	p->uid = o->uid;
	p->gid = o->gid;
	p->cuid = o->cuid;
	p->cgid = o->cgid;
	p->mode = o->mode;
	p->seq = (uint16_t)((unsigned)o->id >> IPC_SEQ_SHIFT);
}

/* Linux's ipc_update_perm (IPC_SET): owner and the rwx bits; an invalid
 * (-1) user or group is EINVAL. */
static int perm_from_user(struct ipc_obj *o, const struct k_ipc_perm *p)
{
	if (p->uid == (uint32_t)-1 || p->gid == (uint32_t)-1)
		return -EINVAL;
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~0777u) | (p->mode & 0777u);
	return 0;
}

static struct ipc_ns *ns_of(struct task *t) { return t->ipc; }

/*
 * Linux's ipcget: IPC_PRIVATE always makes a new object; otherwise the key
 * is looked up: missing -> ENOENT without IPC_CREAT; present -> EEXIST with
 * IPC_CREAT|IPC_EXCL, then the kind's own check (more_checks), then the
 * permissions of the mode bits asked for (EACCES). Called with ipc_lock.
 */
static long ipcget_existing(struct task *t, struct ipc_obj *o, int flg,
			    int (*more_checks)(struct ipc_obj *o, uint64_t arg), uint64_t arg)
{
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (more_checks) {
		int err = more_checks(o, arg);
		if (err)
			return err;
	}
	if (!ipc_perm_ok(&t->creds, o, flg))
		return -EACCES;
	return o->id;
}

/* ================= message queues ================= */

static long msg_newque(struct task *t, struct ipc_ns *ns, int32_t key, int flg)
{
	struct msg_queue *q = calloc(1, sizeof *q);
	if (!q)
		return -ENOMEM;
	q->qbytes = MSGMNB;
	q->ctime = time(NULL);
	q->tail = &q->head;
	waitq_init(&q->wq);
	int id = ipc_add(ns, IPC_KIND_MSG, &q->perm, key, flg, &t->creds);
	if (id < 0)
		free(q);
	return id;
}

SYSCALL_DEFINE(msgget)
{
	int32_t key = (int32_t)a[0];
	int flg = (int)a[1];
	struct ipc_ns *ns = ns_of(t);
	if (!ns)
		return -ENOSYS;
	long r;
	pthread_mutex_lock(&ipc_lock);
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : ipc_find_key(ns, IPC_KIND_MSG, key);
	if (o)
		r = ipcget_existing(t, o, flg, NULL, 0);
	else if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
		r = -ENOENT;
	else
		r = msg_newque(t, ns, key, flg);
	pthread_mutex_unlock(&ipc_lock);
	return r;
}

/* Sleep on q's wait queue for events; ipc_lock is dropped meanwhile. The
 * caller holds a reference on q. Returns task_block's result. */
static int msg_wait(struct task *t, struct msg_queue *q, uint32_t events)
{
	struct waiter w = { 0 };
	waitq_add(&q->wq, &w, t, events);
	pthread_mutex_unlock(&ipc_lock);
	int r = task_block(t, NULL);
	waitq_remove(&q->wq, &w);
	pthread_mutex_lock(&ipc_lock);
	return r;
}

static bool msg_fits(const struct msg_queue *q, uint64_t size)
{
	return q->cbytes + size <= q->qbytes && q->qnum + 1 <= q->qbytes;
}

static struct msg_queue *msg_lookup(struct task *t, int id)
{
	return (struct msg_queue *)ipc_find_id(ns_of(t), IPC_KIND_MSG, id);
}

/* msgsnd(2): the type is read first (EFAULT), then the text; a full queue
 * blocks unless IPC_NOWAIT (EAGAIN); removal while waiting is EIDRM, a
 * signal ERESTARTNOHAND (never restarted across a handler). */
SYSCALL_DEFINE(msgsnd)
{
	int id = (int)a[0];
	uint64_t msgp = a[1];
	uint64_t size = a[2];
	int flg = (int)a[3];
	if (!ns_of(t))
		return -ENOSYS;
	if (size > MSGMAX || (int64_t)size < 0 || id < 0)
		return -EINVAL;
	long type;
	if (task_copy_in(t, &type, msgp, sizeof type))
		return -EFAULT;
	if (type < 1)
		return -EINVAL;
	struct msg_msg *m = malloc(sizeof *m + size);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->type = type;
	m->size = size;
	if (size && task_copy_in(t, m->text, msgp + sizeof(long), size)) {
		free(m);
		return -EFAULT;
	}

	long err;
	pthread_mutex_lock(&ipc_lock);
	struct msg_queue *q = msg_lookup(t, id);
	if (!q) {
		pthread_mutex_unlock(&ipc_lock);
		free(m);
		return -EINVAL;
	}
	q->perm.refs++;
	for (;;) {
		if (q->perm.deleted) {
			err = -EIDRM;
			break;
		}
		if (!ipc_perm_ok(&t->creds, &q->perm, S_IWUGO)) {
			err = -EACCES;
			break;
		}
		if (msg_fits(q, size)) {
			*q->tail = m;
			q->tail = &m->next;
			m = NULL;
			q->qnum++;
			q->cbytes += size;
			q->lspid = caller_pid(t);
			q->stime = time(NULL);
			waitq_notify(&q->wq, MSGQ_EV_MESSAGE);
			err = 0;
			break;
		}
		if (flg & IPC_NOWAIT) {
			err = -EAGAIN;
			break;
		}
		int r = msg_wait(t, q, MSGQ_EV_SPACE);
		if (q->perm.deleted) {
			err = -EIDRM;
			break;
		}
		if (r == -EINTR) {
			err = -ERESTARTNOHAND;
			break;
		}
	}
	ipc_obj_put(&q->perm);
	pthread_mutex_unlock(&ipc_lock);
	free(m);
	return err;
}

enum msg_search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* Linux's convert_mode: what msgtyp (and the flags) select. */
static enum msg_search msg_search_mode(long *type, int flg)
{
	if (flg & MSG_COPY)
		return SEARCH_NUMBER;
	if (*type == 0)
		return SEARCH_ANY;
	if (*type < 0) {
		*type = *type == LONG_MIN ? LONG_MAX : -*type;
		return SEARCH_LESSEQUAL;
	}
	return (flg & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

/* The message to receive, with the link that points at it in *prevp:
 * the first matching one; for LESSEQUAL the first of the lowest type. */
static struct msg_msg *msg_find(struct msg_queue *q, long type, enum msg_search mode,
				struct msg_msg ***prevp)
{
	struct msg_msg *found = NULL;
	long count = 0;
	for (struct msg_msg **pp = &q->head; *pp; pp = &(*pp)->next) {
		struct msg_msg *m = *pp;
		bool match = false;
		switch (mode) {
		case SEARCH_ANY:
			match = true;
			break;
		case SEARCH_EQUAL:
			match = m->type == type;
			break;
		case SEARCH_NOTEQUAL:
			match = m->type != type;
			break;
		case SEARCH_LESSEQUAL:
			if (m->type <= type && (!found || m->type < found->type)) {
				found = m;
				*prevp = pp;
			}
			continue;
		case SEARCH_NUMBER:
			match = count++ == type;
			break;
		}
		if (match) {
			*prevp = pp;
			return m;
		}
	}
	return found;
}

/* msgrcv(2): returns the number of text bytes copied. A matching message
 * longer than the buffer is E2BIG (and stays) unless MSG_NOERROR
 * truncates it; no match is ENOMSG with IPC_NOWAIT, else the caller
 * sleeps. MSG_COPY (needs IPC_NOWAIT, not MSG_EXCEPT) copies the message at
 * index msgtyp without removing it. */
SYSCALL_DEFINE(msgrcv)
{
	int id = (int)a[0];
	uint64_t msgp = a[1];
	uint64_t bufsz = a[2];
	long type = (long)a[3];
	int flg = (int)a[4];
	if (!ns_of(t))
		return -ENOSYS;
	if (id < 0 || (int64_t)bufsz < 0)
		return -EINVAL;
	if ((flg & MSG_COPY) && ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT)))
		return -EINVAL;
	enum msg_search mode = msg_search_mode(&type, flg);

	struct msg_msg *got = NULL;
	long err = 0;
	pthread_mutex_lock(&ipc_lock);
	struct msg_queue *q = msg_lookup(t, id);
	if (!q) {
		pthread_mutex_unlock(&ipc_lock);
		return -EINVAL;
	}
	q->perm.refs++;
	for (;;) {
		if (q->perm.deleted) {
			err = -EIDRM;
			break;
		}
		if (!ipc_perm_ok(&t->creds, &q->perm, S_IRUGO)) {
			err = -EACCES;
			break;
		}
		struct msg_msg **pp = NULL;
		struct msg_msg *m = msg_find(q, type, mode, &pp);
		if (m) {
			if (bufsz < m->size && !(flg & MSG_NOERROR)) {
				err = -E2BIG;
				break;
			}
			if (flg & MSG_COPY) {
				uint64_t room = bufsz < MSGMAX ? bufsz : MSGMAX;
				if (m->size > room) {
					err = -EINVAL;  /* copy_msg: the copy must hold it all */
					break;
				}
				got = malloc(sizeof *got + m->size);
				if (!got) {
					err = -ENOMEM;
					break;
				}
				memcpy(got, m, sizeof *got + m->size);
				break;
			}
			*pp = m->next;
			if (q->tail == &m->next)
				q->tail = pp;
			q->qnum--;
			q->cbytes -= m->size;
			q->lrpid = caller_pid(t);
			q->rtime = time(NULL);
			waitq_notify(&q->wq, MSGQ_EV_SPACE);
			got = m;
			break;
		}
		if (flg & IPC_NOWAIT) {
			err = -ENOMSG;
			break;
		}
		int r = msg_wait(t, q, MSGQ_EV_MESSAGE);
		if (q->perm.deleted) {
			err = -EIDRM;
			break;
		}
		if (r == -EINTR) {
			err = -ERESTARTNOHAND;
			break;
		}
	}
	ipc_obj_put(&q->perm);
	pthread_mutex_unlock(&ipc_lock);
	if (!got)
		return err;

	/* Linux copies after taking the message off the queue: a bad buffer
	 * loses it (EFAULT). */
	uint64_t n = got->size < bufsz ? got->size : bufsz;
	long ret = (long)n;
	if (task_copy_out(t, msgp, &got->type, sizeof(long)) ||
	    (n && task_copy_out(t, msgp + sizeof(long), got->text, n)))
		ret = -EFAULT;
	free(got);
	return ret;
}

static void msg_stat_fill(const struct msg_queue *q, struct k_msqid_ds *d)
{
	memset(d, 0, sizeof *d);
	perm_to_user(&q->perm, &d->perm);
	d->stime = q->stime;
	d->rtime = q->rtime;
	d->ctime = q->ctime;
	d->cbytes = q->cbytes;
	d->qnum = q->qnum;
	d->qbytes = q->qbytes;
	d->lspid = q->lspid;
	d->lrpid = q->lrpid;
}

static long msgctl_info(struct task *t, int cmd, uint64_t buf)
{
	struct ipc_ns *ns = ns_of(t);
	struct k_msginfo mi = {
		.msgmni = MSGMNI, .msgmax = MSGMAX, .msgmnb = MSGMNB,
		.msgssz = MSGSSZ, .msgseg = MSGSEG,
	};
	pthread_mutex_lock(&ipc_lock);
	if (cmd == MSG_INFO) {
		/* In use: queues, messages, bytes. */
		struct ipc_ids *ids = &ns->ids[IPC_KIND_MSG];
		uint64_t msgs = 0, bytes = 0;
		for (int i = 0; i < ids->nslots; i++) {
			struct msg_queue *q = (struct msg_queue *)ids->slot[i];
			if (q) {
				msgs += q->qnum;
				bytes += q->cbytes;
			}
		}
		mi.msgpool = ids->in_use;
		mi.msgmap = (int32_t)msgs;
		mi.msgtql = (int32_t)bytes;
	} else {
		mi.msgpool = MSGPOOL;
		mi.msgmap = MSGMAP;
		mi.msgtql = MSGTQL;
	}
	int max = ipc_max_index(ns, IPC_KIND_MSG);
	pthread_mutex_unlock(&ipc_lock);
	if (task_copy_out(t, buf, &mi, sizeof mi))
		return -EFAULT;
	return max < 0 ? 0 : max;
}

/* IPC_STAT by identifier; MSG_STAT and MSG_STAT_ANY by index, returning
 * the identifier (MSG_STAT_ANY skips the read permission). */
static long msgctl_stat(struct task *t, int id, int cmd, uint64_t buf)
{
	struct k_msqid_ds d;
	long ret;
	pthread_mutex_lock(&ipc_lock);
	struct msg_queue *q = cmd == IPC_STAT
		? msg_lookup(t, id)
		: (struct msg_queue *)ipc_find_index(ns_of(t), IPC_KIND_MSG, id);
	if (!q) {
		ret = -EINVAL;
	} else if (cmd != MSG_STAT_ANY && !ipc_perm_ok(&t->creds, &q->perm, S_IRUGO)) {
		ret = -EACCES;
	} else {
		msg_stat_fill(q, &d);
		ret = cmd == IPC_STAT ? 0 : q->perm.id;
	}
	pthread_mutex_unlock(&ipc_lock);
	if (ret >= 0 && task_copy_out(t, buf, &d, sizeof d))
		return -EFAULT;
	return ret;
}

static long msgctl_down(struct task *t, int id, int cmd, const struct k_msqid_ds *in)
{
	long ret = 0;
	pthread_mutex_lock(&ipc_lock);
	struct msg_queue *q = msg_lookup(t, id);
	if (!q) {
		ret = -EINVAL;
	} else if (!ipc_may_control(&t->creds, &q->perm)) {
		ret = -EPERM;
	} else if (cmd == IPC_RMID) {
		ipc_rmid(ns_of(t), &q->perm);
	} else if (in->qbytes > MSGMNB && !creds_has_cap(&t->creds, CAP_SYS_RESOURCE_BIT)) {
		ret = -EPERM;
	} else {
		ret = perm_from_user(&q->perm, &in->perm);
		if (!ret) {
			q->qbytes = in->qbytes;
			q->ctime = time(NULL);
			/* Senders may fit now; receivers re-check permissions. */
			waitq_notify(&q->wq, MSGQ_EV_SPACE | MSGQ_EV_MESSAGE);
		}
	}
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

SYSCALL_DEFINE(msgctl)
{
	int id = (int)a[0];
	int cmd = (int)a[1];
	uint64_t buf = a[2];
	if (!ns_of(t))
		return -ENOSYS;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msgctl_info(t, cmd, buf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msgctl_stat(t, id, cmd, buf);
	case IPC_SET: {
		struct k_msqid_ds in;
		if (task_copy_in(t, &in, buf, sizeof in))
			return -EFAULT;
		return msgctl_down(t, id, cmd, &in);
	}
	case IPC_RMID:
		return msgctl_down(t, id, cmd, NULL);
	default:
		return -EINVAL;
	}
}

/* ================= semaphores ================= */

static struct sem_array *sem_lookup(struct task *t, int id)
{
	return (struct sem_array *)ipc_find_id(ns_of(t), IPC_KIND_SEM, id);
}

static int sem_more_checks(struct ipc_obj *o, uint64_t nsems)
{
	return (int)nsems > ((struct sem_array *)o)->nsems ? -EINVAL : 0;
}

static long sem_newary(struct task *t, struct ipc_ns *ns, int32_t key, int nsems, int flg)
{
	if (!nsems)
		return -EINVAL;
	if (ns->used_sems + nsems > (uint64_t)SEMMNS)
		return -ENOSPC;
	struct sem_array *sma = calloc(1, sizeof *sma);
	if (!sma)
		return -ENOMEM;
	sma->sems = calloc(nsems, sizeof *sma->sems);
	if (!sma->sems) {
		free(sma);
		return -ENOMEM;
	}
	sma->nsems = nsems;
	sma->ctime = time(NULL);
	sma->pending_tail = &sma->pending;
	int id = ipc_add(ns, IPC_KIND_SEM, &sma->perm, key, flg, &t->creds);
	if (id < 0) {
		free(sma->sems);
		free(sma);
		return id;
	}
	ns->used_sems += nsems;
	return id;
}

SYSCALL_DEFINE(semget)
{
	int32_t key = (int32_t)a[0];
	int nsems = (int)a[1];
	int flg = (int)a[2];
	struct ipc_ns *ns = ns_of(t);
	if (!ns)
		return -ENOSYS;
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	long r;
	pthread_mutex_lock(&ipc_lock);
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : ipc_find_key(ns, IPC_KIND_SEM, key);
	if (o)
		r = ipcget_existing(t, o, flg, sem_more_checks, (uint64_t)nsems);
	else if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
		r = -ENOENT;
	else
		r = sem_newary(t, ns, key, nsems, flg);
	pthread_mutex_unlock(&ipc_lock);
	return r;
}

static bool timespec_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* now (CLOCK_MONOTONIC) + rel, saturating. */
static struct timespec deadline_after(const struct timespec *rel)
{
	struct timespec d;
	clock_gettime(CLOCK_MONOTONIC, &d);
	if (rel->tv_sec > INT64_MAX / 2 - d.tv_sec) {
		d.tv_sec = INT64_MAX / 2;
		return d;
	}
	d.tv_sec += rel->tv_sec;
	d.tv_nsec += rel->tv_nsec;
	if (d.tv_nsec >= 1000000000L) {
		d.tv_sec++;
		d.tv_nsec -= 1000000000L;
	}
	return d;
}

/* Take w out of sma's pending list (it gave up: signal or timeout). */
static void sem_unqueue(struct sem_array *sma, struct sem_waiter *w)
{
	for (struct sem_waiter **pp = &sma->pending; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			if (!*pp)
				sma->pending_tail = pp;
			return;
		}
	}
}

/*
 * semtimedop(2), Linux's do_semtimedop: EINVAL (nsops < 1, bad id), E2BIG
 * (nsops > SEMOPM), EFAULT, EINVAL (timeout), EFBIG (sem_num beyond the
 * set), EACCES; then all operations succeed together or the caller sleeps
 * (EAGAIN with IPC_NOWAIT or at the timeout, EIDRM when removed, EINTR on a
 * signal: semop is never restarted). ERANGE past SEMVMX or the undo range.
 */
static long do_semtimedop(struct task *t, int id, uint64_t usops, uint64_t nsops_arg,
			  uint64_t utimeout)
{
	if (!ns_of(t))
		return -ENOSYS;
	unsigned nsops = (unsigned)nsops_arg;
	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	struct sembuf *sops = malloc(nsops * sizeof *sops);
	if (!sops)
		return -ENOMEM;
	long err = 0;
	if (task_copy_in(t, sops, usops, nsops * sizeof *sops)) {
		free(sops);
		return -EFAULT;
	}
	struct timespec deadline, *dl = NULL;
	if (utimeout) {
		struct timespec ts;
		if (task_copy_in(t, &ts, utimeout, sizeof ts)) {
			free(sops);
			return -EFAULT;
		}
		if (!timespec_ok(&ts)) {
			free(sops);
			return -EINVAL;
		}
		deadline = deadline_after(&ts);
		dl = &deadline;
	}
	unsigned max = 0;
	bool undos = false, alter = false;
	for (unsigned i = 0; i < nsops; i++) {
		if (sops[i].sem_num > max)
			max = sops[i].sem_num;
		if (sops[i].sem_flg & SEM_UNDO)
			undos = true;
		if (sops[i].sem_op != 0)
			alter = true;
	}

	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = sem_lookup(t, id);
	struct sem_waiter w = {
		.task = t, .sops = sops, .nsops = nsops, .pid = caller_pid(t), .status = 1,
	};
	if (!sma) {
		err = -EINVAL;
		goto out;
	}
	if ((int)max >= sma->nsems) {
		err = -EFBIG;
		goto out;
	}
	if (!ipc_perm_ok(&t->creds, &sma->perm, alter ? S_IWUGO : S_IRUGO)) {
		err = -EACCES;
		goto out;
	}
	if (undos && !(w.undo = ipc_sem_undo_for(sma, t))) {
		err = -ENOMEM;
		goto out;
	}
	err = ipc_sem_try(sma, &w);
	if (err == 0) {
		if (alter)
			ipc_sem_update_queue(sma);
		goto out;
	}
	if (err < 0)
		goto out;

	/* Sleep until someone completes our operations (status), the set
	 * goes, a signal or the timeout. */
	w.next = NULL;
	*sma->pending_tail = &w;
	sma->pending_tail = &w.next;
	sma->perm.refs++;
	for (;;) {
		pthread_mutex_unlock(&ipc_lock);
		int r = task_block(t, dl);
		pthread_mutex_lock(&ipc_lock);
		if (w.status != 1) {
			err = w.status;
			break;
		}
		if (r == -ETIMEDOUT || r == -EINTR) {
			sem_unqueue(sma, &w);
			err = r == -EINTR ? -EINTR : -EAGAIN;
			break;
		}
	}
	ipc_obj_put(&sma->perm);
out:
	pthread_mutex_unlock(&ipc_lock);
	free(sops);
	return err;
}

SYSCALL_DEFINE(semop)
{
	return do_semtimedop(t, (int)a[0], a[1], a[2], 0);
}

SYSCALL_DEFINE(semtimedop)
{
	return do_semtimedop(t, (int)a[0], a[1], a[2], a[3]);
}

/* Sleeping operations blocked on semaphore semnum: waiting for it to grow
 * (GETNCNT) or to reach zero (GETZCNT); only the operation that blocks
 * counts, as in Linux's count_semcnt. */
static int sem_count_waiters(struct sem_array *sma, int semnum, bool zero)
{
	int n = 0;
	for (struct sem_waiter *w = sma->pending; w; w = w->next) {
		const struct sembuf *op = &w->sops[w->blocking];
		if (op->sem_num != semnum)
			continue;
		if (zero ? op->sem_op == 0 : op->sem_op < 0)
			n++;
	}
	return n;
}

static long semctl_info(struct task *t, int cmd, uint64_t buf)
{
	struct ipc_ns *ns = ns_of(t);
	struct k_seminfo si = {
		.semmni = SEMMNI, .semmns = SEMMNS, .semmsl = SEMMSL, .semopm = SEMOPM,
		.semvmx = SEMVMX, .semmnu = SEMMNU, .semmap = SEMMAP, .semume = SEMUME,
	};
	pthread_mutex_lock(&ipc_lock);
	if (cmd == SEM_INFO) {
		si.semusz = ns->ids[IPC_KIND_SEM].in_use;
		si.semaem = (int32_t)ns->used_sems;
	} else {
		si.semusz = SEMUSZ;
		si.semaem = SEMAEM;
	}
	int max = ipc_max_index(ns, IPC_KIND_SEM);
	pthread_mutex_unlock(&ipc_lock);
	if (task_copy_out(t, buf, &si, sizeof si))
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long semctl_stat(struct task *t, int id, int cmd, uint64_t buf)
{
	struct k_semid_ds d;
	long ret;
	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = cmd == IPC_STAT
		? sem_lookup(t, id)
		: (struct sem_array *)ipc_find_index(ns_of(t), IPC_KIND_SEM, id);
	if (!sma) {
		ret = -EINVAL;
	} else if (cmd != SEM_STAT_ANY && !ipc_perm_ok(&t->creds, &sma->perm, S_IRUGO)) {
		ret = -EACCES;
	} else {
		memset(&d, 0, sizeof d);
		perm_to_user(&sma->perm, &d.perm);
		for (int i = 0; i < sma->nsems; i++)
			if (sma->sems[i].otime > d.otime)
				d.otime = sma->sems[i].otime;
		d.ctime = sma->ctime;
		d.nsems = sma->nsems;
		ret = cmd == IPC_STAT ? 0 : sma->perm.id;
	}
	pthread_mutex_unlock(&ipc_lock);
	if (ret >= 0 && task_copy_out(t, buf, &d, sizeof d))
		return -EFAULT;
	return ret;
}

/* SETVAL: ERANGE first, then the set, the index, write permission; the
 * semaphore's undo adjustments are cleared in every process. */
static long semctl_setval(struct task *t, int id, int semnum, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	long ret = 0;
	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = sem_lookup(t, id);
	if (!sma) {
		ret = -EINVAL;
	} else if (semnum < 0 || semnum >= sma->nsems) {
		ret = -EINVAL;
	} else if (!ipc_perm_ok(&t->creds, &sma->perm, S_IWUGO)) {
		ret = -EACCES;
	} else {
		ipc_sem_clear_undo(sma, semnum);
		sma->sems[semnum].val = val;
		sma->sems[semnum].pid = caller_pid(t);
		sma->ctime = time(NULL);
		ipc_sem_update_queue(sma);
	}
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

/* GETALL/SETALL move nsems unsigned shorts; the values are copied in
 * before the lock is taken again, as Linux does. */
static long semctl_all(struct task *t, int id, int cmd, uint64_t buf)
{
	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = sem_lookup(t, id);
	if (!sma) {
		pthread_mutex_unlock(&ipc_lock);
		return -EINVAL;
	}
	if (!ipc_perm_ok(&t->creds, &sma->perm, cmd == SETALL ? S_IWUGO : S_IRUGO)) {
		pthread_mutex_unlock(&ipc_lock);
		return -EACCES;
	}
	int nsems = sma->nsems;
	unsigned short *vals = calloc(nsems, sizeof *vals);
	if (!vals) {
		pthread_mutex_unlock(&ipc_lock);
		return -ENOMEM;
	}
	long ret = 0;
	if (cmd == GETALL) {
		for (int i = 0; i < nsems; i++)
			vals[i] = (unsigned short)sma->sems[i].val;
		pthread_mutex_unlock(&ipc_lock);
		if (task_copy_out(t, buf, vals, nsems * sizeof *vals))
			ret = -EFAULT;
		free(vals);
		return ret;
	}
	sma->perm.refs++;
	pthread_mutex_unlock(&ipc_lock);
	if (task_copy_in(t, vals, buf, nsems * sizeof *vals))
		ret = -EFAULT;
	for (int i = 0; !ret && i < nsems; i++)
		if (vals[i] > SEMVMX)
			ret = -ERANGE;
	pthread_mutex_lock(&ipc_lock);
	if (!ret && sma->perm.deleted)
		ret = -EIDRM;
	if (!ret) {
		ipc_sem_clear_undo(sma, -1);
		for (int i = 0; i < nsems; i++) {
			sma->sems[i].val = vals[i];
			sma->sems[i].pid = caller_pid(t);
		}
		sma->ctime = time(NULL);
		ipc_sem_update_queue(sma);
	}
	ipc_obj_put(&sma->perm);
	pthread_mutex_unlock(&ipc_lock);
	free(vals);
	return ret;
}

static long semctl_get(struct task *t, int id, int semnum, int cmd)
{
	long ret;
	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = sem_lookup(t, id);
	if (!sma)
		ret = -EINVAL;
	else if (!ipc_perm_ok(&t->creds, &sma->perm, S_IRUGO))
		ret = -EACCES;
	else if (semnum < 0 || semnum >= sma->nsems)
		ret = -EINVAL;
	else if (cmd == GETVAL)
		ret = sma->sems[semnum].val;
	else if (cmd == GETPID)
		ret = sma->sems[semnum].pid;
	else
		ret = sem_count_waiters(sma, semnum, cmd == GETZCNT);
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

static long semctl_down(struct task *t, int id, int cmd, const struct k_semid_ds *in)
{
	long ret = 0;
	pthread_mutex_lock(&ipc_lock);
	struct sem_array *sma = sem_lookup(t, id);
	if (!sma) {
		ret = -EINVAL;
	} else if (!ipc_may_control(&t->creds, &sma->perm)) {
		ret = -EPERM;
	} else if (cmd == IPC_RMID) {
		ipc_rmid(ns_of(t), &sma->perm);
	} else {
		ret = perm_from_user(&sma->perm, &in->perm);
		if (!ret)
			sma->ctime = time(NULL);
	}
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

SYSCALL_DEFINE(semctl)
{
	int id = (int)a[0];
	int semnum = (int)a[1];
	int cmd = (int)a[2];
	uint64_t arg = a[3];
	if (!ns_of(t))
		return -ENOSYS;
	if (id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return semctl_info(t, cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return semctl_stat(t, id, cmd, arg);
	case GETALL:
	case SETALL:
		return semctl_all(t, id, cmd, arg);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		return semctl_get(t, id, semnum, cmd);
	case SETVAL:
		return semctl_setval(t, id, semnum, (int)arg);
	case IPC_SET: {
		struct k_semid_ds in;
		if (task_copy_in(t, &in, arg, sizeof in))
			return -EFAULT;
		return semctl_down(t, id, cmd, &in);
	}
	case IPC_RMID:
		return semctl_down(t, id, cmd, NULL);
	default:
		return -EINVAL;
	}
}

/* ================= shared memory ================= */

static struct shm_seg *shm_lookup(struct task *t, int id)
{
	return (struct shm_seg *)ipc_find_id(ns_of(t), IPC_KIND_SHM, id);
}

static int shm_more_checks(struct ipc_obj *o, uint64_t size)
{
	return ((struct shm_seg *)o)->segsz < size ? -EINVAL : 0;
}

/* Linux's newseg: EINVAL outside SHMMIN..SHMMAX, ENOSPC past SHMALL. */
static long shm_newseg(struct task *t, struct ipc_ns *ns, int32_t key, uint64_t size, int flg)
{
	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	uint64_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (npages * PAGE_SIZE < size)
		return -ENOSPC;
	if (ns->shm_tot + npages < ns->shm_tot || ns->shm_tot + npages > SHMALL)
		return -ENOSPC;
	if (flg & SHM_HUGETLB) {
		syscall_report_unsupported("shmget SHM_HUGETLB");
		return -ENOMEM;
	}
	struct shm_seg *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->obj = memobj_new(npages);
	if (!s->obj) {
		free(s);
		return -ENOMEM;
	}
	s->segsz = size;
	s->npages = npages;
	s->ctime = time(NULL);
	s->cpid = caller_pid(t);
	s->ns = ns;
	int id = ipc_add(ns, IPC_KIND_SHM, &s->perm, key, flg, &t->creds);
	if (id < 0) {
		memobj_put(s->obj);
		free(s);
		return id;
	}
	ns->shm_tot += npages;
	s->all_next = ipc_all_shm;
	ipc_all_shm = s;
	return id;
}

SYSCALL_DEFINE(shmget)
{
	int32_t key = (int32_t)a[0];
	uint64_t size = a[1];
	int flg = (int)a[2];
	struct ipc_ns *ns = ns_of(t);
	if (!ns)
		return -ENOSYS;
	long r;
	pthread_mutex_lock(&ipc_lock);
	ipc_shm_reap();
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : ipc_find_key(ns, IPC_KIND_SHM, key);
	if (o)
		r = ipcget_existing(t, o, flg, shm_more_checks, size);
	else if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
		r = -ENOENT;
	else
		r = shm_newseg(t, ns, key, size, flg);
	pthread_mutex_unlock(&ipc_lock);
	return r;
}

static bool range_is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&mm->lock);
	bool free_ = vma_range_free(&mm->vmas, start, end);
	pthread_mutex_unlock(&mm->lock);
	return free_;
}

/*
 * shmat(2), Linux's do_shmat: the address must be SHMLBA (page) aligned
 * unless SHM_RND rounds it down; SHM_REMAP needs an address; EINVAL for a
 * bad identifier, EACCES without read (and write unless SHM_RDONLY, exec
 * with SHM_EXEC) permission; a given range must be free unless SHM_REMAP
 * (EINVAL). Returns the attach address.
 */
SYSCALL_DEFINE(shmat)
{
	int id = (int)a[0];
	uint64_t addr = a[1];
	int flg = (int)a[2];
	if (!ns_of(t))
		return -ENOSYS;
	if (id < 0)
		return -EINVAL;
	int flags = MAP_SHARED;
	if (addr) {
		if (addr & (PAGE_SIZE - 1)) {
			if (!(flg & SHM_RND))
				return -EINVAL;
			addr &= ~(uint64_t)(PAGE_SIZE - 1);
			if (!addr && (flg & SHM_REMAP))
				return -EINVAL;
		}
		flags |= MAP_FIXED;
	} else if (flg & SHM_REMAP) {
		return -EINVAL;
	}
	int prot = PROT_READ, acc = S_IRUGO;
	if (!(flg & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= S_IWUGO;
	}
	if (flg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= S_IXUGO;
	}

	long ret;
	pthread_mutex_lock(&ipc_lock);
	ipc_shm_reap();
	struct shm_seg *s = shm_lookup(t, id);
	if (!s) {
		ret = -EINVAL;
		goto out;
	}
	if (!ipc_perm_ok(&t->creds, &s->perm, acc)) {
		ret = -EACCES;
		goto out;
	}
	uint64_t size = s->npages * PAGE_SIZE;
	if (addr && !(flg & SHM_REMAP)) {
		if (addr + size < addr || !range_is_free(t->mm, addr, addr + size)) {
			ret = -EINVAL;
			goto out;
		}
	}
	ret = mm_map_memobj(t->mm, addr, size, prot, flags, s->obj);
	if (ret >= 0 || ret < -4095) {	/* an address, not an errno */
		s->atime = time(NULL);
		s->lpid = caller_pid(t);
	}
out:
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

static struct shm_seg *shm_of_obj(const struct memobj *obj)
{
	if (!obj)
		return NULL;
	for (struct shm_seg *s = ipc_all_shm; s; s = s->all_next)
		if (s->obj == obj)
			return s;
	return NULL;
}

struct unmap_range {
	uint64_t start, end;
};

/*
 * shmdt(2), Linux's rule: the first segment mapping at or after addr whose
 * segment offset matches its distance from addr (so fragments made by
 * munmap/mprotect count), then every other fragment of the same segment
 * within the segment's size from addr. EINVAL when there is none.
 */
SYSCALL_DEFINE(shmdt)
{
	uint64_t addr = a[0];
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	struct mm *mm = t->mm;
	struct unmap_range r[64];
	int n = 0;
	struct shm_seg *seg = NULL;

	pthread_mutex_lock(&ipc_lock);
	pthread_mutex_lock(&mm->lock);
	size_t i = vma_lower_bound(&mm->vmas, addr);
	for (; i < mm->vmas.n; i++) {
		struct vma *v = &mm->vmas.v[i];
		struct shm_seg *s = shm_of_obj(v->obj);
		if (s && v->start - addr == v->off) {
			seg = s;
			r[n++] = (struct unmap_range){ v->start, v->end };
			i++;
			break;
		}
	}
	if (seg) {
		uint64_t size = seg->npages * PAGE_SIZE;
		for (; i < mm->vmas.n && n < 64; i++) {
			struct vma *v = &mm->vmas.v[i];
			if (v->end - addr > size)
				break;
			if (v->obj == seg->obj && v->start - addr == v->off)
				r[n++] = (struct unmap_range){ v->start, v->end };
		}
	}
	pthread_mutex_unlock(&mm->lock);
	for (int k = 0; k < n; k++)
		mm_munmap(t, r[k].start, r[k].end - r[k].start);
	if (seg) {
		seg->dtime = time(NULL);
		seg->lpid = caller_pid(t);
	}
	ipc_shm_reap();
	pthread_mutex_unlock(&ipc_lock);
	return seg ? 0 : -EINVAL;
}

static uint64_t memobj_present_pages(struct memobj *o)
{
	uint64_t n = 0;
	pthread_mutex_lock(&o->lock);
	for (uint64_t i = 0; i < o->npages; i++)
		n += o->pages[i] != 0;
	pthread_mutex_unlock(&o->lock);
	return n;
}

static long shmctl_info(struct task *t, int cmd, uint64_t buf)
{
	struct ipc_ns *ns = ns_of(t);
	pthread_mutex_lock(&ipc_lock);
	ipc_shm_reap();
	int max = ipc_max_index(ns, IPC_KIND_SHM);
	long ret = max < 0 ? 0 : max;
	if (cmd == IPC_INFO) {
		pthread_mutex_unlock(&ipc_lock);
		struct k_shminfo si = {
			.shmmax = SHMMAX, .shmmin = SHMMIN, .shmmni = SHMMNI,
			.shmseg = SHMMNI, .shmall = SHMALL,
		};
		return task_copy_out(t, buf, &si, sizeof si) ? -EFAULT : ret;
	}
	struct k_shm_info si = { .used_ids = ns->ids[IPC_KIND_SHM].in_use };
	struct ipc_ids *ids = &ns->ids[IPC_KIND_SHM];
	for (int i = 0; i < ids->nslots; i++) {
		struct shm_seg *s = (struct shm_seg *)ids->slot[i];
		if (s) {
			si.shm_tot += s->npages;
			si.shm_rss += memobj_present_pages(s->obj);
		}
	}
	pthread_mutex_unlock(&ipc_lock);
	return task_copy_out(t, buf, &si, sizeof si) ? -EFAULT : ret;
}

static long shmctl_stat(struct task *t, int id, int cmd, uint64_t buf)
{
	struct k_shmid_ds d;
	long ret;
	pthread_mutex_lock(&ipc_lock);
	ipc_shm_reap();
	struct shm_seg *s = cmd == IPC_STAT
		? shm_lookup(t, id)
		: (struct shm_seg *)ipc_find_index(ns_of(t), IPC_KIND_SHM, id);
	if (!s) {
		ret = -EINVAL;
	} else if (cmd != SHM_STAT_ANY && !ipc_perm_ok(&t->creds, &s->perm, S_IRUGO)) {
		ret = -EACCES;
	} else {
		memset(&d, 0, sizeof d);
		perm_to_user(&s->perm, &d.perm);
		d.segsz = s->segsz;
		d.atime = s->atime;
		d.dtime = s->dtime;
		d.ctime = s->ctime;
		d.cpid = s->cpid;
		d.lpid = s->lpid;
		d.nattch = ipc_shm_nattch(s);
		ret = cmd == IPC_STAT ? 0 : s->perm.id;
	}
	pthread_mutex_unlock(&ipc_lock);
	if (ret >= 0 && task_copy_out(t, buf, &d, sizeof d))
		return -EFAULT;
	return ret;
}

static long shmctl_down(struct task *t, int id, int cmd, const struct k_shmid_ds *in)
{
	long ret = 0;
	pthread_mutex_lock(&ipc_lock);
	ipc_shm_reap();
	struct shm_seg *s = shm_lookup(t, id);
	if (!s) {
		ret = -EINVAL;
	} else if (!ipc_may_control(&t->creds, &s->perm)) {
		ret = -EPERM;
	} else if (cmd == IPC_RMID) {
		ipc_rmid(ns_of(t), &s->perm);
	} else {
		ret = perm_from_user(&s->perm, &in->perm);
		if (!ret)
			s->ctime = time(NULL);
	}
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

/* SHM_LOCK/SHM_UNLOCK: without CAP_IPC_LOCK only the owner or creator, and
 * SHM_LOCK needs a nonzero RLIMIT_MEMLOCK (EPERM). moat's memory file is
 * never swapped by moat, so the flag is all there is to keep. */
static long shmctl_lock(struct task *t, int id, int cmd)
{
	long ret = 0;
	pthread_mutex_lock(&ipc_lock);
	struct shm_seg *s = shm_lookup(t, id);
	if (!s) {
		ret = -EINVAL;
	} else if (!creds_has_cap(&t->creds, CAP_IPC_LOCK_BIT) &&
		   ((t->creds.euid != s->perm.uid && t->creds.euid != s->perm.cuid) ||
		    (cmd == SHM_LOCK && t->tg->rlimits[RLIMIT_MEMLOCK].rlim_cur == 0))) {
		ret = -EPERM;
	} else if (cmd == SHM_LOCK) {
		s->perm.mode |= SHM_LOCKED;
	} else {
		s->perm.mode &= ~SHM_LOCKED;
	}
	pthread_mutex_unlock(&ipc_lock);
	return ret;
}

SYSCALL_DEFINE(shmctl)
{
	int id = (int)a[0];
	int cmd = (int)a[1];
	uint64_t buf = a[2];
	if (!ns_of(t))
		return -ENOSYS;
	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shmctl_info(t, cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shmctl_stat(t, id, cmd, buf);
	case IPC_SET: {
		struct k_shmid_ds in;
		if (task_copy_in(t, &in, buf, sizeof in))
			return -EFAULT;
		return shmctl_down(t, id, cmd, &in);
	}
	case IPC_RMID:
		return shmctl_down(t, id, cmd, NULL);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shmctl_lock(t, id, cmd);
	default:
		return -EINVAL;
	}
}
