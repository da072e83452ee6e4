/*
 * index.html as a TA uses it, in headless Chromium: the table's script
 * runs under the page's Content Security Policy, sorts and filters the
 * class, and the page fits a 400 px wide screen; without the script the
 * page says the same.  Test names are never cut, the mean is rounded, and
 * the traces of passing tests are folded.  No timing is asserted: the
 * size and load time of large classes are bench/html_bench.sh's.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class_report.h"
#include "scratch_util.h"
#include "util.h"

#define CHROMIUM "/usr/bin/chromium"

SCRATCH_SUITE(report_html, .timeout = 180);

static const char long_name[] =
    "the pipeline of three processes counts the lines of every file in the fixture directory, "
    "including the ones whose names hold spaces, and exits with the status of the last one";
static const char *const test_names[] = {"prints", long_name, "cleans up"};
static const double test_points[] = {10, 5, 5};

/* A student whose tests got statuses st[0..2]; a traced run in the first. */
static json_t *student(const char *name, double score, const char *const st[3])
{
	json_t *tests = json_array();
	for (int i = 0; i < 3; i++) {
		bool passed = !strcmp(st[i], "passed");
		json_t *t = json_pack("{s:s, s:s, s:f, s:f, s:f, s:[]}", "name", test_names[i],
				      "status", st[i], "score", passed ? test_points[i] : 0.0,
				      "max_score", test_points[i], "seconds", 0.01, "checks");
		if (!passed)
			json_array_append_new(json_object_get(t, "checks"),
					      json_pack("{s:s, s:b, s:s}", "kind", "stdout", "ok",
							0, "message", "differs"));
		if (i == 0)
			json_object_set_new(
			    t, "trace",
			    json_pack("{s:[{s:i, s:i, s:[s]}], s:[{s:f, s:i, s:s, s:[], s:i}]}",
				      "processes", "pid", 2, "ppid", 1, "argv", "./prog", "events",
				      "t", 0.001, "pid", 2, "call", "pipe", "args", "result", 0));
		json_array_append_new(tests, t);
	}
	return json_pack("{s:s, s:s, s:f, s:f, s:s, s:{s:b, s:s}, s:o}", "assignment", "pipes",
			 "submission", name, "score", score, "max_score", 20.0, "isolation", "full",
			 "build", "ok", 1, "output", "", "tests", tests);
}

/* The class: index.html in scratch. */
static void write_class(void)
{
	static const struct {
		const char *name;
		double score;
		const char *st[3];
	} class[] = {
	    {"alice", 20, {"passed", "passed", "passed"}},
	    {"bob", 10, {"passed", "failed", "timeout"}},
	    {"carol", 0, {"crashed", "failed", "failed"}},
	    {"dave", 15, {"passed", "passed", "failed"}},
	    {"eve", 5, {"failed", "passed", "timeout"}},
	};
	struct class_report *cr = class_report_new(scratch, CLASS_REPORT_HTML, "pipes", "Pipes",
						   test_names, test_points, 3);
	cr_assert_not_null(cr, "%s", error_last());
	for (size_t i = 0; i < ARRAY_SIZE(class); i++) {
		json_t *r = student(class[i].name, class[i].score, class[i].st);
		cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
		json_decref(r);
	}
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, NULL);
}

/* Chromium's DOM of scratch/page once loaded (file access between local files allowed). */
static char *dom_of(const char *page)
{
	cr_assert(access(CHROMIUM, X_OK) == 0,
		  CHROMIUM " is missing: it is a test dependency (Debian package chromium)");
	char *cmd = xasprintf("cd %s && HOME=%s timeout 90 " CHROMIUM
			      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
			      "--no-first-run --allow-file-access-from-files --dump-dom "
			      "file://%s/%s >dom.html 2>chromium.err",
			      scratch, scratch, scratch, page);
	int rc = system(cmd);
	char *err_path = path_join(scratch, "chromium.err");
	char *err = slurp(err_path);
	cr_assert_eq(rc, 0, "chromium failed (status %d): %.2000s", rc, err);
	free(err);
	free(err_path);
	free(cmd);
	char *dom_path = path_join(scratch, "dom.html");
	char *dom = slurp(dom_path);
	free(dom_path);
	return dom;
}

/* The page as written: its script ran (under the page's CSP: the hash is right). */
Test(report_html, the_script_runs_under_the_page_s_content_security_policy)
{
	write_class();
	char *html_path = path_join(scratch, "index.html");
	char *html = slurp(html_path);
	cr_expect(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
			       "'none'; style-src 'unsafe-inline'; script-src 'sha256-"),
		  "%.600s", html);
	/* Without the script: no controls, the table in order of name. */
	cr_expect_null(strstr(html, "class=\"controls\""));
	const char *a = strstr(html, ">alice</a>"), *e = strstr(html, ">eve</a>");
	cr_expect(a && e && a < e, "rows in order of name");
	free(html);
	free(html_path);
	char *dom = dom_of("index.html");
	cr_expect(strstr(dom, "<div class=\"controls\" role=\"search\">"),
		  "the script did not run: is HTML_SCRIPT_SHA256 the SHA-256 of html_script? "
		  "%.3000s",
		  dom);
	cr_expect(strstr(dom, "5 of 5 students"), "%.3000s", dom);
	free(dom);
}

/*
 * The page in a 400 px frame, worked as a TA would: sorted by score both
 * ways and by a test's status, filtered by status, test, name and score.
 */
static const char frame[] =
    "<!DOCTYPE html><html><body style=\"margin:0\">"
    "<iframe id=\"f\" src=\"index.html\" style=\"width:400px;height:700px;border:0\"></iframe>"
    "<pre id=\"probe\"></pre><script>\n"
    "document.getElementById('f').addEventListener('load', function () {\n"
    "  var w = this.contentWindow, d = this.contentDocument, out = [];\n"
    "  function names() { return "
    "Array.prototype.filter.call(d.querySelectorAll('tr.student-row'),\n"
    "    function (r) { return !r.hidden; }).map(function (r) { return r.cells[0].textContent; "
    "}).join(','); }\n"
    "  function set(e, v) { e.value = v; e.dispatchEvent(new w.Event('input')); }\n"
    "  var heads = d.querySelectorAll('table.grid thead th button');\n"
    "  var c = d.querySelectorAll('.controls input, .controls select');\n"
    "  out.push('width:' + (d.documentElement.scrollWidth <= w.innerWidth ? 'fits' : 'wider'));\n"
    "  var t = d.querySelector('table.grid').getBoundingClientRect();\n"
    "  out.push('table:' + (t.right <= w.innerWidth ? 'fits' : 'wider'));\n"
    "  heads[1].click(); out.push('score-up:' + names());\n"
    "  heads[1].click(); out.push('score-down:' + names());\n"
    "  heads[4].click(); out.push('test3:' + names());\n"
    "  heads[0].click(); out.push('name:' + names());\n"
    "  set(c[2], 'timeout'); out.push('timeout:' + names());\n"
    "  set(c[3], '1'); set(c[2], 'failed'); out.push('failed-in-2:' + names());\n"
    "  set(c[2], 'not_passed'); set(c[3], '0'); out.push('not-passed-in-1:' + names());\n"
    "  set(c[3], ''); set(c[2], 'passed'); out.push('passed-all:' + names());\n"
    "  set(c[2], ''); set(c[0], 'CA'); out.push('name-ca:' + names());\n"
    "  set(c[0], ''); set(c[1], '12'); out.push('below-12:' + names());\n"
    "  out.push('count:' + d.querySelector('.controls .meta').textContent);\n"
    "  document.getElementById('probe').textContent = out.join('\\n');\n"
    "});\n</script></body></html>\n";

Test(report_html, a_ta_sorts_and_filters_the_class_on_a_400px_screen)
{
	write_class();
	char *frame_path = path_join(scratch, "frame.html");
	cr_assert_eq(write_file_atomic(frame_path, frame, strlen(frame)), 0);
	char *dom = dom_of("frame.html");
	static const char *const want[] = {
	    "width:fits",
	    "table:fits",
	    "score-up:carol,eve,bob,dave,alice",
	    "score-down:alice,dave,bob,eve,carol",
	    /* By test 3's status (passed, failed, timeout...), the higher score first. */
	    "test3:alice,dave,carol,bob,eve",
	    "name:alice,bob,carol,dave,eve",
	    "timeout:bob,eve",
	    "failed-in-2:bob,carol",
	    "not-passed-in-1:carol,eve",
	    "passed-all:alice",
	    "name-ca:carol",
	    "below-12:bob,carol,eve",
	    "count:3 of 5 students",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		cr_expect(strstr(dom, want[i]), "expected \"%s\" in:\n%.6000s", want[i],
			  strstr(dom, "<pre id=\"probe\">") ? strstr(dom, "<pre id=\"probe\">")
							    : dom);
	free(dom);
	free(frame_path);
}

Test(report_html, names_wrap_uncut_the_mean_is_rounded_passing_traces_are_folded)
{
	write_class();
	char *html_path = path_join(scratch, "index.html");
	char *html = slurp(html_path);
	char *full = xasprintf("<span class=\"tname\">2. %s</span>", long_name);
	cr_expect(strstr(html, full), "the test's name is cut in the chart");
	free(full);
	cr_expect_null(strstr(html, "\xe2\x80\xa6"), "an ellipsis: something was cut");
	/* (20 + 10 + 0 + 15 + 5) / 5. */
	cr_expect(strstr(html, "<dt>Mean score</dt><dd>10 / 20</dd>"), "%.3000s", html);
	/* alice passed test 1: its trace folded; carol crashed in it: open. */
	const char *alice = strstr(html, "<section class=\"student\" id=\"student-alice\">");
	const char *carol = strstr(html, "<section class=\"student\" id=\"student-carol\">");
	cr_assert(alice && carol);
	cr_expect(
	    !strncmp(strstr(alice, "<details class=\"trace\""), "<details class=\"trace\">", 23));
	cr_expect(!strncmp(strstr(carol, "<details class=\"trace\""),
			   "<details class=\"trace\" open>", 28));
	free(html);
	free(html_path);

	/* A mean that is no whole number: to a hundredth. */
	struct class_report *cr =
	    class_report_new(scratch, CLASS_REPORT_HTML, "pipes", NULL, test_names, test_points, 3);
	cr_assert_not_null(cr);
	static const char *const st[3] = {"passed", "failed", "failed"};
	double scores[] = {10, 0, 0};
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		json_t *r = student(name, scores[i], st);
		cr_assert_eq(class_report_add(cr, r), 0);
		json_decref(r);
	}
	cr_assert_eq(class_report_finish(cr), 0);
	class_report_free(cr);
	html_path = path_join(scratch, "index.html");
	html = slurp(html_path);
	cr_expect(strstr(html, "<dt>Mean score</dt><dd>3.33 / 20</dd>"), "%.3000s", html);
	free(html);
	free(html_path);
}
