/*
 * Reporting what moat does not implement (DESIGN.md, 3: unimplemented
 * syscalls, flags and ioctls are counted and reported once), and
 * `moat syscalls`, the compatibility table.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "syscalls/strace.h"
#include "syscalls/syscalls.h"

/* Distinct messages already reported, by 64-bit hash (0 = empty slot).
 * When the set is full, further new messages are still printed (repeats
 * among them cannot be told apart any more). */
#define REPORT_SLOTS 1024

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t reported[REPORT_SLOTS];
static unsigned long reported_count;
static atomic_ulong unsupported_total;

/* FNV-1a; never 0, so that 0 can mark an empty slot. */
static uint64_t message_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

/* Adds the message to the set; true if it was not there before. */
static bool remember_message(const char *what)
{
	uint64_t h = message_hash(what);
	bool is_new = true;
	pthread_mutex_lock(&report_lock);
	for (size_t i = 0; i < REPORT_SLOTS; i++) {
		size_t slot = (h + i) % REPORT_SLOTS;
		if (reported[slot] == h) {
			is_new = false;
			break;
		}
		if (reported[slot] == 0) {
			reported[slot] = h;
			reported_count++;
			break;
		}
	}
	pthread_mutex_unlock(&report_lock);
	return is_new;
}

void syscall_report_unsupported(const char *what)
{
	atomic_fetch_add(&unsupported_total, 1);
	if (!remember_message(what))
		return;
	if (!log_strace && log_level < 1)
		return;
	char line[512];
	int n = snprintf(line, sizeof line, "moat: unsupported: %s", what);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	strace_emit_line(line, (size_t)n);
}

unsigned long syscall_unsupported_total(void)
{
	return atomic_load(&unsupported_total);
}

unsigned long syscall_unsupported_distinct(void)
{
	pthread_mutex_lock(&report_lock);
	unsigned long n = reported_count;
	pthread_mutex_unlock(&report_lock);
	return n;
}

static enum sc_support support_of(const struct syscall_desc *d)
{
	if (!d->fn)
		return SC_NONE;
	return d->partial ? SC_PARTIAL : SC_FULL;
}

void syscalls_print_table(void)
{
	unsigned total = 0, full = 0, partial = 0, none = 0;
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];
		if (!d->name)
			continue;
		total++;
		switch (support_of(d)) {
		case SC_FULL:
			full++;
			printf("%-3d %-24s full\n", nr, d->name);
			break;
		case SC_PARTIAL:
			partial++;
			printf("%-3d %-24s partial (%s)\n", nr, d->name, d->partial);
			break;
		case SC_NONE:
			none++;
			printf("%-3d %-24s none\n", nr, d->name);
			break;
		}
	}
	printf("%u syscalls: %u full, %u partial, %u not implemented\n", total, full, partial, none);
	fflush(stdout);
}
