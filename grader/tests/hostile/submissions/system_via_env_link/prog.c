/*
 * system() through two detours: a symbolic link ./lister -> /bin/sh, run
 * by /usr/bin/env as "env ./lister -c 'exit 7'".  The process the program
 * forks execs env, which execs the link: neither name is a shell's.
 *
 * It prints "safe" once the shell really ran (it exits 7), so that only
 * the spec's `trace: {forbid: [system]}` can fail it, which it must
 * (trace.forbid): what runs is the shell's own file.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	if (symlink("/bin/sh", "lister") < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		execl("/usr/bin/env", "env", "./lister", "-c", "exit 7", (char *)NULL);
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
