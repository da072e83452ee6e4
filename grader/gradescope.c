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

/*
 * The checks that say what stopped or broke the program (the cause), as
 * opposed to what followed from it (an output that never came).
 */
static bool is_cause(const char *kind)
{
	static const char *const causes[] = {"build", "timeout", "signal", "limit", "error"};
	for (size_t i = 0; i < ARRAY_SIZE(causes); i++)
		if (!strcmp(kind, causes[i]))
			return true;
	return false;
}

/* A failing check as JUnit writes it ("kind: message", its diff), then its hint. */
static void add_check(struct strbuf *sb, const json_t *c)
{
	json_t *alone = json_pack("{s:[O]}", "checks", c);
	report_add_failure_text(sb, alone, NULL);
	json_decref(alone);
	/* The hint `check` gives a student for this kind of failure. */
	const char *hint = report_hint(report_str(c, "kind", NULL));
	if (hint)
		strbuf_addf(sb, "Hint: %s\n", hint);
}

/*
 * A failed test for the student: the diagnosis (why it failed) first, then
 * the failing checks, those naming the cause (timeout, crash, limit) before
 * their consequences, each with its hint.
 * TODO(issue 14): "how to reproduce" (command, arguments, stdin, files) goes
 * last, once the JSON report carries it.
 */
static void add_failure(struct strbuf *sb, const json_t *test)
{
	size_t len;
	const char *diagnosis = report_str(test, "diagnosis", &len);
	if (len) {
		strbuf_addstr(sb, "Why: ");
		strbuf_add(sb, diagnosis, len);
		strbuf_addstr(sb, "\n\n");
	}
	const json_t *checks = json_object_get(test, "checks");
	for (int causes = 1; causes >= 0; causes--) {
		size_t i;
		json_t *c;
		json_array_foreach(checks, i, c)
		{
			if (!report_true(c, "ok") && is_cause(report_str(c, "kind", NULL)) == causes)
				add_check(sb, c);
		}
	}
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
