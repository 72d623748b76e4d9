/*
 * Application address spaces (DESIGN.md, 4): the VMAs, a software page
 * table saying which memory-file page backs each application page (and
 * whether it is mapped in the platform's address space), page faults,
 * copy-on-write, and copy in/out for the syscall handlers.
 */
#ifndef MOAT_MM_MM_H
#define MOAT_MM_MM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mm/vma.h"
#include "platform/platform.h"

struct task;
struct file;

/* A shared memory object: the pages of a MAP_SHARED anonymous mapping (and
 * later tmpfs files), shared by every mapping of it. */
struct memobj {
	atomic_int refs;
	pthread_mutex_t lock;
	uint64_t npages;
	uint64_t *pages;          /* memory-file offset + 1, or 0 when absent */
};

struct memobj *memobj_new(uint64_t npages);
void memobj_get(struct memobj *o);
void memobj_put(struct memobj *o);
/* The page at index idx, allocated on first use; new reference for the
 * caller in *off. */
int memobj_page(struct memobj *o, uint64_t idx, uint64_t *off);

struct pt_node;

struct mm {
	pthread_mutex_t lock;
	atomic_int users;         /* tasks sharing it (CLONE_VM) */
	struct vma_set vmas;
	struct pt_node *pt;       /* software page table */
	struct plat_as *as;
	uint64_t max_addr;        /* first address user mappings may not reach */
	uint64_t mmap_base;       /* top-down mmap search starts below this */
	uint64_t brk_start, brk;
	uint64_t stack_top;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[64];        /* saved for /proc/self/auxv */
	int auxv_len;
	struct file *exe;
	uint64_t rss_pages, rss_hiwater;   /* present pages, and their peak */
};

/* A new, empty address space with its platform address space; ctx is the
 * calling task's context (it becomes able to run in it). */
int mm_new(struct plat_ctx *ctx, struct mm **out);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* fork: a copy sharing private pages copy-on-write. */
int mm_fork(struct plat_ctx *ctx, struct mm *src, struct mm **out);

/* Resolve a page fault of the application at addr. Returns 0 when the
 * access may be retried, or the si_code of the signal to deliver with
 * *signo set (SIGSEGV/SIGBUS). */
int mm_fault(struct task *t, uint64_t addr, int *signo);

/* mmap(2) into mm (not necessarily the caller's: exec builds a new one). */
long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, struct file *f,
	     uint64_t off);
int mm_munmap(struct task *t, uint64_t addr, uint64_t len);
int mm_mprotect(struct task *t, uint64_t addr, uint64_t len, int prot);
long mm_brk(struct task *t, uint64_t addr);
long mm_mremap(struct task *t, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
	       uint64_t new_addr);
int mm_madvise(struct task *t, uint64_t addr, uint64_t len, int advice);
int mm_mincore(struct task *t, uint64_t addr, uint64_t len, uint64_t vec);
int mm_msync(struct task *t, uint64_t addr, uint64_t len, int flags);

/* Copy to and from the application through the memory file. */
int mm_copy_in(struct task *t, struct mm *mm, void *dst, uint64_t addr, size_t len);
int mm_copy_out(struct task *t, struct mm *mm, uint64_t addr, const void *src, size_t len);
/* Map obj shared at addr (or where mmap would put it); the mapping takes
 * its own reference. Returns the address or -errno. */
long mm_map_memobj(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, struct memobj *obj);
/* The key of a shared futex at addr: the memory-file offset + 1 of the
 * word when it lies in shared memory (MAP_SHARED, System V), else 0 (a
 * private mapping: keyed by mm and address, as Linux does). */
uint64_t mm_futex_shared_key(struct mm *mm, uint64_t addr);
/* Atomic compare-and-exchange of an application word (futexes). */
int mm_cmpxchg_u32(struct task *t, uint64_t addr, uint32_t expected, uint32_t desired, uint32_t *actual);
/* Zero application memory (bss tails). */
int mm_zero(struct task *t, struct mm *mm, uint64_t addr, size_t len);

#endif
