/*
 * system() under another name: /bin/sh is copied to ./helper in the
 * working folder (mode 0755) and run as "helper -c 'exit 7'".  A grader
 * that goes by the file's name (sh, dash, bash) sees a program called
 * helper.
 *
 * It prints "safe" once the shell really ran (it exits 7), so that only
 * the spec's `trace: {forbid: [system]}` can fail it, which it must
 * (trace.forbid): the copy has the shell's size and contents.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int in = open("/bin/sh", O_RDONLY | O_CLOEXEC);
	int out = open("helper", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n;
	if (in < 0 || out < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return 1;
	/* Closed before the exec: a file open for writing cannot be run (ETXTBSY). */
	close(out);
	close(in);
	pid_t pid = fork();
	if (pid == 0) {
		execl("./helper", "helper", "-c", "exit 7", (char *)NULL);
		perror("execl");
		_exit(99);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 7)
		printf("safe\n");
	else
		printf("the shell did not run (wait status %d)\n", status);
	return 0;
}
