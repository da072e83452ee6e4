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
 *
 * Without repeat_all a repeat stops at its first failed run, or once its
 * runs have tried both orders of the two processes (trace_orders_add): a
 * correct program makes 2 runs, a racy one fails by then, and a program
 * that forks in one order only (a set of processes that changes) makes
 * every run.
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

/* race_cases, as Criterion's parameters. */
static struct criterion_test_params race_params(void)
{
	size_t n = sizeof(race_cases) / sizeof(race_cases[0]);
	struct race_case *cases = cr_malloc(sizeof(race_cases));
	memcpy(cases, race_cases, sizeof(race_cases));
	return cr_make_param_array(struct race_case, cases, n, free_cases);
}

ParameterizedTestParameters(races, graded_as_regrades_would)
{
	return race_params();
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

/* A copy of spec (from GRADER_ROOT) in the test's folder as name, its first `from` replaced by `to`. */
static char *spec_edited(const char *spec, const char *name, const char *from, const char *to)
{
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	const char *root = getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
	char *path = xasprintf("%s/%s", root, spec);
	cr_assert_eq(read_file(path, &text), 0, "%s", error_last());
	free(path);
	const char *at = strstr(text.buf, from);
	cr_assert_not_null(at, "%s has no '%s'", spec, from);
	char *edited = path_join(e2e_tmpdir(), name);
	char *changed = xasprintf("%.*s%s%s", (int)(at - text.buf), text.buf, to, at + strlen(from));
	/* Its build names the submission's files: the spec's folder does not matter. */
	cr_assert_eq(write_file_atomic(edited, changed, strlen(changed)), 0, "%s", error_last());
	free(changed);
	strbuf_release(&text);
	return edited;
}

/* The bundled spec with every run made: repeat_all added to its perturbed test. */
static char *bundled_spec_with_repeat_all(void)
{
	return spec_edited("testcases/shm_server_client/spec.yaml", "shm-repeat-all.yaml",
			   "    perturb: true\n", "    perturb: true\n    repeat_all: true\n");
}

/* grader/tests/races/<name>.yaml without its repeat_all: the runs stop as a spec's would. */
static char *race_spec_without_repeat_all(const char *name)
{
	char *spec = xasprintf(RACES "%s.yaml", name);
	char *file = xasprintf("%s-stops.yaml", name);
	char *edited = spec_edited(spec, file, "    repeat_all: true\n", "");
	free(spec);
	free(file);
	return edited;
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

Test(races, the_bundled_correct_submission_stops_once_both_orders_are_tried, .timeout = 300)
{
	/* The bundled spec as it is: repeat 20, no repeat_all; its two processes have two orders. */
	struct grading g;
	grade("testcases/shm_server_client/spec.yaml", "submissions/shm_server_client/correct_alice",
	      RACE_TEST, NULL, &g);
	cr_expect_str_eq(status_of(&g), "passed", "%s", g.repeat);
	cr_expect_eq(g.runs, 2);
	cr_expect_eq(g.passed_runs, 2);
	cr_expect_str_eq(g.repeat, "every order of its 2 processes was tried in 2 runs; the other 18 "
				   "would have replayed one (repeat_all makes them)");
	json_decref(g.report);
}

ParameterizedTestParameters(races, graded_without_repeat_all)
{
	return race_params();
}

ParameterizedTest(struct race_case *c, races, graded_without_repeat_all, .timeout = 300)
{
	char *spec = race_spec_without_repeat_all(c->spec);
	char *submission = xasprintf(RACES "submissions/%s", c->submission);
	/*
	 * The submission's own seed (even: runs 1 and 2 are a pair of opposite
	 * orders), then an odd one (runs 2 and 3 are: 1 and 2 may replay one).
	 */
	const char *seeds[] = {NULL, "7343"};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct grading g;
		grade(spec, submission, RACE_TEST, seeds[i], &g);
		int most = seeds[i] ? 3 : 2;
		if (c->racy) {
			/* Its failing order comes before both orders are tried: it never passes. */
			cr_expect_str_neq(status_of(&g), "passed", "%s with %s passed (seed %s): %s",
					  c->submission, c->spec, seeds[i] ? seeds[i] : "its own",
					  g.repeat);
			cr_expect_leq(g.runs, most, "%s: %d runs", c->submission, g.runs);
			cr_expect_eq(g.passed_runs, g.runs - 1, "only the last run made failed");
			char *not_made = xasprintf("the other %d runs were not made", 10 - g.runs);
			cr_expect(strstr(g.repeat, not_made), "%s", g.repeat);
			free(not_made);
		} else {
			cr_expect_str_eq(status_of(&g), "passed", "%s with %s: %s", c->submission,
					 c->spec, g.repeat);
			cr_expect(g.runs >= 2 && g.runs <= most, "%s with %s: %d runs", c->submission,
				  c->spec, g.runs);
			cr_expect_eq(g.passed_runs, g.runs);
			char *told = xasprintf("every order of its 2 processes was tried in %d runs; the "
					       "other %d would have replayed one (repeat_all makes them)",
					       g.runs, 10 - g.runs);
			cr_expect_str_eq(g.repeat, told);
			free(told);
		}
		json_decref(g.report);
	}
	free(spec);
	free(submission);
}

Test(races, a_program_whose_processes_change_with_the_order_makes_every_run, .timeout = 300)
{
	/*
	 * correct_fork_if_first's client forks a child when it runs ahead of
	 * the server, and not behind it: the runs of each pair see different
	 * processes, whose orders cannot all be tried.
	 */
	char *spec = race_spec_without_repeat_all("at-once");
	const char *seeds[] = {NULL, "1000", "7343"};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct grading g;
		grade(spec, RACES "submissions/correct_fork_if_first", RACE_TEST, seeds[i], &g);
		cr_expect_str_eq(status_of(&g), "passed", "%s", g.repeat);
		cr_expect_eq(g.runs, 10, "seed %s: stopped after %d runs: %s",
			     seeds[i] ? seeds[i] : "its own", g.runs, g.repeat);
		cr_expect_eq(g.passed_runs, 10);
		cr_expect_str_eq(g.repeat, "", "nothing left out to tell");
		json_decref(g.report);
	}
	free(spec);
}
