/*
 * The roster (roster.c): its CSV as spreadsheets and LMS exports write it,
 * with or without a header, and every way it can be wrong, said with the
 * line.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roster.h"
#include "scratch_util.h"
#include "util.h"

SCRATCH_SUITE(roster);

/* Loads text as a roster; returns roster_load's result. */
static int load(const char *text, struct roster *r)
{
	char *path = path_join(scratch, "roster.csv");
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0);
	int ret = roster_load(path, r);
	free(path);
	return ret;
}

static const char *field(const struct roster *r, const char *folder, enum roster_field f)
{
	const struct roster_row *row = roster_find(r, folder);
	cr_assert_not_null(row, "no row for %s", folder);
	return row->f[f];
}

/* A Canvas gradebook export with a folder column added: its names, its points row, its grades. */
Test(roster, a_canvas_export_with_a_folder_column)
{
	struct roster r;
	cr_assert_eq(
	    load("\xef\xbb\xbfStudent,ID,SIS User ID,SIS Login ID,Section,Lab 1 (55),folder\r\n"
		 "    Points Possible,,,,,10,\r\n"
		 "\"Doe, John\",11,S1,jdoe,CS 1 (A),8,doejohn\r\n"
		 "\"Roe, \"\"Jane\"\"\", 12 ,S2,jroe,CS 1 (A),,roejane\r\n"
		 "\"Late, Lou\",13,S3,llate,CS 1 (B),,\r\n",
		 &r),
	    0, "%s", error_last());
	cr_expect_eq(r.n, 3, "the points row is no student");
	cr_expect_eq(r.nfolders, 2);
	cr_expect_str_eq(field(&r, "doejohn", ROSTER_NAME), "Doe, John");
	cr_expect_str_eq(field(&r, "doejohn", ROSTER_SIS_LOGIN_ID), "jdoe");
	cr_expect_str_eq(field(&r, "roejane", ROSTER_NAME), "Roe, \"Jane\"");
	cr_expect_str_eq(field(&r, "roejane", ROSTER_ID), "12", "fields are trimmed");
	cr_expect_str_eq(field(&r, "roejane", ROSTER_USERNAME), "", "a column the file lacks");
	cr_expect_null(roster_find(&r, "Late, Lou"));
	cr_expect_null(roster_find(&r, ""), "a row without a folder is found by none");
	cr_expect_str_eq(r.rows[2].f[ROSTER_NAME], "Late, Lou", "no folder: no submission, last");
	cr_expect_eq(r.rows[2].line, 5);
	roster_release(&r);
}

Test(roster, the_documented_columns_in_order_without_a_header)
{
	struct roster r;
	cr_assert_eq(load("bob,Bob Ray,7,S7,bray,A,bob.ray,bob@example.edu\n"
			  "\n"
			  "alice,\"Alice, with\nnewline\",8,,,,,alice@example.edu,extra\n",
			  &r),
		     0, "%s", error_last());
	cr_expect_eq(r.n, 2);
	cr_expect_str_eq(r.rows[0].f[ROSTER_FOLDER], "alice", "sorted by folder");
	cr_expect_str_eq(field(&r, "alice", ROSTER_NAME), "Alice, with\nnewline");
	cr_expect_eq(roster_find(&r, "alice")->line, 3);
	cr_expect_str_eq(field(&r, "bob", ROSTER_USERNAME), "bob.ray");
	cr_expect_str_eq(field(&r, "bob", ROSTER_EMAIL), "bob@example.edu");
	cr_expect_str_eq(field(&r, "bob", ROSTER_SECTION), "A");
	roster_release(&r);
}

Test(roster, moodle_and_blackboard_column_names)
{
	struct roster r;
	cr_assert_eq(load("Email address,ID number,Username,Full name,Folder\n"
			  "a@x.edu,1001,alice,Alice A,alice_dir\n",
			  &r),
		     0, "%s", error_last());
	cr_expect_str_eq(field(&r, "alice_dir", ROSTER_EMAIL), "a@x.edu");
	cr_expect_str_eq(field(&r, "alice_dir", ROSTER_SIS_USER_ID), "1001");
	cr_expect_str_eq(field(&r, "alice_dir", ROSTER_USERNAME), "alice");
	cr_expect_str_eq(field(&r, "alice_dir", ROSTER_NAME), "Alice A");
	roster_release(&r);
}

Test(roster, what_is_wrong_is_said_with_its_line)
{
	static const struct {
		const char *text, *says;
	} bad[] = {
	    {"folder,name\nalice,A\nbob,B\nalice,C\n", "roster.csv:4: folder 'alice' is on line 2"},
	    {"folder\na/b\n", ":2: folder 'a/b': a '/' in it"},
	    {"folder\n..\n", ":2: folder '..': no folder name"},
	    {"folder\n.hidden\n", ":2: folder '.hidden': a dot first"},
	    {"folder\nx\x1b[1m\n", ":2: folder 'x\x1b[1m': a control character"},
	    {"folder\nx\xff\n", ":2: folder 'x\xff': a name that is not UTF-8"},
	    {"name,email\nA,a@x\n", ":1: the header row names no folder column"},
	    {"folder\n\"alice\n", ":2: a quoted field is never closed"},
	    {"folder,name\nalice,Al \"the\" x\n", ":2: a quote inside a field"},
	    {"folder\n\"alice\"x\n", ":2: text after a quoted field"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct roster r;
		cr_expect_eq(load(bad[i].text, &r), -1, "accepted: %s", bad[i].text);
		cr_expect(strstr(error_last(), bad[i].says), "%s: got %s", bad[i].says,
			  error_last());
		cr_expect(strstr(error_last(), "roster "), "%s", error_last());
	}
	struct roster r;
	char long_folder[300];
	memset(long_folder, 'a', sizeof(long_folder));
	memcpy(long_folder, "folder\n", 7);
	strcpy(long_folder + 7 + 256, "\n");
	cr_expect_eq(load(long_folder, &r), -1, "a folder of 256 bytes cannot exist");
	cr_expect(strstr(error_last(), ": a name longer than 255 bytes"), "%s", error_last());
	char *missing = path_join(scratch, "nope.csv");
	cr_expect_eq(roster_load(missing, &r), -1);
	cr_expect(strstr(error_last(), "nope.csv"), "%s", error_last());
	free(missing);
}

Test(roster, fields_written_back_are_read_back)
{
	static const char *const values[] = {"plain", "a,b", "say \"hi\"", "two\r\nlines", ""};
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		if (i)
			strbuf_addch(&sb, ',');
		roster_add_field(&sb, values[i], false);
	}
	strbuf_addstr(&sb, "\r\n");
	struct strvec fields = STRVEC_INIT;
	strvec_init(&fields);
	const char *p = sb.buf;
	size_t line = 1;
	cr_assert_eq(roster_csv_record(&p, sb.buf + sb.len, &fields, &line), 0, "%s", error_last());
	cr_assert_eq(fields.n, ARRAY_SIZE(values));
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		cr_expect_str_eq(fields.v[i], values[i]);
	cr_expect_eq(line, 3, "the record held one line break, and ended with another");
	cr_expect_eq(*p, '\0');
	strvec_clear(&fields);
	/* Quoted when asked (Blackboard's gradebook), the same value read back. */
	strbuf_reset(&sb);
	roster_add_field(&sb, "plain", true);
	cr_expect_str_eq(sb.buf, "\"plain\"");
	strbuf_release(&sb);
}
