/*
 * compare_internal: what the files of the compare module share (compare.c
 * holds the names, the shared helpers, exact, trim and whitespace;
 * compare_lines.c lines_unordered and lines_include; compare_regex.c
 * regex and its lint; compare_numbers.c numbers).  Nothing outside
 * compare*.c includes this header.
 *
 * Every matcher has the shape of match_exact: it leaves result alone on a
 * match and calls match_fail() on a mismatch.
 */
#ifndef GRADER_COMPARE_INTERNAL_H
#define GRADER_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "util.h"

/* How much of the output a message quotes. */
#define MATCH_SNIPPET_BYTES 200
/* How much of the expected text, a pattern or one listed line a message quotes. */
#define MATCH_QUOTE_BYTES 80
/* Lines listed when lines_unordered or lines_include fails. */
#define MATCH_LIST_LINES 3

const char *match_plural(size_t n);
/* The C locale's isspace(), fixed so that the user's locale cannot change a verdict. */
bool match_is_space(unsigned char c);
/* 1-based number of the line holding byte off. */
size_t match_line_at(const char *s, size_t off);
/*
 * Appends data as a quoted, escaped string, cut at max bytes (on a
 * character boundary) with the count of what was left out after the quote.
 */
void match_quote(struct strbuf *sb, const char *data, size_t len, size_t max);
/* "; stdout was "..."" or "; stdout is empty", to show what was there instead. */
void match_add_actual(struct strbuf *msg, const char *stream, const char *act, size_t alen);
/* Sets result to a failure with msg's text (taken) and diff (taken, may be NULL). */
void match_fail(struct match_result *result, struct strbuf *msg, char *diff);
/* The same with the diff of the texts exp and act, which are released. */
void match_fail_diff(struct match_result *result, struct strbuf *msg, struct strbuf *exp,
		     struct strbuf *act);
/*
 * trim's normal form: each line without its trailing whitespace and ended
 * by '\n', the trailing blank lines dropped.  out is initialised here.
 */
void match_normalise_trim(const char *s, size_t len, struct strbuf *out);

void match_lines_unordered(const char *exp, size_t elen, const char *act, size_t alen,
			   const char *stream, struct match_result *result);
void match_lines_include(const char *exp, size_t elen, const char *act, size_t alen,
			 const char *stream, struct match_result *result);
void match_regex(const struct output_expect *want, const char *act, size_t alen, const char *stream,
		 struct match_result *result);
void match_numbers(const struct output_expect *want, const char *act, size_t alen,
		   const char *stream, struct match_result *result);

#endif
