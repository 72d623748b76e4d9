/* net_unix_bind: socket(AF_UNIX) with bind to a path (an S_IFSOCK node)
 * or an abstract name (and autobind), listen, connect, accept/accept4,
 * getsockname/getpeername, SO_PEERCRED and SO_ACCEPTCONN, a blocking
 * accept woken by another process, and the errors: EADDRINUSE, EINVAL,
 * ENOENT, ECONNREFUSED, EPROTOTYPE, EISCONN, ENOTCONN, EAGAIN, EFAULT,
 * EOPNOTSUPP. Paths are under /tmp. */
#include "tap.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static void *volatile bad = BAD_LOW;

static socklen_t mkaddr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t mkabstract(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void path_sockets(void)
{
	char path[64], file[64];
	snprintf(path, sizeof path, "/tmp/moat-unix-%d.sock", getpid());
	snprintf(file, sizeof file, "/tmp/moat-unix-%d.file", getpid());
	unlink(path);
	struct sockaddr_un sa, got;
	socklen_t len = mkaddr(&sa, path), gl;

	int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket AF_UNIX stream");
	CHECK_EQ(fcntl(l, F_GETFD), FD_CLOEXEC, "SOCK_CLOEXEC");
	CHECK_ERR(listen(l, 5), EINVAL, "listen unbound EINVAL");
	CHECK_OK(bind(l, (struct sockaddr *)&sa, len), "bind to a path");
	struct stat st;
	CHECK_OK(stat(path, &st), "the path exists");
	CHECK(S_ISSOCK(st.st_mode), "as a socket node");
	CHECK_ERR(bind(l, (struct sockaddr *)&sa, len), EADDRINUSE, "bind twice to the same path EADDRINUSE");
	struct sockaddr_un sa2;
	char path2[80];
	snprintf(path2, sizeof path2, "%s2", path);
	socklen_t len2 = mkaddr(&sa2, path2);
	CHECK_ERR(bind(l, (struct sockaddr *)&sa2, len2), EINVAL, "bind a bound socket elsewhere EINVAL");
	CHECK_ERR(access(path2, F_OK), ENOENT, "and no node is left there");
	int o = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(o, (struct sockaddr *)&sa, len), EADDRINUSE, "bind to an existing path EADDRINUSE");
	gl = sizeof got;
	CHECK_OK(getsockname(l, (struct sockaddr *)&got, &gl), "getsockname");
	CHECK(gl == len && strcmp(got.sun_path, path) == 0, "getsockname is the path");

	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, len), ECONNREFUSED, "connect to a non-listener ECONNREFUSED");
	CHECK_OK(listen(l, 5), "listen");
	int v = 0;
	socklen_t vl = sizeof v;
	CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl), "SO_ACCEPTCONN");
	CHECK_EQ(v, 1, "listening");
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN, "nonblocking accept with nobody EAGAIN");
	struct pollfd pf = { l, POLLIN, 0 };
	CHECK_EQ(poll(&pf, 1, 0), 0, "listener not readable");
	CHECK_OK(connect(c, (struct sockaddr *)&sa, len), "connect");
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, len), EISCONN, "connect again EISCONN");
	CHECK_EQ(poll(&pf, 1, 0), 1, "listener readable with a pending connection");
	CHECK_EQ(write(c, "early", 5), 5, "write before the accept");
	struct sockaddr_un peer;
	socklen_t pl = sizeof peer;
	int a = CHECK_OK(accept4(l, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC | SOCK_NONBLOCK), "accept4");
	CHECK_EQ(pl, offsetof(struct sockaddr_un, sun_path), "unnamed connector: just the family");
	CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC, "accept4 SOCK_CLOEXEC");
	CHECK(fcntl(a, F_GETFL) & O_NONBLOCK, "accept4 SOCK_NONBLOCK");
	char buf[16] = { 0 };
	CHECK_EQ(read(a, buf, sizeof buf), 5, "accepted socket reads the early data");
	CHECK_EQ(write(a, "back", 4), 4, "and writes");
	CHECK_EQ(read(c, buf, sizeof buf), 4, "connector reads");
	gl = sizeof got;
	CHECK_OK(getpeername(c, (struct sockaddr *)&got, &gl), "getpeername of the connector");
	CHECK(gl == len && strcmp(got.sun_path, path) == 0, "is the listener's path");
	gl = sizeof got;
	CHECK_OK(getsockname(a, (struct sockaddr *)&got, &gl), "getsockname of the accepted socket");
	CHECK(gl == len && strcmp(got.sun_path, path) == 0, "is the listener's path too");
	struct ucred uc;
	socklen_t ul = sizeof uc;
	CHECK_OK(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "SO_PEERCRED");
	CHECK(uc.pid == getpid() && uc.uid == geteuid(), "peer credentials");
	close(c);
	CHECK_EQ(read(a, buf, sizeof buf), 0, "EOF after the connector closes");
	close(a);

	/* Errors of connect. */
	int s2 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(connect(s2, (struct sockaddr *)&sa, len), EPROTOTYPE, "seqpacket to a stream listener EPROTOTYPE");
	close(s2);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un missing;
	socklen_t ml = mkaddr(&missing, "/tmp/moat-unix-missing/x");
	CHECK_ERR(connect(c, (struct sockaddr *)&missing, ml), ENOENT, "connect to a missing path ENOENT");
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	struct sockaddr_un fa;
	socklen_t fl = mkaddr(&fa, file);
	CHECK_ERR(connect(c, (struct sockaddr *)&fa, fl), ECONNREFUSED, "connect to a regular file ECONNREFUSED");
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, 2), EINVAL, "connect with just the family EINVAL");
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, sizeof sa + 1), EINVAL, "connect with a long address EINVAL");
	CHECK_ERR(connect(c, bad, len), EFAULT, "connect bad address EFAULT");
	char b1[1];
	CHECK_ERR(recv(c, b1, 1, MSG_DONTWAIT), EINVAL, "recv on an unconnected stream EINVAL");
	CHECK_ERR(send(c, "x", 1, 0), ENOTCONN, "send on an unconnected stream ENOTCONN");
	gl = sizeof got;
	CHECK_ERR(getpeername(c, (struct sockaddr *)&got, &gl), ENOTCONN, "getpeername unconnected ENOTCONN");
	CHECK_ERR(accept(c, NULL, NULL), EINVAL, "accept on a non-listener EINVAL");
	close(l);
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, len), ECONNREFUSED, "listener closed, node left: ECONNREFUSED");
	close(c);
	struct sockaddr_in { short f; char rest[14]; } in = { AF_INET, { 0 } };
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(c, (struct sockaddr *)&in, sizeof in), EINVAL, "bind with family AF_INET EINVAL");
	CHECK_ERR(bind(c, (struct sockaddr *)&sa, sizeof sa + 1), EINVAL, "bind with a long address EINVAL");
	close(c);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(listen(d, 1), EOPNOTSUPP, "listen on a datagram socket EOPNOTSUPP");
	close(d);
	CHECK_ERR(socket(AF_UNIX, 15, 0), EINVAL, "socket type 15 EINVAL");
	CHECK_ERR(socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT, "SOCK_PACKET ESOCKTNOSUPPORT");
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL, "bad type flag EINVAL");
	unlink(path);
	unlink(file);
}

static void abstract_sockets(void)
{
	char name[32];
	snprintf(name, sizeof name, "moat-test-%d", getpid());
	struct sockaddr_un sa, got;
	socklen_t len = mkabstract(&sa, name), gl;
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_OK(bind(l, (struct sockaddr *)&sa, len), "bind abstract");
	int o = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(bind(o, (struct sockaddr *)&sa, len), EADDRINUSE, "same abstract name EADDRINUSE");
	close(o);
	gl = sizeof got;
	CHECK_OK(getsockname(l, (struct sockaddr *)&got, &gl), "getsockname abstract");
	CHECK(gl == len && got.sun_path[0] == 0 && memcmp(got.sun_path + 1, name, strlen(name)) == 0,
	      "the abstract name back");
	CHECK_OK(listen(l, 1), "listen");
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		/* Autobind: an abstract name of five hex digits. */
		struct sockaddr_un me = { .sun_family = AF_UNIX };
		bind(c, (struct sockaddr *)&me, sizeof(sa_family_t));
		if (connect(c, (struct sockaddr *)&sa, len) == 0)
			write(c, "msg", 3);
		char b[4];
		read(c, b, sizeof b);
		_exit(0);
	}
	struct sockaddr_un peer;
	socklen_t pl = sizeof peer;
	int a = CHECK_OK(accept(l, (struct sockaddr *)&peer, &pl), "blocking accept woken by the child");
	CHECK(pl == offsetof(struct sockaddr_un, sun_path) + 6 && peer.sun_path[0] == 0,
	      "autobound connector: NUL and five characters");
	char buf[8];
	CHECK_EQ(read(a, buf, sizeof buf), 3, "seqpacket message");
	struct ucred uc;
	socklen_t ul = sizeof uc;
	CHECK_OK(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "SO_PEERCRED");
	CHECK_EQ(uc.pid, pid, "names the child");
	close(a);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid, "child done");
	close(l);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&sa, len), ECONNREFUSED, "abstract name gone with its socket");
	close(c);
}

static void datagrams(void)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/moat-unix-dg-%d.sock", getpid());
	unlink(path);
	struct sockaddr_un sa, me, from;
	socklen_t len = mkaddr(&sa, path);
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(bind(srv, (struct sockaddr *)&sa, len), "bind a datagram socket");
	int cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_EQ(sendto(cl, "anon", 4, 0, (struct sockaddr *)&sa, len), 4, "sendto a path from an unnamed socket");
	char buf[16];
	socklen_t fl = sizeof from;
	CHECK_EQ(recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 4, "recvfrom");
	CHECK_EQ(fl, 0, "unnamed sender: length 0");
	socklen_t ml = mkabstract(&me, "moat-dg-client");
	char name[40];
	snprintf(name, sizeof name, "moat-dg-client-%d", getpid());
	ml = mkabstract(&me, name);
	CHECK_OK(bind(cl, (struct sockaddr *)&me, ml), "bind the client to an abstract name");
	CHECK_EQ(sendto(cl, "named", 5, 0, (struct sockaddr *)&sa, len), 5, "sendto from a named socket");
	fl = sizeof from;
	CHECK_EQ(recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 5, "recvfrom");
	CHECK(fl == ml && memcmp(&from, &me, ml) == 0, "the sender's abstract name");
	CHECK_EQ(sendto(srv, "reply", 5, 0, (struct sockaddr *)&from, fl), 5, "reply to that name");
	CHECK_EQ(recv(cl, buf, sizeof buf, 0), 5, "client gets the reply");
	CHECK_ERR(send(cl, "x", 1, 0), ENOTCONN, "send without a destination ENOTCONN");
	CHECK_OK(connect(cl, (struct sockaddr *)&sa, len), "connect a datagram socket");
	CHECK_EQ(send(cl, "conn", 4, 0), 4, "send to the connected address");
	struct iovec in = { buf, sizeof buf };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &in, .msg_iovlen = 1 };
	CHECK_EQ(recvmsg(srv, &mh, 0), 4, "recvmsg");
	CHECK_EQ(mh.msg_namelen, ml, "recvmsg names the sender");
	socklen_t gl = sizeof from;
	CHECK_OK(getpeername(cl, (struct sockaddr *)&from, &gl), "getpeername of a connected datagram socket");
	CHECK(gl == len && strcmp(from.sun_path, path) == 0, "is the server's path");
	int other = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un nowhere;
	socklen_t nl = mkaddr(&nowhere, "/tmp/moat-unix-nowhere/x");
	CHECK_ERR(sendto(other, "z", 1, 0, (struct sockaddr *)&nowhere, nl), ENOENT, "sendto a missing path ENOENT");
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(sendto(other, "z", 1, 0, (struct sockaddr *)&me, 2), EINVAL, "sendto with just the family EINVAL");
	close(st);
	close(srv);
	CHECK_ERR(send(cl, "gone", 4, 0), ECONNREFUSED, "destination closed ECONNREFUSED");
	CHECK_ERR(sendto(other, "z", 1, 0, (struct sockaddr *)&sa, len), ECONNREFUSED, "nobody bound there ECONNREFUSED");
	close(other);
	close(cl);
	unlink(path);
}

int main(void)
{
	tap_close_extra_fds();
	signal(SIGPIPE, SIG_IGN);
	path_sockets();
	abstract_sockets();
	datagrams();
	return tap_done();
}
