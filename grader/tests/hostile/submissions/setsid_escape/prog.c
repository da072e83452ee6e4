/*
 * The daemon trick: fork, setsid() in the child (new session and process
 * group: a kill of the test's process group misses it), fork again and let
 * the middle process exit, so the grandchild is re-parented away from the
 * test.  The grandchild ignores SIGTERM and SIGHUP, puts /dev/null on its
 * stdin/stdout/stderr (the grader sees EOF on its pipes as if everything had
 * ended) and sleeps forever.  The parent waits until the grandchild is
 * running, prints "safe" and exits 0 at once.
 *
 * The program's own output is right, so the grader must find the grandchild
 * anyway (PID namespace, cgroup or child subreaper), kill it with SIGKILL
 * and fail cleanup.orphans.  Afterwards no process named "prog" may be left.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int ready[2];
	char c;
	pid_t middle;

	if (pipe(ready) < 0 || (middle = fork()) < 0)
		return 1;
	if (middle == 0) {
		setsid();
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(ready[0]);
			close(ready[1]);	/* the parent's read returns 0: the grandchild is up */
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(ready[1]);
	waitpid(middle, NULL, 0);
	if (read(ready[0], &c, 1) < 0) { /* 0 (EOF) is the expected answer */ }
	printf("safe\n");
	return 0;
}
