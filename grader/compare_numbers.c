/*
 * compare_numbers: the numbers matcher.  Both texts are cut into pieces —
 * numbers, runs of other characters, and whitespace — and compared piece
 * by piece: a number is close enough when it is within the tolerance of
 * the expected one, everything else must be equal, and every run of
 * whitespace counts as one (the ends are trimmed), as `whitespace` does.
 * Whitespace is normalised because numbers of another width move the
 * columns of what follows (wc pads its counts).
 *
 * A number is every run of digits, wherever it is ("pipe2" is "pipe" and
 * 2), with its decimals (".5"), its exponent ("1e-3") and a sign that does
 * not follow a letter, a digit or a '.' ("x=-3" is "x=" and -3, "5-3" is
 * 5, "-" and 3).  Both texts are cut by the same rules, so what counts as
 * a number never decides a verdict on its own.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"

enum piece_kind { PIECE_END, PIECE_NUMBER, PIECE_TEXT, PIECE_SPACE };

struct piece {
	enum piece_kind kind;
	const char *p;
	size_t len;
	double value; /* PIECE_NUMBER */
};

struct pieces {
	const char *s;
	size_t len, pos;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The length of the number starting at s[at], or 0 when none does. */
static size_t number_at(const char *s, size_t len, size_t at)
{
	size_t i = at, digits = 0;
	char before = at ? s[at - 1] : ' ';

	if (i < len && (s[i] == '+' || s[i] == '-') && !is_alnum(before) && before != '.')
		i++;
	while (i < len && is_digit(s[i]))
		i++, digits++;
	/* ".5" after a digit is the decimals of that digit's number, read already. */
	if (i + 1 < len && s[i] == '.' && is_digit(s[i + 1]) && (digits || !is_digit(before))) {
		for (i++; i < len && is_digit(s[i]); i++)
			digits++;
	}
	if (!digits)
		return 0;
	if (i + 1 < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = i + 1;
		if (e + 1 < len && (s[e] == '+' || s[e] == '-'))
			e++;
		if (e < len && is_digit(s[e])) {
			while (e < len && is_digit(s[e]))
				e++;
			i = e;
		}
	}
	return i - at;
}

/* The C locale's strtod: the grader never calls setlocale, and the piece holds only [-+.0-9eE]. */
static double number_value(const char *p, size_t len)
{
	char small[64];
	char *text = len < sizeof(small) ? small : xmalloc(len + 1);
	double value;

	memcpy(text, p, len);
	text[len] = '\0';
	value = strtod(text, NULL);
	if (text != small)
		free(text);
	return value;
}

static void pieces_init(struct pieces *ps, const char *s, size_t len)
{
	*ps = (struct pieces){s, len, 0};
	while (ps->pos < len && match_is_space((unsigned char)s[ps->pos]))
		ps->pos++;
}

static void next_piece(struct pieces *ps, struct piece *out)
{
	const char *s = ps->s;
	size_t start = ps->pos, n;

	*out = (struct piece){PIECE_END, s + start, 0, 0};
	if (start == ps->len)
		return;
	if (match_is_space((unsigned char)s[start])) {
		while (ps->pos < ps->len && match_is_space((unsigned char)s[ps->pos]))
			ps->pos++;
		/* Trailing whitespace is no piece: the end comes next. */
		if (ps->pos < ps->len)
			*out = (struct piece){PIECE_SPACE, s + start, ps->pos - start, 0};
		return;
	}
	if ((n = number_at(s, ps->len, start))) {
		ps->pos += n;
		*out = (struct piece){PIECE_NUMBER, s + start, n, number_value(s + start, n)};
		return;
	}
	do
		ps->pos++;
	while (ps->pos < ps->len && !match_is_space((unsigned char)s[ps->pos]) &&
	       !number_at(s, ps->len, ps->pos));
	*out = (struct piece){PIECE_TEXT, s + start, ps->pos - start, 0};
}

/* The most a number may be off: the tolerance, or its share of the expected number. */
static double allowed(const struct output_expect *want, double expected)
{
	return want->tolerance_relative ? want->tolerance * fabs(expected) : want->tolerance;
}

static bool close_enough(const struct output_expect *want, const struct piece *e,
			 const struct piece *a)
{
	double off = fabs(a->value - e->value);
	/*
	 * A few units in the last place of slack: 1.3 - 1.0 is
	 * 0.30000000000000004 in binary, and must pass a tolerance of 0.3.
	 */
	double slack = 4 * DBL_EPSILON * fmax(fmax(fabs(a->value), fabs(e->value)), 1.0);

	if (e->len == a->len && !memcmp(e->p, a->p, e->len))
		return true;
	return off <= allowed(want, e->value) + slack;
}

static bool same_piece(const struct output_expect *want, const struct piece *e,
		       const struct piece *a)
{
	if (e->kind != a->kind)
		return false;
	if (e->kind == PIECE_NUMBER)
		return close_enough(want, e, a);
	if (e->kind == PIECE_TEXT)
		return e->len == a->len && !memcmp(e->p, a->p, e->len);
	return true; /* two runs of whitespace, or both ends */
}

static void describe_piece(struct strbuf *msg, const struct piece *piece)
{
	if (piece->kind == PIECE_SPACE)
		strbuf_addstr(msg, "whitespace");
	else
		match_quote(msg, piece->p, piece->len, MATCH_QUOTE_BYTES);
}

/* "number 3 (line 1) is "1245", expected "245" within 2% (240.1 to 249.9)" */
static void describe_number(struct strbuf *msg, const struct output_expect *want, size_t index,
			    size_t line, const struct piece *e, const struct piece *a)
{
	double room = allowed(want, e->value);

	strbuf_addf(msg, "number %zu (line %zu) is ", index, line);
	match_quote(msg, a->p, a->len, MATCH_QUOTE_BYTES);
	strbuf_addstr(msg, ", expected ");
	match_quote(msg, e->p, e->len, MATCH_QUOTE_BYTES);
	if (want->tolerance > 0)
		strbuf_addf(msg, " within %.15g%s (%.15g to %.15g)",
			    want->tolerance_relative ? want->tolerance * 100 : want->tolerance,
			    want->tolerance_relative ? "%" : "", e->value - room, e->value + room);
}

void match_numbers(const struct output_expect *want, const char *act, size_t alen,
		   const char *stream, struct match_result *result)
{
	const char *exp = want->text ? want->text : "";
	size_t elen = want->text ? want->text_len : 0, numbers = 0, line;
	struct pieces pe, pa;
	struct piece e, a;
	struct strbuf msg = STRBUF_INIT, te, ta;

	pieces_init(&pe, exp, elen);
	pieces_init(&pa, act, alen);
	do {
		next_piece(&pe, &e);
		next_piece(&pa, &a);
		numbers += e.kind == PIECE_NUMBER && a.kind == PIECE_NUMBER;
	} while (e.kind != PIECE_END && same_piece(want, &e, &a));
	if (e.kind == PIECE_END && a.kind == PIECE_END)
		return;

	/* Whitespace against an end: what matters is the piece after it. */
	if (e.kind == PIECE_SPACE && a.kind == PIECE_END)
		next_piece(&pe, &e);
	if (a.kind == PIECE_SPACE && e.kind == PIECE_END)
		next_piece(&pa, &a);
	strbuf_init(&msg);
	line = match_line_at(act, (size_t)(a.p - act));
	if (e.kind == PIECE_NUMBER && a.kind == PIECE_NUMBER) {
		strbuf_addf(&msg, "%s differs: ", stream);
		describe_number(&msg, want, numbers, line, &e, &a);
	} else if (a.kind == PIECE_END) {
		size_t last = alen;
		while (last > 0 && match_is_space((unsigned char)act[last - 1]))
			last--;
		if (!last)
			strbuf_addf(&msg, "%s is %s: ", stream, alen ? "only whitespace" : "empty");
		else
			strbuf_addf(&msg, "%s ends too early (after line %zu): ", stream,
				    match_line_at(act, last - 1));
		describe_piece(&msg, &e);
		strbuf_addstr(&msg, " was expected next");
	} else if (e.kind == PIECE_END) {
		strbuf_addf(&msg, "%s has unexpected extra output at line %zu: ", stream, line);
		match_quote(&msg, a.p, alen - (size_t)(a.p - act), MATCH_QUOTE_BYTES);
	} else {
		strbuf_addf(&msg, "%s differs at line %zu: ", stream, line);
		describe_piece(&msg, &a);
		strbuf_addstr(&msg, " where ");
		if (e.kind == PIECE_NUMBER)
			strbuf_addstr(&msg, "the number ");
		describe_piece(&msg, &e);
		strbuf_addstr(&msg, " was expected");
	}
	/* As for whitespace: the outputs as printed show where the pieces went. */
	match_normalise_trim(exp, elen, &te);
	match_normalise_trim(act, alen, &ta);
	match_fail_diff(result, &msg, &te, &ta);
}
