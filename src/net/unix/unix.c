/*
 * Unix domain socket pairs (unix(7), socketpair(2)).
 *
 * Each socket has a receive queue of messages; its peer writes into it.
 * A stream socket reads across message boundaries; datagram and seqpacket
 * sockets read one message per call (the rest of it is dropped, MSG_TRUNC).
 * What a writer may have queued in its peer is bounded by its SO_SNDBUF,
 * counted in data bytes (Linux counts buffer overhead too, so the exact
 * point where a writer blocks differs a little).
 *
 * Linux rules followed (net/unix/af_unix.c):
 * - shutdown(SHUT_WR) on one end is SHUT_RD for the other and the other
 *   way round, for the connection-oriented types; reads past the queued
 *   data then give 0, writes EPIPE (with SIGPIPE unless MSG_NOSIGNAL, for
 *   streams).
 * - Closing an end is a full shutdown for its peer; unread data left in
 *   the closed end gives the peer ECONNRESET once (SO_ERROR / next read).
 * - A datagram socket whose peer closed gets ECONNREFUSED on its next
 *   send, and is disconnected (ENOTCONN) after that.
 * - poll: POLLIN for data or a read shutdown, POLLRDHUP for a read
 *   shutdown, POLLHUP when both directions are shut (or the peer of a
 *   connection-oriented socket is gone), POLLOUT while at most a quarter
 *   of SO_SNDBUF is queued (unix_writable), POLLERR for a pending error.
 *
 * One lock guards every socket's state: it is never held while sleeping,
 * nor while waking waiters (an epoll callback may poll us again).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "kernel/kernel.h"
#include "kernel/signals.h"
#include "kernel/task.h"
#include "kernel/userns.h"
#include "net/unix/unix.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Linux's defaults and limits (net.core.wmem_default / wmem_max ...). */
#define UNIX_DEF_BUF 212992
#define UNIX_MAX_BUF 212992
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
/* One queued piece of a stream write at most (keeps allocations small). */
#define UNIX_CHUNK 65536

struct umsg {
	struct umsg *next;
	size_t len, off;         /* data[off .. len) is unread */
	int fromlen;             /* the sender's address (recvfrom) */
	struct sockaddr_un from;
	char data[];
};

struct usock {
	atomic_int refs;         /* the file, and a peer pointing here */
	int type;
	struct usock *peer;      /* under unix_lock */
	bool dead;               /* its file was released */
	int shutdown;            /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                 /* pending socket error (SO_ERROR) */
	int sndbuf, rcvbuf;
	bool passcred;
	struct umsg *rx_head, *rx_tail;
	size_t rx_bytes;
	/* SO_PEERCRED: the peer's process (root namespace number) and its
	 * kernel uid/gid at connection time. */
	int cred_pid;
	uint32_t cred_uid, cred_gid;
	struct waitq wq;
	struct inode *inode;
	/* Names and connections (bind/listen/connect/accept). */
	int state;               /* US_* */
	struct sockaddr_un addr; /* bound address; addrlen 0: unnamed */
	int addrlen;
	struct inode *bound_ino; /* the S_IFSOCK node of a path name */
	struct usock *bound_next;/* in the list of bound sockets */
	int backlog;
	struct usock *aq_head, *aq_tail, *aq_next;  /* accept queue */
	int aq_len;
};

enum { US_UNCONN, US_LISTEN, US_CONN };

static pthread_mutex_t unix_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong unix_ino = 20000;
static const struct file_ops unix_ops;

static void usock_get(struct usock *s)
{
	atomic_fetch_add(&s->refs, 1);
}

static void purge_queue(struct usock *s)
{
	while (s->rx_head) {
		struct umsg *m = s->rx_head;
		s->rx_head = m->next;
		free(m);
	}
	s->rx_tail = NULL;
	s->rx_bytes = 0;
}

static void usock_put(struct usock *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	purge_queue(s);
	free(s->inode);
	free(s);
}

static bool connection_oriented(const struct usock *s)
{
	return s->type != SOCK_DGRAM;
}

/* --- application memory over an iovec ------------------------------- */

struct iov_cursor {
	struct task *t;
	bool kmem;               /* iov points into sentry memory */
	const struct iovec *iov;
	int cnt, i;
	size_t off;
};

static size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t n = 0;
	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

/* Copy n bytes between the cursor's memory and buf: the count done
 * (less than n on a fault). */
static size_t cursor_copy(struct iov_cursor *c, char *buf, size_t n, bool out)
{
	size_t done = 0;
	while (done < n && c->i < c->cnt) {
		const struct iovec *v = &c->iov[c->i];
		size_t seg = v->iov_len - c->off;
		if (seg > n - done)
			seg = n - done;
		uint64_t addr = (uint64_t)v->iov_base + c->off;
		int r = 0;
		if (c->kmem)
			memmove(out ? (char *)addr : buf + done, out ? buf + done : (char *)addr, seg);
		else
			r = out ? task_copy_out(c->t, addr, buf + done, seg)
				: task_copy_in(c->t, buf + done, addr, seg);
		if (r)
			break;
		done += seg;
		c->off += seg;
		if (c->off == v->iov_len) {
			c->i++;
			c->off = 0;
		}
	}
	return done;
}

/* --- waiting and waking --------------------------------------------- */

/* Sleep on s for events; called and returns with unix_lock held.
 * 0 or -ERESTARTSYS. */
static int usock_wait(struct usock *s, struct task *t, uint32_t events)
{
	struct waiter w = { 0 };
	waitq_add(&s->wq, &w, t, events);
	pthread_mutex_unlock(&unix_lock);
	int r = task_block(t, NULL);
	waitq_remove(&s->wq, &w);
	pthread_mutex_lock(&unix_lock);
	return r == -EINTR ? -ERESTARTSYS : 0;
}

/* Wake s's waiters outside the lock (s is referenced by the caller). */
static void usock_notify(struct usock *s, uint32_t events)
{
	if (s)
		waitq_notify(&s->wq, events);
}

/* The peer, referenced, for a notification after the lock is dropped. */
static struct usock *peer_ref(struct usock *s)
{
	struct usock *p = s->peer;
	if (p)
		usock_get(p);
	return p;
}

static bool nonblocking(struct file *f, int flags)
{
	return (atomic_load(&f->flags) & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* A name as the caller gave it: the path (NUL-terminated) or the
 * abstract name (the bytes after the leading NUL). */
struct uname {
	bool abstract;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	struct sockaddr_un sa;   /* normalised address */
	int len;                 /* its length */
};

/* --- send ----------------------------------------------------------- */

static struct umsg *umsg_new(struct iov_cursor *c, size_t n, int *err)
{
	struct umsg *m = malloc(sizeof(*m) + (n ? n : 1));
	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	m->next = NULL;
	m->off = 0;
	m->len = cursor_copy(c, m->data, n, false);
	/* A fault: a stream keeps what was copied, a message is lost. */
	if (m->len < n)
		*err = -EFAULT;
	return m;
}

/* Queue m from s in to's receive queue. Under the lock. */
static void enqueue(struct usock *s, struct usock *to, struct umsg *m)
{
	m->fromlen = s->addrlen;
	if (s->addrlen)
		m->from = s->addr;
	if (to->rx_tail)
		to->rx_tail->next = m;
	else
		to->rx_head = m;
	to->rx_tail = m;
	to->rx_bytes += m->len;
}

/* Why s cannot send now: -EPIPE, -ENOTCONN, -ECONNREFUSED, or 0. Under
 * the lock. */
static int send_error(struct usock *s)
{
	if (s->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (!s->peer)
		return -ENOTCONN;
	if (s->peer->dead) {
		if (connection_oriented(s))
			return -EPIPE;
		/* unix_dgram_sendmsg: refused once, then disconnected. */
		usock_put(s->peer);
		s->peer = NULL;
		return -ECONNREFUSED;
	}
	if (connection_oriented(s) && (s->peer->shutdown & RCV_SHUTDOWN))
		return -EPIPE;
	return 0;
}

static ssize_t send_error_result(struct usock *s, struct task *t, int err, int flags)
{
	/* Only stream writes raise SIGPIPE (unix_stream_sendmsg). */
	if (err == -EPIPE && s->type == SOCK_STREAM && !(flags & MSG_NOSIGNAL))
		task_send_signal_self(t, SIGPIPE);
	return err;
}

static ssize_t stream_send(struct file *f, struct usock *s, struct iov_cursor *c, size_t n, int flags)
{
	size_t done = 0;
	ssize_t ret = 0;
	pthread_mutex_lock(&unix_lock);
	while (done < n) {
		int err = send_error(s);
		if (err) {
			pthread_mutex_unlock(&unix_lock);
			return done ? (ssize_t)done : send_error_result(s, c->t, err, flags);
		}
		struct usock *p = s->peer;
		size_t queued = p->rx_bytes;
		if (queued >= (size_t)s->sndbuf) {
			if (nonblocking(f, flags)) {
				ret = done ? (ssize_t)done : -EAGAIN;
				break;
			}
			err = usock_wait(s, c->t, POLLOUT);
			if (err) {
				ret = done ? (ssize_t)done : err;
				break;
			}
			continue;
		}
		size_t chunk = (size_t)s->sndbuf - queued;
		if (chunk > n - done)
			chunk = n - done;
		if (chunk > UNIX_CHUNK)
			chunk = UNIX_CHUNK;
		/* Copy from the application outside the lock. */
		pthread_mutex_unlock(&unix_lock);
		int cerr = 0;
		struct umsg *m = umsg_new(c, chunk, &cerr);
		pthread_mutex_lock(&unix_lock);
		if (!m) {
			ret = done ? (ssize_t)done : cerr;
			break;
		}
		err = send_error(s);
		if (err || m->len == 0) {
			free(m);
			if (err) {
				pthread_mutex_unlock(&unix_lock);
				return done ? (ssize_t)done : send_error_result(s, c->t, err, flags);
			}
			ret = done ? (ssize_t)done : cerr;
			break;
		}
		p = peer_ref(s);
		enqueue(s, p, m);
		done += m->len;
		pthread_mutex_unlock(&unix_lock);
		usock_notify(p, POLLIN | POLLRDNORM);
		usock_put(p);
		pthread_mutex_lock(&unix_lock);
		if (cerr) {
			ret = (ssize_t)done;
			break;
		}
		ret = (ssize_t)done;
	}
	pthread_mutex_unlock(&unix_lock);
	return ret;
}

/* Why a datagram cannot go to dest now (unix_dgram_sendmsg): 0 or
 * -errno. Under the lock. */
static int dgram_dest_error(struct usock *s, struct usock *dest)
{
	if (s->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (dest->dead)
		return -ECONNREFUSED;
	/* unix_may_send: a connected receiver takes only from its peer. */
	if (dest->peer && dest->peer != s)
		return -EPERM;
	return 0;
}

/* One message, whole or not at all, to dest (referenced by the caller)
 * or, without one, to the peer. */
static ssize_t message_send(struct file *f, struct usock *s, struct iov_cursor *c, size_t n, int flags,
			    struct usock *dest)
{
	if (n > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	int cerr = 0;
	struct umsg *m = umsg_new(c, n, &cerr);
	if (!m || cerr) {
		free(m);
		return cerr;
	}
	pthread_mutex_lock(&unix_lock);
	struct usock *to = NULL;
	for (;;) {
		int err = dest ? dgram_dest_error(s, dest) : send_error(s);
		if (!err && !dest && s->type == SOCK_DGRAM)
			err = dgram_dest_error(s, s->peer);
		if (err) {
			pthread_mutex_unlock(&unix_lock);
			free(m);
			usock_put(to);
			return send_error_result(s, c->t, err, flags);
		}
		usock_put(to);
		to = dest ? dest : s->peer;
		usock_get(to);
		if (to->rx_bytes + n <= (size_t)s->sndbuf || to->rx_bytes == 0)
			break;
		if (nonblocking(f, flags)) {
			pthread_mutex_unlock(&unix_lock);
			free(m);
			usock_put(to);
			return -EAGAIN;
		}
		/* The receiver's queue drains: it notifies its own queue. */
		err = usock_wait(to, c->t, POLLOUT);
		if (err) {
			pthread_mutex_unlock(&unix_lock);
			free(m);
			usock_put(to);
			return err;
		}
	}
	enqueue(s, to, m);
	pthread_mutex_unlock(&unix_lock);
	usock_notify(to, POLLIN | POLLRDNORM);
	usock_put(to);
	return (ssize_t)n;
}

static ssize_t send_cursor(struct file *f, struct task *t, struct iov_cursor c, int flags,
			   struct usock *dest)
{
	struct usock *s = f->priv;
	size_t n = iov_total(c.iov, c.cnt);
	if (s->type == SOCK_STREAM) {
		if (n == 0) {
			/* Still reports a broken connection. */
			pthread_mutex_lock(&unix_lock);
			int err = send_error(s);
			pthread_mutex_unlock(&unix_lock);
			return err ? send_error_result(s, t, err, flags) : 0;
		}
		return stream_send(f, s, &c, n, flags);
	}
	return message_send(f, s, &c, n, flags, dest);
}

static int lookup_target(struct task *t, const struct uname *n, int type, struct usock **out);
static int parse_name(const struct sockaddr_un *a, int len, struct uname *n);

ssize_t unix_send(struct file *f, struct task *t, const struct iovec *iov, int cnt, int flags,
		  const struct sockaddr_un *to, int tolen)
{
	struct usock *s = f->priv, *dest = NULL;
	if (to && tolen) {
		if (s->type != SOCK_DGRAM) {
			pthread_mutex_lock(&unix_lock);
			bool conn = s->state == US_CONN;
			pthread_mutex_unlock(&unix_lock);
			return conn ? -EISCONN : -EOPNOTSUPP;
		}
		struct uname n;
		int err = parse_name(to, tolen, &n);
		if (!err)
			err = lookup_target(t, &n, s->type, &dest);
		if (err)
			return err;
	}
	ssize_t r = send_cursor(f, t, (struct iov_cursor){ .t = t, .iov = iov, .cnt = cnt }, flags, dest);
	usock_put(dest);
	return r;
}

/* --- receive -------------------------------------------------------- */

/* Drop the first message of s's queue. */
static void dequeue(struct usock *s)
{
	struct umsg *m = s->rx_head;
	s->rx_head = m->next;
	if (!s->rx_head)
		s->rx_tail = NULL;
	s->rx_bytes -= m->len - m->off;
	free(m);
}

/* Copy stream data out (up to n), consuming it unless peek: bytes copied,
 * or -EFAULT when none could be. */
static ssize_t stream_copy_out(struct usock *s, struct iov_cursor *c, size_t n, bool peek)
{
	size_t done = 0;
	for (struct umsg *m = s->rx_head; m && done < n;) {
		size_t seg = m->len - m->off;
		if (seg > n - done)
			seg = n - done;
		size_t r = cursor_copy(c, m->data + m->off, seg, true);
		done += r;
		if (!peek) {
			m->off += r;
			s->rx_bytes -= r;
		}
		if (r < seg)
			return done ? (ssize_t)done : -EFAULT;
		if (peek) {
			m = m->next;
			continue;
		}
		if (m->off == m->len)
			dequeue(s);   /* counts what is left of it: nothing */
		m = s->rx_head;
	}
	return (ssize_t)done;
}

/* Nothing to read: 0 for end of file, -errno, or 1 to wait. Under the
 * lock. */
static int empty_queue_result(struct usock *s, struct file *f, int flags)
{
	if (s->err) {
		int e = s->err;
		s->err = 0;
		return -e;
	}
	if (s->shutdown & RCV_SHUTDOWN)
		return 0;
	if (nonblocking(f, flags))
		return -EAGAIN;
	return 1;
}

/* The sender of m as recvfrom reports it. */
static void note_sender(const struct umsg *m, struct sockaddr_un *from, int *fromlen)
{
	if (!from)
		return;
	*fromlen = m->fromlen;
	if (m->fromlen)
		*from = m->from;
}

static ssize_t stream_recv(struct file *f, struct usock *s, struct iov_cursor *c, size_t n, int flags,
			   struct sockaddr_un *from, int *fromlen)
{
	bool peek = flags & MSG_PEEK;
	size_t target = (flags & MSG_WAITALL) && !peek ? n : 1;
	size_t done = 0;
	ssize_t ret;
	pthread_mutex_lock(&unix_lock);
	if (s->state != US_CONN) {
		pthread_mutex_unlock(&unix_lock);
		return -EINVAL;
	}
	for (;;) {
		if (s->rx_head) {
			if (!done)
				note_sender(s->rx_head, from, fromlen);
			ret = stream_copy_out(s, c, n - done, peek);
			if (ret < 0) {
				ret = done ? (ssize_t)done : ret;
				break;
			}
			done += (size_t)ret;
			ret = (ssize_t)done;
			if (!peek) {
				struct usock *p = peer_ref(s);
				pthread_mutex_unlock(&unix_lock);
				usock_notify(p, POLLOUT | POLLWRNORM);
				usock_put(p);
				pthread_mutex_lock(&unix_lock);
			}
			if (done >= target)
				break;
			continue;
		}
		int r = empty_queue_result(s, f, flags);
		if (r <= 0) {
			ret = done ? (ssize_t)done : r;
			break;
		}
		r = usock_wait(s, c->t, POLLIN);
		if (r) {
			ret = done ? (ssize_t)done : r;
			break;
		}
	}
	pthread_mutex_unlock(&unix_lock);
	return ret;
}

static ssize_t message_recv(struct file *f, struct usock *s, struct iov_cursor *c, size_t n, int flags,
			    int *msg_flags, struct sockaddr_un *from, int *fromlen)
{
	ssize_t ret;
	pthread_mutex_lock(&unix_lock);
	while (!s->rx_head) {
		int r = empty_queue_result(s, f, flags);
		if (r <= 0) {
			pthread_mutex_unlock(&unix_lock);
			return r;
		}
		r = usock_wait(s, c->t, POLLIN);
		if (r) {
			pthread_mutex_unlock(&unix_lock);
			return r;
		}
	}
	struct umsg *m = s->rx_head;
	size_t len = m->len;
	size_t want = len < n ? len : n;
	if (cursor_copy(c, m->data, want, true) < want) {
		/* Linux keeps the message when the copy faults. */
		pthread_mutex_unlock(&unix_lock);
		return -EFAULT;
	}
	if (len > n)
		*msg_flags |= MSG_TRUNC;
	note_sender(m, from, fromlen);
	ret = (flags & MSG_TRUNC) ? (ssize_t)len : (ssize_t)want;
	struct usock *p = NULL;
	if (!(flags & MSG_PEEK)) {
		dequeue(s);
		p = peer_ref(s);
	}
	pthread_mutex_unlock(&unix_lock);
	if (p) {
		/* Senders by address wait on this socket's own queue. */
		usock_notify(s, POLLOUT);
		usock_notify(p, POLLOUT | POLLWRNORM);
		usock_put(p);
	} else if (!(flags & MSG_PEEK)) {
		usock_notify(s, POLLOUT);
	}
	return ret;
}

static ssize_t recv_cursor(struct file *f, struct iov_cursor c, int flags, int *msg_flags,
			   struct sockaddr_un *from, int *fromlen)
{
	struct usock *s = f->priv;
	size_t n = iov_total(c.iov, c.cnt);
	if (s->type == SOCK_STREAM) {
		if (n == 0)
			return 0;
		return stream_recv(f, s, &c, n, flags, from, fromlen);
	}
	return message_recv(f, s, &c, n, flags, msg_flags, from, fromlen);
}

ssize_t unix_recv(struct file *f, struct task *t, const struct iovec *iov, int cnt, int flags,
		  int *msg_flags, struct sockaddr_un *from, int *fromlen)
{
	if (fromlen)
		*fromlen = 0;
	return recv_cursor(f, (struct iov_cursor){ .t = t, .iov = iov, .cnt = cnt }, flags, msg_flags, from,
			   fromlen);
}

/* --- file operations ------------------------------------------------ */

static int iof_to_msg_flags(int iof)
{
	int flags = (iof & IOF_NOWAIT) ? MSG_DONTWAIT : 0;
	if (iof & IOF_NOSIGNAL)
		flags |= MSG_NOSIGNAL;
	return flags;
}

static ssize_t unix_read_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	struct iovec v = { (void *)addr, n };
	int mf = 0;
	return recv_cursor(f, (struct iov_cursor){ .t = t, .iov = &v, .cnt = 1 }, iof_to_msg_flags(iof), &mf, NULL, NULL);
}

static ssize_t unix_write_app(struct file *f, struct task *t, uint64_t addr, size_t n, int64_t *pos, int iof)
{
	struct iovec v = { (void *)addr, n };
	return send_cursor(f, t, (struct iov_cursor){ .t = t, .iov = &v, .cnt = 1 }, iof_to_msg_flags(iof), NULL);
}

/* readv/writev of small vectors go through a sentry buffer (vfs), which
 * keeps a message whole. */
static ssize_t unix_read_kbuf(struct file *f, struct task *t, void *buf, size_t n, int64_t *pos, int iof)
{
	struct iovec v = { buf, n };
	int mf = 0;
	return recv_cursor(f, (struct iov_cursor){ .t = t, .kmem = true, .iov = &v, .cnt = 1 },
			   iof_to_msg_flags(iof), &mf, NULL, NULL);
}

static ssize_t unix_write_kbuf(struct file *f, struct task *t, const void *buf, size_t n, int64_t *pos,
			       int iof)
{
	struct iovec v = { (void *)buf, n };
	return send_cursor(f, t, (struct iov_cursor){ .t = t, .kmem = true, .iov = &v, .cnt = 1 },
			   iof_to_msg_flags(iof), NULL);
}

static uint32_t unix_poll(struct file *f)
{
	struct usock *s = f->priv;
	uint32_t ev = 0;
	pthread_mutex_lock(&unix_lock);
	if (s->err)
		ev |= POLLERR;
	if (s->shutdown == SHUTDOWN_MASK)
		ev |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (s->rx_head)
		ev |= POLLIN | POLLRDNORM;
	if (s->state == US_LISTEN) {
		ev = s->aq_head ? POLLIN | POLLRDNORM : 0;
		pthread_mutex_unlock(&unix_lock);
		return ev;
	}
	/* unix_poll: a connection-oriented socket never connected hangs up. */
	if (connection_oriented(s) && s->state == US_UNCONN)
		ev |= POLLHUP;
	struct usock *p = s->peer;
	size_t queued = p ? p->rx_bytes : 0;
	if (queued * 4 <= (size_t)s->sndbuf)
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	pthread_mutex_unlock(&unix_lock);
	return ev;
}

static struct waitq *unix_waitq(struct file *f)
{
	return &((struct usock *)f->priv)->wq;
}

static long unix_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct usock *s = f->priv;
	int v;
	switch (cmd) {
	case FIONREAD:  /* SIOCINQ: a datagram's size, or all bytes queued */
		pthread_mutex_lock(&unix_lock);
		if (s->type != SOCK_DGRAM)
			v = (int)s->rx_bytes;
		else
			v = s->rx_head ? (int)s->rx_head->len : 0;
		pthread_mutex_unlock(&unix_lock);
		break;
	case TIOCOUTQ:  /* SIOCOUTQ: what the peer has not read yet */
		pthread_mutex_lock(&unix_lock);
		v = s->peer ? (int)s->peer->rx_bytes : 0;
		pthread_mutex_unlock(&unix_lock);
		break;
	default:
		return -ENOTTY;
	}
	return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int unix_path(struct file *f, char *buf, size_t n)
{
	int r = snprintf(buf, n, "socket:[%lu]", (unsigned long)f->inode->st.st_ino);
	return r < (int)n ? r : -ENAMETOOLONG;
}

static struct usock *bound_list;   /* under unix_lock */

static void unbind_locked(struct usock *s)
{
	for (struct usock **pp = &bound_list; *pp; pp = &(*pp)->bound_next) {
		if (*pp == s) {
			*pp = s->bound_next;
			return;
		}
	}
}

/* The end of a socket (its file released, or an embryo never accepted):
 * a full shutdown for its peer, its name freed, its embryos closed. */
static void usock_close(struct usock *s)
{
	pthread_mutex_lock(&unix_lock);
	s->dead = true;
	s->shutdown = SHUTDOWN_MASK;
	struct usock *p = s->peer;
	s->peer = NULL;
	if (p && connection_oriented(s)) {
		p->shutdown = SHUTDOWN_MASK;
		if (s->rx_head)
			p->err = ECONNRESET;
	}
	purge_queue(s);
	if (s->addrlen)
		unbind_locked(s);
	struct usock *embryos = s->aq_head;
	s->aq_head = s->aq_tail = NULL;
	s->aq_len = 0;
	pthread_mutex_unlock(&unix_lock);
	while (embryos) {
		struct usock *e = embryos;
		embryos = e->aq_next;
		usock_close(e);
	}
	if (p) {
		usock_notify(p, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
		usock_put(p);
	}
	usock_notify(s, POLLIN | POLLOUT | POLLHUP | POLLERR);
	usock_put(s);
}

static void unix_release(struct file *f)
{
	usock_close(f->priv);
}

static const struct file_ops unix_ops = {
	.read_app = unix_read_app,
	.write_app = unix_write_app,
	.read = unix_read_kbuf,
	.write = unix_write_kbuf,
	.poll = unix_poll,
	.waitq = unix_waitq,
	.ioctl = unix_ioctl,
	.path = unix_path,
	.release = unix_release,
};

bool file_is_unix_socket(struct file *f)
{
	return f->ops == &unix_ops;
}

int unix_socket_type(struct file *f)
{
	return ((struct usock *)f->priv)->type;
}

/* --- shutdown and options ------------------------------------------- */

int unix_shutdown(struct file *f, int how)
{
	struct usock *s = f->priv;
	/* SHUT_RD 0 -> RCV_SHUTDOWN, SHUT_WR 1 -> SEND, SHUT_RDWR 2 -> both. */
	int mode = (how + 1) & SHUTDOWN_MASK;
	pthread_mutex_lock(&unix_lock);
	s->shutdown |= mode;
	struct usock *p = NULL;
	if (s->peer && connection_oriented(s)) {
		int peer_mode = 0;
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		s->peer->shutdown |= peer_mode;
		p = peer_ref(s);
	}
	pthread_mutex_unlock(&unix_lock);
	usock_notify(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	if (p) {
		usock_notify(p, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
		usock_put(p);
	}
	return 0;
}

bool unix_has_peer(struct file *f)
{
	struct usock *s = f->priv;
	pthread_mutex_lock(&unix_lock);
	bool r = s->peer != NULL;
	pthread_mutex_unlock(&unix_lock);
	return r;
}

/* Store an int option value as Linux does: cut to the caller's length. */
static int put_int(void *val, int *len, int v)
{
	if (*len > (int)sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

static int peercred(struct usock *s, struct task *t, void *val, int *len)
{
	/* cred_to_ucred: no credentials yet is pid 0, uid and gid -1. */
	struct ucred uc = { 0, (uid_t)-1, (gid_t)-1 };
	if (!s->cred_pid) {
		if (*len > (int)sizeof(uc))
			*len = sizeof(uc);
		memcpy(val, &uc, (size_t)*len);
		return 0;
	}
	pthread_mutex_lock(&t->kernel->lock);
	uc.pid = task_vnr_of_root_locked(t, s->cred_pid);
	pthread_mutex_unlock(&t->kernel->lock);
	uc.uid = from_kuid_munged(t->creds.user_ns, s->cred_uid);
	uc.gid = from_kgid_munged(t->creds.user_ns, s->cred_gid);
	if (*len > (int)sizeof(uc))
		*len = sizeof(uc);
	memcpy(val, &uc, (size_t)*len);
	return 0;
}

int unix_getsockopt(struct file *f, struct task *t, int name, void *val, int *len)
{
	struct usock *s = f->priv;
	int v;
	switch (name) {
	case SO_TYPE:
		return put_int(val, len, s->type);
	case SO_DOMAIN:
		return put_int(val, len, AF_UNIX);
	case SO_PROTOCOL:
		return put_int(val, len, 0);
	case SO_ACCEPTCONN:
		return put_int(val, len, s->state == US_LISTEN);
	case SO_ERROR:
		pthread_mutex_lock(&unix_lock);
		v = s->err;
		s->err = 0;
		pthread_mutex_unlock(&unix_lock);
		return put_int(val, len, v);
	case SO_SNDBUF:
		return put_int(val, len, s->sndbuf);
	case SO_RCVBUF:
		return put_int(val, len, s->rcvbuf);
	case SO_PASSCRED:
		return put_int(val, len, s->passcred);
	case SO_PEERCRED:
		return peercred(s, t, val, len);
	}
	return -ENOPROTOOPT;
}

int unix_setsockopt(struct file *f, struct task *t, int name, const void *val, int len)
{
	struct usock *s = f->priv;
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	/* sock_setsockopt: capped at the max, doubled for overhead, floored. */
	unsigned int u = (unsigned int)v;
	if (u > UNIX_MAX_BUF)
		u = UNIX_MAX_BUF;
	switch (name) {
	case SO_SNDBUF:
		pthread_mutex_lock(&unix_lock);
		s->sndbuf = (int)(u * 2) > SOCK_MIN_SNDBUF ? (int)(u * 2) : SOCK_MIN_SNDBUF;
		pthread_mutex_unlock(&unix_lock);
		/* A bigger buffer may let blocked writers go on. */
		usock_notify(s, POLLOUT | POLLWRNORM);
		return 0;
	case SO_RCVBUF:
		s->rcvbuf = (int)(u * 2) > SOCK_MIN_RCVBUF ? (int)(u * 2) : SOCK_MIN_RCVBUF;
		return 0;
	case SO_PASSCRED:
		s->passcred = v != 0;
		return 0;
	}
	return -ENOPROTOOPT;
}

/* --- creation ------------------------------------------------------- */

static struct usock *usock_new(struct task *t, int type)
{
	struct usock *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	struct stat st = { 0 };
	st.st_mode = S_IFSOCK | 0777;
	st.st_nlink = 1;
	st.st_ino = atomic_fetch_add(&unix_ino, 1);
	st.st_dev = makedev(0, 8);  /* sockfs */
	st.st_blksize = 4096;
	st.st_uid = t->creds.euid;
	st.st_gid = t->creds.egid;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	s->inode = inode_new(NULL, NULL, &st);
	if (!s->inode) {
		free(s);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->type = type;
	s->state = US_UNCONN;
	s->sndbuf = s->rcvbuf = UNIX_DEF_BUF;
	waitq_init(&s->wq);
	return s;
}

static struct file *usock_file(struct usock *s, int flags)
{
	struct file *f = file_alloc(&unix_ops, s->inode, O_RDWR | (flags & O_NONBLOCK),
				    FMODE_READ | FMODE_WRITE | FMODE_STREAM);
	if (f)
		f->priv = s;
	return f;
}

/* Record t as the peer process of s (SO_PEERCRED). */
static void set_peer_creds(struct usock *s, struct task *t)
{
	s->cred_pid = t->tg->pidp->numbers[0].nr;
	s->cred_uid = t->creds.euid;
	s->cred_gid = t->creds.egid;
}

int unix_socketpair(struct task *t, int type, int flags, struct file **a, struct file **b)
{
	struct usock *s1 = usock_new(t, type), *s2 = usock_new(t, type);
	struct file *f1 = s1 ? usock_file(s1, flags) : NULL;
	struct file *f2 = s2 ? usock_file(s2, flags) : NULL;
	if (!f1 || !f2) {
		/* Never handed out: drop the files without release. */
		if (f1)
			f1->ops = NULL, file_put(f1);
		if (f2)
			f2->ops = NULL, file_put(f2);
		usock_put(s1);
		usock_put(s2);
		return -ENOMEM;
	}
	usock_get(s1);
	usock_get(s2);
	s1->peer = s2;
	s2->peer = s1;
	s1->state = s2->state = US_CONN;
	set_peer_creds(s1, t);
	set_peer_creds(s2, t);
	*a = f1;
	*b = f2;
	return 0;
}

/* --- names and connections (bind, listen, connect, accept) ---------- */

#define SUN_PATH_OFF 2   /* offsetof(struct sockaddr_un, sun_path) */

int unix_socket_new(struct task *t, int type, int flags, struct file **out)
{
	struct usock *s = usock_new(t, type);
	struct file *f = s ? usock_file(s, flags) : NULL;
	if (!f) {
		usock_put(s);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

/* unix_validate_addr + unix_mkname: -EINVAL for a bad address. */
static int parse_name(const struct sockaddr_un *a, int len, struct uname *n)
{
	if (len <= SUN_PATH_OFF || len > (int)sizeof(*a) || a->sun_family != AF_UNIX)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->sa.sun_family = AF_UNIX;
	if (a->sun_path[0] == 0) {
		n->abstract = true;
		memcpy(n->sa.sun_path, a->sun_path, (size_t)(len - SUN_PATH_OFF));
		n->len = len;
		return 0;
	}
	memcpy(n->path, a->sun_path, (size_t)(len - SUN_PATH_OFF));
	size_t pl = strlen(n->path);
	memcpy(n->sa.sun_path, n->path, pl);
	n->len = SUN_PATH_OFF + (int)pl + 1;
	return 0;
}

/* The bound socket of name n (path: its inode ino), or NULL. Under the
 * lock. */
static struct usock *find_bound_locked(const struct uname *n, struct inode *ino, int type)
{
	for (struct usock *b = bound_list; b; b = b->bound_next) {
		if (n->abstract) {
			if (!b->bound_ino && b->type == type && b->addrlen == n->len &&
			    !memcmp(b->addr.sun_path, n->sa.sun_path, (size_t)(n->len - SUN_PATH_OFF)))
				return b;
		} else if (b->bound_ino == ino) {
			return b;
		}
	}
	return NULL;
}

static atomic_uint autobind_counter;

/* Give s its name under the lock: -EINVAL when it has one, -EADDRINUSE
 * when an abstract name is taken. */
static int attach_name_locked(struct usock *s, const struct uname *n, struct inode *ino)
{
	if (s->addrlen)
		return -EINVAL;
	if (n->abstract && find_bound_locked(n, NULL, s->type))
		return -EADDRINUSE;
	s->addr = n->sa;
	s->addrlen = n->len;
	s->bound_ino = ino;
	s->bound_next = bound_list;
	bound_list = s;
	return 0;
}

/* Linux's unix_autobind: an abstract name of five hex digits. */
static int autobind(struct usock *s)
{
	pthread_mutex_lock(&unix_lock);
	int err = -EINVAL;
	if (s->addrlen) {
		pthread_mutex_unlock(&unix_lock);
		return 0;
	}
	for (int tries = 0; tries < 0x100000 && err; tries++) {
		struct uname n = { .abstract = true };
		n.sa.sun_family = AF_UNIX;
		snprintf(n.sa.sun_path + 1, 6, "%05x", atomic_fetch_add(&autobind_counter, 1) & 0xfffff);
		n.len = SUN_PATH_OFF + 1 + 5;
		err = attach_name_locked(s, &n, NULL);
	}
	pthread_mutex_unlock(&unix_lock);
	return err ? -ENOSPC : 0;
}

int unix_bind(struct file *f, struct task *t, const struct sockaddr_un *a, int len)
{
	struct usock *s = f->priv;
	if (len < SUN_PATH_OFF || a->sun_family != AF_UNIX)
		return -EINVAL;
	if (len == SUN_PATH_OFF) {
		pthread_mutex_lock(&unix_lock);
		bool bound = s->addrlen != 0;
		pthread_mutex_unlock(&unix_lock);
		return bound ? -EINVAL : autobind(s);
	}
	struct uname n;
	int err = parse_name(a, len, &n);
	if (err)
		return err;
	struct inode *ino = NULL;
	if (!n.abstract) {
		/* unix_bind_bsd: the node first (EEXIST means the address is
		 * in use), removed again when the socket has a name already. */
		err = vfs_mknodat(t, AT_FDCWD, n.path, S_IFSOCK | 0777, 0);
		if (err)
			return err == -EEXIST ? -EADDRINUSE : err;
		struct path p;
		err = vfs_lookup_at(t, NULL, AT_FDCWD, n.path, 0, &p);
		if (err)
			return err;
		ino = path_inode(p);
	}
	pthread_mutex_lock(&unix_lock);
	err = attach_name_locked(s, &n, ino);
	pthread_mutex_unlock(&unix_lock);
	if (err && !n.abstract)
		vfs_unlinkat(t, AT_FDCWD, n.path, false);
	return err;
}

int unix_listen(struct file *f, struct task *t, int backlog)
{
	struct usock *s = f->priv;
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&unix_lock);
	int err = 0;
	if (!s->addrlen || (s->state != US_UNCONN && s->state != US_LISTEN))
		err = -EINVAL;   /* unbound, or connected */
	else {
		/* somaxconn caps the backlog (4096). */
		if ((unsigned)backlog > 4096)
			backlog = 4096;
		s->backlog = backlog;
		s->state = US_LISTEN;
		set_peer_creds(s, t);
	}
	pthread_mutex_unlock(&unix_lock);
	/* Connectors waiting for room may go on. */
	usock_notify(s, POLLOUT);
	return err;
}

/* The listening (or, for datagrams, bound) socket named n, referenced:
 * 0 or -ENOENT/-EACCES/-ECONNREFUSED/-EPROTOTYPE. */
static int lookup_target(struct task *t, const struct uname *n, int type, struct usock **out)
{
	struct inode *ino = NULL;
	if (!n->abstract) {
		struct path p;
		int err = vfs_lookup_at(t, NULL, AT_FDCWD, n->path, WALK_FOLLOW, &p);
		if (err)
			return err;
		ino = path_inode(p);
		/* unix_find_bsd: write permission on the node. */
		err = vfs_permission(&t->creds, ino, MAY_WRITE);
		if (err)
			return err == -EROFS ? -EACCES : err;
		if (!S_ISSOCK(ino->st.st_mode))
			return -ECONNREFUSED;
	}
	pthread_mutex_lock(&unix_lock);
	struct usock *b = find_bound_locked(n, ino, type);
	int err = 0;
	if (!b)
		err = -ECONNREFUSED;
	else if (b->type != type)
		err = -EPROTOTYPE;
	else
		usock_get(b);
	pthread_mutex_unlock(&unix_lock);
	*out = err ? NULL : b;
	return err;
}

static int stream_connect(struct file *f, struct task *t, struct usock *s, struct usock *l)
{
	struct usock *e = usock_new(t, s->type);
	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&unix_lock);
	int err;
	for (;;) {
		if (s->state == US_CONN) {
			err = -EISCONN;
			break;
		}
		if (s->state == US_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (l->dead || l->state != US_LISTEN) {
			err = -ECONNREFUSED;
			break;
		}
		if (l->aq_len <= l->backlog) {
			err = 0;
			break;
		}
		if (atomic_load(&f->flags) & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		/* Wait on the listener for room in its queue. */
		struct waiter w = { 0 };
		waitq_add(&l->wq, &w, t, POLLOUT);
		pthread_mutex_unlock(&unix_lock);
		int r = task_block(t, NULL);
		waitq_remove(&l->wq, &w);
		pthread_mutex_lock(&unix_lock);
		if (r == -EINTR) {
			err = -ERESTARTSYS;
			break;
		}
	}
	if (err) {
		pthread_mutex_unlock(&unix_lock);
		usock_put(e);
		return err;
	}
	/* The embryo: s's peer, named as the listener, with s's creds;
	 * s gets the listener's (copy_peercred). */
	e->addr = l->addr;
	e->addrlen = l->addrlen;
	e->state = s->state = US_CONN;
	e->peer = s;
	usock_get(s);
	s->peer = e;
	usock_get(e);
	set_peer_creds(e, t);
	s->cred_pid = l->cred_pid;
	s->cred_uid = l->cred_uid;
	s->cred_gid = l->cred_gid;
	if (l->aq_tail)
		l->aq_tail->aq_next = e;
	else
		l->aq_head = e;
	l->aq_tail = e;
	l->aq_len++;
	pthread_mutex_unlock(&unix_lock);
	usock_notify(l, POLLIN | POLLRDNORM);
	return 0;
}

/* A datagram socket's default destination (reference of l taken over);
 * l NULL disconnects (AF_UNSPEC). */
static int dgram_connect(struct usock *s, struct usock *l)
{
	pthread_mutex_lock(&unix_lock);
	if (l && l->peer && l->peer != s) {
		pthread_mutex_unlock(&unix_lock);
		usock_put(l);
		return -EPERM;
	}
	struct usock *old = s->peer;
	s->peer = l;
	s->state = l ? US_CONN : US_UNCONN;
	pthread_mutex_unlock(&unix_lock);
	usock_put(old);
	usock_notify(s, POLLOUT | POLLWRNORM);
	return 0;
}

int unix_connect(struct file *f, struct task *t, const struct sockaddr_un *a, int len)
{
	struct usock *s = f->priv;
	if (s->type == SOCK_DGRAM && len >= (int)sizeof(sa_family_t) && a->sun_family == AF_UNSPEC)
		return dgram_connect(s, NULL);
	struct uname n;
	int err = parse_name(a, len, &n);
	if (err)
		return err;
	struct usock *l;
	if (s->type == SOCK_DGRAM) {
		err = lookup_target(t, &n, s->type, &l);
		if (err)
			return err;
		return dgram_connect(s, l);
	}
	err = lookup_target(t, &n, s->type, &l);
	if (err)
		return err;
	err = stream_connect(f, t, s, l);
	usock_put(l);
	return err;
}

int unix_accept(struct file *f, struct task *t, int flags, struct file **out, struct sockaddr_un *peer,
		int *peerlen)
{
	struct usock *s = f->priv;
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&unix_lock);
	struct usock *e = NULL;
	int err = 0;
	for (;;) {
		if (s->state != US_LISTEN) {
			err = -EINVAL;
			break;
		}
		if ((e = s->aq_head)) {
			s->aq_head = e->aq_next;
			if (!s->aq_head)
				s->aq_tail = NULL;
			s->aq_len--;
			e->aq_next = NULL;
			break;
		}
		if (atomic_load(&f->flags) & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		err = usock_wait(s, t, POLLIN);
		if (err)
			break;
	}
	if (e) {
		struct usock *p = e->peer;
		*peerlen = p && p->addrlen ? p->addrlen : SUN_PATH_OFF;
		memset(peer, 0, sizeof(*peer));
		peer->sun_family = AF_UNIX;
		if (p && p->addrlen)
			*peer = p->addr;
	}
	pthread_mutex_unlock(&unix_lock);
	if (err)
		return err;
	usock_notify(s, POLLOUT);
	struct file *nf = usock_file(e, flags);
	if (!nf) {
		usock_close(e);
		return -ENOMEM;
	}
	*out = nf;
	return 0;
}

int unix_getname(struct file *f, bool peer, struct sockaddr_un *out, int *len)
{
	struct usock *s = f->priv;
	pthread_mutex_lock(&unix_lock);
	struct usock *who = peer ? s->peer : s;
	int err = 0;
	if (!who) {
		err = -ENOTCONN;
	} else {
		memset(out, 0, sizeof(*out));
		out->sun_family = AF_UNIX;
		*len = SUN_PATH_OFF;
		if (who->addrlen) {
			*out = who->addr;
			*len = who->addrlen;
		}
	}
	pthread_mutex_unlock(&unix_lock);
	return err;
}
