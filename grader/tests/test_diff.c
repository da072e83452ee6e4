#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

/* Diff of two C strings; the golden tests compare against this. */
static char *diff_str(const char *expected, const char *actual)
{
	return diff_unified(expected, strlen(expected), actual, strlen(actual));
}

static void assert_diff(const char *expected, const char *actual, const char *want)
{
	char *got = diff_str(expected, actual);
	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Numbered lines "<prefix> <i>\n" for i in [from, to). */
static void add_numbered(struct strbuf *sb, const char *prefix, int from, int to)
{
	for (int i = from; i < to; i++)
		strbuf_addf(sb, "%s %d\n", prefix, i);
}

Test(diff, identical_inputs_give_null)
{
	cr_assert_null(diff_unified("", 0, "", 0));
	cr_assert_null(diff_str("a\nb\n", "a\nb\n"));
	cr_assert_null(diff_unified("a\0b", 3, "a\0b", 3));
	cr_assert_null(diff_unified(NULL, 0, NULL, 0));
}

Test(diff, one_changed_line)
{
	assert_diff("a\nb\nc\n", "a\nB\nc\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,3 +1,3 @@\n"
		    " a\n"
		    "-b\n"
		    "+B\n"
		    " c\n");
}

Test(diff, context_is_three_lines)
{
	assert_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -2,7 +2,7 @@\n"
		    " 2\n"
		    " 3\n"
		    " 4\n"
		    "-5\n"
		    "+X\n"
		    " 6\n"
		    " 7\n"
		    " 8\n");
}

Test(diff, added_and_removed_lines)
{
	assert_diff("a\nb\nc\n", "a\nc\nd\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,3 +1,3 @@\n"
		    " a\n"
		    "-b\n"
		    " c\n"
		    "+d\n");
}

Test(diff, empty_expected)
{
	assert_diff("", "x\ny\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -0,0 +1,2 @@\n"
		    "+x\n"
		    "+y\n");
}

Test(diff, empty_actual)
{
	assert_diff("x\n", "",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,1 +0,0 @@\n"
		    "-x\n");
}

Test(diff, missing_final_newline)
{
	assert_diff("a\nb\n", "a\nb",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,2 +1,2 @@\n"
		    " a\n"
		    "-b\n"
		    "+b\n"
		    "\\ No newline at end of file\n");
}

Test(diff, both_lack_final_newline)
{
	assert_diff("a\nb", "A\nb",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,2 +1,2 @@\n"
		    "-a\n"
		    "+A\n"
		    " b\n"
		    "\\ No newline at end of file\n");
}

Test(diff, crlf_is_shown)
{
	assert_diff("ok\n", "ok\r\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,1 +1,1 @@\n"
		    "-ok\n"
		    "+ok\\r\n");
}

Test(diff, control_bytes_are_escaped)
{
	static const char actual[] = "x\0y\x1b[31m\xff\\\tz\n";
	char *got = diff_unified("x\n", 2, actual, sizeof(actual) - 1);
	cr_assert_str_eq(got, "--- expected\n"
			      "+++ actual\n"
			      "@@ -1,1 +1,1 @@\n"
			      "-x\n"
			      "+x\\0y\\x1b[31m\\xff\\\\\\tz\n");
	free(got);
}

Test(diff, nul_bytes_do_not_end_lines)
{
	char *got = diff_unified("a\0b\nc\n", 6, "a\0B\nc\n", 6);
	cr_assert_str_eq(got, "--- expected\n"
			      "+++ actual\n"
			      "@@ -1,2 +1,2 @@\n"
			      "-a\\0b\n"
			      "+a\\0B\n"
			      " c\n");
	free(got);
}

Test(diff, distant_changes_make_two_hunks)
{
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	for (int i = 1; i <= 20; i++) {
		strbuf_addf(&e, "%d\n", i);
		if (i == 2)
			strbuf_addstr(&a, "two\n");
		else if (i == 18)
			strbuf_addstr(&a, "eighteen\n");
		else
			strbuf_addf(&a, "%d\n", i);
	}
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);
	cr_assert_str_eq(got, "--- expected\n"
			      "+++ actual\n"
			      "@@ -1,5 +1,5 @@\n"
			      " 1\n"
			      "-2\n"
			      "+two\n"
			      " 3\n"
			      " 4\n"
			      " 5\n"
			      "@@ -15,6 +15,6 @@\n"
			      " 15\n"
			      " 16\n"
			      " 17\n"
			      "-18\n"
			      "+eighteen\n"
			      " 19\n"
			      " 20\n");
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

Test(diff, close_changes_share_a_hunk)
{
	/* Six unchanged lines between two changes: the contexts touch, one hunk. */
	assert_diff("0\n1\n2\n3\n4\n5\n6\n7\n8\n", "X\n1\n2\n3\n4\n5\n6\nY\n8\n",
		    "--- expected\n"
		    "+++ actual\n"
		    "@@ -1,9 +1,9 @@\n"
		    "-0\n"
		    "+X\n"
		    " 1\n"
		    " 2\n"
		    " 3\n"
		    " 4\n"
		    " 5\n"
		    " 6\n"
		    "-7\n"
		    "+Y\n"
		    " 8\n");
}

Test(diff, long_line_is_cut)
{
	char e[1002], a[1002];
	memset(e, 'x', 1000);
	memset(a, 'x', 1000);
	a[999] = 'y';
	e[1000] = a[1000] = '\n';
	e[1001] = a[1001] = '\0';
	char *got = diff_str(e, a);
	struct strbuf want = STRBUF_INIT;
	strbuf_addstr(&want, "--- expected\n+++ actual\n@@ -1,1 +1,1 @@\n-");
	for (int i = 0; i < 500; i++)
		strbuf_addch(&want, 'x');
	strbuf_addstr(&want, "... (500 more bytes)\n+");
	for (int i = 0; i < 500; i++)
		strbuf_addch(&want, 'x');
	strbuf_addstr(&want, "... (500 more bytes)\n");
	cr_assert_str_eq(got, want.buf);
	free(got);
	strbuf_release(&want);
}

Test(diff, capped_with_both_sides_shown)
{
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	add_numbered(&e, "expected", 0, 200);
	add_numbered(&a, "actual", 0, 200);
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);

	/* 80 lines and the trailer: headers, hunk header, 38 '-', a count, 38 '+'. */
	cr_assert_eq(count_char(got, '\n'), DIFF_MAX_LINES + 1);
	cr_assert(strstr(got, "@@ -1,200 +1,200 @@\n-expected 0\n"));
	cr_assert(strstr(got, "-expected 37\n... 162 more expected lines not shown\n+actual 0\n"));
	cr_assert(strstr(got, "+actual 37\n... 162 more lines of diff\n"));
	cr_assert_null(strstr(got, "-expected 38\n"));
	size_t len = strlen(got);
	cr_assert(len > 0 && strcmp(got + len - strlen("... 162 more lines of diff\n"),
				    "... 162 more lines of diff\n") == 0);
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

Test(diff, cap_counts_later_hunks)
{
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	/* 50 hunks of 1 changed line in 10: 50 * (1 + 3 + 2 + 3) = 450 lines and headers. */
	for (int i = 0; i < 500; i++) {
		strbuf_addf(&e, "line %d\n", i);
		strbuf_addf(&a, i % 10 == 5 ? "LINE %d\n" : "line %d\n", i);
	}
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);
	cr_assert_eq(count_char(got, '\n'), DIFF_MAX_LINES + 1);
	cr_assert(starts_with(got, "--- expected\n+++ actual\n@@ -3,7 +3,7 @@\n line 2\n"), "%s",
		  got);
	/* 2 headers + 50 hunks of 9 lines = 452; 80 shown. */
	cr_assert(strstr(got, "\n... 372 more lines of diff\n"), "%s", got);
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

Test(diff, large_mostly_equal_inputs_are_diffed_exactly)
{
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	add_numbered(&e, "line", 0, 100000);
	add_numbered(&a, "line", 0, 50000);
	strbuf_addstr(&a, "inserted\n");
	add_numbered(&a, "line", 50000, 70000);
	add_numbered(&a, "line", 70001, 100000);
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);
	cr_assert_str_eq(got, "--- expected\n"
			      "+++ actual\n"
			      "@@ -49998,6 +49998,7 @@\n"
			      " line 49997\n"
			      " line 49998\n"
			      " line 49999\n"
			      "+inserted\n"
			      " line 50000\n"
			      " line 50001\n"
			      " line 50002\n"
			      "@@ -69998,7 +69999,6 @@\n"
			      " line 69997\n"
			      " line 69998\n"
			      " line 69999\n"
			      "-line 70000\n"
			      " line 70001\n"
			      " line 70002\n"
			      " line 70003\n");
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

Test(diff, scattered_changes_in_large_inputs_start_exactly)
{
	/* 2000 changed lines: too many for the whole search, not for its window. */
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	for (int i = 0; i < 100000; i++) {
		strbuf_addf(&e, "line %d\n", i);
		strbuf_addf(&a, i % 50 == 10 ? "LINE %d\n" : "line %d\n", i);
	}
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);
	cr_assert(starts_with(got, "--- expected\n"
				   "+++ actual\n"
				   "@@ -8,7 +8,7 @@\n"
				   " line 7\n"
				   " line 8\n"
				   " line 9\n"
				   "-line 10\n"
				   "+LINE 10\n"
				   " line 11\n"
				   " line 12\n"
				   " line 13\n"
				   "@@ -58,7 +58,7 @@\n"),
		  "%.500s", got);
	cr_assert_eq(count_char(got, '\n'), DIFF_MAX_LINES + 1);
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

Test(diff, huge_different_inputs_stay_bounded)
{
	struct strbuf e = STRBUF_INIT, a = STRBUF_INIT;
	add_numbered(&e, "same", 0, 5);
	add_numbered(&a, "same", 0, 5);
	add_numbered(&e, "expected", 0, 100000);
	add_numbered(&a, "actual", 0, 100000);
	add_numbered(&e, "tail", 0, 5);
	add_numbered(&a, "tail", 0, 5);
	char *got = diff_unified(e.buf, e.len, a.buf, a.len);

	cr_assert(
	    starts_with(got, "--- expected\n+++ actual\n@@ -3,100006 +3,100006 @@\n same 2\n"),
	    "%.300s", got);
	cr_assert_eq(count_char(got, '\n'), DIFF_MAX_LINES + 1);
	cr_assert(strstr(got, "\n-expected 0\n"));
	cr_assert(strstr(got, "\n+actual 0\n"));
	cr_assert(strstr(got, " more lines of diff\n"));
	cr_assert(strlen(got) < 10000);
	free(got);
	strbuf_release(&e);
	strbuf_release(&a);
}

/* ---- properties on random inputs --------------------------------------- */

struct text_lines {
	const char **p;
	size_t *len; /* with the '\n' when there is one */
	size_t n;
};

static void text_split(const char *s, size_t len, struct text_lines *t)
{
	t->p = calloc(len + 1, sizeof(*t->p));
	t->len = calloc(len + 1, sizeof(*t->len));
	t->n = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;
		t->p[t->n] = s + pos;
		t->len[t->n++] = end - pos;
		pos = end;
	}
}

static void text_free(struct text_lines *t)
{
	free(t->p);
	free(t->len);
}

/*
 * Applies a diff of plain-letter lines to expected; checks the hunk headers'
 * counts on the way.  Returns the reconstructed actual (caller frees).
 */
static char *apply_diff(const char *expected, const char *diff)
{
	struct text_lines e;
	struct strbuf out = STRBUF_INIT;
	size_t pos = 0, want_a = 0, want_b = 0, got_a = 0, got_b = 0;
	char prev = 0;
	const char *line = diff;

	strbuf_init(&out);
	text_split(expected, strlen(expected), &e);
	cr_assert(strncmp(line, "--- expected\n+++ actual\n", 24) == 0);
	line += 24;
	while (*line) {
		const char *nl = strchr(line, '\n');
		cr_assert_not_null(nl);
		size_t n = (size_t)(nl - line);
		if (line[0] == '@') {
			size_t a, b, c, d;
			cr_assert_eq(got_a, want_a);
			cr_assert_eq(got_b, want_b);
			cr_assert_eq(sscanf(line, "@@ -%zu,%zu +%zu,%zu @@", &a, &b, &c, &d), 4);
			size_t start = b ? a - 1 : a;
			cr_assert_geq(start, pos);
			for (; pos < start; pos++)
				strbuf_add(&out, e.p[pos], e.len[pos]);
			want_a = b, want_b = d, got_a = got_b = 0;
		} else if (line[0] == ' ' || line[0] == '-') {
			cr_assert_lt(pos, e.n);
			size_t elen = e.len[pos] - (e.p[pos][e.len[pos] - 1] == '\n');
			cr_assert(elen == n - 1 && memcmp(e.p[pos], line + 1, elen) == 0);
			if (line[0] == ' ') {
				strbuf_add(&out, e.p[pos], e.len[pos]);
				got_b++;
			}
			got_a++;
			pos++;
		} else if (line[0] == '+') {
			strbuf_add(&out, line + 1, n - 1);
			strbuf_addch(&out, '\n');
			got_b++;
		} else {
			cr_assert(strncmp(line, "\\ No newline at end of file", n) == 0);
			if (prev == '+')
				out.buf[--out.len] = '\0';
		}
		prev = line[0];
		line = nl + 1;
	}
	cr_assert_eq(got_a, want_a);
	cr_assert_eq(got_b, want_b);
	for (; pos < e.n; pos++)
		strbuf_add(&out, e.p[pos], e.len[pos]);
	text_free(&e);
	return strbuf_detach(&out, NULL);
}

static size_t lcs(const struct text_lines *a, const struct text_lines *b)
{
	size_t *dp = calloc((a->n + 1) * (b->n + 1), sizeof(*dp));
	for (size_t i = a->n; i-- > 0;)
		for (size_t j = b->n; j-- > 0;) {
			size_t *cell = &dp[i * (b->n + 1) + j];
			if (a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0)
				*cell = 1 + dp[(i + 1) * (b->n + 1) + j + 1];
			else {
				size_t r = dp[i * (b->n + 1) + j + 1],
				       d = dp[(i + 1) * (b->n + 1) + j];
				*cell = r > d ? r : d;
			}
		}
	size_t n = dp[0];
	free(dp);
	return n;
}

static void random_text(struct strbuf *sb, unsigned *seed)
{
	int n = rand_r(seed) % 13;
	strbuf_init(sb);
	for (int i = 0; i < n; i++) {
		strbuf_addch(sb, (char)('a' + rand_r(seed) % 3));
		strbuf_addch(sb, '\n');
	}
	if (sb->len && rand_r(seed) % 4 == 0)
		sb->buf[--sb->len] = '\0';
}

Test(diff, random_diffs_apply_and_are_minimal)
{
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		struct strbuf e, a;
		random_text(&e, &seed);
		random_text(&a, &seed);
		char *got = diff_unified(e.buf, e.len, a.buf, a.len);
		if (e.len == a.len && memcmp(e.buf, a.buf, e.len) == 0) {
			cr_assert_null(got);
		} else {
			cr_assert_not_null(got);
			char *rebuilt = apply_diff(e.buf, got);
			cr_assert_str_eq(rebuilt, a.buf, "round %d:\n%s", round, got);
			free(rebuilt);

			struct text_lines te, ta;
			text_split(e.buf, e.len, &te);
			text_split(a.buf, a.len, &ta);
			size_t edits = 0;
			for (const char *l = got; *l; l = strchr(l, '\n') + 1)
				edits += (*l == '-' || *l == '+');
			edits -= 2; /* the headers */
			cr_assert_eq(edits, te.n + ta.n - 2 * lcs(&te, &ta), "round %d:\n%s", round,
				     got);
			text_free(&te);
			text_free(&ta);
		}
		free(got);
		strbuf_release(&e);
		strbuf_release(&a);
	}
}
