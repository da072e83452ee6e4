/*
 * The spec features of issue 14 through the built grader: what `validate`
 * prints and returns for warnings, the messages of the new checks in the
 * JSON report, and the test's world as docs/spec.md describes it.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "util.h"

#define MATCHERS "grader/tests/specs/matchers"
#define WARNINGS "grader/tests/specs/warnings/spec.yaml"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(spec_e2e, .fini = teardown, .timeout = 120);

Test(spec_e2e, validate_prints_warnings_and_exits_0)
{
	const char *argv[] = {e2e_grader(), "validate", WARNINGS, NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 0, "stderr: %s", run.err);
	cr_assert_str_empty(run.out);
	cr_assert_str_eq(
	    run.err, WARNINGS
	    ":9:37: warning: the regex for 'stdout' has \\n (a backslash, then the letter "
	    "n), which POSIX regex reads as the letter n, not a newline: put a real one in the "
	    "pattern (in YAML, double quotes turn \\n into a newline)\n" WARNINGS
	    ":13:37: warning: the regex for 'stdout' has '$' at character 3 right before more "
	    "text, "
	    "so it never matches: without 'search: true', $ is the end of the whole output, not of "
	    "a line\n" WARNINGS
	    ":17:37: warning: the regex for 'stdout' cannot match an output that ends with a "
	    "newline, as printed lines do: without 'search: true' it must match the whole output, "
	    "final newline included\n");
}

Test(spec_e2e, validate_with_errors_and_warnings_exits_2)
{
	const char *path = "grader/tests/specs/bad/regex_warning_and_error.yaml";
	const char *argv[] = {e2e_grader(), "validate", path, NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 2, "stderr: %s", run.err);
	char *want = xasprintf(
	    "%s:6:37: warning: the regex for 'stdout' has \\d, which POSIX regex reads as the "
	    "letter d, not a digit: use [0-9]\n"
	    "%s:7:44: bad tolerance 'lots' for 'stderr': use a number such as 0.5 (how far each "
	    "number may be off) or a percentage such as 2%%\n",
	    path, path);
	cr_assert_str_eq(run.err, want);
	free(want);
}

/* The message of the check `kind` of the test `name` in report. */
static const char *message_of(json_t *report, const char *name, const char *kind)
{
	json_t *test = e2e_find_test(report, name), *check;
	size_t i;
	cr_assert_not_null(test, "no test '%s'", name);
	json_array_foreach(json_object_get(test, "checks"), i, check)
	{
		if (!strcmp(json_string_value(json_object_get(check, "kind")), kind))
			return json_string_value(json_object_get(check, "message"));
	}
	cr_assert_fail("test '%s' has no check %s", name, kind);
	return NULL;
}

Test(spec_e2e, failed_checks_name_what_is_missing)
{
	const char *argv[] = {e2e_grader(), "grade", MATCHERS, MATCHERS "/submission",
			      "--format",   "json",  "-o",     e2e_tmpdir(),
			      NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 1, "stderr: %s", run.err);
	json_error_t jerr;
	json_t *report = json_loads(run.out, 0, &jerr);
	cr_assert_not_null(report, "%s", jerr.text);

	cr_assert_str_eq(
	    message_of(report, "lines_include names a missing line", "stdout"),
	    "stdout is missing 1 of the 2 expected lines (any order, other lines "
	    "allowed): \"worker 2 done\"; stdout was \"start\\nprogress 50%\\nworker 1 "
	    "done\\nworker 1 done\\nend\\n\"");
	cr_assert_str_eq(message_of(report, "numbers outside a percentage", "stdout"),
			 "stdout differs: number 3 (line 1) is \"300\", expected \"245\" within 2% "
			 "(240.1 to 249.9)");
	cr_assert_str_eq(message_of(report, "trace.require counts one pipe", "trace.require"),
			 "called pipe (or pipe2) 1 time, expected at least 2");
	cr_assert_str_eq(message_of(report, "trace.require counts two pipes", "trace.require"), "");
	json_decref(report);
}

/* Hostile to nothing, but only a complete sandbox builds the world docs/spec.md describes. */
Test(spec_e2e, the_world_is_as_documented)
{
	e2e_require_full_sandbox();
	const char *argv[] = {e2e_grader(),
			      "grade",
			      "grader/tests/specs/world",
			      MATCHERS "/submission",
			      "--format",
			      "json",
			      "-o",
			      e2e_tmpdir(),
			      NULL};
	e2e_run_grader(argv, &run);
	json_error_t jerr;
	json_t *report = json_loads(run.out, 0, &jerr);
	cr_assert_not_null(report, "%s; stderr: %s", jerr.text, run.err);
	json_t *test;
	size_t i;
	json_array_foreach(json_object_get(report, "tests"), i, test)
	{
		char *kinds = e2e_failing_kinds(test);
		if (strcmp(kinds, "-")) {
			char *checks = json_dumps(json_object_get(test, "checks"), 0);
			cr_expect_fail("%s: failing %s: %s",
				       json_string_value(json_object_get(test, "name")), kinds,
				       checks);
			free(checks);
		}
		free(kinds);
	}
	cr_expect_eq(run.exit_code, 0);
	json_decref(report);
}
