/*
 * End-to-end tests of the diagnosis: run the built grader (GRADER_BIN) on
 * the bundled submissions that hang (or spin, or lose a child to a signal)
 * and assert on each test's `diagnosis` in the JSON report.
 *
 * The table grader/tests/e2e/diagnosis.tsv has one row per (submission,
 * test): spec, submission, test name, the test's status, then one or more
 * phrases the diagnosis must contain, TAB-separated.  Pids and inodes differ from run
 * to run, so the phrases leave them out; instead every diagnosis must name
 * processes as "pid N (command)" and pipes as "pipe:[N]".
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "util.h"

#define TABLE "grader/tests/e2e/diagnosis.tsv"
#define EXPECTED "grader/tests/e2e/expected.tsv"
#define MAX_PHRASES 8

struct diagnosis_row {
	char spec[256];
	char submission[256];
	char test[256];
	char status[16];	/* the test's: "timeout" for a hang, "failed" for a spin or a child's crash */
	char phrases[MAX_PHRASES][128];
	size_t nphrases;
};

struct diagnosis_case {
	char spec[256];
	char submission[256];
};

/* A path in the repository: under GRADER_ROOT when set, else the current folder. */
static char *repo_path(const char *rel)
{
	const char *root = getenv("GRADER_ROOT");
	return root && *root ? path_join(root, rel) : xstrdup(rel);
}

/* Reads TABLE; -1 (and why in problem) when it cannot, or a row is malformed: none is skipped. */
static int load_rows(struct diagnosis_row **rows, size_t *n, char *problem, size_t problem_size)
{
	*rows = NULL;
	*n = 0;
	char *path = repo_path(TABLE);
	FILE *f = fopen(path, "re");
	free(path);
	if (!f) {
		snprintf(problem, problem_size, "cannot open %s", TABLE);
		return -1;
	}
	char line[4096];
	size_t lineno = 0, cap = 0;
	int ret = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *fields[4 + MAX_PHRASES + 1] = {0};
		size_t k = 0;
		char *save = NULL;
		for (char *p = strtok_r(line, "\t", &save); p && k < ARRAY_SIZE(fields);
		     p = strtok_r(NULL, "\t", &save))
			fields[k++] = p;
		bool too_long = false;
		for (size_t i = 4; i < k; i++)
			too_long |= strlen(fields[i]) >= sizeof((*rows)->phrases[0]);
		bool known_status = k > 3 && (!strcmp(fields[3], "timeout") || !strcmp(fields[3], "failed"));
		if (k < 5 || k == ARRAY_SIZE(fields) || too_long || !known_status) {
			snprintf(problem, problem_size,
				 "%s:%zu: needs spec, submission, test, status (timeout or failed) "
				 "and 1 to %d phrases of at most %zu characters",
				 TABLE, lineno, MAX_PHRASES, sizeof((*rows)->phrases[0]) - 1);
			ret = -1;
			break;
		}
		*rows = xgrow(*rows, sizeof(**rows), *n + 1, &cap);
		struct diagnosis_row *r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		snprintf(r->spec, sizeof(r->spec), "%s", fields[0]);
		snprintf(r->submission, sizeof(r->submission), "%s", fields[1]);
		snprintf(r->test, sizeof(r->test), "%s", fields[2]);
		snprintf(r->status, sizeof(r->status), "%s", fields[3]);
		for (size_t i = 4; i < k; i++)
			snprintf(r->phrases[r->nphrases++], sizeof(r->phrases[0]), "%s", fields[i]);
	}
	fclose(f);
	if (ret < 0) {
		free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return ret;
}

static void free_cases(struct criterion_test_params *params)
{
	cr_free(params->params);
}

/* One case per distinct (spec, submission): the grader runs once for all of a submission's rows. */
ParameterizedTestParameters(diagnose_e2e, hanging_submission)
{
	struct diagnosis_row *rows;
	size_t n;
	char problem[512];
	if (load_rows(&rows, &n, problem, sizeof(problem)) < 0)
		n = 0; /* table_is_readable reports it */
	struct diagnosis_case *cases = cr_malloc((n ? n : 1) * sizeof(*cases));
	size_t ncases = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < ncases && !seen; j++)
			seen = !strcmp(cases[j].spec, rows[i].spec) &&
			       !strcmp(cases[j].submission, rows[i].submission);
		if (seen)
			continue;
		snprintf(cases[ncases].spec, sizeof(cases[ncases].spec), "%s", rows[i].spec);
		snprintf(cases[ncases].submission, sizeof(cases[ncases].submission), "%s",
			 rows[i].submission);
		ncases++;
	}
	free(rows);
	return cr_make_param_array(struct diagnosis_case, cases, ncases, free_cases);
}

static bool matches(const char *pattern, const char *text)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0, "bad pattern %s", pattern);
	bool found = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

ParameterizedTest(struct diagnosis_case *c, diagnose_e2e, hanging_submission, .timeout = 120)
{
	struct diagnosis_row *rows;
	size_t n;
	char problem[512];
	cr_assert_eq(load_rows(&rows, &n, problem, sizeof(problem)), 0, "%s", problem);

	const char *argv[] = {e2e_grader(), "grade", c->spec, c->submission, "--format", "json",
			      "-o", e2e_tmpdir(), NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert(run.exit_code == 1, "%s: grader exited %d (signal %d), expected 1; stderr:\n%s",
		  c->submission, run.exit_code, run.signal, run.err);
	json_error_t jerr;
	json_t *report = json_loads(run.out, 0, &jerr);
	cr_assert_not_null(report, "%s: stdout is not JSON (%s): %.500s", c->submission, jerr.text,
			   run.out);

	for (size_t i = 0; i < n; i++) {
		const struct diagnosis_row *row = &rows[i];
		if (strcmp(row->spec, c->spec) || strcmp(row->submission, c->submission))
			continue;
		json_t *test = e2e_find_test(report, row->test);
		cr_expect_not_null(test, "%s: no test named '%s'", c->submission, row->test);
		if (!test)
			continue;
		const char *status = json_string_value(json_object_get(test, "status"));
		const char *diagnosis = json_string_value(json_object_get(test, "diagnosis"));
		cr_expect_str_eq(status, row->status, "%s / %s: the test is %s, not %s",
				 c->submission, row->test, status, row->status);
		cr_assert_not_null(diagnosis, "%s / %s: no diagnosis", c->submission, row->test);
		cr_expect(matches("^pid [1-9][0-9]* \\([^)]+\\)[ ,]", diagnosis),
			  "%s / %s: the diagnosis does not start by naming a process as \"pid N "
			  "(command)\":\n%s",
			  c->submission, row->test, diagnosis);
		cr_expect(!matches("pipe:\\[([^1-9]|[1-9][0-9]*[^]0-9])", diagnosis),
			  "%s / %s: a pipe not named by its inode:\n%s", c->submission, row->test,
			  diagnosis);
		for (size_t k = 0; k < row->nphrases; k++)
			cr_expect(strstr(diagnosis, row->phrases[k]),
				  "%s / %s: the diagnosis lacks \"%s\":\n%s", c->submission,
				  row->test, row->phrases[k], diagnosis);
	}
	json_decref(report);
	e2e_run_release(&run);
	free(rows);
}

Test(diagnose_e2e, table_is_readable)
{
	struct diagnosis_row *rows;
	size_t n;
	char problem[512];
	cr_assert_eq(load_rows(&rows, &n, problem, sizeof(problem)), 0, "%s", problem);
	cr_expect_gt(n, 0, "%s has no rows", TABLE);
	free(rows);
}

/* Every bundled submission that is expected to hang has its diagnosis checked here. */
Test(diagnose_e2e, every_expected_timeout_is_in_the_table)
{
	struct diagnosis_row *rows;
	size_t n;
	char problem[512];
	cr_assert_eq(load_rows(&rows, &n, problem, sizeof(problem)), 0, "%s", problem);
	struct e2e_rows expected;
	char *path = repo_path(EXPECTED);
	cr_assert_eq(e2e_rows_load(path, &expected), 0, "cannot read %s", EXPECTED);
	free(path);
	size_t timeouts = 0;
	for (size_t i = 0; i < expected.n; i++) {
		const struct e2e_row *e = &expected.v[i];
		if (strcmp(e->status, "timeout"))
			continue;
		timeouts++;
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(rows[k].spec, e->spec) &&
				!strcmp(rows[k].submission, e->submission) &&
				!strcmp(rows[k].test, e->test);
		cr_expect(found, "%s / %s times out in %s but has no row in %s", e->submission,
			  e->test, EXPECTED, TABLE);
	}
	cr_expect_gt(timeouts, 0, "%s expects no timeout at all", EXPECTED);
	e2e_rows_free(&expected);
	free(rows);
}
