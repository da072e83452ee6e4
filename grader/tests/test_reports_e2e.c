/*
 * End-to-end tests of what reaches the reports and the TA's terminal: no
 * program makes a report large, puts a raw control byte on the terminal or
 * in a report, turns a gradebook cell into a formula or hides a compiler
 * error behind a NUL, and no folder name loses the class reports.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "escape.h"
#include "report_json.h"
#include "util.h"

#define HOSTILE "grader/tests/hostile"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(reports, .fini = teardown, .timeout = 240);

static char *slurp(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, len);
}

/*
 * No raw control byte (escape_is_control(): C0, DEL, C1, bidi) but those
 * in `allowed`, and no invalid UTF-8, in text[0..len).
 */
static void expect_clean(const char *what, const char *text, size_t len, const char *allowed)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)text + i, len - i, &cp);
		bool bad = !n || (escape_is_control(cp) && !(cp && cp < 0x80 && strchr(allowed, (int)cp)));
		if (bad) {
			size_t from = i > 40 ? i - 40 : 0;
			char *around = escape_bytes(text + from, len - from, 80);
			cr_expect_fail("%s: a raw control byte 0x%02x at offset %zu: %s", what,
				(unsigned char)text[i], i, around);
			free(around);
			return;
		}
		i += n;
	}
}

/* A report file: clean (newlines aside, and CR for the CSV's record ends) and under the bound. */
static void expect_clean_file(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	size_t len;
	char *text = slurp(path, &len);
	expect_clean(path, text, len, !strcmp(name, "gradebook.csv") ? "\r\n" : "\n");
	cr_expect_lt(len, REPORT_JSON_MAX, "%s weighs %zu bytes", path, len);
	free(text);
	free(path);
}

/* A class root in the test's folder holding a copy of submission (named as it is). */
static char *class_of(const char *submission)
{
	char *root = path_join(e2e_tmpdir(), "class");
	char *copy = path_join(root, strrchr(submission, '/') + 1);
	cr_assert_eq(mkdir_p(copy, 0755), 0, "%s", error_last());
	cr_assert_eq(copy_tree(submission, copy), 0, "%s", error_last());
	free(copy);
	return root;
}

static const char *message_of(json_t *report, const char *kind)
{
	json_t *test = json_array_get(json_object_get(report, "tests"), 0);
	size_t i;
	json_t *check;
	json_array_foreach(json_object_get(test, "checks"), i, check)
	{
		if (!strcmp(json_string_value(json_object_get(check, "kind")), kind))
			return json_string_value(json_object_get(check, "message"));
	}
	return NULL;
}

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* floods_ipc leaves 24,100 IPC objects: 10 are named, the rest counted, every report stays small. */
Test(reports, an_ipc_flood_is_counted_and_no_report_grows_with_it)
{
	e2e_require_full_sandbox();
	char *root = class_of(HOSTILE "/submissions/floods_ipc");
	char *out = path_join(e2e_tmpdir(), "out");
	/* Its own spec's minute: however loaded the machine, the flood is whole before the deadline. */
	const char *argv[] = {e2e_grader(), "batch", HOSTILE "/specs/slow_work", root, "-o", out,
			      "-j", "1", NULL};
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 0, "stderr: %s", run.err);

	char *path = path_join(out, "floods_ipc.json");
	json_error_t jerr;
	json_t *report = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(report, "%s: %s", path, jerr.text);
	const char *msg = message_of(report, "cleanup.ipc");
	cr_assert_not_null(msg, "no cleanup.ipc check");
	cr_expect_eq(count(msg, "was never removed"), FINDINGS_MAX, "%.2000s", msg);
	/* "; and 24,090 more. Remove ...": a count with thousands separators. */
	const char *and = strstr(msg, "; and ");
	cr_assert_not_null(and, "%.2000s", msg);
	unsigned long long more = 0;
	const char *p = and + 6;
	for (; (*p >= '0' && *p <= '9') || (*p == ',' && p[1] >= '0'); p++)
		if (*p != ',')
			more = more * 10 + (unsigned long long)(*p - '0');
	cr_expect(!strncmp(p, " more. ", 7), "%s", and);
	cr_expect_geq(more, 20000 - FINDINGS_MAX, "%s", and);
	cr_expect(more < 1000 || strchr(and, ','), "no thousands separator: %s", and);
	json_decref(report);

	const char *const files[] = {"floods_ipc.json", "gradebook.csv", "junit.xml", "index.html"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		expect_clean_file(out, files[i]);
	free(path);
	free(out);
	free(root);
}

/* Process and object names with ESC, CSI (C1), U+202E and a newline, shown everywhere escaped. */
Test(reports, no_control_byte_reaches_the_terminal_or_a_report)
{
	e2e_require_full_sandbox();
	const char *sub = HOSTILE "/submissions/names_with_escapes";
	char *out = path_join(e2e_tmpdir(), "out");
	const char *grade[] = {e2e_grader(), "grade", HOSTILE, sub, "-o", out, NULL};
	e2e_run_grader(grade, &run);
	cr_expect_eq(run.exit_code, 1, "stderr: %s", run.err);
	expect_clean("grade's stdout", run.out, run.out_len, "\n");
	expect_clean("grade's stderr", run.err, run.err_len, "\n");
	/* The names are there, escaped. */
	cr_expect_not_null(strstr(run.out, "/\\x1b[31mred\\xe2\\x80\\xaeevil\\nname"), "%s", run.out);
	cr_expect_not_null(strstr(run.out, "(\\xc2\\x9b2J\\x1b[5m)"), "%s", run.out);
	const char *const files[] = {"names_with_escapes.json", "junit.xml", "results.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		expect_clean_file(out, files[i]);

	const char *check[] = {e2e_grader(), "check", HOSTILE, sub, NULL};
	e2e_release_and_run(check, &run);
	cr_expect_eq(run.exit_code, 1, "stderr: %s", run.err);
	expect_clean("check's stdout", run.out, run.out_len, "\n");
	expect_clean("check's stderr", run.err, run.err_len, "\n");

	char *root = class_of(sub);
	char *class_out = path_join(e2e_tmpdir(), "class-out");
	const char *batch[] = {e2e_grader(), "batch", HOSTILE, root, "-o", class_out, NULL};
	e2e_release_and_run(batch, &run);
	cr_expect_eq(run.exit_code, 0, "stderr: %s", run.err);
	expect_clean("batch's stderr", run.err, run.err_len, "\n");
	const char *const class_files[] = {"gradebook.csv", "junit.xml", "index.html"};
	for (size_t i = 0; i < sizeof(class_files) / sizeof(class_files[0]); i++)
		expect_clean_file(class_out, class_files[i]);
	free(class_out);
	free(root);
	free(out);
}

/* A spec in the test's folder; returns its path. */
static char *write_spec(const char *name, const char *text)
{
	char *dir = path_join(e2e_tmpdir(), name);
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	char *spec = path_join(dir, "spec.yaml");
	cr_assert_eq(write_file_atomic(spec, text, strlen(text)), 0, "%s", error_last());
	free(dir);
	return spec;
}

/* A student folder root/name holding one small file. */
static void add_student(const char *root, const char *name)
{
	char *dir = path_join(root, name);
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	char *file = path_join(dir, "main.c");
	cr_assert_eq(write_file_atomic(file, "int main(void) { return 0; }\n", 29), 0, "%s",
		     error_last());
	free(file);
	free(dir);
}

static void expect_build_output_whole(const char *path)
{
	json_error_t jerr;
	json_t *report = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(report, "%s: %s", path, jerr.text);
	json_t *output = json_object_get(json_object_get(report, "build"), "output");
	const char *text = json_string_value(output);
	size_t len = json_string_length(output);
	cr_expect_gt(len, strlen(text), "the NUL is gone: %s", text);
	cr_expect_not_null(memmem(text, len, "main.c:1:1: error: the real error", 33),
			   "the line after the NUL is lost: %s", text);
	json_decref(report);
}

/* A compiler that prints a NUL: the error line after it reaches every report, the cache too. */
Test(reports, build_output_keeps_what_follows_a_nul)
{
	char *spec = write_spec(
	    "nul", "assignment: nul\n"
		   "build: { command: \"printf 'compiler says\\\\0hidden part\\\\nmain.c:1:1: error: "
		   "the real error\\\\n' >&2; exit 1\" }\n"
		   "tests:\n"
		   "  - name: echoes\n"
		   "    run: echo hi\n"
		   "    expect: { stdout: \"hi\\n\" }\n");
	char *root = path_join(e2e_tmpdir(), "nul-class");
	add_student(root, "alice");
	char *alice = path_join(root, "alice");
	char *out = path_join(e2e_tmpdir(), "nul-out");

	const char *grade[] = {e2e_grader(), "grade", spec, alice, "-o", out, NULL};
	e2e_run_grader(grade, &run);
	cr_expect_eq(run.exit_code, 1, "stderr: %s", run.err);
	cr_expect_not_null(strstr(run.out, "compiler says\\0hidden part"), "%s", run.out);
	cr_expect_not_null(strstr(run.out, "error: the real error"), "%s", run.out);
	char *report = path_join(out, "alice.json");
	expect_build_output_whole(report);

	/* Twice: the second batch takes the build from the cache the first one filled. */
	for (int i = 0; i < 2; i++) {
		const char *batch[] = {e2e_grader(), "batch", spec, root, "-o", out, NULL};
		e2e_release_and_run(batch, &run);
		cr_expect_eq(run.exit_code, 0, "stderr: %s", run.err);
		expect_build_output_whole(report);
	}
	free(report);
	free(out);
	free(alice);
	free(root);
	free(spec);
}

/* Folder names that are formulas, fill NAME_MAX, or hold escapes: every student is in the class reports. */
Test(reports, class_reports_keep_every_student_whatever_their_folder_is_named)
{
	char *spec = write_spec("names", "assignment: names\n"
					 "build: { command: \"true\" }\n"
					 "tests:\n"
					 "  - name: echoes\n"
					 "    run: echo hi\n"
					 "    expect: { stdout: \"hi\\n\" }\n");
	char *root = path_join(e2e_tmpdir(), "names-class");
	char longest[251], too_long[256];
	memset(longest, 'a', 250);
	longest[250] = '\0';
	/* <name>.json cannot exist: 260 bytes. */
	memcpy(too_long, "\033[2J", 4);
	memset(too_long + 4, 'b', 251);
	too_long[255] = '\0';
	/* A folder name cannot hold the '/' of "http://": the link is a host name. */
	const char *formula = "=HYPERLINK(\"evil.example\",\"y\")";
	const char *const students[] = {formula, "-2+3", longest, too_long};
	for (size_t i = 0; i < sizeof(students) / sizeof(students[0]); i++)
		add_student(root, students[i]);
	char *out = path_join(e2e_tmpdir(), "names-out");

	const char *batch[] = {e2e_grader(), "batch", spec, root, "-o", out, "-j", "2", NULL};
	e2e_run_grader(batch, &run);
	/* One student's report could not be written: the grader's fault, told after the rest. */
	cr_expect_eq(run.exit_code, 3, "stderr: %s", run.err);
	expect_clean("batch's stderr", run.err, run.err_len, "\n");
	cr_expect_not_null(strstr(run.err, "\\x1b[2Jbbbbbbbb"), "the student is not named: %s", run.err);
	cr_expect_not_null(strstr(run.err, "no report"), "%s", run.err);
	cr_expect_not_null(strstr(run.err, "reports in"), "%s", run.err);
	cr_expect_not_null(strstr(run.err, "1 student without a report"), "%s", run.err);

	char *longest_json = xasprintf("%s/%s.json", out, longest);
	cr_expect(path_exists(longest_json), "no report for the 250-byte name");
	size_t len;
	char *path = path_join(out, "gradebook.csv");
	char *csv = slurp(path, &len);
	cr_expect_not_null(strstr(csv, "\"'=HYPERLINK(\"\"evil.example\"\",\"\"y\"\")\",1,1,1\r\n"), "%s", csv);
	cr_expect_not_null(strstr(csv, "\"'-2+3\",1,1,1\r\n"), "%s", csv);
	char *row = xasprintf("\r\n%s,1,1,1\r\n", longest);
	cr_expect_not_null(strstr(csv, row), "%s", csv);
	/* ESC as its picture, no score, an error note in the test's cell. */
	cr_expect_not_null(strstr(csv, "\xe2\x90\x9b[2Jbbbbbbbb"), "%s", csv);
	cr_expect_not_null(strstr(csv, "bbbb,,1,error\r\n"), "%s", csv);
	free(csv);
	free(path);
	path = path_join(out, "junit.xml");
	char *junit = slurp(path, &len);
	cr_expect_not_null(strstr(junit, longest), "junit.xml lacks the 250-byte name");
	cr_expect_not_null(strstr(junit, "<error message=\"error: the grader could not write"),
			   "%s", junit);
	free(junit);
	free(path);
	path = path_join(out, "index.html");
	char *html = slurp(path, &len);
	cr_expect_not_null(strstr(html, longest), "index.html lacks the 250-byte name");
	free(html);
	free(path);
	const char *const files[] = {"gradebook.csv", "junit.xml", "index.html"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		expect_clean_file(out, files[i]);

	/* No temporary file is left behind. */
	DIR *d = opendir(out);
	cr_assert_not_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		cr_expect(strncmp(de->d_name, ".tmp-", 5), "left behind: %s", de->d_name);
	closedir(d);
	free(row);
	free(longest_json);
	free(out);
	free(root);
	free(spec);
}
