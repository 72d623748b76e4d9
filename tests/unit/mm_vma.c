/* Unit test of the VMA set: insert, find, split, remove, gaps, merge. */
#include <stdio.h>
#include <string.h>

#include "mm/vma.h"

static int failed, n;
#define CHECK(c, d) do { n++; if (c) printf("ok %d - %s\n", n, d); else { failed++; printf("not ok %d - %s\n", n, d); } } while (0)
#define K 0x1000ULL

static struct vma mk(uint64_t s, uint64_t e, int prot)
{
	struct vma v;
	memset(&v, 0, sizeof v);
	v.start = s;
	v.end = e;
	v.prot = prot;
	return v;
}

int main(void)
{
	struct vma_set s;
	vma_set_init(&s);
	struct vma v = mk(10 * K, 20 * K, 1);
	CHECK(vma_insert(&s, &v) == 0, "insert [10,20)");
	v = mk(30 * K, 40 * K, 1);
	CHECK(vma_insert(&s, &v) == 0, "insert [30,40)");
	v = mk(15 * K, 35 * K, 1);
	CHECK(vma_insert(&s, &v) != 0, "overlapping insert refused");
	CHECK(vma_find(&s, 10 * K) == 0 && vma_find(&s, 20 * K - 1) == 0, "find inside first");
	CHECK(vma_find(&s, 20 * K) == -1 && vma_find(&s, 9 * K) == -1, "find in gaps fails");
	CHECK(vma_find(&s, 39 * K) == 1, "find inside second");
	CHECK(vma_range_free(&s, 20 * K, 30 * K) && !vma_range_free(&s, 19 * K, 30 * K), "range_free");
	CHECK(vma_split_at(&s, 15 * K) == 0 && s.n == 3 && s.v[0].end == 15 * K && s.v[1].start == 15 * K,
	      "split at 15");
	vma_merge_around(&s, 0);
	CHECK(s.n == 2 && s.v[0].start == 10 * K && s.v[0].end == 20 * K, "merge undoes the split");
	CHECK(vma_remove_range(&s, 12 * K, 35 * K) == 0, "remove [12,35)");
	CHECK(s.n == 2 && s.v[0].end == 12 * K && s.v[1].start == 35 * K && s.v[1].end == 40 * K,
	      "remove trims both sides");
	uint64_t g = vma_find_gap_topdown(&s, 5 * K, 0, 100 * K, K);
	CHECK(g == 95 * K, "top-down gap under the limit");
	g = vma_find_gap_topdown(&s, 23 * K, 0, 40 * K, K);
	CHECK(g == 12 * K, "gap between VMAs when it fits exactly");
	g = vma_find_gap_topdown(&s, 24 * K, 11 * K, 40 * K, K);
	CHECK(g == 0, "no gap when none fits");
	for (int i = 0; i < 1000; i++) {
		v = mk((100 + 2 * i) * K, (101 + 2 * i) * K, 3);
		vma_insert(&s, &v);
	}
	CHECK(s.n == 1002 && vma_find(&s, (100 + 2 * 500) * K) == 502, "1000 VMAs stay sorted");
	vma_set_destroy(&s);
	CHECK(s.n == 0, "destroy empties");
	printf("1..%d\n", n);
	return failed != 0;
}
