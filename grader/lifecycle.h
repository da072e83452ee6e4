/*
 * lifecycle: how a grader ends when it is told to (SIGTERM, SIGINT, SIGHUP)
 * or killed, and what may not outlive it: the processes it forked, and the
 * scratch folders they worked in (made, kept and removed here).
 *
 * Theory of operation
 *
 *   The grader's own process (batch's parent, or grade's and check's: see
 *   cli_grade.c) does no grading itself: it forks the processes that do, and
 *   watches them.  lifecycle_init() blocks the stop signals and reads them
 *   from a signalfd that the watching loop polls, so that no work is done
 *   in a signal handler; it also makes the process a child subreaper, so
 *   that what a dead child leaves (a sandbox's init still writing a build's
 *   files back, or a student's process run without a sandbox) comes back to
 *   it, to be killed and reaped before the scratch folders are removed.
 *
 *   lifecycle_fork() makes a child that dies with its parent, even by
 *   SIGKILL, which no handler sees (PR_SET_PDEATHSIG, checked against a
 *   parent that died before it was set).  The stop signals stay blocked
 *   there: sent to the whole process group (Ctrl-C on a terminal), they
 *   must not kill a worker first, which would look like a crash; the
 *   watcher kills it.  (A student's program gets every signal back before
 *   its exec: run_child.c.)  A child killed with its parent cannot clean
 *   up: every scratch folder is flocked by its user, and the next grader
 *   removes those whose user is gone (lifecycle_sweep_scratch).
 *
 *   On a stop signal the watcher kills its children, reaps them and what
 *   they left, removes their scratch folders, and ends as if killed by that
 *   signal (lifecycle_die): a shell running the grader in a loop sees a
 *   SIGINT for what it is, and stops too.
 */
#ifndef GRADER_LIFECYCLE_H
#define GRADER_LIFECYCLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lifecycle {
	int sigfd;		/* reads the stop signals */
	sigset_t old_mask;	/* restored by lifecycle_release */
	pid_t self;		/* the watcher: a child whose parent is not this one was orphaned */
};

/*
 * Blocks SIGTERM, SIGINT and SIGHUP, to be read from lc->sigfd, and makes
 * this process a child subreaper.  -1 when it cannot (error_last()).
 */
int lifecycle_init(struct lifecycle *lc);
/* Unblocks the signals again (one still pending is then delivered). */
void lifecycle_release(struct lifecycle *lc);
/* The pending stop signal, 0 when none (never waits). */
int lifecycle_signal(struct lifecycle *lc);
/*
 * fork() for a child that must not outlive this process, the stop signals
 * blocked (they are the watcher's to act on).
 */
pid_t lifecycle_fork(struct lifecycle *lc);
/*
 * Kills and reaps every child of this process whose pid is not in keep
 * (n of them): what a child that died left behind, re-parented here.
 * Until none is left: what they leave comes back too.  On a kernel without
 * /proc/PID/task/TID/children it finds none, and they are reaped by the
 * machine's init once this process is gone.
 */
void lifecycle_reap_orphans(const pid_t *keep, size_t n);
/*
 * Runs fn(arg) in a lifecycle_fork() child and waits for it or for a stop
 * signal.  Returns fn's exit status (0 to 255), or when a stop signal came
 * first LIFECYCLE_STOPPED + that signal, the child and what it left killed
 * and reaped; *child is its pid either way (for the scratch folders it
 * used).  -1 when the child could not be made or died of a signal of its
 * own (error_last()).
 */
#define LIFECYCLE_STOPPED 128
int lifecycle_run(struct lifecycle *lc, int (*fn)(void *), void *arg, pid_t *child);
/* Ends this process as if killed by sig (flushing stdio first). */
_Noreturn void lifecycle_die(int sig);

/*
 * The scratch folder of one grading, grader-PID-XXXXXX in $TMPDIR: named
 * after the process that uses it, so that its parent can find it when that
 * process dies (lifecycle_remove_scratch_of), and locked while in use
 * (*lock, closed by the caller once the folder is removed), so that a
 * later grader can tell the folder of one that was killed.  NULL with
 * error_last() when it cannot be made.
 */
char *lifecycle_make_scratch(int *lock);
/* --keep-scratch: renamed grader-kept-..., which no sweep takes for a killed grader's; said on stderr. */
void lifecycle_keep_scratch(const char *scratch);
/* Removes the scratch folders graders that were killed left: their process gone, no lock held. */
void lifecycle_sweep_scratch(void);
/*
 * Removes the scratch folders of pid, a grading process that died.  For a
 * pid the caller has reaped only: the name alone says nothing of other
 * namespaces.
 */
void lifecycle_remove_scratch_of(pid_t pid);

#endif
