/*
 * diagnose_output: what a test's output and trace say about its failure
 * once it has ended (diagnose.h explains hangs while they last).
 *
 *   stdio buffering   through a pipe, printf() keeps what it prints in a
 *                     buffer until fflush(), a full buffer or exit, which
 *                     a student testing at a terminal (line-buffered)
 *                     never sees.  Its marks, each told only from
 *                     evidence: every expected line there but in another
 *                     order; expected lines repeated (a buffer copied by
 *                     fork); a `ready` line that never came while its text
 *                     was in the process's memory (run.h's
 *                     ready_in_memory), or came without its newline.
 *   a dup2 the wrong way round
 *                     the trace shows dup2(write end, 0) or dup2(read
 *                     end, 1) on a pipe the process or its ancestors made:
 *                     its output went to the test's stdout, not the pipe.
 *
 * Each returns the words (caller frees; NULL when the evidence is not
 * there) and sets *hint to the one hint that follows (static text).
 * Names are given as the diagnosis gives them: "pid 2 (./two_pipes)".
 */
#ifndef GRADER_DIAGNOSE_OUTPUT_H
#define GRADER_DIAGNOSE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct trace_record;

/* The process whose stdout is judged, and how that stdout reached the grader. */
struct diagnose_writer {
	pid_t pid;
	const char *cmd;	/* argv[0]: "./two_pipes" */
	bool tty;		/* a terminal (tty: true); else a pipe */
	int forked;		/* it or a descendant forked: 1; none did: 0; not traced: -1 */
};

/*
 * actual has exactly the lines of expected, in another order.  loose:
 * lines compare with their surrounding whitespace dropped and inner runs
 * of it made one space (the trim and whitespace matchers).
 */
char *diagnose_out_of_order(const struct diagnose_writer *w, const char *expected, size_t elen,
			    const char *actual, size_t alen, bool loose, const char **hint);

/* actual has the lines of expected and more copies of some of them, nothing else. */
char *diagnose_repeated_lines(const struct diagnose_writer *w, const char *expected,
			      size_t elen, const char *actual, size_t alen, bool loose,
			      const char **hint);

/*
 * w's `ready: {stdout: text}` never came, so `next` was never started:
 * out (olen bytes) is what w wrote; in_memory says text was in its memory
 * at the end.  NULL when neither shows text printed.
 */
char *diagnose_ready_unwritten(const struct diagnose_writer *w, const char *text,
			       const char *out, size_t olen, bool in_memory, const char *next,
			       const char **hint);

/* The first dup2 of the trace that puts a pipe's end where the other belongs. */
char *diagnose_swapped_dup2(const struct trace_record *rec, const char **hint);

#endif
