/* mm_brk: the raw brk syscall. brk(0) reports the break; growing maps zeroed
 * writable memory; shrinking and re-growing zeroes again; a request below the
 * start of the heap or absurdly high leaves the break unchanged. */
#include "tap.h"
#include <sys/mman.h>

static uintptr_t brk_raw(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

int main(void)
{
	uintptr_t start = brk_raw(0);
	CHECK(start != 0, "brk(0) reports the current break");
	CHECK_EQ(brk_raw(0), start, "brk(0) is stable");
	uintptr_t want = start + 10 * 4096 + 123;
	CHECK_EQ(brk_raw(want), want, "grow: the new break is exactly what was asked");
	char *heap = (char *)start;
	int zero = 1;
	for (uintptr_t i = 0; i < want - start; i++)
		zero &= heap[i] == 0;
	CHECK(zero, "new heap memory is zero");
	memset(heap, 'h', want - start);
	CHECK(heap[want - start - 1] == 'h', "new heap memory is writable");
	unsigned char v;
	CHECK_OK(mincore((void *)((want - 1) & ~4095UL), 4096, &v), "the last heap page is mapped");
	CHECK_EQ(brk_raw(start + 4096), start + 4096, "shrink");
	CHECK_ERR(mincore((void *)(start + 8192), 4096, &v), ENOMEM, "shrinking unmaps the pages above");
	CHECK_EQ(brk_raw(want), want, "grow again");
	CHECK(heap[5 * 4096] == 0, "re-grown memory is zero again");
	CHECK(heap[100] == 'h', "memory below the old break is kept");
	CHECK_EQ(brk_raw(1), want, "brk below the heap start fails: break unchanged");
	CHECK_EQ(brk_raw(start - 4096 * 1024), want, "brk into the program fails: break unchanged");
	CHECK_EQ(brk_raw(0x7fffffffe000UL), want, "brk to the top of user space fails: break unchanged");
	CHECK_EQ(brk_raw(-4096UL), want, "brk to a kernel address fails: break unchanged");
	/* A mapping above the break blocks growth; Linux also keeps one free
	 * page between the heap and the next mapping. */
	uintptr_t top = (want + 4095) & ~4095UL;
	void *block = mmap((void *)(top + 4 * 4096), 4096, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(block == (void *)(top + 4 * 4096), "map a page above the heap");
	CHECK_EQ(brk_raw(top + 8 * 4096), want, "growth across the mapping fails");
	CHECK_EQ(brk_raw(top + 4 * 4096), want, "growth right up to the mapping fails (guard page)");
	CHECK_EQ(brk_raw(top + 3 * 4096), top + 3 * 4096, "growth leaving one free page succeeds");
	munmap(block, 4096);
	CHECK_EQ(brk_raw(start), start, "back to the start");
	return tap_done();
}
