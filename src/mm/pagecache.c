/*
 * A page cache for files of read-only host file systems: the pages of an
 * inode are read once into the memory file and shared, copy-on-write, by
 * every private mapping of it (program text and data of every process that
 * runs the same binary or library). Files that can change inside the
 * sandbox (tmpfs) are not cached here: their mappings must see writes.
 *
 * Inodes live as long as their file system, so the cache keys on the inode
 * pointer and keeps its pages for the life of the sandbox.
 */
#include "mm/pagecache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mm/memfile.h"
#include "vfs/vfs.h"

#define PC_BUCKETS 1024

/* Files up to this size get one contiguous run of the memory file, each
 * page at its index, filled as it is first read: then the cached pages of a
 * mapping are contiguous and map into a stub with one call. (The run is
 * sparse: pages never read take no memory.) */
#define PC_CONTIGUOUS_MAX (64ULL << 20)
/* Pages read from the host at once into a contiguous run (a fault window
 * asks for its pages one after another). */
#define PC_READ_AHEAD 32

struct pc_entry {
	struct pc_entry *next;
	struct inode *inode;
	struct memobj *pages;
	uint64_t size;            /* file size when cached: pages past it are SIGBUS */
	uint64_t base;            /* the file's run + 1, or 0: pages allocated one by one */
};

static struct pc_entry *buckets[PC_BUCKETS];
static pthread_mutex_t pc_lock = PTHREAD_MUTEX_INITIALIZER;

/* Files of a read-only file system cannot change under the cache; a
 * tmpfs may be remounted read-write (mount(2)), so it is never cached. */
static bool cacheable(struct file *f)
{
	return f->inode && f->path.mnt && f->path.mnt->fs->readonly && S_ISREG(f->inode->st.st_mode) &&
	       strcmp(f->path.mnt->fs->type, "tmpfs") != 0;
}

static struct pc_entry *entry_for(struct file *f)
{
	struct inode *ino = f->inode;
	unsigned b = (unsigned)(((uintptr_t)ino >> 6) % PC_BUCKETS);
	pthread_mutex_lock(&pc_lock);
	struct pc_entry *e = buckets[b];
	while (e && e->inode != ino)
		e = e->next;
	if (!e) {
		struct stat st;
		e = calloc(1, sizeof *e);
		if (e && file_stat(f, &st) == 0) {
			e->inode = ino;
			e->size = (uint64_t)st.st_size;
			uint64_t n = (e->size + PAGE_SIZE - 1) / PAGE_SIZE;
			e->pages = memobj_new(n);
			uint64_t base;
			if (e->pages && n && e->size <= PC_CONTIGUOUS_MAX && mf_alloc(n, &base) == 0)
				e->base = base + 1;
		}
		if (!e || !e->pages) {
			free(e);
			e = NULL;
		} else {
			e->next = buckets[b];
			buckets[b] = e;
		}
	}
	pthread_mutex_unlock(&pc_lock);
	return e;
}

/* Read the absent pages from idx on (up to PC_READ_AHEAD of them) into the
 * file's contiguous run with one host read. */
static int read_run(struct file *f, struct pc_entry *e, uint64_t idx)
{
	struct memobj *o = e->pages;
	uint64_t end = idx + 1;
	while (end < o->npages && end < idx + PC_READ_AHEAD && !o->pages[end])
		end++;
	uint64_t off = e->base - 1 + idx * PAGE_SIZE;
	ssize_t n = file_kread(f, mf_ptr(off), (end - idx) * PAGE_SIZE, idx * PAGE_SIZE);
	if (n <= 0)
		return n < 0 ? (int)n : -EFAULT;
	for (uint64_t i = idx; i < idx + (n + PAGE_SIZE - 1) / PAGE_SIZE; i++)
		o->pages[i] = e->base + i * PAGE_SIZE;   /* offset + 1 */
	return 0;
}

/* Read page idx alone into a page of its own. */
static int read_page(struct file *f, struct pc_entry *e, uint64_t idx)
{
	uint64_t off;
	int err = mf_alloc(1, &off);
	if (err)
		return err;
	ssize_t n = file_kread(f, mf_ptr(off), PAGE_SIZE, idx * PAGE_SIZE);
	if (n <= 0) {
		mf_decref(off, 1);
		return n < 0 ? (int)n : -EFAULT;
	}
	e->pages->pages[idx] = off + 1;
	return 0;
}

int pagecache_page(struct file *f, uint64_t idx, uint64_t *off)
{
	if (!cacheable(f))
		return -ENOENT;
	struct pc_entry *e = entry_for(f);
	if (!e)
		return -ENOENT;
	if (idx * PAGE_SIZE >= e->size)
		return -EFAULT;
	struct memobj *o = e->pages;
	pthread_mutex_lock(&o->lock);
	int err = 0;
	if (!o->pages[idx])
		err = e->base ? read_run(f, e, idx) : read_page(f, e, idx);
	if (!err) {
		*off = o->pages[idx] - 1;
		mf_incref(*off, 1);
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

int pagecache_cached_page(struct file *f, uint64_t idx, uint64_t *off)
{
	if (!cacheable(f))
		return -ENOENT;
	struct pc_entry *e = entry_for(f);
	if (!e || idx * PAGE_SIZE >= e->size)
		return -ENOENT;
	struct memobj *o = e->pages;
	pthread_mutex_lock(&o->lock);
	uint64_t p = o->pages[idx];
	if (p)
		mf_incref(p - 1, 1);
	pthread_mutex_unlock(&o->lock);
	if (!p)
		return -ENOENT;
	*off = p - 1;
	return 0;
}
