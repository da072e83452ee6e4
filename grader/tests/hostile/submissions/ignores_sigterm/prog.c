/*
 * Refuses to die politely: ignores SIGTERM (and every other signal that can
 * be ignored: SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGXCPU, ...) and sleeps
 * forever without using CPU, so neither the CPU limit nor a polite signal
 * ends it.  It prints nothing: it cannot know whether the sandbox holds.
 *
 * The grader must give up on SIGTERM after its grace period, SIGKILL it
 * (SIGKILL and SIGSTOP cannot be ignored), report a timeout and go on.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_IGN);	/* fails harmlessly for the few that cannot be ignored */
	for (;;)
		sleep(1000);
}
