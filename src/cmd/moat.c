/*
 * The moat command.
 *
 *   moat run [OPTIONS] -- PROGRAM [ARGS...]
 *   moat syscalls
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "lib/log.h"
#include "loader/loader.h"
#include "mm/memfile.h"
#include "platform/platform.h"
#include "syscalls/syscalls.h"
#include "vfs/vfs.h"

extern char **environ;

/* Room for application memory in the memory file (sparse: only what is
 * used costs anything). */
#define MEMORY_FILE_SIZE (64ULL << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: moat run [OPTIONS] -- PROGRAM [ARGS...]\n"
		"       moat syscalls\n"
		"\n"
		"Runs PROGRAM in a fresh sandbox as its init process (PID 1); every system\n"
		"call is served by moat's own kernel. Exits with PROGRAM's status.\n"
		"\n"
		"options of run:\n"
		"  --root DIR      sandbox root (read-only from inside; default /)\n"
		"  --cwd DIR       working directory inside the sandbox\n"
		"  --env K=V       set an environment variable (repeatable)\n"
		"  --clear-env     start from an empty environment\n"
		"  --strace        print every syscall to stderr\n"
		"  --debug         debug log (unsupported features, platform events)\n"
		"  --platform P    ptrace (default)\n");
}

struct run_opts {
	const char *root;
	const char *cwd;
	const char *platform;
	bool clear_env;
	struct strvec env_set;
};

static int env_set(struct strvec *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (int i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], kv, klen) == 0 && env->v[i][klen] == '=') {
			char *d = strdup(kv);
			if (!d)
				return -ENOMEM;
			env->bytes += strlen(kv) - strlen(env->v[i]);
			free(env->v[i]);
			env->v[i] = d;
			return 0;
		}
	}
	return strvec_push(env, kv);
}

static const char *env_get(struct strvec *env, const char *key)
{
	size_t klen = strlen(key);
	for (int i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=')
			return env->v[i] + klen + 1;
	return NULL;
}

/* The working directory: --cwd, else the caller's when it exists inside
 * the sandbox (vfs resolves it; "/" otherwise). */
static const char *initial_cwd(const struct run_opts *o, char *buf, size_t n)
{
	if (o->cwd)
		return o->cwd;
	if (strcmp(o->root, "/") == 0 && getcwd(buf, n))
		return buf;
	return "/";
}

/* A program name without '/' is looked up in the sandbox's PATH, as
 * container runtimes do; returns the first executable regular file. */
static char *search_path(const char *prog, const char *path)
{
	struct creds root = { 0 };
	char cand[4096];
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		int len = snprintf(cand, sizeof cand, "%.*s/%s", (int)n, n ? p : ".", prog);
		p += n + (p[n] == ':');
		if (len >= (int)sizeof cand)
			continue;
		struct walk w = { .creds = &root, .root = vfs_root(), .cur = vfs_root(), .flags = WALK_FOLLOW };
		if (vfs_walk(&w, cand) != 0)
			continue;
		struct inode *ino = path_inode(w.cur);
		if (ino && S_ISREG(ino->st.st_mode) && (ino->st.st_mode & 0111))
			return strdup(cand);
	}
	return NULL;
}

static struct kernel *the_kernel;

static void forward_signal(int sig)
{
	if (the_kernel)
		kernel_send_external_signal(the_kernel, sig);
}

static int wait_status_to_exit_code(int status)
{
	if ((status & 0x7f) == 0)
		return (status >> 8) & 0xff;
	return 128 + (status & 0x7f);
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .root = "/", .platform = "ptrace" };
	int i = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "--strace") == 0) {
			log_strace = true;
		} else if (strcmp(a, "--debug") == 0) {
			log_level = 2;
		} else if (strcmp(a, "--clear-env") == 0) {
			o.clear_env = true;
		} else if (!strcmp(a, "--root") || !strcmp(a, "--cwd") || !strcmp(a, "--env") ||
			   !strcmp(a, "--platform")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "moat: %s needs an argument\n", a);
				return 2;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--root"))
				o.root = v;
			else if (!strcmp(a, "--cwd"))
				o.cwd = v;
			else if (!strcmp(a, "--platform"))
				o.platform = v;
			else if (!strchr(v, '=')) {
				fprintf(stderr, "moat: --env wants K=V, got '%s'\n", v);
				return 2;
			} else if (strvec_push(&o.env_set, v)) {
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "moat: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}

	struct init_args ia = { .stdio = { 0, 1, 2 } };
	if (!o.clear_env)
		for (char **e = environ; *e; e++)
			strvec_push(&ia.envp, *e);
	for (int j = 0; j < o.env_set.n; j++)
		env_set(&ia.envp, o.env_set.v[j]);
	for (int j = i; j < argc; j++)
		strvec_push(&ia.argv, argv[j]);

	int err = mf_init(MEMORY_FILE_SIZE);
	if (err)
		die("cannot create the memory file: %s", strerror(-err));
	if ((err = platform_init(o.platform, mf_fd())))
		die("unknown platform '%s'", o.platform);
	if ((err = vfs_init(o.root))) {
		fprintf(stderr, "moat: cannot use %s as the sandbox root: %s\n", o.root, strerror(-err));
		return 125;
	}
	char cwd[4096];
	ia.cwd = initial_cwd(&o, cwd, sizeof cwd);

	/* PATH lookup inside the sandbox for bare names. */
	const char *prog = argv[i];
	char *resolved = NULL;
	if (!strchr(prog, '/')) {
		const char *path = env_get(&ia.envp, "PATH");
		if (!path)
			path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		resolved = search_path(prog, path);
		if (!resolved) {
			fprintf(stderr, "moat: %s: command not found\n", prog);
			return 127;
		}
		prog = resolved;
	}
	ia.path = prog;

	the_kernel = kernel_new();
	if (!the_kernel)
		die("out of memory");
	struct task *init;
	if ((err = kernel_create_process(the_kernel, &ia, &init)))
		die("cannot create the init process: %s", strerror(-err));
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	kernel_start(the_kernel);
	int status = kernel_wait_exited(the_kernel);
	free(resolved);
	/* Stubs die with us (PTRACE_O_EXITKILL, PR_SET_PDEATHSIG). */
	fflush(stdout);
	_exit(wait_status_to_exit_code(status));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "syscalls") == 0) {
		syscalls_print_table();
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "moat: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
