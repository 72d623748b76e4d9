/* mm_mmap: mmap/munmap/mprotect. Anonymous and file-private mappings,
 * MAP_FIXED replacement, MAP_FIXED_NOREPLACE, hints, partial unmaps, and the
 * EINVAL/EBADF/EACCES/ENODEV/ENOMEM/EEXIST rules. No faults are provoked
 * (signal delivery is tested elsewhere); mapped-ness is probed with mincore. */
#include "tap.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096UL

static int is_mapped(void *addr)
{
	unsigned char v;
	return mincore(addr, PG, &v) == 0;
}

static void *map_anon(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
	char *a = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	CHECK(a != MAP_FAILED, "anonymous private mapping");
	CHECK(((uintptr_t)a & (PG - 1)) == 0, "page aligned");
	int zeros = 1;
	for (size_t i = 0; i < 4 * PG; i++)
		zeros &= a[i] == 0;
	CHECK(zeros, "zero filled");
	memset(a, 'A', 4 * PG);
	CHECK(a[4 * PG - 1] == 'A', "writable");

	char *m = mmap(a + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(m == a + PG, "MAP_FIXED at the requested address");
	CHECK(m[0] == 0 && m[PG - 1] == 0, "MAP_FIXED replaced the page with zeros");
	CHECK(a[0] == 'A' && a[2 * PG] == 'A', "neighbours untouched");
	void *r = mmap(a + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(r == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over a mapping EEXIST");
	CHECK(a[2 * PG] == 'A', "the existing mapping survives");

	CHECK_OK(munmap(a + PG, PG), "munmap a middle page");
	CHECK(!is_mapped(a + PG), "the hole is unmapped");
	CHECK(is_mapped(a) && is_mapped(a + 2 * PG), "both sides still mapped");
	r = mmap(a + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(r == a + PG, "MAP_FIXED_NOREPLACE into the hole");
	CHECK_OK(munmap(a, 4 * PG), "munmap all");
	CHECK(!is_mapped(a) && !is_mapped(a + 3 * PG), "gone");
	CHECK_OK(munmap(a, 4 * PG), "munmap of an unmapped range succeeds");
	void *h = mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(h == a, "a free hint address is used");
	munmap(h, PG);

	/* Protections. */
	char *p = map_anon(2 * PG, PROT_READ | PROT_WRITE);
	strcpy(p, "keep");
	CHECK_OK(mprotect(p, PG, PROT_NONE), "mprotect PROT_NONE");
	CHECK_OK(mprotect(p, PG, PROT_READ | PROT_WRITE), "mprotect back to RW");
	CHECK(strcmp(p, "keep") == 0, "contents survive protection changes");
	CHECK_OK(mprotect(p, 2 * PG, PROT_READ), "mprotect read-only");
	CHECK_OK(mprotect(p, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC), "mprotect RWX on anonymous memory");
	CHECK_ERR(mprotect(p + 1, PG, PROT_READ), EINVAL, "mprotect unaligned EINVAL");
	CHECK_ERR(mprotect(p, PG, 0x100), EINVAL, "mprotect bad prot EINVAL");
	CHECK_OK(mprotect(p, 0, PROT_READ), "mprotect length 0");
	munmap(p + PG, PG);
	CHECK_ERR(mprotect(p, 2 * PG, PROT_READ), ENOMEM, "mprotect over a hole ENOMEM");
	munmap(p, PG);
	CHECK_ERR(mprotect(p, PG, PROT_READ), ENOMEM, "mprotect unmapped ENOMEM");

	/* Files. */
	int fd = open("/etc/passwd", O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	char *f = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(f != MAP_FAILED, "private file mapping with PROT_WRITE of an O_RDONLY file");
	char head[64];
	pread(fd, head, sizeof head, 0);
	CHECK(f != MAP_FAILED && memcmp(f, head, sizeof head) == 0, "mapping shows the file");
	f[0] ^= 1;
	pread(fd, head, 1, 0);
	CHECK(head[0] != f[0], "private writes do not reach the file");
	int tail_zero = 1;
	for (size_t i = st.st_size; i < ((st.st_size + PG - 1) & ~(PG - 1)); i++)
		tail_zero &= f[i] == 0;
	CHECK(tail_zero, "the last page is zero past EOF");
	munmap(f, st.st_size);
	char *s = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED, "shared read-only file mapping");
	CHECK_ERR(mprotect(s, PG, PROT_READ | PROT_WRITE), EACCES, "mprotect write on shared O_RDONLY mapping EACCES");
	munmap(s, PG);
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES,
	      "shared writable mapping of an O_RDONLY file EACCES");
	int sh = open("/bin/sh", O_RDONLY);
	char *e = mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, sh, 0);
	CHECK(e != MAP_FAILED && memcmp(e, "\177ELF", 4) == 0, "executable mapping of /bin/sh shows the ELF magic");
	munmap(e, PG);
	close(sh);
	char *o = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 1 << 20);
	CHECK(o != MAP_FAILED, "mapping past EOF is allowed (until touched)");
	munmap(o, PG);

	/* Errors. */
#define MMAP_ERR(addr, len, prot, flags, fd, off, want, desc)                          \
	do {                                                                             \
		errno = 0;                                                               \
		void *_r = mmap(addr, len, prot, flags, fd, off);                        \
		int _e = errno;                                                          \
		CHECK(_r == MAP_FAILED && _e == want, desc);                             \
		if (_r != MAP_FAILED || _e != want)                                      \
			tap_diag("got %p %s", _r, tap_errname(_e));                      \
	} while (0)
	MMAP_ERR(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, EINVAL, "length 0 EINVAL");
	MMAP_ERR(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0, EINVAL, "neither private nor shared EINVAL");
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0, EINVAL,
		 "private and shared EINVAL");
	MMAP_ERR((void *)0x10001000UL + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, EINVAL,
		 "unaligned MAP_FIXED address EINVAL");
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 1, EINVAL, "unaligned offset EINVAL");
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0, EBADF, "file mapping fd -1 EBADF");
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0, EBADF, "file mapping fd 9999 EBADF");
	int dir = open("/etc", O_RDONLY);
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, dir, 0, ENODEV, "mapping a directory ENODEV");
	int pp[2];
	pipe(pp);
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, pp[0], 0, ENODEV, "mapping a pipe ENODEV");
	int wo = open("/dev/null", O_WRONLY);
	MMAP_ERR(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0, EACCES, "mapping a write-only fd EACCES");
	MMAP_ERR(NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, ENOMEM, "length beyond the address space ENOMEM");
	MMAP_ERR(NULL, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, ENOMEM, "length near 2^64 ENOMEM");
	MMAP_ERR((void *)0x7ffffffff000UL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, ENOMEM,
		 "MAP_FIXED past the top of user space ENOMEM");
	CHECK_ERR(munmap(NULL, 0), EINVAL, "munmap length 0 EINVAL");
	CHECK_ERR(munmap((void *)0x10000001UL, PG), EINVAL, "munmap unaligned EINVAL");
	CHECK_ERR(munmap((void *)0x7ffffffff000UL, 4 * PG), EINVAL, "munmap past the top of user space EINVAL");
	close(dir);
	close(wo);
	close(fd);

	/* Shared anonymous memory and MAP_POPULATE. */
	char *sa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sa != MAP_FAILED && sa[0] == 0, "shared anonymous mapping");
	char *pop = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	CHECK(pop != MAP_FAILED && pop[3 * PG] == 0, "MAP_POPULATE");
	return tap_done();
}
