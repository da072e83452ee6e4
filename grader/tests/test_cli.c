/*
 * Command-line behaviour of the built grader: exit statuses, bad specs,
 * bad submission folders, what goes to stdout and stderr.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "util.h"

#define ROBUSTNESS "grader/tests/robustness"
#define BADSPECS ROBUSTNESS "/badspecs"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(cli, .fini = teardown, .timeout = 60);

static void grader(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	const char *argv[] = {e2e_grader(), a1, a2, a3, a4, a5, NULL};
	e2e_run_grader(argv, &run);
}

struct badspec_case {
	char file[128];
	char position[32];
	char phrase[128];
};

static void free_badspecs(struct criterion_test_params *params)
{
	cr_free(params->params);
}

ParameterizedTestParameters(cli, validate_reports_bad_spec)
{
	size_t cap = 64, n = 0;
	struct badspec_case *cases = cr_malloc(cap * sizeof(*cases));
	FILE *f = fopen(BADSPECS "/expected.tsv", "re");
	char line[512];
	while (f && n < cap && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		char *save = NULL;
		char *file = strtok_r(line, "\t", &save);
		char *pos = strtok_r(NULL, "\t", &save);
		char *phrase = strtok_r(NULL, "\t", &save);
		if (!file || !pos || !phrase)
			continue;
		snprintf(cases[n].file, sizeof(cases[n].file), "%s", file);
		snprintf(cases[n].position, sizeof(cases[n].position), "%s", pos);
		snprintf(cases[n].phrase, sizeof(cases[n].phrase), "%s", phrase);
		n++;
	}
	if (f)
		fclose(f);
	return cr_make_param_array(struct badspec_case, cases, n, free_badspecs);
}

ParameterizedTest(struct badspec_case *c, cli, validate_reports_bad_spec)
{
	char *path = xasprintf(BADSPECS "/%s", c->file);
	grader("validate", path, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2, "%s: exit %d", c->file, run.exit_code);
	cr_expect_str_empty(run.out, "validate printed on stdout: %s", run.out);
	if (strcmp(c->position, "-")) {
		char *where = xasprintf("%s:%s: ", path, c->position);
		cr_expect_not_null(strstr(run.err, where), "expected '%s' in: %s", where, run.err);
		free(where);
	} else {
		cr_expect_not_null(strstr(run.err, path), "the error does not name the file: %s", run.err);
	}
	cr_expect_not_null(strcasestr(run.err, c->phrase), "expected '%s' in: %s", c->phrase, run.err);
	free(path);
}

Test(cli, validate_is_silent_on_good_specs)
{
	grader("validate", ROBUSTNESS "/spec.yaml", ROBUSTNESS, NULL, NULL);
	cr_expect_eq(run.exit_code, 0, "stderr: %s", run.err);
	cr_expect_str_empty(run.out);
	cr_expect_str_empty(run.err);
}

Test(cli, spec_path_that_does_not_exist)
{
	grader("validate", "no/such/spec.yaml", NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "no/such/spec.yaml"), "%s", run.err);
	cr_expect_not_null(strstr(run.err, "No such file"), "%s", run.err);
}

Test(cli, grade_with_a_bad_spec_runs_nothing)
{
	grader("grade", BADSPECS "/unknown_key.yaml", ROBUSTNESS "/submissions/hello", "-o",
	       e2e_tmpdir());
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "did you mean 'stdout'"), "%s", run.err);
	char *report = e2e_report_path("hello");
	cr_expect_not(path_exists(report), "a report was written for a spec that does not load");
	free(report);
}

Test(cli, usage_errors_exit_2)
{
	grader(NULL, NULL, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	e2e_run_release(&run);
	grader("frobnicate", NULL, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "unknown command 'frobnicate'"), "%s", run.err);
	e2e_run_release(&run);
	grader("grade", ROBUSTNESS, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "missing SUBMISSION_DIR"), "%s", run.err);
	e2e_run_release(&run);
	grader("grade", ROBUSTNESS, ROBUSTNESS "/submissions/hello", "--format", "xml");
	cr_expect_eq(run.exit_code, 2);
}

Test(cli, version_and_help)
{
	grader("--version", NULL, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 0);
	cr_expect_not_null(strstr(run.out, "grader 0."), "%s", run.out);
	e2e_run_release(&run);
	grader("grade", "--help", NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 0);
	cr_expect_not_null(strstr(run.out, "usage: grader grade"), "%s", run.out);
}

Test(cli, submission_folder_that_does_not_exist)
{
	grader("grade", ROBUSTNESS, "no/such/student", NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "no/such/student"), "%s", run.err);
}

Test(cli, json_format_prints_only_json)
{
	const char *argv[] = {e2e_grader(), "grade", ROBUSTNESS, ROBUSTNESS "/submissions/exit_42",
			      "--format", "json", "-o", e2e_tmpdir(), NULL};
	e2e_run_grader(argv, &run);
	json_error_t err;
	json_t *report = json_loads(run.out, 0, &err);
	cr_assert_not_null(report, "stdout is not only JSON: %s", err.text);
	/* This machine, like CI's, gives the sandbox everything it asks for. */
	cr_expect_str_eq(json_string_value(json_object_get(report, "isolation")), "full");
	cr_expect_eq(json_array_size(json_object_get(report, "isolation_missing")), 0);
	json_decref(report);
	cr_expect_null(strstr(run.err, "isolation"), "%s", run.err);
	e2e_run_release(&run);
}

Test(cli, a_weaker_sandbox_is_said_in_the_report_and_on_the_terminal)
{
	const char *argv[] = {e2e_grader(), "grade", "--no-sandbox", ROBUSTNESS,
			      ROBUSTNESS "/submissions/exit_42", "--format=json", "-o", e2e_tmpdir(),
			      NULL};
	e2e_run_grader(argv, &run);
	json_error_t err;
	json_t *report = json_loads(run.out, 0, &err);
	cr_assert_not_null(report, "stdout is not only JSON: %s", err.text);
	cr_expect_str_eq(json_string_value(json_object_get(report, "isolation")), "partial");
	json_t *missing = json_object_get(report, "isolation_missing");
	cr_assert_geq(json_array_size(missing), 1);
	cr_expect_not_null(strstr(json_string_value(json_array_get(missing, 0)), "namespaces"));
	json_decref(report);
	cr_expect_not_null(strstr(run.err, "isolation partial"), "%s", run.err);
	e2e_run_release(&run);
}

Test(cli, human_format_summarises)
{

	grader("grade", ROBUSTNESS, ROBUSTNESS "/submissions/exit_42", "-o", e2e_tmpdir());
	cr_expect_eq(run.exit_code, 1);
	cr_expect_not_null(strstr(run.out, "exit status 42, expected exit status 0"), "%s", run.out);
	cr_expect_null(strchr(run.out, '\033'), "colour on a pipe");
}

/* Whether folder dir holds nothing. */
static bool empty_folder(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n == 0;
}

/* Run from a folder of its own, where nothing else writes: whatever appears there is check's. */
Test(cli, check_writes_no_report_and_no_colour_on_a_pipe)
{
	char *cwd = make_scratch_dir_in(e2e_tmpdir(), "cwd");
	cr_assert_not_null(cwd, "%s", error_last());
	char *root = realpath(".", NULL), *grader_abs = realpath(e2e_grader(), NULL);
	cr_assert(root && grader_abs);
	char *spec = path_join(root, ROBUSTNESS), *sub = path_join(spec, "submissions/exit_42");
	const char *argv[] = {grader_abs, "check", spec, sub, NULL};
	e2e_run_grader_in(cwd, argv, &run);
	cr_expect_eq(run.exit_code, 1, "%s", run.err);
	cr_expect_not_null(strstr(run.out, "FAIL"), "%s", run.out);
	cr_expect_null(strchr(run.out, '\033'), "colour on a pipe");
	cr_expect(empty_folder(cwd), "check wrote into its working folder %s", cwd);
	free(spec);
	free(sub);
	free(grader_abs);
	free(root);
	free(cwd);
}

Test(cli, check_finds_its_spec_in_a_dot_grader_file)
{
	char *dir = xasprintf("%s/student", e2e_tmpdir());
	cr_assert_eq(mkdir_p(dir, 0755), 0);
	cr_assert_eq(copy_tree(ROBUSTNESS "/submissions/exit_42", dir), 0, "%s", error_last());
	char *dot = xasprintf("%s/.grader", dir);
	char *root = realpath(".", NULL);
	char *spec = xasprintf("%s/" ROBUSTNESS "\n", root);
	cr_assert_eq(write_file_atomic(dot, spec, strlen(spec)), 0);
	grader("check", dir, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 1, "%s", run.err);
	cr_expect_not_null(strstr(run.out, "exit status 42"), "%s", run.out);
	e2e_run_release(&run);

	/* Without it, and without $GRADER_SPECS, the student is told how to name the assignment. */
	unlink(dot);
	grader("check", dir, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, ".grader"), "%s", run.err);
	free(spec);
	free(root);
	free(dot);
	free(dir);
}

/*
 * A .grader is the submission's word: it may name a spec.yaml and nothing
 * else, and a .grader that is a link is not read.  Otherwise a grader run as
 * root would quote a file the student may not read in its spec errors.
 */
Test(cli, a_dot_grader_names_only_a_spec)
{
	char *dir = xasprintf("%s/nosy", e2e_tmpdir());
	cr_assert_eq(mkdir_p(dir, 0755), 0);
	char *secret = xasprintf("%s/secret.txt", e2e_tmpdir());
	cr_assert_eq(write_file_atomic(secret, "root:SECRET:1:0\n", 16), 0);
	char *dot = xasprintf("%s/.grader", dir);
	char *line = xasprintf("%s\n", secret);
	cr_assert_eq(write_file_atomic(dot, line, strlen(line)), 0);
	grader("check", dir, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_null(strstr(run.err, "SECRET"), "%s", run.err);
	cr_expect(strstr(run.err, ".grader names ") && strstr(run.err, "may name only a spec.yaml"),
		  "%s", run.err);
	e2e_run_release(&run);

	/* A spec.yaml that is a link is no spec either. */
	char *sub = xasprintf("%s/sub", dir);
	cr_assert_eq(mkdir_p(sub, 0755), 0);
	char *fake = xasprintf("%s/spec.yaml", sub);
	cr_assert_eq(symlink(secret, fake), 0);
	cr_assert_eq(write_file_atomic(dot, "sub\n", 4), 0);
	grader("check", dir, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect_null(strstr(run.err, "SECRET"), "%s", run.err);
	e2e_run_release(&run);
	free(sub);
	unlink(dot);

	/* A .grader that is a link to a good one is not read. */
	char *good = xasprintf("%s/good.grader", e2e_tmpdir());
	char *root = realpath(".", NULL);
	char *spec = xasprintf("%s/" ROBUSTNESS "\n", root);
	cr_assert_eq(write_file_atomic(good, spec, strlen(spec)), 0);
	cr_assert_eq(symlink(good, dot), 0);
	grader("check", dir, NULL, NULL, NULL);
	cr_expect_eq(run.exit_code, 2);
	cr_expect(strstr(run.err, "which assignment?"), "%s", run.err);
	free(spec);
	free(root);
	free(good);
	free(fake);
	free(line);
	free(dot);
	free(secret);
	free(dir);
}

Test(cli, unreadable_submission_is_a_build_failure)
{
	/* Permissions do not stop root: run the grader as nobody when we are root. */
	char *dir = xasprintf("%s/locked", e2e_tmpdir());
	cr_assert_eq(mkdir_p(dir, 0755), 0);
	char *src = xasprintf("%s/main.c", dir);
	cr_assert_eq(write_file_atomic(src, "int main(void){return 0;}\n", 26), 0);
	chmod(src, 0);
	chmod(e2e_tmpdir(), 0755);
	char *out = xasprintf("%s/out", e2e_tmpdir());
	cr_assert_eq(mkdir_p(out, 0777), 0);
	chmod(out, 0777);
	char *grader_abs = realpath(e2e_grader(), NULL);
	cr_assert_not_null(grader_abs);
	if (getuid() == 0) {
		const char *argv[] = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
				      grader_abs, "grade", ROBUSTNESS, dir, "-o", out, "--format", "json",
				      NULL};
		e2e_run_grader(argv, &run);
	} else {
		grader("grade", ROBUSTNESS, dir, "-o", out);
		e2e_run_release(&run);
		const char *argv[] = {grader_abs, "grade", ROBUSTNESS, dir, "-o", out, "--format", "json", NULL};
		e2e_run_grader(argv, &run);
	}
	cr_expect_eq(run.exit_code, 1, "exit %d, stderr: %s", run.exit_code, run.err);
	json_t *report = json_loads(run.out, 0, NULL);
	cr_assert_not_null(report, "stdout: %s stderr: %s", run.out, run.err);
	json_t *build = json_object_get(report, "build");
	cr_expect(json_is_false(json_object_get(build, "ok")));
	cr_expect_not_null(strstr(json_string_value(json_object_get(build, "output")), "Permission denied"),
			   "%s", json_string_value(json_object_get(build, "output")));
	json_decref(report);
	free(grader_abs);
	free(out);
	free(src);
	free(dir);
}

Test(cli, check_shows_hidden_tests_only_as_passed_or_failed)
{
	char *spec = xasprintf("%s/hidden.yaml", e2e_tmpdir());
	const char *text = "assignment: hidden\n"
			   "build: { command: 'cc -o prog main.c' }\n"
			   "tests:\n"
			   "  - name: visible\n"
			   "    run: ./prog\n"
			   "    expect: { stdout: \"visible-expected\\n\" }\n"
			   "  - name: secret\n"
			   "    hidden: true\n"
			   "    run: ./prog\n"
			   "    expect: { stdout: \"secret-expected\\n\" }\n";
	cr_assert_eq(write_file_atomic(spec, text, strlen(text)), 0);
	grader("check", spec, ROBUSTNESS "/submissions/hello", NULL, NULL);
	cr_expect_eq(run.exit_code, 1, "%s", run.err);
	cr_expect_not_null(strstr(run.out, "visible-expected"), "the visible diff is missing: %s", run.out);
	cr_expect_not_null(strstr(run.out, "secret"), "the hidden test is not listed: %s", run.out);
	cr_expect_null(strstr(run.out, "secret-expected"), "a hidden test's expected output leaked: %s", run.out);
	e2e_run_release(&run);
	/* The TA's view shows everything. */
	grader("grade", spec, ROBUSTNESS "/submissions/hello", "-o", e2e_tmpdir());
	cr_expect_not_null(strstr(run.out, "secret-expected"), "%s", run.out);
	free(spec);
}

/* The report names the seed of the failing run, which --seed makes the first run. */
Test(cli, seed_is_accepted_and_the_failing_run_s_seed_is_reported)
{
	const char *argv[] = {e2e_grader(), "grade", "grader/tests/specs/perturb",
			      ROBUSTNESS "/submissions/exit_42", "--seed=4242", "--format=json",
			      "-o", e2e_tmpdir(), NULL};
	e2e_run_grader(argv, &run);
	cr_expect_eq(run.exit_code, 1, "stderr: %s", run.err);
	json_error_t err;
	json_t *report = json_loads(run.out, 0, &err);
	cr_assert_not_null(report, "stdout is not only JSON: %s", err.text);
	json_t *test = e2e_find_test(report, "exits 0 every time");
	cr_assert_not_null(test);
	/* exit_42 fails every run: the first one is reported, and it ran with the seed given. */
	cr_expect_eq(json_integer_value(json_object_get(test, "seed")), 4242);
	/* A failed run has failed the test: the other two are not made. */
	cr_expect_eq(json_integer_value(json_object_get(test, "runs")), 1);
	size_t i;
	json_t *check;
	bool found = false;
	json_array_foreach(json_object_get(test, "checks"), i, check)
	{
		if (strcmp(json_string_value(json_object_get(check, "kind")), "repeat"))
			continue;
		found = true;
		const char *msg = json_string_value(json_object_get(check, "message"));
		cr_expect_not_null(strstr(msg, "failed in run 1 of 3 (seed 4242)"), "%s", msg);
		cr_expect_not_null(strstr(msg, "--seed 4242"), "%s", msg);
	}
	cr_expect(found, "no repeat check");
	json_decref(report);
	e2e_run_release(&run);

	grader("grade", "grader/tests/specs/perturb", ROBUSTNESS "/submissions/exit_42", "--seed",
	       "-1");
	cr_expect_eq(run.exit_code, 2);
	cr_expect_not_null(strstr(run.err, "--seed wants a whole number"), "%s", run.err);
}

/* A report folder that cannot be made costs the file, never the grading: it is still printed. */
Test(cli, an_unwritable_report_folder_still_prints_the_report)
{
	const char *argv[] = {e2e_grader(), "grade", ROBUSTNESS, ROBUSTNESS "/submissions/exit_42",
			      "--format=json", "-o", "/dev/null/reports", NULL};
	e2e_run_grader(argv, &run);
	cr_expect_eq(run.exit_code, 3, "stderr: %s", run.err);
	cr_expect_not_null(strstr(run.err, "cannot write the report"), "%s", run.err);
	json_error_t err;
	json_t *report = json_loads(run.out, 0, &err);
	cr_assert_not_null(report, "stdout is not the report: %s", err.text);
	json_t *test = e2e_find_test(report, "prints hello");
	cr_assert_not_null(test);
	cr_expect_str_eq(json_string_value(json_object_get(test, "status")), "failed");
	json_decref(report);
}

/* An empty path is a usage error, said as such: `-o ''` once read past a buffer and wrote /.grader. */
Test(cli, empty_paths_are_usage_errors)
{
	const char *sub = ROBUSTNESS "/submissions/exit_42";
	const struct {
		const char *argv[8];
		const char *said;
	} cases[] = {
	    {{"grade", ROBUSTNESS, sub, "-o", "", NULL}, "-o REPORT_DIR is empty"},
	    {{"grade", "", sub, NULL}, "SPEC is empty"},
	    {{"grade", ROBUSTNESS, "", NULL}, "SUBMISSION_DIR is empty"},
	    {{"check", "--spec", "", sub, NULL}, "--spec SPEC is empty"},
	    {{"check", ROBUSTNESS, "", NULL}, "SUBMISSION_DIR is empty"},
	    {{"check", "", NULL}, "SUBMISSION_DIR is empty"},
	    {{"check", ROBUSTNESS, sub, "-o", "", NULL}, "-o REPORT_DIR is empty"},
	    {{"batch", ROBUSTNESS, ROBUSTNESS "/submissions", "-o", "", NULL},
	     "-o REPORT_DIR is empty"},
	    {{"batch", "", ROBUSTNESS "/submissions", NULL}, "SPEC is empty"},
	    {{"batch", ROBUSTNESS, "", NULL}, "SUBMISSIONS_ROOT is empty"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[10] = {e2e_grader()};
		for (size_t k = 0; cases[i].argv[k]; k++)
			argv[k + 1] = cases[i].argv[k];
		e2e_release_and_run(argv, &run);
		cr_expect_eq(run.exit_code, 2, "case %zu (%s): exit %d, stderr: %s", i, cases[i].said,
			     run.exit_code, run.err);
		cr_expect_not_null(strstr(run.err, cases[i].said), "case %zu: %s", i, run.err);
		cr_expect_not_null(strstr(run.err, "usage: grader"), "case %zu: %s", i, run.err);
	}
}

/* ---- --test NAME: only the named tests --------------------------------- */

#define PIPE_HELLO "testcases/pipe_hello"
#define DAN "submissions/pipe_hello/null_argv_dan"
#define DEFAULT_MESSAGE "default message"
#define FROM_ARGS "message from the command line"
#define LONG_FROM_ARGS "long message from the command line"

static json_t *load_json(const char *dir, const char *file)
{
	char *path = path_join(dir, file);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	cr_assert_not_null(j, "%s: %s", path, jerr.text);
	free(path);
	return j;
}

/* The names of a report's tests, comma-separated; caller frees. */
static char *test_names(const json_t *report)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(report, "tests"), i, t)
	{
		strbuf_addf(&sb, "%s%s", i ? "," : "", json_string_value(json_object_get(t, "name")));
	}
	return strbuf_detach(&sb, NULL);
}

Test(cli, test_option_grades_only_the_named_tests_in_the_spec_s_order)
{
	char *out = path_join(e2e_tmpdir(), "only-two");
	const char *argv[] = {e2e_grader(), "grade", PIPE_HELLO, DAN, "--test", LONG_FROM_ARGS,
			      "--test", FROM_ARGS, "-o", out, NULL};
	e2e_run_grader(argv, &run);
	/* Dan crashes only without arguments: the two named tests pass. */
	cr_expect_eq(run.exit_code, 0, "%s", run.err);
	json_t *r = load_json(out, "null_argv_dan.json");
	char *names = test_names(r);
	cr_expect_str_eq(names, FROM_ARGS "," LONG_FROM_ARGS);
	/* max_score: the named tests' points (3 + 3), not the spec's 10. */
	cr_expect_eq(json_integer_value(json_object_get(r, "max_score")), 6);
	cr_expect_eq(json_integer_value(json_object_get(r, "score")), 6);
	json_t *g = load_json(out, "results.json");
	char *g_names = test_names(g);
	cr_expect_str_eq(g_names, names, "results.json lists the same tests");
	char *junit_path = path_join(out, "junit.xml");
	struct strbuf junit = STRBUF_INIT;
	strbuf_init(&junit);
	cr_assert_eq(read_file(junit_path, &junit), 0, "%s", error_last());
	cr_expect_null(strstr(junit.buf, DEFAULT_MESSAGE), "%s", junit.buf);
	cr_expect(strstr(run.out, "score 6/6, 2 of 2 tests passed"), "%s", run.out);
	strbuf_release(&junit);
	free(junit_path);
	free(g_names);
	json_decref(g);
	free(names);
	json_decref(r);
	free(out);
}

Test(cli, test_option_keeps_the_exit_status_of_the_tests_graded)
{
	const char *argv[] = {e2e_grader(), "check", PIPE_HELLO, DAN, "--test", DEFAULT_MESSAGE, NULL};
	e2e_run_grader(argv, &run);
	cr_expect_eq(run.exit_code, 1, "%s", run.err);
	cr_expect(strstr(run.out, DEFAULT_MESSAGE), "%s", run.out);
	cr_expect_null(strstr(run.out, FROM_ARGS), "%s", run.out);
}

Test(cli, test_option_with_an_unknown_name_lists_the_tests)
{
	char *out = path_join(e2e_tmpdir(), "unknown-test");
	const char *argv[] = {e2e_grader(), "grade", PIPE_HELLO, DAN, "--test", FROM_ARGS,
			      "--test", "Default message", "-o", out, NULL};
	e2e_run_grader(argv, &run);
	cr_expect_eq(run.exit_code, 2);
	cr_expect(strstr(run.err, "no test named \"Default message\""), "%s", run.err);
	cr_expect(strstr(run.err, "\n  " DEFAULT_MESSAGE "\n  " FROM_ARGS "\n  " LONG_FROM_ARGS "\n"),
		  "%s", run.err);
	cr_expect(strstr(run.err, "usage: grader grade"), "%s", run.err);
	cr_expect_not(path_exists(out), "a report for a usage error");
	const char *batch[] = {e2e_grader(), "batch", PIPE_HELLO, "submissions/pipe_hello",
			       "--test", "nope", "-o", out, NULL};
	e2e_release_and_run(batch, &run);
	cr_expect_eq(run.exit_code, 2);
	cr_expect(strstr(run.err, "no test named \"nope\""), "%s", run.err);
	cr_expect_not(path_exists(out), "a report for a usage error");
	free(out);
}

/* batch: every report has only the named tests, and --resume with other names grades again. */
Test(cli, test_option_in_batch_and_resume)
{
	char *root = path_join(e2e_tmpdir(), "class");
	char *out = path_join(e2e_tmpdir(), "class-reports");
	char *cmd = xasprintf("mkdir -p '%s' && cp -r " DAN " submissions/pipe_hello/correct_alice '%s'",
			      root, root);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	const char *argv[] = {e2e_grader(), "batch", PIPE_HELLO, root, "-j", "2", "--test",
			      DEFAULT_MESSAGE, "-o", out, "--resume", NULL};
	e2e_run_grader(argv, &run);
	cr_expect_eq(run.exit_code, 0, "%s", run.err);
	json_t *r = load_json(out, "null_argv_dan.json");
	char *names = test_names(r);
	cr_expect_str_eq(names, DEFAULT_MESSAGE);
	cr_expect_eq(json_integer_value(json_object_get(r, "max_score")), 4);
	free(names);
	json_decref(r);
	char *csv_path = path_join(out, "gradebook.csv");
	struct strbuf csv = STRBUF_INIT;
	strbuf_init(&csv);
	cr_assert_eq(read_file(csv_path, &csv), 0, "%s", error_last());
	csv.buf[strcspn(csv.buf, "\r\n")] = '\0';
	cr_expect_str_eq(csv.buf, "student,score,max_score," DEFAULT_MESSAGE, "the header");
	strbuf_release(&csv);
	free(csv_path);

	/* The same reports, other tests: nothing is skipped as up to date. */
	argv[7] = FROM_ARGS;
	e2e_release_and_run(argv, &run);
	cr_expect_eq(run.exit_code, 0, "%s", run.err);
	r = load_json(out, "null_argv_dan.json");
	names = test_names(r);
	cr_expect_str_eq(names, FROM_ARGS);
	free(names);
	json_decref(r);
	free(cmd);
	free(out);
	free(root);
}
