/*
 * report_html.c: index.html (report_html.h).  Each student is rendered once,
 * as class_report_add() takes them: a row of the overview grid and a
 * section with the failed checks, diffs and trace.  The overview above them
 * (statistics and charts) needs the whole class, so it is rendered last,
 * from the core's counters and its work file of scores.
 */
#include "report_html.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "escape.h"
#include "report_json.h" /* GRADER_VERSION */
#include "util.h"

/* A fork bomb's trace must not turn into a megabyte of HTML per test. */
#define TRACE_MAX_PROCESSES 300
#define TRACE_MAX_EVENTS 200
#define TRACE_MAX_DEPTH 64
/* Test names in the per-test chart are cut to fit its label column. */
#define CHART_LABEL_CHARS 32

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
	static const char *const markup[4] = {
	    "<tr class=\"student-row\"><th scope=\"row\"><a href=\"#", "\">",
	    "</a></th><td class=\"score\">", "</td>"};
	char num[40], max[40];
	const json_t *tests = json_object_get(report, "tests");
	bool counted = !report_true(report, "report_missing");
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
static void html_trace(struct strbuf *sb, const json_t *trace)
{
	if (!json_is_object(trace))
		return;
	const json_t *procs = json_object_get(trace, "processes");
	const json_t *events = json_object_get(trace, "events");
	size_t nprocs = json_array_size(procs), nevents = json_array_size(events);
	size_t n = nprocs < TRACE_MAX_PROCESSES ? nprocs : TRACE_MAX_PROCESSES;
	strbuf_addstr(
	    sb, "<details class=\"trace\" open><summary>Processes and system calls</summary>");
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
	html_trace(sb, json_object_get(t, "trace"));
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

void report_html_missing(struct strbuf *sb, const json_t *report)
{
	size_t len;
	const char *name = report_str(report, "submission", &len);
	strbuf_addstr(sb, "<li><a href=\"#");
	add_student_id(sb, name, len);
	strbuf_addstr(sb, "\">");
	report_add_text(sb, name, len, TEXT_MARKUP);
	strbuf_addstr(sb, "</a></li>\n");
}

/* ---- index.html: the overview and the page --------------------------- */

/* Inline, so the page is one file that works offline, printed and from a mail attachment. */
static const char html_style[] =
    ":root{--pass:#2e7d32;--fail:#c62828;--timeout:#ef6c00;--crash:#6a1b9a;--build:#546e7a;"
    "--error:#212121;--missing:#9e9e9e;font-family:system-ui,sans-serif;line-height:1.4}\n"
    "body{margin:0 auto;max-width:1200px;padding:1em;color:#1a1a1a;background:#fff}\n"
    "h1{margin:.2em 0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\n"
    "code,pre{font-family:ui-monospace,monospace;font-size:.9em}\n"
    "pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;"
    "overflow-wrap:anywhere;border-radius:4px}\n"
    ".meta,.note{color:#555}.stats{display:flex;flex-wrap:wrap;gap:1.5em;margin:0}\n"
    ".stats div{min-width:7em}.stats dt{color:#555;font-size:.85em}"
    ".stats dd{margin:0;font-size:1.4em;font-weight:600}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:2em}.charts figure{margin:1em 0;flex:1 1 420px}"
    ".charts svg{width:100%;height:auto}figcaption{font-weight:600}\n"
    ".legend span{display:inline-block;margin-right:1em;font-size:.85em}"
    ".legend "
    "i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}\n"
    ".table-wrap{overflow-x:auto}table{border-collapse:collapse}\n"
    "th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "table.grid td.st{text-align:center;font-size:.85em;white-space:nowrap}"
    "td.score,.pts{white-space:nowrap}\n"
    ".st-passed{background:#e8f5e9;color:var(--pass)}.st-failed{background:#ffebee;color:var(--"
    "fail)}\n"
    ".st-timeout{background:#fff3e0;color:var(--timeout)}.st-crashed{background:#f3e5f5;color:var(-"
    "-crash)}\n"
    ".st-build_failed{background:#eceff1;color:var(--build)}.st-error{background:#e0e0e0;color:var("
    "--error)}\n"
    ".st-missing{background:#fafafa;color:var(--missing)}\n"
    "ul.tests{list-style:none;padding:0}li.test{padding:.4em .6em;margin:.3em "
    "0;border-radius:4px}\n"
    "li.test .name{font-weight:600;color:#1a1a1a}.badge{font-size:.8em;text-transform:uppercase;"
    "font-weight:700}\n.tag{font-size:.8em;border:1px solid "
    "currentColor;border-radius:3px;padding:0 .3em}\n"
    "ul.checks{color:#1a1a1a}.diagnosis,.hint{color:#1a1a1a}\n"
    ".d-del{color:#b31d28;background:#ffeef0}.d-add{color:#22863a;background:#f0fff4}"
    ".d-hunk{color:#6f42c1}.d-file{color:#555}\n"
    ".build-failed{border-left:4px solid var(--build);padding-left:.6em}\n"
    ".trace{color:#1a1a1a;margin:.4em 0}.ptree,.ptree ul{list-style:none;padding-left:1.2em;"
    "border-left:1px dotted #999}.exit{color:#555}\n"
    "table.events{font-size:.85em;font-family:ui-monospace,monospace}\n"
    "@media (max-width:700px){body{padding:.5em}.stats{gap:.8em}h2{font-size:1.2em}}\n"
    "@media print{body{max-width:none;font-size:10pt}section.student{break-before:page}"
    "a{color:inherit;text-decoration:none}.top{display:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}pre{white-space:pre-wrap}}\n";

static bool hist_per_point(const struct class_report *cr)
{
	return !cr->fractional && cr->max_points > 0 && cr->max_points == floor(cr->max_points) &&
	       cr->max_points < HIST_POINT_BINS;
}

static void html_histogram(struct strbuf *sb, const struct class_report *cr)
{
	bool per_point = hist_per_point(cr);
	size_t bins = per_point ? (size_t)cr->max_points + 1 : HIST_TENTH_BINS;
	size_t hist[HIST_POINT_BINS] = {0};
	for (size_t b = 0; b < (per_point ? HIST_POINT_BINS : HIST_TENTH_BINS); b++)
		hist[b < bins ? b : bins - 1] +=
		    per_point ? cr->hist_points[b] : cr->hist_tenths[b];
	size_t peak = 1;
	for (size_t b = 0; b < bins; b++)
		peak = hist[b] > peak ? hist[b] : peak;
	const double x0 = 30, width = 560, top = 20, height = 160;
	double bw = width / (double)bins;
	strbuf_addstr(sb,
		      "<svg viewBox=\"0 0 600 220\" role=\"img\" aria-label=\"Score histogram\">");
	strbuf_addf(sb, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>",
		    x0, top + height, x0 + width, top + height);
	for (size_t b = 0; b < bins; b++) {
		char range[100], lo[40], hi[40];
		if (per_point)
			report_fmt_num(range, (double)b);
		else
			snprintf(
			    range, sizeof(range), "%s\xe2\x80\x93%s",
			    report_fmt_num(lo, cr->max_points * (double)b / HIST_TENTH_BINS),
			    report_fmt_num(hi, cr->max_points * (double)(b + 1) / HIST_TENTH_BINS));
		double h = height * (double)hist[b] / (double)peak;
		double x = x0 + (double)b * bw;
		strbuf_addf(
		    sb,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1976d2\">"
		    "<title>%zu student%s: %s points</title></rect>",
		    x + 2, top + height - h, bw - 4, h, hist[b], hist[b] == 1 ? "" : "s", range);
		if (hist[b])
			strbuf_addf(sb,
				    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
				    "text-anchor=\"middle\">%zu</text>",
				    x + bw / 2, top + height - h - 4, hist[b]);
		strbuf_addf(
		    sb,
		    "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"middle\">%s</text>",
		    x + bw / 2, top + height + 14, range);
	}
	strbuf_addf(sb,
		    "<text x=\"%.0f\" y=\"214\" font-size=\"11\" text-anchor=\"middle\">points (of "
		    "%s)</text>",
		    x0 + width / 2, report_fmt_num((char[40]){0}, cr->max_points));
	strbuf_addstr(sb, "</svg>");
}

/* Name cut to at most max characters (not bytes), with an ellipsis when cut. */
static void add_cut_name(struct strbuf *sb, const char *s, size_t max)
{
	size_t len = strlen(s), i = 0, chars = 0;
	while (i < len && chars < max) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		i += n ? n : 1;
		chars++;
	}
	report_add_text(sb, s, i, TEXT_MARKUP);
	if (i < len)
		strbuf_addstr(sb, "\xe2\x80\xa6");
}

/* One stacked bar per test: how many students got each status. */
static void html_test_chart(struct strbuf *sb, const struct class_report *cr)
{
	const double label_w = 220, bar_x = 228, bar_w = 220, row_h = 26;
	size_t graded = cr->nstudents - cr->nmissing;
	double total = graded ? (double)graded : 1;
	strbuf_addf(sb,
		    "<svg viewBox=\"0 0 540 %.0f\" role=\"img\" aria-label=\"Results per test\">",
		    row_h * (double)(cr->ntests ? cr->ntests : 1) + 8);
	for (size_t i = 0; i < cr->ntests; i++) {
		double y = 4 + row_h * (double)i, x = bar_x;
		strbuf_addf(
		    sb, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">%zu. ",
		    label_w, y + 17, i + 1);
		add_cut_name(sb, cr->test_names[i], CHART_LABEL_CHARS);
		strbuf_addstr(sb, "<title>");
		report_add_markup(sb, cr->test_names[i]);
		strbuf_addstr(sb, "</title></text>");
		for (int st = 0; st < ST_COUNT; st++) {
			size_t count = cr->test_status[i][st];
			if (!count)
				continue;
			double w = bar_w * (double)count / total;
			strbuf_addf(sb,
				    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
				    "fill=\"%s\">"
				    "<title>%zu %s</title></rect>",
				    x, y + 2, w, row_h - 6, report_statuses[st].color, count,
				    report_statuses[st].name);
			x += w;
		}
		strbuf_addf(sb, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\">%.0f%% passed</text>",
			    bar_x + bar_w + 8, y + 17,
			    100.0 * (double)cr->test_status[i][ST_PASSED] / total);
	}
	strbuf_addstr(sb, "</svg><p class=\"legend\">");
	for (int st = 0; st < ST_COUNT; st++)
		strbuf_addf(sb, "<span><i style=\"background:%s\"></i>%s</span>",
			    report_statuses[st].color, report_statuses[st].name);
	strbuf_addstr(sb, "</p>");
}

/*
 * The k-th smallest (from 0) of the n scores in the work file, by
 * quickselect over the file: constant memory, an expected O(log n) passes.
 * Each pass counts the values below and equal to the pivot within the
 * range still open and samples the next pivot on either side (reservoir
 * sampling, a fixed-seed generator: the same class gives the same passes).
 */
static int kth_score(FILE *f, size_t n, size_t k, double *out)
{
	double lo = -INFINITY, hi = INFINITY, pivot = 0;
	size_t below = 0; /* values <= lo */
	uint64_t rng = 0x9e3779b97f4a7c15u;
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0 || fread(&pivot, sizeof(pivot), 1, f) != 1)
		return error_errno("class report: cannot read back the scores");
	for (;;) {
		size_t lt = 0, eq = 0, gt = 0, seen = 0;
		double next_lo = pivot, next_hi = pivot, v;
		if (fseek(f, 0, SEEK_SET) != 0)
			return error_errno("class report: cannot read back the scores");
		while (fread(&v, sizeof(v), 1, f) == 1) {
			seen++;
			if (!(v > lo && v < hi))
				continue;
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			if (v < pivot && rng % ++lt == 0)
				next_lo = v;
			else if (v > pivot && rng % ++gt == 0)
				next_hi = v;
			eq += v == pivot;
		}
		if (ferror(f) || seen != n)
			return error_errno("class report: cannot read back the scores");
		if (k < below + lt) {
			hi = pivot;
			pivot = next_lo;
		} else if (k < below + lt + eq) {
			*out = pivot;
			return 0;
		} else {
			below += lt + eq;
			lo = pivot;
			pivot = next_hi;
		}
	}
}

static int html_head(struct strbuf *sb, const struct class_report *cr)
{
	char mean[40], median[40], max[40];
	report_fmt_num(max, cr->max_points);
	size_t n = cr->nstudents - cr->nmissing;
	if (n) {
		double lo, hi;
		if (kth_score(cr->scores, n, (n - 1) / 2, &lo) < 0 ||
		    kth_score(cr->scores, n, n / 2, &hi) < 0)
			return -1;
		report_fmt_num(median, (lo + hi) / 2);
		report_fmt_num(mean, cr->score_sum / (double)n);
	} else {
		strcpy(mean, "\xe2\x80\x94");
		strcpy(median, mean);
	}
	strbuf_addstr(
	    sb,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	report_add_markup(sb, cr->title);
	strbuf_addf(sb,
		    " \xe2\x80\x94 class "
		    "report</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>",
		    html_style);
	report_add_markup(sb, cr->title);
	strbuf_addstr(sb, "</h1><p class=\"meta\">Assignment <code>");
	report_add_markup(sb, cr->assignment);
	strbuf_addf(sb, "</code> \xc2\xb7 graded by grader %s</p></header>\n<main>\n",
		    GRADER_VERSION);
	strbuf_addf(sb,
		    "<section id=\"overview\"><h2>Overview</h2>\n<dl class=\"stats\">"
		    "<div><dt>Students</dt><dd id=\"nstudents\">%zu</dd></div>"
		    "<div><dt>Mean score</dt><dd>%s / %s</dd></div>"
		    "<div><dt>Median score</dt><dd>%s / %s</dd></div>"
		    "<div><dt>Passed every test</dt><dd>%zu</dd></div>",
		    cr->nstudents, mean, max, median, max, cr->all_passed);
	if (cr->nmissing)
		strbuf_addf(sb,
			    "<div><dt>Without a report</dt><dd id=\"nmissing\">%zu</dd></div></dl>\n"
			    "<div class=\"note\" id=\"missing\"><h3>Without a report (%zu)</h3>"
			    "<p>Not graded yet, or the grader could not write their report: no "
			    "score, every test shown as <code>error</code>, left out of the "
			    "statistics.</p><ul class=\"missing\">\n",
			    cr->nmissing, cr->nmissing);
	else
		strbuf_addstr(sb, "</dl>\n");
	return 0;
}

/* What follows the list of students without a report: the charts and the grid's head. */
static void html_grid_head(struct strbuf *sb, const struct class_report *cr)
{
	char max[40];
	if (cr->nmissing)
		strbuf_addstr(sb, "</ul></div>\n");
	strbuf_addstr(sb,
		      "<div class=\"charts\"><figure><figcaption>Score distribution</figcaption>");
	html_histogram(sb, cr);
	strbuf_addstr(sb, "</figure><figure><figcaption>Results per test</figcaption>");
	html_test_chart(sb, cr);
	strbuf_addstr(sb, "</figure></div>\n<h3>Tests</h3><ol class=\"test-names\">");
	for (size_t i = 0; i < cr->ntests; i++) {
		strbuf_addstr(sb, "<li>");
		report_add_markup(sb, cr->test_names[i]);
		strbuf_addf(sb, " <span class=\"pts\">(%s points)</span></li>",
			    report_fmt_num(max, cr->test_points[i]));
	}
	strbuf_addstr(sb, "</ol>\n<div class=\"table-wrap\"><table class=\"grid\"><thead><tr>"
			  "<th scope=\"col\">Student</th><th scope=\"col\">Score</th>");
	for (size_t i = 0; i < cr->ntests; i++) {
		strbuf_addstr(sb, "<th scope=\"col\" title=\"");
		report_add_attr(sb, cr->test_names[i]);
		strbuf_addf(sb, "\">%zu</th>", i + 1);
	}
	strbuf_addstr(sb, "</tr></thead>\n<tbody>\n");
}

int report_html_write(const struct class_report *cr)
{
	struct strbuf grid = STRBUF_INIT;
	strbuf_init(&grid);
	html_grid_head(&grid, cr);
	const struct report_part parts[] = {
	    {cr->html_missing, grid.buf},
	    {cr->html_rows, "</tbody></table></div>\n</section>\n"},
	    {cr->html_sections, "</main>\n</body>\n</html>\n"},
	};
	int ret = class_report_write(cr, "index.html", html_head, parts, ARRAY_SIZE(parts));
	strbuf_release(&grid);
	return ret;
}
