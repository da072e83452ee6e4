/*
 * Writes forever, alternating stdout and stderr, and shrugs off what would
 * normally stop it: SIGPIPE (the grader closing its read ends) and SIGTERM
 * (the polite kill at the deadline) are ignored, and failed writes are
 * retried.
 *
 * Why: the grader must keep draining both pipes (a full pipe would block the
 * program, a grader that stops reading one stream can deadlock on the other),
 * store at most limits.output (64K) of each, count the rest, and still stop
 * the program at the timeout with SIGKILL.
 *
 * The writes are paced (4 KiB per stream per millisecond, the 64K cap is
 * passed within ~20 ms) so that the test ends by the wall-clock timeout and
 * not by the 1 s CPU limit: the expected verdict does not depend on the
 * machine's speed.
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	static char out[4096], err[4096];
	const struct timespec pause_ = { 0, 1000000 };	/* 1 ms */

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	memset(out, 'o', sizeof(out));
	memset(err, 'e', sizeof(err));
	out[sizeof(out) - 1] = '\n';
	err[sizeof(err) - 1] = '\n';
	for (;;) {
		if (write(1, out, sizeof(out)) < 0) { /* keep going regardless */ }
		if (write(2, err, sizeof(err)) < 0) { /* keep going regardless */ }
		nanosleep(&pause_, NULL);
	}
}
