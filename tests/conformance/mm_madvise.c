/* mm_madvise: madvise (MADV_DONTNEED zeroes private anonymous memory and
 * reloads private file pages; harmless advice; EINVAL/ENOMEM), mincore
 * (residency of touched pages, ENOMEM, EINVAL, EFAULT) and msync (flags,
 * alignment, ENOMEM over unmapped memory). */
#include "tap.h"
#include <fcntl.h>
#include <sys/mman.h>

#define PG 4096UL

int main(void)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 'x', 4 * PG);
	CHECK_OK(madvise(a + PG, 2 * PG, MADV_DONTNEED), "MADV_DONTNEED");
	CHECK(a[PG] == 0 && a[3 * PG - 1] == 0, "dropped private anonymous pages read as zero");
	CHECK(a[0] == 'x' && a[3 * PG] == 'x', "pages outside the range kept");
	CHECK_OK(madvise(a, 4 * PG, MADV_NORMAL), "MADV_NORMAL");
	CHECK_OK(madvise(a, 4 * PG, MADV_RANDOM), "MADV_RANDOM");
	CHECK_OK(madvise(a, 4 * PG, MADV_SEQUENTIAL), "MADV_SEQUENTIAL");
	CHECK_OK(madvise(a, 4 * PG, MADV_WILLNEED), "MADV_WILLNEED");
	CHECK_OK(madvise(a, 0, MADV_DONTNEED), "length 0 succeeds");
	CHECK_ERR(madvise(a + 1, PG, MADV_DONTNEED), EINVAL, "unaligned address EINVAL");
	CHECK_ERR(madvise(a, PG, 12345), EINVAL, "unknown advice EINVAL");
	CHECK_ERR(madvise(tap_unmapped_page(), PG, MADV_DONTNEED), ENOMEM, "unmapped range ENOMEM");
	CHECK_ERR(madvise(tap_unmapped_page(), PG, MADV_NORMAL), ENOMEM, "unmapped range ENOMEM for MADV_NORMAL too");

	int fd = open("/etc/passwd", O_RDONLY);
	char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char orig = f[0];
	f[0] = orig ^ 0x55;
	CHECK_OK(madvise(f, PG, MADV_DONTNEED), "MADV_DONTNEED on a private file mapping");
	CHECK(f[0] == orig, "the file contents come back");
	munmap(f, PG);
	close(fd);

	unsigned char vec[4];
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 1;
	m[2 * PG] = 1;
	CHECK_OK(mincore(m, 4 * PG, vec), "mincore");
	CHECK((vec[0] & 1) && (vec[2] & 1), "touched pages are resident");
	CHECK(!(vec[1] & 1) && !(vec[3] & 1), "untouched anonymous pages are not");
	CHECK((vec[0] & ~1) == 0, "only bit 0 is used");
	CHECK_OK(mincore(m, 1, vec), "partial page length is rounded up");
	CHECK_ERR(mincore(m + 1, PG, vec), EINVAL, "mincore unaligned EINVAL");
	CHECK_ERR(mincore(tap_unmapped_page(), PG, vec), ENOMEM, "mincore unmapped ENOMEM");
	CHECK_ERR(mincore(m, 4 * PG, BAD_LOW), EFAULT, "mincore bad vector EFAULT");
	CHECK_OK(mincore(m, 0, BAD_LOW), "mincore length 0 touches nothing");

	CHECK_OK(msync(m, PG, MS_SYNC), "msync MS_SYNC");
	CHECK_OK(msync(m, PG, MS_ASYNC), "msync MS_ASYNC");
	CHECK_OK(msync(m, PG, MS_INVALIDATE), "msync MS_INVALIDATE");
	CHECK_ERR(msync(m, PG, MS_SYNC | MS_ASYNC), EINVAL, "MS_SYNC|MS_ASYNC EINVAL");
	CHECK_ERR(msync(m, PG, 0x100), EINVAL, "unknown flag EINVAL");
	CHECK_ERR(msync(m + 1, PG, MS_SYNC), EINVAL, "unaligned EINVAL");
	CHECK_ERR(msync(tap_unmapped_page(), PG, MS_SYNC), ENOMEM, "unmapped ENOMEM");
	CHECK_OK(msync(m, 0, MS_SYNC), "length 0 succeeds");
	munmap(m + PG, PG);
	CHECK_ERR(msync(m, 4 * PG, MS_ASYNC), ENOMEM, "range with a hole ENOMEM");
	return tap_done();
}
