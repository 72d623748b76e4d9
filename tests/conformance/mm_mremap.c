/* mm_mremap: shrink, grow in place, ENOMEM when growth is blocked without
 * MREMAP_MAYMOVE, moves with MREMAP_MAYMOVE and MREMAP_FIXED (data follows,
 * old range unmapped), MREMAP_DONTUNMAP, EINVAL and EFAULT cases. */
#include "tap.h"
#include <sys/mman.h>

#define PG 4096UL
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static int is_mapped(void *addr)
{
	unsigned char v;
	return mincore(addr, PG, &v) == 0;
}

static void *raw_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

int main(void)
{
	/* Reserve 8 pages, keep 2, so that there is room to grow in place. */
	char *a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(a + 2 * PG, 6 * PG);
	memset(a, 'a', 2 * PG);
	char *g = raw_mremap(a, 2 * PG, 4 * PG, 0, NULL);
	CHECK(g == a, "grow in place");
	CHECK(a[PG] == 'a' && a[3 * PG] == 0, "old data kept, new pages zero");
	char *s = raw_mremap(a, 4 * PG, PG, 0, NULL);
	CHECK(s == a, "shrink in place");
	CHECK(!is_mapped(a + PG) && is_mapped(a), "shrink unmaps the tail");

	/* Blocked growth. */
	char *b = mmap(a + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(b == a + PG, "block the space after");
	CHECK(raw_mremap(a, PG, 2 * PG, 0, NULL) == MAP_FAILED && errno == ENOMEM, "blocked growth ENOMEM");
	char *mv = raw_mremap(a, PG, 3 * PG, MREMAP_MAYMOVE, NULL);
	CHECK(mv != MAP_FAILED && mv != a, "MREMAP_MAYMOVE moves");
	CHECK(mv != MAP_FAILED && mv[0] == 'a' && mv[PG - 1] == 'a', "data moved along");
	CHECK(!is_mapped(a), "old address unmapped after the move");
	munmap(b, PG);

	/* MREMAP_FIXED to a chosen free address. */
	char *target = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *f = raw_mremap(mv, 3 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target + PG);
	CHECK(f == target + PG, "MREMAP_FIXED lands at the target");
	CHECK(f[0] == 'a', "data at the target");
	CHECK(is_mapped(target) && is_mapped(target + 3 * PG), "the rest of the target reservation stays");
	CHECK(!is_mapped(mv), "source unmapped");

	/* MREMAP_DONTUNMAP keeps the source mapped, empty. */
	char *d = raw_mremap(f, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	CHECK(d != MAP_FAILED, "MREMAP_DONTUNMAP");
	CHECK(d != MAP_FAILED && d[0] == 'a', "data moved");
	CHECK(is_mapped(f) && f[0] == 0, "source still mapped and now zero");

	/* Errors. */
	CHECK(raw_mremap(d + 1, PG, PG, 0, NULL) == MAP_FAILED && errno == EINVAL, "unaligned old address EINVAL");
	CHECK(raw_mremap(d, PG, 0, 0, NULL) == MAP_FAILED && errno == EINVAL, "new length 0 EINVAL");
	CHECK(raw_mremap(d, PG, PG, MREMAP_FIXED, target) == MAP_FAILED && errno == EINVAL,
	      "MREMAP_FIXED without MREMAP_MAYMOVE EINVAL");
	CHECK(raw_mremap(d, PG, PG, 0x100, NULL) == MAP_FAILED && errno == EINVAL, "unknown flag EINVAL");
	CHECK(raw_mremap(d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d + PG) == MAP_FAILED && errno == EINVAL,
	      "overlapping MREMAP_FIXED target EINVAL");
	CHECK(raw_mremap(d, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, d + 1 + 8 * PG) == MAP_FAILED && errno == EINVAL,
	      "unaligned MREMAP_FIXED target EINVAL");
	char *gone = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, PG);
	CHECK(raw_mremap(gone, PG, 2 * PG, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EFAULT,
	      "unmapped old address EFAULT");
	CHECK(raw_mremap(d, 4 * PG, 8 * PG, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EFAULT,
	      "old range larger than the mapping EFAULT");
	CHECK(raw_mremap(d, PG, 1UL << 48, MREMAP_MAYMOVE, NULL) == MAP_FAILED && errno == EINVAL,
	      "new length beyond user space EINVAL");
	CHECK(raw_mremap(d, PG, PG, 0, NULL) == d, "same length is a no-op");
	return tap_done();
}
