/*
 * system() without -c: /bin/sh is run with no arguments, its stdin a pipe
 * the program writes the command into ("exit 7"), as popen("sh", "w")
 * followed by the commands would.  A grader that looks for "sh -c" sees
 * none.
 *
 * It prints "safe" once the shell really ran (it exits 7), so that only
 * the spec's `trace: {forbid: [system]}` can fail it, which it must
 * (trace.forbid): a shell run with any arguments is a shell.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execl("/bin/sh", "sh", (char *)NULL);
		perror("execl");
		_exit(99);
	}
	close(p[0]);
	if (write(p[1], "exit 7\n", 7) != 7)
		return 1;
	close(p[1]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 7)
		printf("safe\n");
	else
		printf("the shell did not run (wait status %d)\n", status);
	return 0;
}
