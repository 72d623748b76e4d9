/* tmp_dirs: directories on the /tmp file system, all inside a fresh
 * directory (removed at the end). /tmp is a sticky world-writable
 * directory; a directory's link count is 2 plus its subdirectories; "."
 * and ".." have the right inodes; readdir lists exactly the 50 files
 * created, and after removing half exactly the rest; creating a file
 * updates the directory's mtime; rmdir of a non-empty directory ENOTEMPTY,
 * of "." EINVAL, of a file ENOTDIR; mkdir of an existing name EEXIST; a
 * removed working directory reads as empty and creating in it ENOENT. */
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

static int count_entries(const char *path, int *dots)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	*dots = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			(*dots)++;
		else
			n++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	struct stat st;
	CHECK_OK(stat("/tmp", &st), "stat /tmp");
	CHECK((st.st_mode & 07777) == 01777 && S_ISDIR(st.st_mode), "/tmp is a sticky world-writable directory");
	snprintf(dir, sizeof dir, "/tmp/tmp_dirs.XXXXXX");
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", tap_errname(errno));
		return tap_done();
	}
	CHECK_OK(stat(dir, &st), "a fresh directory");
	CHECK_EQ(st.st_nlink, 2, "an empty directory has 2 links");
	CHECK_OK(mkdir(at("a"), 0755), "mkdir a");
	CHECK_OK(mkdir(at("b"), 0755), "mkdir b");
	stat(dir, &st);
	CHECK_EQ(st.st_nlink, 4, "two subdirectories: 4 links");
	struct stat dot, dotdot, a, parent;
	stat(at("a/."), &dot);
	stat(at("a"), &a);
	stat(at("a/.."), &dotdot);
	stat(dir, &parent);
	CHECK(dot.st_ino == a.st_ino && dotdot.st_ino == parent.st_ino, "\".\" and \"..\" are the right directories");
	CHECK_ERR(mkdir(at("a"), 0755), EEXIST, "mkdir of an existing name EEXIST");
	CHECK_OK(close(open(at("a/f"), O_CREAT | O_WRONLY, 0644)), "a file inside a");
	CHECK_ERR(rmdir(at("a")), ENOTEMPTY, "rmdir of a non-empty directory ENOTEMPTY");
	CHECK_ERR(rmdir(at("a/f")), ENOTDIR, "rmdir of a file ENOTDIR");
	CHECK_ERR(rmdir(at("a/.")), EINVAL, "rmdir of \".\" EINVAL");
	unlink(at("a/f"));
	CHECK_OK(rmdir(at("a")), "rmdir once empty");
	stat(dir, &st);
	CHECK_EQ(st.st_nlink, 3, "link count follows");

	stat(at("b"), &st);
	struct timespec before = st.st_mtim;
	struct timespec nap = { 0, 20 * 1000000L };
	nanosleep(&nap, NULL);
	int ok = 1;
	char name[32];
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "b/file%02d", i);
		int fd = open(at(name), O_CREAT | O_EXCL | O_WRONLY, 0644);
		ok &= fd >= 0;
		close(fd);
	}
	CHECK(ok, "create 50 files");
	stat(at("b"), &st);
	CHECK(st.st_mtim.tv_sec > before.tv_sec || (st.st_mtim.tv_sec == before.tv_sec && st.st_mtim.tv_nsec > before.tv_nsec),
	      "creating files updated the directory's mtime");
	int dots;
	CHECK_EQ(count_entries(at("b"), &dots), 50, "readdir lists 50 entries");
	CHECK_EQ(dots, 2, "plus \".\" and \"..\"");
	for (int i = 0; i < 50; i += 2) {
		snprintf(name, sizeof name, "b/file%02d", i);
		unlink(at(name));
	}
	CHECK_EQ(count_entries(at("b"), &dots), 25, "after removing half, 25 remain");
	for (int i = 1; i < 50; i += 2) {
		snprintf(name, sizeof name, "b/file%02d", i);
		unlink(at(name));
	}

	/* A working directory that is removed. */
	int here = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(chdir(at("b")), "chdir into b");
	CHECK_OK(rmdir(at("b")), "remove b while it is our cwd");
	CHECK_EQ(count_entries(".", &dots), 0, "the removed cwd reads as empty");
	CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), ENOENT, "creating in it ENOENT");
	fchdir(here);
	close(here);
	CHECK_OK(rmdir(dir), "remove the test directory");
	return tap_done();
}
