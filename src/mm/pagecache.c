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
	if (!o->pages[idx]) {
		uint64_t new_off;
		if (e->base)
			new_off = e->base - 1 + idx * PAGE_SIZE;
		else
			err = mf_alloc(1, &new_off);
		if (!err) {
			ssize_t n = file_kread(f, mf_ptr(new_off), PAGE_SIZE, idx * PAGE_SIZE);
			if (n <= 0) {
				if (!e->base)
					mf_decref(new_off, 1);
				err = n < 0 ? (int)n : -EFAULT;
			} else {
				o->pages[idx] = new_off + 1;
			}
		}
	}
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
