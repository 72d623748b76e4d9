/* p3_fork_bomb: a fork bomb that must be stopped by RLIMIT_NPROC. As root
 * it sets RLIMIT_NPROC to 64, becomes uid 65534 (root would be exempt) and
 * makes itself a child subreaper; then every process forks as fast as it
 * can, and its children do the same, until fork fails. The first failure
 * must be EAGAIN. Then the whole bomb (one process group) is killed and
 * every process reaped. Prints only what does not depend on timing. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void bomb(int report_fd)
{
	for (;;) {
		pid_t pid = fork();
		if (pid < 0) {
			int e = errno;
			write(report_fd, &e, sizeof e);
			for (;;)
				pause(); /* keep our slot; the parent kills us all */
		}
		if (pid == 0)
			alarm(60); /* never outlive a broken run */
		/* Parent and child both carry on forking. */
	}
}

int main(void)
{
	struct rlimit rl = { 64, 64 };
	if (setrlimit(RLIMIT_NPROC, &rl) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("setup");
		return 1;
	}
	int p[2];
	if (pipe(p) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
		perror("setup");
		return 1;
	}
	alarm(60);
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		close(p[0]);
		bomb(p[1]);
	}
	setpgid(leader, leader);
	close(p[1]);
	int e = 0;
	if (read(p[0], &e, sizeof e) != sizeof e) {
		printf("no process reported a fork failure\n");
		return 1;
	}
	printf("fork bomb stopped: first failure %s\n", e == EAGAIN ? "EAGAIN" : strerror(e));
	/* Kill the group until it is empty, reaping everything (orphans come
	 * to us as the subreaper). */
	int reaped = 0;
	for (;;) {
		kill(-leader, SIGKILL);
		pid_t r = waitpid(-1, NULL, 0);
		if (r < 0 && errno == ECHILD)
			break;
		if (r > 0)
			reaped++;
	}
	printf("bomb cleaned up: %s\n", reaped >= 2 ? "several processes reaped" : "too few processes");
	pid_t again = fork();
	if (again == 0)
		_exit(0);
	int st;
	printf("fork works again: %s\n", again > 0 && waitpid(again, &st, 0) == again ? "yes" : "no");
	return e == EAGAIN ? 0 : 1;
}
