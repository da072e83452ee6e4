/*
 * diagnose_deadlock: whether a test can certainly not finish before its
 * deadline (diagnose.h): because it can never finish (a deadlock), or
 * because nothing can happen before a sleep that ends after the deadline.
 *
 * A deadlock is certain only when every process of the test sleeps in a
 * call that nothing but another process of the test could end, and every
 * one of those is asleep in the same way: then no process will ever run
 * again.  The calls, and what would end each:
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
 *
 * A sleep past the deadline: the same, but for one or more processes
 * asleep in nanosleep or clock_nanosleep whose end, at the earliest, is
 * after the deadline (diagnose_snapshot.c reads the request and says when
 * that end is certain: not for a sleep resumed after a signal, nor on a
 * clock other than CLOCK_MONOTONIC, CLOCK_BOOTTIME or CLOCK_REALTIME), each
 * with a single thread.  The others can be woken only by a process of the
 * test, and none can run before the first sleeper wakes, after the
 * deadline: the test times out as surely as a deadlocked one, and is
 * ended as a timeout, never called a deadlock.  The deadline given must be
 * the latest the test could still reach (run.c says why its own is).
 */
#include <stdlib.h>
#include <string.h>

#include "diagnose_internal.h"
#include "util.h"

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

/* Whether p sleeps, with one thread, until after deadline for certain. */
static bool sleeps_past(const struct diagnose_proc *p, double deadline)
{
	return p->state == 'S' && p->threads <= 1 && p->sleep.known && p->sleep.until > deadline;
}

/* "5s", "0.25s", "1200s". */
static char *duration_words(double seconds)
{
	return seconds < 1000 ? xasprintf("%.3gs", seconds) : xasprintf("%.0fs", seconds);
}

/*
 * "pid 4 (./sleeper) sleeps past the deadline (nanosleep of 5s), and every
 * other process waits for another one of them", of the sleeper that wakes
 * first; others: how many other processes are alive, sleepers: how many of
 * them sleep past it too.
 */
static char *sleep_words(const struct diagnose_proc *p, size_t others, size_t sleepers)
{
	const char *call = diagnose_classify(p).call;
	char *asked = duration_words(p->sleep.asked);
	char *words = xasprintf(
	    "pid %d (%s) sleeps past the deadline (%s %s %s%s)%s", (int)p->pid, p->cmd,
	    call ? call : "nanosleep", p->sleep.absolute ? "to a time" : "of", asked,
	    p->sleep.absolute ? " ahead" : "",
	    !others ? "" : sleepers ? ", and every other process sleeps past it too or waits for "
				      "another one of them"
				    : ", and every other process waits for another one of them");
	free(asked);
	return words;
}

enum diagnose_timeout diagnose_certain_timeout(const struct diagnose_snapshot *snap,
					       bool timers_armed, double deadline,
					       char **sleep_past)
{
	*sleep_past = NULL;
	if (timers_armed)
		return DIAGNOSE_TIMEOUT_UNCERTAIN;
	size_t asleep = 0, sleepers = 0;
	const struct diagnose_proc *first = NULL;
	for (size_t i = 0; i < snap->n; i++) {
		const struct diagnose_proc *p = &snap->procs[i];
		if (p->observer || p->state == 'Z')
			continue;
		if (asleep_for_good(snap, i)) {
			asleep++;
		} else if (sleeps_past(p, deadline)) {
			sleepers++;
			if (!first || p->sleep.until < first->sleep.until)
				first = p;
		} else {
			return DIAGNOSE_TIMEOUT_UNCERTAIN;
		}
	}
	if (first) {
		*sleep_past = sleep_words(first, asleep + sleepers - 1, sleepers - 1);
		return DIAGNOSE_TIMEOUT_SLEEP;
	}
	return asleep > 0 ? DIAGNOSE_TIMEOUT_DEADLOCK : DIAGNOSE_TIMEOUT_UNCERTAIN;
}
