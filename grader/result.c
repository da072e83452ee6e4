#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "reproduce.h"
#include "trace.h"

struct check *test_result_add_check(struct test_result *t, const char *kind, bool ok,
				    const char *message, char *diff)
{
	t->checks = xgrow(t->checks, sizeof(*t->checks), t->nchecks + 1, &t->checks_cap);
	struct check *c = &t->checks[t->nchecks++];
	c->kind = xstrdup(kind);
	c->ok = ok;
	c->skipped = false;
	c->message = xstrdup(ok && !message ? "" : message ? message : "");
	c->diff = diff;
	return c;
}

/* Whether a failed check of this kind makes others fail: "timeout", "server.signal", "limit". */
static bool is_cause(const struct check *c)
{
	if (c->ok)
		return false;
	const char *dot = strrchr(c->kind, '.');
	const char *what = dot && strncmp(c->kind, "cleanup.", 8) && strncmp(c->kind, "trace.", 6)
				   ? dot + 1
				   : c->kind;
	return !strcmp(what, "timeout") || !strcmp(what, "signal") || !strcmp(what, "limit");
}

void test_result_cause_first(struct test_result *t)
{
	if (t->nchecks < 2)
		return;
	struct check *sorted = xcalloc(t->nchecks, sizeof(*sorted));
	size_t n = 0;
	for (int causes = 1; causes >= 0; causes--)
		for (size_t i = 0; i < t->nchecks; i++)
			if (is_cause(&t->checks[i]) == (causes == 1))
				sorted[n++] = t->checks[i];
	memcpy(t->checks, sorted, n * sizeof(*sorted));
	free(sorted);
}

bool test_result_has_failure(const struct test_result *t)
{
	for (size_t i = 0; i < t->nchecks; i++)
		if (!t->checks[i].ok)
			return true;
	return false;
}

const char *test_status_name(enum test_status status)
{
	static const char *const names[] = {
		[STATUS_PASSED] = "passed",   [STATUS_FAILED] = "failed",
		[STATUS_TIMEOUT] = "timeout", [STATUS_CRASHED] = "crashed",
		[STATUS_BUILD_FAILED] = "build_failed", [STATUS_ERROR] = "error",
	};
	return names[status];
}

void test_result_release(struct test_result *t)
{
	for (size_t i = 0; i < t->nchecks; i++) {
		free(t->checks[i].kind);
		free(t->checks[i].message);
		free(t->checks[i].diff);
	}
	free(t->checks);
	free(t->name);
	free(t->diagnosis);
	free(t->hint);
	reproduce_free(t->reproduce);
	if (t->trace) {
		trace_record_release(t->trace);
		free(t->trace);
	}
	memset(t, 0, sizeof(*t));
}

void grade_result_release(struct grade_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		test_result_release(&r->tests[i]);
	free(r->tests);
	free(r->assignment);
	free(r->submission);
	free(r->build.output);
	strvec_clear(&r->isolation_missing);
	memset(r, 0, sizeof(*r));
}

bool grade_result_all_passed(const struct grade_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].status != STATUS_PASSED)
			return false;
	return true;
}

size_t grade_result_print_errors(FILE *f, const struct grade_result *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		if (t->status != STATUS_ERROR)
			continue;
		n++;
		const char *why = "";
		for (size_t j = 0; j < t->nchecks && !*why; j++)
			if (!t->checks[j].ok)
				why = t->checks[j].message;
		escape_line(f, "grader: error: %s: test '%s' could not be carried out: %s",
			    r->submission, t->name, why);
	}
	return n;
}
