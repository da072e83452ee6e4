/*
 * report_html.c: the per-student parts of index.html (report_html.h).  Each
 * student is rendered once, as class_report_add() takes them: a row of the
 * overview grid and a section with the failed checks, diffs and trace.
 * The page around them (statistics, charts, the table's controls) needs
 * the whole class and is rendered last, by report_html_page.c.
 */
#include "report_html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "escape.h"
#include "util.h"

/* A fork bomb's trace must not turn into a megabyte of HTML per test. */
#define TRACE_MAX_PROCESSES 300
#define TRACE_MAX_EVENTS 200
#define TRACE_MAX_DEPTH 64

/* ---- index.html: per-student parts ----------------------------------- */

/* An id and URL fragment from any name: [A-Za-z0-9_-] kept, other bytes ".XX" (injective). */
static void add_student_id(struct strbuf *sb, const char *name, size_t len)
{
	strbuf_addstr(sb, "student-");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			strbuf_addch(sb, (char)c);
		else
			strbuf_addf(sb, ".%02X", c);
	}
}

/* "SCORE / MAX" of a report or a test, kept on one line. */
static void html_points(struct strbuf *sb, const json_t *obj)
{
	char num[40], max[40];
	strbuf_addf(sb, "%s&nbsp;/&nbsp;%s", report_fmt_num(num, report_num(obj, "score")),
		    report_fmt_num(max, report_num(obj, "max_score")));
}

/*
 * The student's id, name and score, each after a piece of markup, then
 * markup[3].  The overview's row links to the id its section carries: one
 * function makes both, so they match.
 */
static void html_student(struct strbuf *sb, const json_t *report, const char *const markup[4])
{
	size_t len;
	const char *name = report_str(report, "submission", &len);
	strbuf_addstr(sb, markup[0]);
	add_student_id(sb, name, len);
	strbuf_addstr(sb, markup[1]);
	report_add_text(sb, name, len, TEXT_MARKUP);
	strbuf_addstr(sb, markup[2]);
	/* A stand-in's 0 is no score (class_report.h). */
	if (report_true(report, "report_missing"))
		strbuf_addstr(sb, "no&nbsp;report");
	else
		html_points(sb, report);
	strbuf_addstr(sb, markup[3]);
}

void report_html_row(struct strbuf *sb, struct class_report *cr, const json_t *report)
{
	static const char *const markup[4] = {"\"><th scope=\"row\"><a href=\"#", "\">",
					      "</a></th><td class=\"score\">", "</td>"};
	char num[40], max[40];
	const json_t *tests = json_object_get(report, "tests");
	bool counted = !report_true(report, "report_missing");
	/* The score the table's script sorts by; a student without a report sorts last. */
	strbuf_addf(sb, "<tr class=\"student-row\" data-score=\"%s",
		    counted ? report_fmt_num(num, report_num(report, "score")) : "-1");
	html_student(sb, report, markup);
	for (size_t i = 0; i < cr->ntests; i++) {
		const json_t *t = class_report_find_test(cr, tests, i);
		enum status st = report_status_of(t);
		cr->test_status[i][st] += counted;
		strbuf_addf(sb, "<td class=\"st st-%s\" title=\"", report_statuses[st].name);
		report_add_attr(sb, cr->test_names[i]);
		strbuf_addf(sb, ": %s", report_statuses[st].name);
		if (t)
			strbuf_addf(sb, " (%s / %s)", report_fmt_num(num, report_num(t, "score")),
				    report_fmt_num(max, report_num(t, "max_score")));
		strbuf_addf(sb, "\">%s</td>", report_statuses[st].cell);
	}
	strbuf_addstr(sb, "</tr>\n");
}

/* A diff in a <pre>, its lines marked for colour (diff.h says what each prefix means). */
static void html_diff(struct strbuf *sb, const char *diff, size_t len)
{
	strbuf_addstr(sb, "<pre class=\"diff\">");
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(diff + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (diff + i)) + 1 : len - i;
		const char *line = diff + i;
		const char *cls = NULL;
		if (n >= 3 && (!strncmp(line, "---", 3) || !strncmp(line, "+++", 3)))
			cls = "d-file";
		else if (line[0] == '-')
			cls = "d-del";
		else if (line[0] == '+')
			cls = "d-add";
		else if (n >= 2 && !strncmp(line, "@@", 2))
			cls = "d-hunk";
		if (cls)
			strbuf_addf(sb, "<span class=\"%s\">", cls);
		report_add_text(sb, line, n, TEXT_MARKUP);
		if (cls)
			strbuf_addstr(sb, "</span>");
		i += n;
	}
	strbuf_addstr(sb, "</pre>");
}

static void html_value(struct strbuf *sb, const json_t *v)
{
	size_t len;
	char *text = report_display(v, &len);
	report_add_text(sb, text, len, TEXT_MARKUP);
	free(text);
}

/* The members of a JSON array, separated by sep; nothing for a non-array. */
static void html_values(struct strbuf *sb, const json_t *array, const char *sep)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v)
	{
		if (i)
			strbuf_addstr(sb, sep);
		html_value(sb, v);
	}
}

static void html_process(struct strbuf *sb, const json_t *p)
{
	strbuf_addstr(sb, "<code>pid ");
	html_value(sb, json_object_get(p, "pid"));
	strbuf_addstr(sb, "</code> ");
	json_t *argv = json_object_get(p, "argv");
	if (json_is_array(argv))
		html_values(sb, argv, " ");
	else
		html_value(sb, json_object_get(p, "exe"));
	/* A process has an exit status or the signal that killed it (or, still running, neither). */
	json_t *exit_status = json_object_get(p, "exit");
	json_t *signal = json_object_get(p, "signal");
	if (json_is_string(signal)) {
		strbuf_addstr(sb, " <span class=\"exit\">killed by ");
		html_value(sb, signal);
		strbuf_addstr(sb, "</span>");
	} else if (exit_status && !json_is_null(exit_status)) {
		strbuf_addstr(sb, " <span class=\"exit\">exit ");
		html_value(sb, exit_status);
		strbuf_addstr(sb, "</span>");
	}
}

static bool same_pid(const json_t *a, const json_t *b)
{
	return a && b && json_equal(a, b);
}

/* Process p and, nested, its children; shown marks processes already drawn (so cycles end). */
static void html_ptree(struct strbuf *sb, const json_t *procs, size_t n, size_t p, bool *shown,
		       int depth)
{
	shown[p] = true;
	const json_t *proc = json_array_get(procs, p);
	strbuf_addstr(sb, "<li>");
	html_process(sb, proc);
	bool open = false;
	for (size_t c = 0; c < n && depth < TRACE_MAX_DEPTH; c++) {
		const json_t *child = json_array_get(procs, c);
		if (shown[c] ||
		    !same_pid(json_object_get(child, "ppid"), json_object_get(proc, "pid")))
			continue;
		if (!open)
			strbuf_addstr(sb, "<ul>");
		open = true;
		html_ptree(sb, procs, n, c, shown, depth + 1);
	}
	if (open)
		strbuf_addstr(sb, "</ul>");
	strbuf_addstr(sb, "</li>");
}

/* The optional "trace" member of a test: a process tree and the first system calls. */
static void html_trace(struct strbuf *sb, const json_t *trace, bool open)
{
	if (!json_is_object(trace))
		return;
	const json_t *procs = json_object_get(trace, "processes");
	const json_t *events = json_object_get(trace, "events");
	size_t nprocs = json_array_size(procs), nevents = json_array_size(events);
	size_t n = nprocs < TRACE_MAX_PROCESSES ? nprocs : TRACE_MAX_PROCESSES;
	/* Folded for a test that passed: hundreds of students' traces are a long page. */
	strbuf_addf(sb, "<details class=\"trace\"%s><summary>Processes and system calls</summary>",
		    open ? " open" : "");
	if (n) {
		bool *shown = xcalloc(n, sizeof(*shown));
		strbuf_addstr(sb, "<ul class=\"ptree\">");
		/* Roots first (parent not traced), then whatever a ppid cycle left out. */
		for (int pass = 0; pass < 2; pass++)
			for (size_t p = 0; p < n; p++) {
				const json_t *ppid =
				    json_object_get(json_array_get(procs, p), "ppid");
				bool has_parent = false;
				for (size_t q = 0; q < n && !pass && !has_parent; q++)
					has_parent =
					    q != p &&
					    same_pid(ppid, json_object_get(json_array_get(procs, q),
									   "pid"));
				if (!shown[p] && !has_parent)
					html_ptree(sb, procs, n, p, shown, 0);
			}
		strbuf_addstr(sb, "</ul>");
		free(shown);
		if (nprocs > n)
			strbuf_addf(sb, "<p class=\"note\">%zu more processes not shown</p>",
				    nprocs - n);
	}
	if (nevents) {
		strbuf_addstr(
		    sb,
		    "<div class=\"table-wrap\"><table class=\"events\"><thead><tr><th>t</th>"
		    "<th>pid</th><th>call</th><th>args</th><th>result</th></tr></thead><tbody>");
		size_t i;
		json_t *e;
		json_array_foreach(events, i, e)
		{
			if (i == TRACE_MAX_EVENTS)
				break;
			static const char *const cols[] = {"t", "pid", "call", "args", "result"};
			strbuf_addstr(sb, "<tr>");
			for (size_t c = 0; c < ARRAY_SIZE(cols); c++) {
				json_t *v = json_object_get(e, cols[c]);
				strbuf_addstr(sb, "<td>");
				/* args as a list reads better without the JSON brackets. */
				if (json_is_array(v))
					html_values(sb, v, ", ");
				else if (v)
					html_value(sb, v);
				strbuf_addstr(sb, "</td>");
			}
			strbuf_addstr(sb, "</tr>");
		}
		strbuf_addstr(sb, "</tbody></table></div>");
		if (nevents > TRACE_MAX_EVENTS)
			strbuf_addf(sb, "<p class=\"note\">%zu more system calls not shown</p>",
				    nevents - TRACE_MAX_EVENTS);
	}
	strbuf_addstr(sb, "</details>");
}

/* A test's diagnosis and hint, each when it has one. */
static void html_explanation(struct strbuf *sb, const json_t *t)
{
	static const char *const parts[][3] = {{"diagnosis", "diagnosis", "Diagnosis:"},
					       {"hint", "hint", "Hint:"}};
	for (size_t k = 0; k < ARRAY_SIZE(parts); k++) {
		size_t len;
		const char *s = report_str(t, parts[k][0], &len);
		if (!len)
			continue;
		strbuf_addf(sb, "<p class=\"%s\"><strong>%s</strong> ", parts[k][1], parts[k][2]);
		report_add_text(sb, s, len, TEXT_MARKUP);
		strbuf_addstr(sb, "</p>");
	}
}

static void html_test(struct strbuf *sb, const json_t *t)
{
	enum status st = report_status_of(t);
	strbuf_addf(
	    sb, "<li class=\"test st-%s\"><span class=\"badge\">%s</span> <span class=\"name\">",
	    report_statuses[st].name, report_statuses[st].name);
	report_add_markup(sb, report_str(t, "name", NULL));
	strbuf_addstr(sb, "</span> <span class=\"pts\">");
	html_points(sb, t);
	strbuf_addstr(sb, "</span>");
	if (report_true(t, "hidden"))
		strbuf_addstr(sb, " <span class=\"tag\">hidden from students</span>");
	int runs = (int)report_num(t, "runs");
	if (runs > 1)
		strbuf_addf(sb, " <span class=\"tag\">%d of %d runs passed</span>",
			    (int)report_num(t, "passed_runs"), runs);
	if (st != ST_PASSED) {
		strbuf_addstr(sb, "<ul class=\"checks\">");
		size_t i;
		json_t *c;
		bool explained = false;
		/* The checks come cause first: its explanation follows it. */
		json_array_foreach(json_object_get(t, "checks"), i, c)
		{
			if (report_true(c, "ok"))
				continue;
			size_t len;
			const char *s = report_str(c, "kind", &len);
			strbuf_addstr(sb, "<li><code>");
			report_add_text(sb, s, len, TEXT_MARKUP);
			strbuf_addstr(sb, "</code> ");
			s = report_str(c, "message", &len);
			report_add_text(sb, s, len, TEXT_MARKUP);
			s = report_str(c, "diff", &len);
			if (len)
				html_diff(sb, s, len);
			if (!explained)
				html_explanation(sb, t);
			explained = true;
			strbuf_addstr(sb, "</li>");
		}
		strbuf_addstr(sb, "</ul>");
		if (!explained)
			html_explanation(sb, t);
		size_t len;
		const char *how = report_str(json_object_get(t, "reproduce"), "text", &len);
		if (len) {
			strbuf_addstr(sb, "<p class=\"reproduce\"><strong>How to reproduce:</strong></p>"
					  "<pre class=\"reproduce\">");
			report_add_text(sb, how, len, TEXT_MARKUP);
			strbuf_addstr(sb, "</pre>");
		}
	}
	html_trace(sb, json_object_get(t, "trace"), st != ST_PASSED);
	strbuf_addstr(sb, "</li>\n");
}

void report_html_section(struct strbuf *sb, const json_t *report)
{
	static const char *const markup[4] = {"<section class=\"student\" id=\"", "\"><h2>",
					      " <span class=\"score\">", "</span></h2>\n"};
	size_t len;
	html_student(sb, report, markup);
	if (!strcmp(report_str(report, "isolation", NULL), "partial")) {
		strbuf_addstr(sb, "<p class=\"note\">Graded with partial isolation; unavailable: ");
		html_values(sb, json_object_get(report, "isolation_missing"), ", ");
		strbuf_addstr(sb, "</p>\n");
	}
	const json_t *build = json_object_get(report, "build");
	if (build && !report_true(build, "ok")) {
		const char *out = report_str(build, "output", &len);
		strbuf_addstr(sb, "<div class=\"build-failed\"><h3>The build failed</h3><pre>");
		report_add_text(sb, out, len, TEXT_MARKUP);
		strbuf_addstr(sb, "</pre></div>\n");
	}
	strbuf_addstr(sb, "<ul class=\"tests\">\n");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(report, "tests"), i, t) html_test(sb, t);
	strbuf_addstr(sb,
		      "</ul>\n<p class=\"top\"><a href=\"#overview\">\xe2\x86\x91 Overview</a></p>"
		      "</section>\n");
}

void report_html_listed(struct strbuf *sb, const json_t *report)
{
	size_t len;
	const char *name = report_str(report, "submission", &len);
	strbuf_addstr(sb, "<li><a href=\"#");
	add_student_id(sb, name, len);
	strbuf_addstr(sb, "\">");
	report_add_text(sb, name, len, TEXT_MARKUP);
	strbuf_addstr(sb, "</a></li>\n");
}
