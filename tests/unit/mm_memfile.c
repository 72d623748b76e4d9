/* Unit test of the memory-file allocator: allocation, reference counts,
 * reuse of freed pages (which must read as zero again). */
#include <stdio.h>
#include <string.h>

#include "mm/memfile.h"

static int failed, n;
#define CHECK(c, d) do { n++; if (c) printf("ok %d - %s\n", n, d); else { failed++; printf("not ok %d - %s\n", n, d); } } while (0)

int main(void)
{
	CHECK(mf_init(64 << 20) == 0, "init a 64 MiB memory file");
	uint64_t a, b, c;
	CHECK(mf_alloc(4, &a) == 0, "allocate 4 pages");
	CHECK(mf_alloc(1, &b) == 0 && b == a + 4 * PAGE_SIZE, "next allocation follows");
	CHECK(mf_used_pages() == 5, "5 pages in use");
	memset(mf_ptr(a), 0xab, 4 * PAGE_SIZE);
	mf_incref(a, 4);
	CHECK(mf_refcount(a) == 2, "incref counts");
	mf_decref(a, 4);
	CHECK(mf_used_pages() == 5 && ((unsigned char *)mf_ptr(a))[0] == 0xab, "pages survive while referenced");
	mf_decref(a, 4);
	CHECK(mf_used_pages() == 1, "last reference frees");
	CHECK(mf_alloc(4, &c) == 0 && c == a, "freed run is reused");
	int zero = 1;
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		zero &= ((unsigned char *)mf_ptr(c))[i] == 0;
	CHECK(zero, "reused pages read as zero");
	uint64_t big;
	CHECK(mf_alloc(mf_total_pages() + 1, &big) != 0, "too large an allocation fails");
	/* Fill the file, free one page in the middle, allocate it again. */
	uint64_t rest;
	CHECK(mf_alloc(mf_total_pages() - mf_used_pages(), &rest) == 0, "allocate the rest");
	uint64_t one;
	CHECK(mf_alloc(1, &one) != 0, "a full file refuses");
	mf_decref(rest + 10 * PAGE_SIZE, 1);
	CHECK(mf_alloc(1, &one) == 0 && one == rest + 10 * PAGE_SIZE, "a hole is found again");
	mf_decref(b, 1);
	CHECK(mf_alloc(2, &one) != 0, "no two contiguous free pages");
	printf("1..%d\n", n);
	return failed != 0;
}
