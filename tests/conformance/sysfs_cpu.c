/* sysfs: the CPU lists of /sys/devices/system/cpu (online, possible,
 * present) in Linux's cpulist format agree with sysconf; cpuN
 * directories; statfs magic; read-only attributes refuse writers (EACCES,
 * even for root), missing ones give ENOENT, new names EACCES/EPERM.
 * Nothing here writes to a writable attribute: natively that would change
 * the host (cpuN/online). */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "tap.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define SYSFS_MAGIC 0x62656572

/* The whole text of a small file, NUL-terminated: its length or -1. */
static ssize_t read_text(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	return len;
}

/* Count the CPUs of a cpulist ("0-3,5\n"); -1 when malformed. */
static int cpulist_count(const char *s)
{
	int count = 0;
	if (*s == '\n')
		return 0;
	for (;;) {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (end == s || lo < 0)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				return -1;
			s = end;
		}
		count += (int)(hi - lo + 1);
		if (*s == ',') {
			s++;
			continue;
		}
		return strcmp(s, "\n") == 0 ? count : -1;
	}
}

static int list_count(const char *name)
{
	char path[128], buf[4096];
	snprintf(path, sizeof(path), CPU_DIR "/%s", name);
	if (read_text(path, buf, sizeof(buf)) < 0) {
		tap_diag("%s: %s", path, tap_errname(errno));
		return -1;
	}
	int n = cpulist_count(buf);
	tap_diag("%s: %.*s -> %d", name, (int)strcspn(buf, "\n"), buf, n);
	return n;
}

/* Entries cpuN (N decimal) of the cpu directory. */
static int count_cpu_dirs(void)
{
	DIR *d = opendir(CPU_DIR);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "cpu", 3) != 0 || !e->d_name[3])
			continue;
		bool digits = true;
		for (const char *p = e->d_name + 3; *p; p++)
			digits &= *p >= '0' && *p <= '9';
		if (digits && e->d_type == DT_DIR)
			n++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	tap_close_extra_fds();
	long onln = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
	tap_diag("sysconf: onln %ld conf %ld", onln, conf);

	int online = list_count("online");
	int possible = list_count("possible");
	int present = list_count("present");
	CHECK(online > 0, "online parses as a cpulist");
	CHECK(possible > 0, "possible parses as a cpulist");
	CHECK(present > 0, "present parses as a cpulist");
	CHECK_EQ(online, onln, "online agrees with _SC_NPROCESSORS_ONLN");
	CHECK_EQ(possible, conf, "possible agrees with _SC_NPROCESSORS_CONF");
	CHECK(online <= present && present <= possible, "online <= present <= possible");

	char buf[4096];
	CHECK(read_text(CPU_DIR "/online", buf, sizeof(buf)) > 0 && buf[0] == '0',
	      "the online list starts at CPU 0");
	int fd = open(CPU_DIR "/online", O_RDONLY);
	char c[8] = { 0 };
	CHECK(fd >= 0 && pread(fd, c, 1, 1) >= 0 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, c, 1) == 1 &&
		      c[0] == '0',
	      "pread and lseek on an attribute");
	close(fd);

	struct stat st;
	CHECK(stat(CPU_DIR "/cpu0", &st) == 0 && S_ISDIR(st.st_mode), "cpu0 is a directory");
	CHECK_EQ(count_cpu_dirs(), present, "one cpuN directory per present CPU");
	CHECK(stat(CPU_DIR "/online", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0444,
	      "online is a regular file, mode 0444");
	CHECK_EQ(st.st_size, 4096, "attributes report a page as their size");
	CHECK(stat("/sys", &st) == 0 && S_ISDIR(st.st_mode), "/sys is a directory");

	struct statfs sf;
	CHECK(statfs("/sys", &sf) == 0 && sf.f_type == SYSFS_MAGIC, "statfs(/sys) is SYSFS_MAGIC");
	CHECK(statfs(CPU_DIR "/online", &sf) == 0 && sf.f_type == SYSFS_MAGIC,
	      "statfs of an attribute is SYSFS_MAGIC");

	CHECK_ERR(open(CPU_DIR "/online", O_WRONLY), EACCES, "writing a read-only attribute: EACCES");
	CHECK_ERR(open(CPU_DIR "/possible", O_RDWR), EACCES, "O_RDWR of a read-only attribute: EACCES");
	CHECK_ERR(open(CPU_DIR "/no_such_attribute", O_RDONLY), ENOENT, "a missing attribute: ENOENT");
	CHECK_ERR(open(CPU_DIR "/cpu0/no_such_attribute", O_RDONLY), ENOENT,
		  "a missing attribute of cpu0: ENOENT");
	CHECK_ERR(open(CPU_DIR "/cpu99999", O_RDONLY), ENOENT, "a CPU that does not exist: ENOENT");
	CHECK_ERR(open(CPU_DIR "/online/x", O_RDONLY), ENOTDIR, "an attribute is no directory");
	CHECK_ERR(open(CPU_DIR "/online", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY of an attribute");
	CHECK_ERR(open("/sys/moat_new_file", O_WRONLY | O_CREAT, 0644), EACCES, "creating a file: EACCES");
	CHECK_ERR(mkdir("/sys/moat_new_dir", 0755), EPERM, "mkdir: EPERM");
	CHECK_ERR(mkdir(CPU_DIR "/moat_new_dir", 0755), EPERM, "mkdir below: EPERM");
	CHECK_ERR(unlink(CPU_DIR "/online"), EPERM, "unlink of an attribute: EPERM");

	/* One bracketed choice: the mode in use. */
	ssize_t len = read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	char *lb = len > 0 ? strchr(buf, '[') : NULL, *rb = lb ? strchr(lb, ']') : NULL;
	tap_diag("thp: %.*s", len > 0 ? (int)strcspn(buf, "\n") : 0, buf);
	CHECK(lb && rb && !strchr(rb, '[') && buf[len - 1] == '\n', "transparent_hugepage/enabled format");
	return tap_done();
}
