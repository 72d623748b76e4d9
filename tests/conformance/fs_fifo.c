/* fs_fifo: named pipes (fifo(7)) in a writable directory. Opening waits
 * for the other side (a reader for a writer and the reverse), O_NONBLOCK
 * readers open at once and read EOF, O_NONBLOCK writers get ENXIO with no
 * reader, O_RDWR never waits, an interrupted open gives EINTR, data goes
 * through in order, and a FIFO everyone closed is empty again. */
#include "tap.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	char dir[] = "/tmp/fifoXXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL, "a scratch directory");
	snprintf(path, sizeof path, "%s/f", dir);
	CHECK_OK(mkfifo(path, 0600), "mkfifo");
	CHECK_ERR(mkfifo(path, 0600), EEXIST, "mkfifo of an existing name EEXIST");
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode), "stat shows a FIFO");

	int rd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0, "O_RDONLY|O_NONBLOCK opens without a writer");
	char buf[16];
	CHECK_EQ(read(rd, buf, sizeof buf), 0, "and reads EOF");
	close(rd);
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO, "O_WRONLY|O_NONBLOCK without a reader ENXIO");

	rd = open(path, O_RDONLY | O_NONBLOCK);
	int wr = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(wr >= 0, "O_WRONLY|O_NONBLOCK with a reader opens");
	CHECK_EQ(write(wr, "abc", 3), 3, "write");
	CHECK_EQ(read(rd, buf, sizeof buf), 3, "read what was written");
	CHECK(memcmp(buf, "abc", 3) == 0, "in order");
	CHECK(fstat(wr, &st) == 0 && S_ISFIFO(st.st_mode), "fstat of an end is a FIFO");
	CHECK_ERR(lseek(rd, 0, SEEK_SET), ESPIPE, "lseek ESPIPE");
	CHECK_EQ(write(wr, "left", 4), 4, "data left behind");
	close(wr);
	close(rd);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK_EQ(read(rd, buf, sizeof buf), 0, "a FIFO everyone closed starts empty");
	close(rd);

	int both = open(path, O_RDWR);
	CHECK(both >= 0, "O_RDWR opens without waiting");
	CHECK_EQ(write(both, "x", 1), 1, "and can write");
	CHECK_EQ(read(both, buf, 1), 1, "and read it back");
	close(both);

	/* Blocking opens meet: the child writes, the parent reads. */
	pid_t pid = fork();
	if (pid == 0) {
		int w = open(path, O_WRONLY);
		_exit(w >= 0 && write(w, "hello", 5) == 5 ? 0 : 1);
	}
	rd = open(path, O_RDONLY);
	CHECK(rd >= 0, "a blocking reader meets a writer");
	ssize_t n = 0, r;
	while (n < 5 && (r = read(rd, buf + n, sizeof buf - n)) > 0)
		n += r;
	CHECK_EQ(n, 5, "the writer's bytes arrive");
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer's side succeeded");
	CHECK_EQ(read(rd, buf, sizeof buf), 0, "EOF once the writer is gone");
	close(rd);

	/* A blocking open with nobody coming is interrupted by a signal. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR(open(path, O_WRONLY), EINTR, "an interrupted blocking open EINTR");
	alarm(0);

	CHECK_OK(unlink(path), "unlink the FIFO");
	CHECK_OK(rmdir(dir), "remove the directory");
	return tap_done();
}
