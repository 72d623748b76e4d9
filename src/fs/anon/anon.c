/*
 * The anonymous inode all anonymous files share (Linux's anon_inode_inode):
 * fstat of an eventfd, an epoll or a timerfd shows the same inode, mode 0600
 * with no file type bits.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fs/anon/anon.h"
#include "vfs/vfs.h"

static struct inode *anon_inode;
static pthread_once_t anon_once = PTHREAD_ONCE_INIT;

static void anon_inode_init(void)
{
	struct stat st = { 0 };
	st.st_mode = 0600;
	st.st_nlink = 1;
	st.st_ino = 1;
	st.st_dev = makedev(0, 15);  /* anon_inodefs */
	st.st_blksize = 4096;
	st.st_atim = st.st_mtim = st.st_ctim = vfs_boot_time;
	anon_inode = inode_new(NULL, NULL, &st);
}

struct file *anon_file_new(const struct file_ops *ops, int flags, unsigned int mode, void *priv)
{
	pthread_once(&anon_once, anon_inode_init);
	if (!anon_inode)
		return NULL;
	struct file *f = file_alloc(ops, anon_inode, flags, mode);
	if (f)
		f->priv = priv;
	return f;
}

int anon_path_name(char *buf, size_t n, const char *name)
{
	size_t len = strlen(name);
	if (n < len + 1)
		return -ENAMETOOLONG;
	memcpy(buf, name, len + 1);
	return (int)len;
}

int64_t anon_noop_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos;
}
