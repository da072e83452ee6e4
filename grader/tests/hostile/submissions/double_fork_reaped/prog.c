/*
 * A correct double fork, 40 times over: the child forks a grandchild and
 * exits at once, the parent waits for the child, and the grandchild, now an
 * orphan, exits too.  Orphans are re-parented to the sandbox's init, which
 * must reap them as they exit: a zombie counts against the test's process
 * limit (16) until it is reaped, so an init that reaped only at the end of
 * the test would make this correct program fail ("fork failed").
 *
 * So that no iteration races init, each one waits (up to 5 s) until its
 * grandchild is gone from the process table before it goes on; a grandchild
 * never reaped is reported.  Prints "safe" when all 40 went through.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 40; i++) {
		int link[2];
		if (pipe(link) < 0)
			return 1;
		pid_t child = fork();
		if (child < 0) {
			printf("ESCAPED: fork failed at round %d (zombies not reaped?)\n", i);
			return 0;
		}
		if (child == 0) {
			pid_t grandchild = fork();
			if (grandchild == 0)
				_exit(0);
			(void)!write(link[1], &grandchild, sizeof(grandchild));
			_exit(grandchild < 0 ? 1 : 0);
		}
		close(link[1]);
		pid_t grandchild = -1;
		if (read(link[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
			grandchild = -1;
		close(link[0]);
		int status;
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || grandchild < 0) {
			printf("ESCAPED: the child's fork failed at round %d\n", i);
			return 0;
		}
		struct timespec tick = {0, 1000000};
		int waited = 0;
		while (kill(grandchild, 0) == 0 || errno != ESRCH) {
			if (++waited > 5000) {
				printf("ESCAPED: grandchild %d was never reaped\n", (int)grandchild);
				return 0;
			}
			nanosleep(&tick, NULL);
		}
	}
	printf("safe\n");
	return 0;
}
