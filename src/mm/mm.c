#include "mm/mm.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/task.h"
#include "lib/log.h"
#include "mm/memfile.h"
#include "mm/pagecache.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

/* ---- memory objects -------------------------------------------------- */

struct memobj *memobj_new(uint64_t npages)
{
	struct memobj *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->pages = calloc(npages ? npages : 1, sizeof *o->pages);
	if (!o->pages) {
		free(o);
		return NULL;
	}
	o->npages = npages;
	atomic_init(&o->refs, 1);
	pthread_mutex_init(&o->lock, NULL);
	return o;
}

void memobj_get(struct memobj *o) { atomic_fetch_add(&o->refs, 1); }

void memobj_put(struct memobj *o)
{
	if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	for (uint64_t i = 0; i < o->npages; i++)
		if (o->pages[i])
			mf_decref(o->pages[i] - 1, 1);
	free(o->pages);
	free(o);
}

static int memobj_grow(struct memobj *o, uint64_t npages)
{
	if (npages <= o->npages)
		return 0;
	uint64_t *p = realloc(o->pages, npages * sizeof *p);
	if (!p)
		return -ENOMEM;
	memset(p + o->npages, 0, (npages - o->npages) * sizeof *p);
	o->pages = p;
	o->npages = npages;
	return 0;
}

int memobj_page(struct memobj *o, uint64_t idx, uint64_t *off)
{
	pthread_mutex_lock(&o->lock);
	int err = memobj_grow(o, idx + 1);
	if (!err && !o->pages[idx]) {
		uint64_t new_off;
		err = mf_alloc(1, &new_off);
		if (!err)
			o->pages[idx] = new_off + 1;
	}
	if (!err) {
		*off = o->pages[idx] - 1;
		mf_incref(*off, 1);
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

/* VMA references: files and memory objects. */
static void vma_get_refs(struct vma *v)
{
	if (v->file)
		file_get(v->file);
	if (v->obj)
		memobj_get(v->obj);
}

static void vma_put_refs(struct vma *v)
{
	if (v->file)
		file_put(v->file);
	if (v->obj)
		memobj_put(v->obj);
}

__attribute__((constructor)) static void mm_install_vma_refs(void)
{
	vma_refs.get = vma_get_refs;
	vma_refs.put = vma_put_refs;
}

/* ---- the software page table ----------------------------------------- */

/* An entry: memory-file offset | PTE_* bits. Private pages hold one
 * reference each; PTE_COW marks a page shared with another mm by fork. */
#define PTE_PRESENT  0x1ULL
#define PTE_COW      0x2ULL
#define PTE_MAPPED   0x4ULL   /* mapped in the platform address space */
#define PTE_MAPPED_W 0x8ULL   /* ... writable */
#define PTE_OFF(e)   ((e) & PAGE_MASK)

#define PT_FANOUT 512
struct pt_node {
	void *slot[PT_FANOUT];
};
struct pt_leaf {
	uint64_t e[PT_FANOUT];
};

/* 47-bit addresses: 35 bits of page number = 8 + 9 + 9 + 9. */
static inline unsigned pt_idx(uint64_t addr, int level)
{
	return (addr >> (12 + 9 * level)) & (PT_FANOUT - 1);
}

static uint64_t *pte_lookup(struct mm *mm, uint64_t addr, bool create)
{
	struct pt_node *n = mm->pt;
	for (int level = 3; level >= 1; level--) {
		void **slot = &n->slot[pt_idx(addr, level)];
		if (!*slot) {
			if (!create)
				return NULL;
			*slot = calloc(1, level == 1 ? sizeof(struct pt_leaf) : sizeof(struct pt_node));
			if (!*slot)
				return NULL;
		}
		n = *slot;
	}
	return &((struct pt_leaf *)n)->e[pt_idx(addr, 0)];
}

/* The next address after addr whose page-table leaf may exist: skips the
 * absent subtrees of a sparse range. */
static uint64_t pte_next_present_region(struct mm *mm, uint64_t addr)
{
	struct pt_node *n = mm->pt;
	for (int level = 3; level >= 1; level--) {
		void *child = n->slot[pt_idx(addr, level)];
		if (!child) {
			uint64_t span = 1ULL << (12 + 9 * level);
			return (addr & ~(span - 1)) + span;
		}
		n = child;
	}
	return addr;
}

/* Free the node n of the given level and everything below it: the slots
 * of a level-1 node are leaves. */
static void pt_free(struct pt_node *n, int level)
{
	if (!n)
		return;
	for (int i = 0; i < PT_FANOUT; i++) {
		if (level > 1)
			pt_free(n->slot[i], level - 1);
		else
			free(n->slot[i]);
	}
	free(n);
}

/* The next present entry at or after *addr and below end, with *addr set
 * to its address; NULL when there is none. */
static uint64_t *pte_next(struct mm *mm, uint64_t *addr, uint64_t end)
{
	for (uint64_t a = *addr; a < end;) {
		uint64_t next = pte_next_present_region(mm, a);
		if (next != a) {
			a = next;
			continue;
		}
		uint64_t *e = pte_lookup(mm, a, false);
		if (*e & PTE_PRESENT) {
			*addr = a;
			return e;
		}
		a += PAGE_SIZE;
	}
	return NULL;
}

#define PTE_FOR_EACH(mm, start, end, addr, e) \
	for (uint64_t addr = (start), *e; (e = pte_next((mm), &addr, (end))); addr += PAGE_SIZE)

/* ---- platform calls -------------------------------------------------- */

static struct plat_ctx *caller_ctx(void)
{
	return current_task ? current_task->ctx : NULL;
}

static int as_unmap(struct mm *mm, uint64_t start, uint64_t end)
{
	if (!mm->as)
		return 0;
	return platform->as_unmap(caller_ctx(), mm->as, start, end - start);
}

/* Drop the platform mappings of [start, end) that exist. */
static void unmap_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	bool any = false;
	PTE_FOR_EACH(mm, start, end, addr, e) {
		if (*e & PTE_MAPPED) {
			any = true;
			*e &= ~(PTE_MAPPED | PTE_MAPPED_W);
		}
	}
	if (any)
		as_unmap(mm, start, end);
}

static void rss_add(struct mm *mm)
{
	if (++mm->rss_pages > mm->rss_hiwater)
		mm->rss_hiwater = mm->rss_pages;
}

/* Release the pages of [start, end) (the VMAs are the caller's). */
static void release_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	unmap_mapped(mm, start, end);
	PTE_FOR_EACH(mm, start, end, addr, e) {
		mf_decref(PTE_OFF(*e), 1);
		*e = 0;
		mm->rss_pages--;
	}
}

/* ---- mm objects ------------------------------------------------------ */

int mm_new(struct plat_ctx *ctx, struct mm **out)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm)
		return -ENOMEM;
	mm->pt = calloc(1, sizeof *mm->pt);
	if (!mm->pt) {
		free(mm);
		return -ENOMEM;
	}
	pthread_mutex_init(&mm->lock, NULL);
	atomic_init(&mm->users, 1);
	vma_set_init(&mm->vmas);
	mm->max_addr = platform->max_user_addr;
	int err = platform->as_new(ctx, &mm->as);
	if (err) {
		free(mm->pt);
		free(mm);
		return err;
	}
	*out = mm;
	return 0;
}

void mm_get(struct mm *mm) { atomic_fetch_add(&mm->users, 1); }

void mm_put(struct mm *mm)
{
	if (!mm || atomic_fetch_sub(&mm->users, 1) != 1)
		return;
	platform->as_release(mm->as);
	mm->as = NULL;
	for (size_t i = 0; i < mm->vmas.n; i++) {
		struct vma *v = &mm->vmas.v[i];
		PTE_FOR_EACH(mm, v->start, v->end, addr, e)
			mf_decref(PTE_OFF(*e), 1);
	}
	vma_set_destroy(&mm->vmas);
	pt_free(mm->pt, 3);
	if (mm->exe)
		file_put(mm->exe);
	free(mm);
}

/* One task uses mm, or all its tasks share one platform view: the page
 * table's PTE_MAPPED bits cover what that view maps, and a change made
 * through the caller's context holds for every task. */
static bool mm_single_user(struct mm *mm)
{
	return atomic_load(&mm->users) == 1 ||
	       (platform->as_coherent && mm->as && platform->as_coherent(mm->as));
}

static void protect_local(struct mm *mm, uint64_t start, uint64_t end, int prot)
{
	if (platform->as_protect_local(caller_ctx(), mm->as, start, end - start, prot) == 0)
		return;
	/* Not wholly mapped after all: fall back to dropping the mappings. */
	unmap_mapped(mm, start, end);
}

int mm_fork(struct plat_ctx *ctx, struct mm *src, struct mm **out)
{
	struct mm *mm;
	int err = mm_new(ctx, &mm);
	if (err)
		return err;
	pthread_mutex_lock(&src->lock);
	bool single = mm_single_user(src);
	err = vma_set_copy(&mm->vmas, &src->vmas);
	for (size_t i = 0; !err && i < src->vmas.n; i++) {
		struct vma *v = &src->vmas.v[i];
		if (v->flags & VMA_DONTFORK) {
			err = vma_remove_range(&mm->vmas, v->start, v->end);
			continue;
		}
		if (v->flags & VMA_WIPEONFORK)
			continue;   /* the child starts with fresh zero pages */
		bool private = !(v->flags & VMA_SHARED);
		bool write_protect = false;
		/* A run of pages the parent's only stub maps writable: they are
		 * write-protected there in place (no refaults for reads). */
		uint64_t run = 0, run_end = 0;
		PTE_FOR_EACH(src, v->start, v->end, addr, e) {
			uint64_t *ce = pte_lookup(mm, addr, true);
			if (!ce) {
				err = -ENOMEM;
				break;
			}
			mf_incref(PTE_OFF(*e), 1);
			if (private) {
				if (*e & PTE_MAPPED_W) {
					write_protect = true;
					if (single && run_end != addr) {
						if (run_end)
							protect_local(src, run, run_end, v->prot & ~PROT_WRITE);
						run = addr;
					}
					run_end = addr + PAGE_SIZE;
				}
				*e = (*e | PTE_COW) & ~PTE_MAPPED_W;
			}
			*ce = *e & ~(PTE_MAPPED | PTE_MAPPED_W);
			rss_add(mm);
		}
		/* The parent must fault on its next write to a now shared page. */
		if (single && run_end)
			protect_local(src, run, run_end, v->prot & ~PROT_WRITE);
		else if (write_protect && !single)
			platform->as_protect(caller_ctx(), src->as, v->start, v->end - v->start,
					     v->prot & ~PROT_WRITE);
	}
	mm->max_addr = src->max_addr;
	mm->mmap_base = src->mmap_base;
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->stack_top = src->stack_top;
	mm->arg_start = src->arg_start;
	mm->arg_end = src->arg_end;
	mm->env_start = src->env_start;
	mm->env_end = src->env_end;
	memcpy(mm->auxv, src->auxv, sizeof mm->auxv);
	mm->auxv_len = src->auxv_len;
	if (src->exe) {
		file_get(src->exe);
		mm->exe = src->exe;
	}
	pthread_mutex_unlock(&src->lock);
	if (err) {
		mm_put(mm);
		return err;
	}
	*out = mm;
	return 0;
}

/* ---- populating pages ------------------------------------------------ */

/* Fill a new private page of a file mapping from the file. Returns 0, or
 * -EFAULT when the page lies wholly past the end of the file (SIGBUS). */
static int fill_from_file(struct vma *v, uint64_t addr, uint64_t off)
{
	uint64_t foff = v->off + (addr - v->start);
	ssize_t n = file_kread(v->file, mf_ptr(off), PAGE_SIZE, foff);
	if (n <= 0)
		return -EFAULT;
	return 0;
}

/* Make the page at addr present in v. For a write, make it private to this
 * mm (copy-on-write). *e is its entry. Returns 0, -ENOMEM or -EFAULT (no
 * backing: SIGBUS). */

static int break_cow(struct mm *mm, uint64_t addr, uint64_t *e);

static int populate_page(struct mm *mm, struct vma *v, uint64_t addr, uint64_t *e, bool write)
{
	if (!(*e & PTE_PRESENT))
		rss_add(mm);
	if (!(*e & PTE_PRESENT)) {
		uint64_t off;
		int err;
		if (v->obj) {
			/* A shared file mapping ends with its file: SIGBUS past
			 * the last page (tmpfs files can shrink). */
			struct stat st;
			if (v->file && file_stat(v->file, &st) == 0 &&
			    v->off + (addr - v->start) >= (uint64_t)PAGE_ROUND_UP(st.st_size))
				return -EFAULT;
			err = memobj_page(v->obj, (v->off + addr - v->start) / PAGE_SIZE, &off);
			if (err)
				return err;
			*e = off | PTE_PRESENT;
			return 0;
		}
		if (v->file) {
			/* Private file pages start as shared copies of the
			 * page cache, copied on the first write. */
			err = pagecache_page(v->file, (v->off + addr - v->start) / PAGE_SIZE, &off);
			if (err == 0) {
				*e = off | PTE_PRESENT | PTE_COW;
				return write ? break_cow(mm, addr, e) : 0;
			}
			if (err != -ENOENT)
				return err;
		}
		err = mf_alloc(1, &off);
		if (err)
			return err;
		if (v->file && (err = fill_from_file(v, addr, off))) {
			mf_decref(off, 1);
			return err;
		}
		*e = off | PTE_PRESENT;
		return 0;
	}
	if (!write || !(*e & PTE_COW))
		return 0;
	return break_cow(mm, addr, e);
}

/* Give the copy-on-write page at addr (entry *e) to this mm alone. */
static int break_cow(struct mm *mm, uint64_t addr, uint64_t *e)
{
	uint64_t old = PTE_OFF(*e);
	if (mf_refcount(old) == 1) {
		*e &= ~PTE_COW;
		return 0;
	}
	uint64_t off;
	int err = mf_alloc(1, &off);
	if (err)
		return err;
	memcpy(mf_ptr(off), mf_ptr(old), PAGE_SIZE);
	/* Stubs may still map the shared page there: they must fault the
	 * private copy in instead, before our reference goes. */
	if (*e & PTE_MAPPED)
		as_unmap(mm, addr, addr + PAGE_SIZE);
	*e = off | PTE_PRESENT;
	mf_decref(old, 1);
	return 0;
}

/* Allocate fresh zero pages for the absent private anonymous pages of
 * [start, end) in one contiguous run, so they map with one platform call. */
static void prealloc_anon_run(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	if (v->file || v->obj)
		return;
	uint64_t n = 0;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		uint64_t *e = pte_lookup(mm, a, true);
		if (!e)
			return;
		if (!(*e & PTE_PRESENT))
			n++;
	}
	uint64_t off;
	if (n == 0 || mf_alloc(n, &off))
		return;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		uint64_t *e = pte_lookup(mm, a, false);
		if (!(*e & PTE_PRESENT)) {
			*e = off | PTE_PRESENT;
			off += PAGE_SIZE;
			rss_add(mm);
		}
	}
}

/* Map the present pages of [start, end) into the platform, coalescing runs
 * that are contiguous in the memory file and have the same protections. */
static int map_present(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	uint64_t run_addr = 0, run_off = 0, run_len = 0;
	int run_prot = 0;
	int err = 0;
	for (uint64_t a = start; a <= end; a += PAGE_SIZE) {
		uint64_t *e = a < end ? pte_lookup(mm, a, false) : NULL;
		bool want = e && (*e & PTE_PRESENT);
		int prot = v->prot;
		if (want && (*e & PTE_COW))
			prot &= ~PROT_WRITE;
		if (run_len && (!want || prot != run_prot || PTE_OFF(*e) != run_off + run_len)) {
			int r = platform->as_map(caller_ctx(), mm->as, run_addr, run_len, run_prot, run_off);
			if (r && !err)
				err = r;
			run_len = 0;
		}
		if (!want)
			continue;
		if (!run_len) {
			run_addr = a;
			run_off = PTE_OFF(*e);
			run_prot = prot;
		}
		run_len += PAGE_SIZE;
		*e = (*e & ~PTE_MAPPED_W) | PTE_MAPPED | ((prot & PROT_WRITE) ? PTE_MAPPED_W : 0);
	}
	return err;
}

/* Fault-around windows: faults bring in up to this much around the
 * address. A fault costs the ptrace platform tens of microseconds and a
 * mapping call costs the same for one page or many, so file pages (shared
 * from the page cache, nothing to allocate) come in larger windows. */
#define FAULT_AROUND (16 * PAGE_SIZE)
#define FAULT_AROUND_FILE (64 * PAGE_SIZE)

static bool stack_guard_ok(struct mm *mm, size_t i, uint64_t addr)
{
	/* Linux grows a MAP_GROWSDOWN VMA for accesses just below it, keeping
	 * a guard gap from the VMA beneath. */
	struct vma *v = &mm->vmas.v[i];
	if (addr < v->start - (256 * PAGE_SIZE) && !(v->flags & VMA_STACK))
		return false;
	uint64_t below = i > 0 ? mm->vmas.v[i - 1].end : 0;
	return PAGE_ROUND_DOWN(addr) >= below + PAGE_SIZE;
}

/* Find the VMA for addr, growing a grows-down VMA when the access lands in
 * the gap just below it. */
static long find_or_grow(struct mm *mm, uint64_t addr)
{
	long i = vma_find(&mm->vmas, addr);
	if (i >= 0)
		return i;
	size_t j = vma_lower_bound(&mm->vmas, addr);
	if (j >= mm->vmas.n || !(mm->vmas.v[j].flags & VMA_GROWSDOWN))
		return -1;
	struct vma *v = &mm->vmas.v[j];
	uint64_t limit = current_task ? current_task->tg->rlimits[RLIMIT_STACK].rlim_cur : 8 << 20;
	if (v->end - PAGE_ROUND_DOWN(addr) > limit || !stack_guard_ok(mm, j, addr))
		return -1;
	v->start = PAGE_ROUND_DOWN(addr);
	return (long)j;
}

/* How far past its window a read fault on a private file mapping may
 * reach over pages already in the page cache. */
#define FAULT_EXTEND_CACHED (512 * PAGE_SIZE)

/* Move the window edge at (down when dir < 0) over the pages of v that
 * are present but not mapped (a forked child's) or that the page cache
 * already holds (made present copy-on-write): they cost no reading, and
 * the page cache keeps a file's pages contiguous, so the whole window
 * still maps with few platform calls. */
static uint64_t extend_over_cached(struct mm *mm, struct vma *v, uint64_t at, int dir)
{
	uint64_t limit = dir < 0 ? (at - v->start > FAULT_EXTEND_CACHED ? at - FAULT_EXTEND_CACHED : v->start)
				 : (v->end - at > FAULT_EXTEND_CACHED ? at + FAULT_EXTEND_CACHED : v->end);
	while (at != limit) {
		uint64_t a = dir < 0 ? at - PAGE_SIZE : at;
		uint64_t *e = pte_lookup(mm, a, true);
		uint64_t off;
		if (!e || (*e & PTE_MAPPED))
			break;
		if (!(*e & PTE_PRESENT)) {
			if (pagecache_cached_page(v->file, (v->off + a - v->start) / PAGE_SIZE, &off))
				break;
			*e = off | PTE_PRESENT | PTE_COW;
			rss_add(mm);
		}
		at = dir < 0 ? a : a + PAGE_SIZE;
	}
	return at;
}

int mm_fault(struct task *t, uint64_t addr, int *signo)
{
	struct mm *mm = t->mm;
	*signo = SIGSEGV;
	pthread_mutex_lock(&mm->lock);
	long i = find_or_grow(mm, addr);
	if (i < 0) {
		pthread_mutex_unlock(&mm->lock);
		return SEGV_MAPERR;
	}
	struct vma *v = &mm->vmas.v[i];
	uint64_t page = PAGE_ROUND_DOWN(addr);
	uint64_t *e = pte_lookup(mm, page, true);
	int code = 0;
	if (!e) {
		code = SEGV_MAPERR;
		goto out;
	}
	if (v->prot == PROT_NONE || (v->flags & VMA_SPECIAL)) {
		code = SEGV_ACCERR;
		goto out;
	}
	/* ptrace does not say what the access was, and each stub of the mm
	 * maps pages on its own. So: the first fault on a page maps it with
	 * what the VMA allows (read-only while copy-on-write); a second fault
	 * in a row on it is a write (break copy-on-write) or a stale mapping;
	 * a third is an access the VMA refuses. */
	if (page == t->last_fault_page) {
		t->fault_count++;
	} else {
		t->last_fault_page = page;
		t->fault_count = 0;
	}
	if (t->fault_count >= 2) {
		code = SEGV_ACCERR;
		goto out;
	}
	bool write = t->fault_count == 1 && (v->prot & PROT_WRITE);
	/* With one stub the page table knows what it maps: a fault on a page
	 * mapped read-only in a writable VMA is a write. */
	if (!write && mm_single_user(mm) && (*e & PTE_MAPPED) && !(*e & PTE_MAPPED_W) &&
	    (v->prot & PROT_WRITE))
		write = true;
	/* A private file mapping that may be written is mostly written
	 * (relocations, data): take the private copy on the first fault
	 * rather than on a second one, and of the whole mapping when it is
	 * as small as a program's data segment usually is. */
	bool whole = false;
	if (!write && v->file && !v->obj && (v->prot & PROT_WRITE) && !(*e & PTE_MAPPED)) {
		write = true;
		whole = v->end - v->start <= FAULT_AROUND;
	}
	/* So is a private anonymous page shared since a fork (a stack, a
	 * heap): copying it costs far less than a second fault. */
	if (!write && !v->file && !v->obj && (v->prot & PROT_WRITE) && (*e & PTE_PRESENT) &&
	    (*e & PTE_COW) && !(*e & PTE_MAPPED))
		write = true;
	uint64_t window = v->file ? FAULT_AROUND_FILE : FAULT_AROUND;
	uint64_t lo = page & ~(window - 1), hi = lo + window;
	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	if (whole) {
		lo = v->start;
		hi = v->end;
	} else if (write) {
		lo = page;
		hi = page + PAGE_SIZE;
	}
	prealloc_anon_run(mm, v, lo, hi);
	for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
		uint64_t *pe = pte_lookup(mm, a, true);
		if (!pe) {
			code = SEGV_MAPERR;
			goto out;
		}
		int err = populate_page(mm, v, a, pe, write && (a == page || whole));
		if (err == -EFAULT && a == page) {
			*signo = SIGBUS;
			code = BUS_ADRERR;
			goto out;
		}
		if (err == -EFAULT) {
			hi = a;   /* past the end of the file: stop the window here */
			break;
		}
		if (err) {
			/* Out of memory: Linux would invoke the OOM killer. */
			*signo = SIGBUS;
			code = BUS_ADRERR;
			goto out;
		}
		/* Take sole copies of pages nobody else shares, so that they
		 * map writable at once. */
		if ((*pe & PTE_COW) && mf_refcount(PTE_OFF(*pe)) == 1)
			*pe &= ~PTE_COW;
	}
	if (!write && v->file && !v->obj) {
		lo = extend_over_cached(mm, v, lo, -1);
		hi = extend_over_cached(mm, v, hi, 1);
	}
	if (map_present(mm, v, lo, hi))
		code = SEGV_MAPERR;
out:
	pthread_mutex_unlock(&mm->lock);
	return code;
}

/* ---- copy in/out ----------------------------------------------------- */

/* The sentry's pointer to the application page at addr, populating it like
 * an access of that kind would; NULL when the access would fault. */
static void *page_for_access(struct mm *mm, uint64_t addr, bool write)
{
	long i = find_or_grow(mm, addr);
	if (i < 0)
		return NULL;
	struct vma *v = &mm->vmas.v[i];
	if (!(v->prot & (write ? PROT_WRITE : PROT_READ)))
		return NULL;
	/* The host vDSO sits at the same address in the sentry. */
	if (v->flags & VMA_SPECIAL)
		return write ? NULL : (void *)addr;
	uint64_t page = PAGE_ROUND_DOWN(addr);
	uint64_t *e = pte_lookup(mm, page, true);
	if (!e || populate_page(mm, v, page, e, write))
		return NULL;
	return mf_ptr(PTE_OFF(*e) + (addr - page));
}

static int copy_pages(struct mm *mm, uint64_t addr, void *buf, size_t len, bool write)
{
	if (addr + len < addr || addr + len > mm->max_addr)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	int err = 0;
	while (len) {
		size_t chunk = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		void *p = page_for_access(mm, addr, write);
		if (!p) {
			err = -EFAULT;
			break;
		}
		if (write)
			buf ? memcpy(p, buf, chunk) : memset(p, 0, chunk);
		else
			memcpy(buf, p, chunk);
		addr += chunk;
		if (buf)
			buf = (char *)buf + chunk;
		len -= chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_copy_in(struct task *t, struct mm *mm, void *dst, uint64_t addr, size_t len)
{
	return copy_pages(mm, addr, dst, len, false);
}

int mm_copy_out(struct task *t, struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return copy_pages(mm, addr, (void *)src, len, true);
}

int mm_zero(struct task *t, struct mm *mm, uint64_t addr, size_t len)
{
	return copy_pages(mm, addr, NULL, len, true);
}

int task_copy_in(struct task *t, void *dst, uint64_t addr, size_t len)
{
	if (len == 0)
		return 0;
	return mm_copy_in(t, t->mm, dst, addr, len);
}

int task_copy_out(struct task *t, uint64_t addr, const void *src, size_t len)
{
	if (len == 0)
		return 0;
	return mm_copy_out(t, t->mm, addr, src, len);
}

long task_copy_in_string(struct task *t, uint64_t addr, char *buf, size_t max)
{
	struct mm *mm = t->mm;
	size_t n = 0;
	pthread_mutex_lock(&mm->lock);
	long ret = -ENAMETOOLONG;
	while (n < max) {
		if (addr + n >= mm->max_addr) {
			ret = -EFAULT;
			break;
		}
		const char *p = page_for_access(mm, addr + n, false);
		if (!p) {
			ret = -EFAULT;
			break;
		}
		size_t chunk = PAGE_SIZE - ((addr + n) & (PAGE_SIZE - 1));
		if (chunk > max - n)
			chunk = max - n;
		const char *nul = memchr(p, 0, chunk);
		if (nul) {
			memcpy(buf + n, p, nul - p + 1);
			ret = (long)(n + (nul - p));
			break;
		}
		memcpy(buf + n, p, chunk);
		n += chunk;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* ---- mmap and friends ----------------------------------------------- */

#define MMAP_MIN_ADDR 0x10000ULL   /* vm.mmap_min_addr */

static int prot_valid(int prot)
{
	return !(prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP));
}

/* Pick the address of a new mapping of len bytes (Linux's
 * get_unmapped_area: the hint when it is free, else top-down). */
static uint64_t choose_addr(struct mm *mm, uint64_t hint, uint64_t len, int flags)
{
	if (hint) {
		hint = PAGE_ROUND_UP(hint);
		if (hint >= MMAP_MIN_ADDR && hint + len <= mm->max_addr && hint + len > hint &&
		    vma_range_free(&mm->vmas, hint, hint + len))
			return hint;
	}
	if (flags & MAP_32BIT)
		return vma_find_gap_topdown(&mm->vmas, len, 0x40000000, 0x80000000, PAGE_SIZE);
	uint64_t a = vma_find_gap_topdown(&mm->vmas, len, MMAP_MIN_ADDR, mm->mmap_base, PAGE_SIZE);
	if (!a)
		a = vma_find_gap_topdown(&mm->vmas, len, MMAP_MIN_ADDR, mm->max_addr, PAGE_SIZE);
	return a;
}

/* Unmap [start, end) with the mm lock held. */
static int unmap_locked(struct mm *mm, uint64_t start, uint64_t end)
{
	release_pages(mm, start, end);
	return vma_remove_range(&mm->vmas, start, end);
}

static int populate_range(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a < end;) {
		long i = vma_find(&mm->vmas, a);
		if (i < 0)
			return -ENOMEM;
		struct vma *v = &mm->vmas.v[i];
		uint64_t hi = v->end < end ? v->end : end;
		if (v->prot == PROT_NONE) {
			a = hi;
			continue;
		}
		prealloc_anon_run(mm, v, a, hi);
		for (uint64_t p = a; p < hi; p += PAGE_SIZE) {
			uint64_t *e = pte_lookup(mm, p, true);
			if (!e || populate_page(mm, v, p, e, false) == -ENOMEM)
				return -ENOMEM;
		}
		map_present(mm, v, a, hi);
		a = hi;
	}
	return 0;
}

static uint64_t total_vm(struct mm *mm)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < mm->vmas.n; i++)
		sum += mm->vmas.v[i].end - mm->vmas.v[i].start;
	return sum;
}

long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, struct file *f,
	     uint64_t off)
{
	int type = flags & MAP_TYPE;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len == 0 || !prot_valid(prot))
		return -EINVAL;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t plen = PAGE_ROUND_UP(len);
	if (plen == 0 || plen > mm->max_addr)
		return -ENOMEM;
	if (f && off + plen < off)
		return -EOVERFLOW;
	if (flags & MAP_HUGETLB) {
		syscall_report_unsupported("mmap MAP_HUGETLB");
		return -ENOMEM;
	}
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	int maxprot = PROT_READ | PROT_WRITE | PROT_EXEC;
	bool shared = type != MAP_PRIVATE;
	if (!f && !(flags & MAP_ANONYMOUS))
		return -EBADF;
	if ((flags & MAP_ANONYMOUS) && type == MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (f && shared && !(f->mode & FMODE_WRITE))
		maxprot &= ~PROT_WRITE;   /* mprotect may not add write later */
	if (f) {
		int kind = file_mmap_check(f, prot, flags);
		if (kind < 0)
			return kind;
		if (kind == 1)
			f = NULL;  /* /dev/zero: anonymous memory */
	}

	pthread_mutex_lock(&mm->lock);
	long ret;
	/* RLIMIT_AS bounds the whole address space (may_expand_vm). */
	uint64_t as_limit = current_task ? current_task->tg->rlimits[RLIMIT_AS].rlim_cur : RLIM_INFINITY;
	if (as_limit != RLIM_INFINITY && total_vm(mm) + plen > as_limit) {
		ret = -ENOMEM;
		goto out;
	}
	if (fixed) {
		if (addr < MMAP_MIN_ADDR || addr + plen > mm->max_addr || addr + plen < addr) {
			ret = (flags & MAP_FIXED) ? -EPERM : -ENOMEM;
			if (addr + plen > mm->max_addr || addr + plen < addr)
				ret = -ENOMEM;
			goto out;
		}
		if (!vma_range_free(&mm->vmas, addr, addr + plen)) {
			if (!(flags & MAP_FIXED)) {
				ret = -EEXIST;
				goto out;
			}
			ret = unmap_locked(mm, addr, addr + plen);
			if (ret)
				goto out;
		}
	} else {
		addr = choose_addr(mm, addr, plen, flags);
		if (!addr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	struct vma v = {
		.start = addr,
		.end = addr + plen,
		.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
		.maxprot = maxprot,
		.flags = (shared ? VMA_SHARED : 0) | ((flags & MAP_GROWSDOWN) ? VMA_GROWSDOWN : 0) |
			 ((flags & MAP_LOCKED) ? VMA_LOCKED : 0),
		.file = f,
		.off = off,
	};
	if (shared && !f) {
		v.obj = memobj_new(plen / PAGE_SIZE);
		v.off = 0;
		if (!v.obj) {
			ret = -ENOMEM;
			goto out;
		}
	} else if (f) {
		file_get(f);
		/* tmpfs: shared mappings use the file's own pages. */
		struct memobj *fo = shared ? file_memobj(f) : NULL;
		if (fo) {
			memobj_get(fo);
			v.obj = fo;
		}
	}
	ret = vma_insert(&mm->vmas, &v);
	if (ret) {
		vma_refs.put(&v);
		goto out;
	}
	if (!f && !v.obj)
		vma_merge_around(&mm->vmas, (size_t)vma_find(&mm->vmas, addr));
	if ((flags & (MAP_POPULATE | MAP_LOCKED)) && !(flags & MAP_NONBLOCK))
		populate_range(mm, addr, addr + plen);
	ret = (long)addr;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int mm_munmap(struct task *t, uint64_t addr, uint64_t len)
{
	struct mm *mm = t->mm;
	if ((addr & (PAGE_SIZE - 1)) || len == 0)
		return -EINVAL;
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr || end > ARCH_TASK_SIZE)
		return -EINVAL;
	if (end > mm->max_addr)
		end = mm->max_addr;
	if (addr >= end)
		return 0;
	pthread_mutex_lock(&mm->lock);
	int err = unmap_locked(mm, addr, end);
	pthread_mutex_unlock(&mm->lock);
	return err;
}

/* True when [start, end) is wholly covered by VMAs. */
static bool range_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a < end;) {
		long i = vma_find(&mm->vmas, a);
		if (i < 0)
			return false;
		a = mm->vmas.v[i].end;
	}
	return true;
}

int mm_mprotect(struct task *t, uint64_t addr, uint64_t len, int prot)
{
	struct mm *mm = t->mm;
	if ((addr & (PAGE_SIZE - 1)) || !prot_valid(prot) ||
	    (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&mm->lock);
	int err = 0;
	if (!range_mapped(mm, addr, end)) {
		err = -ENOMEM;
		goto out;
	}
	int newprot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	for (uint64_t a = addr; a < end;) {
		long i = vma_find(&mm->vmas, a);
		if ((newprot & ~mm->vmas.v[i].maxprot) != 0) {
			err = -EACCES;
			goto out;
		}
		a = mm->vmas.v[i].end;
	}
	if ((err = vma_split_at(&mm->vmas, addr)) || (err = vma_split_at(&mm->vmas, end)))
		goto out;
	for (size_t i = vma_lower_bound(&mm->vmas, addr); i < mm->vmas.n && mm->vmas.v[i].start < end; i++)
		mm->vmas.v[i].prot = newprot;
	/* Mapped pages refault with the new protections. */
	unmap_mapped(mm, addr, end);
	size_t i = vma_lower_bound(&mm->vmas, addr);
	vma_merge_around(&mm->vmas, i);
out:
	pthread_mutex_unlock(&mm->lock);
	return err;
}

long mm_brk(struct task *t, uint64_t addr)
{
	struct mm *mm = t->mm;
	pthread_mutex_lock(&mm->lock);
	uint64_t cur = mm->brk;
	if (addr < mm->brk_start)
		goto out;
	uint64_t limit = t->tg->rlimits[RLIMIT_DATA].rlim_cur;
	if (limit != RLIM_INFINITY && addr - mm->brk_start > limit)
		goto out;
	uint64_t old_end = PAGE_ROUND_UP(cur), new_end = PAGE_ROUND_UP(addr);
	if (new_end > old_end) {
		/* Linux keeps a free page between the heap and the next
		 * mapping (find_vma_intersection(oldbrk, newbrk + PAGE_SIZE)). */
		if (new_end > mm->max_addr || !vma_range_free(&mm->vmas, old_end, new_end + PAGE_SIZE))
			goto out;
		struct vma v = {
			.start = old_end, .end = new_end,
			.prot = PROT_READ | PROT_WRITE, .maxprot = PROT_READ | PROT_WRITE | PROT_EXEC,
			.flags = VMA_HEAP,
		};
		if (vma_insert(&mm->vmas, &v))
			goto out;
		vma_merge_around(&mm->vmas, (size_t)vma_find(&mm->vmas, old_end));
	} else if (new_end < old_end) {
		unmap_locked(mm, new_end, old_end);
	}
	mm->brk = addr;
out:
	addr = mm->brk;
	pthread_mutex_unlock(&mm->lock);
	return (long)addr;
}

/* Move the page-table entries of [from, from+len) to [to, to+len). */
static int move_ptes(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	unmap_mapped(mm, from, from + len);
	PTE_FOR_EACH(mm, from, from + len, addr, e) {
		uint64_t *ne = pte_lookup(mm, to + (addr - from), true);
		if (!ne)
			return -ENOMEM;
		*ne = *e;
		*e = 0;
	}
	return 0;
}

long mm_mremap(struct task *t, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
	       uint64_t new_addr)
{
	struct mm *mm = t->mm;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* MREMAP_DONTUNMAP: private anonymous mappings, same size, may move. */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (old_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	old_len = PAGE_ROUND_UP(old_len);
	new_len = PAGE_ROUND_UP(new_len);
	if (new_len == 0 || new_len > mm->max_addr)
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && (new_addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	long ret;
	long i = vma_find(&mm->vmas, old_addr);
	if (i < 0) {
		ret = -EFAULT;
		goto out;
	}
	struct vma *v = &mm->vmas.v[i];
	if (old_len == 0) {
		/* Duplicating a shared mapping: not done yet. */
		ret = -EINVAL;
		syscall_report_unsupported("mremap with old_size 0");
		goto out;
	}
	if (old_addr + old_len > v->end) {
		ret = -EFAULT;
		goto out;
	}
	if ((flags & MREMAP_DONTUNMAP) && (v->file || v->obj || (v->flags & VMA_SHARED))) {
		ret = -EINVAL;
		goto out;
	}
	if (flags & MREMAP_FIXED) {
		if (new_addr + new_len > mm->max_addr || new_addr < MMAP_MIN_ADDR ||
		    (new_addr < old_addr + old_len && old_addr < new_addr + new_len)) {
			ret = -EINVAL;
			goto out;
		}
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && new_len <= old_len) {
		if (new_len < old_len)
			unmap_locked(mm, old_addr + new_len, old_addr + old_len);
		ret = (long)old_addr;
		goto out;
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && old_addr + old_len == v->end &&
	    old_addr + new_len <= mm->max_addr &&
	    vma_range_free(&mm->vmas, v->end, old_addr + new_len)) {
		if (v->obj && memobj_grow(v->obj, (v->off + (old_addr + new_len - v->start)) / PAGE_SIZE)) {
			ret = -ENOMEM;
			goto out;
		}
		v->end = old_addr + new_len;
		ret = (long)old_addr;
		goto out;
	}
	if (!(flags & MREMAP_MAYMOVE)) {
		ret = -ENOMEM;
		goto out;
	}
	uint64_t dest;
	if (flags & MREMAP_FIXED) {
		unmap_locked(mm, new_addr, new_addr + new_len);
		dest = new_addr;
	} else {
		dest = choose_addr(mm, 0, new_len, 0);
		if (!dest) {
			ret = -ENOMEM;
			goto out;
		}
	}
	/* The moved part keeps its attributes; split it out of its VMA. */
	if ((ret = vma_split_at(&mm->vmas, old_addr)) || (ret = vma_split_at(&mm->vmas, old_addr + old_len)))
		goto out;
	i = vma_find(&mm->vmas, old_addr);
	struct vma moved = mm->vmas.v[i];
	uint64_t keep = old_len < new_len ? old_len : new_len;
	if ((ret = move_ptes(mm, old_addr, dest, keep)))
		goto out;
	vma_refs.get(&moved);
	if (!(flags & MREMAP_DONTUNMAP))
		unmap_locked(mm, old_addr, old_addr + old_len);
	moved.start = dest;
	moved.end = dest + new_len;
	if (moved.obj && memobj_grow(moved.obj, (moved.off + new_len) / PAGE_SIZE)) {
		vma_refs.put(&moved);
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = vma_insert(&mm->vmas, &moved))) {
		vma_refs.put(&moved);
		goto out;
	}
	ret = (long)dest;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

/* MADV_DONTFORK/DOFORK/WIPEONFORK/KEEPONFORK: flags on the VMAs of the
 * range; WIPEONFORK only for private anonymous memory (else EINVAL). */
static int madvise_fork_flags(struct mm *mm, uint64_t start, uint64_t end, int advice)
{
	for (uint64_t a = start; a < end;) {
		struct vma *v = &mm->vmas.v[vma_find(&mm->vmas, a)];
		if (advice == MADV_WIPEONFORK && (v->file || v->obj || (v->flags & VMA_SHARED)))
			return -EINVAL;
		a = v->end;
	}
	int err = vma_split_at(&mm->vmas, start);
	if (!err)
		err = vma_split_at(&mm->vmas, end);
	if (err)
		return err;
	for (size_t i = vma_lower_bound(&mm->vmas, start); i < mm->vmas.n && mm->vmas.v[i].start < end; i++) {
		int *fl = &mm->vmas.v[i].flags;
		switch (advice) {
		case MADV_DONTFORK: *fl |= VMA_DONTFORK; break;
		case MADV_DOFORK: *fl &= ~VMA_DONTFORK; break;
		case MADV_WIPEONFORK: *fl |= VMA_WIPEONFORK; break;
		case MADV_KEEPONFORK: *fl &= ~VMA_WIPEONFORK; break;
		}
	}
	return 0;
}

int mm_madvise(struct task *t, uint64_t addr, uint64_t len, int advice)
{
	struct mm *mm = t->mm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK:
		break;
	default:
		return -EINVAL;
	}
	if (len == 0)
		return 0;
	pthread_mutex_lock(&mm->lock);
	int err = range_mapped(mm, addr, end) ? 0 : -ENOMEM;
	if (!err && (advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
		     advice == MADV_KEEPONFORK))
		err = madvise_fork_flags(mm, addr, end, advice);
	if (!err && (advice == MADV_DONTNEED || advice == MADV_FREE)) {
		/* Private pages are dropped: they read back as zeros (or the
		 * file's contents). Shared pages stay in their object. */
		for (uint64_t a = addr; a < end;) {
			long i = vma_find(&mm->vmas, a);
			struct vma *v = &mm->vmas.v[i];
			uint64_t hi = v->end < end ? v->end : end;
			if (v->flags & VMA_LOCKED) {
				err = -EINVAL;
				break;
			}
			release_pages(mm, a, hi);
			a = hi;
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return err;
}

int mm_mincore(struct task *t, uint64_t addr, uint64_t len, uint64_t vec)
{
	struct mm *mm = t->mm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr || end > mm->max_addr)
		return -ENOMEM;
	unsigned char buf[256];
	for (uint64_t a = addr; a < end;) {
		size_t n = 0;
		pthread_mutex_lock(&mm->lock);
		for (; n < sizeof buf && a < end; n++, a += PAGE_SIZE) {
			long i = vma_find(&mm->vmas, a);
			if (i < 0) {
				pthread_mutex_unlock(&mm->lock);
				return -ENOMEM;
			}
			uint64_t *e = pte_lookup(mm, a, false);
			buf[n] = e && (*e & PTE_PRESENT) && mf_resident(PTE_OFF(*e));
		}
		pthread_mutex_unlock(&mm->lock);
		if (task_copy_out(t, vec, buf, n))
			return -EFAULT;
		vec += n;
	}
	return 0;
}

int mm_msync(struct task *t, uint64_t addr, uint64_t len, int flags)
{
	struct mm *mm = t->mm;
	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr)
		return -ENOMEM;
	pthread_mutex_lock(&mm->lock);
	/* Shared anonymous memory has no backing store and host file mappings
	 * are read-only, so there is nothing to write back. */
	int err = range_mapped(mm, addr, end) ? 0 : -ENOMEM;
	pthread_mutex_unlock(&mm->lock);
	return err;
}

/* Atomic compare-and-exchange on a 32-bit application word (FUTEX_WAKE_OP):
 * the sentry and the application share the page through the memory file. */
int mm_cmpxchg_u32(struct task *t, uint64_t addr, uint32_t expected, uint32_t desired, uint32_t *actual)
{
	struct mm *mm = t->mm;
	if (addr & 3)
		return -EINVAL;
	if (addr + 4 > mm->max_addr)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	uint32_t *p = page_for_access(mm, addr, true);
	if (p) {
		__atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*actual = expected;
	}
	pthread_mutex_unlock(&mm->lock);
	return p ? 0 : -EFAULT;
}

/* Map an existing shared memory object (System V shared memory). */
long mm_map_memobj(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, struct memobj *obj)
{
	uint64_t plen = PAGE_ROUND_UP(len);
	if (!plen || plen > mm->max_addr)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	long ret;
	if (flags & MAP_FIXED) {
		if ((addr & (PAGE_SIZE - 1)) || addr < MMAP_MIN_ADDR || addr + plen > mm->max_addr) {
			ret = -EINVAL;
			goto out;
		}
		if (!vma_range_free(&mm->vmas, addr, addr + plen) && (ret = unmap_locked(mm, addr, addr + plen)))
			goto out;
	} else if (!(addr = choose_addr(mm, addr, plen, 0))) {
		ret = -ENOMEM;
		goto out;
	}
	struct vma v = {
		.start = addr, .end = addr + plen,
		.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
		/* A read-only attach (SHM_RDONLY) may not become writable. */
		.maxprot = PROT_READ | PROT_EXEC | (prot & PROT_WRITE),
		.flags = VMA_SHARED,
		.obj = obj,
	};
	memobj_get(obj);
	if ((ret = vma_insert(&mm->vmas, &v))) {
		memobj_put(obj);
		goto out;
	}
	ret = (long)addr;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

uint64_t mm_futex_shared_key(struct mm *mm, uint64_t addr)
{
	uint64_t key = 0;
	pthread_mutex_lock(&mm->lock);
	long i = vma_find(&mm->vmas, addr);
	if (i >= 0 && (mm->vmas.v[i].flags & VMA_SHARED) && mm->vmas.v[i].obj) {
		void *p = page_for_access(mm, addr, false);
		if (p)
			key = (uint64_t)((uint8_t *)p - mf_base) + 1;
	}
	pthread_mutex_unlock(&mm->lock);
	return key;
}
