/*
 * The memory file: one sparse memfd holding all application memory, mapped
 * once into the sentry. It is carved into pages with reference counts; a
 * page whose count drops to zero is punched out (returned to the host, and
 * zero again when reused).
 */
#ifndef MOAT_MM_MEMFILE_H
#define MOAT_MM_MEMFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"

/* Create the memory file with room for size bytes. */
int mf_init(uint64_t size);
int mf_fd(void);

/* Allocate n contiguous zeroed pages, each with one reference; their file
 * offset goes to *off. -ENOMEM when the file is full. */
int mf_alloc(uint64_t npages, uint64_t *off);
void mf_incref(uint64_t off, uint64_t npages);
void mf_decref(uint64_t off, uint64_t npages);
uint32_t mf_refcount(uint64_t off);
/* Whether the page holds memory on the host (mincore). */
bool mf_resident(uint64_t off);

/* Pages in use (for sysinfo and tests). */
uint64_t mf_used_pages(void);
uint64_t mf_total_pages(void);

extern uint8_t *mf_base;
static inline void *mf_ptr(uint64_t off) { return mf_base + off; }

#endif
