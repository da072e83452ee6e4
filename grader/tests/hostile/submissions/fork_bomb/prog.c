/*
 * The classic fork bomb: every process forks forever and nothing else.
 *
 * Why: without a per-test process limit that holds for root too (a pids
 * cgroup, or RLIMIT_NPROC counted inside a user namespace) this takes the
 * whole machine down.  In a sandbox fork() fails with EAGAIN once
 * limits.processes (16) are alive, the bomb spins until the wall-clock
 * timeout, and the grader must kill every copy and report the test as
 * failed or timed out.  It never prints anything: there is nothing to
 * check from the inside.
 *
 * NEVER run this outside the sandbox.
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		(void)fork();
}
