/*
 * Prints "hello", then closes stdout and stderr at once and lives on for
 * 0.2 s before exiting 0.  The grader sees EOF on both pipes long before the
 * exit and must still wait for the exit status: graded correctly, it passes.
 */
#include <time.h>
#include <unistd.h>

int main(void)
{
	const struct timespec later = { 0, 200000000 };	/* 0.2 s */

	if (write(1, "hello\n", 6) != 6)
		return 1;
	close(1);
	close(2);
	nanosleep(&later, NULL);
	return 0;
}
