/*
 * End-to-end tests of the diagnosis: run the built grader (GRADER_BIN) as a
 * student does, `check -o DIR`, on the bundled submissions that hang (or
 * spin, crash, lose a child to a signal, or show stdio's buffering) and
 * assert on each test's `diagnosis` and `hint` in the JSON report, and on
 * what `check` printed for the test (a hidden test prints none of it).
 *
 * The table grader/tests/e2e/diagnosis.tsv has one row per (submission,
 * test): spec, submission, test name, the test's status, then one or more
 * phrases, TAB-separated: each must be in the diagnosis or the hint, and
 * in the test's part of the check output; a phrase starting with '!' must
 * be in none of them (a misleading hint).  Pids and inodes differ from run
 * to run, so the phrases leave them out; instead every diagnosis must name
 * processes as "pid N (command)" and pipes as "pipe:[N]".
 *
 * A submission whose rows are `failed` (a spin, or a child's crash), and
 * none `timeout`, is graded with every timeout of its spec raised to a
 * minute: its diagnosis
 * is that of a CPU limit, and on a loaded machine a spin gets its second of
 * CPU time only after more than the spec's 2 s of wall clock.  Whether a
 * spin ends at its CPU limit under load is e2e::submission's question (and
 * bench/determinism.sh's), not this test's.
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
	char status[16];	/* the test's: "timeout" (a hang), "crashed", "failed" (the rest) */
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
		bool known_status = k > 3 && (!strcmp(fields[3], "timeout") || !strcmp(fields[3], "failed") ||
					      !strcmp(fields[3], "crashed"));
		if (k < 5 || k == ARRAY_SIZE(fields) || too_long || !known_status) {
			snprintf(problem, problem_size,
				 "%s:%zu: needs spec, submission, test, status (timeout, crashed or "
				 "failed) and 1 to %d phrases of at most %zu characters",
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

/*
 * The lines `check` printed for test `name`, from its status line to the
 * next test's (or the score); NULL when it printed none (copy, caller frees).
 */
static char *check_section(const char *out, const char *name)
{
	char *head = xasprintf(" %s  (", name);
	const char *at = NULL;
	for (const char *line = out; line && *line && !at;) {
		const char *nl = strchr(line, '\n');
		const char *found = strstr(line, head);
		/* "  TIME  name  (0/4)": two spaces, the status in five, one space, the name. */
		if (found == line + 7 && (!nl || found < nl) && !strncmp(line, "  ", 2) &&
		    line[2] != ' ')
			at = line;
		line = nl ? nl + 1 : NULL;
	}
	free(head);
	if (!at)
		return NULL;
	const char *end = strchr(at, '\n');
	while (end && end[1] == ' ' && end[2] == ' ' && end[3] == ' ')
		end = strchr(end + 1, '\n');
	return xstrndup(at, end ? (size_t)(end - at) : strlen(at));
}

/* The last part of a path: the name `check -o` gives the report. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

ParameterizedTest(struct diagnosis_case *c, diagnose_e2e, hanging_submission, .timeout = 120)
{
	struct diagnosis_row *rows;
	size_t n;
	char problem[512];
	cr_assert_eq(load_rows(&rows, &n, problem, sizeof(problem)), 0, "%s", problem);
	/* Only where no row of the submission expects a timeout, which a minute would change. */
	bool cpu_bound = false, hangs = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].spec, c->spec) || strcmp(rows[i].submission, c->submission))
			continue;
		cpu_bound |= !strcmp(rows[i].status, "failed");
		hangs |= !strcmp(rows[i].status, "timeout");
	}
	cpu_bound &= !hangs;
	char *spec = cpu_bound ? e2e_spec_with_timeouts(c->spec, "60s") : xstrdup(c->spec);

	const char *argv[] = {e2e_grader(), "check", spec, c->submission, "-o", e2e_tmpdir(),
			      NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	free(spec);
	cr_assert(run.exit_code == 1, "%s: grader exited %d (signal %d), expected 1; stderr:\n%s",
		  c->submission, run.exit_code, run.signal, run.err);
	char *path = e2e_report_path(base_name(c->submission));
	json_error_t jerr;
	json_t *report = json_load_file(path, 0, &jerr);
	cr_assert_not_null(report, "%s: %s", path, jerr.text);
	free(path);

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
		const char *hint = json_string_value(json_object_get(test, "hint"));
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
		char *words = xasprintf("%s Hint: %s", diagnosis, hint ? hint : "");
		/* What the student reads: nothing of a hidden test. */
		char *shown = check_section(run.out, row->test);
		bool hidden = json_is_true(json_object_get(test, "hidden"));
		cr_expect(hidden || (shown && strstr(shown, "to reproduce:")),
			  "%s / %s: check printed no way to reproduce it:\n%s", c->submission,
			  row->test, shown ? shown : run.out);
		for (size_t k = 0; k < row->nphrases; k++) {
			const char *phrase = row->phrases[k];
			if (phrase[0] == '!') {
				cr_expect(!strstr(words, phrase + 1),
					  "%s / %s: the diagnosis or hint says \"%s\":\n%s",
					  c->submission, row->test, phrase + 1, words);
				cr_expect(!shown || !strstr(shown, phrase + 1),
					  "%s / %s: check says \"%s\":\n%s", c->submission,
					  row->test, phrase + 1, shown);
				continue;
			}
			cr_expect(strstr(words, phrase), "%s / %s: the diagnosis lacks \"%s\":\n%s",
				  c->submission, row->test, phrase, words);
			cr_expect(hidden || (shown && strstr(shown, phrase)),
				  "%s / %s: check does not say \"%s\":\n%s", c->submission,
				  row->test, phrase, shown ? shown : run.out);
		}
		free(words);
		free(shown);
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
