/* fs_tmp_write: file system changes, all inside a fresh directory under /tmp
 * (removed at the end). Create/exclusive create, write and read back,
 * pread/pwrite, O_APPEND, O_TRUNC, ftruncate growing with zeros, unlink of
 * an open file, hard links and link counts, symlinks, rename (replace,
 * EINVAL into itself, ENOTDIR/EISDIR), mkdir/rmdir (EEXIST, ENOTEMPTY),
 * chmod and umask, utimensat, getdents of the new directory, shared file
 * mappings, O_TMPFILE. */
#include "tap.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static char dir[64];

static const char *at(const char *name)
{
	static char bufs[4][256];
	static int n;
	char *b = bufs[n++ % 4];
	snprintf(b, 256, "%s/%s", dir, name);
	return b;
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

int main(void)
{
	umask(022);
	strcpy(dir, "/tmp/moat-conf-XXXXXX");
	if (!CHECK(mkdtemp(dir) != NULL, "mkdtemp under /tmp")) {
		tap_diag("mkdtemp: %s; nothing else can run", tap_errname(errno));
		return tap_done();
	}
	struct stat st;
	stat(dir, &st);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "directory with mode 0700");
	CHECK_EQ(count_entries(dir), 2, "new directory has only . and ..");

	/* Create, write, read. */
	int fd = CHECK_OK(open(at("a"), O_RDWR | O_CREAT | O_EXCL, 0666), "O_CREAT|O_EXCL a new file");
	fstat(fd, &st);
	CHECK_EQ(st.st_mode & 0777, 0644, "umask 022 applied to 0666");
	CHECK_EQ(st.st_size, 0, "empty");
	CHECK_ERR(open(at("a"), O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST, "O_EXCL on existing EEXIST");
	CHECK_EQ(write(fd, "hello world", 11), 11, "write 11 bytes");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "offset 11");
	char buf[64] = { 0 };
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 11, "pread the whole file");
	CHECK(memcmp(buf, "hello world", 11) == 0, "contents");
	CHECK_EQ(pwrite(fd, "W", 1, 6), 1, "pwrite in the middle");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "pwrite keeps the offset");
	CHECK_EQ(pwrite(fd, "!", 1, 20), 1, "pwrite past EOF");
	CHECK_EQ(file_size(at("a")), 21, "file grew to 21");
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 21, "read back");
	CHECK(memcmp(buf, "hello World\0\0\0\0\0\0\0\0\0!", 21) == 0, "the gap reads as zeros");
	CHECK_OK(fsync(fd), "fsync");
	CHECK_OK(fdatasync(fd), "fdatasync");
	CHECK_OK(ftruncate(fd, 5), "ftruncate shrink");
	CHECK_EQ(file_size(at("a")), 5, "size 5");
	CHECK_OK(ftruncate(fd, 100), "ftruncate grow");
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(pread(fd, buf, 10, 3), 10, "read across the old end");
	CHECK(memcmp(buf, "lo\0\0\0\0\0\0\0\0", 10) == 0, "grown part is zero");
	CHECK_ERR(ftruncate(fd, -1), EINVAL, "ftruncate negative EINVAL");
	close(fd);
	int ro = open(at("a"), O_RDONLY);
	CHECK_ERR(ftruncate(ro, 0), EINVAL, "ftruncate on a read-only fd EINVAL");
	close(ro);
	CHECK_OK(truncate(at("a"), 7), "truncate by path");
	CHECK_EQ(file_size(at("a")), 7, "size 7");

	/* O_APPEND and O_TRUNC. */
	fd = open(at("a"), O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ(write(fd, "XY", 2), 2, "O_APPEND write");
	CHECK_EQ(file_size(at("a")), 9, "went to the end");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9, "offset at the new end");
	close(fd);
	fd = open(at("a"), O_WRONLY | O_TRUNC);
	CHECK_EQ(file_size(at("a")), 0, "O_TRUNC empties the file");
	close(fd);
	fd = creat(at("c"), 0600);
	CHECK(fd >= 0, "creat");
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY, "creat opens write-only");
	close(fd);

	/* Links. */
	CHECK_OK(link(at("a"), at("b")), "link");
	stat(at("a"), &st);
	CHECK_EQ(st.st_nlink, 2, "nlink 2");
	struct stat st2;
	stat(at("b"), &st2);
	CHECK(st.st_ino == st2.st_ino, "same inode");
	CHECK_ERR(link(at("a"), at("b")), EEXIST, "link to an existing name EEXIST");
	CHECK_OK(symlink("a", at("s")), "symlink");
	char target[64] = { 0 };
	CHECK_EQ(readlink(at("s"), target, sizeof target), 1, "readlink length");
	CHECK(strcmp(target, "a") == 0, "readlink target");
	lstat(at("s"), &st2);
	CHECK(S_ISLNK(st2.st_mode) && st2.st_size == 1, "lstat shows the link");
	stat(at("s"), &st2);
	CHECK(st2.st_ino == st.st_ino, "stat follows it");
	CHECK_ERR(symlink("x", at("s")), EEXIST, "symlink over an existing name EEXIST");
	CHECK_OK(symlink("nowhere", at("dangling")), "dangling symlink");
	CHECK_ERR(stat(at("dangling"), &st2), ENOENT, "stat of a dangling link ENOENT");
	CHECK_ERR(open(at("s"), O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on the link ELOOP");
	fd = open(at("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0, "O_CREAT through a dangling link creates the target");
	close(fd);
	CHECK_EQ(file_size(at("nowhere")), 0, "the target exists");

	/* Unlink while open. */
	fd = open(at("b"), O_RDWR);
	write(fd, "still here", 10);
	CHECK_OK(unlink(at("b")), "unlink b");
	stat(at("a"), &st);
	CHECK_EQ(st.st_nlink, 1, "nlink back to 1");
	CHECK_OK(unlink(at("a")), "unlink a");
	CHECK_ERR(access(at("a"), F_OK), ENOENT, "name gone");
	fstat(fd, &st);
	CHECK_EQ(st.st_nlink, 0, "open file has nlink 0");
	memset(buf, 0, sizeof buf);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 10, "data still readable");
	close(fd);
	CHECK_ERR(unlink(at("a")), ENOENT, "unlink missing ENOENT");

	/* Directories and rename. */
	CHECK_OK(mkdir(at("d"), 0755), "mkdir");
	CHECK_ERR(mkdir(at("d"), 0755), EEXIST, "mkdir existing EEXIST");
	CHECK_ERR(mkdir(at("c/x"), 0755), ENOTDIR, "mkdir under a file ENOTDIR");
	stat(dir, &st);
	CHECK_EQ(st.st_nlink, 3, "parent nlink counts the subdirectory");
	fd = open(at("d/f"), O_WRONLY | O_CREAT, 0644);
	write(fd, "in d", 4);
	close(fd);
	CHECK_ERR(rmdir(at("d")), ENOTEMPTY, "rmdir non-empty ENOTEMPTY");
	CHECK_ERR(rmdir(at("c")), ENOTDIR, "rmdir a file ENOTDIR");
	CHECK_ERR(unlink(at("d")), EISDIR, "unlink a directory EISDIR");
	CHECK_ERR(rename(at("d"), at("d/sub")), EINVAL, "rename a directory into itself EINVAL");
	CHECK_ERR(rename(at("d"), at("c")), ENOTDIR, "rename a directory over a file ENOTDIR");
	CHECK_ERR(rename(at("c"), at("d")), EISDIR, "rename a file over a directory EISDIR");
	CHECK_OK(rename(at("d/f"), at("c")), "rename a file over another file");
	memset(buf, 0, sizeof buf);
	fd = open(at("c"), O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof buf), 4, "the replacing file's contents");
	close(fd);
	CHECK_ERR(access(at("d/f"), F_OK), ENOENT, "old name gone");
	CHECK_OK(rename(at("c"), at("c")), "rename onto itself is a no-op");
	CHECK_OK(rename(at("d"), at("e")), "rename a directory");
	CHECK_OK(mkdir(at("e/sub"), 0700), "mkdir inside it");
	CHECK_OK(rmdir(at("e/sub")), "rmdir");
	CHECK_OK(rmdir(at("e")), "rmdir the renamed directory");
	CHECK_ERR(rmdir(at("e")), ENOENT, "rmdir missing ENOENT");
	CHECK_ERR(rmdir(at(".")), EINVAL, "rmdir . EINVAL");

	/* Modes and times. */
	CHECK_OK(chmod(at("c"), 0640), "chmod");
	stat(at("c"), &st);
	CHECK_EQ(st.st_mode & 07777, 0640, "mode 0640");
	fd = open(at("c"), O_RDONLY);
	CHECK_OK(fchmod(fd, 0604), "fchmod");
	fstat(fd, &st);
	CHECK_EQ(st.st_mode & 07777, 0604, "mode 0604");
	struct timespec times[2] = { { 1000000000, 123 }, { 1200000000, 456000 } };
	CHECK_OK(utimensat(AT_FDCWD, at("c"), times, 0), "utimensat explicit times");
	stat(at("c"), &st);
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 456000,
	      "times set");
	CHECK_OK(futimens(fd, (struct timespec[2]){ { 0, UTIME_OMIT }, { 0, UTIME_NOW } }), "futimens UTIME_NOW/UTIME_OMIT");
	fstat(fd, &st);
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1200000000, "mtime now, atime kept");
	CHECK_ERR(utimensat(AT_FDCWD, at("c"), (struct timespec[2]){ { 0, 1000000000 }, { 0, 0 } }, 0), EINVAL,
		  "utimensat bad tv_nsec EINVAL");
	close(fd);

	/* Shared mapping of a file. */
	fd = open(at("m"), O_RDWR | O_CREAT, 0644);
	ftruncate(fd, 4096);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "shared writable file mapping");
	if (m != MAP_FAILED) {
		memcpy(m + 100, "mapped", 6);
		memset(buf, 0, sizeof buf);
		pread(fd, buf, 6, 100);
		CHECK(memcmp(buf, "mapped", 6) == 0, "stores through the mapping are seen by read");
		pwrite(fd, "PWRITE", 6, 200);
		CHECK(memcmp(m + 200, "PWRITE", 6) == 0, "writes are seen through the mapping");
		CHECK_OK(msync(m, 4096, MS_SYNC), "msync");
		munmap(m, 4096);
	} else {
		CHECK(0, "stores through the mapping are seen by read");
		CHECK(0, "writes are seen through the mapping");
		CHECK(0, "msync");
	}
	close(fd);

	/* O_TMPFILE: an unnamed file in the directory. */
	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0, "O_TMPFILE");
	if (fd >= 0) {
		fstat(fd, &st);
		CHECK(S_ISREG(st.st_mode) && st.st_nlink == 0, "unnamed regular file");
		CHECK_EQ(write(fd, "tmp", 3), 3, "writable");
		close(fd);
	} else {
		CHECK(0, "unnamed regular file");
		CHECK(0, "writable");
	}

	/* Listing: c, s, dangling, nowhere, m and the dots. */
	CHECK_EQ(count_entries(dir), 7, "directory lists the remaining entries");
	const char *names[] = { "c", "s", "dangling", "nowhere", "m" };
	int removed = 0;
	for (size_t i = 0; i < 5; i++)
		removed += unlink(at(names[i])) == 0;
	CHECK_EQ(removed, 5, "unlink everything");
	CHECK_OK(rmdir(dir), "remove the directory");
	return tap_done();
}
