/*
 * compare: the output matchers, and the helpers the files of the module
 * share (compare_internal.h).
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
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "diff.h"
#include "escape.h"

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
	[MATCH_LINES_INCLUDE] = "lines_include",
	[MATCH_NUMBERS] = "numbers",
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

const char *match_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

bool match_is_space(unsigned char c)
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

size_t match_line_at(const char *s, size_t off)
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
void match_quote(struct strbuf *sb, const char *data, size_t len, size_t max)
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
		strbuf_addf(sb, "... (%zu more byte%s)", len - cut, match_plural(len - cut));
}

void match_fail(struct match_result *result, struct strbuf *msg, char *diff)
{
	result->ok = false;
	free(result->message);
	result->message = strbuf_detach(msg, NULL);
	result->diff = diff;
}

void match_fail_diff(struct match_result *result, struct strbuf *msg, struct strbuf *exp,
		     struct strbuf *act)
{
	match_fail(result, msg, diff_unified(exp->buf, exp->len, act->buf, act->len));
	strbuf_release(exp);
	strbuf_release(act);
}

/* "stdout should be empty but has 12 bytes: "hello\n"" */
static void fail_not_empty(struct match_result *result, const char *stream, const char *actual,
			   size_t len, char *diff)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(&msg, "%s should be empty but has %zu byte%s: ", stream, len, match_plural(len));
	match_quote(&msg, actual, len, MATCH_SNIPPET_BYTES);
	match_fail(result, &msg, diff);
}

/* ---- normal forms ------------------------------------------------------ */

/*
 * trim's normal form: each line without its trailing whitespace and ended
 * by '\n' (so a missing final newline or CRLF endings do not matter), with
 * the trailing blank lines dropped.
 */
void match_normalise_trim(const char *s, size_t len, struct strbuf *out)
{
	size_t keep = 0; /* length of out up to the last non-blank line */

	strbuf_init(out);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len, e = end;
		while (e > pos && s[e - 1] != '\n' && match_is_space((unsigned char)s[e - 1]))
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
		if (match_is_space((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t w = i;
		while (i < len && !match_is_space((unsigned char)s[i]))
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
			    stream, match_line_at(act, off));
	else if (off == elen && alen == elen + 1 && act[off] == '\n')
		strbuf_addf(msg, "%s ends with a newline, but the expected output does not",
			    stream);
	else if (off == alen && at_line_start)
		strbuf_addf(msg, "%s ends too early: %zu line%s, expected %zu", stream, al,
			    match_plural(al), el);
	else if (off == elen && at_line_start)
		strbuf_addf(msg, "%s has unexpected extra output: %zu line%s, expected %zu", stream,
			    al, match_plural(al), el);
	else
		strbuf_addf(msg, "%s %s (first difference at line %zu)", stream, how,
			    match_line_at(exp, off));
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
			    match_plural(elen), count_lines(exp, elen), match_plural(count_lines(exp, elen)));
	else if (differs_only_by_crlf(exp, elen, act, alen))
		strbuf_addf(&msg, "%s ends its lines with \\r\\n (CRLF); expected \\n only",
			    stream);
	else
		describe_difference(&msg, stream, "differs from the expected output", exp, elen,
				    act, alen);
	match_fail(result, &msg, diff_unified(exp, elen, act, alen));
}

static void match_trim(const char *exp, size_t elen, const char *act, size_t alen,
		       const char *stream, struct match_result *result)
{
	struct strbuf e, a, msg = STRBUF_INIT;

	match_normalise_trim(exp, elen, &e);
	match_normalise_trim(act, alen, &a);
	if (e.len == a.len && memcmp(e.buf, a.buf, e.len) == 0)
		goto out;
	strbuf_init(&msg);
	if (a.len == 0 && e.len > 0)
		strbuf_addf(&msg, "%s is %s, expected %zu line%s", stream,
			    alen ? "only whitespace" : "empty", count_lines(e.buf, e.len),
			    match_plural(count_lines(e.buf, e.len)));
	else if (e.len == 0)
		strbuf_addf(&msg, "%s should hold only whitespace but has %zu line%s", stream,
			    count_lines(a.buf, a.len), match_plural(count_lines(a.buf, a.len)));
	else
		describe_difference(&msg, stream, "differs after trimming trailing whitespace",
				    e.buf, e.len, a.buf, a.len);
	match_fail(result, &msg, diff_unified(e.buf, e.len, a.buf, a.len));
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
	while (w->pos < w->len && match_is_space((unsigned char)w->s[w->pos]))
		w->pos++;
	if (w->pos == w->len)
		return false;
	w->word = w->s + w->pos;
	while (w->pos < w->len && !match_is_space((unsigned char)w->s[w->pos]))
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
				    alen ? "only whitespace" : "empty", ne, match_plural(ne));
		} else if (!ha) {
			strbuf_addf(&msg,
				    "%s ends too early, even ignoring whitespace: %zu word%s, "
				    "expected %zu; the next expected word is ",
				    stream, na, match_plural(na), ne);
			match_quote(&msg, we.word, we.word_len, MATCH_QUOTE_BYTES);
		} else if (!he) {
			strbuf_addf(&msg,
				    "%s has unexpected extra output, even ignoring whitespace: "
				    "%zu word%s, expected %zu; word %zu (line %zu) is ",
				    stream, na, match_plural(na), ne, wa.count,
				    match_line_at(act, (size_t)(wa.word - act)));
			match_quote(&msg, wa.word, wa.word_len, MATCH_QUOTE_BYTES);
		} else {
			strbuf_addf(&msg,
				    "%s differs even ignoring whitespace: word %zu (line %zu) is ",
				    stream, wa.count, match_line_at(act, (size_t)(wa.word - act)));
			match_quote(&msg, wa.word, wa.word_len, MATCH_QUOTE_BYTES);
			strbuf_addstr(&msg, ", expected ");
			match_quote(&msg, we.word, we.word_len, MATCH_QUOTE_BYTES);
		}
		break;
	}
	/*
	 * The one-line normal forms would make a useless diff; the outputs as
	 * printed, minus trailing whitespace, show where the words went.
	 */
	strbuf_release(&e);
	strbuf_release(&a);
	match_normalise_trim(exp, elen, &e);
	match_normalise_trim(act, alen, &a);
	match_fail(result, &msg, diff_unified(e.buf, e.len, a.buf, a.len));
out:
	strbuf_release(&e);
	strbuf_release(&a);
}

/* ---- contains and empty ----------------------------------------------- */

void match_add_actual(struct strbuf *msg, const char *stream, const char *act, size_t alen)
{
	if (alen == 0) {
		strbuf_addf(msg, "; %s is empty", stream);
		return;
	}
	strbuf_addf(msg, "; %s was ", stream);
	match_quote(msg, act, alen, MATCH_SNIPPET_BYTES);
}

static void match_contains(const char *exp, size_t elen, const char *act, size_t alen,
			   const char *stream, struct match_result *result)
{
	struct strbuf msg = STRBUF_INIT;

	if (elen == 0 || (alen >= elen && memmem(act, alen, exp, elen)))
		return;
	strbuf_init(&msg);
	strbuf_addf(&msg, "%s does not contain ", stream);
	match_quote(&msg, exp, elen, MATCH_QUOTE_BYTES);
	match_add_actual(&msg, stream, act, alen);
	match_fail(result, &msg, NULL);
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
	case MATCH_LINES_INCLUDE:
		match_lines_include(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_NUMBERS:
		match_numbers(want, actual, len, stream_name, result);
		break;
	case MATCH_CONTAINS:
		match_contains(exp, elen, actual, len, stream_name, result);
		break;
	case MATCH_REGEX:
		match_regex(want, actual, len, stream_name, result);
		break;
	case MATCH_EMPTY:
		if (len > 0)
			fail_not_empty(result, stream_name, actual, len, NULL);
		break;
	default: {
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s cannot be checked: unknown matcher %d", stream_name,
			    (int)want->match);
		match_fail(result, &msg, NULL);
	}
	}
}
