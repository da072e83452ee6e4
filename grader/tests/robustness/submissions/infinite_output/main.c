/*
 * Never exits, writing to stdout and stderr forever.  The writes are paced
 * (8 KiB per stream per millisecond, far beyond limits.output in a few ms)
 * so that the test ends by its wall-clock timeout, not by the CPU limit:
 * a busy loop belongs in another fixture.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	static char out[8192], err[8192];
	const struct timespec pause_ = { 0, 1000000 };	/* 1 ms */

	memset(out, 'o', sizeof(out));
	memset(err, 'e', sizeof(err));
	out[sizeof(out) - 1] = '\n';
	err[sizeof(err) - 1] = '\n';
	for (;;) {
		/* results ignored on purpose: keep going even if a reader went away */
		if (write(1, out, sizeof(out)) < 0) { /* keep looping */ }
		if (write(2, err, sizeof(err)) < 0) { /* keep looping */ }
		nanosleep(&pause_, NULL);
	}
}
