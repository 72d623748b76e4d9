#include "mm/vma.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void ref_nop(struct vma *v) { (void)v; }
struct vma_ref_ops vma_refs = { ref_nop, ref_nop };

void vma_set_init(struct vma_set *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
}

void vma_set_destroy(struct vma_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		vma_refs.put(&s->v[i]);
	free(s->v);
	vma_set_init(s);
}

size_t vma_lower_bound(const struct vma_set *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long vma_find(const struct vma_set *s, uint64_t addr)
{
	size_t i = vma_lower_bound(s, addr);
	if (i < s->n && s->v[i].start <= addr)
		return (long)i;
	return -1;
}

static int reserve(struct vma_set *s, size_t extra)
{
	if (s->n + extra <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 16;
	while (cap < s->n + extra)
		cap *= 2;
	struct vma *v = realloc(s->v, cap * sizeof *v);
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

bool vma_range_free(const struct vma_set *s, uint64_t start, uint64_t end)
{
	size_t i = vma_lower_bound(s, start);
	return i == s->n || s->v[i].start >= end;
}

int vma_insert(struct vma_set *s, const struct vma *v)
{
	if (!vma_range_free(s, v->start, v->end))
		return -EEXIST;
	if (reserve(s, 1))
		return -ENOMEM;
	size_t i = vma_lower_bound(s, v->start);
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *v);
	s->v[i] = *v;
	s->n++;
	return 0;
}

int vma_split_at(struct vma_set *s, uint64_t addr)
{
	long i = vma_find(s, addr);
	if (i < 0 || s->v[i].start == addr)
		return 0;
	if (reserve(s, 1))
		return -ENOMEM;
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
	s->n++;
	struct vma *lo = &s->v[i], *hi = &s->v[i + 1];
	lo->end = addr;
	hi->start = addr;
	if (hi->file || hi->obj)
		hi->off += addr - lo->start;
	vma_refs.get(hi);
	return 0;
}

int vma_remove_range(struct vma_set *s, uint64_t start, uint64_t end)
{
	int err = vma_split_at(s, start);
	if (!err)
		err = vma_split_at(s, end);
	if (err)
		return err;
	size_t first = vma_lower_bound(s, start), last = first;
	while (last < s->n && s->v[last].end <= end)
		last++;
	for (size_t i = first; i < last; i++)
		vma_refs.put(&s->v[i]);
	memmove(&s->v[first], &s->v[last], (s->n - last) * sizeof *s->v);
	s->n -= last - first;
	return 0;
}

uint64_t vma_find_gap_topdown(const struct vma_set *s, uint64_t len, uint64_t lo, uint64_t hi,
			      uint64_t align)
{
	if (len == 0 || hi < lo || hi - lo < len)
		return 0;
	/* Walk gaps from the top: between VMA i-1 and VMA i. */
	size_t i = vma_lower_bound(s, hi);
	uint64_t gap_end = hi;
	for (;;) {
		if (i < s->n && s->v[i].start < gap_end)
			gap_end = s->v[i].start;
		uint64_t gap_start = i > 0 ? s->v[i - 1].end : 0;
		if (gap_start < lo)
			gap_start = lo;
		if (gap_end >= gap_start + len) {
			uint64_t addr = (gap_end - len) & ~(align - 1);
			if (addr >= gap_start)
				return addr;
		}
		if (i == 0 || s->v[i - 1].end <= lo)
			return 0;
		i--;
		gap_end = s->v[i].start;
	}
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->maxprot != b->maxprot ||
	    a->flags != b->flags || a->file != b->file || a->obj != b->obj)
		return false;
	if ((a->file || a->obj) && a->off + (a->end - a->start) != b->off)
		return false;
	return true;
}

void vma_merge_around(struct vma_set *s, size_t i)
{
	if (i + 1 < s->n && mergeable(&s->v[i], &s->v[i + 1])) {
		s->v[i].end = s->v[i + 1].end;
		vma_refs.put(&s->v[i + 1]);
		memmove(&s->v[i + 1], &s->v[i + 2], (s->n - i - 2) * sizeof *s->v);
		s->n--;
	}
	if (i > 0 && mergeable(&s->v[i - 1], &s->v[i])) {
		s->v[i - 1].end = s->v[i].end;
		vma_refs.put(&s->v[i]);
		memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
		s->n--;
	}
}

int vma_set_copy(struct vma_set *dst, const struct vma_set *src)
{
	vma_set_init(dst);
	if (reserve(dst, src->n))
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof *src->v);
	dst->n = src->n;
	for (size_t i = 0; i < dst->n; i++)
		vma_refs.get(&dst->v[i]);
	return 0;
}
