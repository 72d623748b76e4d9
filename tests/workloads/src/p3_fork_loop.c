/* p3_fork_loop: 2000 fork/exit/wait cycles; each child exits with its
 * index modulo 256 and the parent checks every status. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int bad = 0;
	for (int i = 0; i < 2000; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(i & 0xff);
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != (i & 0xff))
			bad++;
	}
	printf("2000 fork/exit/wait cycles, %d bad\n", bad);
	return bad != 0;
}
