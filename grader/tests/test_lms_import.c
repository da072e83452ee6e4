/*
 * `grader import`'s parts: the LMSs' archive names read back (lms_names.c)
 * and the import itself (lms_import.c) on archives made here — as Canvas
 * and Moodle write them, and hostile: names that climb out of DIR or are
 * absolute, links, control bytes, duplicates, a zip bomb, too many
 * entries.  Nothing may be written outside DIR.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms_import.h"
#include "lms_names.h"
#include "roster.h"
#include "scratch_util.h"
#include "util.h"
#include "zip_util.h"

SCRATCH_SUITE(lms_import, .timeout = 120);

/* ---- names ----------------------------------------------------------- */

static void expect_name(enum lms_kind kind, const char *entry, const char *student, const char *id,
			const char *path)
{
	struct lms_name n;
	cr_assert_eq(lms_name_parse(kind, entry, &n), 0, "%s: %s", entry, error_last());
	cr_expect_str_eq(n.student, student, "%s", entry);
	cr_expect_str_eq(n.id, id, "%s", entry);
	cr_expect_str_eq(n.path, path, "%s", entry);
	lms_name_release(&n);
}

/* As Canvas's content_zipper.rb names them. */
Test(lms_import, canvas_names)
{
	expect_name(LMS_CANVAS, "doejohn_12345_67890_pipe_hello.c", "doejohn", "12345",
		    "pipe_hello.c");
	expect_name(LMS_CANVAS, "doejohn_LATE_12345_67890_pipe_hello.c", "doejohn", "12345",
		    "pipe_hello.c");
	expect_name(LMS_CANVAS, "doejohn_12345_67891_pipe_hello-1.c", "doejohn", "12345",
		    "pipe_hello.c");
	expect_name(LMS_CANVAS, "doejohn_12345_67892_Makefile-2", "doejohn", "12345", "Makefile");
	expect_name(LMS_CANVAS, "o_brien_7_8_lab_2_3.c", "o_brien", "7", "lab_2_3.c");
	expect_name(LMS_CANVAS, "roejane_222_text.html", "roejane", "222", "text.html");
	expect_name(LMS_CANVAS, "LATE_anon_Xy12z_99_main.c", "anon_Xy12z", "", "main.c");
	expect_name(LMS_CANVAS, "zoëñ_5_6_main.c", "zoëñ", "5", "main.c");
	struct lms_name n;
	cr_assert_eq(lms_name_parse(LMS_CANVAS, "doejohn_LATE_1_2_a-10.c", &n), 0);
	cr_expect(n.late && n.renamed && n.order == 2);
	lms_name_release(&n);
	static const char *const bad[] = {"README.txt",		 "doejohn_12345",
					  "12345_6_x.c",	 "doejohn_12345_x.c",
					  "dir/doejohn_1_2_x.c", "doejohn_1_2_"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_expect_eq(lms_name_parse(LMS_CANVAS, bad[i], &n), -1, "took %s", bad[i]);
}

/* As Moodle's mod/assign downloader names them, in folders (3.x and 4.x) or flat. */
Test(lms_import, moodle_names)
{
	expect_name(LMS_MOODLE, "Jane Roe_4242_assignsubmission_file/pipe_hello.c", "Jane Roe",
		    "4242", "pipe_hello.c");
	expect_name(LMS_MOODLE, "Jane Roe_4242_assignsubmission_file_/src/util.c", "Jane Roe",
		    "4242", "src/util.c");
	expect_name(LMS_MOODLE, "Jane Roe_4242_assignsubmission_onlinetext/onlinetext.html",
		    "Jane Roe", "4242", "onlinetext.html");
	expect_name(LMS_MOODLE, "Bob Ray_5_assignsubmission_file_my_file.c", "Bob Ray", "5",
		    "my_file.c");
	expect_name(LMS_MOODLE, "Default group_assignsubmission_file/x.c", "Default group", "",
		    "x.c");
	struct lms_name n;
	static const char *const bad[] = {
	    "junk.txt", "Jane Roe_4242/x.c", "Jane Roe_4242_assignsubmission_/x.c",
	    "Jane Roe_4242_assignsubmission_file_x/y.c", "Jane Roe_4242_assignsubmission_file"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_expect_eq(lms_name_parse(LMS_MOODLE, bad[i], &n), -1, "took %s", bad[i]);
}

Test(lms_import, folders_and_paths_are_made_safe)
{
	static const char *const folders[][2] = {
	    {"Jane Roe", "Jane_Roe"},
	    {"Zoë  Ñúñez", "Zoë_Ñúñez"},
	    {"../..", "student"},
	    {".hidden", "hidden"},
	    {"-rf /", "rf"},
	    {"a/b\\c", "a_b_c"},
	    {"bell\a\x1b[31m", "bell[31m"},
	    {"bidi\xe2\x80\xaeok", "bidiok"},
	    {"bad\xff utf8", "bad_utf8"},
	    {"", "student"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(folders); i++) {
		char *f = lms_safe_folder(folders[i][0]);
		cr_expect_str_eq(f, folders[i][1], "from '%s'", folders[i][0]);
		free(f);
	}
	char *long_name = xasprintf("%0300d", 7);
	char *f = lms_safe_folder(long_name);
	cr_expect_eq(strlen(f), 100);
	free(f);
	free(long_name);
	static const char *const bad[] = {"/etc/passwd", "../x", "a/../x", "a//x",	"./x",
					  "a/",		 "x\ny", "x\x1b",  "x\xc0\xaf", ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_expect_not_null(lms_bad_path(bad[i]), "took '%s'", bad[i]);
	cr_expect_null(lms_bad_path("src/main.c"));
	cr_expect_null(lms_bad_path(".gitignore"));
}

/* ---- the import ------------------------------------------------------ */

/* scratch/box/DIR: box must hold DIR alone afterwards, scratch box alone. */
static char *import_dir(void)
{
	return path_join(scratch, "box/DIR");
}

static enum lms_import_status import(enum lms_kind kind, const struct zip_entry *e, size_t n,
				     struct lms_import_counts *counts,
				     const struct lms_import_options *limits)
{
	char *zip = path_join(scratch, "download.zip");
	zip_write(zip, e, n);
	char *dir = import_dir();
	struct lms_import_options o = {LMS_IMPORT_LIMITS};
	if (limits)
		o = *limits;
	o.kind = kind;
	o.archive = zip;
	o.dir = dir;
	enum lms_import_status status = lms_import(&o, counts);
	/* Whatever happened: nothing beside DIR, nothing beside box. */
	char *box = path_join(scratch, "box");
	if (path_exists(box))
		cr_expect_leq(dir_entries(box), 1, "something was written beside DIR");
	cr_expect_leq(dir_entries(scratch), 2, "something was written beside box");
	free(box);
	free(dir);
	free(zip);
	return status;
}

static char *file_in(const char *rel)
{
	char *dir = import_dir();
	char *path = path_join(dir, rel);
	free(dir);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	struct stat st;
	char *text = NULL;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && read_file(path, &sb) == 0)
		text = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	free(path);
	return text;
}

static void expect_file(const char *rel, const char *text)
{
	char *got = file_in(rel);
	cr_expect_not_null(got, "%s was not imported", rel);
	if (got)
		cr_expect_str_eq(got, text, "%s", rel);
	free(got);
}

Test(lms_import, a_canvas_download_gives_a_folder_per_student)
{
	static const struct zip_entry e[] = {
	    {"doejohn_12345_67890_pipe_hello.c", "first\n", 0, ZIP_FILE},
	    {"doejohn_12345_67899_pipe_hello-1.c", "second\n", 0, ZIP_FILE},
	    {"doejohn_12345_67891_Makefile", "all:\n", 0, ZIP_FILE},
	    {"roejane_LATE_222_333_pipe_hello.c", "late\n", 0, ZIP_FILE},
	    {"smithjohn_1_10_a.c", "one\n", 0, ZIP_FILE},
	    {"smithjohn_2_11_a.c", "two\n", 0, ZIP_FILE},
	    {"README.txt", "not a submission\n", 0, ZIP_FILE},
	};
	struct lms_import_counts c;
	cr_assert_eq(import(LMS_CANVAS, e, ARRAY_SIZE(e), &c, NULL), LMS_IMPORT_OK, "%s",
		     error_last());
	expect_file("doejohn/pipe_hello.c", "second\n");
	expect_file("doejohn/Makefile", "all:\n");
	expect_file("roejane/pipe_hello.c", "late\n");
	expect_file("smithjohn_1/a.c", "one\n");
	expect_file("smithjohn_2/a.c", "two\n");
	cr_expect_eq(c.students, 4);
	cr_expect_eq(c.files, 5);
	cr_expect_eq(c.skipped, 2, "the earlier upload and README.txt");
	char *dir = import_dir();
	cr_expect_eq(dir_entries(dir), 4);
	free(dir);
}

Test(lms_import, a_moodle_download_keeps_subfolders_and_names)
{
	static const struct zip_entry e[] = {
	    {"Jane Roe_4242_assignsubmission_file/", NULL, 0, ZIP_DIR},
	    {"Jane Roe_4242_assignsubmission_file/pipe_hello.c", "jane\n", 0, ZIP_FILE},
	    {"Jane Roe_4242_assignsubmission_file/src/util.c", "util\n", 0, ZIP_FILE},
	    {"Jane Roe_4242_assignsubmission_onlinetext/onlinetext.html", "<p>\n", 0, ZIP_FILE},
	    {"Zoë Ñúñez_17_assignsubmission_file_/main.c", "zoe\n", 0, ZIP_FILE},
	    {"Bob Ray_5_assignsubmission_file_flat.c", "flat\n", 0, ZIP_FILE},
	};
	struct lms_import_counts c;
	cr_assert_eq(import(LMS_MOODLE, e, ARRAY_SIZE(e), &c, NULL), LMS_IMPORT_OK, "%s",
		     error_last());
	expect_file("Jane_Roe/pipe_hello.c", "jane\n");
	expect_file("Jane_Roe/src/util.c", "util\n");
	expect_file("Jane_Roe/onlinetext.html", "<p>\n");
	expect_file("Zoë_Ñúñez/main.c", "zoe\n");
	expect_file("Bob_Ray/flat.c", "flat\n");
	cr_expect_eq(c.students, 3);
	cr_expect_eq(c.skipped, 0);
}

/* Everything a hostile archive may hold: each skipped, nothing outside DIR, the rest imported. */
Test(lms_import, a_hostile_archive_writes_nothing_outside_dir)
{
	static const struct zip_entry e[] = {
	    {"../evil_1_2_x.c", "climb\n", 0, ZIP_FILE},
	    {"doejohn_1_2_../../evil.c", "climb\n", 0, ZIP_FILE},
	    {"/tmp/abs_1_2_x.c", "absolute\n", 0, ZIP_FILE},
	    {"link_1_2_l.c", "/etc/passwd", 0, ZIP_SYMLINK},
	    {"ctl\x1b]0;title\a_1_2_x.c", "control\n", 0, ZIP_FILE},
	    {"doejohn_1_3_x\xff.c", "not utf-8\n", 0, ZIP_FILE},
	    {"doejohn_1_4_main.c", "kept\n", 0, ZIP_FILE},
	    {"doejohn_1_4_main.c", "the same entry again\n", 0, ZIP_FILE},
	    {"..._1_5_dots.c", "dots\n", 0, ZIP_FILE},
	};
	struct lms_import_counts c;
	cr_assert_eq(import(LMS_CANVAS, e, ARRAY_SIZE(e), &c, NULL), LMS_IMPORT_OK, "%s",
		     error_last());
	expect_file("doejohn/main.c", "kept\n");
	/* "..." is a name, not a way up: its folder is made safe, "student". */
	expect_file("student/dots.c", "dots\n");
	cr_expect_eq(c.files, 2);
	cr_expect_eq(c.skipped, 7);
	char *dir = import_dir();
	cr_expect_eq(dir_entries(dir), 2, "doejohn and student only");
	free(dir);
}

Test(lms_import, a_moodle_archive_cannot_climb_out_of_a_student_folder)
{
	static const struct zip_entry e[] = {
	    {"Jane Roe_1_assignsubmission_file/../../../evil.c", "climb\n", 0, ZIP_FILE},
	    {"Jane Roe_1_assignsubmission_file/src/../../x.c", "climb\n", 0, ZIP_FILE},
	    {"Jane Roe_1_assignsubmission_file/lib", "/etc", 0, ZIP_SYMLINK},
	    {"Jane Roe_1_assignsubmission_file/lib/passwd", "through the link\n", 0, ZIP_FILE},
	    {"Jane Roe_1_assignsubmission_file/a", "a file\n", 0, ZIP_FILE},
	    {"Jane Roe_1_assignsubmission_file/a/b", "below a file\n", 0, ZIP_FILE},
	};
	struct lms_import_counts c;
	cr_assert_eq(import(LMS_MOODLE, e, ARRAY_SIZE(e), &c, NULL), LMS_IMPORT_OK, "%s",
		     error_last());
	expect_file("Jane_Roe/a", "a file\n");
	expect_file("Jane_Roe/lib/passwd", "through the link\n");
	char *dir = import_dir();
	char *lib = path_join(dir, "Jane_Roe/lib");
	struct stat st;
	cr_expect(lstat(lib, &st) == 0 && S_ISDIR(st.st_mode), "lib is a folder of ours, no link");
	free(lib);
	free(dir);
	cr_expect_eq(c.files, 2);
	cr_expect_eq(c.skipped, 4);
}

/* A zip bomb: small limits here, the same code as the defaults (lms_import.h). */
Test(lms_import, the_limits_hold_against_a_zip_bomb)
{
	struct lms_import_options limits = {LMS_IMPORT_LIMITS};
	limits.max_file_bytes = 1 << 20;
	limits.max_student_bytes = 5 << 19;
	limits.max_student_files = 3;
	limits.max_total_bytes = 16 << 20;
	static const struct zip_entry big[] = {
	    {"doejohn_1_2_big.c", NULL, 8 << 20, ZIP_FILE}, /* past one file's limit */
	    {"doejohn_1_3_a.c", NULL, 700 << 10, ZIP_FILE},
	    {"doejohn_1_4_b.c", NULL, 700 << 10, ZIP_FILE},
	    {"doejohn_1_5_c.c", NULL, 700 << 10, ZIP_FILE},
	    {"doejohn_1_6_d.c", "past the student's files\n", 0, ZIP_FILE},
	    {"roejane_2_7_a.c", NULL, 1 << 20, ZIP_FILE},
	    {"roejane_2_8_b.c", NULL, 1 << 20, ZIP_FILE},
	    {"roejane_2_9_c.c", NULL, 1 << 20, ZIP_FILE}, /* past the student's bytes */
	};
	struct lms_import_counts c;
	cr_assert_eq(import(LMS_CANVAS, big, ARRAY_SIZE(big), &c, &limits), LMS_IMPORT_OK, "%s",
		     error_last());
	char *gone = file_in("doejohn/big.c");
	cr_expect_null(gone, "the file past the limit was left");
	free(gone);
	cr_expect_eq(c.files, 5, "a, b, c of doejohn; a, b of roejane");
	cr_expect_eq(c.skipped, 3);

	/* Past the archive's bytes: the import stops, saying why. */
	char *dir = import_dir();
	remove_tree(dir);
	limits.max_student_bytes = 64 << 20;
	limits.max_student_files = 100;
	limits.max_total_bytes = 6 << 20;
	static const struct zip_entry bomb[] = {
	    {"a_1_2_x.c", NULL, 1 << 20, ZIP_FILE}, {"b_2_3_x.c", NULL, 1 << 20, ZIP_FILE},
	    {"c_3_4_x.c", NULL, 1 << 20, ZIP_FILE}, {"d_4_5_x.c", NULL, 1 << 20, ZIP_FILE},
	    {"e_5_6_x.c", NULL, 1 << 20, ZIP_FILE}, {"f_6_7_x.c", NULL, 1 << 20, ZIP_FILE},
	    {"g_7_8_x.c", NULL, 1 << 20, ZIP_FILE},
	};
	cr_expect_eq(import(LMS_CANVAS, bomb, ARRAY_SIZE(bomb), &c, &limits), LMS_IMPORT_BAD_INPUT);
	cr_expect(strstr(error_last(), "zip bomb"), "%s", error_last());

	/* Past the archive's entries: nothing imported at all. */
	remove_tree(dir);
	limits.max_entries = 4;
	cr_expect_eq(import(LMS_CANVAS, bomb, ARRAY_SIZE(bomb), &c, &limits), LMS_IMPORT_BAD_INPUT);
	cr_expect(strstr(error_last(), "more than 4 entries"), "%s", error_last());
	cr_expect_not(path_exists(dir), "DIR was made for an archive refused whole");
	free(dir);
}

Test(lms_import, refuses_what_is_no_zip_and_a_folder_in_use)
{
	char *zip = path_join(scratch, "download.zip");
	cr_assert_eq(write_file_atomic(zip, "this is no zip archive\n", 23), 0);
	struct lms_import_options o = {LMS_IMPORT_LIMITS};
	o.kind = LMS_CANVAS;
	o.archive = zip;
	char *dir = import_dir();
	o.dir = dir;
	struct lms_import_counts c;
	cr_expect_eq(lms_import(&o, &c), LMS_IMPORT_BAD_INPUT);
	cr_expect(strstr(error_last(), "not a zip archive"), "%s", error_last());
	static const struct zip_entry e[] = {{"doejohn_1_2_x.c", "x\n", 0, ZIP_FILE}};
	zip_write(zip, e, 1);
	char *mine = path_join(dir, "mine.txt");
	cr_assert_eq(mkdir_p(dir, 0755), 0);
	cr_assert_eq(write_file_atomic(mine, "a TA's file\n", 12), 0);
	cr_expect_eq(lms_import(&o, &c), LMS_IMPORT_BAD_INPUT);
	cr_expect(strstr(error_last(), "is not empty"), "%s", error_last());
	cr_expect_eq(dir_entries(dir), 1, "nothing added to a folder in use");
	free(mine);
	free(dir);
	free(zip);
}

Test(lms_import, the_roster_written_is_the_one_batch_reads)
{
	static const struct zip_entry e[] = {
	    {"doejohn_12345_1_a.c", "a\n", 0, ZIP_FILE},
	    {"smithjohn_7_2_a.c", "b\n", 0, ZIP_FILE},
	    {"smithjohn_8_3_a.c", "c\n", 0, ZIP_FILE},
	};
	char *zip = path_join(scratch, "download.zip");
	zip_write(zip, e, ARRAY_SIZE(e));
	char *dir = import_dir(), *roster_path = path_join(scratch, "roster.csv");
	struct lms_import_options o = {LMS_IMPORT_LIMITS};
	o.kind = LMS_CANVAS;
	o.archive = zip;
	o.dir = dir;
	o.roster_out = roster_path;
	struct lms_import_counts c;
	cr_assert_eq(lms_import(&o, &c), LMS_IMPORT_OK, "%s", error_last());
	struct roster r;
	cr_assert_eq(roster_load(roster_path, &r), 0, "%s", error_last());
	cr_expect_eq(r.n, 3);
	cr_expect_str_eq(roster_find(&r, "doejohn")->f[ROSTER_ID], "12345");
	cr_expect_str_eq(roster_find(&r, "smithjohn_8")->f[ROSTER_ID], "8");
	cr_expect_str_eq(roster_find(&r, "smithjohn_7")->f[ROSTER_NAME], "smithjohn");
	roster_release(&r);
	free(roster_path);
	free(dir);
	free(zip);
}
