/*
 * Program loading for execve: `#!` scripts, ELF64 executables (static,
 * static-PIE, dynamic with PT_INTERP) and the initial stack with argv, envp
 * and the auxiliary vector.
 */
#ifndef MOAT_LOADER_LOADER_H
#define MOAT_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"

struct task;
struct mm;
struct file;

/* A list of strings held in the sentry (argv, envp). */
struct strvec {
	char **v;
	int n;
	size_t bytes;        /* total length including NULs */
};

void strvec_free(struct strvec *s);
int strvec_push(struct strvec *s, const char *str);
int strvec_insert_front(struct strvec *s, const char *str);
/* Copy a NULL-terminated array of strings from the application. */
int strvec_copy_in(struct task *t, uint64_t addr, struct strvec *out);

/* Linux's limit on the arguments and environment (MAX_ARG_STRLEN). */
#define ARG_STRLEN_MAX (32 * PAGE_SIZE)

struct exec_image {
	struct mm *mm;            /* the new address space */
	uint64_t entry;           /* where the first instruction is */
	uint64_t sp;              /* initial stack pointer */
	char comm[16];
};

/* Load path (resolved in t's file system context, or already opened as
 * `opened`, whose reference the loader takes) with argv and envp into a new
 * address space. argv may be rewritten by `#!` handling. On failure the
 * image holds nothing. */
int loader_exec(struct task *t, const char *path, struct file *opened, struct strvec *argv,
		struct strvec *envp, struct exec_image *img);

#endif
