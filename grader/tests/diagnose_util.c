/* diagnose_util: the diagnosis tests' shared expectations (diagnose_util.h). */
#include "diagnose_util.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *with_hint(char *words, const char *hint)
{
	if (!words || !hint)
		return words;
	char *both = xasprintf("%s Hint: %s", words, hint);
	free(words);
	return both;
}

/* Expects text to contain (present) or not to contain the string fmt and ap make. */
static void expect_text(const char *text, bool present, const char *fmt, va_list ap)
{
	struct strbuf want = STRBUF_INIT;
	strbuf_vaddf(&want, fmt, ap);
	bool found = strstr(text, want.buf) != NULL;
	if (present)
		cr_expect(found, "diagnosis lacks \"%s\":\n%s", want.buf, text);
	else
		cr_expect_not(found, "diagnosis has \"%s\":\n%s", want.buf, text);
	strbuf_release(&want);
}

void expect_has(const char *text, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	expect_text(text, true, fmt, ap);
	va_end(ap);
}

void expect_lacks(const char *text, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	expect_text(text, false, fmt, ap);
	va_end(ap);
}
