/*
 * report_junit.c: junit.xml (report_junit.h), streamed like every class
 * report: a student's testsuite is rendered when class_report_add() takes
 * them, the <testsuites> head with the class's counts at the end.
 */
#include "report_junit.h"

#include <stdbool.h>
#include <string.h>

#include "class_report_internal.h"
#include "util.h"

/* Whether a test could not be judged as written (JUnit's <error>), rather than failed. */
static bool is_error(enum status st)
{
	return st == ST_CRASHED || st == ST_BUILD_FAILED || st == ST_ERROR;
}

/* The cause, as a reader's one-line summary: the first failing check, else the diagnosis. */
static void add_cause(struct strbuf *sb, const json_t *test, enum status st)
{
	size_t i, len;
	json_t *c;
	json_array_foreach(json_object_get(test, "checks"), i, c)
	{
		if (report_true(c, "ok"))
			continue;
		const char *kind = report_str(c, "kind", &len);
		report_add_text(sb, kind, len, TEXT_MARKUP_ATTR);
		strbuf_addstr(sb, ": ");
		const char *message = report_str(c, "message", &len);
		report_add_text(sb, message, len, TEXT_MARKUP_ATTR);
		return;
	}
	const char *diagnosis = report_str(test, "diagnosis", &len);
	if (len)
		report_add_text(sb, diagnosis, len, TEXT_MARKUP_ATTR);
	else
		strbuf_addstr(sb, report_statuses[st].name);
}

static void junit_case(struct strbuf *sb, const struct class_report *cr, const json_t *report,
		       const json_t *t)
{
	const char *student = report_str(report, "submission", NULL);
	enum status st = report_status_of(t);
	strbuf_addstr(sb, "    <testcase classname=\"");
	report_add_attr(sb, cr->assignment);
	strbuf_addch(sb, '.');
	report_add_attr(sb, student);
	strbuf_addstr(sb, "\" name=\"");
	report_add_attr(sb, report_str(t, "name", NULL));
	strbuf_addch(sb, '"');
	if (cr->source_file) {
		strbuf_addstr(sb, " file=\"");
		if (cr->source_in_folder) {
			report_add_attr(sb, student);
			strbuf_addch(sb, '/');
		}
		report_add_attr(sb, cr->source_file);
		strbuf_addch(sb, '"');
	}
	strbuf_addf(sb, " time=\"%.3f\"", report_num(t, "seconds"));
	if (st == ST_PASSED) {
		strbuf_addstr(sb, "/>\n");
		return;
	}
	const char *element = is_error(st) ? "error" : "failure";
	strbuf_addf(sb, ">\n      <%s message=\"", element);
	add_cause(sb, t, st);
	strbuf_addf(sb, "\" type=\"%s\">", report_statuses[st].name);
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	report_add_failure_text(&text, t, report);
	report_add_text(sb, text.buf ? text.buf : "", text.len, TEXT_MARKUP);
	strbuf_release(&text);
	strbuf_addf(sb, "</%s>\n    </testcase>\n", element);
}

void report_junit_suite(struct strbuf *sb, struct class_report *cr, const json_t *report)
{
	const char *student = report_str(report, "submission", NULL);
	const json_t *tests = json_object_get(report, "tests");
	size_t ntests = json_array_size(tests), failures = 0, errors = 0, i;
	double time = report_num(json_object_get(report, "build"), "seconds");
	json_t *t;
	json_array_foreach(tests, i, t)
	{
		enum status st = report_status_of(t);
		errors += is_error(st);
		failures += st != ST_PASSED && !is_error(st);
		time += report_num(t, "seconds");
	}
	cr->junit_tests += ntests;
	cr->junit_failures += failures;
	cr->junit_errors += errors;
	cr->junit_time += time;

	char num[40];
	/* The suite's time is what grading the student took: the build and every test. */
	strbuf_addstr(sb, "  <testsuite name=\"");
	report_add_attr(sb, student);
	strbuf_addf(
	    sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
	    ntests, failures, errors, time);
	strbuf_addf(sb, "    <properties>\n      <property name=\"score\" value=\"%s\"/>\n",
		    report_fmt_num(num, report_num(report, "score")));
	strbuf_addf(sb, "      <property name=\"max_score\" value=\"%s\"/>\n",
		    report_fmt_num(num, report_num(report, "max_score")));
	strbuf_addstr(sb, "      <property name=\"isolation\" value=\"");
	report_add_attr(sb, report_str(report, "isolation", NULL));
	strbuf_addstr(sb, "\"/>\n    </properties>\n");
	json_array_foreach(tests, i, t) junit_case(sb, cr, report, t);
	strbuf_addstr(sb, "  </testsuite>\n");
}

static int junit_head(struct strbuf *sb, const struct class_report *cr)
{
	strbuf_addstr(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	report_add_attr(sb, cr->assignment);
	strbuf_addf(sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		    cr->junit_tests, cr->junit_failures, cr->junit_errors, cr->junit_time);
	return 0;
}

int report_junit_write(const struct class_report *cr)
{
	const struct report_part parts[] = {{cr->junit_suites, "</testsuites>\n"}};
	return class_report_write(cr, "junit.xml", junit_head, parts, ARRAY_SIZE(parts));
}
