#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compare_util.h"
#include "diff.h"
#include "util.h"

/* ---- names ------------------------------------------------------------- */

Test(compare, kind_names_round_trip)
{
	static const char *const names[] = {"exact", "trim",  "whitespace",    "lines_unordered",
					    "contains", "regex", "empty", "lines_include",
					    "numbers"};
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

/* ---- lines_include ----------------------------------------------------- */

Test(compare, lines_include_passes_in_any_order_with_other_lines)
{
	assert_passes(MATCH_LINES_INCLUDE, "b\na\n", "start\na\nprogress 50%\nb\nend\n");
	assert_passes(MATCH_LINES_INCLUDE, "a\n", "a");
	assert_passes(MATCH_LINES_INCLUDE, "a\na\n", "a\nx\na\n");
	assert_passes(MATCH_LINES_INCLUDE, "", "anything\n");
	assert_passes(MATCH_LINES_INCLUDE, NULL, "");
}

Test(compare, lines_include_names_the_missing_lines_in_text_order)
{
	/* Whole lines only: "server ready" does not hold the line "ready". */
	assert_fails(MATCH_LINES_INCLUDE, "zeta\nready\nalpha\n", "alpha\nserver ready\n",
		     "stdout is missing 2 of the 3 expected lines (any order, other lines "
		     "allowed): \"zeta\", \"ready\"; stdout was \"alpha\\nserver ready\\n\"",
		     false);
	assert_fails(MATCH_LINES_INCLUDE, "a\n", "",
		     "stdout is missing 1 of the 1 expected line (any order, other lines "
		     "allowed): \"a\"; stdout is empty",
		     false);
}

Test(compare, lines_include_counts_repeated_lines)
{
	assert_fails(MATCH_LINES_INCLUDE, "hello\nhello\nbye\n", "hello\nbye\n",
		     "stdout is missing 1 of the 3 expected lines (any order, other lines "
		     "allowed): \"hello\" (expected 2 times, found 1); stdout was "
		     "\"hello\\nbye\\n\"",
		     false);
}

Test(compare, lines_include_lists_a_few_escaped)
{
	struct match_result r;
	match_str(MATCH_LINES_INCLUDE, "1\n2\n3\n4\n5\n", "3\n", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message, "stdout is missing 4 of the 5 expected lines (any order, other "
				    "lines allowed): \"1\", \"2\", \"4\", and 1 more; stdout was "
				    "\"3\\n\"");
	match_result_release(&r);
	/* Lines are bytes: a CR stays, NULs and escapes are shown escaped. */
	match_bin(MATCH_LINES_INCLUDE, "a\0b\n\x1b[31m\n", 10, "a\0b\r\n", 5, "stdout", &r);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.message, "stdout is missing 2 of the 2 expected lines (any order, other "
				    "lines allowed): \"a\\0b\", \"\\x1b[31m\"; stdout was "
				    "\"a\\0b\\r\\n\"");
	match_result_release(&r);
}

Test(compare, lines_include_quotes_long_lines_cut)
{
	char line[300];
	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	struct match_result r;
	match_str(MATCH_LINES_INCLUDE, line, "", &r);
	cr_assert_not(r.ok);
	cr_assert(strstr(r.message, "yyy\"... (219 more bytes)"), "%s", r.message);
	cr_assert_lt(strlen(r.message), 300);
	match_result_release(&r);
}

/* ---- numbers ----------------------------------------------------------- */

static void numbers(const char *text, double tolerance, bool relative, const char *out,
		    struct match_result *r)
{
	struct output_expect want = {
	    .set = true,
	    .match = MATCH_NUMBERS,
	    .text = (char *)text,
	    .text_len = strlen(text),
	    .tolerance = tolerance,
	    .tolerance_relative = relative,
	};
	match_want(&want, out, strlen(out), "stdout", r);
}

static void numbers_pass(const char *text, double tolerance, bool relative, const char *out)
{
	struct match_result r;
	numbers(text, tolerance, relative, out, &r);
	cr_assert(r.ok, "%s vs %s: %s", text, out, r.message);
	match_result_release(&r);
}

static void numbers_fail(const char *text, double tolerance, bool relative, const char *out,
			 const char *message)
{
	struct match_result r;
	numbers(text, tolerance, relative, out, &r);
	cr_assert_not(r.ok, "%s vs %s passed", text, out);
	cr_assert_str_eq(r.message, message);
	cr_assert_not_null(r.diff);
	match_result_release(&r);
}

Test(compare, numbers_within_an_absolute_tolerance)
{
	numbers_pass("      5      38     245\n", 10, false, "      5      38     250\n");
	numbers_pass("total 245 bytes\n", 0.5, false, "total 245.5 bytes\n");
	/* Binary rounding does not push a number just at the edge out. */
	numbers_pass("1.0\n", 0.3, false, "1.3\n");
	numbers_fail("total 245 bytes\n", 0.5, false, "total 246 bytes\n",
		     "stdout differs: number 1 (line 1) is \"246\", expected \"245\" within 0.5 "
		     "(244.5 to 245.5)");
}

Test(compare, numbers_within_a_percentage)
{
	numbers_pass("5 38 245\n", 0.02, true, "5 38 249\n");
	numbers_pass("-100\n", 0.1, true, "-91\n");
	numbers_fail("5 38 245\n", 0.02, true, "5 38 1245\n",
		     "stdout differs: number 3 (line 1) is \"1245\", expected \"245\" within 2% "
		     "(240.1 to 249.9)");
}

Test(compare, numbers_without_tolerance_compare_values)
{
	numbers_pass("x = 5\n", 0, false, "x = 5.0\n");
	numbers_pass("1000 items\n", 0, false, "1e3 items\n");
	numbers_pass("+7\n", 0, false, "7\n");
	/* Identical text always matches, even beyond what a double holds. */
	numbers_pass("1e999\n", 0, false, "1e999\n");
	numbers_fail("x = 5\n", 0, false, "x = 5.01\n",
		     "stdout differs: number 1 (line 1) is \"5.01\", expected \"5\"");
}

Test(compare, numbers_normalise_whitespace_like_whitespace)
{
	numbers_pass("a 1\nb 2\n", 0, false, "  a\t1 b   2");
	numbers_fail("a 1\n", 0, false, "a1\n",
		     "stdout differs at line 1: \"1\" where whitespace was expected");
	numbers_fail("5a\n", 0, false, "5 a\n",
		     "stdout differs at line 1: whitespace where \"a\" was expected");
}

Test(compare, numbers_compare_other_text_exactly)
{
	numbers_pass("pid=-3 x-1 5-3 .5 1.2.3\n", 0, false, "pid=-3.0 x-1 5-3 0.5 1.2.3\n");
	numbers_fail("total 245 bytes\n", 100, false, "total 245 words\n",
		     "stdout differs at line 1: \"words\" where \"bytes\" was expected");
	numbers_fail("count: 4\n", 100, false, "count: four\n",
		     "stdout differs at line 1: \"four\" where the number \"4\" was expected");
	/* A sign after a letter belongs to the text: "x-1" is never -1 next to "x+1". */
	numbers_fail("x-1\n", 5, false, "x+1\n",
		     "stdout differs at line 1: \"x+\" where \"x-\" was expected");
}

Test(compare, numbers_short_and_long_outputs)
{
	numbers_fail("1\n2\n3\n", 0, false, "1\n2\n",
		     "stdout ends too early (after line 2): \"3\" was expected next");
	numbers_fail("1 2\n", 0, false, "1 2\n3\n",
		     "stdout has unexpected extra output at line 2: \"3\\n\"");
	numbers_fail("5\n", 0, false, "", "stdout is empty: \"5\" was expected next");
	numbers_fail("5\n", 0, false, " \n", "stdout is only whitespace: \"5\" was expected next");
}
