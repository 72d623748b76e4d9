/* fork_cow: fork shares private memory copy-on-write. A child's writes to
 * data, bss, heap, stack and private anonymous/file mappings are not seen by
 * the parent, and the parent's writes after fork are not seen by the child;
 * MAP_SHARED memory (anonymous and file) is seen both ways; MADV_DONTFORK
 * ranges are absent in the child and MADV_WIPEONFORK ranges read as zeros;
 * fork returns 0 in the child and the child's pid in the parent. */
#include "tap.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

static int data_word = 11;
static int bss_word;

/* The child reports through the exit status: bit i set = check i failed. */
static int child_checks(int *heap, int *stackp, int *priv, int *shared, int *filepriv, int *fileshared,
			int rd, int wr)
{
	int bad = 0;
	char go;
	/* Wait until the parent has written its post-fork values. */
	if (read(rd, &go, 1) != 1)
		return 0xff;
	if (data_word != 11 || bss_word != 22 || heap[0] != 33 || *stackp != 44 || priv[0] != 55)
		bad |= 1; /* parent's private writes after fork must not show */
	if (shared[0] != 600)
		bad |= 2; /* parent's shared write must show */
	if (filepriv[0] != 77)
		bad |= 4;
	if (fileshared[0] != 800)
		bad |= 8;
	data_word = -1;
	bss_word = -1;
	heap[0] = -1;
	*stackp = -1;
	priv[0] = -1;
	filepriv[0] = -1;
	shared[1] = 601;
	fileshared[1] = 801;
	if (write(wr, "d", 1) != 1)
		bad |= 16;
	return bad;
}

int main(void)
{
	char path[] = "/tmp/fork_cow.XXXXXX";
	int fd = mkstemp(path);
	CHECK_OK(fd, "temporary file in /tmp");
	unlink(path);
	CHECK_OK(ftruncate(fd, 8192), "size the file");
	bss_word = 22;
	int *heap = malloc(4096);
	heap[0] = 33;
	int stack_word = 44;
	int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *filepriv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	int *fileshared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	CHECK(priv != MAP_FAILED && shared != MAP_FAILED && filepriv != MAP_FAILED && fileshared != MAP_FAILED,
	      "mappings");
	priv[0] = 55;
	shared[0] = 66;
	filepriv[0] = 77;
	fileshared[0] = 88;
	int to_child[2], to_parent[2];
	CHECK_OK(pipe(to_child) | pipe(to_parent), "pipes");

	pid_t pid = fork();
	if (pid == 0) {
		int bad = child_checks(heap, &stack_word, priv, shared, filepriv, fileshared, to_child[0], to_parent[1]);
		_exit(bad);
	}
	CHECK(pid > 0, "fork returns the child's pid in the parent");
	/* Parent writes after fork: private ones stay private, shared ones show. */
	shared[0] = 600;
	fileshared[0] = 800;
	CHECK_EQ(write(to_child[1], "g", 1), 1, "tell the child to look");
	char c;
	CHECK_EQ(read(to_parent[0], &c, 1), 1, "child wrote its values");
	CHECK(data_word == 11 && bss_word == 22, "child's writes to data and bss not seen");
	CHECK(heap[0] == 33 && stack_word == 44, "child's writes to heap and stack not seen");
	CHECK(priv[0] == 55, "child's write to a private anonymous mapping not seen");
	CHECK(filepriv[0] == 77, "child's write to a private file mapping not seen");
	CHECK_EQ(shared[1], 601, "child's write to a shared anonymous mapping seen");
	CHECK_EQ(fileshared[1], 801, "child's write to a shared file mapping seen");
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st), "child exited");
	int bad = WEXITSTATUS(st);
	CHECK(!(bad & 1), "parent's private writes after fork not seen by the child");
	CHECK(!(bad & 2), "parent's shared anonymous write seen by the child");
	CHECK(!(bad & 4), "private file mapping contents inherited");
	CHECK(!(bad & 8), "parent's shared file write seen by the child");
	int word;
	CHECK_EQ(pread(fd, &word, 4, 4096 + 4), 4, "read the file");
	CHECK_EQ(word, 801, "shared file write reached the file");
	CHECK_EQ(pread(fd, &word, 4, 0), 4, "read the private page's file data");
	CHECK_EQ(word, 0, "private file writes never reach the file");

	/* MADV_DONTFORK and MADV_WIPEONFORK. */
	char *dontfork = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *wipe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dontfork[0] = 1;
	wipe[0] = 2;
	CHECK_OK(madvise(dontfork, 4096, MADV_DONTFORK), "MADV_DONTFORK");
	CHECK_OK(madvise(wipe, 4096, MADV_WIPEONFORK), "MADV_WIPEONFORK");
	CHECK_ERR(madvise(shared, 4096, MADV_WIPEONFORK), EINVAL, "MADV_WIPEONFORK on a shared mapping EINVAL");
	pid = fork();
	if (pid == 0) {
		unsigned char vec;
		int gone = mincore(dontfork, 4096, &vec) == -1 && errno == ENOMEM;
		_exit((gone ? 0 : 1) | (wipe[0] == 0 ? 0 : 2));
	}
	st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), "MADV_DONTFORK range is not mapped in the child");
	CHECK(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), "MADV_WIPEONFORK range reads as zeros in the child");
	CHECK(dontfork[0] == 1 && wipe[0] == 2, "the parent keeps both");

	/* Many children each writing the same page. */
	int all_ok = 1;
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0) {
			priv[10] = i;
			_exit(priv[10] == i && priv[0] == 55 ? 0 : 1);
		}
		st = tap_wait(pid, 0);
		all_ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	CHECK(all_ok && priv[10] == 0, "20 children each get their own copy of a page");
	close(fd);
	return tap_done();
}
