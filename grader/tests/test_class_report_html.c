/*
 * class_report: index.html — self-contained and escaped, the process tree
 * of a trace, rendered by headless Chromium — its statistics, and how
 * class_report fails.  The suite's fixture and the other reports are in
 * test_class_report.c.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class_report.h"
#include "class_report_util.h"
#include "scratch_util.h"
#include "util.h"

#define CHROMIUM "/usr/bin/chromium"

/* ---- index.html ------------------------------------------------------ */

static json_t *trace_report(void)
{
	json_error_t jerr;
	json_t *r = json_load_file(FIXTURES "trace_carol.json", 0, &jerr);
	cr_assert_not_null(r, "%s: %s", FIXTURES "trace_carol.json", jerr.text);
	return r;
}

static const char *const dup2_names[] = {"lecture directory (a file name with a space)",
					 "another directory", "directory with nothing to list"};
static const double dup2_points[] = {10, 5, 5};

Test(class_report, html_is_self_contained_and_escaped)
{
	write_small_class(CLASS_REPORT_HTML);
	char *path = out_path("index.html");
	char *html = slurp(path);
	cr_expect_eq(count(html, "<tr class=\"student-row\" data-score="), 3);
	cr_expect(
	    strstr(
		html,
		"<a href=\"#student-O.27Brien.2C.20.22Bob.22\">O&#39;Brien, &quot;Bob&quot;</a>"),
	    "%s", html);
	cr_expect(
	    strstr(html, "<section class=\"student\" id=\"student-O.27Brien.2C.20.22Bob.22\">"));
	cr_expect(strstr(html, "id=\"student-multi.0Aline\""));
	cr_expect(strstr(
	    html, "<title>Pipes &lt;&amp;&gt; &quot;lab&quot; \xe2\x80\x94 class report</title>"));
	/* Nothing from the network, no script but the page's own (student text escaped). */
	static const char *const banned[] = {"http://", "https://", " src=", "<link",
					     "@import", "url(",	    "<iframe"};
	for (size_t i = 0; i < ARRAY_SIZE(banned); i++)
		cr_expect_null(strstr(html, banned[i]), "index.html contains %s", banned[i]);
	cr_expect_eq(count(html, "<script"), 1, "the page's one script");
	cr_expect(strstr(html, "<script>(function () {"), "inline, nothing fetched");
	cr_expect(strstr(html, "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;"
			       "1&#39;)&lt;/script&gt;"));
	cr_expect(strstr(html, "<svg viewBox=\"0 0 600 220\""), "the histogram");
	cr_expect(strstr(html, "aria-label=\"Results per test\""), "the per-test chart");
	cr_expect(strstr(html, "<h3>The build failed</h3><pre>eve.c:3: error: expected &#39;;&#39; "
			       "&lt;here&gt;</pre>"));
	cr_expect(strstr(html, "<td class=\"st st-missing\""), "eve's report lacks test 2");
	cr_expect(strstr(html, "<span class=\"d-add\">+y\n</span>"), "diff lines are marked");
	cr_expect(strstr(
	    html, "<p class=\"diagnosis\"><strong>Diagnosis:</strong> blocked reading a pipe</p>"));
	cr_expect(strstr(html, "hidden from students"));
	free(html);
	free(path);
}

Test(class_report, html_draws_the_process_tree_of_a_trace)
{
	struct class_report *cr = class_report_new(scratch, CLASS_REPORT_HTML, "dup2_pipeline",
						   NULL, dup2_names, dup2_points, 3);
	cr_assert_not_null(cr, "%s", error_last());
	json_t *r = trace_report();
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	/* A broken trace: a ppid cycle and no events must not hang or crash. */
	json_t *t0 = json_array_get(json_object_get(r, "tests"), 0);
	json_object_set_new(json_object_get(t0, "trace"), "processes",
			    json_pack("[{s:i, s:i, s:s}, {s:i, s:i, s:s}]", "pid", 7, "ppid", 8,
				      "exe", "x", "pid", 8, "ppid", 7, "exe", "y"));
	json_object_del(json_object_get(t0, "trace"), "events");
	json_object_set_new(r, "submission", json_string("cycle"));
	add_report(cr, r);

	char *html = finished(cr, "index.html");
	cr_expect(strstr(html, "<ul class=\"ptree\"><li><code>pid 1</code> ./dup2 lecture dir "
			       "<span class=\"exit\">exit 0</span>"
			       "<ul><li><code>pid 2</code> ls -1 lecture dir"),
		  "%s", html);
	cr_expect(strstr(html, "<code>pid 3</code> /usr/bin/wc <span class=\"exit\">exit killed by "
			       "SIGKILL (timeout)</span>"));
	cr_expect(strstr(html, "<td>read</td><td>0, &lt;buf&gt;, 4096</td><td>blocked</td>"), "%s",
		  html);
	cr_expect(strstr(html, "<code>pid 7</code> x"), "a cycle is still drawn");
	cr_expect(strstr(html, "<code>pid 8</code> y"));
	cr_expect(strstr(html, "1 of 3 runs passed"));
	cr_expect(strstr(html, "<dt>Median score</dt><dd>5 / 20</dd>"), "%.2000s", html);
	/* Whole scores of at most 20 points: a bin per point. */
	cr_expect(strstr(html, "<title>2 students: 5 points</title>"), "%.4000s", html);
	free(html);
}

Test(class_report, html_renders_in_headless_chromium)
{
	cr_assert(access(CHROMIUM, X_OK) == 0,
		  CHROMIUM " is missing: it is a test dependency (Debian package chromium; `make "
			   "deps` installs it)");
	write_small_class(CLASS_REPORT_HTML);
	char *home = out_path("home");
	cr_assert_eq(mkdir_p(home, 0700), 0);
	char *cmd = xasprintf(
	    "cd %s && HOME=%s timeout 60 " CHROMIUM " --headless --no-sandbox --disable-gpu "
	    "--disable-dev-shm-usage --no-first-run --dump-dom file://%s/index.html "
	    ">dom.html 2>chromium.err",
	    scratch, home, scratch);
	int rc = system(cmd);
	char *dom_path = out_path("dom.html"), *err_path = out_path("chromium.err");
	char *dom = slurp(dom_path);
	char *err = slurp(err_path);
	cr_assert_eq(rc, 0, "chromium failed (status %d): %.2000s", rc, err);
	cr_expect_eq(count(dom, "<tr class=\"student-row\" data-score="), 3, "%.3000s", dom);
	cr_expect(strstr(dom, "O'Brien, \"Bob\"</a>"), "%.3000s", dom);
	cr_expect(strstr(dom, ">multi\nline</a>"));
	cr_expect(strstr(dom, ">eve</a>"));
	cr_expect(strstr(dom, "<svg viewBox=\"0 0 600 220\""), "the histogram is parsed as SVG");
	cr_expect(strstr(dom, "setAttribute('data-pwned','1')"), "the script is shown as text");
	cr_expect_null(strstr(dom, "data-pwned=\"1\""), "a student's script ran");
	cr_expect_eq(count(dom, "<script"), 1, "a student's script became an element");
	free(dom);
	free(err);
	free(dom_path);
	free(err_path);
	free(cmd);
	free(home);
}

/* ---- statistics, failure, scale -------------------------------------- */

static json_t *score_only(const char *student, double score)
{
	return report(student, score, 20, true, "",
		      json_pack("[o]", test("t", score == 20 ? "passed" : "failed", score, 20,
					    false, NULL, NULL)));
}

/*
 * index.html of a class of one 20-point test where student i, named s<i>,
 * scored scores[i]; the student at index missing (none: -1) is a stand-in
 * for a report that is missing, named "<lost>".
 */
static char *html_of_scores(const double *scores, size_t n, long missing)
{
	static const char *const names[] = {"t"};
	static const double points[] = {20};
	struct class_report *cr =
	    class_report_new(scratch, CLASS_REPORT_HTML, "a", NULL, names, points, 1);
	cr_assert_not_null(cr);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), (long)i == missing ? "<lost>" : "s%zu", i);
		json_t *r = score_only(name, scores[i]);
		if ((long)i == missing)
			json_object_set_new(r, "report_missing", json_true());
		add_report(cr, r);
	}
	return finished(cr, "index.html");
}

Test(class_report, mean_median_and_histogram)
{
	static const double scores[] = {20, 0, 7.5, 10, 5, 7};
	char *html = html_of_scores(scores, ARRAY_SIZE(scores), -1);
	/* Sorted: 0 5 7 7.5 10 20: median (7 + 7.5) / 2, mean 49.5 / 6. */
	cr_expect(strstr(html, "<dt>Median score</dt><dd>7.25 / 20</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "<dt>Mean score</dt><dd>8.25 / 20</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "<dt>Passed every test</dt><dd>1</dd>"));
	/* Ten bins of 2 points: two students in 6-8. */
	cr_expect(strstr(html, "<title>2 students: 6\xe2\x80\x93"
			       "8 points</title>"),
		  "%.4000s", html);
	cr_expect(strstr(html, "<title>1 student: 18\xe2\x80\x93"
			       "20 points</title>"));
	cr_expect(strstr(html, "17% passed"), "1 of 6 passed the test");
	free(html);
}

/*
 * A stand-in for a missing report (grader report, batch) has a row and a
 * section, is listed at the top, and counts in no statistic: its 0 is no
 * score.
 */
Test(class_report, a_missing_report_is_listed_and_left_out_of_the_statistics)
{
	static const double scores[] = {20, 0, 10};
	char *html = html_of_scores(scores, ARRAY_SIZE(scores), 1);
	cr_expect(strstr(html, "<dd id=\"nstudents\">3</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "<dd id=\"nmissing\">1</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "<li><a href=\"#student-.3Clost.3E\">&lt;lost&gt;</a></li>"),
		  "%.4000s", html);
	cr_expect(strstr(html, "<dt>Mean score</dt><dd>15 / 20</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "<dt>Median score</dt><dd>15 / 20</dd>"), "%.3000s", html);
	cr_expect(strstr(html, "50% passed"), "1 of the 2 graded passed the test");
	/* A bar per point (whole scores of at most 20): 10 and 20, nobody at 0. */
	cr_expect(strstr(html, "<title>1 student: 20 points</title>"), "%.4000s", html);
	cr_expect(strstr(html, "<title>1 student: 10 points</title>"), "%.4000s", html);
	cr_expect(strstr(html, "<title>0 students: 0 points</title>"), "the stand-in's 0 is a bar");
	cr_expect(strstr(html, "id=\"student-.3Clost.3E\""), "its section");
	cr_expect(strstr(html, "no&nbsp;report"), "its row says it has no report");
	free(html);
}

Test(class_report, failures_say_why_and_leave_nothing_behind)
{
	char *file = out_path("a_file");
	cr_assert_eq(write_file_atomic(file, "x", 1), 0);
	char *below = path_join(file, "reports");
	cr_expect_null(
	    class_report_new(below, CLASS_REPORT_CSV, "a", NULL, two_names, two_points, 2));
	cr_expect(strstr(error_last(), "a_file"), "%s", error_last());

	char *dir = out_path("reports");
	struct class_report *cr =
	    class_report_new(dir, CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML, "a",
			     NULL, two_names, two_points, 2);
	cr_assert_not_null(cr, "%s", error_last());
	json_t *bad = json_pack("{s:s, s:s}", "submission", "zed", "score", "lots");
	cr_expect_eq(class_report_add(cr, bad), -1);
	cr_expect(strstr(error_last(), "zed"), "%s", error_last());
	json_decref(bad);
	bad = json_pack("{s:i}", "score", 1);
	cr_expect_eq(class_report_add(cr, bad), -1);
	cr_expect(strstr(error_last(), "submission"), "%s", error_last());
	json_decref(bad);
	json_t *r = score_only("ann", 3);
	cr_expect_eq(class_report_add(cr, r), 0);
	json_decref(r);
	cr_expect_eq(dir_entries(dir), 0, "the temporary files have no names");
	class_report_free(cr);
	cr_expect_eq(dir_entries(dir), 0);

	/* After finish: exactly the three reports, no temporaries. */
	cr = class_report_new(dir, CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML, "a",
			      NULL, two_names, two_points, 2);
	cr_assert_not_null(cr);
	cr_assert_eq(class_report_finish(cr), 0, "an empty class is fine: %s", error_last());
	class_report_free(cr);
	cr_expect_eq(dir_entries(dir), 3);
	char *html_path = path_join(dir, "index.html");
	char *html = slurp(html_path);
	cr_expect(strstr(html, "<dd id=\"nstudents\">0</dd>"));
	cr_expect(strstr(html, "<dt>Median score</dt><dd>\xe2\x80\x94 / 15</dd>"), "%.3000s", html);
	free(html);
	free(html_path);
	r = score_only("x", 1);
	cr_expect_neq(gradescope_results_write(r, "/nonexistent/results.json"), 0);
	cr_expect(strstr(error_last(), "gradescope") && strstr(error_last(), "/nonexistent"), "%s",
		  error_last());
	json_decref(r);
	free(dir);
	free(below);
	free(file);
}
