#include "mm/memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

uint8_t *mf_base;
static int memfd = -1;
static uint64_t total_pages;
static uint64_t used_pages;
static uint64_t *used_bitmap;    /* bit set: page allocated */
static uint32_t *refs;
static uint64_t next_fit;        /* where the next search starts */
static pthread_mutex_t mf_lock = PTHREAD_MUTEX_INITIALIZER;

static void *map_sparse(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int mf_init(uint64_t size)
{
	total_pages = size / PAGE_SIZE;
	memfd = memfd_create("moat-memory", MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)size) < 0)
		return -errno;
	void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, memfd, 0);
	if (base == MAP_FAILED)
		return -errno;
	mf_base = base;
	used_bitmap = map_sparse((total_pages + 63) / 64 * 8);
	refs = map_sparse(total_pages * sizeof *refs);
	if (!used_bitmap || !refs)
		return -ENOMEM;
	return 0;
}

int mf_fd(void) { return memfd; }

static inline bool page_used(uint64_t p) { return used_bitmap[p / 64] >> (p % 64) & 1; }
static inline void page_set(uint64_t p) { used_bitmap[p / 64] |= 1ULL << (p % 64); }
static inline void page_clear(uint64_t p) { used_bitmap[p / 64] &= ~(1ULL << (p % 64)); }

/* First run of n free pages in [from, to), or to when there is none. */
static uint64_t find_free_run(uint64_t from, uint64_t to, uint64_t n)
{
	uint64_t run = 0;
	for (uint64_t p = from; p < to;) {
		if (p % 64 == 0 && run == 0 && p + 64 <= to && used_bitmap[p / 64] == ~0ULL) {
			p += 64;
			continue;
		}
		if (page_used(p)) {
			run = 0;
		} else if (++run == n) {
			return p + 1 - n;
		}
		p++;
	}
	return to;
}

int mf_alloc(uint64_t npages, uint64_t *off)
{
	if (npages == 0 || npages > total_pages)
		return -ENOMEM;
	pthread_mutex_lock(&mf_lock);
	uint64_t start = find_free_run(next_fit, total_pages, npages);
	if (start == total_pages)
		start = find_free_run(0, total_pages, npages);
	if (start == total_pages) {
		pthread_mutex_unlock(&mf_lock);
		return -ENOMEM;
	}
	for (uint64_t p = start; p < start + npages; p++) {
		page_set(p);
		refs[p] = 1;
	}
	used_pages += npages;
	next_fit = start + npages;
	pthread_mutex_unlock(&mf_lock);
	*off = start * PAGE_SIZE;
	return 0;
}

void mf_incref(uint64_t off, uint64_t npages)
{
	uint64_t p = off / PAGE_SIZE;
	for (uint64_t i = 0; i < npages; i++)
		__atomic_add_fetch(&refs[p + i], 1, __ATOMIC_RELAXED);
}

/* Punch and release [first, end): called with mf_lock held so that no other
 * thread reuses the pages before they read as zero again. */
static void release_run(uint64_t first, uint64_t end)
{
	fallocate(memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)(first * PAGE_SIZE), (off_t)((end - first) * PAGE_SIZE));
	for (uint64_t p = first; p < end; p++)
		page_clear(p);
	used_pages -= end - first;
	if (first < next_fit)
		next_fit = first;
}

void mf_decref(uint64_t off, uint64_t npages)
{
	uint64_t p = off / PAGE_SIZE;
	uint64_t run_start = 0;
	bool in_run = false;
	bool locked = false;
	for (uint64_t i = 0; i < npages; i++) {
		bool last_ref = __atomic_sub_fetch(&refs[p + i], 1, __ATOMIC_ACQ_REL) == 0;
		if (last_ref && !in_run) {
			run_start = p + i;
			in_run = true;
		} else if (!last_ref && in_run) {
			if (!locked) { pthread_mutex_lock(&mf_lock); locked = true; }
			release_run(run_start, p + i);
			in_run = false;
		}
	}
	if (in_run) {
		if (!locked) { pthread_mutex_lock(&mf_lock); locked = true; }
		release_run(run_start, p + npages);
	}
	if (locked)
		pthread_mutex_unlock(&mf_lock);
}

uint32_t mf_refcount(uint64_t off) { return __atomic_load_n(&refs[off / PAGE_SIZE], __ATOMIC_RELAXED); }
uint64_t mf_used_pages(void) { return used_pages; }
uint64_t mf_total_pages(void) { return total_pages; }

bool mf_resident(uint64_t off)
{
	/* The host knows whether the page was ever touched: untouched pages
	 * of the sparse memfd are holes, not in memory. */
	unsigned char v = 0;
	if (mincore(mf_base + off, PAGE_SIZE, &v) != 0)
		return true;
	return v & 1;
}
