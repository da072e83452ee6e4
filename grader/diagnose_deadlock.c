/*
 * diagnose_deadlock: whether a test can never finish (diagnose.h).
 *
 * Certain only when every process of the test sleeps in a call that
 * nothing but another process of the test could end, and every one of
 * those is asleep in the same way: then no process will ever run again.
 * The calls, and what would end each:
 *
 *   read of a pipe    data or end-of-file: only a holder of a write end,
 *                     and the grader holds none (it would if it still had
 *                     stdin to feed)
 *   write to a pipe   room: only a holder of a read end, and the grader
 *                     holds none (it drains stdout and stderr itself)
 *   wait4, waitid     a child that exits: it has one, and all are asleep
 *   pause, sigsuspend a signal: from another process of the test, or a
 *                     timer, and no timer may have been armed
 *
 * Anything else — running, a sleep or poll with a timeout, a stop, a FIFO,
 * a socket, a semaphore, a process the grader holds — is not certain.  A
 * timer armed by any process (alarm, setitimer, timer_settime) rules out
 * every case: its signal can interrupt any of these calls.  A false
 * "certain" would end a test that could still finish, so the rules err the
 * other way: when in doubt the test runs to its timeout.
 */
#include <string.h>

#include "diagnose_internal.h"

/* Whether the observer (the grader) holds that end of pipe ino. */
static bool observer_holds(const struct diagnose_snapshot *snap, unsigned long long ino,
			   bool write_end)
{
	for (size_t i = 0; i < snap->n; i++) {
		const struct diagnose_proc *p = &snap->procs[i];
		if (!p->observer)
			continue;
		for (size_t k = 0; k < p->nfds; k++)
			if (diagnose_holds_end(&p->fds[k], ino, write_end))
				return true;
	}
	return false;
}

/* Whether process i has a child in the snapshot that is alive. */
static bool has_live_child(const struct diagnose_snapshot *snap, size_t i)
{
	for (size_t k = 0; k < snap->n; k++)
		if (snap->procs[k].ppid == snap->procs[i].pid && snap->procs[k].state != 'Z' &&
		    !snap->procs[k].observer)
			return true;
	return false;
}

/* Whether process i sleeps in a call only another process of the test could end. */
static bool asleep_for_good(const struct diagnose_snapshot *snap, size_t i)
{
	const struct diagnose_proc *p = &snap->procs[i];
	/* Only the main thread's call is known: another thread may run. */
	if (p->state != 'S' || p->threads > 1)
		return false;
	struct diagnose_doing d = diagnose_classify(p);
	switch (d.act) {
	case ACT_READ:
	case ACT_WRITE:
		/* An anonymous pipe only: a FIFO could be opened anew by its name. */
		return d.fd && d.fd->pipe && !strncmp(d.fd->target, "pipe:", 5) &&
		       !observer_holds(snap, d.fd->ino, d.act == ACT_READ);
	case ACT_WAIT:
		return has_live_child(snap, i);
	case ACT_SIGNAL:
		/* sigtimedwait with a timeout ends by itself. */
		return !(d.call && !strcmp(d.call, "sigwait") && p->args[2] != 0);
	default:
		return false;
	}
}

bool diagnose_deadlocked(const struct diagnose_snapshot *snap, bool timers_armed)
{
	if (timers_armed)
		return false;
	size_t asleep = 0;
	for (size_t i = 0; i < snap->n; i++) {
		const struct diagnose_proc *p = &snap->procs[i];
		if (p->observer || p->state == 'Z')
			continue;
		if (!asleep_for_good(snap, i))
			return false;
		asleep++;
	}
	return asleep > 0;
}
