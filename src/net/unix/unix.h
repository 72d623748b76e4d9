/*
 * Unix domain sockets (unix(7)), entirely in the sentry (DESIGN.md, 1).
 * This part: connected pairs made by socketpair(2) of type SOCK_STREAM,
 * SOCK_DGRAM and SOCK_SEQPACKET. The syscalls are in syscalls/sys_socket.c.
 */
#ifndef MOAT_NET_UNIX_UNIX_H
#define MOAT_NET_UNIX_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct file;
struct task;
struct iovec;

/* A connected pair of sockets of type (SOCK_STREAM, SOCK_DGRAM or
 * SOCK_SEQPACKET); flags: O_NONBLOCK. The peer credentials of both are
 * t's. */
int unix_socketpair(struct task *t, int type, int flags, struct file **a, struct file **b);
bool file_is_unix_socket(struct file *f);
int unix_socket_type(struct file *f);

/* sendmsg/recvmsg of data over iov (already checked by vfs_check_iovec).
 * flags: MSG_DONTWAIT, MSG_NOSIGNAL (send), MSG_PEEK, MSG_TRUNC,
 * MSG_WAITALL (recv). recv stores MSG_TRUNC in *msg_flags when a message
 * did not fit. The count or -errno (-ERESTARTSYS when interrupted). */
struct sockaddr_un;
/* to (tolen bytes, checked as connect's): a datagram's destination, or
 * NULL for the peer. from/fromlen (may be NULL): the sender's address. */
ssize_t unix_send(struct file *f, struct task *t, const struct iovec *iov, int cnt, int flags,
		  const struct sockaddr_un *to, int tolen);
ssize_t unix_recv(struct file *f, struct task *t, const struct iovec *iov, int cnt, int flags,
		  int *msg_flags, struct sockaddr_un *from, int *fromlen);
/* shutdown(2): how is SHUT_RD, SHUT_WR or SHUT_RDWR (checked). */
int unix_shutdown(struct file *f, int how);
/* SOL_SOCKET options: the value in val (at most *len bytes), *len set
 * to what was stored. -ENOPROTOOPT for the ones not known. */
int unix_getsockopt(struct file *f, struct task *t, int name, void *val, int *len);
int unix_setsockopt(struct file *f, struct task *t, int name, const void *val, int len);
/* Whether the socket has a peer (getpeername: ENOTCONN without one). */
bool unix_has_peer(struct file *f);

/* socket(AF_UNIX, type): unnamed and unconnected. */
int unix_socket_new(struct task *t, int type, int flags, struct file **out);
/* bind(2): a path (an S_IFSOCK node made in the caller's directory
 * tree), an abstract name (sun_path[0] == 0) or, with just the family,
 * an automatic abstract name. */
int unix_bind(struct file *f, struct task *t, const struct sockaddr_un *a, int len);
int unix_listen(struct file *f, struct task *t, int backlog);
/* connect(2) of a stream or seqpacket socket to a listener. */
int unix_connect(struct file *f, struct task *t, const struct sockaddr_un *a, int len);
/* accept4(2): the next connection as a new file (flags: O_NONBLOCK) and
 * the connector's address. */
int unix_accept(struct file *f, struct task *t, int flags, struct file **out, struct sockaddr_un *peer,
		int *peerlen);
/* getsockname (peer false) / getpeername: the address and its length. */
int unix_getname(struct file *f, bool peer, struct sockaddr_un *out, int *len);

#endif
