/* Logging for the sentry: debug log (--debug), strace lines, fatal errors. */
#ifndef MOAT_LIB_LOG_H
#define MOAT_LIB_LOG_H

#include <stdbool.h>

extern int log_level;          /* 0 quiet, 1 warnings, 2 debug */
extern bool log_strace;        /* --strace */

void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_warn(...)  do { if (log_level >= 1) log_printf(__VA_ARGS__); } while (0)
#define log_debug(...) do { if (log_level >= 2) log_printf(__VA_ARGS__); } while (0)

#endif
