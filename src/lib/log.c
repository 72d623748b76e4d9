#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int log_level = 0;
bool log_strace = false;

/* One write(2) per line so lines from several sentry threads do not mix. */
static void log_vwrite(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "%s", prefix);
	int m = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	ssize_t r = write(2, buf, n);
	(void)r;
}

void log_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite("", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite("moat: ", fmt, ap);
	va_end(ap);
	_exit(125);
}
