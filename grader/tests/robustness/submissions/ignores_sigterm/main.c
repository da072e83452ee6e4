/*
 * Prints "hello", ignores SIGTERM and sleeps forever.  At the timeout the
 * grader's polite SIGTERM does nothing: it must SIGKILL after its grace
 * period.  The output printed before the hang is correct, so only the
 * timeout check fails.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	if (write(1, "hello\n", 6) != 6)
		return 1;
	for (;;)
		pause();
}
