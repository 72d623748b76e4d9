/* net_unix_pair: socketpair(2) of AF_UNIX stream, datagram and seqpacket
 * sockets: flags, data both ways through read/write, readv/writev,
 * send/recv/sendto/recvfrom/sendmsg/recvmsg, MSG_PEEK, MSG_DONTWAIT,
 * MSG_TRUNC; shutdown with EOF and EPIPE (+SIGPIPE, MSG_NOSIGNAL); close
 * of the peer; poll and epoll readiness; socket options (SO_TYPE,
 * SO_DOMAIN, SO_ERROR, SO_PEERCRED, SO_SNDBUF/SO_RCVBUF); names; fstat
 * and /proc/self/fd; blocking reads woken from another process; and the
 * error cases (EINVAL, EFAULT, ENOTSOCK, EBADF, EAGAIN, EISCONN,
 * ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EMSGSIZE). */
#include "tap.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

/* A bad address the compiler cannot see through. */
static void *volatile bad = BAD_LOW;
static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { sigpipes++; }

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void stream_basics(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair stream");
	CHECK(sv[0] >= 3 && sv[1] == sv[0] + 1, "two lowest free fds");
	CHECK_EQ(fcntl(sv[0], F_GETFL) & O_ACCMODE, O_RDWR, "O_RDWR");
	CHECK_EQ(fcntl(sv[0], F_GETFD), 0, "no FD_CLOEXEC by default");
	struct stat st;
	CHECK_OK(fstat(sv[0], &st), "fstat");
	CHECK(S_ISSOCK(st.st_mode), "fstat says S_IFSOCK");
	char path[64], link[64] = { 0 };
	snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
	CHECK(readlink(path, link, sizeof link - 1) > 0, "readlink /proc/self/fd");
	char want[64];
	snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK(strcmp(link, want) == 0, "link is socket:[inode]");
	tap_diag("link %s", link);

	char buf[100] = { 0 };
	CHECK_EQ(write(sv[0], "hello", 5), 5, "write a->b");
	CHECK_EQ(write(sv[1], "back", 4), 4, "write b->a");
	int avail = -1;
	CHECK_OK(ioctl(sv[1], FIONREAD, &avail), "FIONREAD");
	CHECK_EQ(avail, 5, "FIONREAD counts 5");
	CHECK_EQ(recv(sv[1], buf, 3, MSG_PEEK), 3, "MSG_PEEK 3");
	CHECK_EQ(read(sv[1], buf, sizeof buf), 5, "read gets all 5 after peek");
	CHECK(memcmp(buf, "hello", 5) == 0, "data intact");
	CHECK_EQ(read(sv[0], buf, sizeof buf), 4, "read b->a");
	CHECK_ERR(recv(sv[0], buf, 1, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT on empty EAGAIN");

	struct iovec wv[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
	CHECK_EQ(writev(sv[0], wv, 3), 6, "writev 6");
	char r1[4] = { 0 }, r2[8] = { 0 };
	struct iovec rv[2] = { { r1, 4 }, { r2, 8 } };
	CHECK_EQ(readv(sv[1], rv, 2), 6, "readv 6");
	CHECK(memcmp(r1, "abcd", 4) == 0 && memcmp(r2, "ef", 2) == 0, "readv scatters in order");

	CHECK_EQ(send(sv[0], "xyz", 3, 0), 3, "send");
	struct sockaddr_un from;
	socklen_t flen = sizeof from;
	CHECK_EQ(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 3, "recvfrom");
	CHECK_EQ(flen, 0, "recvfrom of an unnamed peer: address length 0");
	CHECK_EQ(sendto(sv[0], "q", 1, 0, NULL, 0), 1, "sendto without address");
	struct sockaddr_un to = { .sun_family = AF_UNIX, .sun_path = "/nonexistent" };
	CHECK_ERR(sendto(sv[0], "q", 1, 0, (struct sockaddr *)&to, sizeof to), EISCONN,
		  "sendto with an address on a connected stream EISCONN");
	CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 1, "recv the sendto byte");

	char m1[3] = "123", m2[2] = "45";
	struct iovec mv[2] = { { m1, 3 }, { m2, 2 } };
	struct msghdr mh = { .msg_iov = mv, .msg_iovlen = 2 };
	CHECK_EQ(sendmsg(sv[0], &mh, 0), 5, "sendmsg two pieces");
	memset(buf, 0, sizeof buf);
	struct iovec in = { buf, sizeof buf };
	char ctl[64];
	struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &in, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof ctl, .msg_flags = -1 };
	CHECK_EQ(recvmsg(sv[1], &rh, 0), 5, "recvmsg");
	CHECK(memcmp(buf, "12345", 5) == 0, "recvmsg data");
	CHECK_EQ(rh.msg_flags, 0, "recvmsg flags 0");
	CHECK_EQ(rh.msg_controllen, 0, "no control data");
	CHECK_EQ(rh.msg_namelen, 0, "no peer name");

	/* Names. */
	struct sockaddr_un sa;
	socklen_t slen = sizeof sa;
	CHECK_OK(getsockname(sv[0], (struct sockaddr *)&sa, &slen), "getsockname");
	CHECK(slen == sizeof(sa_family_t) && sa.sun_family == AF_UNIX, "unnamed: just the family");
	slen = sizeof sa;
	CHECK_OK(getpeername(sv[0], (struct sockaddr *)&sa, &slen), "getpeername");
	CHECK(slen == sizeof(sa_family_t) && sa.sun_family == AF_UNIX, "peer unnamed too");

	/* Options. */
	int v = -1;
	socklen_t vl = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl), "SO_TYPE");
	CHECK(v == SOCK_STREAM && vl == sizeof v, "SO_TYPE is SOCK_STREAM");
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl), "SO_DOMAIN");
	CHECK_EQ(v, AF_UNIX, "SO_DOMAIN is AF_UNIX");
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &vl), "SO_ERROR");
	CHECK_EQ(v, 0, "no error");
	struct ucred uc = { 0 };
	socklen_t ul = sizeof uc;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul), "SO_PEERCRED");
	CHECK(uc.pid == getpid() && uc.uid == geteuid() && uc.gid == getegid() && ul == sizeof uc,
	      "peer credentials are ours");
	v = 8192;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v), "set SO_SNDBUF");
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl), "get SO_SNDBUF");
	CHECK_EQ(v, 16384, "SO_SNDBUF doubled");
	v = 8192;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v), "set SO_RCVBUF");
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &vl), "get SO_RCVBUF");
	CHECK_EQ(v, 16384, "SO_RCVBUF doubled");
	short sv2 = 0;
	vl = sizeof sv2;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &sv2, &vl), "SO_TYPE with a short length");
	CHECK_EQ(vl, sizeof sv2, "length kept short");
	vl = sizeof v;
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &vl), ENOPROTOOPT, "unknown option ENOPROTOOPT");
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, bad), EFAULT, "bad optlen EFAULT");
	vl = -1;
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl), EINVAL, "negative optlen EINVAL");
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL, "short setsockopt EINVAL");
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, bad, sizeof v), EFAULT, "setsockopt EFAULT");

	/* Errors on data calls. */
	CHECK_ERR(write(sv[0], bad, 10), EFAULT, "write from a bad buffer EFAULT");
	CHECK_ERR(send(sv[0], bad, 10, 0), EFAULT, "send from a bad buffer EFAULT");
	CHECK_EQ(write(sv[0], "k", 1), 1, "write one byte");
	CHECK_ERR(read(sv[1], bad, 10), EFAULT, "read into a bad buffer EFAULT");
	CHECK_EQ(read(sv[1], buf, 10), 1, "the byte is still there");
	CHECK_ERR(shutdown(sv[0], 3), EINVAL, "shutdown how 3 EINVAL");
	CHECK_ERR(shutdown(sv[0], -1), EINVAL, "shutdown how -1 EINVAL");
	close(sv[0]);
	close(sv[1]);
}

static void stream_shutdown_close(void)
{
	int sv[2];
	char buf[16];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), "socketpair NONBLOCK|CLOEXEC");
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC && fcntl(sv[1], F_GETFD) == FD_CLOEXEC, "both FD_CLOEXEC");
	CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && (fcntl(sv[1], F_GETFL) & O_NONBLOCK), "both O_NONBLOCK");
	CHECK_ERR(read(sv[0], buf, 1), EAGAIN, "empty nonblocking read EAGAIN");
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLOUT, "fresh: POLLOUT only");
	CHECK_EQ(write(sv[0], "ab", 2), 2, "write");
	CHECK_EQ(revents(sv[1], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT, "data: POLLIN|POLLOUT");

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = sv[1] }, out[2];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev), "epoll_ctl ADD");
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1, "epoll: readable");
	CHECK_EQ(read(sv[1], buf, sizeof buf), 2, "drain");
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0, "epoll: nothing after the drain");

	CHECK_OK(shutdown(sv[0], SHUT_WR), "shutdown SHUT_WR");
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1, "epoll: peer sees the shutdown");
	CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP, "EPOLLIN|EPOLLRDHUP");
	CHECK_EQ(revents(sv[1], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP,
		 "peer: POLLIN|POLLOUT|POLLRDHUP");
	CHECK_EQ(read(sv[1], buf, sizeof buf), 0, "peer reads EOF");
	CHECK_EQ(write(sv[1], "z", 1), 1, "the other direction still works");
	CHECK_EQ(read(sv[0], buf, sizeof buf), 1, "and reads");
	sigpipes = 0;
	CHECK_ERR(write(sv[0], "x", 1), EPIPE, "write after SHUT_WR EPIPE");
	CHECK_EQ(sigpipes, 1, "with SIGPIPE");
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "send MSG_NOSIGNAL EPIPE");
	CHECK_EQ(sigpipes, 1, "without SIGPIPE");
	CHECK_OK(shutdown(sv[1], SHUT_WR), "peer SHUT_WR too");
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP,
		 "both directions shut: POLLHUP");
	close(ep);
	close(sv[0]);
	close(sv[1]);

	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), "socketpair for close");
	CHECK_OK(shutdown(sv[0], SHUT_RD), "shutdown SHUT_RD");
	sigpipes = 0;
	CHECK_ERR(write(sv[1], "x", 1), EPIPE, "peer write after SHUT_RD EPIPE");
	CHECK_EQ(sigpipes, 1, "with SIGPIPE");
	CHECK_EQ(read(sv[0], buf, 1), 0, "SHUT_RD side reads EOF");
	CHECK_EQ(write(sv[0], "y", 1), 1, "SHUT_RD side may still write");
	close(sv[1]);
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP) & (POLLHUP | POLLIN | POLLRDHUP),
		 POLLHUP | POLLIN | POLLRDHUP, "peer closed: POLLHUP|POLLIN|POLLRDHUP");
	CHECK_ERR(write(sv[0], "y", 1), EPIPE, "write to a closed peer EPIPE");
	CHECK_EQ(sigpipes, 2, "with SIGPIPE");
	/* The "y" left unread in the closed peer resets the connection. */
	CHECK_ERR(read(sv[0], buf, 1), ECONNRESET, "read from a closed peer with unread data ECONNRESET");
	CHECK_EQ(read(sv[0], buf, 1), 0, "then EOF");
	close(sv[0]);

	/* Unread data in a closed socket: its peer gets ECONNRESET once. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair for reset");
	CHECK_EQ(write(sv[0], "u", 1), 1, "write data never read");
	close(sv[1]);
	CHECK(revents(sv[0], POLLIN) & POLLERR, "POLLERR");
	CHECK_ERR(read(sv[0], buf, 1), ECONNRESET, "read ECONNRESET");
	CHECK_EQ(read(sv[0], buf, 1), 0, "then EOF");
	close(sv[0]);

	/* Fill a nonblocking socket. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), "socketpair to fill");
	static char big[65536];
	long total = 0, n;
	while ((n = write(sv[0], big, sizeof big)) > 0)
		total += n;
	CHECK(total > 0 && errno == EAGAIN, "fills up, then EAGAIN");
	CHECK(!(revents(sv[0], POLLOUT) & POLLOUT), "full: no POLLOUT");
	long got = 0;
	while ((n = read(sv[1], big, sizeof big)) > 0)
		got += n;
	CHECK_EQ(got, total, "everything written is read");
	CHECK(revents(sv[0], POLLOUT) & POLLOUT, "drained: POLLOUT again");
	close(sv[0]);
	close(sv[1]);
}

static void blocking_across_processes(void)
{
	int sv[2];
	char buf[16] = { 0 };
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair for fork");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct ucred uc = { 0 };
		socklen_t ul = sizeof uc;
		getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &uc, &ul);
		usleep(100000);
		char m = uc.pid == parent ? 'P' : 'X';
		write(sv[1], &m, 1);
		/* Wait for the parent's answer, then close. */
		read(sv[1], buf, 1);
		_exit(0);
	}
	CHECK_EQ(read(sv[0], buf, sizeof buf), 1, "blocking read woken by the child's write");
	CHECK_EQ(buf[0], 'P', "child's SO_PEERCRED names the creator (parent)");
	CHECK_EQ(write(sv[0], "a", 1), 1, "answer");
	close(sv[1]);
	CHECK_EQ(read(sv[0], buf, 1), 0, "EOF once the child exits");
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid, "child reaped");
	close(sv[0]);
}

static void message_types(int type, const char *name)
{
	int sv[2];
	char buf[16];
	CHECK_OK(socketpair(AF_UNIX, type, 0, sv), "socketpair %s", name);
	int v;
	socklen_t vl = sizeof v;
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl), "%s SO_TYPE", name);
	CHECK_EQ(v, type, "%s SO_TYPE value", name);
	CHECK_EQ(write(sv[0], "one", 3), 3, "%s write one", name);
	CHECK_EQ(write(sv[0], "two!", 4), 4, "%s write two", name);
	CHECK_EQ(write(sv[0], "", 0), 0, "%s empty message", name);
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	/* A datagram socket counts its first message, seqpacket everything. */
	CHECK_EQ(avail, type == SOCK_DGRAM ? 3 : 7, "%s FIONREAD", name);
	CHECK_EQ(read(sv[1], buf, sizeof buf), 3, "%s read one message", name);
	CHECK_EQ(recv(sv[1], buf, 2, MSG_TRUNC | MSG_PEEK), 4, "%s MSG_TRUNC gives the real length", name);
	struct iovec in = { buf, 2 };
	struct msghdr mh = { .msg_iov = &in, .msg_iovlen = 1 };
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 2, "%s short read", name);
	CHECK(mh.msg_flags & MSG_TRUNC, "%s recvmsg says MSG_TRUNC", name);
	CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), 0, "%s empty message read", name);
	CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "%s the rest was dropped", name);
	struct iovec wv[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK_EQ(writev(sv[0], wv, 2), 4, "%s writev is one message", name);
	CHECK_EQ(read(sv[1], buf, sizeof buf), 4, "%s read it whole", name);
	static char big[300000];
	CHECK_ERR(write(sv[0], big, sizeof big), EMSGSIZE, "%s too big EMSGSIZE", name);
	close(sv[1]);
	sigpipes = 0;
	if (type == SOCK_SEQPACKET) {
		CHECK_EQ(read(sv[0], buf, sizeof buf), 0, "%s read from a closed peer EOF", name);
		CHECK_ERR(write(sv[0], "x", 1), EPIPE, "%s write to a closed peer EPIPE", name);
	} else {
		CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "%s closed peer: still EAGAIN", name);
		CHECK_ERR(write(sv[0], "x", 1), ECONNREFUSED, "%s write to a closed peer ECONNREFUSED", name);
		CHECK_ERR(write(sv[0], "x", 1), ENOTCONN, "%s then ENOTCONN", name);
		struct sockaddr_un sa;
		socklen_t sl = sizeof sa;
		CHECK_ERR(getpeername(sv[0], (struct sockaddr *)&sa, &sl), ENOTCONN, "%s getpeername ENOTCONN", name);
	}
	tap_diag("%s SIGPIPEs: %d", name, (int)sigpipes);
	close(sv[0]);
}

static void creation_errors(void)
{
	int sv[2];
	int p[2];
	char buf[4];
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv), EINVAL, "unknown type flag EINVAL");
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 2, sv), EPROTONOSUPPORT, "protocol 2 EPROTONOSUPPORT");
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, PF_UNIX, sv), "protocol PF_UNIX is fine");
	close(sv[0]);
	close(sv[1]);
	CHECK_ERR(socketpair(AF_UNIX, SOCK_PACKET, 0, sv), ESOCKTNOSUPPORT, "SOCK_PACKET ESOCKTNOSUPPORT");
	CHECK_ERR(socketpair(AF_UNIX, 15, 0, sv), EINVAL, "type 15 EINVAL");
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, bad), EFAULT, "bad vector EFAULT");
	CHECK_ERR(socketpair(-1, SOCK_STREAM, 0, sv), EAFNOSUPPORT, "family -1 EAFNOSUPPORT");
	CHECK_ERR(socketpair(1000, SOCK_STREAM, 0, sv), EAFNOSUPPORT, "family 1000 EAFNOSUPPORT");
	CHECK_OK(pipe(p), "pipe");
	CHECK_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK, "shutdown of a pipe ENOTSOCK");
	CHECK_ERR(recv(p[0], buf, 1, 0), ENOTSOCK, "recv on a pipe ENOTSOCK");
	CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK, "send on a pipe ENOTSOCK");
	int v;
	socklen_t vl = sizeof v;
	CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &vl), ENOTSOCK, "getsockopt on a pipe ENOTSOCK");
	close(p[0]);
	close(p[1]);
	CHECK_ERR(shutdown(999, SHUT_RD), EBADF, "shutdown of a bad fd EBADF");
	CHECK_ERR(recv(-1, buf, 1, 0), EBADF, "recv on fd -1 EBADF");
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	struct msghdr mh = { .msg_iov = (struct iovec *)buf, .msg_iovlen = 1025 };
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EMSGSIZE, "sendmsg with 1025 iovecs EMSGSIZE");
	CHECK_ERR(sendmsg(sv[0], bad, 0), EFAULT, "sendmsg bad header EFAULT");
	CHECK_ERR(recvmsg(sv[0], bad, MSG_DONTWAIT), EFAULT, "recvmsg bad header EFAULT");
	struct iovec neg = { buf, (size_t)-1 };
	struct msghdr mn = { .msg_iov = &neg, .msg_iovlen = 1 };
	CHECK_ERR(sendmsg(sv[0], &mn, 0), EINVAL, "sendmsg negative iov length EINVAL");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	tap_close_extra_fds();
	signal(SIGPIPE, on_sigpipe);
	stream_basics();
	stream_shutdown_close();
	blocking_across_processes();
	message_types(SOCK_DGRAM, "dgram");
	message_types(SOCK_SEQPACKET, "seqpacket");
	creation_errors();
	return tap_done();
}
