/*
 * UTS namespaces: the hostname and NIS domain name that uname(2) reports.
 * A namespace is reference counted by the tasks in it (task->uts); the
 * root one starts with the kernel's names, CLONE_NEWUTS/unshare make a copy
 * (uts_ns_clone). The lifecycle calls are declared in kernel/task.h.
 */
#ifndef MOAT_KERNEL_UTS_H
#define MOAT_KERNEL_UTS_H

#include <stddef.h>

#include "kernel/task.h"

/* Linux's __NEW_UTS_LEN: names hold up to 64 bytes plus a NUL. */
#define UTS_NAME_LEN 64

/* Copy both names (NUL-terminated, UTS_NAME_LEN + 1 bytes each). */
void uts_ns_read(struct uts_ns *ns, char hostname[UTS_NAME_LEN + 1],
		 char domainname[UTS_NAME_LEN + 1]);
/* Set one name to the len bytes of name (len <= UTS_NAME_LEN, checked by
 * the caller); the rest of the field is zeroed, as Linux does. */
void uts_ns_set_hostname(struct uts_ns *ns, const char *name, size_t len);
void uts_ns_set_domainname(struct uts_ns *ns, const char *name, size_t len);
/* The user namespace owning ns (the initial one for the root namespace). */
struct user_ns *uts_ns_owner(struct uts_ns *ns);
/* The number /proc/<pid>/ns/uts shows (ns_inum_alloc). */
uint32_t uts_ns_inum(struct uts_ns *ns);

#endif
