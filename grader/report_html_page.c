/*
 * report_html_page.c: the page around the students of index.html
 * (report_html.h): the head with the statistics, the lists at the top,
 * the charts, the grid's head and the script that sorts and filters it,
 * rendered once the whole class is in, from the core's counters and
 * work files.
 */
#include "report_html.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "report_json.h" /* GRADER_VERSION */
#include "roster.h"
#include "util.h"

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
    ".charts{display:flex;flex-wrap:wrap;gap:2em}.charts figure{margin:1em 0;flex:1 1 300px;"
    "min-width:0}"
    ".charts svg{width:100%;height:auto}figcaption{font-weight:600}\n"
    ".legend span{display:inline-block;margin-right:1em;font-size:.85em}"
    ".legend "
    "i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}\n"
    ".table-wrap{overflow-x:auto}table{border-collapse:collapse}\n"
    "th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "table.grid td.st{text-align:center;font-size:.85em;white-space:nowrap}"
    "td.score,.pts{white-space:nowrap}table.grid th[scope=row]{overflow-wrap:anywhere;"
    "min-width:4em}\n"
    "table.grid th button{font:inherit;font-weight:600;border:0;padding:0;background:none;"
    "color:inherit;cursor:pointer;text-align:left}"
    "th[aria-sort=ascending] button::after{content:\" \\25B2\"}"
    "th[aria-sort=descending] button::after{content:\" \\25BC\"}\n"
    ".controls{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.6em 0}"
    ".controls input,.controls select{font:inherit;max-width:100%}"
    ".controls input[type=number]{width:8em}\n"
    ".tchart{list-style:none;padding:0;margin:0}.tchart li{display:grid;"
    "grid-template-columns:minmax(0,1fr) minmax(4em,12em) 6.5em;gap:.5em;align-items:center;"
    "margin:.25em 0}.tname{overflow-wrap:anywhere}"
    ".tbar{display:flex;height:1.1em;background:#eee;border-radius:2px;overflow:hidden}"
    ".tbar i{display:block;height:100%}.tpct{font-size:.85em;white-space:nowrap}\n"
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
    /* Hundreds of students' sections: the browser lays out those on the screen alone. */
    "section.student{content-visibility:auto;contain-intrinsic-size:auto 900px}\n"
    "@media (max-width:700px){body{padding:.5em}.stats{gap:.8em}h2{font-size:1.2em}}\n"
    /* A phone held upright: the grid's test columns stay on the screen. */
    "@media (max-width:500px){table.grid th,table.grid td{padding:.15em .25em}"
    "table.grid td.st{font-size:.7em}table.grid th[scope=row]{max-width:7em}"
    ".tchart li{grid-template-columns:minmax(0,1fr) 5em 5.5em}}\n"
    "@media print{body{max-width:none;font-size:10pt}section.student{break-before:page}"
    "a{color:inherit;text-decoration:none}.top{display:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}pre{white-space:pre-wrap}}\n";

/*
 * Sorts the grid by a click on a column's head (student, score, a test's
 * status) and filters it (name, score below, a status in any or one
 * test).  It builds its controls itself: without it the page shows the
 * grid as written, in order of name.  It contains no "</".
 */
static const char html_script[] =
    "(function () {\n"
    "var t = document.querySelector('table.grid');\n"
    "if (!t || !t.tBodies.length) return;\n"
    "var body = t.tBodies[0], heads = t.tHead.rows[0].cells, n = heads.length - 2;\n"
    "var rows = Array.prototype.slice.call(body.rows);\n"
    "var order = ['passed', 'failed', 'timeout', 'crashed', 'build_failed', 'error', 'missing'];\n"
    "rows.forEach(function (r, k) {\n"
    "r.k = k;\n"
    "r.score = parseFloat(r.getAttribute('data-score'));\n"
    "r.name = r.cells[0].textContent.toLowerCase();\n"
    "r.st = [];\n"
    "for (var i = 0; i < n; i++) {\n"
    "var m = /st-([a-z_]+)/.exec(r.cells[i + 2].className);\n"
    "r.st.push(m ? m[1] : 'missing');\n"
    "}\n"
    "});\n"
    "function el(tag, attrs, text) {\n"
    "var e = document.createElement(tag);\n"
    "for (var a in attrs) e.setAttribute(a, attrs[a]);\n"
    "if (text) e.textContent = text;\n"
    "return e;\n"
    "}\n"
    "function options(select, list) {\n"
    "list.forEach(function (o) { select.appendChild(el('option', {value: o[0]}, o[1])); });\n"
    "return select;\n"
    "}\n"
    "var q = el('input', {type: 'search', placeholder: 'name', 'aria-label': 'Students whose name "
    "has'});\n"
    "var below = el('input', {type: 'number', min: '0', step: 'any', placeholder: 'score below', "
    "'aria-label': 'Score below'});\n"
    "var st = options(el('select', {'aria-label': 'Status'}),\n"
    "[['', 'any result'], ['passed', 'passed'], ['not_passed', 'not passed']].concat(\n"
    "order.slice(1).map(function (s) { return [s, s]; })));\n"
    "var tests = [['', 'in every test']];\n"
    "for (var i = 0; i < n; i++) tests.push([String(i), 'in test ' + (i + 1) + ': ' + heads[i + "
    "2].title]);\n"
    "var which = options(el('select', {'aria-label': 'Test'}), tests);\n"
    "var count = el('span', {'class': 'meta', 'aria-live': 'polite'});\n"
    "var box = el('div', {'class': 'controls', role: 'search'});\n"
    "[q, below, st, which, count].forEach(function (e) { box.appendChild(e); });\n"
    "t.parentNode.parentNode.insertBefore(box, t.parentNode);\n"
    "function keep(r) {\n"
    "if (q.value && r.name.indexOf(q.value.toLowerCase()) < 0) return false;\n"
    "var lim = parseFloat(below.value);\n"
    "if (!isNaN(lim) && !(r.score >= 0 && r.score < lim)) return false;\n"
    "var s = st.value, w = which.value;\n"
    "if (!s) return true;\n"
    "var cells = w === '' ? r.st : [r.st[+w]];\n"
    "if (s === 'passed' && w === '') return cells.every(function (c) { return c === 'passed'; });\n"
    "return cells.some(function (c) { return s === 'not_passed' ? c !== 'passed' : c === s; });\n"
    "}\n"
    "function filter() {\n"
    "var shown = 0;\n"
    "rows.forEach(function (r) { var k = keep(r); r.hidden = !k; shown += k; });\n"
    "count.textContent = shown + ' of ' + rows.length + ' students';\n"
    "}\n"
    "var key = -2, dir = 1;\n"
    "function compare(a, b) {\n"
    "if (key === -1) return dir * (a.score - b.score) || a.k - b.k;\n"
    "if (key >= 0) return dir * (order.indexOf(a.st[key]) - order.indexOf(b.st[key])) || b.score - "
    "a.score || a.k - b.k;\n"
    "return dir * (a.k - b.k);\n"
    "}\n"
    "function sort(k) {\n"
    "dir = k === key ? -dir : 1;\n"
    "key = k;\n"
    "rows.sort(compare);\n"
    "var f = document.createDocumentFragment();\n"
    "rows.forEach(function (r) { f.appendChild(r); });\n"
    "body.appendChild(f);\n"
    "for (var i = 0; i < heads.length; i++)\n"
    "heads[i].setAttribute('aria-sort', i - 2 === key ? (dir > 0 ? 'ascending' : 'descending') : "
    "'none');\n"
    "}\n"
    "Array.prototype.forEach.call(heads, function (h, i) {\n"
    "var b = el('button', {type: 'button', title: 'Sort by this column'}, h.textContent);\n"
    "h.textContent = '';\n"
    "h.appendChild(b);\n"
    "b.addEventListener('click', function () { sort(i - 2); });\n"
    "});\n"
    "[q, below, st, which].forEach(function (e) { e.addEventListener('input', filter); });\n"
    "filter();\n"
    "})();\n";

/*
 * The Content Security Policy runs this script alone, by its SHA-256: a
 * student's text that escaping let through could still run nothing, and
 * nothing is fetched.  Change the script, change this: the script's test in
 * test_report_html.c fails otherwise (base64 of the SHA-256 of html_script).
 */
#define HTML_SCRIPT_SHA256 "JcJshDTgAJhvGPKkNY/OEeoySHZWAGmvGHnwmFet1rQ="

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

/* One stacked bar per test: how many students got each status; the names wrap, never cut. */
static void html_test_chart(struct strbuf *sb, const struct class_report *cr)
{
	size_t graded = cr->nstudents - cr->nmissing;
	double total = graded ? (double)graded : 1;
	strbuf_addstr(sb, "<ol class=\"tchart\" aria-label=\"Results per test\">");
	for (size_t i = 0; i < cr->ntests; i++) {
		strbuf_addf(sb, "<li><span class=\"tname\">%zu. ", i + 1);
		report_add_markup(sb, cr->test_names[i]);
		strbuf_addstr(sb, "</span><span class=\"tbar\">");
		for (int st = 0; st < ST_COUNT; st++) {
			size_t count = cr->test_status[i][st];
			if (count)
				strbuf_addf(
				    sb,
				    "<i style=\"width:%.2f%%;background:%s\" title=\"%zu %s\"></i>",
				    100.0 * (double)count / total, report_statuses[st].color, count,
				    report_statuses[st].name);
		}
		strbuf_addf(sb, "</span><span class=\"tpct\">%.0f%% passed</span></li>",
			    100.0 * (double)cr->test_status[i][ST_PASSED] / total);
	}
	strbuf_addstr(sb, "</ol><p class=\"legend\">");
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

/* The roster's students none of whose folder's reports came in: they have no submission. */
static size_t roster_unseen(const struct class_report *cr)
{
	size_t n = 0;
	for (size_t i = 0; cr->roster && i < cr->roster->n; i++)
		n += !cr->roster->rows[i].seen;
	return n;
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
		/* To a hundredth of a point: 8.33, not 8.333333. */
		report_fmt_num(mean, round(cr->score_sum / (double)n * 100) / 100);
	} else {
		strcpy(mean, "\xe2\x80\x94");
		strcpy(median, mean);
	}
	strbuf_addstr(
	    sb,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'sha256-" HTML_SCRIPT_SHA256 "'\">\n"
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
		strbuf_addf(sb, "<div><dt>Without a report</dt><dd id=\"nmissing\">%zu</dd></div>",
			    cr->nmissing);
	if (cr->roster)
		strbuf_addf(sb,
			    "<div><dt>Not on the roster</dt><dd id=\"nunmatched\">%zu</dd></div>"
			    "<div><dt>No submission</dt><dd id=\"nunsubmitted\">%zu</dd></div>",
			    cr->nunmatched, roster_unseen(cr));
	strbuf_addstr(sb, "</dl>\n");
	if (cr->nmissing)
		strbuf_addf(sb,
			    "<div class=\"note\" id=\"missing\"><h3>Without a report (%zu)</h3>"
			    "<p>Not graded yet, or the grader could not write their report: no "
			    "score, every test shown as <code>error</code>, left out of the "
			    "statistics.</p><ul class=\"missing\">\n",
			    cr->nmissing);
	return 0;
}

/* A roster row as one line: its name or first identity, and its folder when it names one. */
static void html_roster_row(struct strbuf *sb, const struct roster_row *row)
{
	static const enum roster_field who[] = {ROSTER_NAME,	     ROSTER_USERNAME,
						ROSTER_SIS_LOGIN_ID, ROSTER_EMAIL,
						ROSTER_SIS_USER_ID,  ROSTER_ID};
	const char *name = "";
	for (size_t i = 0; i < ARRAY_SIZE(who) && !*name; i++)
		name = row->f[who[i]];
	strbuf_addstr(sb, "<li>");
	report_add_markup(sb, *name ? name : "(a row with no name)");
	if (*row->f[ROSTER_FOLDER]) {
		strbuf_addstr(sb, " <span class=\"meta\">(folder <code>");
		report_add_markup(sb, row->f[ROSTER_FOLDER]);
		strbuf_addstr(sb, "</code>)</span>");
	}
	strbuf_addf(sb, " <span class=\"meta\">line %zu</span></li>\n", row->line);
}

/* What closes the list of students without a report and opens that of the folders the roster does
 * not name. */
static void html_lists_middle(struct strbuf *sb, const struct class_report *cr)
{
	if (cr->nmissing)
		strbuf_addstr(sb, "</ul></div>\n");
	if (cr->nunmatched)
		strbuf_addf(sb,
			    "<div class=\"note\" id=\"unmatched\"><h3>Not on the roster (%zu)</h3>"
			    "<p>Folders that no row of the roster names: graded, but in no LMS "
			    "gradebook until the roster gives their folder.</p><ul>\n",
			    cr->nunmatched);
}

/* What follows: the end of that list, the roster's students without a submission, the charts and
 * the grid's head. */
static void html_grid_head(struct strbuf *sb, const struct class_report *cr)
{
	char max[40];
	if (cr->nunmatched)
		strbuf_addstr(sb, "</ul></div>\n");
	size_t unseen = roster_unseen(cr);
	if (unseen) {
		strbuf_addf(sb,
			    "<div class=\"note\" id=\"unsubmitted\"><h3>No submission (%zu)</h3>"
			    "<p>Students of the roster ",
			    unseen);
		report_add_markup(sb, cr->roster->path);
		strbuf_addstr(sb, " with no folder among the submissions: 0 in the LMS "
				  "gradebook.</p><ul>\n");
		for (size_t i = 0; i < cr->roster->n; i++)
			if (!cr->roster->rows[i].seen)
				html_roster_row(sb, &cr->roster->rows[i]);
		strbuf_addstr(sb, "</ul></div>\n");
	}
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
	struct strbuf middle = STRBUF_INIT, grid = STRBUF_INIT, end = STRBUF_INIT;
	strbuf_init(&middle);
	strbuf_init(&grid);
	strbuf_init(&end);
	html_lists_middle(&middle, cr);
	html_grid_head(&grid, cr);
	strbuf_addf(&end, "</main>\n<script>%s</script>\n</body>\n</html>\n", html_script);
	const struct report_part parts[] = {
	    {cr->html_missing, middle.buf},
	    {cr->html_unmatched, grid.buf},
	    {cr->html_rows, "</tbody></table></div>\n</section>\n"},
	    {cr->html_sections, end.buf},
	};
	int ret = class_report_write(cr, "index.html", html_head, parts, ARRAY_SIZE(parts));
	strbuf_release(&middle);
	strbuf_release(&grid);
	strbuf_release(&end);
	return ret;
}
