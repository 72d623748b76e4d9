#include "loader/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "kernel/task.h"
#include "kernel/userns.h"
#include "mm/mm.h"
#include "platform/platform.h"
#include "vfs/vfs.h"

/* Where Linux puts a PIE main program (ELF_ET_DYN_BASE for 47-bit). */
#define ET_DYN_BASE 0x555555554000ULL
/* Linux's BINPRM_BUF_SIZE: how much of the file `#!` handling sees. */
#define BINPRM_BUF 256
#define MAX_INTERP_DEPTH 4
#define MAX_PHNUM 128

/* ---- string vectors ----------------------------------------------------- */

void strvec_free(struct strvec *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int strvec_grow(struct strvec *s)
{
	if ((s->n + 2) % 16 != 1 && s->v)
		return 0;
	char **v = realloc(s->v, ((s->n + 2) / 16 + 1) * 16 * sizeof *v);
	if (!v)
		return -ENOMEM;
	s->v = v;
	return 0;
}

int strvec_push(struct strvec *s, const char *str)
{
	if (strvec_grow(s))
		return -ENOMEM;
	char *d = strdup(str);
	if (!d)
		return -ENOMEM;
	s->v[s->n++] = d;
	s->v[s->n] = NULL;
	s->bytes += strlen(str) + 1;
	return 0;
}

int strvec_insert_front(struct strvec *s, const char *str)
{
	if (strvec_push(s, str))
		return -ENOMEM;
	char *d = s->v[s->n - 1];
	memmove(&s->v[1], &s->v[0], (s->n - 1) * sizeof *s->v);
	s->v[0] = d;
	return 0;
}

int strvec_copy_in(struct task *t, uint64_t addr, struct strvec *out)
{
	memset(out, 0, sizeof *out);
	if (!addr)
		return 0;   /* Linux accepts a NULL argv/envp as empty */
	char *buf = malloc(ARG_STRLEN_MAX);
	if (!buf)
		return -ENOMEM;
	int err = 0;
	for (int i = 0;; i++) {
		uint64_t p;
		if (task_copy_in(t, &p, addr + 8 * (uint64_t)i, 8)) {
			err = -EFAULT;
			break;
		}
		if (!p)
			break;
		long n = task_copy_in_string(t, p, buf, ARG_STRLEN_MAX);
		if (n < 0) {
			err = n == -ENAMETOOLONG ? -E2BIG : (int)n;
			break;
		}
		/* The whole of argv+envp must fit in a quarter of the stack limit. */
		if (out->bytes + (uint64_t)n + 1 > t->tg->rlimits[RLIMIT_STACK].rlim_cur / 4 ||
		    i > 0x7fffffff / 8) {
			err = -E2BIG;
			break;
		}
		if ((err = strvec_push(out, buf)))
			break;
	}
	free(buf);
	if (err)
		strvec_free(out);
	return err;
}

/* ---- ELF ------------------------------------------------------------------ */

struct elf_info {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHNUM];
	uint64_t bias;
	uint64_t phdr_addr;        /* AT_PHDR */
	uint64_t end;              /* end of the highest segment (brk start) */
	char interp[256];
	bool has_interp;
	bool exec_stack;
};

static int elf_read_headers(struct file *f, const uint8_t *head, size_t headlen, struct elf_info *e)
{
	if (headlen < sizeof e->eh)
		return -ENOEXEC;
	memcpy(&e->eh, head, sizeof e->eh);
	const Elf64_Ehdr *h = &e->eh;
	if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB ||
	    h->e_machine != EM_X86_64 || (h->e_type != ET_EXEC && h->e_type != ET_DYN))
		return -ENOEXEC;
	if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0 || h->e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	size_t len = h->e_phnum * sizeof(Elf64_Phdr);
	if (file_kread(f, e->ph, len, h->e_phoff) != (ssize_t)len)
		return -EIO;
	e->exec_stack = false;
	e->has_interp = false;
	for (int i = 0; i < h->e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		if (p->p_type == PT_GNU_STACK)
			e->exec_stack = p->p_flags & PF_X;
		if (p->p_type == PT_INTERP) {
			if (p->p_filesz < 2 || p->p_filesz > sizeof e->interp)
				return -ENOEXEC;
			if (file_kread(f, e->interp, p->p_filesz, p->p_offset) != (ssize_t)p->p_filesz)
				return -EIO;
			if (e->interp[p->p_filesz - 1] != 0)
				return -ENOEXEC;
			e->has_interp = true;
		}
	}
	return 0;
}

static int elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Map the PT_LOAD segments of e at bias (chosen here for ET_DYN unless
 * main_base is given). */
static int elf_map(struct task *t, struct mm *mm, struct file *f, struct elf_info *e, uint64_t main_base)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_memsz < p->p_filesz || p->p_vaddr + p->p_memsz < p->p_vaddr ||
		    (p->p_vaddr & (PAGE_SIZE - 1)) != (p->p_offset & (PAGE_SIZE - 1)))
			return -ENOEXEC;
		if (PAGE_ROUND_DOWN(p->p_vaddr) < lo)
			lo = PAGE_ROUND_DOWN(p->p_vaddr);
		if (PAGE_ROUND_UP(p->p_vaddr + p->p_memsz) > hi)
			hi = PAGE_ROUND_UP(p->p_vaddr + p->p_memsz);
	}
	if (lo >= hi)
		return -ENOEXEC;
	uint64_t bias = 0;
	if (e->eh.e_type == ET_DYN) {
		if (main_base) {
			bias = main_base - lo;
		} else {
			/* Let mmap pick room for the whole image, then map over it. */
			long a = mm_mmap(mm, 0, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
			if (a < 0)
				return (int)a;
			bias = (uint64_t)a - lo;
		}
	}
	e->bias = bias;
	e->phdr_addr = 0;
	e->end = 0;
	for (int i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		if (p->p_type == PT_PHDR)
			e->phdr_addr = bias + p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		int prot = elf_prot(p->p_flags);
		uint64_t start = bias + PAGE_ROUND_DOWN(p->p_vaddr);
		uint64_t file_end = bias + p->p_vaddr + p->p_filesz;
		uint64_t mem_end = bias + p->p_vaddr + p->p_memsz;
		if (p->p_filesz) {
			long r = mm_mmap(mm, start, PAGE_ROUND_UP(file_end) - start, prot,
					 MAP_PRIVATE | MAP_FIXED, f, PAGE_ROUND_DOWN(p->p_offset));
			if (r < 0)
				return (int)r;
			/* The rest of the last file page belongs to .bss: zero. */
			if (mem_end > file_end && (file_end & (PAGE_SIZE - 1)) && (prot & PROT_WRITE)) {
				size_t n = PAGE_ROUND_UP(file_end) - file_end;
				if (mm_zero(t, mm, file_end, n))
					return -EFAULT;
			}
		}
		uint64_t anon = p->p_filesz ? PAGE_ROUND_UP(file_end) : start;
		if (PAGE_ROUND_UP(mem_end) > anon) {
			long r = mm_mmap(mm, anon, PAGE_ROUND_UP(mem_end) - anon, prot,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
			if (r < 0)
				return (int)r;
		}
		if (!e->phdr_addr && e->eh.e_phoff >= p->p_offset &&
		    e->eh.e_phoff + e->eh.e_phnum * sizeof(Elf64_Phdr) <= p->p_offset + p->p_filesz)
			e->phdr_addr = bias + p->p_vaddr + (e->eh.e_phoff - p->p_offset);
		if (mem_end > e->end)
			e->end = mem_end;
	}
	return 0;
}

/* ---- the initial stack -------------------------------------------------- */

struct stack_builder {
	struct task *t;
	struct mm *mm;
	uint64_t sp;
	int err;
};

static uint64_t push_bytes(struct stack_builder *b, const void *data, size_t n)
{
	b->sp -= n;
	if (!b->err && mm_copy_out(b->t, b->mm, b->sp, data, n))
		b->err = -EFAULT;
	return b->sp;
}

static uint64_t push_string(struct stack_builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1);
}

static int build_stack(struct task *t, struct mm *mm, struct elf_info *prog, struct elf_info *interp,
		       const char *execfn, struct strvec *argv, struct strvec *envp, uint64_t *sp_out)
{
	struct stack_builder b = { t, mm, mm->stack_top, 0 };
	uint64_t execfn_addr = push_string(&b, execfn);
	uint64_t *envp_addrs = calloc(envp->n + 1, sizeof *envp_addrs);
	uint64_t *argv_addrs = calloc(argv->n + 1, sizeof *argv_addrs);
	if (!envp_addrs || !argv_addrs) {
		free(envp_addrs);
		free(argv_addrs);
		return -ENOMEM;
	}
	for (int i = envp->n - 1; i >= 0; i--)
		envp_addrs[i] = push_string(&b, envp->v[i]);
	mm->env_start = b.sp;
	mm->env_end = execfn_addr;
	for (int i = argv->n - 1; i >= 0; i--)
		argv_addrs[i] = push_string(&b, argv->v[i]);
	mm->arg_start = b.sp;
	mm->arg_end = mm->env_start;
	uint64_t platform_addr = push_string(&b, "x86_64");
	uint8_t random[16];
	if (getrandom(random, sizeof random, 0) != sizeof random)
		memset(random, 0x5a, sizeof random);
	b.sp &= ~15ULL;
	uint64_t random_addr = push_bytes(&b, random, sizeof random);

	uint64_t auxv[64];
	int n = 0;
#define AUX(k, v) (auxv[n++] = (k), auxv[n++] = (v))
	if (platform_vdso)
		AUX(AT_SYSINFO_EHDR, platform_vdso);
	AUX(AT_HWCAP, getauxval(AT_HWCAP));
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, prog->phdr_addr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, prog->eh.e_phnum);
	AUX(AT_BASE, interp ? interp->bias : 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, prog->bias + prog->eh.e_entry);
	/* As the program's user namespace sees them. */
	AUX(AT_UID, from_kuid_munged(creds_user_ns(&t->creds), t->creds.ruid));
	AUX(AT_EUID, from_kuid_munged(creds_user_ns(&t->creds), t->creds.euid));
	AUX(AT_GID, from_kgid_munged(creds_user_ns(&t->creds), t->creds.rgid));
	AUX(AT_EGID, from_kgid_munged(creds_user_ns(&t->creds), t->creds.egid));
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_addr);
	AUX(AT_HWCAP2, getauxval(AT_HWCAP2));
	AUX(AT_EXECFN, execfn_addr);
	AUX(AT_PLATFORM, platform_addr);
	AUX(AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048);
	AUX(AT_NULL, 0);
#undef AUX
	memcpy(mm->auxv, auxv, n * sizeof *auxv);
	mm->auxv_len = n;

	/* argc, argv[], NULL, envp[], NULL, auxv: rsp must end 16-aligned. */
	size_t words = 1 + (argv->n + 1) + (envp->n + 1) + n;
	b.sp = (b.sp - words * 8) & ~15ULL;
	uint64_t sp = b.sp;
	uint64_t argc = argv->n;
	uint64_t w = sp;
	int err = mm_copy_out(t, mm, w, &argc, 8);
	w += 8;
	argv_addrs[argv->n] = 0;
	envp_addrs[envp->n] = 0;
	err = err ? err : mm_copy_out(t, mm, w, argv_addrs, (argv->n + 1) * 8);
	w += (argv->n + 1) * 8;
	err = err ? err : mm_copy_out(t, mm, w, envp_addrs, (envp->n + 1) * 8);
	w += (envp->n + 1) * 8;
	err = err ? err : mm_copy_out(t, mm, w, auxv, n * 8);
	free(envp_addrs);
	free(argv_addrs);
	if (b.err || err)
		return -EFAULT;
	*sp_out = sp;
	return 0;
}

/* ---- exec ----------------------------------------------------------------- */

/* `#!interpreter [arg]`: rewrite argv as interpreter [arg] path argv[1..].
 * Returns 1 when head is a script, 0 if not, or -errno. */
static int parse_script(const uint8_t *head, size_t len, const char *path, struct strvec *argv,
			char *interp, size_t interp_size)
{
	if (len < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	char line[BINPRM_BUF + 1];
	size_t n = len < BINPRM_BUF ? len : BINPRM_BUF;
	memcpy(line, head + 2, n - 2);
	line[n - 2] = 0;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	else if (len >= BINPRM_BUF)
		return -ENOEXEC;   /* Linux: the interpreter line must fit */
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	char *name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	char *arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;
			/* Linux keeps everything after the name as one argument,
			 * trailing blanks removed. */
			char *end = arg + strlen(arg);
			while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = 0;
		}
	}
	if (strlen(name) >= interp_size)
		return -ENAMETOOLONG;
	strcpy(interp, name);
	/* argv[0] is replaced by the script's path. */
	if (argv->n > 0) {
		argv->bytes -= strlen(argv->v[0]) + 1;
		free(argv->v[0]);
		memmove(&argv->v[0], &argv->v[1], argv->n * sizeof *argv->v);
		argv->n--;
	}
	if (strvec_insert_front(argv, path) || (arg && strvec_insert_front(argv, arg)) ||
	    strvec_insert_front(argv, name))
		return -ENOMEM;
	return 1;
}

static void set_comm(char comm[16], const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	strncpy(comm, base, 15);
	comm[15] = 0;
}

static int setup_layout(struct task *t, struct mm *mm)
{
	uint64_t stack_limit = t->tg->rlimits[RLIMIT_STACK].rlim_cur;
	uint64_t gap = stack_limit;
	if (gap < (128ULL << 20))
		gap = 128ULL << 20;
	if (gap > (mm->max_addr / 6) * 5)
		gap = (mm->max_addr / 6) * 5;
	/* Leave a few pages under the stub page, as Linux leaves the top page. */
	mm->stack_top = mm->max_addr - 16 * PAGE_SIZE;
	mm->mmap_base = PAGE_ROUND_DOWN(mm->stack_top - gap - (1ULL << 20));
	uint64_t initial = 32 * PAGE_SIZE;
	long r = mm_mmap(mm, mm->stack_top - initial, initial, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return (int)r;
	long i = vma_find(&mm->vmas, mm->stack_top - initial);
	mm->vmas.v[i].flags |= VMA_STACK;
	for (int j = 0; j < platform_nspecial; j++) {
		struct vma v = {
			.start = platform_special[j].start, .end = platform_special[j].end,
			.prot = platform_special[j].prot, .maxprot = platform_special[j].prot,
			.flags = VMA_SPECIAL,
		};
		int err = vma_insert(&mm->vmas, &v);
		if (err)
			return err;
	}
	return 0;
}

int loader_exec(struct task *t, const char *path, struct file *opened, struct strvec *argv,
		struct strvec *envp, struct exec_image *img)
{
	char cur[VFS_PATH_MAX];
	char interp_path[VFS_PATH_MAX];
	uint8_t head[BINPRM_BUF];
	struct file *f = NULL, *interp_f = NULL;
	struct elf_info *prog = calloc(1, sizeof *prog), *interp = NULL;
	int err;
	memset(img, 0, sizeof *img);
	if (!prog || strlen(path) >= sizeof cur) {
		if (opened)
			file_put(opened);
		free(prog);
		return prog ? -ENAMETOOLONG : -ENOMEM;
	}
	strcpy(cur, path);
	for (int depth = 0;; depth++) {
		if (opened) {
			f = opened;
			opened = NULL;
		} else if ((err = vfs_open_exec(t, cur, &f))) {
			goto fail;
		}
		ssize_t n = file_kread(f, head, sizeof head, 0);
		if (n < 0) {
			err = (int)n;
			goto fail;
		}
		int script = parse_script(head, (size_t)n, cur, argv, interp_path, sizeof interp_path);
		if (script < 0) {
			err = script;
			goto fail;
		}
		if (!script) {
			if ((err = elf_read_headers(f, head, (size_t)n, prog)))
				goto fail;
			break;
		}
		if (depth >= MAX_INTERP_DEPTH) {
			err = -ELOOP;
			goto fail;
		}
		file_put(f);
		f = NULL;
		strcpy(cur, interp_path);
	}
	if (prog->has_interp) {
		interp = calloc(1, sizeof *interp);
		if (!interp) {
			err = -ENOMEM;
			goto fail;
		}
		if ((err = vfs_open_exec(t, prog->interp, &interp_f)))
			goto fail;
		ssize_t n = file_kread(interp_f, head, sizeof head, 0);
		if (n < 0) {
			err = (int)n;
			goto fail;
		}
		if ((err = elf_read_headers(interp_f, head, (size_t)n, interp)))
			goto fail;
		if (interp->has_interp) {
			err = -ELIBBAD;
			goto fail;
		}
	}

	if ((err = mm_new(t->ctx, &img->mm)))
		goto fail;
	struct mm *mm = img->mm;
	if ((err = setup_layout(t, mm)))
		goto fail;
	if ((err = elf_map(t, mm, f, prog, prog->eh.e_type == ET_DYN ? ET_DYN_BASE : 0)))
		goto fail;
	if (interp && (err = elf_map(t, mm, interp_f, interp, 0)))
		goto fail;
	mm->brk_start = mm->brk = PAGE_ROUND_UP(prog->end);
	if ((err = build_stack(t, mm, prog, interp, path, argv, envp, &img->sp)))
		goto fail;
	img->entry = interp ? interp->bias + interp->eh.e_entry : prog->bias + prog->eh.e_entry;
	mm->exe = f;
	f = NULL;
	set_comm(img->comm, path);
	err = 0;
fail:
	if (err && img->mm) {
		mm_put(img->mm);
		img->mm = NULL;
	}
	if (f)
		file_put(f);
	if (interp_f)
		file_put(interp_f);
	free(prog);
	free(interp);
	return err;
}
