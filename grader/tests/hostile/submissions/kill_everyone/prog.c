/*
 * Tries to kill everything it can: kill(-1, SIGKILL) signals every process
 * the caller may signal except itself (and init), then kill(getppid(),
 * SIGKILL) aims at whatever started it.  Unsandboxed, as the grader's user,
 * that is the grader itself, the TA's shell and every other program of that
 * user; as root, the whole machine.
 *
 * In a PID namespace kill(-1) reaches only the test's own processes (here
 * none: it fails with ESRCH) and the parent is the namespace's init, which
 * ignores signals it has no handler for (a different uid: EPERM).  So the
 * program survives, prints "safe" and exits 0; the grader must survive too
 * and report the test as passed.  "ESCAPED" if the parent died (we were
 * re-parented).  kill(-1)'s result goes to stderr only: it returns 0 even
 * when every process it tried refused with EPERM, so it proves nothing.
 *
 * NEVER run this outside the sandbox.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	const struct timespec settle = { 0, 100000000 };	/* 100 ms for the signal to land */
	pid_t parent = getppid();
	int all = kill(-1, SIGKILL), all_errno = errno;
	int par = kill(parent, SIGKILL), par_errno = errno;

	nanosleep(&settle, NULL);
	fprintf(stderr, "kill(-1): %s; kill(parent %d): %s; parent now %d\n",
		all == 0 ? "sent" : strerror(all_errno), (int)parent,
		par == 0 ? "sent" : strerror(par_errno), (int)getppid());
	if (getppid() != parent)
		printf("ESCAPED: killed its parent, pid %d\n", (int)parent);
	else
		printf("safe\n");
	return 0;
}
