/*
 * Forks a child that ignores SIGTERM and sleeps forever, still holding the
 * stdout and stderr pipes; the parent prints "hello" and exits 0.  The child
 * is an orphan: the grader must not wait for EOF on stdout (it never comes
 * while the child lives), must kill the child, and must fail
 * cleanup.orphans.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	pid_t pid;

	signal(SIGTERM, SIG_IGN);	/* before fork: the child ignores it from its first instant */
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (write(1, "hello\n", 6) != 6)
		return 1;
	return 0;
}
