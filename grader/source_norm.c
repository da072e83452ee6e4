/*
 * source_norm: the comment-blind digest of a submission (source_norm.h).
 *
 * Why each refusal exists (the file is then refused, and the build cache
 * uses its exact key only):
 * - A backslash before the end of a line, even with blanks between (a line
 *   splice): it joins lines before comments are seen, so a `//` comment
 *   may swallow the next line, and -Wcomment speaks of it.
 * - "??": with -trigraphs, ??/ is a backslash and ??' a quote.
 * - A raw string (R"...", any prefix): its text has no escapes and may
 *   span lines; `%:` (the digraph of #): directives this lexer would not
 *   see; a quote after a digit: C23's digit separator (1'000), which this
 *   lexer would take for a character constant.
 * - A string or character constant not closed on its line, an unterminated
 *   block comment: the compiler reports them, and where the code ends is a
 *   guess.
 * - "/\*" inside a block comment: -Wcomment warns, with a comment's text.
 * - A byte >= 0x80 or a NUL in a comment: -Wbidi-chars, invalid UTF-8 and
 *   "null character" messages, and columns counted in characters.
 * - A form feed or vertical tab outside comments: -pedantic warns of them
 *   in directives, and they are stripped at line ends.
 * - A carriage return not followed by a newline: compilers may end a line
 *   there, which would end a `//` comment where this lexer does not.
 * - A non-empty file that does not end in a newline: clang's -Wnewline-eof.
 * - "incbin" or "embed" in any file: an assembler's .incbin or C23's
 *   #embed puts a file's bytes, comments included, into the program.
 * - A comment that says "fall" in any case, or is followed by `case`,
 *   `default` or a label: GCC's -Wimplicit-fallthrough (in -Wextra) reads
 *   such comments (at level 1 any comment) and then does not warn.
 * - "trailing-whitespace", "documentation" or "Weverything" in the build
 *   command or in a file that is not normalised (a Makefile): flags under
 *   which GCC or clang read comments or trailing blanks.
 * - A `#` right after a block comment that spans lines: whether it starts
 *   a directive is the preprocessor's subtle call, not this lexer's.
 */
#include "source_norm.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool source_norm_applies(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h');
}

static bool contains(const char *data, size_t len, const char *word)
{
	size_t wl = strlen(word);
	for (size_t i = 0; i + wl <= len; i++)
		if (!memcmp(data + i, word, wl))
			return true;
	return false;
}

static const char *check_everywhere(const char *data, size_t len)
{
	if (contains(data, len, "incbin") || contains(data, len, "embed"))
		return "\"incbin\" or \"embed\" (a file's bytes, comments included, in the program)";
	return NULL;
}

const char *source_norm_other(const char *data, size_t len)
{
	static const char *const flags[] = {"trailing-whitespace", "documentation", "Weverything"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		if (contains(data, len, flags[i]))
			return "a compiler flag that reads comments or trailing blanks";
	/* objcopy --add-section puts a file's bytes into a program. */
	if (contains(data, len, "objcopy"))
		return "\"objcopy\" (a file's bytes, comments included, in the program)";
	return check_everywhere(data, len);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Refusals read from the raw bytes, before any lexing. */
static const char *check_bytes(const char *s, size_t n)
{
	const char *why = check_everywhere(s, n);
	if (why)
		return why;
	if (contains(s, n, "??"))
		return "\"??\" (a trigraph with -trigraphs)";
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			return "a carriage return that does not end a line";
		if (s[i] == '\\') {
			size_t j = i + 1;
			while (j < n && is_blank(s[j]))
				j++;
			if (j == n || s[j] == '\n')
				return "a backslash at the end of a line (a line splice)";
		}
	}
	if (n && s[n - 1] != '\n')
		return "no newline at the end of the file";
	return NULL;
}

/* Checks a comment's bytes; true when it may turn into blanks. */
static const char *check_comment(const char *c, size_t len, bool block)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)c[i];
		if (b >= 0x80 || b == 0)
			return "a byte >= 0x80 or a NUL in a comment";
		if (block && i + 1 < len && c[i] == '/' && c[i + 1] == '*')
			return "\"/*\" inside a block comment (-Wcomment)";
		if (i + 4 <= len && tolower(b) == 'f' && tolower((unsigned char)c[i + 1]) == 'a' &&
		    tolower((unsigned char)c[i + 2]) == 'l' && tolower((unsigned char)c[i + 3]) == 'l')
			return "a comment that may mark a fallthrough (-Wimplicit-fallthrough)";
	}
	return NULL;
}

/* The index past the blanks, newlines and comments from i. */
static size_t skip_space(const char *s, size_t n, size_t i)
{
	for (;;) {
		if (i < n && (is_blank(s[i]) || s[i] == '\n')) {
			i++;
		} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
			const char *end = memmem(s + i + 2, n - i - 2, "*/", 2);
			i = end ? (size_t)(end - s) + 2 : n;
		} else {
			return i;
		}
	}
}

struct lexer {
	const char *s;
	size_t n, i;
	struct strbuf *out;
	bool line_start;	/* no token yet on this line */
	bool in_directive;	/* the line's first token was # */
	bool want_name;		/* a directive's name comes next */
	bool want_header;	/* after #include: a <header name> may come */
	bool after_comment;	/* a comment, and no token outside directives since */
	bool spanned;		/* a block comment that spans lines ended on this line */
};

static const char *comment(struct lexer *lx)
{
	const char *s = lx->s;
	bool block = s[lx->i + 1] == '*';
	size_t start = lx->i, end;
	if (block) {
		const char *close = memmem(s + start + 2, lx->n - start - 2, "*/", 2);
		if (!close)
			return "an unterminated block comment";
		end = (size_t)(close - s) + 2;
	} else {
		const char *nl = memchr(s + start, '\n', lx->n - start);
		end = nl ? (size_t)(nl - s) : lx->n;
	}
	const char *why = check_comment(s + start + 2, end - start - 2 - (block ? 2 : 0), block);
	if (why)
		return why;
	for (size_t k = start; k < end; k++) {
		char c = s[k] == '\t' || s[k] == '\n' ? s[k] : ' ';
		strbuf_addch(lx->out, c);
		lx->spanned |= c == '\n';
	}
	lx->i = end;
	lx->after_comment = true;
	return NULL;
}

/* A "string" or 'c' constant from lx->i, copied as code. */
static const char *literal(struct lexer *lx)
{
	char quote = lx->s[lx->i];
	size_t j = lx->i + 1;
	while (j < lx->n && lx->s[j] != quote && lx->s[j] != '\n')
		j += lx->s[j] == '\\' ? 2 : 1;
	if (j >= lx->n || lx->s[j] != quote)
		return "a string or character constant not closed on its line";
	strbuf_add(lx->out, lx->s + lx->i, j + 1 - lx->i);
	lx->i = j + 1;
	return NULL;
}

static bool is_word_token(const char *w, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(w, word, len);
}

/*
 * What a token outside comments does to the lexer: directives and the
 * header names of #include, and GCC's fallthrough comments.  w/len is the
 * token when it is a word, else len is 0.
 */
static const char *token(struct lexer *lx, const char *w, size_t len)
{
	char c = lx->s[lx->i];
	if (!len && c == '#' && lx->spanned)
		return "a # right after a block comment that spans lines";
	if (lx->line_start && !len && c == '#') {
		lx->in_directive = lx->want_name = true;
		lx->line_start = false;
		return NULL;
	}
	lx->line_start = false;
	if (lx->want_name) {
		lx->want_name = false;
		lx->want_header = len && (is_word_token(w, len, "include") ||
					  is_word_token(w, len, "include_next") ||
					  is_word_token(w, len, "import"));
		return NULL;
	}
	if (lx->want_header) {
		lx->want_header = false;
		if (!len && c == '<') {
			const char *close = memchr(lx->s + lx->i, '>', lx->n - lx->i);
			const char *nl = memchr(lx->s + lx->i, '\n', lx->n - lx->i);
			if (!close || (nl && nl < close))
				return "a header name not closed on its line";
			size_t end = (size_t)(close - lx->s) + 1;
			strbuf_add(lx->out, lx->s + lx->i, end - lx->i);
			lx->i = end;
			return NULL;
		}
	}
	if (lx->after_comment && !lx->in_directive) {
		lx->after_comment = false;
		if (len && (is_word_token(w, len, "case") || is_word_token(w, len, "default")))
			return "a comment before a case label (-Wimplicit-fallthrough)";
		size_t k = skip_space(lx->s, lx->n, lx->i + len);
		if (len && !isdigit((unsigned char)w[0]) && k < lx->n && lx->s[k] == ':')
			return "a comment before a label (-Wimplicit-fallthrough)";
	}
	return NULL;
}

/* A word (identifier, keyword, number) and what follows it right away. */
static const char *word(struct lexer *lx)
{
	const char *w = lx->s + lx->i;
	size_t len = 0;
	while (lx->i + len < lx->n && is_word(w[len]))
		len++;
	const char *why = token(lx, w, len);
	if (why)
		return why;
	strbuf_add(lx->out, w, len);
	lx->i += len;
	char next = lx->i < lx->n ? lx->s[lx->i] : '\0';
	if (next == '"' && w[len - 1] == 'R')
		return "a raw string";
	if (next == '\'' && isdigit((unsigned char)w[len - 1]) && !is_word_token(w, len, "u8"))
		return "a quote right after a digit (a digit separator)";
	return NULL;
}

static const char *lex(struct lexer *lx)
{
	while (lx->i < lx->n) {
		const char *s = lx->s;
		char c = s[lx->i];
		const char *why = NULL;
		if (c == '/' && lx->i + 1 < lx->n && (s[lx->i + 1] == '*' || s[lx->i + 1] == '/')) {
			why = comment(lx);
		} else if (c == '\n') {
			strbuf_addch(lx->out, c);
			lx->i++;
			lx->line_start = true;
			lx->in_directive = lx->want_name = lx->want_header = lx->spanned = false;
		} else if (c == '\f' || c == '\v') {
			why = "a form feed or vertical tab outside comments";
		} else if (is_blank(c)) {
			strbuf_addch(lx->out, c);
			lx->i++;
		} else if (is_word(c)) {
			why = word(lx);
		} else if (c == '%' && lx->i + 1 < lx->n && s[lx->i + 1] == ':') {
			why = "the digraph %: (a # this lexer would not see)";
		} else {
			size_t at = lx->i;
			why = token(lx, NULL, 0);
			if (!why && lx->i == at) {
				if (c == '"' || c == '\'') {
					why = literal(lx);
				} else {
					strbuf_addch(lx->out, c);
					lx->i++;
				}
			}
		}
		if (why)
			return why;
	}
	return NULL;
}

/* Removes the blanks at the end of every line and the blank lines at the end. */
static void strip_ends(struct strbuf *sb, size_t from)
{
	size_t w = from;
	for (size_t r = from; r < sb->len; r++) {
		if (sb->buf[r] == '\n')
			while (w > from && is_blank(sb->buf[w - 1]))
				w--;
		sb->buf[w++] = sb->buf[r];
	}
	while (w > from && (is_blank(sb->buf[w - 1]) || sb->buf[w - 1] == '\n'))
		w--;
	sb->len = w;
	if (w > from)
		strbuf_addch(sb, '\n');
	else if (sb->buf)
		sb->buf[w] = '\0';
}

const char *source_norm_c(const char *data, size_t len, struct strbuf *out)
{
	const char *why = check_bytes(data, len);
	if (why)
		return why;
	size_t from = out->len;
	struct lexer lx = {.s = data, .n = len, .out = out, .line_start = true};
	why = lex(&lx);
	if (!why)
		strip_ends(out, from);
	return why;
}

struct walk {
	struct strvec *sources;
	const char *why;
	struct strbuf text, norm;
};

static int add_normalised(struct digest *d, const char *rel, const char *path, void *arg)
{
	struct walk *w = arg;
	w->text.len = w->norm.len = 0;
	int rc = digest_read_file(path, &w->text, SOURCE_NORM_FILE_MAX);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		w->why = "a file larger than SOURCE_NORM_FILE_MAX (4 MiB)";
		return 1;
	}
	const char *base = strrchr(rel, '/');
	if (!source_norm_applies(base ? base + 1 : rel)) {
		w->why = source_norm_other(w->text.buf, w->text.len);
		digest_add(d, w->text.buf, w->text.len);
	} else if (!(w->why = source_norm_c(w->text.buf, w->text.len, &w->norm))) {
		digest_add(d, w->norm.buf, w->norm.len);
		strvec_push(w->sources, rel);
	}
	return w->why ? 1 : 0;
}

int source_norm_digest_tree(struct digest *d, const char *dir, struct strvec *sources,
			    const char **why)
{
	struct walk w = {.sources = sources};
	strbuf_init(&w.text);
	strbuf_init(&w.norm);
	/* Never the digest of the same files byte for byte: the two keys share a folder. */
	digest_add_str(d, "source_norm 1");
	int ret = digest_add_tree_by(d, dir, add_normalised, &w);
	*why = w.why;
	strbuf_release(&w.text);
	strbuf_release(&w.norm);
	return ret;
}

struct untouched {
	const char *submission_dir;
	const struct strvec *sources;
	size_t next;
	struct strbuf mine, built;
};

/* Whether the submission's file mine and the build folder's path differ (or cannot be read whole). */
static int differ(const char *mine, const char *path, struct untouched *u)
{
	u->mine.len = u->built.len = 0;
	return digest_read_file(mine, &u->mine, SOURCE_NORM_FILE_MAX) != 0 ||
	       digest_read_file(path, &u->built, SOURCE_NORM_FILE_MAX) != 0 ||
	       u->mine.len != u->built.len ||
	       (u->mine.len && memcmp(u->mine.buf, u->built.buf, u->mine.len));
}

/*
 * A file of the build folder other than a C source: one of the submission's,
 * unchanged, or a new one the compiler made (an ELF object or program).  A
 * new text file could hold a copy of a source, comments included (a
 * Makefile rule `cp prog.c notes.txt`), which another student must never
 * get.
 */
static int unchanged_or_compiled(const char *mine, const char *path, struct untouched *u)
{
	struct stat st;
	if (lstat(mine, &st) == 0)
		return differ(mine, path, u);
	u->built.len = 0;
	return digest_read_file(path, &u->built, SOURCE_NORM_FILE_MAX) != 0 ||
	       !(u->built.len >= 4 && !memcmp(u->built.buf, "\x7f" "ELF", 4));
}

static int same_source(struct digest *d, const char *rel, const char *path, void *arg)
{
	(void)d;
	struct untouched *u = arg;
	const char *base = strrchr(rel, '/');
	char *mine = path_join(u->submission_dir, rel);
	int ret;
	if (!source_norm_applies(base ? base + 1 : rel)) {
		ret = unchanged_or_compiled(mine, path, u);
	} else if (u->next == u->sources->n || strcmp(rel, u->sources->v[u->next++])) {
		ret = 1;
	} else {
		ret = differ(mine, path, u);
	}
	free(mine);
	return ret;
}

bool source_norm_sources_untouched(const char *build_dir, const char *submission_dir,
				   const struct strvec *sources)
{
	struct untouched u = {.submission_dir = submission_dir, .sources = sources};
	strbuf_init(&u.mine);
	strbuf_init(&u.built);
	struct digest unused;
	digest_init(&unused);
	bool same = digest_add_tree_by(&unused, build_dir, same_source, &u) == 0 &&
		    u.next == sources->n;
	strbuf_release(&u.mine);
	strbuf_release(&u.built);
	return same;
}
