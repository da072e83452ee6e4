/*
 * report_json: <student>.json stays under REPORT_JSON_MAX whatever the
 * program did, loses nothing when it is small, and is safe to print.
 * Results are built by hand: what a hostile program leaves at the caps
 * of the runner and the tracer (and past them: the report must not rely
 * on those).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "result_util.h"
#include "trace.h"
#include "util.h"

static struct grade_result result;

static void teardown(void)
{
	grade_result_release(&result);
}

TestSuite(report_json, .fini = teardown, .timeout = 60);

static char *filled(char c, size_t n)
{
	char *s = xmalloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* One test, one failed check with message and diff of the given sizes; build output of \x01 bytes. */
static struct test_result *make_result(size_t message, size_t diff, size_t build)
{
	struct test_result *t = result_util_one_test(&result, "huge", "floods", STATUS_FAILED, 1);
	/* Control bytes: the costliest to write in JSON (6 bytes each, \u0001). */
	result.build.output = filled('\x01', build);
	result.build.output_len = build;
	t->passed_runs = 1;
	char *msg = filled('m', message);
	test_result_add_check(t, "stdout", false, msg, filled('d', diff));
	free(msg);
	return t;
}

/* A trace of nprocs processes with an argument of arg bytes each, and nevents events. */
static void add_trace(struct test_result *t, size_t nprocs, size_t arg, size_t nevents)
{
	struct trace_record *rec = xmalloc(sizeof(*rec));
	trace_record_init(rec);
	rec->traced = true;
	rec->procs = xcalloc(nprocs, sizeof(*rec->procs));
	for (size_t i = 0; i < nprocs; i++) {
		struct trace_process *p = &rec->procs[rec->nprocs++];
		p->pid = (pid_t)i + 2;
		p->ppid = 1;
		strvec_init(&p->argv);
		strvec_push(&p->argv, "./prog");
		strvec_push_owned(&p->argv, filled('a', arg));
	}
	rec->events = xcalloc(nevents, sizeof(*rec->events));
	for (size_t i = 0; i < nevents; i++) {
		struct trace_event *e = &rec->events[rec->nevents++];
		e->pid = 2;
		e->call = xstrdup("write");
		e->args = filled('w', arg);
		e->finished = true;
	}
	t->trace = rec;
}

static json_t *dumped(size_t *len)
{
	char *text = report_json_dump(&result);
	cr_assert_not_null(text);
	*len = strlen(text);
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(j, "not JSON: %s", jerr.text);
	free(text);
	return j;
}

static json_t *first_test(json_t *report)
{
	return json_array_get(json_object_get(report, "tests"), 0);
}

Test(report_json, a_small_report_is_not_cut)
{
	add_trace(make_result(100, 100, 100), 3, 100, 10);
	size_t len;
	json_t *j = dumped(&len);
	json_t *test = first_test(j);
	json_t *check = json_array_get(json_object_get(test, "checks"), 0);
	cr_expect_eq(strlen(json_string_value(json_object_get(check, "message"))), 100);
	cr_expect_eq(strlen(json_string_value(json_object_get(check, "diff"))), 100);
	json_t *trace = json_object_get(test, "trace");
	cr_expect_eq(json_array_size(json_object_get(trace, "processes")), 3);
	cr_expect_eq(json_integer_value(json_object_get(trace, "dropped_processes")), 0);
	cr_expect_eq(json_array_size(json_object_get(trace, "events")), 10);
	cr_expect_eq(json_string_length(json_object_get(json_object_get(j, "build"), "output")), 100);
	json_decref(j);
}

/* 500 processes with 60 KiB arguments, 2,000 events, a 600 KiB message: once 34 MB. */
Test(report_json, a_huge_result_fits_and_says_what_it_left_out)
{
	add_trace(make_result(600 << 10, 200 << 10, 128 << 10), TRACE_MAX_PROCESSES, 60 << 10,
		  TRACE_MAX_EVENTS);
	size_t len;
	json_t *j = dumped(&len);
	cr_expect_lt(len, REPORT_JSON_MAX, "%zu bytes", len);
	json_t *test = first_test(j);
	json_t *trace = json_object_get(test, "trace");
	/* What is not listed is counted. */
	cr_expect_eq(json_array_size(json_object_get(trace, "processes")) +
			 (size_t)json_integer_value(json_object_get(trace, "dropped_processes")),
		     TRACE_MAX_PROCESSES);
	cr_expect_eq(json_array_size(json_object_get(trace, "events")) +
			 (size_t)json_integer_value(json_object_get(trace, "dropped_events")),
		     TRACE_MAX_EVENTS);
	json_t *check = json_array_get(json_object_get(test, "checks"), 0);
	const char *msg = json_string_value(json_object_get(check, "message"));
	cr_expect_not_null(strstr(msg, " more bytes)"), "the cut is not said: %.100s", msg);
	cr_expect_eq(msg[0], 'm');
	/* The verdict is whole. */
	cr_expect_str_eq(json_string_value(json_object_get(test, "status")), "failed");
	cr_expect(json_is_false(json_object_get(check, "ok")));
	json_decref(j);
}

/* Past the tracer's own caps too: the report does not rely on them. */
Test(report_json, the_bound_does_not_rely_on_the_tracer_s_caps)
{
	add_trace(make_result(10, 10, 10), 5000, 4096, 20000);
	size_t len;
	json_t *j = dumped(&len);
	cr_expect_lt(len, REPORT_JSON_MAX, "%zu bytes", len);
	json_decref(j);
}

Test(report_json, build_output_keeps_its_nul_bytes)
{
	make_result(1, 1, 0);
	free(result.build.output);
	static const char out[] = "warning\0main.c:1: error: the real one\n";
	result.build.output = xmemdup0(out, sizeof(out) - 1);
	result.build.output_len = sizeof(out) - 1;
	size_t len;
	json_t *j = dumped(&len);
	json_t *output = json_object_get(json_object_get(j, "build"), "output");
	cr_expect_eq(json_string_length(output), sizeof(out) - 1);
	cr_expect_eq(memcmp(json_string_value(output), out, sizeof(out) - 1), 0);
	json_decref(j);
}

/* A message holding a C1 CSI and a right-to-left override: valid JSON raw, escaped here. */
Test(report_json, the_text_is_safe_to_print)
{
	make_result(1, 1, 1);
	free(result.tests[0].checks[0].message);
	result.tests[0].checks[0].message = xstrdup("pid 3 (\xc2\x9b" "2J\xe2\x80\xae)\x7f");
	char *text = report_json_dump(&result);
	cr_assert_not_null(text);
	cr_expect_not_null(strstr(text, "pid 3 (\\u009B2J\\u202E)\\u007F"), "%s", text);
	cr_expect_null(strstr(text, "\xc2\x9b"));
	free(text);
}
