/*
 * compare: the output matchers of the spec (exact, trim, whitespace,
 * lines_unordered, lines_include, numbers, contains, regex, empty), the
 * failure message that goes with a mismatch, and the lint of regexes that
 * cannot match.  Diff rendering lives in diff.h.
 */
#ifndef GRADER_COMPARE_H
#define GRADER_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"
#include "util.h"

/* The outcome of matching one stream. */
struct match_result {
	bool ok;
	char *message;	/* one line for the report when !ok ("" when ok); owned */
	char *diff;	/* unified diff expected -> actual when !ok and useful, else NULL; owned */
};

/*
 * Matches `actual` (len bytes, may hold NUL bytes; NULL when len is 0)
 * against `want`; a `want` that is not set always matches.  result is
 * overwritten (release it with match_result_release).
 *
 * stream_name ("stdout", "server.stderr") starts every message.  Messages
 * quote output escaped by diff_escape() and cut at about 200 bytes, so
 * they are one printable line.  The diff is set on a mismatch of exact
 * (the raw outputs), trim (the trimmed forms), whitespace (the trimmed
 * forms: the outputs as printed, one-line forms would be unreadable) and
 * lines_unordered (the sorted lines) and numbers (the trimmed forms);
 * lines_include, contains, regex and empty quote the output in the message
 * instead and leave it NULL.
 *
 * lines_include: every line of the text is a line of the output, as many
 * times as the text has it; the output may have other lines, in any order.
 * The message lists the missing lines in the order of the text.
 *
 * numbers: the texts compared as `whitespace` does, except that numbers
 * (compare_numbers.c says what one is) need only be within want->tolerance
 * of the expected ones (a fraction of the expected number when
 * tolerance_relative).  The message names the first number that is not.
 *
 * regex: POSIX ERE.  Without want->search, matched against the whole output
 * (no REG_NEWLINE: ^ and $ are the ends of the output, '.' matches '\n');
 * with it, a match anywhere, ^ and $ at each line's start and end
 * (REG_NEWLINE).  A regex that does not compile is reported as a failed
 * match whose message says so (spec_load already rejects bad regexes, so
 * this is defensive).
 */
void match_output(const struct output_expect *want, const char *actual, size_t len,
		  const char *stream_name, struct match_result *result);
void match_result_release(struct match_result *result);

/*
 * Whether the regex pattern (len bytes, compiled with or without search as
 * above) has a mistake that keeps it from matching what programs print: a
 * backslash-letter POSIX reads as a plain letter ('\n' typed as two
 * characters), an anchor in the middle that cannot hold, or, in whole mode,
 * no way to match an output that ends with a newline.  When it has, one
 * phrase that follows "the regex for 'stdout' " is added to why.
 */
bool match_regex_lint(const char *pattern, size_t len, bool search, struct strbuf *why);

/* "exact", "trim", ... ; match_kind_from_name returns -1 for unknown names. */
const char *match_kind_name(enum match_kind kind);
int match_kind_from_name(const char *name);
/* All names, indexed by enum match_kind (for suggestions in spec errors). */
const char *const *match_kind_names(size_t *count);

#endif
