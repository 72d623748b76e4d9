/* proc_prctl: prctl options. PR_SET/GET_NAME (truncated to 15 bytes, one
 * name per thread, EFAULT); PR_SET/GET_DUMPABLE (0 and 1, 2 EINVAL, reset
 * to the suid_dumpable default 0 by a uid change); PR_SET/GET_NO_NEW_PRIVS
 * (sticky: cannot be cleared, extra arguments EINVAL, inherited by
 * children); unknown options EINVAL. Process-wide changes are made in
 * forked children. */
#include "tap.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char thread_name[32];
static void *thread_fn(void *arg)
{
	prctl(PR_SET_NAME, "worker-thread");
	prctl(PR_GET_NAME, thread_name);
	return NULL;
}

static void dumpable(void *arg)
{
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1, "dumpable at start");
	CHECK_OK(prctl(PR_SET_DUMPABLE, 0), "PR_SET_DUMPABLE 0");
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0, "now 0");
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL, "PR_SET_DUMPABLE 2 EINVAL");
	CHECK_OK(prctl(PR_SET_DUMPABLE, 1), "back to 1");
	CHECK_OK(setresuid(1000, 1000, 1000), "change uids");
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0, "a uid change resets dumpable (suid_dumpable 0)");
}

static void no_new_privs(void *arg)
{
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, "no_new_privs starts 0");
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL, "extra arguments EINVAL");
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL, "setting 0 EINVAL");
	CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS 1");
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1, "now 1");
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL, "GET with extra arguments EINVAL");
	pid_t pid = fork();
	if (pid == 0)
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
	int st = tap_wait(pid, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "inherited by a child");
}

int main(void)
{
	char name[32], old[32];
	prctl(PR_GET_NAME, old);
	CHECK_OK(prctl(PR_SET_NAME, "a-rather-long-thread-name"), "PR_SET_NAME with a long name");
	memset(name, 'x', sizeof name);
	CHECK_OK(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	CHECK(strcmp(name, "a-rather-long-t") == 0, "truncated to 15 bytes and NUL-terminated");
	prctl(PR_SET_NAME, "main-name");
	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
	CHECK(strcmp(thread_name, "worker-thread") == 0, "a thread has its own name");
	prctl(PR_GET_NAME, name);
	CHECK(strcmp(name, "main-name") == 0, "the main thread's name is unchanged");
	CHECK_ERR(prctl(PR_SET_NAME, BAD_LOW), EFAULT, "PR_SET_NAME bad pointer EFAULT");
	CHECK_ERR(prctl(PR_GET_NAME, BAD_LOW), EFAULT, "PR_GET_NAME bad pointer EFAULT");
	prctl(PR_SET_NAME, old);
	tap_in_child(dumpable, NULL);
	tap_in_child(no_new_privs, NULL);
	CHECK_ERR(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL, "unknown option EINVAL");
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, "our own no_new_privs is still 0");
	return tap_done();
}
