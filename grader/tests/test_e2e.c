/*
 * End-to-end tests: run the built grader (GRADER_BIN, the ASan/UBSan build
 * under `make test`) on real submissions and assert on its JSON report.
 *
 * The expectations live in tables (grader/tests/e2e/, one .tsv per group), one row per
 * (submission, test): the status and the exact set of failing check kinds.
 * A row with a `pending` column names a capability a later issue brings; for
 * it only "nothing fails that the row does not expect" is asserted, and a
 * warning says so — it never passes silently.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "report_json.h"
#include "util.h"

struct submission_case {
	char table[128];
	char spec[256];
	char submission[256];
};

static const char *const tables[] = {
	"grader/tests/e2e/expected.tsv",
	"grader/tests/e2e/robustness.tsv",
	"grader/tests/e2e/matchers.tsv",
};

/* Attacks on the sandbox: run only once the sandbox is known to be complete. */
static const char *const hostile_tables[] = {
	"grader/tests/hostile/expected-sandboxed.tsv",
};

static void free_cases(struct criterion_test_params *params)
{
	cr_free(params->params);
}

/* One case per distinct (spec, submission) pair of every table. */
static struct criterion_test_params cases_of(const char *const *tables, size_t ntables)
{
	size_t cap = 256, n = 0;
	struct submission_case *cases = cr_malloc(cap * sizeof(*cases));
	for (size_t t = 0; t < ntables; t++) {
		struct e2e_rows rows;
		if (e2e_rows_load(tables[t], &rows) < 0)
			continue; /* the test for that table reports the problem */
		for (size_t i = 0; i < rows.n; i++) {
			bool seen = false;
			for (size_t j = 0; j < n && !seen; j++)
				seen = !strcmp(cases[j].spec, rows.v[i].spec) &&
				       !strcmp(cases[j].submission, rows.v[i].submission);
			if (seen || n == cap)
				continue;
			snprintf(cases[n].table, sizeof(cases[n].table), "%s", tables[t]);
			snprintf(cases[n].spec, sizeof(cases[n].spec), "%s", rows.v[i].spec);
			snprintf(cases[n].submission, sizeof(cases[n].submission), "%s",
				 rows.v[i].submission);
			n++;
		}
		e2e_rows_free(&rows);
	}
	return cr_make_param_array(struct submission_case, cases, n, free_cases);
}

ParameterizedTestParameters(e2e, submission)
{
	return cases_of(tables, sizeof(tables) / sizeof(tables[0]));
}

ParameterizedTestParameters(hostile, submission)
{
	return cases_of(hostile_tables, sizeof(hostile_tables) / sizeof(hostile_tables[0]));
}

/* Grades c's submission and asserts every row of its table on the JSON report. */
static void check_submission(const struct submission_case *c)
{
	struct e2e_rows rows;
	cr_assert_eq(e2e_rows_load(c->table, &rows), 0, "cannot read %s", c->table);

	const char *argv[] = {e2e_grader(), "grade", c->spec, c->submission, "--format", "json",
			      "-o", e2e_tmpdir(), NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert(run.exit_code == 0 || run.exit_code == 1,
		  "%s: grader exited %d (signal %d); stderr:\n%s", c->submission, run.exit_code,
		  run.signal, run.err);
	json_error_t jerr;
	json_t *report = json_loads(run.out, JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(report, "%s: stdout is not JSON (%s): %.500s", c->submission, jerr.text,
			   run.out);

	size_t checked = 0;
	bool any_failed = false;
	for (size_t i = 0; i < rows.n; i++) {
		const struct e2e_row *row = &rows.v[i];
		if (strcmp(row->spec, c->spec) || strcmp(row->submission, c->submission))
			continue;
		checked++;
		json_t *test = e2e_find_test(report, row->test);
		cr_expect_not_null(test, "%s: no test named '%s' in the report", c->submission, row->test);
		if (!test)
			continue;
		const char *status = json_string_value(json_object_get(test, "status"));
		char *kinds = e2e_failing_kinds(test);
		any_failed |= strcmp(status, "passed") != 0;
		if (row->pending[0] && strcmp(row->pending, "-")) {
			/* Not cr_log_warn: Criterion 2.4 turns any warning into exit status 1. */
			fprintf(stderr,
				"[PENDING] %s: %s / %s expects %s [%s]; got %s [%s]; asserting only "
				"that nothing unexpected fails\n",
				row->pending, c->submission, row->test, row->status, row->kinds, status,
				kinds);
			cr_expect(e2e_kinds_subset(kinds, row->kinds),
				  "%s / %s: failing checks [%s] are not within the expected [%s]",
				  c->submission, row->test, kinds, row->kinds);
		} else {
			cr_expect_str_eq(status, row->status, "%s / %s: status %s, expected %s (checks [%s])",
					 c->submission, row->test, status, row->status, kinds);
			cr_expect_str_eq(kinds, row->kinds, "%s / %s: failing checks [%s], expected [%s]",
					 c->submission, row->test, kinds, row->kinds);
		}
		free(kinds);
	}
	cr_expect_gt(checked, 0, "no rows for %s", c->submission);
	/* The exit status agrees with the verdicts: 1 when any test did not pass. */
	cr_expect_eq(run.exit_code, any_failed ? 1 : 0, "%s: exit status %d", c->submission,
		     run.exit_code);
	/* Whatever the student's program printed, the report file is there and is the same JSON. */
	char *path = e2e_report_path(json_string_value(json_object_get(report, "submission")));
	json_t *on_disk = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	cr_expect_not_null(on_disk, "report file %s: %s", path, jerr.text);
	cr_expect(on_disk && json_equal(on_disk, report), "%s differs from stdout", path);
	json_decref(on_disk);
	free(path);
	/* Nothing a program does makes its reports large (docs/reports.md, "Bounds"). */
	char *files[] = {
		xasprintf("%s.json", json_string_value(json_object_get(report, "submission"))),
		xstrdup("junit.xml"),
		xstrdup("results.json"),
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *file = path_join(e2e_tmpdir(), files[i]);
		struct stat st = {0};
		cr_expect(stat(file, &st) == 0 && st.st_size < REPORT_JSON_MAX,
			  "%s: %s is missing or weighs %lld bytes", c->submission, files[i],
			  (long long)st.st_size);
		free(file);
		free(files[i]);
	}
	json_decref(report);
	e2e_run_release(&run);
	e2e_rows_free(&rows);
}

ParameterizedTest(struct submission_case *c, e2e, submission, .timeout = 120)
{
	check_submission(c);
}

/*
 * How many processes on the machine work in a folder under dir (tests run
 * in parallel, so only this test's scratch folder tells its processes apart).
 */
static int processes_working_under(const char *dir)
{
	int n = 0;
	DIR *proc = opendir("/proc");
	cr_assert_not_null(proc);
	struct dirent *de;
	while ((de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char link[300], cwd[4096];
		snprintf(link, sizeof(link), "/proc/%s/cwd", de->d_name);
		ssize_t len = readlink(link, cwd, sizeof(cwd) - 1);
		if (len <= 0)
			continue;
		cwd[len] = '\0';
		n += !strncmp(cwd, dir, strlen(dir));
	}
	closedir(proc);
	return n;
}

ParameterizedTest(struct submission_case *c, hostile, submission, .timeout = 120)
{
	e2e_require_full_sandbox();

	/* The grader's scratch folders go under this test's own folder, to find its processes by. */
	const char *tmpdir = e2e_tmpdir();
	setenv("TMPDIR", tmpdir, 1);
	check_submission(c);
	/* The machine afterwards: nothing of the attack survives, no segment of it remains. */
	cr_expect_eq(processes_working_under(tmpdir), 0, "%s: a process of the test survived it",
		     c->submission);
	cr_expect(shmget(1234, 0, 0) < 0 && errno == ENOENT,
		  "%s: System V key 1234 exists on the machine after the test", c->submission);
}
