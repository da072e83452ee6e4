/*
 * End-to-end tests of what a failed test tells (issue 14's feedback half),
 * on grader/tests/feedback (README.md there): `tty: true` runs a process on
 * a terminal, a timeout names processes by their command, the cause comes
 * first, and every report — <student>.json, junit.xml, results.json and a
 * batch's index.html — says how to reproduce a failed test.  The words of
 * each diagnosis are checked by e2e/diagnosis.tsv (test_diagnose_e2e.c).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "util.h"

#define FEEDBACK "grader/tests/feedback"
#define ROLES FEEDBACK "/submissions/roles"

static struct e2e_run run;
static json_t *report;

static void teardown(void)
{
	e2e_run_release(&run);
	json_decref(report);
	report = NULL;
}

TestSuite(feedback_e2e, .fini = teardown, .timeout = 120);

/* Grades the roles with the feedback spec into the test's folder; the JSON report. */
static void grade_roles(void)
{
	const char *argv[] = {e2e_grader(), "grade", FEEDBACK, ROLES, "-o", e2e_tmpdir(),
			      "--format", "json", NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 1, "stderr: %s", run.err);
	json_error_t err;
	report = json_loads(run.out, 0, &err);
	cr_assert_not_null(report, "stdout is not JSON (%s): %.500s", err.text, run.out);
}

static json_t *test_named(const char *name)
{
	json_t *t = e2e_find_test(report, name);
	cr_assert_not_null(t, "no test '%s'", name);
	return t;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* The file's whole text (caller frees). */
static char *slurp(const char *name)
{
	char *path = path_join(e2e_tmpdir(), name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	free(path);
	return strbuf_detach(&sb, NULL);
}

/*
 * The same program passes on a terminal: isatty() true for stdin and
 * stdout, the lines before fork() once and in order, '\n' unchanged,
 * stderr apart, the text whole (a Ctrl-D byte in it too) and its end seen.
 */
Test(feedback_e2e, a_tty_process_runs_as_at_a_terminal)
{
	grade_roles();
	cr_expect_str_eq(str(test_named("at a terminal"), "status"), "passed");
	cr_expect_str_eq(str(test_named("ready at a terminal"), "status"), "passed");
	/* Through the pipes the same program fails: the terminal made the difference. */
	cr_expect_str_eq(str(test_named("through a pipe"), "status"), "failed");
	cr_expect_str_eq(str(test_named("ready through a pipe"), "status"), "timeout");
	cr_expect_null(json_object_get(test_named("at a terminal"), "reproduce"),
		       "a passed test has nothing to reproduce");
}

Test(feedback_e2e, a_timeout_names_the_process_by_its_command_and_comes_first)
{
	grade_roles();
	json_t *t = test_named("sleeps instead of waiting");
	json_t *first = json_array_get(json_object_get(t, "checks"), 0);
	cr_expect_str_eq(str(first, "kind"), "timeout");
	cr_expect_not_null(strstr(str(first, "message"), "still running: pid "), "%s",
			   str(first, "message"));
	cr_expect_not_null(strstr(str(first, "message"), " (./prog)"), "%s", str(first, "message"));
	cr_expect_null(strstr(str(first, "message"), "(main)"), "%s", str(first, "message"));
	cr_expect_not_null(strstr(str(t, "hint"), "wait()"), "%s", str(t, "hint"));
}

Test(feedback_e2e, the_json_report_says_how_to_reproduce)
{
	grade_roles();
	json_t *how = json_object_get(test_named("through a pipe"), "reproduce");
	cr_assert_not_null(how);
	json_t *proc = json_array_get(json_object_get(how, "processes"), 0);
	json_t *argv = json_object_get(proc, "argv");
	cr_expect_eq(json_array_size(argv), 2);
	cr_expect_str_eq(json_string_value(json_array_get(argv, 1)), "terminal");
	cr_expect_str_eq(str(proc, "command"), "./prog terminal < stdin.txt");
	json_t *in = json_object_get(proc, "stdin");
	cr_expect_eq(json_integer_value(json_object_get(in, "bytes")), 30);
	cr_expect_str_eq(str(in, "text"), "first line\nsecond\n\x04 third\nlast");
	cr_expect(json_is_false(json_object_get(proc, "tty")));
	cr_expect(json_is_null(json_object_get(how, "files_from")));

	how = json_object_get(test_named("no arguments"), "reproduce");
	cr_expect_str_eq(str(json_array_get(json_object_get(how, "processes"), 0), "command"),
			 "./prog < /dev/null");
	cr_expect_not_null(strstr(str(how, "text"), "# no arguments"), "%s", str(how, "text"));

	how = json_object_get(test_named("ready through a pipe"), "reproduce");
	json_t *client = json_array_get(json_object_get(how, "processes"), 1);
	cr_expect_str_eq(str(client, "name"), "client");
	cr_expect_str_eq(str(client, "start"), "once a line of server's stdout contains \"ready\"");
}

Test(feedback_e2e, junit_and_gradescope_say_how_to_reproduce)
{
	grade_roles();
	char *junit = slurp("junit.xml");
	cr_expect_not_null(strstr(junit, "How to reproduce: In the folder of your build, run:\n"
					 "  ./prog &lt; /dev/null    # no arguments"),
			   "%.3000s", junit);
	/* The cause, then its explanation, then the rest. */
	const char *timeout = strstr(junit, "timeout: did not finish within 1s");
	const char *hint = timeout ? strstr(timeout, "Hint: a parent that sleeps") : NULL;
	cr_expect(timeout && hint, "%.4000s", junit);
	free(junit);
	char *gradescope = slurp("results.json");
	cr_expect_not_null(strstr(gradescope, "How to reproduce: In the folder of your build, run:\\n"
					      "  ./prog terminal < stdin.txt"),
			   "%.3000s", gradescope);
	cr_expect_not_null(strstr(gradescope, "Hint: call fflush(stdout) before fork()"), "%.3000s",
			   gradescope);
	free(gradescope);
}

Test(feedback_e2e, the_class_page_says_how_to_reproduce)
{
	char *class = path_join(e2e_tmpdir(), "class");
	char *copy = path_join(class, "roles");
	cr_assert_eq(mkdir_p(copy, 0755), 0, "%s", error_last());
	cr_assert_eq(copy_tree(ROLES, copy), 0, "%s", error_last());
	char *out = path_join(e2e_tmpdir(), "out");
	const char *argv[] = {e2e_grader(), "batch", FEEDBACK, class, "-o", out, "-j", "1", NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 0, "stderr: %s", run.err);
	char *path = path_join(out, "index.html");
	struct strbuf html = STRBUF_INIT;
	strbuf_init(&html);
	cr_assert_eq(read_file(path, &html), 0, "%s", error_last());
	cr_expect_not_null(strstr(html.buf, "<strong>How to reproduce:</strong></p>"
					    "<pre class=\"reproduce\">In the folder of your build, "
					    "run:\n  ./prog &lt; /dev/null    # no arguments"),
			   "%.3000s", html.buf);
	cr_expect_not_null(strstr(html.buf, "<p class=\"hint\"><strong>Hint:</strong> check argc"),
			   "%.3000s", html.buf);
	strbuf_release(&html);
	free(path);
	free(out);
	free(copy);
	free(class);
}
