/* eventfd(2): counter semantics, EFD_SEMAPHORE, EFD_NONBLOCK/CLOEXEC,
 * short buffers, overflow, blocking reads woken by another thread, poll. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "tap.h"

static void *writer(void *arg)
{
	usleep(50000);
	uint64_t v = 7;
	write(*(int *)arg, &v, sizeof(v));
	return NULL;
}

int main(void)
{
	tap_close_extra_fds();
	uint64_t v, big[2];
	CHECK_ERR(eventfd(0, 0x8000000), EINVAL, "unknown flag is EINVAL");
	int fd = CHECK_OK(eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd2 with NONBLOCK|CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec set");
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDWR, "O_RDWR|O_NONBLOCK");
	struct stat st;
	CHECK_OK(fstat(fd, &st), "fstat");
	CHECK_EQ(st.st_mode, 0600, "anon inode mode 0600, no type");
	CHECK_ERR(read(fd, &v, 4), EINVAL, "read of 4 bytes is EINVAL");
	CHECK_ERR(write(fd, &v, 7), EINVAL, "write of 7 bytes is EINVAL");
	CHECK_EQ(read(fd, big, 16), 8, "read returns 8 bytes");
	CHECK_EQ(big[0], 5, "initial value read");
	CHECK_ERR(read(fd, &v, 8), EAGAIN, "empty counter: EAGAIN");
	v = 3;
	CHECK_EQ(write(fd, &v, 8), 8, "write 3");
	v = 4;
	CHECK_EQ(write(fd, &v, 8), 8, "write 4");
	CHECK_EQ(read(fd, &v, 8), 8, "read sum");
	CHECK_EQ(v, 7, "counter summed writes");
	v = UINT64_MAX;
	CHECK_ERR(write(fd, &v, 8), EINVAL, "write of 2^64-1 is EINVAL");
	v = 0xfffffffffffffffeULL;
	CHECK_EQ(write(fd, &v, 8), 8, "write up to the max");
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1, "poll at max");
	CHECK_EQ(p.revents, POLLIN, "readable, not writable at max");
	v = 1;
	CHECK_ERR(write(fd, &v, 8), EAGAIN, "overflow: EAGAIN");
	v = 0;
	CHECK_EQ(write(fd, &v, 8), 8, "writing 0 at max is fine");
	CHECK_ERR(syscall(SYS_write, fd, BAD_LOW, 8), EFAULT, "bad buffer: EFAULT");
	CHECK_EQ(read(fd, &v, 8), 8, "drain");
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, 0), 1, "poll when empty");
	CHECK_EQ(p.revents, POLLOUT, "writable only when empty");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek is a no-op returning 0");
	close(fd);

	fd = CHECK_OK(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), "semaphore eventfd");
	int n = 0;
	while (read(fd, &v, 8) == 8 && v == 1)
		n++;
	CHECK_EQ(n, 3, "semaphore: three reads of 1");
	CHECK_EQ(errno, EAGAIN, "then EAGAIN");
	close(fd);

	fd = CHECK_OK(eventfd(0, 0), "blocking eventfd");
	pthread_t th;
	pthread_create(&th, NULL, writer, &fd);
	CHECK_EQ(read(fd, &v, 8), 8, "blocking read woken by a writer thread");
	CHECK_EQ(v, 7, "value from the writer");
	pthread_join(th, NULL);
	pthread_create(&th, NULL, writer, &fd);
	p = (struct pollfd){ fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1, "poll woken by a writer thread");
	pthread_join(th, NULL);
	close(fd);
	return tap_done();
}
