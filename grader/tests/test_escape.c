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

