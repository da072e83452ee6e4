/*
 * report_text: what `check` and `grade` print for a failed test, on
 * hand-built results — the cause first, then why and the one hint that
 * follows from it, then the consequences, then how to reproduce; no
 * general hint where the test has its own.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_text.h"
#include "reproduce.h"
#include "result_util.h"
#include "util.h"

static struct grade_result result;
static char *out;

static void teardown(void)
{
	grade_result_release(&result);
	free(out);
	out = NULL;
}

TestSuite(report_text, .fini = teardown, .timeout = 10);

/* One test; checks added by the caller. */
static struct test_result *one_test(enum test_status status, const char *diagnosis,
				    const char *hint)
{
	struct test_result *t =
	    result_util_one_test(&result, "pipe_hello", "default message", status, 4);
	free(t->diagnosis);
	t->diagnosis = xstrdup(diagnosis);
	t->hint = hint ? xstrdup(hint) : NULL;
	return t;
}

static void print(bool student)
{
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	struct text_options o = {.color = false, .student = student};
	report_print_text(f, &result, &o);
	fclose(f);
}

/* Where needle starts in out; asserts it is there. */
static size_t at(const char *needle)
{
	const char *p = strstr(out, needle);
	cr_assert_not_null(p, "no \"%s\" in:\n%s", needle, out);
	return (size_t)(p - out);
}

Test(report_text, the_cause_comes_first_then_why_then_the_rest)
{
	struct test_result *t = one_test(STATUS_TIMEOUT, "pid 3 (./pipe_hello) is sleeping.",
					 "no sleep is needed.");
	test_result_add_check(t, "stdout", false, "stdout is empty", xstrdup("-child read: hi\n"));
	test_result_add_check(t, "timeout", false, "did not finish within 2s", NULL);
	test_result_cause_first(t);
	print(true);
	cr_expect_lt(at("timeout: did not finish"), at("why: pid 3"));
	cr_expect_lt(at("why: pid 3"), at("hint: no sleep is needed."));
	cr_expect_lt(at("hint: no sleep"), at("stdout: stdout is empty"));
	/* One hint, the test's: none of the general ones a timeout used to get. */
	cr_expect_null(strstr(out, "end-of-file"), "%s", out);
	const char *second = strstr(strstr(out, "hint:") + 1, "hint:");
	cr_expect_null(second, "two hints:\n%s", out);
}

Test(report_text, a_cleanup_check_keeps_its_own_hint)
{
	struct test_result *t = one_test(STATUS_FAILED, "", NULL);
	test_result_add_check(t, "cleanup.zombies", false, "pid 3 was never waited for", NULL);
	print(true);
	cr_expect_lt(at("cleanup.zombies: pid 3"), at("hint: call wait() or waitpid()"));
	/* The TA's view: no general hints. */
	free(out);
	print(false);
	cr_expect_null(strstr(out, "hint:"), "%s", out);
}

Test(report_text, every_failed_test_says_how_to_reproduce_it)
{
	struct test_result *t = one_test(STATUS_CRASHED, "", NULL);
	test_result_add_check(t, "signal", false, "killed by SIGSEGV", NULL);
	struct test_spec spec = {0};
	struct process_spec proc = {0};
	proc.name = "main";
	strvec_init(&proc.argv);
	strvec_push(&proc.argv, "./pipe_hello");
	spec.procs = &proc;
	spec.nprocs = 1;
	t->reproduce = reproduce_new(&spec, "/spec");
	strvec_clear(&proc.argv);
	print(true);
	cr_expect_gt(at("      to reproduce: In the folder of your build, run:\n"
			"        ./pipe_hello < /dev/null    # no arguments\n"),
		     at("signal: killed by SIGSEGV"));
	/* A hidden test shows only its status to a student. */
	t->hidden = true;
	free(out);
	print(true);
	cr_expect_null(strstr(out, "to reproduce"), "%s", out);
}
