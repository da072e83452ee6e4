/*
 * escape: the one place where text a student controls is made safe to show.
 *
 * A student controls far more than their program's output: the names of
 * their processes (argv[0], PR_SET_NAME), files, folders and IPC objects,
 * the compiler's messages about their code, the submission folder's name.
 * Any of these may hold bytes that act on a terminal rather than being
 * shown: C0 controls (ESC starts the sequences that move the cursor, set
 * the window title or, on some terminals, answer back into the shell), DEL,
 * the C1 controls U+0080..U+009F (U+009B is CSI on some terminals), and the
 * bidi overrides and isolates that make a line display as something other
 * than its bytes.  Invalid UTF-8 is shown byte by byte.
 *
 * Rules (docs/reports.md, "Escaping"):
 *   - Raw bytes (output, compiler messages, names read from the system)
 *     go through escape_bytes(): every such character becomes \t \r \n \0
 *     or \xNN, and a backslash becomes \\, so the escaped text reads back
 *     unambiguously.  NUL bytes survive as \0; nothing truncates at them.
 *   - Text the grader composed, which may embed escaped names already
 *     ("ends its lines with \r\n"), goes to a terminal through
 *     escape_terminal() / escape_line(): controls are escaped the same way,
 *     backslashes are kept (escaping again would double them).
 *   - JSON: jansson escapes C0 controls; escape_json_text() escapes what
 *     JSON allows raw (DEL, C1, bidi) so that printing a report is safe too.
 *   - XML, HTML and CSV: class_report.h's report_add_text().
 */
#ifndef GRADER_ESCAPE_H
#define GRADER_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/*
 * Length of the valid UTF-8 sequence at s (1..4, at most len bytes), its
 * code point in *cp, or 0 when the bytes there are not valid UTF-8 (RFC
 * 3629: overlong forms, UTF-16 surrogates and code points past U+10FFFF
 * included).
 */
size_t escape_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Whether cp acts on a terminal or on how text displays (C0, DEL, C1, bidi controls). */
bool escape_is_control(uint32_t cp);

/* Backslashes are doubled: for raw bytes, whose escaped form must read back unambiguously. */
#define ESCAPE_BACKSLASH 1u

/*
 * Appends data[0..len) to sb with every control escaped (\t \r \n \0 \xNN;
 * invalid UTF-8 byte by byte).  At most max_bytes of input are rendered,
 * never half a character; if more, "... (N more bytes)" is appended.
 * flags: ESCAPE_BACKSLASH or 0.
 */
void escape_add(struct strbuf *sb, const char *data, size_t len, size_t max_bytes,
		unsigned flags);

/* Raw bytes for display, as escape_add with ESCAPE_BACKSLASH.  Caller frees. */
char *escape_bytes(const char *data, size_t len, size_t max_bytes);

/* Grader-composed text for one line of a terminal, backslashes kept.  Caller frees. */
char *escape_terminal(const char *s);

/* Writes s to f as escape_terminal() renders it. */
void escape_fputs(FILE *f, const char *s);

/*
 * One line to f: fmt and its arguments formatted, the whole escaped as by
 * escape_terminal(), then '\n'.  fmt must not end with '\n' (it would be
 * shown as "\n").
 */
void escape_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A JSON text (as json_dumps() makes it: valid UTF-8) with DEL, C1 and bidi
 * controls, which JSON allows raw inside strings, written as \uXXXX: the
 * same JSON value, safe to print.  Takes text over; caller frees the result.
 */
char *escape_json_text(char *text);

#endif
