/*
 * Network namespaces (see netns.h).
 */
#include "kernel/netns.h"

#include <stdlib.h>

#include "kernel/userns.h"

static atomic_uint_fast64_t next_id = 1;

struct net_ns *net_ns_new(struct user_ns *owner)
{
	struct net_ns *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	atomic_init(&ns->refs, 1);
	ns->id = atomic_fetch_add(&next_id, 1);
	ns->inum = ns_inum_alloc();
	user_ns_get(owner);
	ns->owner = owner;
	return ns;
}

void net_ns_get(struct net_ns *ns)
{
	if (ns)
		atomic_fetch_add(&ns->refs, 1);
}

void net_ns_put(struct net_ns *ns)
{
	if (!ns || atomic_fetch_sub(&ns->refs, 1) != 1)
		return;
	user_ns_put(ns->owner);
	free(ns);
}

struct user_ns *net_ns_owner(const struct net_ns *ns)
{
	return ns ? ns->owner : &user_ns_init;
}
