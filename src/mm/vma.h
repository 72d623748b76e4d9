/*
 * The VMA set of an address space: non-overlapping [start, end) ranges kept
 * sorted in an array (binary search to find, memmove to insert: address
 * spaces hold hundreds of VMAs, not millions).
 */
#ifndef MOAT_MM_VMA_H
#define MOAT_MM_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct memobj;

enum {
	VMA_SHARED    = 1 << 0,  /* MAP_SHARED: writes reach the backing object */
	VMA_GROWSDOWN = 1 << 1,
	VMA_STACK     = 1 << 2,  /* the initial stack ([stack]) */
	VMA_HEAP      = 1 << 3,  /* brk area ([heap]) */
	VMA_LOCKED    = 1 << 4,
	VMA_DONTFORK  = 1 << 5,  /* MADV_DONTFORK: not in a fork child */
	VMA_WIPEONFORK = 1 << 6, /* MADV_WIPEONFORK: zero in a fork child */
	VMA_SPECIAL   = 1 << 7,  /* a platform mapping (vDSO): no pages of ours */
};

struct vma {
	uint64_t start, end;
	int prot;                 /* PROT_* */
	int maxprot;              /* what mprotect may grant (file open mode) */
	int flags;                /* VMA_* */
	struct file *file;        /* private or shared file mapping, else NULL */
	uint64_t off;             /* file offset of start */
	struct memobj *obj;       /* backing object of a shared mapping */
};

struct vma_set {
	struct vma *v;
	size_t n, cap;
};

/* Hooks for the references a VMA holds (file, memobj): taken when a VMA is
 * split in two, dropped when a VMA disappears. */
struct vma_ref_ops {
	void (*get)(struct vma *v);
	void (*put)(struct vma *v);
};
extern struct vma_ref_ops vma_refs;

void vma_set_init(struct vma_set *s);
void vma_set_destroy(struct vma_set *s);
/* Index of the VMA containing addr, or -1. */
long vma_find(const struct vma_set *s, uint64_t addr);
/* Index of the first VMA with end > addr (n if none). */
size_t vma_lower_bound(const struct vma_set *s, uint64_t addr);
/* Insert v, which must not overlap any VMA. */
int vma_insert(struct vma_set *s, const struct vma *v);
/* Split VMAs so that addr is a boundary. */
int vma_split_at(struct vma_set *s, uint64_t addr);
/* Remove every part of a VMA within [start, end). */
int vma_remove_range(struct vma_set *s, uint64_t start, uint64_t end);
/* True if [start, end) intersects no VMA. */
bool vma_range_free(const struct vma_set *s, uint64_t start, uint64_t end);
/* Highest free gap [addr, addr+len) with lo <= addr and addr+len <= hi,
 * aligned to align; returns 0 if none. */
uint64_t vma_find_gap_topdown(const struct vma_set *s, uint64_t len, uint64_t lo, uint64_t hi,
			      uint64_t align);
/* Merge a VMA with its neighbours when they are identical continuations. */
void vma_merge_around(struct vma_set *s, size_t i);
int vma_set_copy(struct vma_set *dst, const struct vma_set *src);

#endif
