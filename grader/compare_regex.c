/*
 * compare_regex: the regex matcher, in its two modes, and the lint that
 * finds patterns that cannot match what a program prints.
 *
 * Whole mode (the default) is POSIX ERE without REG_NEWLINE over the whole
 * output: ^ and $ are its ends and '.' matches '\n'.  Search mode (search:
 * true) is grep's: REG_NEWLINE, so ^ and $ match at every line's start and
 * end and '.' stays within a line, and the match may be anywhere.
 *
 * The lint reads the pattern as glibc's regcomp does (a backslash before a
 * letter it gives no meaning is that letter; inside brackets a backslash
 * is an ordinary character) and reports the first mistake it is sure of;
 * where a construct might match (a group, a quantified atom) it says
 * nothing.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "escape.h"

/* A pattern between slashes, escaped like output (a pattern may hold a newline). */
static void escape_pattern(struct strbuf *sb, const char *pattern, size_t len)
{
	char *esc = escape_bytes(pattern, len, MATCH_SNIPPET_BYTES);
	strbuf_addstr(sb, esc);
	free(esc);
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

/* Whether re matches somewhere in s[0, len), NUL bytes included. */
static bool regex_matches_somewhere(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(re, s, 1, m, REG_STARTEND) == 0;
}

static int regex_flags(bool search)
{
	return REG_EXTENDED | (search ? REG_NEWLINE : 0);
}

/* "stdout does not match the regular expression /x/" and what follows it. */
static void regex_mismatch(struct strbuf *msg, const char *stream, const char *pattern, size_t plen,
			   bool search)
{
	if (search)
		strbuf_addf(msg, "%s has no match for the regular expression /", stream);
	else
		strbuf_addf(msg, "%s does not match the regular expression /", stream);
	escape_pattern(msg, pattern, plen);
	strbuf_addch(msg, '/');
	if (search)
		strbuf_addstr(msg,
			      " (searched anywhere, ^ and $ at the start and end of each line)");
}

/*
 * Whole mode: the pattern must match the whole output.  Wrapping it as
 * ^(...)$ makes the matcher look for exactly that; the span check catches
 * what wrapping alone cannot (a top-level '|' inside the user's text).
 * Wrapping renumbers groups, so a pattern with back-references is compiled
 * as written and the span check alone decides (POSIX matching is
 * leftmost-longest, so a match of the whole output is the one found when
 * there is one).  Search mode: any match anywhere.
 */
void match_regex(const struct output_expect *want, const char *act, size_t alen, const char *stream,
		 struct match_result *result)
{
	const char *pattern = want->text ? want->text : "";
	size_t plen = want->text ? want->text_len : 0;
	struct strbuf msg = STRBUF_INIT;
	char *text = xmemdup0(pattern, plen), *wrapped = NULL;
	regex_t re, whole;
	bool have_whole = false, backref = false, ok;
	int rc;

	strbuf_init(&msg);
	if (memchr(pattern, '\0', plen)) {
		strbuf_addf(&msg,
			    "%s cannot be checked: the regular expression contains a NUL byte",
			    stream);
		match_fail(result, &msg, NULL);
		goto out;
	}
	/* Compiled as written first, so errors are reported in the author's terms. */
	rc = regcomp(&re, text, regex_flags(want->search));
	if (rc != 0) {
		char err[256];
		regerror(rc, &re, err, sizeof(err));
		strbuf_addf(&msg, "%s cannot be checked: the regular expression /", stream);
		escape_pattern(&msg, pattern, plen);
		strbuf_addf(&msg, "/ does not compile: %s", err);
		match_fail(result, &msg, NULL);
		goto out;
	}
	for (size_t i = 0; i + 1 < plen; i++)
		if (pattern[i] == '\\' && pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
			backref = true;
	if (!want->search && !backref) {
		wrapped = xasprintf("^(%s)$", text);
		have_whole = regcomp(&whole, wrapped, REG_EXTENDED) == 0;
	}
	const regex_t *used = have_whole ? &whole : &re;
	ok = want->search ? regex_matches_somewhere(used, act, alen)
			  : regex_matches_all(used, act, alen);
	if (ok) {
		strbuf_release(&msg);
	} else {
		regex_mismatch(&msg, stream, pattern, plen, want->search);
		/* The classic slip: a pattern for the text that forgets the final newline. */
		if (!want->search && alen > 0 && act[alen - 1] == '\n' &&
		    regex_matches_all(used, act, alen - 1))
			strbuf_addstr(&msg,
				      " (it matches everything but the final newline: the "
				      "pattern must match the whole output, newline included)");
		match_add_actual(&msg, stream, act, alen);
		match_fail(result, &msg, NULL);
	}
	if (have_whole)
		regfree(&whole);
	regfree(&re);
out:
	free(wrapped);
	free(text);
}

/* ---- lint -------------------------------------------------------------- */

enum atom_kind {
	ATOM_CHAR,  /* one literal character */
	ATOM_CLASS, /* one character of a set: '.', [...], \w, \s, ... */
	ATOM_BOL,   /* ^ */
	ATOM_EOL,   /* $ */
	ATOM_OPEN,
	ATOM_CLOSE,
	ATOM_ALT,
	ATOM_QUANT, /* *, +, ?, {m,n} */
	ATOM_OTHER, /* a back-reference, \b, \<, ...: nothing the lint reasons about */
};

struct atom {
	enum atom_kind kind;
	size_t at;	 /* offset in the pattern, for messages */
	bool newline_ok; /* ATOM_CHAR, ATOM_CLASS: it can match a '\n' */
	bool zero_ok;	 /* ATOM_QUANT: it allows zero repetitions */
};

struct lint {
	const char *s;
	size_t len;
	bool search;
	struct atom *atoms;
	size_t n, cap;
	struct strbuf *why;
};

static void push(struct lint *l, enum atom_kind kind, size_t at, bool newline_ok, bool zero_ok)
{
	l->atoms = xgrow(l->atoms, sizeof(*l->atoms), l->n + 1, &l->cap);
	l->atoms[l->n++] = (struct atom){kind, at, newline_ok, zero_ok};
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The escape a backslash-letter stands for in C and YAML, or NULL. */
static const char *control_meant(char c)
{
	switch (c) {
	case 'n':
		return "a newline";
	case 't':
		return "a tab";
	case 'r':
		return "a carriage return";
	case 'f':
		return "a form feed";
	case 'v':
		return "a vertical tab";
	default:
		return NULL;
	}
}

/* A backslash and the letter c outside brackets: a slip unless glibc gives it a meaning. */
static bool escape_slip(struct lint *l, char c)
{
	const char *meant = control_meant(c);
	size_t before = l->why->len;

	if (meant)
		strbuf_addf(
		    l->why,
		    "has \\%c (a backslash, then the letter %c), which POSIX regex reads as "
		    "the letter %c, not %s: put a real one in the pattern (in YAML, double "
		    "quotes turn \\%c into %s)",
		    c, c, c, meant, c, meant);
	else if (c == 'd' || c == 'D')
		strbuf_addf(
		    l->why,
		    "has \\%c, which POSIX regex reads as the letter %c, not a %sdigit: use "
		    "%s",
		    c, c, c == 'D' ? "non-" : "", c == 'D' ? "[^0-9]" : "[0-9]");
	else if (is_letter(c) && !strchr("wWsSbB", c))
		strbuf_addf(l->why,
			    "has \\%c, which POSIX regex reads as the letter %c: it has no such "
			    "escape",
			    c, c);
	return l->why->len > before;
}

/* A bracket expression from l->s[*i] == '['; leaves *i past its ']'.  false: a slip was found. */
static bool scan_bracket(struct lint *l, size_t *i)
{
	size_t at = *i, j = at + 1;
	bool negated = false, newline = false;

	if (j < l->len && l->s[j] == '^')
		negated = true, j++;
	if (j < l->len && l->s[j] == ']')
		j++; /* a ']' first is an ordinary member */
	while (j < l->len && l->s[j] != ']') {
		if (l->s[j] == '[' && j + 1 < l->len && strchr(":=.", l->s[j + 1])) {
			const char *name = l->s + j + 2;
			const char *end =
			    memmem(name, l->len - j - 2, (char[]){l->s[j + 1], ']'}, 2);
			/* The classes that hold a newline. */
			newline |=
			    end && (!strncmp(name, "space:]", 7) || !strncmp(name, "cntrl:]", 7));
			j = end ? (size_t)(end - l->s) + 2 : l->len;
			continue;
		}
		if (j + 2 < l->len && l->s[j + 1] == '-' && l->s[j + 2] != ']') {
			newline |=
			    (unsigned char)l->s[j] <= '\n' && (unsigned char)l->s[j + 2] >= '\n';
			j += 3;
			continue;
		}
		if (l->s[j] == '\\' && j + 1 < l->len && is_letter(l->s[j + 1])) {
			strbuf_addf(
			    l->why,
			    "has \\%c inside [ ], where a backslash is an ordinary character: "
			    "it matches a backslash or the letter %c",
			    l->s[j + 1], l->s[j + 1]);
			return false;
		}
		newline |= l->s[j] == '\n';
		j++;
	}
	*i = j < l->len ? j + 1 : l->len;
	/* With REG_NEWLINE a non-matching list never matches a newline. */
	push(l, ATOM_CLASS, at, newline || (negated && !l->search), false);
	return true;
}

/* "{2}", "{0,3}", "{,3}": a quantifier when a digit or ',' follows the brace. */
static bool scan_interval(struct lint *l, size_t *i)
{
	size_t j = *i + 1;
	const char *end;

	if (j >= l->len || !strchr("0123456789,", l->s[j]))
		return false;
	end = memchr(l->s + j, '}', l->len - j);
	push(l, ATOM_QUANT, *i, false, l->s[j] == '0' || l->s[j] == ',');
	*i = end ? (size_t)(end - l->s) + 1 : l->len;
	return true;
}

/* Splits the pattern into atoms; false when a slip was found (why says which). */
static bool scan(struct lint *l)
{
	for (size_t i = 0; i < l->len;) {
		char c = l->s[i];
		size_t at = i;

		if (c == '\\') {
			if (i + 1 == l->len)
				return true; /* regcomp has refused it already */
			c = l->s[i + 1];
			i += 2;
			if (escape_slip(l, c))
				return false;
			if (strchr("wWsS", c))
				push(l, ATOM_CLASS, at, c != 'w', false);
			else if (strchr("bB<>`'123456789", c))
				push(l, ATOM_OTHER, at, false, false);
			else
				push(l, ATOM_CHAR, at, c == '\n', false);
			continue;
		}
		if (c == '[') {
			if (!scan_bracket(l, &i))
				return false;
			continue;
		}
		if (c == '{' && scan_interval(l, &i))
			continue;
		i++;
		switch (c) {
		case '.':
			push(l, ATOM_CLASS, at, !l->search, false);
			break;
		case '^':
			push(l, ATOM_BOL, at, false, false);
			break;
		case '$':
			push(l, ATOM_EOL, at, false, false);
			break;
		case '(':
			push(l, ATOM_OPEN, at, false, false);
			break;
		case ')':
			push(l, ATOM_CLOSE, at, false, false);
			break;
		case '|':
			push(l, ATOM_ALT, at, false, false);
			break;
		case '*':
		case '?':
		case '+':
			push(l, ATOM_QUANT, at, false, c != '+');
			break;
		default:
			push(l, ATOM_CHAR, at, c == '\n', false);
		}
	}
	return true;
}

/* An atom that takes exactly one character. */
static bool takes_one(const struct atom *a)
{
	return a->kind == ATOM_CHAR || a->kind == ATOM_CLASS;
}

/* One character next to an anchor that it keeps from holding: one that cannot be a newline. */
static bool blocks_anchor(const struct lint *l, const struct atom *a)
{
	return takes_one(a) && (!l->search || !a->newline_ok);
}

/* An anchor in the middle that can never hold. */
static bool misplaced_anchor(struct lint *l)
{
	for (size_t k = 0; k < l->n; k++) {
		const struct atom *a = &l->atoms[k];
		if (a->kind == ATOM_BOL && k > 0 && blocks_anchor(l, &l->atoms[k - 1])) {
			strbuf_addf(
			    l->why,
			    "has '^' at character %zu right after %s, so it never matches: %s",
			    a->at + 1,
			    l->search ? "a character that cannot be a newline" : "other text",
			    l->search ? "^ is the start of a line"
				      : "without 'search: true', ^ is the start of the whole "
					"output, not of a line");
			return true;
		}
		if (a->kind == ATOM_EOL && k + 1 < l->n && blocks_anchor(l, &l->atoms[k + 1]) &&
		    !(k + 2 < l->n && l->atoms[k + 2].kind == ATOM_QUANT &&
		      l->atoms[k + 2].zero_ok)) {
			strbuf_addf(
			    l->why,
			    "has '$' at character %zu right before %s, so it never matches: %s",
			    a->at + 1,
			    l->search ? "a character that cannot be a newline" : "more text",
			    l->search ? "$ is the end of a line"
				      : "without 'search: true', $ is the end of the whole "
					"output, not of a line");
			return true;
		}
	}
	return false;
}

/*
 * Whole mode: whether every top-level alternative ends with a character
 * that cannot be a newline, so that no output ending in one (what a
 * program printing lines prints) can match.
 */
static bool cannot_end_in_newline(const struct lint *l)
{
	size_t end = l->n;
	int depth = 0;

	if (!l->n)
		return false;
	for (size_t k = l->n; k-- > 0;) {
		const struct atom *a = &l->atoms[k];
		depth += a->kind == ATOM_CLOSE ? 1 : a->kind == ATOM_OPEN ? -1 : 0;
		if (k > 0 && !(a->kind == ATOM_ALT && depth == 0))
			continue;
		/* The alternative is atoms [first, end): its last atom before any $ decides. */
		size_t first = a->kind == ATOM_ALT ? k + 1 : 0, last = end;
		while (last > first && l->atoms[last - 1].kind == ATOM_EOL)
			last--;
		/* "[0-9]+" ends with a digit; "x[0-9]*" may end with the x, and is left alone. */
		if (last > first + 1 && l->atoms[last - 1].kind == ATOM_QUANT &&
		    !l->atoms[last - 1].zero_ok)
			last--;
		if (last == first || !takes_one(&l->atoms[last - 1]) ||
		    l->atoms[last - 1].newline_ok)
			return false;
		end = k;
	}
	return true;
}

bool match_regex_lint(const char *pattern, size_t len, bool search, struct strbuf *why)
{
	struct lint l = {pattern, len, search, NULL, 0, 0, why};
	bool found = !scan(&l) || misplaced_anchor(&l);

	if (!found && !search && cannot_end_in_newline(&l)) {
		strbuf_addstr(why,
			      "cannot match an output that ends with a newline, as printed lines "
			      "do: without 'search: true' it must match the whole output, final "
			      "newline included");
		found = true;
	}
	free(l.atoms);
	return found;
}
