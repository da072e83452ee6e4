/*
 * class_report: gradebook.csv, junit.xml, index.html and Gradescope's
 * results.json, read back the way their consumers read them — an RFC 4180
 * reader, an XML well-formedness checker (and xmllint against a JUnit
 * schema), jansson, and headless Chromium.  Here: gradebook.csv, junit.xml,
 * results.json, and a class of 2,000; index.html is test_class_report_html.c,
 * in the same suite.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <jansson.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
/* ASan's own count of live heap bytes (sanitizer/allocator_interface.h, not always installed). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "class_report.h"
#include "class_report_util.h"
#include "spec.h"
#include "util.h"

TestSuite(class_report, .init = class_report_util_setup, .fini = class_report_util_teardown,
	  .timeout = 180);

/* ---- gradebook.csv --------------------------------------------------- */

struct csv {
	struct strvec *rows;
	size_t n;
};

/* RFC 4180, strictly: CRLF after every record, quotes only around whole fields. */
static void csv_parse(const char *s, struct csv *csv)
{
	csv->rows = NULL;
	csv->n = 0;
	size_t cap = 0;
	while (*s) {
		csv->rows = xgrow(csv->rows, sizeof(*csv->rows), csv->n + 1, &cap);
		struct strvec *row = &csv->rows[csv->n++];
		strvec_init(row);
		for (;;) {
			struct strbuf field = STRBUF_INIT;
			strbuf_init(&field);
			if (*s == '"') {
				for (s++;; s++) {
					cr_assert(*s, "unterminated quoted field");
					if (*s == '"' && s[1] == '"')
						s++;
					else if (*s == '"')
						break;
					strbuf_addch(&field, *s);
				}
				s++;
			} else {
				for (; *s && *s != ',' && *s != '\r'; s++) {
					cr_assert(*s != '"' && *s != '\n',
						  "bare quote or LF in an unquoted field: %s", s);
					strbuf_addch(&field, *s);
				}
			}
			strvec_push_owned(row, strbuf_detach(&field, NULL));
			if (*s == ',') {
				s++;
				continue;
			}
			cr_assert(s[0] == '\r' && s[1] == '\n',
				  "a record must end in CRLF, got: %.20s", s);
			s += 2;
			break;
		}
	}
}

static void csv_free(struct csv *csv)
{
	for (size_t i = 0; i < csv->n; i++)
		strvec_clear(&csv->rows[i]);
	free(csv->rows);
}

static void assert_row(const struct strvec *row, const char *const *want, size_t n)
{
	cr_assert_eq(row->n, n, "row of %zu fields, want %zu", row->n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(row->v[i], want[i], "field %zu", i);
}

Test(class_report, csv_quotes_names_and_prints_plain_numbers)
{
	write_small_class(CLASS_REPORT_CSV);
	char *path = out_path("gradebook.csv");
	char *text = slurp(path);
	struct csv csv;
	csv_parse(text, &csv);
	cr_assert_eq(csv.n, 4, "%s", text);
	assert_row(&csv.rows[0],
		   (const char *const[]){"student", "score", "max_score", "a, b \"c\"", "plain"},
		   5);
	assert_row(&csv.rows[1],
		   (const char *const[]){"O'Brien, \"Bob\"", "12.5", "15", "10", "2.5"}, 5);
	assert_row(&csv.rows[2], (const char *const[]){"multi\nline", "0", "15", "0", "0"}, 5);
	/* A test missing from the report is an empty cell, not a zero. */
	assert_row(&csv.rows[3], (const char *const[]){"eve", "0", "15", "0", ""}, 5);
	cr_assert(strstr(text, "\"O'Brien, \"\"Bob\"\"\",12.5,15,10,2.5\r\n"), "%s", text);
	csv_free(&csv);
	free(text);
	free(path);
}

/*
 * OWASP's CSV injection advice: a cell a spreadsheet would take for a
 * formula (=, +, -, @, tab, CR first) gets a leading quote, inside quotes.
 * The grader's own numbers stay numbers.
 */
Test(class_report, csv_cells_a_spreadsheet_takes_for_formulas_are_neutralised)
{
	static const char *const names[] = {"=danger()"};
	static const double points[] = {1};
	struct class_report *cr = class_report_new(scratch, CLASS_REPORT_CSV, "pipes", NULL, names,
						   points, 1);
	cr_assert_not_null(cr, "%s", error_last());
	static const char *const students[] = {
	    "=HYPERLINK(\"http://x\",\"y\")", "-2+3", "+1", "@SUM(A1)", "\tx", "\rx",
	    "bob=1", "c1\xc2\x9b bidi\xe2\x80\xae"};
	for (size_t i = 0; i < sizeof(students) / sizeof(students[0]); i++)
		add_report(cr, report(students[i], 1, 1, true, "",
				      json_pack("[o]", test("=danger()", "passed", 1, 1, false,
							    NULL, NULL))));
	char *text = finished(cr, "gradebook.csv");
	struct csv csv;
	csv_parse(text, &csv);
	cr_assert_eq(csv.n, 9, "%s", text);
	assert_row(&csv.rows[0], (const char *const[]){"student", "score", "max_score", "'=danger()"},
		   4);
	static const char *const want[] = {
	    "'=HYPERLINK(\"http://x\",\"y\")", "'-2+3", "'+1", "'@SUM(A1)", "'\tx", "'\rx",
	    "bob=1", "c1\xef\xbf\xbd bidi\xef\xbf\xbd"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_row(&csv.rows[i + 1], (const char *const[]){want[i], "1", "1", "1"}, 4);
	cr_expect(strstr(text, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1,1,1\r\n"), "%s", text);
	cr_expect(strstr(text, "\"'-2+3\",1,1,1\r\n"), "%s", text);
	csv_free(&csv);
	free(text);
}

/* batch's stand-in for a report it could not read: no score to import, "error" in each cell. */
Test(class_report, a_missing_report_has_no_score_and_says_error)
{
	struct class_report *cr = class_report_new(scratch, CLASS_REPORT_CSV | CLASS_REPORT_JUNIT,
						   "pipes", NULL, two_names, two_points, 2);
	cr_assert_not_null(cr, "%s", error_last());
	json_t *r = report(
	    "lost", 0, 15, true, "",
	    json_pack("[o, o]",
		      test("a, b \"c\"", "error", 0, 10, false,
			   json_pack("[o]", check("error", false, "could not write the report", NULL)),
			   NULL),
		      test("plain", "error", 0, 5, false,
			   json_pack("[o]", check("error", false, "could not write the report", NULL)),
			   NULL)));
	json_object_set_new(r, "report_missing", json_true());
	add_report(cr, r);
	char *text = finished(cr, "gradebook.csv");
	cr_expect(strstr(text, "\r\nlost,,15,error,error\r\n"), "%s", text);
	free(text);
	char *path = out_path("junit.xml");
	text = slurp(path);
	cr_expect(strstr(text, "<error message=\"error: could not write the report\""), "%s", text);
	free(text);
	free(path);
}

/* ---- junit.xml ------------------------------------------------------- */

static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4	  ? 4
		   : s[0] >= 0xe0		  ? 3
		   : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
						  : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

#define XML_FAIL(...)                                                                              \
	do {                                                                                       \
		why = xasprintf(__VA_ARGS__);                                                      \
		goto out;                                                                          \
	} while (0)

/* An entity reference at s ("&...;"): one of the five, or a character reference. NULL if bad. */
static const char *xml_entity(const char *s)
{
	static const char *const names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(s, names[i], strlen(names[i])))
			return s + strlen(names[i]);
	if (s[1] != '#')
		return NULL;
	char *end;
	long cp = s[2] == 'x' ? strtol(s + 3, &end, 16) : strtol(s + 2, &end, 10);
	if (*end != ';' ||
	    !(cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp != 0xfffe && cp != 0xffff)))
		return NULL;
	return end + 1;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"

/*
 * A small XML 1.0 well-formedness checker for what junit.xml may contain:
 * a prolog, elements with quoted attributes, text, entity references; no
 * comments, CDATA or DTD.  Checks characters, escapes and nesting.
 * Returns NULL when well-formed, else why not (caller frees).
 */
static char *xml_problem(const char *doc)
{
	const char *s = doc;
	char *why = NULL, *name = NULL;
	struct strvec stack = STRVEC_INIT;
	strvec_init(&stack);
	bool root_seen = false;
	if (!strncmp(s, "<?xml", 5)) {
		if (!(s = strstr(s, "?>")))
			XML_FAIL("unterminated prolog");
		s += 2;
	}
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_len((const unsigned char *)s);
		if (!n)
			XML_FAIL("invalid UTF-8 at offset %td", s - doc);
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			XML_FAIL("byte 0x%02x at offset %td", c, s - doc);
		if (n == 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf &&
		    (unsigned char)s[2] >= 0xbe)
			XML_FAIL("U+FFFE/U+FFFF at offset %td", s - doc);
		if (c == '&') {
			if (!(s = xml_entity(s)))
				XML_FAIL("bad entity reference");
			continue;
		}
		if (c == '>' && s - doc >= 2 && s[-1] == ']' && s[-2] == ']')
			XML_FAIL("]]> in text at offset %td", s - doc);
		if (c != '<') {
			if (!stack.n && !strchr(" \t\r\n", c))
				XML_FAIL("text outside the root element at offset %td", s - doc);
			s += n;
			continue;
		}
		bool closing = s[1] == '/';
		s += closing ? 2 : 1;
		size_t len = strspn(s, NAME_CHARS);
		if (!len)
			XML_FAIL("a tag without a name at offset %td", s - doc);
		name = xstrndup(s, len);
		s += len;
		if (closing) {
			if (!stack.n || strcmp(stack.v[stack.n - 1], name))
				XML_FAIL("</%s> closes <%s>", name,
					 stack.n ? stack.v[stack.n - 1] : "(nothing)");
			free(stack.v[--stack.n]);
			stack.v[stack.n] = NULL;
			s += strspn(s, " \n");
			if (*s++ != '>')
				XML_FAIL("junk in </%s>", name);
			free(name);
			name = NULL;
			continue;
		}
		for (;;) {
			s += strspn(s, " \t\n\r");
			if (*s == '>' || (s[0] == '/' && s[1] == '>'))
				break;
			size_t alen = strspn(s, NAME_CHARS);
			if (!alen || s[alen] != '=' || (s[alen + 1] != '"' && s[alen + 1] != '\''))
				XML_FAIL("bad attribute in <%s>: %.30s", name, s);
			char q = s[alen + 1];
			for (s += alen + 2; *s != q;) {
				if (!*s || *s == '<')
					XML_FAIL("unterminated attribute or '<' in one, in <%s>",
						 name);
				if ((unsigned char)*s < 0x20 && !strchr("\t\n\r", *s))
					XML_FAIL("control byte in an attribute of <%s>", name);
				if (*s != '&')
					s++;
				else if (!(s = xml_entity(s)))
					XML_FAIL("bad entity reference in an attribute of <%s>",
						 name);
			}
			s++;
		}
		if (!stack.n && root_seen)
			XML_FAIL("a second root element <%s>", name);
		root_seen = true;
		if (*s == '/') {
			s += 2;
			free(name);
		} else {
			s++;
			strvec_push_owned(&stack, name);
		}
		name = NULL;
	}
	if (!root_seen)
		XML_FAIL("no root element");
	if (stack.n)
		XML_FAIL("<%s> is never closed", stack.v[stack.n - 1]);
out:
	free(name);
	strvec_clear(&stack);
	return why;
}

static void xml_check(const char *doc)
{
	char *why = xml_problem(doc);
	cr_assert_null(why, "not well-formed XML: %s", why);
}

Test(class_report, xml_checker_rejects_what_readers_reject)
{
	/* The checker itself must be able to fail, or the tests below prove nothing. */
	static const char *const bad[] = {
	    "<a><b></a></b>",  "<a>x & y</a>", "<a>\x01</a>", "<a>]]></a>",
	    "<a x=\"<\"/>",    "<a>\xff</a>",  "<a/><b/>",    "<a>&#1;</a>",
	    "<a x=\"\x1b\"/>", "<a>",	       "text",	      "<a>\xef\xbf\xbf</a>",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *why = xml_problem(bad[i]);
		cr_expect_not_null(why, "the checker accepted %s", bad[i]);
		free(why);
	}
	xml_check(
	    "<?xml version=\"1.0\"?>\n<a x=\"&quot;&#10;\"><b/>t &amp; &#x41; \xe2\x90\x81</a>\n");
}

Test(class_report, junit_is_well_formed_and_escapes_student_output)
{
	write_small_class(CLASS_REPORT_JUNIT);
	char *path = out_path("junit.xml");
	char *xml = slurp(path);
	xml_check(xml);

	/* failed and timeout are failures; build_failed and error are errors. */
	cr_expect(strstr(xml, "<testsuites name=\"pipes\" tests=\"5\" failures=\"2\" errors=\"2\""),
		  "%.300s", xml);
	cr_expect_eq(count(xml, "<testsuite "), 3);
	cr_expect_eq(count(xml, "<testcase "), 5);
	cr_expect(strstr(xml, "<testsuite name=\"O&#39;Brien, &quot;Bob&quot;\" tests=\"2\" "
			      "failures=\"1\" errors=\"0\""),
		  "%s", xml);
	cr_expect(strstr(xml, "<testcase classname=\"pipes.O&#39;Brien, &quot;Bob&quot;\" "
			      "name=\"a, b &quot;c&quot;\""),
		  "%s", xml);
	/* The message is the cause (the first failing check), the status its type. */
	cr_expect(strstr(xml, "<failure message=\"stdout: first &lt;message&gt;\" "
			      "type=\"failed\">stdout: first &lt;message&gt;\n--- expected\n"),
		  "%s", xml);
	/* The newline in a name survives attribute normalisation. */
	cr_expect(strstr(xml, "<testsuite name=\"multi&#10;line\""), "%s", xml);
	cr_expect(strstr(xml, "<failure message=\"stdout: differs\" type=\"timeout\">"), "%s",
		  xml);
	cr_expect(strstr(xml, "cleanup.fds: fd 4 -&gt; pipe:[1] still open\n"),
		  "every failing check is listed");
	cr_expect(strstr(xml, "Diagnosis: blocked reading a pipe"), "the diagnosis is in the text");
	/* Hidden tests are in (the file is for TAs); "error" is an <error>. */
	cr_expect(strstr(xml, "<error message=\"error: fixture missing\" type=\"error\">"), "%s",
		  xml);
	cr_expect(
	    strstr(xml, "<error message=\"build: the build failed\" type=\"build_failed\">"),
	    "%s", xml);
	cr_expect(strstr(xml, "eve.c:3: error: expected &#39;;&#39; &lt;here&gt;"),
		  "build output in the failure text");
	/* Control bytes as control pictures, "]]>" escaped, invalid UTF-8 replaced. */
	cr_expect(strstr(xml, "out\xe2\x90\x81put\xe2\x90\x9b[31m ]]&gt; &lt;script&gt;"), "%s",
		  xml);
	cr_expect(strstr(xml, "\xef\xbf\xbd\xef\xbf\xbd end\xe2\x90\x80tail"), "%s", xml);
	cr_expect_null(strstr(xml, "<script"));
	free(xml);
	free(path);
}

/*
 * junit.xml of pipe_hello's spec for carol, who crashed in one test and
 * failed another: the reports a class gets (file= under the student's
 * folder), or with at_root those of one submission graded in its own
 * folder.  Returns the XML; its path is scratch/junit.xml.
 */
static char *junit_of_carol(bool at_root)
{
	struct strvec errors = STRVEC_INIT;
	strvec_init(&errors);
	struct spec *spec = spec_load("testcases/pipe_hello", &errors);
	cr_assert_not_null(spec, "%s", errors.n ? errors.v[0] : "");
	strvec_clear(&errors);
	struct class_report *cr = class_report_new_for_spec(scratch, CLASS_REPORT_JUNIT, spec);
	cr_assert_not_null(cr, "%s", error_last());
	if (at_root)
		class_report_source_at_root(cr);
	json_t *r = report(
	    "carol", 0, 10, true, "",
	    json_pack("[o, o]",
		      test("default message", "crashed", 0, 4, false,
			   json_pack("[o, o]", check("signal", false, "killed by SIGSEGV", NULL),
				     check("stdout", false, "stdout is empty", NULL)),
			   "it dereferenced NULL"),
		      test("message from the command line", "failed", 0, 3, false,
			   json_pack("[o]", check("stdout", false, "differs", NULL)), NULL)));
	cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
	json_decref(r);
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
	spec_free(spec);
	char *path = out_path("junit.xml");
	char *xml = slurp(path);
	free(path);
	xml_check(xml);
	return xml;
}

/* A crash is an <error> (GitLab and GitHub show it apart), its cause first; file= is the source. */
Test(class_report, junit_names_the_source_and_tells_errors_from_failures)
{
	char *xml = junit_of_carol(false);
	cr_expect(strstr(xml, "<testsuite name=\"carol\" tests=\"2\" failures=\"1\" errors=\"1\""),
		  "%s", xml);
	cr_expect(strstr(xml, "name=\"default message\" file=\"carol/pipe_hello.c\" time="), "%s",
		  xml);
	cr_expect(strstr(xml, "<error message=\"signal: killed by SIGSEGV\" type=\"crashed\">"
			      "signal: killed by SIGSEGV\nDiagnosis: it dereferenced NULL\n"),
		  "%s", xml);
	cr_expect(strstr(xml, "<failure message=\"stdout: differs\" type=\"failed\">"), "%s", xml);
	free(xml);
	/* grade and check: the submission is the CI job's working folder. */
	xml = junit_of_carol(true);
	cr_expect(strstr(xml, "name=\"default message\" file=\"pipe_hello.c\" time="), "%s", xml);
	free(xml);
}

/* xmllint checks the reports of both writers (file= too) against the schema. */
Test(class_report, junit_matches_the_junit_schema)
{
	if (access("/usr/bin/xmllint", X_OK) != 0)
		cr_skip_test("xmllint (Debian: libxml2-utils) is not installed; well-formedness is "
			     "still checked by junit_is_well_formed_and_escapes_student_output");
	for (int round = 0; round < 2; round++) {
		if (round == 0)
			write_small_class(CLASS_REPORT_JUNIT);
		else
			free(junit_of_carol(false));
		char *cmd =
		    xasprintf("/usr/bin/xmllint --noout --schema %s %s/junit.xml 2>%s/xmllint.err",
			      FIXTURES "junit.xsd", scratch, scratch);
		int rc = system(cmd);
		char *err_path = out_path("xmllint.err");
		char *err = slurp(err_path);
		cr_expect_eq(rc, 0, "xmllint: %s", err);
		free(err);
		free(err_path);
		free(cmd);
	}
}

/* ---- results.json ---------------------------------------------------- */

Test(class_report, gradescope_results_fields_and_visibility)
{
	/* A report's checks come cause first (docs/reports.md). */
	json_t *crashes = test("crashes", "crashed", 0, 5, false,
			       json_pack("[o, o, o, o]", check("signal", false, "killed by SIGSEGV", NULL),
					 check("exit", true, "", NULL),
					 check("stdout", false, "stdout is empty",
					       "--- expected\n+++ actual\n-a\n"),
					 check("cleanup.fds", false, "fd 4 left open", NULL)),
			       "it dereferenced NULL");
	json_object_set_new(crashes, "hint", json_string("check argc"));
	json_object_set_new(crashes, "reproduce", json_pack("{s:s}", "text", "run ./prog\n"));
	json_t *r = report(
	    "carol", 10, 20, true, "",
	    json_pack("[o, o, o]", test("visible one", "passed", 10, 10, false, NULL, NULL), crashes,
		      test("secret", "failed", 0, 5, true,
			   json_pack("[o]", check("stdout", false, "the secret input", NULL)),
			   NULL)));
	char *path = out_path("results.json");
	cr_assert_eq(gradescope_results_write(r, path), 0, "%s", error_last());
	json_error_t jerr;
	json_t *g = json_load_file(path, 0, &jerr);
	cr_assert_not_null(g, "results.json: %s", jerr.text);

	cr_expect_eq(json_integer_value(json_object_get(g, "score")), 10);
	cr_expect(json_is_number(json_object_get(g, "execution_time")));
	cr_expect_str_eq(json_string_value(json_object_get(g, "visibility")), "visible");
	cr_expect_str_eq(json_string_value(json_object_get(g, "stdout_visibility")), "hidden");
	/* The isolation warning is for instructors: extra_data, which students never see. */
	const char *out = json_string_value(json_object_get(g, "output"));
	cr_expect_str_eq(out, "");
	json_t *extra = json_object_get(g, "extra_data");
	cr_expect_str_eq(json_string_value(json_object_get(extra, "isolation")), "partial");
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(extra, "isolation_missing"), 0)),
			 "seccomp");

	json_t *tests = json_object_get(g, "tests");
	cr_assert_eq(json_array_size(tests), 3);
	json_t *t0 = json_array_get(tests, 0), *t1 = json_array_get(tests, 1),
	       *t2 = json_array_get(tests, 2);
	cr_expect_str_eq(json_string_value(json_object_get(t0, "name")), "visible one");
	cr_expect_str_eq(json_string_value(json_object_get(t0, "status")), "passed");
	cr_expect_str_eq(json_string_value(json_object_get(t0, "visibility")), "visible");
	cr_expect_str_eq(json_string_value(json_object_get(t0, "output")), "");
	cr_expect_eq(json_integer_value(json_object_get(t0, "max_score")), 10);

	/*
	 * As `check` shows it: the cause, why and its hint, then what followed
	 * (a cleanup check with its own hint), then how to reproduce; no status word.
	 */
	cr_expect_str_eq(json_string_value(json_object_get(t1, "status")), "failed");
	cr_expect_str_eq(json_string_value(json_object_get(t1, "visibility")), "visible");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(t1, "extra_data"), "status")),
			 "crashed");
	const char *tout = json_string_value(json_object_get(t1, "output"));
	const char *cause_first = "signal: killed by SIGSEGV\nWhy: it dereferenced NULL\n"
				  "Hint: check argc\n"
				  "stdout: stdout is empty\n--- expected\n+++ actual\n-a\n"
				  "cleanup.fds: fd 4 left open\nHint: ";
	cr_expect(!strncmp(tout, cause_first, strlen(cause_first)), "%s", tout);
	const char *last = "\n\nHow to reproduce: run ./prog\n";
	cr_expect(strlen(tout) > strlen(last) && !strcmp(tout + strlen(tout) - strlen(last), last),
		  "%s", tout);
	cr_expect_null(strstr(tout, "exit:"), "passing checks are not listed: %s", tout);

	/* A hidden test shows a student what `check` shows: whether it passed. */
	cr_expect_str_eq(json_string_value(json_object_get(t2, "visibility")), "after_published");
	cr_expect_eq(json_integer_value(json_object_get(t2, "score")), 0);
	cr_expect_eq(json_integer_value(json_object_get(t2, "max_score")), 5);
	const char *hout = json_string_value(json_object_get(t2, "output"));
	cr_expect_null(strstr(hout, "secret input"), "%s", hout);
	json_decref(g);
	json_decref(r);
	free(path);
}

Test(class_report, gradescope_output_has_the_build_output)
{
	json_t *r = report("eve", 0, 5, false, "eve.c:1: error: \x01 bad",
			   json_pack("[o]", test("t", "build_failed", 0, 5, false, NULL, NULL)));
	json_t *g = gradescope_results(r);
	const char *out = json_string_value(json_object_get(g, "output"));
	cr_expect(strstr(out, "The build failed:\neve.c:1: error: \xe2\x90\x81 bad\n"), "%s", out);
	json_t *t = json_array_get(json_object_get(g, "tests"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(t, "status")), "failed");
	json_decref(g);
	json_decref(r);
}

/* ---- scale ---------------------------------------------------------- */

static size_t allocated_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/* A generated student: 5 tests, some failing with a diff. */
static json_t *generated(size_t i)
{
	static const char *const statuses[] = {"passed", "failed", "timeout", "crashed", "passed"};
	char name[32];
	snprintf(name, sizeof(name), "student_%04zu", i);
	json_t *tests = json_array();
	double score = 0;
	for (size_t t = 0; t < 5; t++) {
		const char *st = statuses[(i + t) % 5];
		double pts = !strcmp(st, "passed") ? 2 : 0;
		score += pts;
		char tname[16];
		snprintf(tname, sizeof(tname), "test %zu", t);
		json_array_append_new(
		    tests, test(tname, st, pts, 2, t == 4,
				pts ? NULL
				    : json_pack("[o]", check("stdout", false, "differs",
							     "--- expected\n+++ actual\n-1\n+2\n")),
				pts ? NULL : "a diagnosis"));
	}
	return report(name, score, 10, true, "", tests);
}

Test(class_report, two_thousand_students_in_flat_memory)
{
	static const char *const names[] = {"test 0", "test 1", "test 2", "test 3", "test 4"};
	static const double points[] = {2, 2, 2, 2, 2};
	enum { N = 2000, WARM = 100 };
	struct class_report *cr =
	    class_report_new(scratch, CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML,
			     "big", NULL, names, points, 5);
	cr_assert_not_null(cr);
	size_t before = 0;
	for (size_t i = 0; i < N; i++) {
		if (i == WARM) /* stdio buffers and the like are in place by now */
			before = allocated_bytes();
		json_t *r = generated(i);
		cr_assert_eq(class_report_add(cr, r), 0, "%s", error_last());
		json_decref(r);
	}
	size_t after = allocated_bytes();
	/* 1900 students: even 8 bytes kept per student would be 15200 bytes. */
	cr_expect_lt(after > before ? after - before : 0, 8192,
		     "memory grew by %zu bytes over %d students", after - before, N - WARM);
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);

	char *p = out_path("gradebook.csv");
	char *text = slurp(p);
	struct csv csv;
	csv_parse(text, &csv);
	cr_expect_eq(csv.n, N + 1);
	cr_expect_str_eq(csv.rows[N].v[0], "student_1999");
	csv_free(&csv);
	free(text);
	free(p);
	p = out_path("junit.xml");
	text = slurp(p);
	xml_check(text);
	cr_expect_eq(count(text, "<testsuite "), N);
	cr_expect_eq(count(text, "<testcase "), 5 * N);
	free(text);
	free(p);
	p = out_path("index.html");
	text = slurp(p);
	cr_expect_eq(count(text, "<tr class=\"student-row\" data-score="), N);
	cr_expect_eq(count(text, "<section class=\"student\" id=\"student-student_"), N);
	cr_expect(strstr(text, "<dd id=\"nstudents\">2000</dd>"));
	free(text);
	free(p);
}
