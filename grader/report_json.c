#include "report_json.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "escape.h"
#include "reproduce.h"
#include "spec.h"
#include "trace.h"
#include "util.h"

/* Whole points print as integers ("score": 15), as in the contract's example. */
json_t *report_json_points(double value)
{
	if (value == floor(value) && fabs(value) < 1e15)
		return json_integer((json_int_t)value);
	return json_real(value);
}

/* Seconds to the millisecond: more digits are noise. */
json_t *report_json_seconds(double value)
{
	return json_real(round(value * 1000.0) / 1000.0);
}

/*
 * How much of what a student controls a report shows.  A report is built
 * with the first caps that make it fit in REPORT_JSON_MAX: a normal report
 * fits at once, uncut; one that a program made huge loses detail, the
 * trace first (the counts of what was left out stay), then the length of
 * every message, diff, diagnosis and the build output, each cut with "...
 * (N more bytes)".  No verdict depends on what is cut.
 */
struct report_caps {
	size_t events;		/* trace events listed */
	size_t processes;	/* traced processes listed */
	size_t argv;		/* arguments listed per process */
	size_t trace_text;	/* bytes of an event's arguments, of one argument */
	size_t text;		/* bytes of a message, a diff, the diagnosis, the build output */
};

static const struct report_caps report_levels[] = {
	{SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX},
	{200, 50, 8, 256, 16384},
	{0, 0, 0, 0, 2048},
	{0, 0, 0, 0, 256},
	{0, 0, 0, 0, 64},
};

/*
 * Student output is arbitrary bytes; JSON strings must be UTF-8.  Invalid
 * sequences become U+FFFD so that nothing is lost silently and the file
 * stays valid; NUL bytes are kept (\u0000).  Past max bytes the text is cut
 * on a character boundary and the count of the rest follows.
 */
static json_t *json_bytes(const char *s, size_t len, size_t max)
{
	json_t *j = len <= max ? json_stringn(s, len) : NULL;
	if (j)
		return j;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (i + (n ? n : 1) > max)
			break;
		if (n)
			strbuf_add(&sb, s + i, n);
		else
			strbuf_addstr(&sb, "\xef\xbf\xbd");
		i += n ? n : 1;
	}
	if (i < len)
		strbuf_addf(&sb, "... (%zu more bytes)", len - i);
	j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

static json_t *json_text(const char *s)
{
	return json_bytes(s, strlen(s), SIZE_MAX);
}

/* Text a student controls, cut at max bytes. */
static json_t *json_cut(const char *s, size_t max)
{
	return json_bytes(s, strlen(s), max);
}

static json_t *check_to_json(const struct check *c, const struct report_caps *caps)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_text(c->kind));
	json_object_set_new(j, "ok", json_boolean(c->ok));
	json_object_set_new(j, "message", json_cut(c->message, caps->text));
	if (c->skipped)
		json_object_set_new(j, "skipped", json_true());
	if (c->diff)
		json_object_set_new(j, "diff", json_cut(c->diff, caps->text));
	return j;
}

/* An event's "t": seconds since the run started, to the microsecond (order matters within a ms). */
static json_t *json_offset(double value)
{
	return json_real(round(value * 1e6) / 1e6);
}

static json_t *trace_process_to_json(const struct trace_process *p,
				     const struct report_caps *caps)
{
	json_t *j = json_object();
	json_object_set_new(j, "pid", json_integer(p->pid));
	json_object_set_new(j, "ppid", json_integer(p->ppid));
	json_t *argv = json_array();
	for (size_t i = 0; i < p->argv.n && i < caps->argv; i++)
		json_array_append_new(argv, json_cut(p->argv.v[i], caps->trace_text));
	/* An argv cut short says so in its last element, as a cut string does. */
	if (p->argv.n > caps->argv)
		json_array_append_new(argv, json_sprintf("... (%zu more arguments)",
							 p->argv.n - caps->argv));
	json_object_set_new(j, "argv", argv);
	bool exited = p->exited && !p->signal;
	json_object_set_new(j, "exit", exited ? json_integer(p->exit_code) : json_null());
	bool killed = p->exited && p->signal;
	json_object_set_new(j, "signal",
			    killed ? json_string(signal_name(p->signal)) : json_null());
	return j;
}

static json_t *trace_event_to_json(const struct trace_event *e, const struct report_caps *caps)
{
	json_t *j = json_object();
	json_object_set_new(j, "t", json_offset(e->seconds));
	json_object_set_new(j, "pid", json_integer(e->pid));
	json_object_set_new(j, "call", json_text(e->call));
	json_object_set_new(j, "args", json_cut(e->args, caps->trace_text));
	/* null: the process died inside the call (a wait the grader's kill interrupted). */
	json_object_set_new(j, "result", e->finished ? json_integer(e->result) : json_null());
	const char *err = e->finished && e->result < 0 ? compat_errno_name((int)-e->result) : NULL;
	if (err)
		json_object_set_new(j, "error", json_string(err));
	return j;
}

/*
 * tests[].trace, present when the test was traced: its processes (exit or
 * signal null when not known or not that way), the watched calls in order
 * (capped, with the count of those left out), and how often each kind of
 * call was made; "unavailable" says why the trace is missing or partial.
 */
static json_t *trace_to_json(const struct trace_record *rec, const struct report_caps *caps)
{
	json_t *j = json_object();
	if (rec->unavailable)
		json_object_set_new(j, "unavailable", json_text(rec->unavailable));
	json_t *procs = json_array();
	size_t nprocs = rec->nprocs < caps->processes ? rec->nprocs : caps->processes;
	for (size_t i = 0; i < nprocs; i++)
		json_array_append_new(procs, trace_process_to_json(&rec->procs[i], caps));
	json_object_set_new(j, "processes", procs);
	json_object_set_new(
	    j, "dropped_processes",
	    json_integer((json_int_t)(rec->dropped_procs + (rec->nprocs - nprocs))));
	json_t *calls = json_object();
	for (size_t i = 0; i < rec->ncalls; i++)
		json_object_set_new(calls, rec->calls[i].name,
				    json_integer((json_int_t)rec->calls[i].count));
	json_object_set_new(j, "calls", calls);
	json_t *events = json_array();
	size_t nevents = rec->nevents < caps->events ? rec->nevents : caps->events;
	for (size_t i = 0; i < nevents; i++)
		json_array_append_new(events, trace_event_to_json(&rec->events[i], caps));
	json_object_set_new(j, "events", events);
	json_object_set_new(
	    j, "dropped_events",
	    json_integer((json_int_t)(rec->dropped_events + (rec->nevents - nevents))));
	return j;
}

/* tests[].reproduce: how to run the test by hand (result.h, reproduce.h). */
static json_t *reproduce_to_json(const struct reproduce *r, const struct report_caps *caps)
{
	json_t *j = json_object();
	json_t *procs = json_array();
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct reproduce_proc *rp = &r->procs[i];
		json_t *p = json_object();
		json_object_set_new(p, "name", json_text(rp->name));
		json_t *argv = json_array();
		for (size_t k = 0; k < rp->argv.n; k++)
			json_array_append_new(argv, json_cut(rp->argv.v[k], caps->text));
		json_object_set_new(p, "argv", argv);
		json_object_set_new(p, "command", json_cut(rp->command, caps->text));
		json_t *in = json_object();
		if (rp->stdin_text) {
			size_t shown = rp->stdin_shortened ? REPRODUCE_STDIN_SHOWN : rp->stdin_bytes;
			json_object_set_new(in, "text", json_bytes(rp->stdin_text, shown, caps->text));
			json_object_set_new(in, "bytes", json_integer((json_int_t)rp->stdin_bytes));
			json_object_set_new(in, "shortened", json_boolean(rp->stdin_shortened));
		} else if (rp->stdin_file) {
			json_object_set_new(in, "file", json_text(rp->stdin_file));
		} else {
			json_object_set_new(in, "empty", json_true());
		}
		json_object_set_new(p, "stdin", in);
		json_object_set_new(p, "tty", json_boolean(rp->tty));
		json_object_set_new(p, "start", rp->start ? json_text(rp->start) : json_null());
		json_array_append_new(procs, p);
	}
	json_object_set_new(j, "processes", procs);
	json_object_set_new(j, "files_from", r->files_from ? json_text(r->files_from) : json_null());
	json_t *files = json_array();
	for (size_t i = 0; i < r->files.n; i++)
		json_array_append_new(files, json_text(r->files.v[i]));
	json_object_set_new(j, "files", files);
	json_object_set_new(j, "files_more", json_integer((json_int_t)r->files.more));
	json_t *env = json_array();
	for (size_t i = 0; i < r->env.n; i++)
		json_array_append_new(env, json_cut(r->env.v[i], caps->text));
	json_object_set_new(j, "env", env);
	json_object_set_new(j, "text", json_cut(r->text, caps->text));
	return j;
}

static json_t *test_to_json(const struct test_result *t, const struct report_caps *caps)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_text(t->name));
	json_object_set_new(j, "status", json_string(test_status_name(t->status)));
	json_object_set_new(j, "score", report_json_points(t->score));
	json_object_set_new(j, "max_score", report_json_points(t->max_score));
	json_object_set_new(j, "seconds", report_json_seconds(t->seconds));
	json_object_set_new(j, "cpu_wait_seconds", report_json_seconds(t->cpu_wait_seconds));
	json_object_set_new(j, "runs", json_integer(t->runs));
	json_object_set_new(j, "passed_runs", json_integer(t->passed_runs));
	if (t->perturbed)
		json_object_set_new(j, "seed", json_integer((json_int_t)t->seed));
	json_t *checks = json_array();
	for (size_t i = 0; i < t->nchecks; i++)
		json_array_append_new(checks, check_to_json(&t->checks[i], caps));
	json_object_set_new(j, "checks", checks);
	json_object_set_new(j, "diagnosis", json_cut(t->diagnosis ? t->diagnosis : "", caps->text));
	json_object_set_new(j, "hint", t->hint ? json_text(t->hint) : json_null());
	if (t->reproduce)
		json_object_set_new(j, "reproduce", reproduce_to_json(t->reproduce, caps));
	json_object_set_new(j, "hidden", json_boolean(t->hidden));
	if (t->trace)
		json_object_set_new(j, "trace", trace_to_json(t->trace, caps));
	return j;
}

static json_t *report_json_build(const struct grade_result *r, const struct report_caps *caps)
{
	json_t *root = json_object();
	json_object_set_new(root, "grader_version", json_string(GRADER_VERSION));
	json_object_set_new(root, "assignment", json_text(r->assignment));
	json_object_set_new(root, "submission", json_text(r->submission));
	json_object_set_new(root, "score", report_json_points(r->score));
	json_object_set_new(root, "max_score", report_json_points(r->max_score));
	json_object_set_new(root, "isolation", json_string(r->isolation_full ? "full" : "partial"));
	json_t *missing = json_array();
	for (size_t i = 0; i < r->isolation_missing.n; i++)
		json_array_append_new(missing, json_text(r->isolation_missing.v[i]));
	json_object_set_new(root, "isolation_missing", missing);

	json_t *build = json_object();
	json_object_set_new(build, "ok", json_boolean(r->build.ok));
	json_object_set_new(build, "seconds", report_json_seconds(r->build.seconds));
	json_object_set_new(build, "cached", json_boolean(r->build.cached));
	json_object_set_new(build, "output",
			    r->build.output ? json_bytes(r->build.output, r->build.output_len,
							 caps->text)
					    : json_string(""));
	json_object_set_new(root, "build", build);

	json_t *tests = json_array();
	for (size_t i = 0; i < r->ntests; i++)
		json_array_append_new(tests, test_to_json(&r->tests[i], caps));
	json_object_set_new(root, "tests", tests);

	return root;
}

/* The text of the report file: safe to print (escape_json_text), ending in a newline; NULL on failure. */
static char *report_json_text(const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (!text)
		return NULL;
	text = escape_json_text(text);
	char *with_newline = xasprintf("%s\n", text);
	free(text);
	return with_newline;
}

json_t *report_json_new(const struct grade_result *r)
{
	json_t *root = NULL;
	for (size_t level = 0; level < ARRAY_SIZE(report_levels); level++) {
		json_decref(root);
		root = report_json_build(r, &report_levels[level]);
		char *text = report_json_text(root);
		bool fits = text && strlen(text) < REPORT_JSON_MAX;
		free(text);
		if (fits)
			break;
	}
	return root;
}

char *report_json_dump(const struct grade_result *r)
{
	json_t *root = report_json_new(r);
	char *text = report_json_text(root);
	json_decref(root);
	return text;
}

int report_write_json(const struct grade_result *r, const char *dir)
{
	if (mkdir_p(dir, 0755) < 0)
		return -1;
	char *text = report_json_dump(r);
	if (!text)
		return error("report: cannot encode the JSON report for %s", r->submission);
	char *name = xasprintf("%s.json", r->submission);
	char *path = path_join(dir, name);
	int ret = write_file_atomic(path, text, strlen(text));
	free(path);
	free(name);
	free(text);
	return ret;
}
