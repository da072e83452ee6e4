/*
 * Forks a child that calls setsid() (leaving the grader's process group and
 * session, so killpg() no longer reaches it) and sleeps 1000 s, still
 * holding stdout and stderr; the parent prints "hello" and exits 0.  Only a
 * grader that tracks processes by something the child cannot leave (a PID
 * namespace, a cgroup, a child subreaper) finds and kills it.
 */
#include <unistd.h>

int main(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		setsid();
		sleep(1000);
		_exit(0);
	}
	if (write(1, "hello\n", 6) != 6)
		return 1;
	return 0;
}
