/*
 * UTS namespaces (see uts.h). The sandbox has one kernel per sentry
 * process, so the root namespace is a single object made on first use from
 * the kernel's initial names (kernel_new sets "moat" and "(none)").
 */
#include "kernel/uts.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/userns.h"

struct uts_ns {
	atomic_int refs;
	pthread_mutex_t lock;
	char hostname[UTS_NAME_LEN + 1];
	char domainname[UTS_NAME_LEN + 1];
	struct user_ns *owner;   /* one reference; NULL for the root namespace */
	uint32_t inum;           /* /proc/<pid>/ns/uts (ns_inum_alloc) */
};

static pthread_mutex_t root_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uts_ns *root_ns;

static struct uts_ns *uts_ns_alloc(const char *hostname, const char *domainname)
{
	struct uts_ns *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	atomic_init(&ns->refs, 1);
	pthread_mutex_init(&ns->lock, NULL);
	strncpy(ns->hostname, hostname, UTS_NAME_LEN);
	strncpy(ns->domainname, domainname, UTS_NAME_LEN);
	ns->inum = ns_inum_alloc();
	return ns;
}

/* A new reference to the root namespace; it is created with k's names on
 * the first call and lives as long as the sentry (the root reference). */
struct uts_ns *uts_ns_root(struct kernel *k)
{
	pthread_mutex_lock(&root_lock);
	if (!root_ns)
		root_ns = uts_ns_alloc(k->hostname, k->domainname);
	struct uts_ns *ns = root_ns;
	if (ns)
		uts_ns_get(ns);
	pthread_mutex_unlock(&root_lock);
	return ns;
}

/* CLONE_NEWUTS: the new namespace starts with a copy of ns's names and
 * belongs to user namespace owner (sethostname needs CAP_SYS_ADMIN there). */
struct uts_ns *uts_ns_clone(struct uts_ns *ns, struct user_ns *owner)
{
	char host[UTS_NAME_LEN + 1], dom[UTS_NAME_LEN + 1];
	uts_ns_read(ns, host, dom);
	struct uts_ns *n = uts_ns_alloc(host, dom);
	if (n) {
		user_ns_get(owner);
		n->owner = owner;
	}
	return n;
}

uint32_t uts_ns_inum(struct uts_ns *ns)
{
	return ns ? ns->inum : 0;
}

struct user_ns *uts_ns_owner(struct uts_ns *ns)
{
	return ns && ns->owner ? ns->owner : &user_ns_init;
}

void uts_ns_get(struct uts_ns *ns)
{
	atomic_fetch_add(&ns->refs, 1);
}

void uts_ns_put(struct uts_ns *ns)
{
	if (!ns || atomic_fetch_sub(&ns->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&ns->lock);
	user_ns_put(ns->owner);
	free(ns);
}

void uts_ns_read(struct uts_ns *ns, char hostname[UTS_NAME_LEN + 1],
		 char domainname[UTS_NAME_LEN + 1])
{
	pthread_mutex_lock(&ns->lock);
	memcpy(hostname, ns->hostname, UTS_NAME_LEN + 1);
	memcpy(domainname, ns->domainname, UTS_NAME_LEN + 1);
	pthread_mutex_unlock(&ns->lock);
}

static void set_name(struct uts_ns *ns, char field[UTS_NAME_LEN + 1], const char *name,
		     size_t len)
{
	if (len > UTS_NAME_LEN)
		len = UTS_NAME_LEN;
	pthread_mutex_lock(&ns->lock);
	memcpy(field, name, len);
	memset(field + len, 0, UTS_NAME_LEN + 1 - len);
	pthread_mutex_unlock(&ns->lock);
}

void uts_ns_set_hostname(struct uts_ns *ns, const char *name, size_t len)
{
	set_name(ns, ns->hostname, name, len);
}

void uts_ns_set_domainname(struct uts_ns *ns, const char *name, size_t len)
{
	set_name(ns, ns->domainname, name, len);
}
