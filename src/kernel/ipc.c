/*
 * System V IPC namespaces and what their three kinds of objects share:
 * identifier tables, permissions, removal, and the undo of SEM_UNDO
 * adjustments when a process exits (svipc(7), see ipc.h).
 */
#include "kernel/ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "kernel/userns.h"
#include "mm/mm.h"

pthread_mutex_t ipc_lock = PTHREAD_MUTEX_INITIALIZER;
struct shm_seg *ipc_all_shm;

static struct ipc_ns *all_ns;        /* every live namespace */
static struct ipc_ns *root_ns;
static int undo_records;             /* sem_undo records anywhere: exit skips when 0 */

static const int kind_limit[IPC_KINDS] = { MSGMNI, SEMMNI, SHMMNI };

/* ---- namespaces ---- */

static struct ipc_ns *ipc_ns_alloc(void)
{
	struct ipc_ns *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	atomic_init(&ns->refs, 1);
	for (int k = 0; k < IPC_KINDS; k++)
		ns->ids[k].last_idx = -1;
	ns->inum = ns_inum_alloc();
	pthread_mutex_lock(&ipc_lock);
	ns->next = all_ns;
	all_ns = ns;
	pthread_mutex_unlock(&ipc_lock);
	return ns;
}

/* A new reference to the sandbox's root IPC namespace (made on first use,
 * kept for the sentry's life). */
struct ipc_ns *ipc_ns_root(void)
{
	static pthread_mutex_t root_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&root_lock);
	if (!root_ns)
		root_ns = ipc_ns_alloc();
	struct ipc_ns *ns = root_ns;
	if (ns)
		ipc_ns_get(ns);
	pthread_mutex_unlock(&root_lock);
	return ns;
}

/* CLONE_NEWIPC: a namespace with no objects, owned by user namespace
 * owner (its objects' CAP_IPC_OWNER and CAP_SYS_ADMIN are checked there). */
struct ipc_ns *ipc_ns_new(struct user_ns *owner)
{
	struct ipc_ns *ns = ipc_ns_alloc();
	if (ns) {
		user_ns_get(owner);
		ns->owner = owner;
	}
	return ns;
}

void ipc_ns_get(struct ipc_ns *ns)
{
	atomic_fetch_add(&ns->refs, 1);
}

/* The last task left: every object is removed as by IPC_RMID (Linux's
 * free_ipc_ns); attached segments live on until their last detach. */
void ipc_ns_put(struct ipc_ns *ns)
{
	if (!ns || atomic_fetch_sub(&ns->refs, 1) != 1)
		return;
	pthread_mutex_lock(&ipc_lock);
	for (int k = 0; k < IPC_KINDS; k++) {
		struct ipc_ids *ids = &ns->ids[k];
		for (int i = 0; i < ids->nslots; i++)
			if (ids->slot[i])
				ipc_rmid(ns, ids->slot[i]);
		free(ids->slot);
	}
	for (struct ipc_ns **p = &all_ns; *p; p = &(*p)->next) {
		if (*p == ns) {
			*p = ns->next;
			break;
		}
	}
	/* Segments still attached outlive their namespace (orphans), reaped
	 * after their last detach. */
	for (struct shm_seg *s = ipc_all_shm; s; s = s->all_next) {
		if (s->ns == ns) {
			s->ns = NULL;
			s->perm.deleted = true;
		}
	}
	pthread_mutex_unlock(&ipc_lock);
	user_ns_put(ns->owner);
	free(ns);
}

/* ---- identifier tables ---- */

static int index_of(int id) { return id & (IPC_MNI - 1); }

struct ipc_obj *ipc_find_index(struct ipc_ns *ns, enum ipc_kind kind, int idx)
{
	struct ipc_ids *ids = &ns->ids[kind];
	if (idx < 0 || idx >= ids->nslots)
		return NULL;
	return ids->slot[idx];
}

/* Linux's ipc_obtain_object_check: the slot must hold an object whose
 * sequence number matches. */
struct ipc_obj *ipc_find_id(struct ipc_ns *ns, enum ipc_kind kind, int id)
{
	if (id < 0)
		return NULL;
	struct ipc_obj *o = ipc_find_index(ns, kind, index_of(id));
	return o && o->id == id ? o : NULL;
}

struct ipc_obj *ipc_find_key(struct ipc_ns *ns, enum ipc_kind kind, int32_t key)
{
	struct ipc_ids *ids = &ns->ids[kind];
	for (int i = 0; i < ids->nslots; i++)
		if (ids->slot[i] && ids->slot[i]->key == key)
			return ids->slot[i];
	return NULL;
}

static int ids_grow(struct ipc_ids *ids, int want)
{
	if (want <= ids->nslots)
		return 0;
	int n = ids->nslots ? ids->nslots : 16;
	while (n < want)
		n *= 2;
	if (n > IPC_MNI)
		n = IPC_MNI;
	struct ipc_obj **s = realloc(ids->slot, n * sizeof *s);
	if (!s)
		return -ENOMEM;
	memset(s + ids->nslots, 0, (n - ids->nslots) * sizeof *s);
	ids->slot = s;
	ids->nslots = n;
	return 0;
}

/* The free index after last_idx, wrapping (Linux's idr_alloc_cyclic). */
static int free_index(struct ipc_ids *ids)
{
	for (int n = 0; n < IPC_MNI; n++) {
		int idx = (ids->last_idx + 1 + n) % IPC_MNI;
		if (idx >= ids->nslots || !ids->slot[idx])
			return idx;
	}
	return -1;
}

int ipc_add(struct ipc_ns *ns, enum ipc_kind kind, struct ipc_obj *obj, int32_t key, int mode,
	    const struct creds *c)
{
	struct ipc_ids *ids = &ns->ids[kind];
	if (ids->in_use >= kind_limit[kind])
		return -ENOSPC;
	int idx = free_index(ids);
	if (idx < 0)
		return -ENOSPC;
	if (ids_grow(ids, idx + 1))
		return -ENOMEM;
	/* The sequence number moves on when the indices wrap, so a stale
	 * identifier does not name the new object. */
	if (idx <= ids->last_idx) {
		ids->seq++;
		if (ids->seq >= IPC_SEQ_MAX)
			ids->seq = 0;
	}
	ids->last_idx = idx;
	obj->id = (ids->seq << IPC_SEQ_SHIFT) + idx;
	obj->key = key;
	obj->kind = kind;
	obj->uid = obj->cuid = c->euid;
	obj->gid = obj->cgid = c->egid;
	obj->mode = mode & 0777;
	obj->deleted = false;
	obj->refs = 1;
	user_ns_get(ns->owner);
	obj->owner_ns = ns->owner;
	ids->slot[idx] = obj;
	ids->in_use++;
	return obj->id;
}

void ipc_remove(struct ipc_ns *ns, struct ipc_obj *obj)
{
	struct ipc_ids *ids = &ns->ids[obj->kind];
	int idx = index_of(obj->id);
	if (idx < ids->nslots && ids->slot[idx] == obj) {
		ids->slot[idx] = NULL;
		ids->in_use--;
	}
	obj->deleted = true;
}

int ipc_max_index(struct ipc_ns *ns, enum ipc_kind kind)
{
	struct ipc_ids *ids = &ns->ids[kind];
	for (int i = ids->nslots - 1; i >= 0; i--)
		if (ids->slot[i])
			return i;
	return -1;
}

/* ---- permissions ---- */


bool ipc_perm_ok(const struct creds *c, const struct ipc_obj *obj, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = obj->mode;
	if (c->euid == obj->cuid || c->euid == obj->uid)
		granted >>= 6;
	else if (creds_in_group(c, obj->cgid) || creds_in_group(c, obj->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !ns_capable(c, obj->owner_ns, CAP_IPC_OWNER_BIT))
		return false;
	return true;
}

bool ipc_may_control(const struct creds *c, const struct ipc_obj *obj)
{
	return c->euid == obj->cuid || c->euid == obj->uid || ns_capable(c, obj->owner_ns, CAP_SYS_ADMIN_BIT);
}

/* ---- object lifetimes ---- */

static void msg_queue_free(struct msg_queue *q)
{
	while (q->head) {
		struct msg_msg *m = q->head;
		q->head = m->next;
		free(m);
	}
	free(q);
}

static void sem_array_free(struct sem_array *sma)
{
	while (sma->undos) {
		struct sem_undo *u = sma->undos;
		sma->undos = u->next;
		free(u);
		undo_records--;
	}
	free(sma->sems);
	free(sma);
}

static void shm_seg_free(struct shm_seg *s)
{
	for (struct shm_seg **p = &ipc_all_shm; *p; p = &(*p)->all_next) {
		if (*p == s) {
			*p = s->all_next;
			break;
		}
	}
	memobj_put(s->obj);
	free(s);
}

void ipc_obj_put(struct ipc_obj *obj)
{
	if (--obj->refs > 0)
		return;
	user_ns_put(obj->owner_ns);
	obj->owner_ns = NULL;
	switch (obj->kind) {
	case IPC_KIND_MSG:
		msg_queue_free((struct msg_queue *)obj);
		break;
	case IPC_KIND_SEM:
		sem_array_free((struct sem_array *)obj);
		break;
	case IPC_KIND_SHM:
		shm_seg_free((struct shm_seg *)obj);
		break;
	default:
		break;
	}
}

int ipc_shm_nattch(const struct shm_seg *s)
{
	/* Every VMA that maps the segment (attach, fork copy, split part)
	 * holds a reference on its memory object, as every Linux shm VMA
	 * counts in shm_nattch; the segment holds one more. */
	int n = atomic_load(&s->obj->refs) - 1;
	return n > 0 ? n : 0;
}

static void shm_destroy(struct ipc_ns *ns, struct shm_seg *s)
{
	if (ns && !s->perm.deleted) {
		ipc_remove(ns, &s->perm);
	}
	if (ns)
		ns->shm_tot -= s->npages;
	ipc_obj_put(&s->perm);
}

void ipc_rmid(struct ipc_ns *ns, struct ipc_obj *obj)
{
	switch (obj->kind) {
	case IPC_KIND_MSG: {
		struct msg_queue *q = (struct msg_queue *)obj;
		ipc_remove(ns, obj);
		waitq_notify(&q->wq, MSGQ_EV_SPACE | MSGQ_EV_MESSAGE);
		ipc_obj_put(obj);
		break;
	}
	case IPC_KIND_SEM: {
		struct sem_array *sma = (struct sem_array *)obj;
		ipc_remove(ns, obj);
		ns->used_sems -= sma->nsems;
		for (struct sem_waiter *w = sma->pending; w; w = w->next) {
			w->status = -EIDRM;
			task_wake(w->task);
		}
		sma->pending = NULL;
		sma->pending_tail = &sma->pending;
		ipc_obj_put(obj);
		break;
	}
	case IPC_KIND_SHM: {
		/* Linux's do_shm_rmid: still attached -> SHM_DEST and private
		 * key; the segment goes with its last detach. */
		struct shm_seg *s = (struct shm_seg *)obj;
		if (ipc_shm_nattch(s) == 0) {
			shm_destroy(ns, s);
		} else {
			s->perm.mode |= SHM_DEST;
			s->perm.key = IPC_PRIVATE;
		}
		break;
	}
	default:
		break;
	}
}

void ipc_shm_reap(void)
{
	struct shm_seg *s = ipc_all_shm;
	while (s) {
		struct shm_seg *next = s->all_next;
		bool dest = (s->perm.mode & SHM_DEST) || !s->ns;
		if (dest && ipc_shm_nattch(s) == 0)
			shm_destroy(s->ns, s);
		s = next;
	}
}

/* ---- semaphores: pending operations and undo ---- */

/* Try the operations of w atomically (Linux's perform_atomic_semop):
 * 0 done, 1 must wait (w->blocking set), -EAGAIN must wait but IPC_NOWAIT,
 * -ERANGE out of range. */
int ipc_sem_try(struct sem_array *sma, struct sem_waiter *w);

int ipc_sem_try(struct sem_array *sma, struct sem_waiter *w)
{
	for (size_t i = 0; i < w->nsops; i++) {
		const struct sembuf *op = &w->sops[i];
		int cur = sma->sems[op->sem_num].val;
		/* Earlier operations of the same call on the same semaphore
		 * count: compute on a tentative value. */
		for (size_t j = 0; j < i; j++)
			if (w->sops[j].sem_num == op->sem_num)
				cur += w->sops[j].sem_op;
		int result = cur + op->sem_op;
		if ((op->sem_op == 0 && cur != 0) || result < 0) {
			w->blocking = i;
			return (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
		}
		if (result > SEMVMX)
			return -ERANGE;
		if ((op->sem_flg & SEM_UNDO) && w->undo) {
			int adj = w->undo->adj[op->sem_num];
			for (size_t j = 0; j < i; j++)
				if (w->sops[j].sem_num == op->sem_num && (w->sops[j].sem_flg & SEM_UNDO))
					adj -= w->sops[j].sem_op;
			int undo = adj - op->sem_op;
			if (undo < -SEMAEM - 1 || undo > SEMAEM)
				return -ERANGE;
		}
	}
	time_t now = time(NULL);
	for (size_t i = 0; i < w->nsops; i++) {
		const struct sembuf *op = &w->sops[i];
		struct sem *s = &sma->sems[op->sem_num];
		s->val += op->sem_op;
		s->pid = w->pid;
		if ((op->sem_flg & SEM_UNDO) && w->undo)
			w->undo->adj[op->sem_num] -= op->sem_op;
		/* Linux stamps sem_otime on the semaphores of the call. */
		s->otime = now;
	}
	return 0;
}

/* Complete every sleeping operation that can now proceed, in arrival
 * order, rescanning after each success since values moved (update_queue). */
void ipc_sem_update_queue(struct sem_array *sma)
{
	bool progress = true;
	while (progress) {
		progress = false;
		struct sem_waiter **pp = &sma->pending;
		while (*pp) {
			struct sem_waiter *w = *pp;
			int r = ipc_sem_try(sma, w);
			if (r == 1) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			if (!*pp)
				sma->pending_tail = pp;
			w->status = r;   /* 0, or -EAGAIN/-ERANGE from a later operation */
			task_wake(w->task);
			if (r == 0) {
				progress = true;
				break;
			}
		}
	}
}

void ipc_sem_clear_undo(struct sem_array *sma, int semnum)
{
	for (struct sem_undo *u = sma->undos; u; u = u->next) {
		if (semnum < 0)
			memset(u->adj, 0, sma->nsems * sizeof u->adj[0]);
		else
			u->adj[semnum] = 0;
	}
}

/* Linux's exit_sem for one set: add each adjustment, clamped to
 * [0, SEMVMX]. */
static bool sem_undo_apply(struct sem_array *sma, struct thread_group *tg)
{
	bool changed = false;
	for (struct sem_undo **p = &sma->undos; *p;) {
		struct sem_undo *u = *p;
		if (u->tg != tg || u->pid != tg->pid) {
			p = &u->next;
			continue;
		}
		for (int i = 0; i < sma->nsems; i++) {
			if (!u->adj[i])
				continue;
			int v = sma->sems[i].val + u->adj[i];
			if (v < 0)
				v = 0;
			if (v > SEMVMX)
				v = SEMVMX;
			sma->sems[i].val = v;
			sma->sems[i].pid = tg->pid;
			changed = true;
		}
		*p = u->next;
		free(u);
		undo_records--;
	}
	return changed;
}

void ipc_tg_exit(struct thread_group *tg)
{
	pthread_mutex_lock(&ipc_lock);
	for (struct ipc_ns *ns = all_ns; ns && undo_records > 0; ns = ns->next) {
		struct ipc_ids *ids = &ns->ids[IPC_KIND_SEM];
		for (int i = 0; i < ids->nslots && undo_records > 0; i++) {
			struct sem_array *sma = (struct sem_array *)ids->slot[i];
			if (sma && sem_undo_apply(sma, tg))
				ipc_sem_update_queue(sma);
		}
	}
	pthread_mutex_unlock(&ipc_lock);
}

/* Called for every exiting task before it leaves its thread group: the
 * group's undo list is applied when its last task goes. ipc_tg_exit is
 * the exact hook (called once the group is empty); this one covers the
 * common case until it is wired, and applying twice is harmless (records
 * are freed as they are applied). */
void ipc_task_exit(struct task *t)
{
	struct thread_group *tg = t->tg;
	if (!tg)
		return;
	pthread_mutex_lock(&ipc_lock);
	bool any = undo_records > 0;
	pthread_mutex_unlock(&ipc_lock);
	if (any && __atomic_load_n(&tg->live_tasks, __ATOMIC_SEQ_CST) <= 1)
		ipc_tg_exit(tg);
}

/* The undo record of t's process for sma, made on first use
 * (find_alloc_undo); the caller holds ipc_lock. */
struct sem_undo *ipc_sem_undo_for(struct sem_array *sma, struct task *t);

struct sem_undo *ipc_sem_undo_for(struct sem_array *sma, struct task *t)
{
	for (struct sem_undo *u = sma->undos; u; u = u->next)
		if (u->tg == t->tg && u->pid == t->tg->pid)
			return u;
	struct sem_undo *u = calloc(1, sizeof *u + sma->nsems * sizeof u->adj[0]);
	if (!u)
		return NULL;
	u->tg = t->tg;
	u->pid = t->tg->pid;
	u->next = sma->undos;
	sma->undos = u;
	undo_records++;
	return u;
}
