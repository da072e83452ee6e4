/*
 * report_text: the reports people read on a terminal — the TA's summary of
 * `grade` and the student's `check`.
 *
 * Colour only when asked (the caller decides: a terminal, and NO_COLOR not
 * set).  Nothing a student controls is printed raw: the build output is
 * escaped here (escape_bytes), and every name, message, diff and diagnosis
 * goes through escape_fputs, which leaves the grader's own text alone and
 * escapes any control a process, file or folder name smuggled into it.
 */
#ifndef GRADER_REPORT_TEXT_H
#define GRADER_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

struct text_options {
	bool color;
	bool student;	/* `check`: hidden tests only as passed/failed, hints for failed checks */
	const char *title;	/* the assignment's title, or NULL */
};

void report_print_text(FILE *f, const struct grade_result *r, const struct text_options *opts);

/* "grader: warning: isolation partial, missing: a, b" on f (a sandbox that is not full). */
void report_warn_partial(FILE *f, const struct strvec *missing);

/* Whether f should get colour: a terminal and no NO_COLOR in the environment. */
bool report_want_color(FILE *f);

/*
 * A one-line hint for a failed cleanup or trace check ("cleanup.zombies" ->
 * "call wait()..."), or NULL: what the check itself asks for.  A timeout,
 * crash or limit gets the test's own hint instead (result.h), which
 * follows from what was found.
 */
const char *report_hint(const char *kind);

#endif
