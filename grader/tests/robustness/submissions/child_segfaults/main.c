/*
 * Forks a child that dies of SIGSEGV before it prints hello; the parent
 * waits for it and says only that it is done.  Only a traced test sees the
 * child die: the report's diagnosis names it and its signal.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		/* volatile twice: neither a trap instruction (SIGILL) nor a dropped store. */
		volatile int *volatile p = NULL;
		*p = 42;
		printf("hello\n");
		return 0;
	}
	waitpid(pid, NULL, 0);
	printf("done\n");
	return 0;
}
