#include "compare_util.h"

#include <criterion/criterion.h>
#include <string.h>

void match_want(const struct output_expect *want, const char *out, size_t out_len,
		const char *stream, struct match_result *r)
{
	match_output(want, out, out_len, stream, r);
	cr_assert_not_null(r->message);
	/* Messages are one printable line, whatever the output held. */
	for (const char *p = r->message; *p; p++)
		cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f, "raw byte in message: %s",
			  r->message);
	if (r->ok) {
		cr_assert_str_eq(r->message, "");
		cr_assert_null(r->diff);
	} else {
		cr_assert_neq(r->message[0], '\0');
		cr_assert(strstr(r->message, stream), "stream name missing: %s", r->message);
	}
}

void match_bin(enum match_kind kind, const char *text, size_t text_len, const char *out,
	       size_t out_len, const char *stream, struct match_result *r)
{
	struct output_expect want = {
	    .set = true,
	    .match = kind,
	    .text = (char *)text,
	    .text_len = text_len,
	    .file = NULL,
	};
	match_want(&want, out, out_len, stream, r);
}

void match_str(enum match_kind kind, const char *text, const char *out, struct match_result *r)
{
	match_bin(kind, text, text ? strlen(text) : 0, out, strlen(out), "stdout", r);
}

void assert_passes(enum match_kind kind, const char *text, const char *out)
{
	struct match_result r;
	match_str(kind, text, out, &r);
	cr_assert(r.ok, "%s: expected a pass, got: %s", match_kind_name(kind), r.message);
	match_result_release(&r);
}

void assert_fails(enum match_kind kind, const char *text, const char *out, const char *message,
		  bool has_diff)
{
	struct match_result r;
	match_str(kind, text, out, &r);
	cr_assert_not(r.ok, "%s: expected a failure", match_kind_name(kind));
	cr_assert_str_eq(r.message, message);
	if (has_diff)
		cr_assert_not_null(r.diff);
	else
		cr_assert_null(r.diff);
	match_result_release(&r);
}
