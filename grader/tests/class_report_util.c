/* class_report_util: the class report tests' fixture and builders (class_report_util.h). */
#include "class_report_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class_report.h"
#include "util.h"

char *scratch;

void class_report_util_setup(void)
{
	const char *root = getenv("GRADER_ROOT");
	if (root)
		cr_assert_eq(chdir(root), 0, "chdir %s", root);
	scratch = make_scratch_dir("class_report-test");
	cr_assert_not_null(scratch, "%s", error_last());
}

void class_report_util_teardown(void)
{
	if (scratch)
		remove_tree(scratch);
	free(scratch);
	scratch = NULL;
}

json_t *check(const char *kind, bool ok, const char *message, const char *diff)
{
	json_t *c = json_pack("{s:s, s:b, s:s}", "kind", kind, "ok", ok, "message", message);
	if (diff)
		json_object_set_new(c, "diff", json_string(diff));
	return c;
}

json_t *test(const char *name, const char *status, double score, double max, bool hidden,
	     json_t *checks, const char *diagnosis)
{
	return json_pack("{s:s, s:s, s:f, s:f, s:f, s:i, s:i, s:o, s:s, s:b}", "name", name,
			 "status", status, "score", score, "max_score", max, "seconds", 0.004,
			 "runs", 1, "passed_runs", !strcmp(status, "passed"), "checks",
			 checks ? checks : json_array(), "diagnosis", diagnosis ? diagnosis : "",
			 "hidden", hidden);
}

json_t *report(const char *student, double score, double max, bool build_ok,
	       const char *build_output, json_t *tests)
{
	return json_pack("{s:s, s:s, s:s, s:f, s:f, s:s, s:[s], s:{s:b, s:f, s:s}, s:o}",
			 "grader_version", "0.1.0", "assignment", "pipes", "submission", student,
			 "score", score, "max_score", max, "isolation", "partial",
			 "isolation_missing", "seccomp", "build", "ok", build_ok, "seconds", 0.25,
			 "output", build_output, "tests", tests);
}

char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, NULL);
}

char *out_path(const char *name)
{
	return path_join(scratch, name);
}

size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

const char *const two_names[2] = {"a, b \"c\"", "plain"};
const double two_points[2] = {10, 5};

void write_small_class(unsigned what)
{
	struct class_report *cr =
	    class_report_new(scratch, what, "pipes", "Pipes <&> \"lab\"", two_names, two_points, 2);
	cr_assert_not_null(cr, "%s", error_last());

	json_t *r = report(
	    "O'Brien, \"Bob\"", 12.5, 15, true, "",
	    json_pack(
		"[o, o]", test("a, b \"c\"", "passed", 10, 10, false, NULL, NULL),
		test("plain", "failed", 2.5, 5, false,
		     json_pack("[o]", check("stdout", false, "first <message>",
					    "--- expected\n+++ actual\n@@ -1 +1 @@\n-x\n+y\n")),
		     NULL)));
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	json_decref(r);

	/* Student output with control bytes, "]]>", a script and invalid UTF-8. */
	static const char nasty[] =
	    "out\x01put\x1b[31m ]]> <script>document.body.setAttribute('data-pwned','1')</script> "
	    "\xff\xfe end\x00tail";
	json_t *checks = json_array();
	json_t *c = check("stdout", false, "differs", NULL);
	json_object_set_new(c, "diff", json_stringn_nocheck(nasty, sizeof(nasty) - 1));
	json_array_append_new(checks, c);
	json_array_append_new(checks,
			      check("cleanup.fds", false, "fd 4 -> pipe:[1] still open", NULL));
	r = report(
	    "multi\nline", 0, 15, true, "",
	    json_pack("[o, o]",
		      test("a, b \"c\"", "timeout", 0, 10, false, checks, "blocked reading a pipe"),
		      test("plain", "error", 0, 5, true,
			   json_pack("[o]", check("error", false, "fixture missing", NULL)),
			   NULL)));
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	json_decref(r);

	/* A build failure, and a report from an older spec that lacks test 2. */
	r = report(
	    "eve", 0, 15, false, "eve.c:3: error: expected ';' <here>",
	    json_pack("[o]", test("a, b \"c\"", "build_failed", 0, 10, false,
				  json_pack("[o]", check("build", false, "the build failed", NULL)),
				  NULL)));
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	json_decref(r);

	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
}

void add_report(struct class_report *cr, json_t *r)
{
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	json_decref(r);
}

char *finished(struct class_report *cr, const char *name)
{
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
	char *path = out_path(name);
	char *text = slurp(path);
	free(path);
	return text;
}
