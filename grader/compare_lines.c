/*
 * compare_lines: the matchers that look at an output as a bag of lines,
 * whatever their order: lines_unordered (the same multiset of lines) and
 * lines_include (every expected line is there, others may be too).
 *
 * Lines are compared as bytes: a line that ends in "\r" differs from the
 * same line without it.  Both sort the lines first, so that the cost stays
 * O(n log n) on a large output.
 */
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"

/* One line of an output. */
struct line {
	const char *p;
	size_t len; /* without the '\n' */
};

/* The lines of s: a last line without '\n' counts, "a\n" has one line. */
static struct line *split_lines(const char *s, size_t len, size_t *n)
{
	struct line *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len;
		v = xgrow(v, sizeof(*v), *n + 1, &cap);
		v[(*n)++] = (struct line){s + pos, end - pos};
		pos = nl ? end + 1 : len;
	}
	return v;
}

static int line_cmp(const struct line *a, const struct line *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->p, b->p, n) : 0;
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int line_qsort_cmp(const void *a, const void *b)
{
	return line_cmp(a, b);
}

static void join_lines(const struct line *v, size_t n, struct strbuf *out)
{
	strbuf_init(out);
	for (size_t i = 0; i < n; i++) {
		strbuf_add(out, v[i].p, v[i].len);
		strbuf_addch(out, '\n');
	}
}

static void list_lines(struct strbuf *msg, const char *label, const struct line *const *v,
		       size_t listed, size_t total)
{
	strbuf_addf(msg, "%s: ", label);
	for (size_t i = 0; i < listed; i++) {
		if (i)
			strbuf_addstr(msg, ", ");
		match_quote(msg, v[i]->p, v[i]->len, MATCH_QUOTE_BYTES);
	}
	if (total > listed)
		strbuf_addf(msg, ", and %zu more", total - listed);
}

void match_lines_unordered(const char *exp, size_t elen, const char *act, size_t alen,
			   const char *stream, struct match_result *result)
{
	size_t ne, na, missing = 0, extra = 0, i = 0, j = 0;
	struct line *ve = split_lines(exp, elen, &ne), *va = split_lines(act, alen, &na);
	const struct line *miss[MATCH_LIST_LINES], *ext[MATCH_LIST_LINES];
	struct strbuf msg = STRBUF_INIT, se, sa;

	if (ne)
		qsort(ve, ne, sizeof(*ve), line_qsort_cmp);
	if (na)
		qsort(va, na, sizeof(*va), line_qsort_cmp);
	while (i < ne || j < na) {
		int c = i == ne ? 1 : j == na ? -1 : line_cmp(&ve[i], &va[j]);
		if (c == 0) {
			i++, j++;
		} else if (c < 0) {
			if (missing < MATCH_LIST_LINES)
				miss[missing] = &ve[i];
			missing++, i++;
		} else {
			if (extra < MATCH_LIST_LINES)
				ext[extra] = &va[j];
			extra++, j++;
		}
	}
	if (!missing && !extra)
		goto out;

	strbuf_init(&msg);
	if (na == 0) {
		strbuf_addf(&msg, "%s is empty, expected %zu line%s", stream, ne, match_plural(ne));
	} else {
		strbuf_addf(&msg, "%s lines differ as a multiset (order ignored): ", stream);
		if (missing)
			strbuf_addf(&msg, "%zu expected line%s missing", missing,
				    match_plural(missing));
		if (missing && extra)
			strbuf_addstr(&msg, ", ");
		if (extra)
			strbuf_addf(&msg, "%zu unexpected line%s", extra, match_plural(extra));
		strbuf_addstr(&msg, " (");
		if (missing)
			list_lines(&msg, "missing", miss,
				   missing < MATCH_LIST_LINES ? missing : MATCH_LIST_LINES,
				   missing);
		if (missing && extra)
			strbuf_addstr(&msg, "; ");
		if (extra)
			list_lines(&msg, "unexpected", ext,
				   extra < MATCH_LIST_LINES ? extra : MATCH_LIST_LINES, extra);
		strbuf_addstr(&msg, "); the diff compares the sorted lines");
	}
	/* Sorted, the same lines line up and the diff shows only what is missing or extra. */
	join_lines(ve, ne, &se);
	join_lines(va, na, &sa);
	match_fail_diff(result, &msg, &se, &sa);
out:
	free(ve);
	free(va);
}

/* How many of the sorted lines v[0, n) equal key. */
static size_t count_equal(const struct line *v, size_t n, const struct line *key)
{
	size_t lo = 0, hi = n, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (line_cmp(&v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (hi = n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (line_cmp(&v[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

/* Equal lines together, and among them the order of the text (lines point into one buffer). */
static int line_then_place_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = line_cmp(x, y);
	return c ? c : x->p < y->p ? -1 : x->p > y->p;
}

/* A line of the expected text with fewer occurrences in the output than in the text. */
struct shortfall {
	struct line line; /* its first occurrence in the text */
	size_t want, found;
};

static int shortfall_place_cmp(const void *a, const void *b)
{
	const struct shortfall *x = a, *y = b;
	return x->line.p < y->line.p ? -1 : x->line.p > y->line.p;
}

/*
 * Every line of the expected text must be a line of the output, as often
 * as the text has it; the output may have other lines, in any order.  The
 * message lists the missing lines in the order of the text.
 */
void match_lines_include(const char *exp, size_t elen, const char *act, size_t alen,
			 const char *stream, struct match_result *result)
{
	size_t ne, na, nshort = 0, cap = 0, missing = 0;
	struct line *ve = split_lines(exp, elen, &ne), *va = split_lines(act, alen, &na);
	struct shortfall *shorts = NULL;
	struct strbuf msg = STRBUF_INIT;

	if (ne)
		qsort(ve, ne, sizeof(*ve), line_then_place_cmp);
	if (na)
		qsort(va, na, sizeof(*va), line_qsort_cmp);
	for (size_t i = 0; i < ne;) {
		size_t group = 1, found;
		while (i + group < ne && !line_cmp(&ve[i], &ve[i + group]))
			group++;
		found = count_equal(va, na, &ve[i]);
		if (found < group) {
			shorts = xgrow(shorts, sizeof(*shorts), nshort + 1, &cap);
			shorts[nshort++] = (struct shortfall){ve[i], group, found};
			missing += group - found;
		}
		i += group;
	}
	if (!nshort)
		goto out;

	qsort(shorts, nshort, sizeof(*shorts), shortfall_place_cmp);
	strbuf_init(&msg);
	strbuf_addf(&msg,
		    "%s is missing %zu of the %zu expected line%s (any order, other lines "
		    "allowed): ",
		    stream, missing, ne, match_plural(ne));
	for (size_t i = 0; i < nshort && i < MATCH_LIST_LINES; i++) {
		if (i)
			strbuf_addstr(&msg, ", ");
		match_quote(&msg, shorts[i].line.p, shorts[i].line.len, MATCH_QUOTE_BYTES);
		if (shorts[i].want > 1)
			strbuf_addf(&msg, " (expected %zu times, found %zu)", shorts[i].want,
				    shorts[i].found);
	}
	if (nshort > MATCH_LIST_LINES)
		strbuf_addf(&msg, ", and %zu more", nshort - MATCH_LIST_LINES);
	match_add_actual(&msg, stream, act, alen);
	match_fail(result, &msg, NULL);
out:
	free(shorts);
	free(ve);
	free(va);
}
