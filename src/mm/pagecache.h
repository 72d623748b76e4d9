#ifndef MOAT_MM_PAGECACHE_H
#define MOAT_MM_PAGECACHE_H

#include <stdint.h>

#include "mm/mm.h"

struct file;

/* The memory-file page holding page idx of f, read on first use, with a
 * new reference for the caller. -ENOENT when f is not cached (not on a
 * read-only host file system), -EFAULT past the end of the file. */
int pagecache_page(struct file *f, uint64_t idx, uint64_t *off);
/* The same for a page already read, without reading: -ENOENT otherwise. */
int pagecache_cached_page(struct file *f, uint64_t idx, uint64_t *off);

#endif
