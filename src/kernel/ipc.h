/*
 * System V IPC (svipc(7)): message queues, semaphore sets and shared memory
 * segments, per IPC namespace. The lifecycle calls (ipc_ns_root/new/get/put)
 * are declared in kernel/task.h; this header is shared by kernel/ipc.c
 * (namespaces, identifiers, permissions, removal, SEM_UNDO at exit) and
 * syscalls/sys_ipc.c (the system calls).
 *
 * Locking: one lock, ipc_lock, guards every namespace, table and object (IPC
 * is rarely hot; a per-namespace lock can come later). It nests outside
 * mm->lock (shmat/shmdt map and unmap while holding it). Sleepers never hold
 * it: they keep a reference on the object they wait for (perm.refs), so a
 * queue or set removed under them is still there to say EIDRM.
 */
#ifndef MOAT_KERNEL_IPC_H
#define MOAT_KERNEL_IPC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdatomic.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <time.h>

#include "kernel/task.h"
#include "kernel/waitq.h"

/* Identifiers are built as Linux builds them: seq * 32768 + index. */
#define IPC_SEQ_SHIFT 15
#define IPC_MNI (1 << IPC_SEQ_SHIFT)
#define IPC_SEQ_MAX (0x7fffffff >> IPC_SEQ_SHIFT)

/* Linux's default limits (ipc/util.h, include/uapi/linux/{msg,sem,shm}.h). */
#define MSGMNI 32000
#define MSGMAX 8192
#define MSGMNB 16384
#define MSGSSZ 16
#define MSGPOOL (MSGMNI * MSGMNB / 1024)
#define MSGMAP MSGMNB
#define MSGTQL MSGMNB
#define MSGSEG 0xffff

#define SEMMNI 32000
#define SEMMSL 32000
#define SEMMNS (SEMMNI * SEMMSL)
#define SEMOPM 500
#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEMMNU SEMMNS
#define SEMMAP SEMMNS
#define SEMUME SEMOPM
#define SEMUSZ 20

#define SHMMIN 1
#define SHMMNI 4096
#define SHMMAX (~0UL - (1UL << 24))
#define SHMALL (~0UL - (1UL << 24))

/* Linux's permission groups for ipcperms. */
#define S_IRUGO 0444
#define S_IWUGO 0222
#define S_IXUGO 0111

/* Capabilities consulted by IPC. */
#define CAP_IPC_LOCK_BIT 14
#define CAP_IPC_OWNER_BIT 15
#define CAP_SYS_ADMIN_BIT 21
#define CAP_SYS_RESOURCE_BIT 24

enum ipc_kind { IPC_KIND_MSG, IPC_KIND_SEM, IPC_KIND_SHM, IPC_KINDS };

/* Linux's kern_ipc_perm: what every object has. */
struct ipc_obj {
	int id;
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;        /* permission bits, plus SHM_DEST/SHM_LOCKED */
	bool deleted;         /* out of its table (IPC_RMID, namespace death) */
	int refs;             /* the table's, and each sleeper's */
	enum ipc_kind kind;
	struct user_ns *owner_ns; /* its namespace's owner, one reference (ns_capable) */
};

/* One table of identifiers (msg, sem or shm) of a namespace. */
struct ipc_ids {
	struct ipc_obj **slot;
	int nslots;           /* allocated slots (grows up to IPC_MNI) */
	int in_use;
	int last_idx;         /* indices are handed out cyclically */
	int seq;
};

struct ipc_ns {
	atomic_int refs;
	struct ipc_ids ids[IPC_KINDS];
	uint64_t used_sems;   /* semaphores in all sets (SEMMNS) */
	uint64_t shm_tot;     /* pages of all segments (SHMALL) */
	struct ipc_ns *next;  /* every live namespace (SEM_UNDO at exit) */
	struct user_ns *owner;/* one reference; NULL for the root namespace */
	uint32_t inum;        /* /proc/<pid>/ns/ipc (ns_inum_alloc) */
};

/* ---- message queues ---- */
struct msg_msg {
	struct msg_msg *next;
	long type;
	size_t size;
	char text[];
};

/* Events of a queue's wait queue. */
#define MSGQ_EV_SPACE   1u   /* a message left: senders may fit */
#define MSGQ_EV_MESSAGE 2u   /* a message arrived: receivers may match */

struct msg_queue {
	struct ipc_obj perm;
	time_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	struct msg_msg *head, **tail;
	struct waitq wq;
};

/* ---- semaphores ---- */
struct sem {
	int val;
	int pid;              /* last operation (sempid) */
	time_t otime;
};

/* SEM_UNDO adjustments of one process for one set. Undo lists belong to the
 * thread group (threads made with CLONE_SYSVSEM share them, as pthreads do);
 * pid guards against a reused thread_group address. */
struct sem_undo {
	struct sem_undo *next;
	struct thread_group *tg;
	int pid;
	short adj[];
};

/* A semop that sleeps; completed by whoever makes it possible (Linux's
 * update_queue), who sets status and wakes the task. */
struct sem_waiter {
	struct sem_waiter *next;
	struct task *task;
	struct sembuf *sops;
	size_t nsops;
	struct sem_undo *undo;
	int pid;
	int status;           /* 1 while waiting, then 0 or -errno */
	size_t blocking;      /* index of the operation that blocks (GETNCNT/GETZCNT) */
};

struct sem_array {
	struct ipc_obj perm;
	time_t ctime;
	int nsems;
	struct sem *sems;
	struct sem_undo *undos;
	struct sem_waiter *pending, **pending_tail;
};

/* ---- shared memory ---- */
struct memobj;
struct shm_seg {
	struct ipc_obj perm;
	uint64_t segsz;
	uint64_t npages;
	struct memobj *obj;   /* one reference, the segment's */
	time_t atime, dtime, ctime;
	int cpid, lpid;
	struct ipc_ns *ns;    /* NULL once its namespace died while attached */
	struct shm_seg *all_next;   /* every segment (shmdt, orphans) */
};

extern pthread_mutex_t ipc_lock;
extern struct shm_seg *ipc_all_shm;

/* Identifier tables; the caller holds ipc_lock. */
struct ipc_obj *ipc_find_id(struct ipc_ns *ns, enum ipc_kind kind, int id);
struct ipc_obj *ipc_find_key(struct ipc_ns *ns, enum ipc_kind kind, int32_t key);
struct ipc_obj *ipc_find_index(struct ipc_ns *ns, enum ipc_kind kind, int idx);
/* Give obj an identifier; -ENOSPC past the kind's limit or -ENOMEM. */
int ipc_add(struct ipc_ns *ns, enum ipc_kind kind, struct ipc_obj *obj, int32_t key, int mode,
	    const struct creds *c);
/* Take obj out of its table (its identifier stops working). */
void ipc_remove(struct ipc_ns *ns, struct ipc_obj *obj);
int ipc_max_index(struct ipc_ns *ns, enum ipc_kind kind);
/* Drop a reference: the object is freed with the last one. */
void ipc_obj_put(struct ipc_obj *obj);

/* Linux's ipcperms: may c access obj for the rwx bits in flag
 * (S_IRUGO, S_IWUGO or an ipcget mode)? */
bool ipc_perm_ok(const struct creds *c, const struct ipc_obj *obj, int flag);
/* IPC_SET/IPC_RMID: the owner, the creator or CAP_SYS_ADMIN. */
bool ipc_may_control(const struct creds *c, const struct ipc_obj *obj);

/* Remove an object from its namespace (IPC_RMID): queues and sets wake
 * their sleepers with EIDRM; a segment still attached stays until its last
 * detach (SHM_DEST). */
void ipc_rmid(struct ipc_ns *ns, struct ipc_obj *obj);
/* Segments that are SHM_DEST (or orphaned) and no longer attached go. */
void ipc_shm_reap(void);
int ipc_shm_nattch(const struct shm_seg *s);

/* Semaphore helpers shared with sys_ipc.c: retry sleeping operations after
 * the values changed. */
void ipc_sem_update_queue(struct sem_array *sma);
void ipc_sem_clear_undo(struct sem_array *sma, int semnum /* -1: all */);
/* Undo of SEM_UNDO adjustments of thread group tg (its last task exits). */
void ipc_tg_exit(struct thread_group *tg);
void ipc_task_exit(struct task *t);

#endif
