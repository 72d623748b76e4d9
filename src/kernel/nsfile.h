/*
 * Namespace references and namespace files: what opening
 * /proc/<pid>/ns/<kind> gives (Linux's nsfs), and what setns(2) takes.
 * A reference names one namespace of one kind and holds it alive.
 */
#ifndef MOAT_KERNEL_NSFILE_H
#define MOAT_KERNEL_NSFILE_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct file;
struct user_ns;

struct ns_ref {
	int type;     /* CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
		       * CLONE_NEWPID or CLONE_NEWUSER */
	void *ns;     /* the namespace; NULL for the initial user or network
		       * namespace, which are not reference counted */
	uint32_t inum;
};

/* A reference to t's namespace of type (CLONE_NEW*); for CLONE_NEWPID
 * with for_children, the namespace its next children go to. -ESRCH once
 * t has left the TaskSet, -EINVAL for a type moat does not have. */
int task_ns_ref(struct task *t, int type, bool for_children, struct ns_ref *out);
/* The same with the TaskSet lock held and t known to be live. */
int task_ns_ref_locked(struct task *t, int type, bool for_children, struct ns_ref *out);
/* Another reference to the same namespace, for a copy of r. */
void ns_ref_get(const struct ns_ref *r);
void ns_ref_put(struct ns_ref *r);
/* The user namespace owning the namespace (the namespace itself for a
 * user namespace). */
struct user_ns *ns_ref_owner(const struct ns_ref *r);
/* "uts", "ipc", ... as in the /proc/<pid>/ns link text. */
const char *ns_type_name(int type);

/* Make f (being opened) a namespace file holding r: the reference
 * passes to the file (and is dropped on -ENOMEM). */
int nsfile_init(struct file *f, struct ns_ref *r);
/* f's namespace when f is a namespace file, else NULL. */
const struct ns_ref *nsfile_ref(struct file *f);

#endif
