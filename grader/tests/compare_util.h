/*
 * compare_util: what the tests of the compare module share — running a
 * matcher and checking what every result must be (one printable line
 * naming the stream on a mismatch, nothing on a match).
 */
#ifndef GRADER_TESTS_COMPARE_UTIL_H
#define GRADER_TESTS_COMPARE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

/* Matches out against want; the result's strings are checked too. */
void match_want(const struct output_expect *want, const char *out, size_t out_len,
		const char *stream, struct match_result *r);
/* Matches binary output against binary expected text. */
void match_bin(enum match_kind kind, const char *text, size_t text_len, const char *out,
	       size_t out_len, const char *stream, struct match_result *r);
/* The same with strings, on stdout. */
void match_str(enum match_kind kind, const char *text, const char *out, struct match_result *r);
void assert_passes(enum match_kind kind, const char *text, const char *out);
/* Fails with exactly this message, with a diff or without one. */
void assert_fails(enum match_kind kind, const char *text, const char *out, const char *message,
		  bool has_diff);

#endif
