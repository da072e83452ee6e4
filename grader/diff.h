/*
 * diff: a readable unified diff of expected against actual output, for
 * reports and the student's terminal.
 *
 * Lines are compared as bytes, '\n' included: a last line without its
 * newline differs from the same text with one, and is shown followed by
 * "\ No newline at end of file".  In the rendered text every non-printable
 * byte is escaped (\t, \r, \0, \x1b, ...; see escape_bytes in escape.h), so binary
 * garbage never reaches a terminal raw; a line longer than 500 bytes is cut
 * with "... (N more bytes)".
 *
 * Unchanged lines more than DIFF_CONTEXT away from a change are left out
 * (a new "@@" hunk header says where the next change is).  The whole diff
 * is capped at DIFF_MAX_LINES lines, headers included, and the rest counted
 * on one last line "... N more lines of diff".  When a single block of
 * changes does not fit, the space is shared between its removed and added
 * lines, the removed lines left out being counted on a line of their own
 * ("... N more expected lines not shown"), so that what the program printed
 * is always shown too.
 *
 * Renderers may rely on: the first two lines are "--- expected" and
 * "+++ actual"; after them, a line starting with '-' is an expected line,
 * '+' an actual line, ' ' context, "@@" a hunk header, and anything else
 * ("\ No newline...", "... N more ...") a note.  The first '-' or '+' line
 * after the headers is the first difference, the one to highlight.
 *
 * Very different large inputs cost bounded time and memory: past a cost
 * limit only the beginning is diffed exactly (see diff.c).
 */
#ifndef GRADER_DIFF_H
#define GRADER_DIFF_H

#include <stddef.h>

#define DIFF_CONTEXT 3
#define DIFF_MAX_LINES 80

/*
 * Returns a new string (caller frees) holding the diff:
 *   --- expected
 *   +++ actual
 *   @@ -a,b +c,d @@
 *    context
 *   -expected line
 *   +actual line
 * Hunk headers always carry both counts; an empty range (count 0) names
 * the line before it, as GNU diff does ("@@ -0,0 +1,2 @@").
 * Returns NULL when both inputs are byte-identical.
 */
char *diff_unified(const char *expected, size_t expected_len, const char *actual, size_t actual_len);

#endif
