/*
 * System information: uname(2), sethostname(2), setdomainname(2),
 * sysinfo(2), getrandom(2), sched_getaffinity(2), getcpu(2).
 *
 * The node and domain names come from the caller's UTS namespace
 * (kernel/uts.c).
 *
 * The sandbox has t->kernel->ncpus virtual CPUs, all online.
 * Missing: per-task affinity state (struct task has no mask yet), so
 * sched_setaffinity accepts only masks that allow every virtual CPU and
 * reports a restricting mask as unsupported (EINVAL) instead of pretending
 * to restrict; and the affinity of other tasks (needs a PID lookup: ESRCH).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

#include "kernel/userns.h"
#include "kernel/uts.h"
#include "syscalls/syscalls.h"

#define UTS_LEN 65

/* The host's release and version strings, read once: programs check the
 * release to pick features, and moat implements a recent Linux's calls. */
static struct utsname host_uts;
static pthread_once_t host_uts_once = PTHREAD_ONCE_INIT;

static void read_host_uts(void)
{
	if (uname(&host_uts) != 0) {
		strcpy(host_uts.release, "6.1.0");
		strcpy(host_uts.version, "#1 SMP");
	}
}

static void copy_field(char dst[UTS_LEN], const char *src)
{
	size_t n = strnlen(src, UTS_LEN - 1);
	memset(dst, 0, UTS_LEN);
	memcpy(dst, src, n);
}

SYSCALL_DEFINE(uname)
{
	pthread_once(&host_uts_once, read_host_uts);
	struct utsname u;
	char host[UTS_LEN], dom[UTS_LEN];
	if (t->uts) {
		uts_ns_read(t->uts, host, dom);
	} else {
		/* Not attached to a namespace (should not happen): the kernel's
		 * initial names. */
		copy_field(host, t->kernel->hostname);
		copy_field(dom, t->kernel->domainname);
	}
	copy_field(u.sysname, "Linux");
	copy_field(u.nodename, host);
	copy_field(u.domainname, dom);
	copy_field(u.release, host_uts.release);
	copy_field(u.version, host_uts.version);
	copy_field(u.machine, "x86_64");
	return task_copy_out(t, a[0], &u, sizeof(u));
}

#define CAP_SYS_ADMIN_BIT 21

/*
 * sethostname(2)/setdomainname(2), Linux's order of checks: EPERM without
 * CAP_SYS_ADMIN, EINVAL for a length outside 0..64 (len is an int), EFAULT.
 * The name is stored as given (it may hold NULs) and the field's tail is
 * zeroed.
 */
static long set_uts_name(struct task *t, uint64_t addr, uint64_t len_arg, bool host)
{
	int len = (int)len_arg;
	/* CAP_SYS_ADMIN in the user namespace owning the UTS namespace. */
	if (!ns_capable(&t->creds, t->uts ? uts_ns_owner(t->uts) : &user_ns_init, CAP_SYS_ADMIN_BIT))
		return -EPERM;
	if (len < 0 || len > UTS_NAME_LEN)
		return -EINVAL;
	char buf[UTS_NAME_LEN];
	if (task_copy_in(t, buf, addr, (size_t)len))
		return -EFAULT;
	if (!t->uts)
		return -EINVAL;
	if (host)
		uts_ns_set_hostname(t->uts, buf, (size_t)len);
	else
		uts_ns_set_domainname(t->uts, buf, (size_t)len);
	return 0;
}

SYSCALL_DEFINE(sethostname)
{
	return set_uts_name(t, a[0], a[1], true);
}

SYSCALL_DEFINE(setdomainname)
{
	return set_uts_name(t, a[0], a[1], false);
}

/*
 * sysinfo(2): uptime since the sandbox booted and its task count. Memory
 * sizes are the host's (the sandbox has no memory limit of its own yet).
 * Load averages are not computed by moat: reported as 0 rather than
 * exposing the host's.
 */
SYSCALL_DEFINE(sysinfo)
{
	struct sysinfo host = { 0 };
	sysinfo(&host);

	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec;
	uint64_t up_ns = now_ns - t->kernel->boot_time_ns;

	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	/* Linux rounds the uptime up to the next second. */
	si.uptime = (long)((up_ns + 999999999ull) / 1000000000ull);
	pthread_mutex_lock(&t->kernel->lock);
	si.procs = (unsigned short)t->kernel->live_tasks;
	pthread_mutex_unlock(&t->kernel->lock);
	si.totalram = host.totalram;
	si.freeram = host.freeram;
	si.sharedram = host.sharedram;
	si.bufferram = host.bufferram;
	si.totalswap = host.totalswap;
	si.freeswap = host.freeswap;
	si.totalhigh = host.totalhigh;
	si.freehigh = host.freehigh;
	si.mem_unit = host.mem_unit;
	return task_copy_out(t, a[0], &si, sizeof(si));
}

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif
/* Linux's MAX_RW_COUNT: one call returns at most this many bytes. */
#define MAX_RW_COUNT (0x7fffffffu & ~0xfffu)

static int host_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * getrandom(2): the sentry's entropy comes from the host's getrandom
 * (always initialised once the host has booted, so GRND_NONBLOCK never
 * gives EAGAIN and GRND_RANDOM does not block). Long reads return early
 * with what was copied when a signal arrives, as Linux does.
 */
SYSCALL_DEFINE(getrandom)
{
	uint64_t addr = a[0];
	size_t count = a[1];
	unsigned int flags = (unsigned int)a[2];

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;

	uint8_t chunk[4096];
	size_t done = 0;
	while (done < count) {
		if (done && task_interrupted(t))
			break;
		size_t n = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
		int err = host_random(chunk, n);
		if (!err)
			err = task_copy_out(t, addr + done, chunk, n);
		if (err)
			return done ? (long)done : err;
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return done;
}

/* Bytes of Linux's cpumask for ncpus CPUs (whole longs). */
static size_t cpumask_bytes(int ncpus)
{
	return ((size_t)ncpus + 63) / 64 * 8;
}

/* The mask of every virtual CPU, as a byte array of n bytes. */
static void all_cpus_mask(uint8_t *mask, size_t n, int ncpus)
{
	memset(mask, 0, n);
	for (int cpu = 0; cpu < ncpus && cpu < (int)(n * 8); cpu++)
		mask[cpu / 8] |= 1u << (cpu % 8);
}

/* The task pid names for the sched_*affinity calls: 0 is the caller. */
static bool affinity_target_is_self(struct task *t, int pid)
{
	return pid == 0 || pid == task_vtid(t);
}

/*
 * sched_getaffinity(2): every virtual CPU. Linux's checks: the buffer must
 * hold nr_cpu_ids bits and be a whole number of longs; the result is the
 * number of bytes written (the kernel's cpumask size, at most len).
 */
SYSCALL_DEFINE(sched_getaffinity)
{
	int pid = (int)a[0];
	size_t len = (unsigned int)a[1];
	int ncpus = t->kernel->ncpus > 0 ? t->kernel->ncpus : 1;

	if (len * 8 < (size_t)ncpus)
		return -EINVAL;
	if (len & (sizeof(long) - 1))
		return -EINVAL;
	if (!affinity_target_is_self(t, pid)) {
		if (pid > 0)
			syscall_report_unsupported("sched_getaffinity of another task");
		return -ESRCH;
	}
	size_t n = cpumask_bytes(ncpus);
	if (n > len)
		n = len;
	uint8_t mask[128];
	if (n > sizeof(mask))
		n = sizeof(mask);
	all_cpus_mask(mask, n, ncpus);
	/* The task's own restriction (moat keeps up to 64 virtual CPUs). */
	if (t->cpu_affinity)
		for (size_t i = 0; i < n && i < 8; i++)
			mask[i] &= (uint8_t)(t->cpu_affinity >> (8 * i));
	if (task_copy_out(t, a[2], mask, n))
		return -EFAULT;
	return n;
}

/*
 * sched_setaffinity(2): Linux copies min(len, cpumask size) bytes (EFAULT),
 * then requires at least one online CPU in the mask (EINVAL).
 * The mask is kept in t->cpu_affinity (0 = all CPUs,
 * inherited by clone) to keep restricting masks for sched_getaffinity and
 * getcpu.
 */
SYSCALL_DEFINE(sched_setaffinity)
{
	int pid = (int)a[0];
	size_t len = (unsigned int)a[1];
	int ncpus = t->kernel->ncpus > 0 ? t->kernel->ncpus : 1;
	size_t n = cpumask_bytes(ncpus);
	uint8_t want[128] = { 0 }, all[128];
	if (n > sizeof(want))
		n = sizeof(want);
	if (task_copy_in(t, want, a[2], len < n ? len : n))
		return -EFAULT;
	if (!affinity_target_is_self(t, pid)) {
		if (pid > 0)
			syscall_report_unsupported("sched_setaffinity of another task");
		return -ESRCH;
	}
	all_cpus_mask(all, n, ncpus);
	bool any = false, restricts = false;
	for (size_t i = 0; i < n; i++) {
		any |= (want[i] & all[i]) != 0;
		restricts |= (all[i] & ~want[i]) != 0;
	}
	if (!any)
		return -EINVAL;
	/* Kept and inherited (threads are created by the parent's sentry
	 * thread and inherit its host affinity). */
	uint64_t m = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		m |= (uint64_t)(want[i] & all[i]) << (8 * i);
	t->cpu_affinity = restricts ? m : 0;
	/* Virtual CPU n is host CPU n: the task's sentry thread (and with it
	 * its stub, which follows that thread) runs only there. */
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int cpu = 0; cpu < ncpus && cpu < 64; cpu++)
		if (!restricts || ((m >> cpu) & 1))
			CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	return 0;
}

/*
 * getcpu(2): the virtual CPU the task runs on. moat does not place tasks on
 * virtual CPUs; the host CPU of the serving sentry thread, folded into the
 * sandbox's CPU count, is reported (APPROXIMATE). One NUMA node (0).
 */
SYSCALL_DEFINE(getcpu)
{
	int ncpus = t->kernel->ncpus > 0 ? t->kernel->ncpus : 1;
	int host_cpu = sched_getcpu();
	uint32_t cpu = host_cpu >= 0 ? (uint32_t)host_cpu % ncpus : 0;
	uint32_t node = 0;
	if (a[0] && task_copy_out(t, a[0], &cpu, sizeof(cpu)))
		return -EFAULT;
	if (a[1] && task_copy_out(t, a[1], &node, sizeof(node)))
		return -EFAULT;
	return 0;
}
