/*
 * Inodes, dentries and the dentry cache: one hash table keyed by (parent
 * dentry, name) for every file system. Positive and negative lookups are
 * remembered, so a repeated stat or open of the same path walks the cache
 * without any host call.
 *
 * Dentries are never evicted yet: the file systems that exist so far
 * (hostfs, read-only, and devfs) do not change under the sandbox.
 * TODO: LRU eviction of unused leaves when the cache grows large.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/task.h"
#include "vfs/vfs.h"

static pthread_mutex_t dcache_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_rwlock_t dentry_name_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct dentry **dcache_buckets;
static size_t dcache_mask;    /* buckets - 1 */
static size_t dcache_count;

struct inode *inode_new(struct filesystem *fs, const struct inode_ops *ops, const struct stat *st)
{
	struct inode *ino = calloc(1, sizeof(*ino));
	if (!ino)
		return NULL;
	ino->fs = fs;
	ino->ops = ops;
	if (st)
		ino->st = *st;
	atomic_init(&ino->hostfd, -1);
	pthread_mutex_init(&ino->lock, NULL);
	waitq_init(&ino->flock_wq);
	return ino;
}

static struct dentry *dentry_alloc(struct filesystem *fs, struct dentry *parent,
				   const char *name, size_t len, uint32_t hash)
{
	struct dentry *d = calloc(1, sizeof(*d) + len + 1);
	if (!d)
		return NULL;
	d->parent = parent;
	d->fs = fs;
	d->hash = hash;
	d->len = (uint16_t)len;
	memcpy(d->iname, name, len);
	d->iname[len] = 0;
	d->name = d->iname;
	return d;
}

struct dentry *dentry_new_root(struct filesystem *fs, struct inode *root)
{
	struct dentry *d = dentry_alloc(fs, NULL, "/", 1, 0);
	if (d)
		atomic_store(&d->inode, root);
	return d;
}

struct dentry *dentry_new_unhashed(struct dentry *parent, const char *name, size_t len, struct inode *ino)
{
	struct dentry *d = dentry_alloc(parent->fs, parent, name, len, 0);
	if (d)
		atomic_store(&d->inode, ino);
	return d;
}

void dentry_instantiate(struct dentry *d, struct inode *inode)
{
	atomic_store_explicit(&d->inode, inode, memory_order_release);
}

/* FNV-1a over the name, mixed with the parent's address. */
static uint32_t dcache_hash(const struct dentry *dir, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uintptr_t)dir >> 4);
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct dentry *dcache_find_locked(struct dentry *dir, const char *name, size_t len, uint32_t hash)
{
	if (!dcache_buckets)
		return NULL;
	for (struct dentry *d = dcache_buckets[hash & dcache_mask]; d; d = d->hash_next)
		if (d->hash == hash && d->parent == dir && d->len == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

/* Keep the load factor at most 1: double the table when it is reached. */
static void dcache_grow_locked(void)
{
	size_t n = dcache_buckets ? (dcache_mask + 1) * 2 : 4096;
	struct dentry **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* keep the old table: longer chains, still correct */
	if (dcache_buckets) {
		for (size_t i = 0; i <= dcache_mask; i++) {
			struct dentry *d = dcache_buckets[i];
			while (d) {
				struct dentry *next = d->hash_next;
				d->hash_next = nb[d->hash & (n - 1)];
				nb[d->hash & (n - 1)] = d;
				d = next;
			}
		}
		free(dcache_buckets);
	}
	dcache_buckets = nb;
	dcache_mask = n - 1;
}

static void dcache_insert_locked(struct dentry *d)
{
	if (!dcache_buckets || dcache_count >= dcache_mask + 1)
		dcache_grow_locked();
	struct dentry **b = &dcache_buckets[d->hash & dcache_mask];
	d->hash_next = *b;
	*b = d;
	d->hashed = true;
	dcache_count++;
}

static void dcache_remove_locked(struct dentry *d)
{
	if (!d->hashed)
		return;
	for (struct dentry **pp = &dcache_buckets[d->hash & dcache_mask]; *pp; pp = &(*pp)->hash_next) {
		if (*pp == d) {
			*pp = d->hash_next;
			break;
		}
	}
	d->hash_next = NULL;
	d->hashed = false;
	dcache_count--;
}

void dcache_unhash(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	dcache_remove_locked(d);
	pthread_mutex_unlock(&dcache_lock);
}

/* Names given by rename live on the heap (name_heap); the original one
 * is the dentry's iname. Exchanges swap the flag with the name. */
static char *dname_alloc(const char *name, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, name, len);
	p[len] = 0;
	return p;
}

int dcache_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len)
{
	char *nn = dname_alloc(name, len);
	if (!nn)
		return -ENOMEM;
	uint32_t hash = dcache_hash(newparent, name, len);
	pthread_rwlock_wrlock(&dentry_name_lock);
	pthread_mutex_lock(&dcache_lock);
	struct dentry *old = dcache_find_locked(newparent, name, len, hash);
	if (old && old != d)
		dcache_remove_locked(old);
	dcache_remove_locked(d);
	/* Every reader of the old name holds one of the two locks (or the
	 * file system's ns_lock, which the renamer holds): it can go. */
	char *prev = d->name_heap ? (char *)d->name : NULL;
	d->parent = newparent;
	d->name = nn;
	d->name_heap = true;
	d->len = (uint16_t)len;
	d->hash = hash;
	dcache_insert_locked(d);
	pthread_mutex_unlock(&dcache_lock);
	pthread_rwlock_unlock(&dentry_name_lock);
	free(prev);
	return 0;
}

void dcache_exchange(struct dentry *a, struct dentry *b)
{
	pthread_rwlock_wrlock(&dentry_name_lock);
	pthread_mutex_lock(&dcache_lock);
	bool ah = a->hashed, bh = b->hashed;
	dcache_remove_locked(a);
	dcache_remove_locked(b);
	struct dentry *p = a->parent;
	const char *n = a->name;
	uint16_t l = a->len;
	uint32_t h = a->hash;
	bool heap = a->name_heap;
	a->name_heap = b->name_heap;
	b->name_heap = heap;
	a->parent = b->parent;
	a->name = b->name;
	a->len = b->len;
	a->hash = b->hash;
	b->parent = p;
	b->name = n;
	b->len = l;
	b->hash = h;
	if (bh)
		dcache_insert_locked(a);
	if (ah)
		dcache_insert_locked(b);
	pthread_mutex_unlock(&dcache_lock);
	pthread_rwlock_unlock(&dentry_name_lock);
}

bool dentry_is_ancestor(struct dentry *anc, struct dentry *d)
{
	for (int guard = 0; d && guard < 100000; guard++, d = d->parent)
		if (d == anc)
			return true;
	return false;
}

void inode_stat(struct inode *ino, struct stat *st)
{
	pthread_mutex_lock(&ino->lock);
	*st = ino->st;
	pthread_mutex_unlock(&ino->lock);
}

int dcache_lookup(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	uint32_t hash = dcache_hash(dir, name, len);

	pthread_mutex_lock(&dcache_lock);
	struct dentry *d = dcache_find_locked(dir, name, len, hash);
	pthread_mutex_unlock(&dcache_lock);
	if (d) {
		struct inode *dino = atomic_load(&dir->inode);
		if (dino && dino->ops && dino->ops->revalidate)
			dino->ops->revalidate(dir, d);
		/* Unhashed by revalidate: the name means something else now,
		 * look it up again (holders of d keep the old one). */
		if (__atomic_load_n(&d->hashed, __ATOMIC_ACQUIRE)) {
			*out = d;
			return 0;
		}
	}

	/* Miss: ask the file system without holding the cache lock (host
	 * calls may take a while), then insert unless someone beat us. */
	struct inode *dino = atomic_load(&dir->inode);
	if (!dino || !dino->ops || !dino->ops->lookup)
		return -ENOTDIR;
	/* File systems get a NUL-terminated name (it may be cut out of the
	 * middle of a path). */
	char cname[VFS_NAME_MAX + 1];
	if (len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(cname, name, len);
	cname[len] = 0;
	struct inode *ino = NULL;
	int err = dino->ops->lookup(dir, cname, len, &ino);
	if (err && err != -ENOENT)
		return err;

	struct dentry *nd = dentry_alloc(dir->fs, dir, name, len, hash);
	if (!nd)
		return -ENOMEM; /* ino stays owned by nobody: a rare leak */
	atomic_init(&nd->inode, ino);

	pthread_mutex_lock(&dcache_lock);
	d = dcache_find_locked(dir, name, len, hash);
	if (!d) {
		dcache_insert_locked(nd);
		d = nd;
		nd = NULL;
	}
	pthread_mutex_unlock(&dcache_lock);
	if (nd) {
		/* Lost the race: drop ours (its inode is unreferenced). */
		if (ino) {
			int fd = atomic_load(&ino->hostfd);
			if (fd >= 0)
				close(fd);
			free(ino->link);
			free(ino);
		}
		free(nd);
	}
	*out = d;
	return 0;
}

#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2

int vfs_permission(const struct creds *c, struct inode *inode, int mask)
{
	mode_t m = inode->st.st_mode;

	/* sb_permission(): no writing to a read-only mount's files. */
	if ((mask & MAY_WRITE) && inode->fs && inode->fs->readonly &&
	    (S_ISREG(m) || S_ISDIR(m) || S_ISLNK(m)))
		return -EROFS;

	/* generic_permission(): owner class, then group, then others. */
	unsigned int bits;
	if (c->fsuid == inode->st.st_uid)
		bits = (m >> 6) & 7;
	else if (creds_in_group(c, inode->st.st_gid))
		bits = (m >> 3) & 7;
	else
		bits = m & 7;
	if ((mask & ~bits & 7) == 0)
		return 0;

	/* capable_wrt_inode_uidgid(): DAC override grants read and write,
	 * and exec only for directories or files with some x bit. */
	if (creds_has_cap(c, CAP_DAC_OVERRIDE)) {
		if (!(mask & MAY_EXEC) || S_ISDIR(m) || (m & 0111))
			return 0;
	}
	if (creds_has_cap(c, CAP_DAC_READ_SEARCH)) {
		if (S_ISDIR(m) && !(mask & MAY_WRITE))
			return 0;
		if (mask == MAY_READ)
			return 0;
	}
	return -EACCES;
}
