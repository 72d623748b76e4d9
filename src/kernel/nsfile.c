/*
 * Namespace references and namespace files (see nsfile.h). A namespace
 * file is what Linux's nsfs gives for an opened /proc/<pid>/ns link: it
 * can only be stat'ed (its inode number is the namespace's), passed to
 * setns(2), and closed; read and write fail with EINVAL.
 */
#include "kernel/nsfile.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kernel/ipc.h"
#include "kernel/netns.h"
#include "kernel/pidns.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "kernel/uts.h"
#include "vfs/vfs.h"

/* The namespace of type held by t and a new reference to it; called
 * under the TaskSet lock, which unshare and setns replace them under. */
int task_ns_ref_locked(struct task *t, int type, bool for_children, struct ns_ref *out)
{
	out->type = type;
	out->ns = NULL;
	switch (type) {
	case CLONE_NEWUTS:
		if (!t->uts)
			return -ESRCH;
		uts_ns_get(t->uts);
		out->ns = t->uts;
		out->inum = uts_ns_inum(t->uts);
		return 0;
	case CLONE_NEWIPC:
		if (!t->ipc)
			return -ESRCH;
		ipc_ns_get(t->ipc);
		out->ns = t->ipc;
		out->inum = t->ipc->inum;
		return 0;
	case CLONE_NEWNET:
		if (t->net)
			net_ns_get(t->net);
		out->ns = t->net;
		out->inum = t->net ? t->net->inum : NS_NET_INIT_INUM;
		return 0;
	case CLONE_NEWNS:
		if (!t->mnt_ns)
			return -ESRCH;
		mnt_ns_get(t->mnt_ns);
		out->ns = t->mnt_ns;
		out->inum = t->mnt_ns->inum;
		return 0;
	case CLONE_NEWPID: {
		/* PID namespaces live as long as the sentry: no count. */
		struct pid_ns *ns = for_children && t->pidns_children ? t->pidns_children : task_pidns(t);
		out->ns = ns;
		out->inum = ns->inum;
		return 0;
	}
	case CLONE_NEWUSER: {
		struct user_ns *ns = creds_user_ns(&t->creds);
		user_ns_get(ns);
		out->ns = ns == &user_ns_init ? NULL : ns;
		out->inum = ns->inum;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

int task_ns_ref(struct task *t, int type, bool for_children, struct ns_ref *out)
{
	pthread_mutex_lock(&t->kernel->lock);
	int err = t->released ? -ESRCH : task_ns_ref_locked(t, type, for_children, out);
	pthread_mutex_unlock(&t->kernel->lock);
	return err;
}

void ns_ref_get(const struct ns_ref *r)
{
	if (!r->ns)
		return;
	switch (r->type) {
	case CLONE_NEWUTS: uts_ns_get(r->ns); break;
	case CLONE_NEWIPC: ipc_ns_get(r->ns); break;
	case CLONE_NEWNET: net_ns_get(r->ns); break;
	case CLONE_NEWNS: mnt_ns_get(r->ns); break;
	case CLONE_NEWUSER: user_ns_get(r->ns); break;
	default: break;
	}
}

void ns_ref_put(struct ns_ref *r)
{
	if (!r->ns)
		return;
	switch (r->type) {
	case CLONE_NEWUTS: uts_ns_put(r->ns); break;
	case CLONE_NEWIPC: ipc_ns_put(r->ns); break;
	case CLONE_NEWNET: net_ns_put(r->ns); break;
	case CLONE_NEWNS: mnt_ns_put(r->ns); break;
	case CLONE_NEWUSER: user_ns_put(r->ns); break;
	default: break;
	}
	r->ns = NULL;
}

struct user_ns *ns_ref_owner(const struct ns_ref *r)
{
	switch (r->type) {
	case CLONE_NEWUTS: return uts_ns_owner(r->ns);
	case CLONE_NEWIPC: {
		struct ipc_ns *ns = r->ns;
		return ns->owner ? ns->owner : &user_ns_init;
	}
	case CLONE_NEWNET: return r->ns ? net_ns_owner(r->ns) : &user_ns_init;
	case CLONE_NEWUSER: return r->ns ? r->ns : &user_ns_init;
	case CLONE_NEWNS: return mnt_ns_owner(r->ns);
	case CLONE_NEWPID: return pidns_owner(r->ns);
	default: return NULL;
	}
}

const char *ns_type_name(int type)
{
	switch (type) {
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWNS: return "mnt";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWUSER: return "user";
	default: return "?";
	}
}

/* --- the file ------------------------------------------------------- */

static int nsfile_stat(struct file *f, struct stat *st)
{
	const struct ns_ref *r = f->priv;
	/* nsfs: a read-only regular file of root, its inode number the
	 * namespace's. */
	*st = (struct stat){ 0 };
	if (f->inode)
		*st = f->inode->st;
	st->st_ino = r->inum;
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_uid = st->st_gid = 0;
	st->st_size = 0;
	return 0;
}

static int nsfile_path(struct file *f, char *buf, size_t n)
{
	const struct ns_ref *r = f->priv;
	int len = snprintf(buf, n, "%s:[%u]", ns_type_name(r->type), r->inum);
	return len < (int)n ? len : -ENAMETOOLONG;
}

static void nsfile_release(struct file *f)
{
	struct ns_ref *r = f->priv;
	if (r) {
		ns_ref_put(r);
		free(r);
		f->priv = NULL;
	}
}

static const struct file_ops nsfile_ops = {
	.stat = nsfile_stat,
	.path = nsfile_path,
	.release = nsfile_release,
};

int nsfile_init(struct file *f, struct ns_ref *r)
{
	struct ns_ref *held = malloc(sizeof *held);
	if (!held) {
		ns_ref_put(r);
		return -ENOMEM;
	}
	*held = *r;
	f->ops = &nsfile_ops;
	f->priv = held;
	return 0;
}

const struct ns_ref *nsfile_ref(struct file *f)
{
	return f && f->ops == &nsfile_ops ? f->priv : NULL;
}
