/*
 * The LMS gradebooks (gradebook_lms.c) and the roster's place in the
 * class reports: each file read back field by field and checked against
 * the header and rows its LMS documents for import (docs/lms.md), and the
 * roster's mismatches listed in index.html.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "class_report.h"
#include "gradebook_lms.h"
#include "roster.h"
#include "scratch_util.h"
#include "util.h"

SCRATCH_SUITE(gradebook_lms);

static const char *const names[] = {"prints hello", "exits 0"};
static const double points[] = {10, 5};

/* A report with one score; missing: a stand-in for a report that could not be read. */
static json_t *student(const char *folder, double score, bool missing)
{
	json_t *r =
	    json_pack("{s:s, s:s, s:f, s:f, s:[{s:s, s:s, s:f, s:f}]}", "assignment", "pipes",
		      "submission", folder, "score", score, "max_score", 15.0, "tests", "name",
		      "prints hello", "status", "passed", "score", score, "max_score", 10.0);
	if (missing)
		json_object_set_new(r, "report_missing", json_true());
	return r;
}

static const char roster_text[] =
    "folder,name,id,sis_user_id,sis_login_id,section,username,email\n"
    "alice,\"Liddell, Alice\",101,S101,aliddell,CS 1 (A),alice,alice@x.edu\n"
    "bob,\"Ray, Bob\",102,S102,bray,CS 1 (A),bob,bob@x.edu\n"
    "carol,\"Lost, Carol\",103,,,,carol,\n"
    "dave,\"Absent, Dave\",104,S104,dabsent,CS 1 (B),dave,\n"
    ",\"Folderless, Fay\",105,,,,fay,\n"
    "noid,Nobody,,,,,,\n";

/*
 * The class: alice 12.5, bob 7, carol's report missing, eve (no roster
 * row); dave, fay and noid submitted nothing.  Returns the text of file.
 */
static char *class_with(int kind, const char *column, const char *file, struct roster *r)
{
	char *path = path_join(scratch, "roster.csv");
	cr_assert_eq(write_file_atomic(path, roster_text, strlen(roster_text)), 0);
	cr_assert_eq(roster_load(path, r), 0, "%s", error_last());
	free(path);
	struct class_report *cr = class_report_new(scratch, CLASS_REPORT_CSV | CLASS_REPORT_HTML,
						   "pipes", "Pipes", names, points, 2);
	cr_assert_not_null(cr);
	cr_assert_eq(class_report_set_roster(cr, r, kind, column), 0, "%s", error_last());
	json_t *students[] = {student("alice", 12.5, false), student("bob", 7, false),
			      student("carol", 0, true), student("eve", 15, false)};
	for (size_t i = 0; i < ARRAY_SIZE(students); i++) {
		cr_assert_eq(class_report_add(cr, students[i]), 0, "%s", error_last());
		json_decref(students[i]);
	}
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
	char *out = path_join(scratch, file);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(out, &sb), 0, "%s", error_last());
	free(out);
	return strbuf_detach(&sb, NULL);
}

/* Every record of text, each a strvec; the RFC 4180 reader the roster uses. */
static size_t records(const char *text, struct strvec *rows, size_t max)
{
	const char *p = text, *end = text + strlen(text);
	size_t n = 0, line = 1;
	while (p < end && n < max) {
		strvec_init(&rows[n]);
		cr_assert_eq(roster_csv_record(&p, end, &rows[n], &line), 0, "%s", error_last());
		n++;
	}
	cr_assert_eq(p, end, "more records than expected");
	return n;
}

static void expect_row(const struct strvec *row, const char *const *want, size_t n)
{
	cr_assert_eq(row->n, n, "%zu fields, not %zu (first: %s)", row->n, n, row->v[0]);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(row->v[i], want[i], "field %zu", i);
}

static void clear_rows(struct strvec *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strvec_clear(&rows[i]);
}

/*
 * Canvas: the identity columns of its own export, one assignment column
 * ("Name (id)" updates that assignment), its "Points Possible" row; a
 * folder without a roster row has no row (Canvas would ask who it is);
 * a missing report an empty cell, never a 0; a student without a
 * submission 0.
 */
Test(gradebook_lms, canvas)
{
	struct roster r;
	char *text =
	    class_with(GRADEBOOK_CANVAS, "Lab 1: pipes (98765)", "gradebook-canvas.csv", &r);
	cr_expect(!strncmp(text,
			   "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: pipes (98765)\r\n"
			   "    Points Possible,,,,,15\r\n",
			   strlen("Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: pipes "
				  "(98765)\r\n    Points Possible,,,,,15\r\n")),
		  "%s", text);
	struct strvec rows[10];
	size_t n = records(text, rows, 10);
	cr_assert_eq(n, 8, "%s", text);
	expect_row(
	    &rows[2],
	    (const char *const[]){"Liddell, Alice", "101", "S101", "aliddell", "CS 1 (A)", "12.5"},
	    6);
	expect_row(&rows[3],
		   (const char *const[]){"Ray, Bob", "102", "S102", "bray", "CS 1 (A)", "7"}, 6);
	expect_row(&rows[4], (const char *const[]){"Lost, Carol", "103", "", "", "", ""}, 6);
	expect_row(&rows[5],
		   (const char *const[]){"Absent, Dave", "104", "S104", "dabsent", "CS 1 (B)", "0"},
		   6);
	/* Canvas matches a row on its name when it has no id. */
	expect_row(&rows[6], (const char *const[]){"Nobody", "", "", "", "", "0"}, 6);
	expect_row(&rows[7], (const char *const[]){"Folderless, Fay", "105", "", "", "", "0"}, 6);
	cr_expect_null(strstr(text, "eve"), "a folder the roster does not name");
	clear_rows(rows, n);
	free(text);
	roster_release(&r);
}

/* Moodle: an identifier column to map by hand (username, email or ID number) and the grade. */
Test(gradebook_lms, moodle)
{
	struct roster r;
	char *text = class_with(GRADEBOOK_MOODLE, NULL, "gradebook-moodle.csv", &r);
	struct strvec rows[10];
	size_t n = records(text, rows, 10);
	cr_assert_eq(n, 6, "%s", text);
	expect_row(
	    &rows[0],
	    (const char *const[]){"Username", "Email address", "ID number", "Full name", "pipes"},
	    5);
	expect_row(&rows[1],
		   (const char *const[]){"alice", "alice@x.edu", "S101", "Liddell, Alice", "12.5"},
		   5);
	expect_row(&rows[3], (const char *const[]){"carol", "", "", "Lost, Carol", ""}, 5);
	expect_row(&rows[4], (const char *const[]){"dave", "", "S104", "Absent, Dave", "0"}, 5);
	expect_row(&rows[5], (const char *const[]){"fay", "", "", "Folderless, Fay", "0"}, 5);
	/* A row Moodle cannot match aborts its whole import: noid has none of its identifiers. */
	cr_expect_null(strstr(text, "Nobody"), "%s", text);
	clear_rows(rows, n);
	free(text);
	roster_release(&r);
}

/* Blackboard: keyed on Username, every field quoted, its column header with the points. */
Test(gradebook_lms, blackboard)
{
	struct roster r;
	char *text = class_with(GRADEBOOK_BLACKBOARD, NULL, "gradebook-blackboard.csv", &r);
	cr_expect(!strncmp(text,
			   "\"Username\",\"pipes [Total Pts: 15 Score]\"\r\n"
			   "\"alice\",\"12.5\"\r\n\"bob\",\"7\"\r\n\"carol\",\"\"\r\n"
			   "\"dave\",\"0\"\r\n\"fay\",\"0\"\r\n",
			   200),
		  "%s", text);
	free(text);
	roster_release(&r);
	text = class_with(GRADEBOOK_BLACKBOARD, "Lab 1 [Total Pts: 15 Score] |1281892",
			  "gradebook-blackboard.csv", &r);
	cr_expect(!strncmp(text, "\"Username\",\"Lab 1 [Total Pts: 15 Score] |1281892\"\r\n", 50),
		  "%s", text);
	free(text);
	roster_release(&r);
}

/* gradebook.csv stays the contract's; index.html lists the roster's mismatches. */
Test(gradebook_lms, the_roster_leaves_gradebook_csv_alone_and_lists_mismatches)
{
	struct roster r;
	char *text = class_with(GRADEBOOK_GENERIC, NULL, "gradebook.csv", &r);
	cr_expect(
	    !strncmp(text,
		     "student,score,max_score,prints hello,exits 0\r\nalice,12.5,15,12.5,\r\n", 60),
	    "%s", text);
	cr_expect(strstr(text, "eve,15,15,15,\r\n"), "%s", text);
	free(text);
	char *path = path_join(scratch, "gradebook-canvas.csv");
	cr_expect_not(path_exists(path), "generic writes no LMS file");
	free(path);
	path = path_join(scratch, "index.html");
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0);
	cr_expect(strstr(sb.buf, "<dd id=\"nunmatched\">1</dd>"), "%.3000s", sb.buf);
	cr_expect(strstr(sb.buf, "<dd id=\"nunsubmitted\">3</dd>"), "%.3000s", sb.buf);
	cr_expect(strstr(sb.buf, "<h3>Not on the roster (1)</h3>"));
	cr_expect(strstr(sb.buf, "<li><a href=\"#student-eve\">eve</a></li>"));
	cr_expect(strstr(sb.buf, "<h3>No submission (3)</h3>"));
	cr_expect(
	    strstr(sb.buf, "<li>Absent, Dave <span class=\"meta\">(folder "
			   "<code>dave</code>)</span> <span class=\"meta\">line 5</span></li>"),
	    "%s", sb.buf);
	cr_expect(strstr(sb.buf, "<li>Folderless, Fay <span class=\"meta\">line 6</span></li>"));
	strbuf_release(&sb);
	free(path);
	roster_release(&r);
}

/* Without a roster the folder is the username and the SIS Login ID: every student has a row. */
Test(gradebook_lms, without_a_roster_the_folder_is_the_login)
{
	struct class_report *cr =
	    class_report_new(scratch, CLASS_REPORT_CSV, "pipes", NULL, names, points, 2);
	cr_assert_not_null(cr);
	cr_assert_eq(class_report_set_roster(cr, NULL, GRADEBOOK_CANVAS, NULL), 0);
	json_t *s = student("jdoe", 9, false);
	cr_assert_eq(class_report_add(cr, s), 0);
	json_decref(s);
	s = student("=cmd|' /C calc'!A0", 1, false);
	cr_assert_eq(class_report_add(cr, s), 0);
	json_decref(s);
	cr_assert_eq(class_report_finish(cr), 0, "%s", error_last());
	class_report_free(cr);
	char *path = path_join(scratch, "gradebook-canvas.csv");
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0);
	cr_expect(strstr(sb.buf, "\r\njdoe,,,jdoe,,9\r\n"), "%s", sb.buf);
	/* A spreadsheet opens it too: a formula becomes text. */
	cr_expect(strstr(sb.buf, "\"'=cmd|' /C calc'!A0\",,,\"'=cmd|' /C calc'!A0\",,1\r\n"), "%s",
		  sb.buf);
	strbuf_release(&sb);
	free(path);
	enum gradebook_kind k;
	cr_expect_eq(gradebook_kind_parse("canvas", &k), 0);
	cr_expect_eq(k, GRADEBOOK_CANVAS);
	cr_expect_eq(gradebook_kind_parse("d2l", &k), -1);
	cr_expect(strstr(error_last(), "generic, canvas, moodle or blackboard"), "%s",
		  error_last());
}
