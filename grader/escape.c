#include "escape.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * The lead bytes of multi-byte UTF-8 and the range each allows its second
 * byte, as in RFC 3629's table of well-formed sequences: the narrow ranges
 * exclude overlong forms, UTF-16 surrogates and code points past U+10FFFF.
 */
static const struct {
	unsigned char first, last; /* lead bytes */
	unsigned char n;	   /* sequence length */
	unsigned char mask;	   /* the lead byte's payload bits */
	unsigned char lo, hi;	   /* the second byte's range */
} utf8_leads[] = {
    {0xc2, 0xdf, 2, 0x1f, 0x80, 0xbf}, /* 0xc0, 0xc1: only overlong forms */
    {0xe0, 0xe0, 3, 0x0f, 0xa0, 0xbf}, /* no overlong forms */
    {0xe1, 0xec, 3, 0x0f, 0x80, 0xbf},
    {0xed, 0xed, 3, 0x0f, 0x80, 0x9f}, /* no surrogates */
    {0xee, 0xef, 3, 0x0f, 0x80, 0xbf},
    {0xf0, 0xf0, 4, 0x07, 0x90, 0xbf}, /* no overlong forms */
    {0xf1, 0xf3, 4, 0x07, 0x80, 0xbf},
    {0xf4, 0xf4, 4, 0x07, 0x80, 0x8f}, /* nothing past U+10FFFF */
};

size_t escape_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t k = 0;
	while (k < ARRAY_SIZE(utf8_leads) && s[0] > utf8_leads[k].last)
		k++;
	if (k == ARRAY_SIZE(utf8_leads) || s[0] < utf8_leads[k].first)
		return 0;
	size_t n = utf8_leads[k].n;
	if (len < n || s[1] < utf8_leads[k].lo || s[1] > utf8_leads[k].hi)
		return 0;
	*cp = s[0] & utf8_leads[k].mask;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
}

bool escape_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || /* LRE RLE PDF LRO RLO */
	       (cp >= 0x2066 && cp <= 0x2069);	 /* LRI RLI FSI PDI */
}

static void escape_ascii(struct strbuf *sb, unsigned char c, unsigned flags)
{
	static const char named[][3] = {['\t'] = "\\t", ['\r'] = "\\r", ['\n'] = "\\n", ['\0'] = "\\0"};
	if (c == '\\')
		strbuf_addstr(sb, flags & ESCAPE_BACKSLASH ? "\\\\" : "\\");
	else if (c < ARRAY_SIZE(named) && named[c][0])
		strbuf_addstr(sb, named[c]);
	else if (c < 0x20 || c == 0x7f)
		strbuf_addf(sb, "\\x%02x", c);
	else
		strbuf_addch(sb, (char)c);
}

void escape_add(struct strbuf *sb, const char *data, size_t len, size_t max_bytes,
		unsigned flags)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = escape_utf8_decode(p + i, len - i, &cp);
		size_t take = n ? n : 1; /* invalid: shown as \xNN */
		if (i + take > max_bytes)
			break;		 /* never cut a character in half */
		if (n == 1)
			escape_ascii(sb, p[i], flags);
		else if (!n || escape_is_control(cp))
			for (size_t k = 0; k < take; k++)
				strbuf_addf(sb, "\\x%02x", p[i + k]);
		else
			strbuf_add(sb, p + i, n);
		i += take;
	}
	if (i < len)
		strbuf_addf(sb, "... (%zu more bytes)", len - i);
}

char *escape_bytes(const char *data, size_t len, size_t max_bytes)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	escape_add(&sb, data, len, max_bytes, ESCAPE_BACKSLASH);
	return strbuf_detach(&sb, NULL);
}

char *escape_terminal(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	size_t len = strlen(s);
	escape_add(&sb, s, len, len, 0);
	return strbuf_detach(&sb, NULL);
}

void escape_fputs(FILE *f, const char *s)
{
	char *safe = escape_terminal(s);
	fputs(safe, f);
	free(safe);
}

void escape_line(FILE *f, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	struct strbuf safe = STRBUF_INIT;
	strbuf_init(&safe);
	escape_add(&safe, line.buf ? line.buf : "", line.len, line.len, 0);
	strbuf_addch(&safe, '\n');
	fputs(safe.buf, f);
	strbuf_release(&safe);
	strbuf_release(&line);
}

char *escape_json_text(char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode(p + i, len - i, &cp);
		if (n && cp >= 0x20 && escape_is_control(cp)) {
			strbuf_addf(&sb, "\\u%04X", (unsigned)cp);
		} else {
			/* json_dumps() writes valid UTF-8: n is 0 only for a text that is not its. */
			n = n ? n : 1;
			strbuf_add(&sb, p + i, n);
		}
		i += n;
	}
	free(text);
	return strbuf_detach(&sb, NULL);
}
