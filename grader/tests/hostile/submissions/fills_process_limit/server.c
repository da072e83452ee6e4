/*
 * The server of a two-process test: it forks children that pause forever
 * until fork fails (the test's process limit), announces "ready" and exits,
 * leaving them.  The client started next has no room left: the grader must
 * report that as the test's failure (a `limit` check on the client), never
 * fall back to running it outside the sandbox, and never call it an error
 * of the grader.  The children it leaves are orphans.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int children = 0;
	while (children < 256) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			pause();
			_exit(0);
		}
		children++;
	}
	fprintf(stderr, "server: %d children before fork failed\n", children);
	if (write(1, "ready\n", 6) != 6)
		return 1;
	return 0;
}
