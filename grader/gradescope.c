/*
 * gradescope.c: results.json for Gradescope (gradescope.h), in the format
 * of Gradescope's autograder specification
 * (https://gradescope-autograders.readthedocs.io/en/latest/specs/).  It
 * reads the report with the class reports' helpers
 * (class_report_internal.h), so that student text is repaired as in every
 * other report.
 *
 * Who sees what there: the top-level "output" and each visible test's
 * "output" are the student's; "extra_data" is stored for the instructor and
 * never shown; run_autograder's standard output is the instructor's alone
 * ("stdout_visibility": "hidden").  So the partial-isolation warning, meant
 * for instructors, goes to extra_data (and the grader's summary on stdout),
 * never to an output.
 */
#include "gradescope.h"

#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "report_json.h"
#include "report_text.h"
#include "util.h"

/* Student text as a JSON string, repaired like every report's (class_report.h). */
static json_t *json_text(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	report_add_text(&sb, s, len, TEXT_PLAIN);
	json_t *j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

/* A failing check as JUnit writes it ("kind: message", its diff), then its own hint. */
static void add_check(struct strbuf *sb, const json_t *c)
{
	json_t *alone = json_pack("{s:[O]}", "checks", c);
	report_add_failure_text(sb, alone, NULL);
	json_decref(alone);
	/* What a cleanup or trace check asks for, as `check` says it. */
	const char *hint = report_hint(report_str(c, "kind", NULL));
	if (hint)
		strbuf_addf(sb, "Hint: %s\n", hint);
}

/* A member of the test, labelled, when it has one. */
static void add_labelled(struct strbuf *sb, const char *label, const json_t *obj, const char *key)
{
	size_t len;
	const char *s = report_str(obj, key, &len);
	if (!len)
		return;
	strbuf_addstr(sb, label);
	strbuf_add(sb, s, len);
	if (s[len - 1] != '\n')
		strbuf_addch(sb, '\n');
}

/* Why the test failed, and the hint that follows from it (the report's). */
static void add_explanation(struct strbuf *sb, const json_t *test)
{
	add_labelled(sb, "Why: ", test, "diagnosis");
	add_labelled(sb, "Hint: ", test, "hint");
}

/*
 * A failed test for the student, as `check` shows it: the failing checks in
 * the report's order, which puts the cause first (docs/reports.md), the
 * diagnosis and the test's hint right after the cause, then how to
 * reproduce the test by hand.
 */
static void add_failure(struct strbuf *sb, const json_t *test)
{
	if (report_num(test, "runs") > 1)
		strbuf_addf(sb, "Passed %.0f of %.0f runs.\n", report_num(test, "passed_runs"),
			    report_num(test, "runs"));
	bool explained = false;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(test, "checks"), i, c)
	{
		if (report_true(c, "ok"))
			continue;
		add_check(sb, c);
		if (!explained)
			add_explanation(sb, test);
		explained = true;
	}
	if (!explained)
		add_explanation(sb, test);
	add_labelled(sb, "\nHow to reproduce: ", json_object_get(test, "reproduce"), "text");
}

static json_t *test_results(const json_t *t)
{
	json_t *gt = json_object();
	size_t len;
	const char *name = report_str(t, "name", &len);
	json_object_set_new(gt, "name", json_text(name, len));
	json_object_set_new(gt, "score", report_json_points(report_num(t, "score")));
	json_object_set_new(gt, "max_score", report_json_points(report_num(t, "max_score")));
	enum status st = report_status_of(t);
	json_object_set_new(gt, "status", json_string(st == ST_PASSED ? "passed" : "failed"));
	bool hidden = report_true(t, "hidden");
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	/*
	 * A hidden test shows a student no more than `check` does: whether it
	 * passed.  Its details are in run_autograder's output, for instructors.
	 */
	if (hidden && st != ST_PASSED)
		strbuf_addstr(&text, "A hidden test: its details are shown to instructors only.\n");
	else if (st != ST_PASSED)
		add_failure(&text, t);
	json_object_set_new(gt, "output", json_text(text.buf, text.len));
	strbuf_release(&text);
	json_object_set_new(gt, "output_format", json_string("text"));
	/* Hidden tests: the result once the grades are published (docs/ci.md says what that hides). */
	json_object_set_new(gt, "visibility", json_string(hidden ? "after_published" : "visible"));
	/* The grader's own status (timeout, crashed...), for instructors' exports. */
	json_object_set_new(gt, "extra_data",
			    json_pack("{s:s}", "status", report_str(t, "status", NULL)));
	return gt;
}

/* What only instructors see: the grader, and how well it could isolate the submission. */
static json_t *extra_data(const json_t *report)
{
	json_t *missing = json_object_get(report, "isolation_missing");
	return json_pack("{s:s, s:s, s:o}", "grader_version",
			 report_str(report, "grader_version", NULL), "isolation",
			 report_str(report, "isolation", NULL), "isolation_missing",
			 json_is_array(missing) ? json_incref(missing) : json_array());
}

json_t *gradescope_results(const json_t *report)
{
	json_t *root = json_object();
	json_t *tests = json_array();
	struct strbuf out = STRBUF_INIT;
	strbuf_init(&out);
	const json_t *build = json_object_get(report, "build");
	double seconds = report_num(build, "seconds");
	size_t len;

	if (build && !report_true(build, "ok")) {
		const char *s = report_str(build, "output", &len);
		strbuf_addstr(&out, "The build failed:\n");
		strbuf_add(&out, s, len);
		if (len && s[len - 1] != '\n')
			strbuf_addch(&out, '\n');
	}
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(report, "tests"), i, t)
	{
		json_array_append_new(tests, test_results(t));
		seconds += report_num(t, "seconds");
	}

	json_object_set_new(root, "score", report_json_points(report_num(report, "score")));
	json_object_set_new(root, "execution_time", report_json_seconds(seconds));
	json_object_set_new(root, "output", json_text(out.buf, out.len));
	json_object_set_new(root, "output_format", json_string("text"));
	json_object_set_new(root, "visibility", json_string("visible"));
	json_object_set_new(root, "stdout_visibility", json_string("hidden"));
	json_object_set_new(root, "extra_data", extra_data(report));
	json_object_set_new(root, "tests", tests);
	strbuf_release(&out);
	return root;
}

int gradescope_results_write(const json_t *report, const char *path)
{
	json_t *root = gradescope_results(report);
	char *text =
	    json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(root);
	if (!text)
		return error("gradescope: cannot encode %s", path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	free(text);
	int ret = write_file_atomic(path, sb.buf, sb.len);
	strbuf_release(&sb);
	if (ret < 0)
		error_prefix("gradescope");
	return ret;
}
