/*
 * One program, a role per first argument (grader/tests/feedback/README.md):
 * what a student's program does at a terminal and what it then does
 * through the grader's pipes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Says what its stdio is, forks a child that prints, reads stdin to its end. */
static int terminal(void)
{
	printf("stdin is a terminal: %s\n", isatty(0) ? "yes" : "no");
	printf("stdout is a terminal: %s\n", isatty(1) ? "yes" : "no");
	fprintf(stderr, "to stderr\n");
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		printf("child\n");
		exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent\n");
	size_t bytes = 0, newlines = 0;
	int c;
	while ((c = getchar()) != EOF) {
		bytes++;
		newlines += c == '\n';
	}
	printf("read %zu bytes, %zu newlines, then end-of-file\n", bytes, newlines);
	return 0;
}

/* Announces itself with printf and no fflush, then waits for the client's file. */
static int server(void)
{
	printf("ready\n");
	struct stat st;
	for (int i = 0; i < 500 && stat("done", &st) < 0; i++)
		usleep(10000);
	printf("server saw the client\n");
	return 0;
}

static int client(void)
{
	FILE *f = fopen("done", "w");
	if (!f)
		return 1;
	fclose(f);
	printf("client done\n");
	return 0;
}

/* Sleeps to let its child finish instead of waiting for it. */
static int sleeper(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		printf("hello\n");
		exit(0);
	}
	sleep(30);
	return 0;
}

int main(int argc, char **argv)
{
	/* Run without arguments it crashes, as a student's program that trusts argv[1]. */
	if (argc < 2)
		printf("%zu\n", strlen(argv[1]));
	if (!strcmp(argv[1], "terminal"))
		return terminal();
	if (!strcmp(argv[1], "server"))
		return server();
	if (!strcmp(argv[1], "client"))
		return client();
	if (!strcmp(argv[1], "sleeper"))
		return sleeper();
	return 2;
}
