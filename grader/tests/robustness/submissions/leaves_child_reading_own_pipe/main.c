/*
 * The parent makes a pipe, forks, prints "hello" and exits without waiting.
 * The child reads the pipe until end-of-file, which never comes: it holds
 * the pipe's write end itself.  Left behind, it holds stdout and stderr
 * open for good; the grader must see that nothing can ever write to them
 * again, stop waiting for the output at once, and say why.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	if (write(1, "hello\n", 6) != 6)
		return 1;
	return 0;
}
