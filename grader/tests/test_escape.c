/*
 * escape: student text made safe for terminals and reports (escape.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* ---- escape_bytes: raw output ------------------------------------------ */

static void assert_escape(const char *in, size_t len, size_t max, const char *want)
{
	char *got = escape_bytes(in, len, max);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(escape, bytes_keeps_printable_text_and_utf8)
{
	assert_escape("hello, world", 12, 100, "hello, world");
	assert_escape("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15, 100,
		      "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(escape, bytes_control_bytes)
{
	assert_escape("a\tb\rc\nd\0e\\f\x7f\x01", 13, 100, "a\\tb\\rc\\nd\\0e\\\\f\\x7f\\x01");
}

Test(escape, bytes_invalid_utf8)
{
	/* A lone continuation byte, a truncated sequence, an overlong '/', a surrogate. */
	assert_escape("\x80", 1, 100, "\\x80");
	assert_escape("\xc3(", 2, 100, "\\xc3(");
	assert_escape("\xc0\xaf", 2, 100, "\\xc0\\xaf");
	assert_escape("\xed\xa0\x80", 3, 100, "\\xed\\xa0\\x80");
	assert_escape("\xf4\x90\x80\x80", 4, 100, "\\xf4\\x90\\x80\\x80");
	assert_escape("\xe2\x82", 2, 100, "\\xe2\\x82");
}

Test(escape, bytes_terminal_controls_in_utf8)
{
	/* U+009B (CSI) and U+202E (right-to-left override) are valid but act on terminals. */
	assert_escape("\302\2332J", 4, 100, "\\xc2\\x9b2J");
	assert_escape("a\342\200\256b", 5, 100, "a\\xe2\\x80\\xaeb");
}

Test(escape, bytes_cut)
{
	assert_escape("abcdef", 6, 3, "abc... (3 more bytes)");
	assert_escape("abc", 3, 3, "abc");
	/* The cut never splits a character. */
	assert_escape("h\xc3\xa9llo", 6, 2, "h... (5 more bytes)");
	assert_escape("", 0, 0, "");
}


/* ---- escape_terminal: the grader's text on a terminal ------------------- */

static void assert_terminal(const char *in, const char *want)
{
	char *got = escape_terminal(in);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(escape, terminal_keeps_the_grader_s_text_and_its_escapes)
{
	assert_terminal("exit status 42, expected 0", "exit status 42, expected 0");
	/* Already escaped by compare: a second pass must not double the backslashes. */
	assert_terminal("ends its lines with \\r\\n (CRLF)", "ends its lines with \\r\\n (CRLF)");
	assert_terminal("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");
}

Test(escape, terminal_escapes_what_a_name_smuggles_in)
{
	/* A process name that clears the screen and sets the window title. */
	assert_terminal("pid 3 (\033[2J\033]0;x\007)", "pid 3 (\\x1b[2J\\x1b]0;x\\x07)");
	/* A newline and a carriage return would forge a line of the grader's own. */
	assert_terminal("a\nPASS\rb", "a\\nPASS\\rb");
	/* C1 CSI, a right-to-left override, DEL, invalid UTF-8. */
	assert_terminal("\xc2\x9b" "2J \xe2\x80\xae \x7f \xff", "\\xc2\\x9b2J \\xe2\\x80\\xae \\x7f \\xff");
}

Test(escape, line_escapes_its_arguments_and_ends_the_line)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	cr_assert_not_null(f);
	escape_line(f, "grader: batch: %s: %s", "evil\033[2J\nname", "cannot write");
	fclose(f);
	cr_expect_str_eq(buf, "grader: batch: evil\\x1b[2J\\nname: cannot write\n");
	free(buf);
}

/* ---- escape_json_text: a report safe to print ------------------------- */

Test(escape, json_text_escapes_what_json_allows_raw)
{
	/* As json_dumps writes them: C0 already escaped; DEL, C1 and bidi controls raw. */
	char *got = escape_json_text(xstrdup("{\n  \"m\": \"a\x7f b\xc2\x9b c\xe2\x80\xae d\xe2\x81\xa6 "
					    "\\u001B caf\xc3\xa9\"\n}"));
	cr_expect_str_eq(got, "{\n  \"m\": \"a\\u007F b\\u009B c\\u202E d\\u2066 \\u001B caf\xc3\xa9\"\n}");
	free(got);
}
