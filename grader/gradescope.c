/*
 * gradescope.c: results.json for Gradescope (gradescope.h).  It reads the
 * report with the class reports' helpers (class_report_internal.h), so a
 * test's status and failure text read as they do in junit.xml.
 */
#include "gradescope.h"

#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "report_json.h"
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
	if (!strcmp(report_str(report, "isolation", NULL), "partial")) {
		strbuf_addstr(
		    &out,
		    "Warning: graded with partial isolation; unavailable on the grading machine: ");
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(report, "isolation_missing"), i, m)
		{
			char *text = report_display(m, &len);
			strbuf_addstr(&out, i ? ", " : "");
			strbuf_add(&out, text, len);
			free(text);
		}
		strbuf_addstr(&out, ".\n");
	}

	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(report, "tests"), i, t)
	{
		json_t *gt = json_object();
		const char *name = report_str(t, "name", &len);
		json_object_set_new(gt, "name", json_text(name, len));
		json_object_set_new(gt, "score", report_json_points(report_num(t, "score")));
		json_object_set_new(gt, "max_score", report_json_points(report_num(t, "max_score")));
		enum status st = report_status_of(t);
		json_object_set_new(gt, "status",
				    json_string(st == ST_PASSED ? "passed" : "failed"));
		struct strbuf text = STRBUF_INIT;
		strbuf_init(&text);
		if (st != ST_PASSED) {
			strbuf_addf(&text, "%s\n", report_statuses[st].name);
			/* The build output is in the top-level output, once. */
			report_add_failure_text(&text, t, NULL);
		}
		json_object_set_new(gt, "output", json_text(text.buf, text.len));
		strbuf_release(&text);
		json_object_set_new(gt, "output_format", json_string("text"));
		/* Hidden tests: the result (and its output) once the grades are published. */
		json_object_set_new(
		    gt, "visibility",
		    json_string(report_true(t, "hidden") ? "after_published" : "visible"));
		json_array_append_new(tests, gt);
		seconds += report_num(t, "seconds");
	}

	json_object_set_new(root, "score", report_json_points(report_num(report, "score")));
	json_object_set_new(root, "execution_time", report_json_seconds(seconds));
	json_object_set_new(root, "output", json_text(out.buf, out.len));
	json_object_set_new(root, "output_format", json_string("text"));
	json_object_set_new(root, "visibility", json_string("visible"));
	json_object_set_new(root, "stdout_visibility", json_string("hidden"));
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
