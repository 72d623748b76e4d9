/* dev_files: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom:
 * device numbers, read and write semantics, lseek, mmap of /dev/zero. */
#include "tap.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int is_chr(const char *path, unsigned maj, unsigned min)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
	       minor(st.st_rdev) == min;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	CHECK(is_chr("/dev/null", 1, 3), "/dev/null is char 1:3");
	CHECK(is_chr("/dev/zero", 1, 5), "/dev/zero is char 1:5");
	CHECK(is_chr("/dev/full", 1, 7), "/dev/full is char 1:7");
	CHECK(is_chr("/dev/random", 1, 8), "/dev/random is char 1:8");
	CHECK(is_chr("/dev/urandom", 1, 9), "/dev/urandom is char 1:9");
	struct stat st;
	stat("/dev/null", &st);
	CHECK((st.st_mode & 0777) == 0666, "/dev/null mode 0666");

	unsigned char a[64], b[64];
	int ur = CHECK_OK(open("/dev/urandom", O_RDONLY), "open /dev/urandom");
	CHECK_EQ(read(ur, a, sizeof a), 64, "read 64 random bytes");
	CHECK_EQ(read(ur, b, sizeof b), 64, "read 64 more");
	CHECK(memcmp(a, b, 64) != 0 && !all_zero(a, 64), "random bytes differ and are not zero");
	static unsigned char big[1 << 20];
	CHECK_EQ(read(ur, big, sizeof big), sizeof big, "1 MiB read from /dev/urandom is whole");
	int rnd = CHECK_OK(open("/dev/random", O_RDONLY | O_NONBLOCK), "open /dev/random");
	CHECK_EQ(read(rnd, a, 32), 32, "/dev/random gives bytes once seeded");
	int wur = open("/dev/urandom", O_WRONLY);
	CHECK_EQ(write(wur, "entropy?", 8), 8, "writing /dev/urandom is accepted");
	close(wur);
	close(rnd);
	close(ur);

	int null = open("/dev/null", O_RDWR);
	CHECK_EQ(write(null, big, sizeof big), sizeof big, "/dev/null takes 1 MiB");
	CHECK_EQ(read(null, a, 1), 0, "/dev/null reads EOF");
	CHECK_EQ(lseek(null, 1000, SEEK_SET), 0, "/dev/null seeks to 0");
	close(null);

	int zero = open("/dev/zero", O_RDWR);
	memset(big, 7, sizeof big);
	CHECK_EQ(read(zero, big, sizeof big), sizeof big, "/dev/zero fills 1 MiB");
	CHECK(all_zero(big, sizeof big), "all zero");
	unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
	CHECK(m != MAP_FAILED, "mmap /dev/zero private");
	CHECK(m != MAP_FAILED && all_zero(m, 8192), "mapping reads zeros");
	if (m != MAP_FAILED) {
		m[5000] = 9;
		CHECK(m[5000] == 9, "mapping is writable");
		munmap(m, 8192);
	}
	close(zero);

	int full = open("/dev/full", O_RDWR);
	CHECK_ERR(write(full, "x", 1), ENOSPC, "/dev/full write ENOSPC");
	memset(a, 1, sizeof a);
	CHECK_EQ(read(full, a, sizeof a), 64, "/dev/full reads");
	CHECK(all_zero(a, 64), "zeros");
	CHECK_EQ(lseek(full, 10, SEEK_SET), 0, "/dev/full seeks to 0");
	close(full);
	return tap_done();
}
