/*
 * compare: the output matchers of the spec (exact, trim, whitespace,
 * lines_unordered, contains, regex, empty) and the failure message that
 * goes with a mismatch.  Diff rendering lives in diff.h.
 */
#ifndef GRADER_COMPARE_H
#define GRADER_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

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
 * lines_unordered (the sorted lines); contains, regex and empty quote the
 * output in the message instead and leave it NULL.
 *
 * regex: POSIX ERE, matched against the whole output (no REG_NEWLINE: ^
 * and $ are the ends of the output, '.' matches '\n').  A regex that does
 * not compile is reported as a failed match whose message says so
 * (spec_load already rejects bad regexes, so this is defensive).
 */
void match_output(const struct output_expect *want, const char *actual, size_t len,
		  const char *stream_name, struct match_result *result);
void match_result_release(struct match_result *result);

/* "exact", "trim", ... ; match_kind_from_name returns -1 for unknown names. */
const char *match_kind_name(enum match_kind kind);
int match_kind_from_name(const char *name);
/* All names, indexed by enum match_kind (for suggestions in spec errors). */
const char *const *match_kind_names(size_t *count);

#endif
