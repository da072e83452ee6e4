/*
 * The fixture of grader/tests/specs/matchers: one program whose first
 * argument says what to do, so that each test of the spec can pass or fail
 * on purpose (see the spec's comments).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Progress lines around the lines a test looks for; "missing" leaves out worker 2. */
static int lines(int argc, char **argv)
{
	int missing = argc > 2 && !strcmp(argv[2], "missing");

	printf("start\n");
	if (!missing)
		printf("worker 2 done\n");
	printf("progress 50%%\nworker 1 done\nworker 1 done\nend\n");
	return 0;
}

/* What `ls -l | wc` prints, with the byte count given. */
static int wc(int argc, char **argv)
{
	printf("      5      38 %7s\n", argc > 2 ? argv[2] : "245");
	return 0;
}

/* Calls pipe() N times, closing both ends each time. */
static int pipes(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1;

	for (int i = 0; i < n; i++) {
		int fds[2];
		if (pipe(fds) < 0)
			return 1;
		close(fds[0]);
		close(fds[1]);
	}
	printf("ok\n");
	return 0;
}

/* Sleeps MS milliseconds, then (unless told "none") leaves a file for the reader, and exits. */
static int writer(int argc, char **argv)
{
	long ms = argc > 2 ? atol(argv[2]) : 0;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	FILE *f;

	nanosleep(&ts, NULL);
	if (argc > 3 && !strcmp(argv[3], "none"))
		return 0;
	f = fopen("token", "w");
	if (!f || fputs("hello\n", f) < 0 || fclose(f) != 0)
		return 1;
	return 0;
}

static int reader(void)
{
	char line[64] = "";
	FILE *f = fopen("token", "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		printf("no token\n");
		return 1;
	}
	fclose(f);
	fputs(line, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "lines"))
		return lines(argc, argv);
	if (!strcmp(mode, "wc"))
		return wc(argc, argv);
	if (!strcmp(mode, "report")) {
		printf("starting\ntotal 12 bytes\nbye\n");
		return 0;
	}
	if (!strcmp(mode, "pipes"))
		return pipes(argc, argv);
	if (!strcmp(mode, "writer"))
		return writer(argc, argv);
	if (!strcmp(mode, "reader"))
		return reader();
	fprintf(stderr, "usage: prog lines|wc|report|pipes|writer|reader ...\n");
	return 2;
}
