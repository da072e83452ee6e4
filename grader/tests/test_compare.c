#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "diff.h"
#include "util.h"

/* Matches binary output against binary expected text; the result's strings are checked too. */
static void match_bin(enum match_kind kind, const char *text, size_t text_len, const char *out,
		      size_t out_len, const char *stream, struct match_result *r)
{
	struct output_expect want = {
	    .set = true,
	    .match = kind,
	    .text = (char *)text,
	    .text_len = text_len,
	    .file = NULL,
	};
	match_output(&want, out, out_len, stream, r);
	cr_assert_not_null(r->message);
	/* Messages are one printable line, whatever the output held. */
	for (const char *p = r->message; *p; p++)
		cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f, "raw byte in message: %s",
			  r->message);
	if (r->ok) {
		cr_assert_str_eq(r->message, "");
		cr_assert_null(r->diff);
	} else {
		cr_assert_neq(r->message[0], '\0');
		cr_assert(strstr(r->message, stream), "stream name missing: %s", r->message);
	}
}

static void match_str(enum match_kind kind, const char *text, const char *out,
		      struct match_result *r)
{
	match_bin(kind, text, text ? strlen(text) : 0, out, strlen(out), "stdout", r);
}

static void assert_passes(enum match_kind kind, const char *text, const char *out)
{
	struct match_result r;
	match_str(kind, text, out, &r);
	cr_assert(r.ok, "%s: expected a pass, got: %s", match_kind_name(kind), r.message);
	match_result_release(&r);
}

/* Fails with exactly this message; returns nothing, checks the diff's presence. */
static void assert_fails(enum match_kind kind, const char *text, const char *out,
			 const char *message, bool has_diff)
{
	struct match_result r;
	match_str(kind, text, out, &r);
	cr_assert_not(r.ok, "%s: expected a failure", match_kind_name(kind));
	cr_assert_str_eq(r.message, message);
	if (has_diff)
		cr_assert_not_null(r.diff);
	else
		cr_assert_null(r.diff);
	match_result_release(&r);
}

/* ---- names ------------------------------------------------------------- */

Test(compare, kind_names_round_trip)
{
	static const char *const names[] = {"exact",	"trim",	 "whitespace", "lines_unordered",
					    "contains", "regex", "empty"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int k = match_kind_from_name(names[i]);
		cr_assert_geq(k, 0, "%s", names[i]);
		cr_assert_str_eq(match_kind_name((enum match_kind)k), names[i]);
	}
	cr_assert_eq(match_kind_from_name("Exact"), -1);
	cr_assert_eq(match_kind_from_name("regexp"), -1);
	cr_assert_eq(match_kind_from_name(""), -1);
}

Test(compare, unset_expectation_passes)
{
	struct output_expect want = {.set = false};
	struct match_result r;
	match_output(&want, "anything", 8, "stdout", &r);
	cr_assert(r.ok);
	cr_assert_str_eq(r.message, "");
	match_result_release(&r);
}

/* ---- exact ------------------------------------------------------------- */

Test(compare, exact_passes_on_equal_bytes)
{
	assert_passes(MATCH_EXACT, "hello\n", "hello\n");
	assert_passes(MATCH_EXACT, "", "");
	assert_passes(MATCH_EXACT, NULL, "");
}

Test(compare, exact_reports_first_differing_line)
{
	struct match_result r;
	match_str(MATCH_EXACT, "a\nb\nc\n", "a\nB\nc\n", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message,
			 "stdout differs from the expected output (first difference at line 2)");
	cr_assert_str_eq(r.diff, "--- expected\n"
				 "+++ actual\n"
				 "@@ -1,3 +1,3 @@\n"
				 " a\n"
				 "-b\n"
				 "+B\n"
				 " c\n");
	match_result_release(&r);
}

Test(compare, exact_with_nul_bytes)
{
	struct match_result r;
	match_bin(MATCH_EXACT, "a\0b\n", 4, "a\0b\n", 4, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);

	/* Equal up to the NUL: a strcmp-based matcher would pass this. */
	match_bin(MATCH_EXACT, "a\0b\n", 4, "a\0c\n", 4, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message,
			 "stdout differs from the expected output (first difference at line 1)");
	cr_assert(strstr(r.diff, "\n-a\\0b\n+a\\0c\n"), "%s", r.diff);
	match_result_release(&r);
}

Test(compare, exact_missing_final_newline)
{
	assert_fails(MATCH_EXACT, "a\nb\n", "a\nb",
		     "stdout is missing the newline at the end of its last line (line 2)", true);
	assert_fails(MATCH_EXACT, "a\nb", "a\nb\n",
		     "stdout ends with a newline, but the expected output does not", true);
}

Test(compare, exact_crlf)
{
	assert_fails(MATCH_EXACT, "a\nb\n", "a\r\nb\r\n",
		     "stdout ends its lines with \\r\\n (CRLF); expected \\n only", true);
}

Test(compare, exact_too_short_or_too_long)
{
	assert_fails(MATCH_EXACT, "a\nb\nc\n", "a\n", "stdout ends too early: 1 line, expected 3",
		     true);
	assert_fails(MATCH_EXACT, "a\n", "a\nb\nc\n",
		     "stdout has unexpected extra output: 3 lines, expected 1", true);
	/* Ending in the middle of a line is a plain difference. */
	assert_fails(MATCH_EXACT, "abc\n", "ab",
		     "stdout differs from the expected output (first difference at line 1)", true);
}

Test(compare, exact_empty_output_or_empty_expected)
{
	assert_fails(MATCH_EXACT, "a\nb\n", "", "stdout is empty, expected 4 bytes (2 lines)",
		     true);
	assert_fails(MATCH_EXACT, "", "hi\n", "stdout should be empty but has 3 bytes: \"hi\\n\"",
		     true);
}

Test(compare, stream_name_is_used)
{
	struct match_result r;
	match_bin(MATCH_EXACT, "x\n", 2, "y\n", 2, "server.stderr", &r);
	cr_assert_str_eq(
	    r.message,
	    "server.stderr differs from the expected output (first difference at line 1)");
	match_result_release(&r);
}

/* ---- trim -------------------------------------------------------------- */

Test(compare, trim_ignores_trailing_whitespace_and_blank_lines)
{
	assert_passes(MATCH_TRIM, "a\nb\n", "a  \nb\t\n");
	assert_passes(MATCH_TRIM, "a\nb\n", "a\r\nb\r\n");
	assert_passes(MATCH_TRIM, "a\nb\n", "a\nb");
	assert_passes(MATCH_TRIM, "a\nb\n", "a\nb\n\n \n\t\n");
	assert_passes(MATCH_TRIM, "a \nb\n\n", "a\nb\n");
	assert_passes(MATCH_TRIM, "", " \n\n");
	assert_passes(MATCH_TRIM, "a\n\nb\n", "a\n \nb\n");
}

Test(compare, trim_keeps_leading_whitespace_and_inner_blank_lines)
{
	assert_fails(
	    MATCH_TRIM, "a\nb\n", "a\n  b\n",
	    "stdout differs after trimming trailing whitespace (first difference at line 2)", true);
	assert_fails(
	    MATCH_TRIM, "a\nb\n", "a\n\nb\n",
	    "stdout differs after trimming trailing whitespace (first difference at line 2)", true);
}

Test(compare, trim_diff_uses_trimmed_lines)
{
	struct match_result r;
	match_str(MATCH_TRIM, "x\ny\n", "x   \r\nz\t\n\n", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.diff, "--- expected\n"
				 "+++ actual\n"
				 "@@ -1,2 +1,2 @@\n"
				 " x\n"
				 "-y\n"
				 "+z\n");
	match_result_release(&r);
}

Test(compare, trim_short_output_and_whitespace_only)
{
	assert_fails(MATCH_TRIM, "a\nb\n", "a \n", "stdout ends too early: 1 line, expected 2",
		     true);
	assert_fails(MATCH_TRIM, "a\nb\n", " \n\n", "stdout is only whitespace, expected 2 lines",
		     true);
	assert_fails(MATCH_TRIM, "a\n", "", "stdout is empty, expected 1 line", true);
	assert_fails(MATCH_TRIM, "\n", "x\n", "stdout should hold only whitespace but has 1 line",
		     true);
}

Test(compare, trim_with_nul_bytes)
{
	struct match_result r;
	match_bin(MATCH_TRIM, "a\0b\n", 4, "a\0b  \n", 6, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);
	match_bin(MATCH_TRIM, "a\0b\n", 4, "a\0B\n", 4, "stdout", &r);
	cr_assert_not(r.ok);
	match_result_release(&r);
}

/* ---- whitespace -------------------------------------------------------- */

Test(compare, whitespace_collapses_runs)
{
	assert_passes(MATCH_WHITESPACE, "a b c\n", "  a\t\tb\n\n c  ");
	assert_passes(MATCH_WHITESPACE, "1 2\n3\n", "1\r\n2 3");
	assert_passes(MATCH_WHITESPACE, "", " \n\t ");
	assert_passes(MATCH_WHITESPACE, "\n", "");
}

Test(compare, whitespace_reports_the_word)
{
	assert_fails(MATCH_WHITESPACE, "sum = 42\n", "sum =\n  41\n",
		     "stdout differs even ignoring whitespace: word 3 (line 2) is \"41\", expected "
		     "\"42\"",
		     true);
	/* Whitespace separates words; it cannot be dropped altogether. */
	assert_fails(MATCH_WHITESPACE, "a b\n", "ab\n",
		     "stdout differs even ignoring whitespace: word 1 (line 1) is \"ab\", expected "
		     "\"a\"",
		     true);
}

Test(compare, whitespace_short_long_empty)
{
	assert_fails(
	    MATCH_WHITESPACE, "a b c", "a b",
	    "stdout ends too early, even ignoring whitespace: 2 words, expected 3; the next "
	    "expected word is \"c\"",
	    true);
	assert_fails(
	    MATCH_WHITESPACE, "a", "a\nb\n",
	    "stdout has unexpected extra output, even ignoring whitespace: 2 words, expected "
	    "1; word 2 (line 2) is \"b\"",
	    true);
	assert_fails(MATCH_WHITESPACE, "a b", "", "stdout is empty, expected 2 words", true);
	assert_fails(MATCH_WHITESPACE, "a b", " \n", "stdout is only whitespace, expected 2 words",
		     true);
}

Test(compare, whitespace_with_nul_bytes)
{
	struct match_result r;
	match_bin(MATCH_WHITESPACE, "a\0b c", 5, " a\0b\n c\n", 8, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);
	match_bin(MATCH_WHITESPACE, "a\0b c", 5, "a\0x c", 5, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message, "stdout differs even ignoring whitespace: word 1 (line 1) is "
				    "\"a\\0x\", expected \"a\\0b\"");
	match_result_release(&r);
}

/* ---- lines_unordered --------------------------------------------------- */

Test(compare, lines_unordered_passes_in_any_order)
{
	assert_passes(MATCH_LINES_UNORDERED, "a\nb\nc\n", "c\na\nb\n");
	assert_passes(MATCH_LINES_UNORDERED, "a\nb\n", "b\na");
	assert_passes(MATCH_LINES_UNORDERED, "a\na\nb\n", "a\nb\na\n");
	assert_passes(MATCH_LINES_UNORDERED, "", "");
	assert_passes(MATCH_LINES_UNORDERED, "x\n", "x");
}

Test(compare, lines_unordered_counts_duplicates)
{
	struct match_result r;
	match_str(MATCH_LINES_UNORDERED, "a\na\nb\n", "b\na\nb\n", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message, "stdout lines differ as a multiset (order ignored): 1 expected "
				    "line missing, 1 unexpected line (missing: \"a\"; unexpected: "
				    "\"b\"); the diff compares the sorted lines");
	cr_assert_str_eq(r.diff, "--- expected\n"
				 "+++ actual\n"
				 "@@ -1,3 +1,3 @@\n"
				 " a\n"
				 "-a\n"
				 "+b\n"
				 " b\n");
	match_result_release(&r);
}

Test(compare, lines_unordered_blank_lines_count)
{
	assert_fails(MATCH_LINES_UNORDERED, "a\n", "a\n\n",
		     "stdout lines differ as a multiset (order ignored): 1 unexpected line "
		     "(unexpected: \"\"); the diff compares the sorted lines",
		     true);
}

Test(compare, lines_unordered_lists_a_few)
{
	assert_fails(
	    MATCH_LINES_UNORDERED, "1\n2\n3\n4\n5\n", "9\n",
	    "stdout lines differ as a multiset (order ignored): 5 expected lines missing, 1 "
	    "unexpected line (missing: \"1\", \"2\", \"3\", and 2 more; unexpected: \"9\"); "
	    "the diff compares the sorted lines",
	    true);
	assert_fails(MATCH_LINES_UNORDERED, "a\nb\n", "", "stdout is empty, expected 2 lines",
		     true);
}

Test(compare, lines_unordered_crlf_and_nul)
{
	assert_fails(
	    MATCH_LINES_UNORDERED, "a\n", "a\r\n",
	    "stdout lines differ as a multiset (order ignored): 1 expected line missing, 1 "
	    "unexpected line (missing: \"a\"; unexpected: \"a\\r\"); the diff compares the "
	    "sorted lines",
	    true);
	struct match_result r;
	match_bin(MATCH_LINES_UNORDERED, "x\0y\nz\n", 6, "z\nx\0y\n", 6, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);
	match_bin(MATCH_LINES_UNORDERED, "x\0y\nz\n", 6, "z\nx\0z\n", 6, "stdout", &r);
	cr_assert_not(r.ok);
	match_result_release(&r);
}

/* ---- contains ---------------------------------------------------------- */

Test(compare, contains_passes_anywhere)
{
	assert_passes(MATCH_CONTAINS, "ready", "server ready\n");
	assert_passes(MATCH_CONTAINS, "ready", "ready");
	assert_passes(MATCH_CONTAINS, "", "");
	assert_passes(MATCH_CONTAINS, "b\nc", "a\nb\nc\n");
}

Test(compare, contains_fails_with_snippet)
{
	assert_fails(MATCH_CONTAINS, "ready", "starting...\n",
		     "stdout does not contain \"ready\"; stdout was \"starting...\\n\"", false);
	assert_fails(MATCH_CONTAINS, "ready", "",
		     "stdout does not contain \"ready\"; stdout is empty", false);
	assert_fails(MATCH_CONTAINS, "ready\n", "ready",
		     "stdout does not contain \"ready\\n\"; stdout was \"ready\"", false);
}

Test(compare, contains_sees_past_nul_bytes)
{
	struct match_result r;
	match_bin(MATCH_CONTAINS, "ready", 5, "x\0ready\n", 8, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);
	match_bin(MATCH_CONTAINS, "y\0z", 3, "xy\0z", 4, "stdout", &r);
	cr_assert(r.ok);
	match_result_release(&r);
	match_bin(MATCH_CONTAINS, "y\0z", 3, "xy\0q", 4, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message, "stdout does not contain \"y\\0z\"; stdout was \"xy\\0q\"");
	match_result_release(&r);
}

Test(compare, long_output_is_cut_in_messages)
{
	char out[1000];
	memset(out, 'x', sizeof(out));
	struct match_result r;
	match_bin(MATCH_CONTAINS, "ready", 5, out, sizeof(out), "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert(strstr(r.message, "; stdout was \"xxxx"));
	cr_assert(strstr(r.message, "xxx\"... (800 more bytes)"), "%s", r.message);
	cr_assert_lt(strlen(r.message), 300);
	match_result_release(&r);
}

/* ---- regex ------------------------------------------------------------- */

Test(compare, regex_matches_whole_output)
{
	assert_passes(MATCH_REGEX, "[0-9]+\n", "42\n");
	assert_passes(MATCH_REGEX, "^[0-9]+\n$", "42\n");
	assert_passes(MATCH_REGEX, "pid [0-9]+ exited( with [0-9]+)?\n", "pid 7 exited with 0\n");
	assert_passes(MATCH_REGEX, "line[0-9]\nline[0-9]\n", "line1\nline2\n");
	assert_passes(MATCH_REGEX, "a|ab", "ab");
	assert_passes(MATCH_REGEX, "x*", "");
}

Test(compare, regex_partial_match_fails)
{
	assert_fails(MATCH_REGEX, "[0-9]+", "x42y",
		     "stdout does not match the regular expression /[0-9]+/; stdout was \"x42y\"",
		     false);
	assert_fails(MATCH_REGEX, "a|b", "ab",
		     "stdout does not match the regular expression /a|b/; stdout was \"ab\"",
		     false);
	/* ^ and $ anchor to the whole output, not to each line. */
	assert_fails(MATCH_REGEX, "^line1$", "line1\nline2\n",
		     "stdout does not match the regular expression /^line1$/; stdout was "
		     "\"line1\\nline2\\n\"",
		     false);
	assert_fails(MATCH_REGEX, "x+", "",
		     "stdout does not match the regular expression /x+/; stdout is empty", false);
}

Test(compare, regex_hints_at_the_final_newline)
{
	assert_fails(MATCH_REGEX, "[0-9]+", "42\n",
		     "stdout does not match the regular expression /[0-9]+/ (it matches everything "
		     "but the final newline: the pattern must match the whole output, newline "
		     "included); stdout was \"42\\n\"",
		     false);
}

Test(compare, regex_is_not_cut_short_by_nul_bytes)
{
	struct match_result r;
	match_bin(MATCH_REGEX, "ok", 2, "ok\0tail", 7, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(
	    r.message,
	    "stdout does not match the regular expression /ok/; stdout was \"ok\\0tail\"");
	match_result_release(&r);
	match_bin(MATCH_REGEX, "ok[^x]tail", 10, "ok\0tail", 7, "stdout", &r);
	cr_assert(r.ok, "%s", r.message);
	match_result_release(&r);
}

Test(compare, regex_back_references)
{
	assert_passes(MATCH_REGEX, "(a+)-\\1\n", "aa-aa\n");
	assert_fails(MATCH_REGEX, "(a+)-\\1\n", "aa-a\n",
		     "stdout does not match the regular expression /(a+)-\\\\1\\n/; stdout was "
		     "\"aa-a\\n\"",
		     false);
	assert_fails(MATCH_REGEX, "(a+)-\\1", "aa-aax",
		     "stdout does not match the regular expression /(a+)-\\\\1/; stdout was "
		     "\"aa-aax\"",
		     false);
}

Test(compare, regex_that_does_not_compile)
{
	assert_fails(MATCH_REGEX, "(", "x",
		     "stdout cannot be checked: the regular expression /(/ does not compile: "
		     "Unmatched ( or \\(",
		     false);
}

/* ---- empty ------------------------------------------------------------- */

Test(compare, empty_matcher)
{
	assert_passes(MATCH_EMPTY, NULL, "");
	assert_fails(MATCH_EMPTY, NULL, "hello\n",
		     "stdout should be empty but has 6 bytes: \"hello\\n\"", false);
	struct match_result r;
	match_bin(MATCH_EMPTY, NULL, 0, "\0", 1, "client.stderr", &r);
	cr_assert_str_eq(r.message, "client.stderr should be empty but has 1 byte: \"\\0\"");
	match_result_release(&r);
}

Test(compare, empty_matcher_cuts_long_output)
{
	struct strbuf out = STRBUF_INIT;
	for (int i = 0; i < 100; i++)
		strbuf_addstr(&out,
			      "\xc3\xa9"); /* 'é': 200 bytes exactly fit; 1 more byte does not */
	strbuf_addstr(&out, "!\xc3\xa9");
	struct match_result r;
	match_bin(MATCH_EMPTY, NULL, 0, out.buf, out.len, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert(strstr(r.message, "\xc3\xa9\"... (3 more bytes)"), "%s", r.message);
	match_result_release(&r);

	/* A cut inside a character backs off to its start. */
	strbuf_reset(&out);
	strbuf_addch(&out, 'x');
	for (int i = 0; i < 150; i++)
		strbuf_addstr(&out, "\xc3\xa9");
	match_bin(MATCH_EMPTY, NULL, 0, out.buf, out.len, "stdout", &r);
	cr_assert(strstr(r.message, "\xc3\xa9\"... (102 more bytes)"), "%s", r.message);
	cr_assert_null(strstr(r.message, "\\x"), "%s", r.message);
	match_result_release(&r);
	strbuf_release(&out);
}
