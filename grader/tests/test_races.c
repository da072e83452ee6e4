/*
 * End-to-end tests of `perturb` on shared memory races: the built grader
 * grades the racy and correct programs of grader/tests/races (README.md
 * there) and the bundled shm_server_client submissions, several times
 * each as regrades would, and the JSON report is read back.
 *
 * What must hold, whatever the machine's load: each racy program fails
 * every grading, in exactly half of its runs (repeat_all counts them);
 * each correct one passes every run.  The schedule makes the race certain
 * in one order of the two processes, a racy program is correct in the
 * other, and a test's runs come in pairs of opposite orders (trace.h,
 * "Perturbation"): one run of each pair fails, and no timing is assumed.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "util.h"

#define RACES "grader/tests/races/"
/* The test every spec of grader/tests/races has. */
#define RACE_TEST "no race under perturbation"

struct race_case {
	char spec[32];		/* grader/tests/races/<spec>.yaml: how the client is started */
	char submission[48];
	bool racy;
};

/* Each racy program against the start that leaves its race open; each correct one against every start. */
static const struct race_case race_cases[] = {
	{"ready-shm", "racy_no_flag_wait", true},
	{"ready-shm", "racy_flag_before_data", true},
	{"at-once", "racy_client_before_segment", true},
	{"ready-stdout", "racy_rmid_early", true},
	{"ready-stdout", "correct_flag", false},
	{"ready-shm", "correct_flag", false},
	{"at-once", "correct_flag", false},
	{"ready-stdout", "correct_sem", false},
	{"ready-shm", "correct_sem", false},
	{"at-once", "correct_sem", false},
	{"ready-stdout", "correct_fifo", false},
	{"ready-shm", "correct_fifo", false},
	{"at-once", "correct_fifo", false},
};

struct grading {
	json_t *report;
	json_t *test;
	int runs, passed_runs;
	const char *diagnosis;
	const char *repeat;	/* the repeat check's message */
};

/* Grades submission with spec (seed: NULL, the submission's own); asserts the grader ran. */
static void grade(const char *spec, const char *submission, const char *test, const char *seed,
		  struct grading *g)
{
	const char *argv[] = {e2e_grader(), "grade", spec, submission, "--format", "json", "-o",
			      e2e_tmpdir(), seed ? "--seed" : NULL, seed, NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert(run.exit_code == 0 || run.exit_code == 1, "grader exited %d: %s", run.exit_code,
		  run.err);
	json_error_t err;
	g->report = json_loads(run.out, 0, &err);
	cr_assert_not_null(g->report, "%s: %s", err.text, run.out);
	g->test = e2e_find_test(g->report, test);
	cr_assert_not_null(g->test, "no test '%s'", test);
	g->runs = (int)json_integer_value(json_object_get(g->test, "runs"));
	g->passed_runs = (int)json_integer_value(json_object_get(g->test, "passed_runs"));
	g->diagnosis = json_string_value(json_object_get(g->test, "diagnosis"));
	g->repeat = "";
	size_t i;
	json_t *check;
	json_array_foreach(json_object_get(g->test, "checks"), i, check)
		if (!strcmp(json_string_value(json_object_get(check, "kind")), "repeat"))
			g->repeat = json_string_value(json_object_get(check, "message"));
	e2e_run_release(&run);
}

static const char *status_of(const struct grading *g)
{
	return json_string_value(json_object_get(g->test, "status"));
}

static void free_cases(struct criterion_test_params *params)
{
	cr_free(params->params);
}

ParameterizedTestParameters(races, graded_as_regrades_would)
{
	size_t n = sizeof(race_cases) / sizeof(race_cases[0]);
	struct race_case *cases = cr_malloc(sizeof(race_cases));
	memcpy(cases, race_cases, sizeof(race_cases));
	return cr_make_param_array(struct race_case, cases, n, free_cases);
}

ParameterizedTest(struct race_case *c, races, graded_as_regrades_would, .timeout = 300)
{
	char *spec = xasprintf(RACES "%s.yaml", c->spec);
	char *submission = xasprintf(RACES "submissions/%s", c->submission);
	/* Regrades (the seed drawn from the files), then other seeds: no lucky seed carries it. */
	const char *seeds[] = {NULL, NULL, NULL, "1000", "7342"};
	size_t gradings = c->racy ? sizeof(seeds) / sizeof(seeds[0]) : 1;
	for (size_t i = 0; i < gradings; i++) {
		struct grading g;
		grade(spec, submission, RACE_TEST, seeds[i], &g);
		cr_expect_eq(g.runs, 10, "%s: repeat_all makes every run", c->submission);
		if (!c->racy) {
			cr_expect_str_eq(status_of(&g), "passed", "%s with %s: %s", c->submission,
					 c->spec, g.repeat);
			cr_expect_eq(g.passed_runs, 10, "%s with %s: a false alarm", c->submission,
				     c->spec);
			json_decref(g.report);
			continue;
		}
		cr_expect_str_neq(status_of(&g), "passed", "%s with %s passed (seed %s)",
				  c->submission, c->spec, seeds[i] ? seeds[i] : "its own");
		cr_expect_eq(g.passed_runs, g.runs / 2, "%s with %s failed %d of %d runs: %s",
			     c->submission, c->spec, g.runs - g.passed_runs, g.runs, g.repeat);
		/*
		 * The failing order told, and how to replay it (the holds too,
		 * unless the one ahead was done before the other's first step).
		 */
		cr_expect(strstr(g.repeat, "reproduce with --seed "), "%s", g.repeat);
		const char *story = strstr(g.diagnosis, "order of the grader's choosing")
					    ? g.diagnosis
					    : g.repeat;
		cr_expect(strstr(story, "(perturb): it ran pid "), "%s: no order told: %s / %s",
			  c->submission, g.diagnosis, g.repeat);
		cr_expect(strstr(story, "Replay this order with --seed "), "%s", story);
		json_decref(g.report);
	}
	free(spec);
	free(submission);
}

/* The bundled spec with every run made: repeat_all added to its perturbed test. */
static char *bundled_spec_with_repeat_all(void)
{
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	const char *root = getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
	char *bundled = xasprintf("%s/testcases/shm_server_client/spec.yaml", root);
	cr_assert_eq(read_file(bundled, &text), 0, "%s", error_last());
	free(bundled);
	const char *at = strstr(text.buf, "    perturb: true\n");
	cr_assert_not_null(at);
	size_t cut = (size_t)(at - text.buf) + strlen("    perturb: true\n");
	char *spec = xasprintf("%s/shm-repeat-all.yaml", e2e_tmpdir());
	char *changed = xasprintf("%.*s    repeat_all: true\n%s", (int)cut, text.buf, text.buf + cut);
	/* Its build names the submission's files: the spec's folder does not matter. */
	cr_assert_eq(write_file_atomic(spec, changed, strlen(changed)), 0, "%s", error_last());
	free(changed);
	strbuf_release(&text);
	return spec;
}

Test(races, the_bundled_racy_submission_fails_every_grading_in_half_its_runs, .timeout = 300)
{
	char *spec = bundled_spec_with_repeat_all();
	for (int i = 0; i < 3; i++) {
		struct grading g;
		grade(spec, "submissions/shm_server_client/racy_frank", RACE_TEST, NULL, &g);
		cr_expect_str_eq(status_of(&g), "failed");
		cr_expect_eq(g.runs, 20);
		cr_expect_eq(g.passed_runs, 10, "racy_frank failed %d of 20 runs", 20 - g.passed_runs);
		json_decref(g.report);
	}
	struct grading g;
	grade(spec, "submissions/shm_server_client/correct_alice", RACE_TEST, NULL, &g);
	cr_expect_str_eq(status_of(&g), "passed", "%s", g.repeat);
	cr_expect_eq(g.passed_runs, 20);
	json_decref(g.report);
	free(spec);
}

Test(races, a_repeat_stops_at_its_first_failed_run, .timeout = 300)
{
	/* The bundled spec as it is: repeat 20, no repeat_all. */
	struct grading g;
	grade("testcases/shm_server_client/spec.yaml", "submissions/shm_server_client/racy_frank",
	      RACE_TEST, NULL, &g);
	cr_expect_str_eq(status_of(&g), "failed");
	/* Its runs come in pairs of opposite orders: the second at the latest fails. */
	cr_expect_leq(g.runs, 2, "%d runs made after a failed one", g.runs);
	cr_expect_eq(g.passed_runs, g.runs - 1, "only the last run made failed");
	char *not_made = xasprintf("the other %d runs were not made (repeat_all makes them)",
				   20 - g.runs);
	cr_expect(strstr(g.repeat, not_made), "%s", g.repeat);
	free(not_made);
	json_decref(g.report);
}
