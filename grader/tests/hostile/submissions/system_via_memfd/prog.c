/*
 * system() without a shell's name: the bytes of /bin/sh are copied into an
 * anonymous memory file (memfd_create) and run from there with
 * execveat(fd, "", ..., AT_EMPTY_PATH), as "helper -c 'exit 7'".  No path
 * names a shell: the process runs "/memfd:helper (deleted)".
 *
 * The program cannot judge from the inside whether the grader noticed: it
 * prints "safe" once the shell really ran (it exits 7), so that its output
 * is right and only the spec's `trace: {forbid: [system]}` can fail it,
 * which it must (trace.forbid): the grader recognises a shell by what runs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	int out = memfd_create("helper", 0);
	int in = open("/bin/sh", O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;
	if (out < 0 || in < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return 1;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"helper", "-c", "exit 7", NULL};
		syscall(SYS_execveat, out, "", argv, environ, AT_EMPTY_PATH);
		perror("execveat");
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
