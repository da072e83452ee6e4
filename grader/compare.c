/*
 * compare: the output matchers.
 *
 * Outputs are byte strings that may hold NUL bytes and invalid UTF-8, so
 * every comparison works on (pointer, length) pairs and nothing here relies
 * on strlen(); every piece of output quoted in a message goes through
 * escape_bytes(), so messages stay one printable line.
 *
 * A message names the first thing that is wrong in words a student can act
 * on ("ends too early: 2 lines, expected 5"), and the diff, when there is
 * one, shows the whole picture.
 */
#include "compare.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "escape.h"
#include "util.h"

/* How much of the output a message quotes. */
#define SNIPPET_BYTES 200
/* How much of the expected text, a pattern or one listed line a message quotes. */
#define QUOTE_BYTES 80
/* Lines listed per side when lines_unordered fails. */
#define LIST_LINES 3

/* One name per line reads better than the packed table clang-format makes. */
/* clang-format off */
static const char *const kind_names[] = {
	[MATCH_EXACT] = "exact",
	[MATCH_TRIM] = "trim",
	[MATCH_WHITESPACE] = "whitespace",
	[MATCH_LINES_UNORDERED] = "lines_unordered",
	[MATCH_CONTAINS] = "contains",
	[MATCH_REGEX] = "regex",
	[MATCH_EMPTY] = "empty",
};
/* clang-format on */

const char *match_kind_name(enum match_kind kind)
{
	if ((size_t)kind < ARRAY_SIZE(kind_names) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

const char *const *match_kind_names(size_t *count)
{
	*count = ARRAY_SIZE(kind_names);
	return kind_names;
}

int match_kind_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (kind_names[i] && strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -1;
}

void match_result_release(struct match_result *result)
{
	free(result->message);
	free(result->diff);
	result->message = NULL;
	result->diff = NULL;
}

/* ---- helpers ----------------------------------------------------------- */

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* The C locale's isspace(), fixed so that the user's locale cannot change a verdict. */
static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* A line counts when it holds at least one byte: "a\nb" and "a\nb\n" both have 2. */
static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n + (len > 0 && s[len - 1] != '\n');
}

/* 1-based number of the line holding byte off. */
static size_t line_at(const char *s, size_t off)
{
	size_t n = 1;
	for (size_t i = 0; i < off; i++)
		n += s[i] == '\n';
	return n;
}

static size_t common_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen, i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/*
 * Appends data as a quoted, escaped string.  A cut lands on a character
 * boundary and the count of what was left out follows the closing quote,
 * so the quote itself holds only real output.
 */
static void add_quoted(struct strbuf *sb, const char *data, size_t len, size_t max)
{
	size_t cut = len;
	char *esc;

	if (len > max) {
		cut = max;
		for (int back = 0; back < 3 && cut > 0 && ((unsigned char)data[cut] & 0xc0) == 0x80;
		     back++)
			cut--;
	}
	esc = escape_bytes(data, cut, cut);
	strbuf_addf(sb, "\"%s\"", esc);
	free(esc);
	if (cut < len)
		strbuf_addf(sb, "... (%zu more byte%s)", len - cut, plural(len - cut));
}

/* A pattern between slashes, escaped like output (a pattern may hold a newline). */
static void escape_pattern(struct strbuf *sb, const char *pattern, size_t len)
{
	char *esc = escape_bytes(pattern, len, SNIPPET_BYTES);
	strbuf_addstr(sb, esc);
	free(esc);
}

static void fail(struct match_result *result, struct strbuf *msg, char *diff)
{
	result->ok = false;
	free(result->message);
	result->message = strbuf_detach(msg, NULL);
	result->diff = diff;
}

/* "stdout should be empty but has 12 bytes: "hello\n"" */
static void fail_not_empty(struct match_result *result, const char *stream, const char *actual,
			   size_t len, char *diff)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(&msg, "%s should be empty but has %zu byte%s: ", stream, len, plural(len));
	add_quoted(&msg, actual, len, SNIPPET_BYTES);
	fail(result, &msg, diff);
}

/* ---- normal forms ------------------------------------------------------ */

/*
 * trim's normal form: each line without its trailing whitespace and ended
 * by '\n' (so a missing final newline or CRLF endings do not matter), with
 * the trailing blank lines dropped.
 */
static void normalise_trim(const char *s, size_t len, struct strbuf *out)
{
	size_t keep = 0; /* length of out up to the last non-blank line */

	strbuf_init(out);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len, e = end;
		while (e > pos && s[e - 1] != '\n' && is_space((unsigned char)s[e - 1]))
			e--;
		strbuf_add(out, s + pos, e - pos);
		strbuf_addch(out, '\n');
		if (e > pos)
			keep = out->len;
		pos = nl ? end + 1 : len;
	}
	out->len = keep;
	out->buf[keep] = '\0';
}

/* whitespace's normal form: the words separated by single spaces. */
static void normalise_whitespace(const char *s, size_t len, struct strbuf *out)
{
	strbuf_init(out);
	for (size_t i = 0; i < len;) {
		if (is_space((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t w = i;
		while (i < len && !is_space((unsigned char)s[i]))
			i++;
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_add(out, s + w, i - w);
	}
}

/* ---- exact and trim ---------------------------------------------------- */

/* actual with every "\r\n" turned into "\n" equals expected. */
static bool differs_only_by_crlf(const char *exp, size_t elen, const char *act, size_t alen)
{
	size_t i = 0, j = 0;
	bool saw_cr = false;

	while (i < elen && j < alen) {
		if (act[j] == '\r' && j + 1 < alen && act[j + 1] == '\n' && exp[i] == '\n') {
			saw_cr = true;
			j++;
			continue;
		}
		if (exp[i] != act[j])
			return false;
		i++, j++;
	}
	return saw_cr && i == elen && j == alen;
}

/*
 * Describes the first difference between exp and act (the normal forms
 * when trimming).  `how` finishes "stdout differs ..." for the general case.
 */
static void describe_difference(struct strbuf *msg, const char *stream, const char *how,
				const char *exp, size_t elen, const char *act, size_t alen)
{
	size_t off = common_prefix(exp, elen, act, alen);
	size_t el = count_lines(exp, elen), al = count_lines(act, alen);
	bool at_line_start = off == 0 || exp[off - 1] == '\n';

	if (off == alen && elen == alen + 1 && exp[off] == '\n')
		strbuf_addf(msg, "%s is missing the newline at the end of its last line (line %zu)",
			    stream, line_at(act, off));
	else if (off == elen && alen == elen + 1 && act[off] == '\n')
		strbuf_addf(msg, "%s ends with a newline, but the expected output does not",
			    stream);
	else if (off == alen && at_line_start)
		strbuf_addf(msg, "%s ends too early: %zu line%s, expected %zu", stream, al,
			    plural(al), el);
	else if (off == elen && at_line_start)
		strbuf_addf(msg, "%s has unexpected extra output: %zu line%s, expected %zu", stream,
			    al, plural(al), el);
	else
		strbuf_addf(msg, "%s %s (first difference at line %zu)", stream, how,
			    line_at(exp, off));
}

static void match_exact(const char *exp, size_t elen, const char *act, size_t alen,
			const char *stream, struct match_result *result)
{
	struct strbuf msg = STRBUF_INIT;

	if (elen == alen && memcmp(exp, act, elen) == 0)
		return;
	if (elen == 0) {
		fail_not_empty(result, stream, act, alen, diff_unified(exp, elen, act, alen));
		return;
	}
	strbuf_init(&msg);
	if (alen == 0)
		strbuf_addf(&msg, "%s is empty, expected %zu byte%s (%zu line%s)", stream, elen,
			    plural(elen), count_lines(exp, elen), plural(count_lines(exp, elen)));
	else if (differs_only_by_crlf(exp, elen, act, alen))
		strbuf_addf(&msg, "%s ends its lines with \\r\\n (CRLF); expected \\n only",
			    stream);
	else
		describe_difference(&msg, stream, "differs from the expected output", exp, elen,
				    act, alen);
	fail(result, &msg, diff_unified(exp, elen, act, alen));
}

static void match_trim(const char *exp, size_t elen, const char *act, size_t alen,
		       const char *stream, struct match_result *result)
{
	struct strbuf e, a, msg = STRBUF_INIT;

	normalise_trim(exp, elen, &e);
	normalise_trim(act, alen, &a);
	if (e.len == a.len && memcmp(e.buf, a.buf, e.len) == 0)
		goto out;
	strbuf_init(&msg);
	if (a.len == 0 && e.len > 0)
		strbuf_addf(&msg, "%s is %s, expected %zu line%s", stream,
			    alen ? "only whitespace" : "empty", count_lines(e.buf, e.len),
			    plural(count_lines(e.buf, e.len)));
	else if (e.len == 0)
		strbuf_addf(&msg, "%s should hold only whitespace but has %zu line%s", stream,
			    count_lines(a.buf, a.len), plural(count_lines(a.buf, a.len)));
	else
		describe_difference(&msg, stream, "differs after trimming trailing whitespace",
				    e.buf, e.len, a.buf, a.len);
	fail(result, &msg, diff_unified(e.buf, e.len, a.buf, a.len));
out:
	strbuf_release(&e);
	strbuf_release(&a);
}

/* ---- whitespace -------------------------------------------------------- */

struct words {
	const char *s;
	size_t len, pos;
	size_t count;	  /* words returned so far */
	const char *word; /* the current word */
	size_t word_len;
};

static bool words_next(struct words *w)
{
	while (w->pos < w->len && is_space((unsigned char)w->s[w->pos]))
		w->pos++;
	if (w->pos == w->len)
		return false;
	w->word = w->s + w->pos;
	while (w->pos < w->len && !is_space((unsigned char)w->s[w->pos]))
		w->pos++;
	w->word_len = (size_t)(w->s + w->pos - w->word);
	w->count++;
	return true;
}

static size_t words_total(const char *s, size_t len)
{
	struct words w = {s, len, 0, 0, NULL, 0};
	while (words_next(&w))
		;
	return w.count;
}

static void match_whitespace(const char *exp, size_t elen, const char *act, size_t alen,
			     const char *stream, struct match_result *result)
{
	struct strbuf e, a, msg = STRBUF_INIT;
	struct words we = {exp, elen, 0, 0, NULL, 0}, wa = {act, alen, 0, 0, NULL, 0};
	size_t ne, na;

	normalise_whitespace(exp, elen, &e);
	normalise_whitespace(act, alen, &a);
	if (e.len == a.len && memcmp(e.buf, a.buf, e.len) == 0)
		goto out;

	ne = words_total(exp, elen);
	na = words_total(act, alen);
	strbuf_init(&msg);
	for (;;) {
		bool he = words_next(&we), ha = words_next(&wa);
		if (he && ha && we.word_len == wa.word_len &&
		    memcmp(we.word, wa.word, we.word_len) == 0)
			continue;
		if (!ha && na == 0) {
			strbuf_addf(&msg, "%s is %s, expected %zu word%s", stream,
				    alen ? "only whitespace" : "empty", ne, plural(ne));
		} else if (!ha) {
			strbuf_addf(&msg,
				    "%s ends too early, even ignoring whitespace: %zu word%s, "
				    "expected %zu; the next expected word is ",
				    stream, na, plural(na), ne);
			add_quoted(&msg, we.word, we.word_len, QUOTE_BYTES);
		} else if (!he) {
			strbuf_addf(&msg,
				    "%s has unexpected extra output, even ignoring whitespace: "
				    "%zu word%s, expected %zu; word %zu (line %zu) is ",
				    stream, na, plural(na), ne, wa.count,
				    line_at(act, (size_t)(wa.word - act)));
			add_quoted(&msg, wa.word, wa.word_len, QUOTE_BYTES);
		} else {
			strbuf_addf(&msg,
				    "%s differs even ignoring whitespace: word %zu (line %zu) is ",
				    stream, wa.count, line_at(act, (size_t)(wa.word - act)));
			add_quoted(&msg, wa.word, wa.word_len, QUOTE_BYTES);
			strbuf_addstr(&msg, ", expected ");
			add_quoted(&msg, we.word, we.word_len, QUOTE_BYTES);
		}
		break;
	}
	/*
	 * The one-line normal forms would make a useless diff; the outputs as
	 * printed, minus trailing whitespace, show where the words went.
	 */
	strbuf_release(&e);
	strbuf_release(&a);
	normalise_trim(exp, elen, &e);
	normalise_trim(act, alen, &a);
	fail(result, &msg, diff_unified(e.buf, e.len, a.buf, a.len));
out:
	strbuf_release(&e);
	strbuf_release(&a);
}

/* ---- lines_unordered --------------------------------------------------- */

struct line {
	const char *p;
	size_t len; /* without the '\n' */
};

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
		add_quoted(msg, v[i]->p, v[i]->len, QUOTE_BYTES);
	}
	if (total > listed)
		strbuf_addf(msg, ", and %zu more", total - listed);
}

static void match_lines_unordered(const char *exp, size_t elen, const char *act, size_t alen,
				  const char *stream, struct match_result *result)
{
	size_t ne, na, missing = 0, extra = 0, i = 0, j = 0;
	struct line *ve = split_lines(exp, elen, &ne), *va = split_lines(act, alen, &na);
	const struct line *miss[LIST_LINES], *ext[LIST_LINES];
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
			if (missing < LIST_LINES)
				miss[missing] = &ve[i];
			missing++, i++;
		} else {
			if (extra < LIST_LINES)
				ext[extra] = &va[j];
			extra++, j++;
		}
	}
	if (!missing && !extra)
		goto out;

	strbuf_init(&msg);
	if (na == 0) {
		strbuf_addf(&msg, "%s is empty, expected %zu line%s", stream, ne, plural(ne));
	} else {
		strbuf_addf(&msg, "%s lines differ as a multiset (order ignored): ", stream);
		if (missing)
			strbuf_addf(&msg, "%zu expected line%s missing", missing, plural(missing));
		if (missing && extra)
			strbuf_addstr(&msg, ", ");
		if (extra)
			strbuf_addf(&msg, "%zu unexpected line%s", extra, plural(extra));
		strbuf_addstr(&msg, " (");
		if (missing)
			list_lines(&msg, "missing", miss,
				   missing < LIST_LINES ? missing : LIST_LINES, missing);
		if (missing && extra)
			strbuf_addstr(&msg, "; ");
		if (extra)
			list_lines(&msg, "unexpected", ext, extra < LIST_LINES ? extra : LIST_LINES,
				   extra);
		strbuf_addstr(&msg, "); the diff compares the sorted lines");
	}
	/* Sorted, the same lines line up and the diff shows only what is missing or extra. */
	join_lines(ve, ne, &se);
	join_lines(va, na, &sa);
	fail(result, &msg, diff_unified(se.buf, se.len, sa.buf, sa.len));
	strbuf_release(&se);
	strbuf_release(&sa);
out:
	free(ve);
	free(va);
}

/* ---- contains, regex, empty -------------------------------------------- */

/* "; the output was "..."" or "; stdout is empty", to show what was there instead. */
static void add_actual(struct strbuf *msg, const char *stream, const char *act, size_t alen)
{
	if (alen == 0) {
		strbuf_addf(msg, "; %s is empty", stream);
		return;
	}
	strbuf_addf(msg, "; %s was ", stream);
	add_quoted(msg, act, alen, SNIPPET_BYTES);
}

static void match_contains(const char *exp, size_t elen, const char *act, size_t alen,
			   const char *stream, struct match_result *result)
{
	struct strbuf msg = STRBUF_INIT;

	if (elen == 0 || (alen >= elen && memmem(act, alen, exp, elen)))
		return;
	strbuf_init(&msg);
	strbuf_addf(&msg, "%s does not contain ", stream);
	add_quoted(&msg, exp, elen, QUOTE_BYTES);
	add_actual(&msg, stream, act, alen);
	fail(result, &msg, NULL);
}

/* Whether re matches all of s[0, len), NUL bytes included. */
static bool regex_matches_all(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(re, s, 1, m, REG_STARTEND) == 0 && m[0].rm_so == 0 &&
	       (size_t)m[0].rm_eo == len;
}

/*
 * The pattern must match the whole output.  Wrapping it as ^(...)$ makes
 * the matcher look for exactly that; the span check catches what wrapping
 * alone cannot (a top-level '|' inside the user's text).  Wrapping renumbers
 * groups, so a pattern with back-references is compiled as written and the
 * span check alone decides (POSIX matching is leftmost-longest, so a match
 * of the whole output is the one found when there is one).
 */
static void match_regex(const char *pattern, size_t plen, const char *act, size_t alen,
			const char *stream, struct match_result *result)
{
	struct strbuf msg = STRBUF_INIT;
	char *text = xmemdup0(pattern, plen), *wrapped = NULL;
	regex_t re, whole;
	bool have_whole = false, backref = false;
	int rc;

	strbuf_init(&msg);
	if (memchr(pattern, '\0', plen)) {
		strbuf_addf(&msg,
			    "%s cannot be checked: the regular expression contains a NUL byte",
			    stream);
		fail(result, &msg, NULL);
		goto out;
	}
	/* Compiled as written first, so errors are reported in the author's terms. */
	rc = regcomp(&re, text, REG_EXTENDED);
	if (rc != 0) {
		char err[256];
		regerror(rc, &re, err, sizeof(err));
		strbuf_addf(&msg, "%s cannot be checked: the regular expression /", stream);
		escape_pattern(&msg, pattern, plen);
		strbuf_addf(&msg, "/ does not compile: %s", err);
		fail(result, &msg, NULL);
		goto out;
	}
	for (size_t i = 0; i + 1 < plen; i++)
		if (pattern[i] == '\\' && pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
			backref = true;
	if (!backref) {
		wrapped = xasprintf("^(%s)$", text);
		have_whole = regcomp(&whole, wrapped, REG_EXTENDED) == 0;
	}
	if (regex_matches_all(have_whole ? &whole : &re, act ? act : "", alen)) {
		strbuf_release(&msg);
	} else {
		strbuf_addf(&msg, "%s does not match the regular expression /", stream);
		escape_pattern(&msg, pattern, plen);
		strbuf_addch(&msg, '/');
		/* The classic slip: a pattern for the text that forgets the final newline. */
		if (alen > 0 && act[alen - 1] == '\n' &&
		    regex_matches_all(have_whole ? &whole : &re, act, alen - 1))
			strbuf_addstr(&msg,
				      " (it matches everything but the final newline: the "
				      "pattern must match the whole output, newline included)");
		add_actual(&msg, stream, act, alen);
		fail(result, &msg, NULL);
	}
	if (have_whole)
		regfree(&whole);
	regfree(&re);
out:
	free(wrapped);
	free(text);
}

void match_output(const struct output_expect *want, const char *actual, size_t len,
		  const char *stream_name, struct match_result *result)
{
	const char *exp = want->text ? want->text : "";
	size_t elen = want->text ? want->text_len : 0;

	if (!actual)
		actual = "";
	result->ok = true;
	result->message = xstrdup("");
	result->diff = NULL;
	if (!want->set)
		return;

	switch (want->match) {
	case MATCH_EXACT:
		match_exact(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_TRIM:
		match_trim(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_WHITESPACE:
		match_whitespace(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_LINES_UNORDERED:
		match_lines_unordered(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_CONTAINS:
		match_contains(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_REGEX:
		match_regex(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_EMPTY:
		if (len > 0)
			fail_not_empty(result, stream_name, actual, len, NULL);
		break;
	default: {
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s cannot be checked: unknown matcher %d", stream_name,
			    (int)want->match);
		fail(result, &msg, NULL);
	}
	}
}
