/*
 * Sockets: socket(2), socketpair(2), the send and receive calls,
 * shutdown(2), getsockopt(2)/setsockopt(2), getsockname(2)/getpeername(2).
 *
 * Only AF_UNIX exists (net/unix/unix.c): socket pairs, and stream and
 * seqpacket sockets named by a path or an abstract name that listen,
 * connect and accept, and datagram sockets sending to names. Other
 * families give EAFNOSUPPORT, as a kernel built without them does, and
 * are reported. Not yet: control messages (SCM_RIGHTS, SCM_CREDENTIALS).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "net/unix/unix.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

#undef UIO_MAXIOV
#define UIO_MAXIOV 1024
#define SOCK_TYPE_MASK 0xf
#define SOCK_MAX 11
#define AF_MAX_LINUX 46
/* struct sockaddr_storage */
#define SOCKADDR_MAX 128

/* The socket file at fd: 0 with *out, -EBADF or -ENOTSOCK (Linux's
 * sockfd_lookup: O_PATH descriptors are not looked at). */
static int sock_get(struct task *t, int fd, struct file **out)
{
	struct file *f = fdt_get_file(t->fdt, fd);
	if (!f || (f->mode & FMODE_PATH)) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	if (!file_is_unix_socket(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*out = f;
	return 0;
}

/* The checks of sock_create and unix_create, in Linux's order: the
 * socket type (SOCK_RAW means SOCK_DGRAM for AF_UNIX), or -errno. */
static int check_unix_type(int family, int type, int protocol)
{
	if (family < 0 || family >= AF_MAX_LINUX)
		return -EAFNOSUPPORT;
	int base = type & SOCK_TYPE_MASK;
	if (base < 0 || base >= SOCK_MAX)
		return -EINVAL;
	if (family != AF_UNIX) {
		char what[64];
		snprintf(what, sizeof(what), "socket address family %d", family);
		syscall_report_unsupported(what);
		return -EAFNOSUPPORT;
	}
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (base) {
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		return base;
	case SOCK_RAW:
		return SOCK_DGRAM;
	}
	return -ESOCKTNOSUPPORT;
}

static int check_type_flags(int type)
{
	return (type & ~SOCK_TYPE_MASK & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) ? -EINVAL : 0;
}

SYSCALL_DEFINE(socket)
{
	int family = (int)a[0], type = (int)a[1], protocol = (int)a[2];
	int err = check_type_flags(type);
	if (err)
		return err;
	err = check_unix_type(family, type, protocol);
	if (err < 0)
		return err;
	struct file *f;
	err = unix_socket_new(t, err, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &f);
	if (err)
		return err;
	int fd = fdt_alloc(t->fdt, f, 0, type & SOCK_CLOEXEC, task_nofile_limit(t));
	file_put(f);
	return fd;
}
const char sys_socket_partial[] = "AF_UNIX only";

SYSCALL_DEFINE(socketpair)
{
	int family = (int)a[0], type = (int)a[1], protocol = (int)a[2];
	uint64_t usv = a[3];
	int err = check_type_flags(type);
	if (err)
		return err;
	/* Linux stores the descriptor numbers before making the sockets. */
	int fds[2] = { -1, -1 };
	if (task_copy_out(t, usv, fds, sizeof(fds)))
		return -EFAULT;
	int base = check_unix_type(family, type, protocol);
	if (base < 0)
		return base;
	struct file *s1, *s2;
	err = unix_socketpair(t, base, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &s1, &s2);
	if (err)
		return err;
	int limit = task_nofile_limit(t);
	bool cloexec = type & SOCK_CLOEXEC;
	fds[0] = fdt_alloc(t->fdt, s1, 0, cloexec, limit);
	if (fds[0] >= 0)
		fds[1] = fdt_alloc(t->fdt, s2, 0, cloexec, limit);
	long r = 0;
	if (fds[0] < 0 || fds[1] < 0)
		r = fds[0] < 0 ? fds[0] : fds[1];
	else if (task_copy_out(t, usv, fds, sizeof(fds)))
		r = -EFAULT;
	if (r) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fdt_close(t->fdt, fds[i]);
	}
	file_put(s1);
	file_put(s2);
	return r;
}
const char sys_socketpair_partial[] = "AF_UNIX only; no SCM_RIGHTS/SCM_CREDENTIALS";

/* --- send and receive ----------------------------------------------- */

/* The flags moat knows; MSG_OOB is refused (send: EOPNOTSUPP, as a
 * kernel without AF_UNIX out-of-band data; recv: EINVAL, there never is
 * any). */
static int check_msg_flags(struct file *f, int flags, bool send)
{
	if (flags & MSG_OOB) {
		if (unix_socket_type(f) == SOCK_STREAM)
			syscall_report_unsupported("MSG_OOB on AF_UNIX stream sockets");
		return send ? -EOPNOTSUPP : -EINVAL;
	}
	return 0;
}

/* A destination address on a send, checked as move_addr_to_kernel
 * does; connected stream and seqpacket sockets refuse one (EISCONN). */
static long do_send(struct task *t, int fd, const struct iovec *iov, int cnt, int flags, uint64_t addr,
		    int64_t addr_len)
{
	struct file *f;
	int err = sock_get(t, fd, &f);
	if (err)
		return err;
	struct sockaddr_un to;
	char buf[SOCKADDR_MAX] = { 0 };
	long r = check_msg_flags(f, flags, true);
	if (!r && addr) {
		if (addr_len < 0 || addr_len > SOCKADDR_MAX)
			r = -EINVAL;
		else if (addr_len && task_copy_in(t, buf, addr, (size_t)addr_len))
			r = -EFAULT;
		else if (addr_len > (int64_t)sizeof(to))
			r = -EINVAL;
		memcpy(&to, buf, sizeof(to));
	}
	if (!r)
		r = unix_send(f, t, iov, cnt, flags, addr ? &to : NULL, addr ? (int)addr_len : 0);
	file_put(f);
	return r;
}

/* Copy an address out as move_addr_to_user: cut to the caller's length,
 * the full length stored. */
static long put_addr(struct task *t, uint64_t uaddr, uint64_t ulen, const void *addr, int klen)
{
	int len;
	if (task_copy_in(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > klen)
		len = klen;
	if (len && task_copy_out(t, uaddr, addr, (size_t)len))
		return -EFAULT;
	return task_copy_out(t, ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(sendto)
{
	struct iovec v = { (void *)a[1], a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a[2] };
	return do_send(t, (int)a[0], &v, 1, (int)a[3], a[4], (int)a[5]);
}

SYSCALL_DEFINE(recvfrom)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	int flags = (int)a[3];
	size_t n = a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a[2];
	struct iovec v = { (void *)a[1], n };
	int mf = 0, fromlen = 0;
	struct sockaddr_un from;
	long r = check_msg_flags(f, flags, false);
	if (!r)
		r = unix_recv(f, t, &v, 1, flags, &mf, &from, &fromlen);
	if (r >= 0 && a[4] && a[5]) {
		long e = put_addr(t, a[4], a[5], &from, fromlen);
		if (e)
			r = e;
	}
	file_put(f);
	return r;
}

/* struct msghdr as the x86-64 ABI lays it out. */
struct kmsghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad2;
};
_Static_assert(sizeof(struct kmsghdr) == 56, "msghdr layout");

/* Copy in a msghdr and its iovec array (Linux's copy_msghdr_from_user
 * and import_iovec). */
static int import_msghdr(struct task *t, uint64_t umsg, struct kmsghdr *m, struct iovec *iov)
{
	if (task_copy_in(t, m, umsg, sizeof(*m)))
		return -EFAULT;
	if (!m->name)
		m->namelen = 0;
	if (m->namelen < 0)
		return -EINVAL;
	if (m->namelen > SOCKADDR_MAX)
		m->namelen = SOCKADDR_MAX;
	if (m->iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (m->iovlen && task_copy_in(t, iov, m->iov, m->iovlen * sizeof(struct iovec)))
		return -EFAULT;
	return vfs_check_iovec(iov, (int)m->iovlen);
}

SYSCALL_DEFINE(sendmsg)
{
	struct kmsghdr m;
	struct iovec iov[UIO_MAXIOV];
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	long r = import_msghdr(t, a[1], &m, iov);
	if (!r && m.controllen > INT_MAX)
		r = -ENOBUFS;
	if (!r && m.controllen) {
		syscall_report_unsupported("sendmsg control messages (SCM_RIGHTS, SCM_CREDENTIALS)");
		r = -EOPNOTSUPP;
	}
	file_put(f);
	if (r)
		return r;
	return do_send(t, (int)a[0], iov, (int)m.iovlen, (int)a[2], m.name, m.namelen);
}

SYSCALL_DEFINE(recvmsg)
{
	struct kmsghdr m;
	struct iovec iov[UIO_MAXIOV];
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	int flags = (int)a[2];
	long r = import_msghdr(t, a[1], &m, iov);
	if (!r)
		r = check_msg_flags(f, flags, false);
	int mf = 0, fromlen = 0;
	struct sockaddr_un from;
	if (!r)
		r = unix_recv(f, t, iov, (int)m.iovlen, flags & ~MSG_CMSG_CLOEXEC, &mf, &from, &fromlen);
	file_put(f);
	if (r < 0)
		return r;
	/* The sender's name, no control data, the flags of what came. */
	uint64_t zero64 = 0;
	int32_t klen = fromlen;
	int copy = fromlen < m.namelen ? fromlen : m.namelen;
	if ((m.name && ((copy && task_copy_out(t, m.name, &from, (size_t)copy)) ||
			task_copy_out(t, a[1] + offsetof(struct kmsghdr, namelen), &klen, sizeof(klen)))) ||
	    task_copy_out(t, a[1] + offsetof(struct kmsghdr, flags), &mf, sizeof(mf)) ||
	    task_copy_out(t, a[1] + offsetof(struct kmsghdr, controllen), &zero64, sizeof(zero64)))
		return -EFAULT;
	return r;
}
const char sys_recvmsg_partial[] = "no control messages";
const char sys_sendmsg_partial[] = "no control messages";

/* --- shutdown, options, names --------------------------------------- */

SYSCALL_DEFINE(shutdown)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	int how = (int)a[1];
	long r = (how < SHUT_RD || how > SHUT_RDWR) ? -EINVAL : unix_shutdown(f, how);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(getsockopt)
{
	int level = (int)a[1], name = (int)a[2];
	uint64_t uval = a[3], ulen = a[4];
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	int len;
	long r = 0;
	char val[64];
	if (task_copy_in(t, &len, ulen, sizeof(len)))
		r = -EFAULT;
	else if (level != SOL_SOCKET)
		r = -EOPNOTSUPP;
	else if (len < 0)
		r = -EINVAL;
	else {
		r = unix_getsockopt(f, t, name, val, &len);
		if (r == -ENOPROTOOPT) {
			char what[64];
			snprintf(what, sizeof(what), "getsockopt SOL_SOCKET option %d", name);
			syscall_report_unsupported(what);
		}
	}
	if (!r && ((len && task_copy_out(t, uval, val, (size_t)len)) ||
		   task_copy_out(t, ulen, &len, sizeof(len))))
		r = -EFAULT;
	file_put(f);
	return r;
}
const char sys_getsockopt_partial[] = "SOL_SOCKET: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, "
				      "SO_PEERCRED, SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, SO_ACCEPTCONN";

SYSCALL_DEFINE(setsockopt)
{
	int level = (int)a[1], name = (int)a[2], len = (int)a[4];
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	long r;
	int v;
	if (len < 0)
		r = -EINVAL;
	else if (level != SOL_SOCKET)
		r = -EOPNOTSUPP;
	else if (len < (int)sizeof(int))
		r = -EINVAL;
	else if (task_copy_in(t, &v, a[3], sizeof(v)))
		r = -EFAULT;
	else {
		r = unix_setsockopt(f, t, name, &v, len);
		if (r == -ENOPROTOOPT) {
			char what[64];
			snprintf(what, sizeof(what), "setsockopt SOL_SOCKET option %d", name);
			syscall_report_unsupported(what);
		}
	}
	file_put(f);
	return r;
}
const char sys_setsockopt_partial[] = "SOL_SOCKET: SO_SNDBUF, SO_RCVBUF, SO_PASSCRED";

static long do_getname(struct task *t, const uint64_t *a, bool peer)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	struct sockaddr_un sa;
	int len;
	long r = unix_getname(f, peer, &sa, &len);
	if (!r)
		r = put_addr(t, a[1], a[2], &sa, len);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(getsockname) { return do_getname(t, a, false); }
SYSCALL_DEFINE(getpeername) { return do_getname(t, a, true); }

/* An address from the application: -EINVAL for a bad length, -EFAULT. */
static int copy_sockaddr(struct task *t, uint64_t uaddr, int64_t len, struct sockaddr_un *sa)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	char buf[SOCKADDR_MAX];
	if (len && task_copy_in(t, buf, uaddr, (size_t)len))
		return -EFAULT;
	memcpy(sa, buf, (size_t)len < sizeof(*sa) ? (size_t)len : sizeof(*sa));
	return 0;
}

SYSCALL_DEFINE(bind)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	struct sockaddr_un sa;
	int len = (int)a[2];
	long r = copy_sockaddr(t, a[1], len, &sa);
	if (!r)
		r = len > (int)sizeof(sa) ? -EINVAL : unix_bind(f, t, &sa, len);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(listen)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	long r = unix_listen(f, t, (int)a[1]);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(connect)
{
	struct file *f;
	int err = sock_get(t, (int)a[0], &f);
	if (err)
		return err;
	struct sockaddr_un sa;
	int len = (int)a[2];
	long r = copy_sockaddr(t, a[1], len, &sa);
	if (!r)
		r = unix_connect(f, t, &sa, len);
	file_put(f);
	return r;
}
const char sys_connect_partial[] = "AF_UNIX only";

static long do_accept4(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f;
	int err = sock_get(t, fd, &f);
	if (err)
		return err;
	struct sockaddr_un peer;
	int plen = 0;
	struct file *nf = NULL;
	long r = unix_accept(f, t, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &nf, &peer, &plen);
	file_put(f);
	if (r)
		return r;
	if (uaddr) {
		r = put_addr(t, uaddr, ulen, &peer, plen);
		if (r) {
			/* Linux loses the connection too when the address is bad. */
			file_put(nf);
			return r;
		}
	}
	r = fdt_alloc(t->fdt, nf, 0, flags & SOCK_CLOEXEC, task_nofile_limit(t));
	file_put(nf);
	return r;
}

SYSCALL_DEFINE(accept) { return do_accept4(t, (int)a[0], a[1], a[2], 0); }
SYSCALL_DEFINE(accept4) { return do_accept4(t, (int)a[0], a[1], a[2], (int)a[3]); }
