/*
 * grade_explain: what a failed test tells the student besides its checks
 * (grade_internal.h) — the diagnosis, and the one hint that follows from
 * what was found.  A hint comes from the diagnosis when there is one, else
 * from the check that failed first and caused the rest; never a general
 * hint next to a diagnosis it might contradict.  Each diagnosis is made
 * from evidence only: the runner's look at the blocked processes
 * (diagnose.h), the output and the trace (diagnose_output.h).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "diagnose_output.h"
#include "grade_internal.h"
#include "util.h"

/* What to do about a crash by sig, for the student; NULL when nothing general helps. */
static const char *signal_hint(int sig)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
		return "run the program under gdb (gdb --args ./prog ARGS, then run, then bt) or "
		       "valgrind to see the line where it touches memory it does not own.";
	case SIGABRT:
		return "run the program under valgrind: it shows the write past the end of a buffer "
		       "or the double free that the C library caught.";
	case SIGFPE:
		return "check every division and modulo for a divisor that can be 0.";
	case SIGPIPE:
		return "a process wrote to a pipe after every read end of it was closed: the reader "
		       "must keep its read end open until it has read everything, and a process "
		       "must not close the read end it still reads from.";
	default:
		return NULL;
	}
}

/* What to do about a failed `limit` check, from its message (grade.c wrote it). */
static const char *limit_hint(const char *message)
{
	if (strstr(message, "process limit"))
		return "a fork() in a loop forks until the limit: make sure each child exits (or "
		       "calls exec) instead of going on with its parent's loop.";
	if (strstr(message, "file size limit"))
		return "a file the program writes grew past the limit: look for a loop that writes "
		       "without end.";
	if (strstr(message, "output limit"))
		return "the test keeps only the start of each stream: the start of the diff shows "
		       "what your program printed that the test does not expect (output meant for "
		       "a pipe or a file, debugging prints, or a loop that prints without end).";
	return NULL;
}

/* Says why the test failed: text (taken over, may be NULL) and the hint that follows from it. */
static void set_diagnosis(struct test_result *tr, char *text, const char *hint)
{
	free(tr->diagnosis);
	tr->diagnosis = text ? text : xstrdup("");
	free(tr->hint);
	tr->hint = hint ? xstrdup(hint) : NULL;
}

/* Whether something already explains the test. */
static bool explained(const struct test_result *tr)
{
	return *tr->diagnosis || tr->hint;
}

/* The first process that ran out of CPU time explains the test (a loop that never waits). */
void grade_explain_cpu_exhausted(const struct test_spec *t, pid_t pid, const char *cmd,
				  struct test_result *tr)
{
	if (explained(tr))
		return;
	const char *hint;
	char *text = diagnose_cpu_exhausted(pid, cmd, (double)t->limits.cpu_ms / 1000.0, &hint);
	set_diagnosis(tr, text, hint);
}

static const char *timeout_hint =
	"every process of the test must end: a process that reads a pipe sees end-of-file only "
	"once every write end of that pipe is closed, in every process that holds one, and a "
	"parent in wait() waits until its child has ended.";

/*
 * A timeout: what the runner saw each process blocked on, led by a `ready`
 * line that never came when its text was printed into stdio's buffer (the
 * cause then, the rest its consequence).  Without the runner's look, a
 * general hint.
 */
void grade_explain_timeout(const struct test_spec *t, const struct run_result *rr,
			    struct test_result *tr)
{
	char *ready = NULL;
	const char *ready_hint = NULL;
	for (size_t i = 0; i + 1 < rr->nprocs && !ready; i++) {
		const struct process_spec *ps = &t->procs[i];
		const struct run_proc_result *pr = &rr->procs[i], *next = &rr->procs[i + 1];
		if (ps->ready.kind != READY_STDOUT || !pr->started || next->started ||
		    next->start_error)
			continue;
		struct diagnose_writer w = {pr->pid, ps->argv.v[0], ps->tty, -1};
		ready = diagnose_ready_unwritten(&w, ps->ready.text, pr->out.data, pr->out.len,
						 pr->ready_in_memory, t->procs[i + 1].name,
						 &ready_hint);
	}
	if (!rr->diagnosis) {
		set_diagnosis(tr, ready ? ready
					: xasprintf("The test was stopped after %.3gs.",
						    (double)t->timeout_ms / 1000.0),
			      ready ? ready_hint : timeout_hint);
		return;
	}
	/* The runner's look at what each process was blocked on beats any general advice. */
	set_diagnosis(tr, ready ? xasprintf("%s Meanwhile: %s", ready, rr->diagnosis)
				: xstrdup(rr->diagnosis),
		      ready ? ready_hint : rr->diagnosis_hint);
	free(ready);
}

void grade_explain_crash(struct test_result *tr, const char *note, int sig)
{
	if (!explained(tr))
		set_diagnosis(tr, xstrdup(note), signal_hint(sig));
}

/* Whether a process or any of its descendants forked: 1, 0, or -1 when not traced. */
static int forked(const struct run_result *rr)
{
	if (!rr->trace.traced || rr->trace.unavailable)
		return -1;
	return rr->trace.nprocs > rr->nprocs || rr->trace.dropped_procs;
}

/* A process's stdout that failed its check: buffering, when its lines tell. */
static void explain_stdout(const struct test_spec *t, const struct run_result *rr, size_t i,
			   struct test_result *tr)
{
	const struct process_spec *ps = &t->procs[i];
	const struct output_expect *want = &ps->expect.out;
	const struct run_proc_result *pr = &rr->procs[i];
	if (!want->set || !want->text || !pr->started)
		return;
	bool ordered = want->match == MATCH_EXACT || want->match == MATCH_TRIM ||
		       want->match == MATCH_WHITESPACE;
	if (!ordered && want->match != MATCH_LINES_UNORDERED)
		return;
	char *kind = t->multi ? xasprintf("%s.stdout", ps->name) : xstrdup("stdout");
	bool failed = false;
	for (size_t k = 0; k < tr->nchecks; k++)
		failed |= !tr->checks[k].ok && !strcmp(tr->checks[k].kind, kind);
	free(kind);
	if (!failed)
		return;
	struct diagnose_writer w = {pr->pid, ps->argv.v[0], ps->tty, forked(rr)};
	bool loose = want->match != MATCH_EXACT;
	const char *hint = NULL;
	char *text = diagnose_repeated_lines(&w, want->text, want->text_len, pr->out.data,
					     pr->out.len, loose, &hint);
	if (!text && ordered)
		text = diagnose_out_of_order(&w, want->text, want->text_len, pr->out.data,
					     pr->out.len, loose, &hint);
	if (text)
		set_diagnosis(tr, text, hint);
}

/*
 * The started processes all exited, but some they left behind held the
 * output open at the end: what those were doing (the runner's look), and
 * how the wait for them ended.
 */
static char *held_open_words(const struct test_spec *t, const struct run_result *rr)
{
	char *end = rr->output_held_after > 0
			? xasprintf(", which could not write to it before the timeout: the test "
				    "stopped waiting for it after %.0f ms",
				    rr->output_held_after * 1000.0)
			: xasprintf(", until its %.3gs timeout", (double)t->timeout_ms / 1000.0);
	char *words = xasprintf("%s The test's output was held open by what was left running "
				"after every process it started had exited%s.",
				rr->diagnosis, end);
	free(end);
	return words;
}

/*
 * What a failed test that nothing explains yet tells: a crash (without
 * arguments, a NULL argv[1] is the usual reason), the output held open by
 * processes left behind, a dup2 the wrong way round, stdio buffering; else
 * the hint for the check that failed first.
 */
void grade_explain_failure(const struct test_spec *t, const struct run_result *rr,
			    const struct run_proc_result *crash, struct test_result *tr)
{
	size_t i = crash ? (size_t)(crash - rr->procs) : 0;
	if (!explained(tr) && crash && t->procs[i].argv.n == 1 && crash->signal == SIGSEGV)
		set_diagnosis(tr,
			      xasprintf("pid %d (%s) was killed by SIGSEGV, and it ran with no "
					"arguments: argv[1] is NULL then (argc is 1), and a program "
					"that uses argv[1] without checking argc crashes this way.",
					(int)crash->pid, t->procs[i].argv.v[0]),
			      "check argc before you use argv[1]: run without arguments, a program "
			      "has argv[1] == NULL (use a default then, or print a usage message "
			      "and exit).");
	else if (!explained(tr) && crash)
		set_diagnosis(tr, NULL, signal_hint(crash->signal));
	if (!explained(tr) && !rr->timed_out && rr->diagnosis)
		set_diagnosis(tr, held_open_words(t, rr), rr->diagnosis_hint);
	const char *hint;
	char *text = explained(tr) ? NULL : diagnose_swapped_dup2(&rr->trace, &hint);
	if (text)
		set_diagnosis(tr, text, hint);
	for (size_t k = 0; k < rr->nprocs && !explained(tr); k++)
		explain_stdout(t, rr, k, tr);
	for (size_t k = 0; k < tr->nchecks && !explained(tr); k++) {
		const struct check *c = &tr->checks[k];
		const char *dot = strrchr(c->kind, '.');
		if (!c->ok && !strcmp(dot ? dot + 1 : c->kind, "limit"))
			set_diagnosis(tr, NULL, limit_hint(c->message));
	}
}
