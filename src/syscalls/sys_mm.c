/* Memory syscalls: thin argument handling around src/mm. */
#include <errno.h>
#include <sys/mman.h>

#include "mm/mm.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

SYSCALL_DEFINE(mmap)
{
	int flags = (int)a[3];
	struct file *f = NULL;
	if (a[5] & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fdt_get_file(t->fdt, (int)a[4]);
		if (!f)
			return -EBADF;
	}
	long r = mm_mmap(t->mm, a[0], a[1], (int)a[2], flags, f, f ? a[5] : 0);
	if (f)
		file_put(f);
	return r;
}

SYSCALL_DEFINE(munmap) { return mm_munmap(t, a[0], a[1]); }
SYSCALL_DEFINE(mprotect) { return mm_mprotect(t, a[0], a[1], (int)a[2]); }
SYSCALL_DEFINE(brk) { return mm_brk(t, a[0]); }
SYSCALL_DEFINE(mremap) { return mm_mremap(t, a[0], a[1], a[2], (int)a[3], a[4]); }
SYSCALL_DEFINE(madvise) { return mm_madvise(t, a[0], a[1], (int)a[2]); }
SYSCALL_DEFINE(mincore) { return mm_mincore(t, a[0], a[1], a[2]); }
SYSCALL_DEFINE(msync) { return mm_msync(t, a[0], a[1], (int)a[2]); }
