/* tmp_shared: files in /tmp (and /dev/shm) shared between processes, all
 * inside fresh directories removed at the end. Four processes appending
 * 200 records each with O_APPEND lose nothing and interleave only whole
 * records; a file unlinked by a child stays readable through the parent's
 * descriptor; a child's rename is seen by the parent's lookups; a POSIX
 * record lock held by one process makes another's F_SETLK fail EAGAIN
 * (F_GETLK names the holder) until it is released; /dev/shm takes files. */
#include "tap.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[64];

static const char *at(const char *name)
{
	static char bufs[4][256];
	static int n;
	char *b = bufs[n++ % 4];
	snprintf(b, 256, "%s/%s", dir, name);
	return b;
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/tmp_shared.XXXXXX");
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", tap_errname(errno));
		return tap_done();
	}
	int fd = open(at("log"), O_CREAT | O_WRONLY | O_APPEND, 0644);
	CHECK_OK(fd, "an O_APPEND file");
	pid_t kids[3];
	for (int k = 0; k < 4; k++) {
		pid_t pid = k < 3 ? fork() : 0;
		if (pid == 0) {
			char rec[11];
			for (int i = 0; i < 200; i++) {
				snprintf(rec, sizeof rec, "%c%08d\n", 'A' + k, i);
				write(fd, rec, 10);
			}
			if (k < 3)
				_exit(0);
		} else {
			kids[k] = pid;
		}
	}
	for (int k = 0; k < 3; k++)
		tap_wait(kids[k], 0);
	close(fd);
	struct stat st;
	stat(at("log"), &st);
	CHECK_EQ(st.st_size, 4 * 200 * 10, "four writers, 800 records, nothing lost");
	FILE *f = fopen(at("log"), "r");
	int next[4] = { 0 }, whole = 1;
	char line[64];
	while (f && fgets(line, sizeof line, f)) {
		int k = line[0] - 'A';
		whole &= strlen(line) == 10 && k >= 0 && k < 4 && atoi(line + 1) == next[k];
		if (k >= 0 && k < 4)
			next[k]++;
	}
	if (f)
		fclose(f);
	CHECK(whole && next[0] == 200 && next[3] == 200, "every record whole and each writer's in order");

	fd = open(at("doomed"), O_CREAT | O_RDWR, 0644);
	write(fd, "still here", 10);
	pid_t pid = fork();
	if (pid == 0)
		_exit(unlink(at("doomed")) == 0 && rename(at("log"), at("log2")) == 0 ? 0 : 1);
	int s = tap_wait(pid, 0);
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0, "a child unlinked one file and renamed another");
	char buf[16] = "";
	CHECK_EQ(pread(fd, buf, 10, 0), 10, "the unlinked file reads through our descriptor");
	CHECK(memcmp(buf, "still here", 10) == 0, "with its data");
	fstat(fd, &st);
	CHECK_EQ(st.st_nlink, 0, "and has no links");
	close(fd);
	CHECK_ERR(access(at("log"), F_OK), ENOENT, "the old name is gone for us");
	CHECK_OK(access(at("log2"), F_OK), "the new name is there");

	fd = open(at("locked"), O_CREAT | O_RDWR, 0644);
	int p[2], q[2];
	pipe(p);
	pipe(q);
	pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
		fcntl(fd, F_SETLK, &fl);
		write(p[1], "l", 1);
		char c;
		read(q[0], &c, 1);
		_exit(0); /* exit releases the lock */
	}
	char c;
	read(p[0], &c, 1);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10 };
	CHECK_ERR(fcntl(fd, F_SETLK, &fl), EAGAIN, "a conflicting record lock EAGAIN");
	fl.l_type = F_WRLCK;
	CHECK_OK(fcntl(fd, F_GETLK, &fl), "F_GETLK");
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == pid, "names the holder");
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 10 };
	CHECK_OK(fcntl(fd, F_SETLK, &fl), "a range next to it is free");
	write(q[1], "r", 1);
	tap_wait(pid, 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	CHECK_OK(fcntl(fd, F_SETLK, &fl), "after the holder exits the lock is ours");
	close(fd);

	char shm[] = "/dev/shm/tmp_shared.XXXXXX";
	fd = mkstemp(shm);
	CHECK_OK(fd, "a file in /dev/shm");
	CHECK_EQ(write(fd, "shm", 3), 3, "written");
	CHECK_EQ(pread(fd, buf, 3, 0), 3, "read back");
	close(fd);
	CHECK_OK(unlink(shm), "and removed");

	unlink(at("log2"));
	unlink(at("locked"));
	CHECK_OK(rmdir(dir), "remove the test directory");
	return tap_done();
}
