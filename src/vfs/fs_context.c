/*
 * FS contexts: a task's root, working directory and umask (shared between
 * tasks by CLONE_FS, copied by fork otherwise).
 */
#include <errno.h>
#include <stdlib.h>

#include "kernel/task.h"
#include "vfs/vfs.h"

static const struct creds root_creds = {
	.cap_effective = ~0ULL, .cap_permitted = ~0ULL, .cap_bounding = ~0ULL,
};

static struct fs_context *fs_context_alloc(struct path root, struct path cwd, unsigned int umask)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->lock, NULL);
	atomic_init(&fs->refs, 1);
	fs->root = root;
	fs->cwd = cwd;
	atomic_init(&fs->umask, umask);
	return fs;
}

struct fs_context *fs_context_new(const char *cwd)
{
	struct path root = vfs_root();
	struct path dir = root;
	if (cwd && cwd[0]) {
		/* Resolved inside the sandbox; relative means from the root. */
		struct walk w = { .creds = &root_creds, .root = root, .cur = root,
				  .flags = WALK_FOLLOW | WALK_DIRECTORY };
		if (vfs_walk(&w, cwd) == 0)
			dir = w.cur;
	}
	return fs_context_alloc(root, dir, 022);
}

struct fs_context *fs_context_fork(struct fs_context *fs)
{
	struct path root, cwd;
	fs_context_paths(fs, &root, &cwd);
	return fs_context_alloc(root, cwd, atomic_load(&fs->umask));
}

void fs_context_get(struct fs_context *fs)
{
	atomic_fetch_add(&fs->refs, 1);
}

void fs_context_put(struct fs_context *fs)
{
	if (fs && atomic_fetch_sub(&fs->refs, 1) == 1) {
		pthread_mutex_destroy(&fs->lock);
		free(fs);
	}
}

void fs_context_paths(struct fs_context *fs, struct path *root, struct path *cwd)
{
	pthread_mutex_lock(&fs->lock);
	if (root)
		*root = fs->root;
	if (cwd)
		*cwd = fs->cwd;
	pthread_mutex_unlock(&fs->lock);
}

void fs_context_set_cwd(struct fs_context *fs, struct path cwd)
{
	pthread_mutex_lock(&fs->lock);
	fs->cwd = cwd;
	pthread_mutex_unlock(&fs->lock);
}
