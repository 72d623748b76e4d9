/* sys_info: uname fields, sysinfo sanity, sethostname-free checks, EFAULT. */
#include "tap.h"
#include <sys/sysinfo.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	memset(&u, 0xff, sizeof u);
	CHECK_OK(uname(&u), "uname");
	CHECK(strcmp(u.sysname, "Linux") == 0, "sysname is Linux");
	CHECK(memchr(u.nodename, 0, sizeof u.nodename) != NULL, "nodename is NUL terminated");
	CHECK(u.release[0] >= '2' && u.release[0] <= '9' && strchr(u.release, '.'), "release looks like a version");
	CHECK(u.version[0] != 0, "version is not empty");
	CHECK(strcmp(u.machine, "x86_64") == 0, "machine is x86_64");
	CHECK(memchr(u.domainname, 0, sizeof u.domainname) != NULL, "domainname is NUL terminated");
	CHECK_ERR(syscall(SYS_uname, BAD_LOW), EFAULT, "uname bad pointer EFAULT");
	CHECK_ERR(syscall(SYS_uname, BAD_KERNEL), EFAULT, "uname kernel pointer EFAULT");

	struct sysinfo si;
	memset(&si, 0, sizeof si);
	CHECK_OK(sysinfo(&si), "sysinfo");
	CHECK(si.uptime >= 0, "uptime not negative");
	CHECK(si.totalram > 0 && si.freeram <= si.totalram, "free ram <= total ram");
	CHECK(si.mem_unit >= 1, "mem_unit >= 1");
	CHECK(si.procs >= 1, "at least one process");
	CHECK(si.freeswap <= si.totalswap, "free swap <= total swap");
	CHECK_ERR(syscall(SYS_sysinfo, BAD_LOW), EFAULT, "sysinfo bad pointer EFAULT");

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(cpus >= 1, "at least one CPU online");
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096, "page size 4096");
	return tap_done();
}
