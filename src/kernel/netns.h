/*
 * Network namespaces (network_namespaces(7)). moat has no network devices,
 * sockets or routing tables yet, so a namespace holds only its identity and
 * its owning user namespace: there is nothing to isolate, and nothing is
 * pretended. Reference counted by the tasks in it (task->net, NULL meaning
 * the initial namespace).
 */
#ifndef MOAT_KERNEL_NETNS_H
#define MOAT_KERNEL_NETNS_H

#include <stdatomic.h>
#include <stdint.h>

struct user_ns;

/* The initial namespace is no object (a task's net is NULL): its
 * /proc/<pid>/ns/net number is Linux's fixed one for init_net. */
#define NS_NET_INIT_INUM 0xEFFFFFF9u

struct net_ns {
	atomic_int refs;
	uint64_t id;              /* unique for the sentry's life */
	uint32_t inum;            /* /proc/<pid>/ns/net (ns_inum_alloc) */
	struct user_ns *owner;    /* one reference */
};

/* CLONE_NEWNET: an empty namespace owned by user namespace owner. */
struct net_ns *net_ns_new(struct user_ns *owner);
void net_ns_get(struct net_ns *ns);
void net_ns_put(struct net_ns *ns);
/* The user namespace owning ns (NULL: the initial namespaces). */
struct user_ns *net_ns_owner(const struct net_ns *ns);

#endif
