/*
 * End to end, the LMS side of the grader: `grader import` of an LMS's
 * download, `batch` naming every entry of the root it skips, `--roster`
 * with `--gradebook canvas|moodle|blackboard` on batch and report, the
 * usage errors they give, and junit.xml's file=.  The class is made of the
 * robustness fixtures' quick "hello" submissions.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "roster.h"
#include "util.h"
#include "zip_util.h"

#define SPEC "grader/tests/robustness"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(lms_e2e, .fini = teardown, .timeout = 240);

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, NULL);
}

static char *slurp_in(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	char *text = slurp(path);
	free(path);
	return text;
}

/* Copies the robustness submission `from` into class/name. */
static void enrol(const char *class, const char *name, const char *from)
{
	char *dst = path_join(class, name);
	char *src = xasprintf(SPEC "/submissions/%s", from);
	cr_assert_eq(mkdir_p(dst, 0755), 0, "%s", error_last());
	cr_assert_eq(copy_tree(src, dst), 0, "%s", error_last());
	free(src);
	free(dst);
}

static char *tmp(const char *name)
{
	return path_join(e2e_tmpdir(), name);
}

static void write_text(const char *path, const char *text)
{
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
}

Test(lms_e2e, batch_names_every_entry_of_the_root_it_skips)
{
	char *class = tmp("skips-class"), *out = tmp("skips-out");
	enrol(class, "alice", "hello");
	char *file = path_join(class, "notes.txt"), *hidden = path_join(class, ".git");
	char *dotfile = path_join(class, ".DS_Store"), *link = path_join(class, "bob");
	char *odd = path_join(class, "eve\x1b[2J");
	write_text(file, "a TA's notes\n");
	cr_assert_eq(mkdir_p(hidden, 0755), 0);
	write_text(dotfile, "");
	cr_assert_eq(symlink("alice", link), 0);
	write_text(odd, "");
	const char *argv[] = {e2e_grader(), "batch", SPEC, class, "-o", out, "-j", "1", NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	char *lines[] = {
	    xasprintf("grader: batch: skipped %s: not a folder", file),
	    xasprintf("grader: batch: skipped %s: a hidden folder (its name begins with a dot)",
		      hidden),
	    xasprintf("grader: batch: skipped %s: not a folder", dotfile),
	    xasprintf("grader: batch: skipped %s: a symbolic link, not a student folder", link),
	    /* Escaped: the name's ESC never reaches the terminal. */
	    xasprintf("grader: batch: skipped %s/eve\\x1b[2J: not a folder", class),
	    xasprintf("grader: batch: skipped 5 entries of %s that are no student folders (named "
		      "above)",
		      class),
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		cr_expect(strstr(run.err, lines[i]), "expected \"%s\" in:\n%s", lines[i], run.err);
		free(lines[i]);
	}
	cr_expect_null(strstr(run.err, "\x1b"), "a raw escape reached stderr");
	char *gradebook = slurp_in(out, "gradebook.csv");
	cr_expect(strstr(gradebook, "\r\nalice,1,1,1\r\n") && !strstr(gradebook, "bob"), "%s",
		  gradebook);
	free(gradebook);
	free(odd);
	free(link);
	free(dotfile);
	free(hidden);
	free(file);
	free(out);
	free(class);
}

/* alice and bob on the roster, eve not; dave and fay on it without a submission. */
static const char roster_csv[] =
    "folder,name,id,sis_user_id,sis_login_id,section,username,email\r\n"
    "alice,\"Liddell, Alice\",101,S101,aliddell,A,alice,alice@x.edu\r\n"
    "bob,\"Ray, Bob\",102,S102,bray,A,bob,bob@x.edu\r\n"
    "dave,\"Absent, Dave\",104,S104,dabsent,B,dave,dave@x.edu\r\n"
    ",\"Folderless, Fay\",105,S105,ffay,B,fay,\r\n";

Test(lms_e2e, batch_and_report_write_what_each_lms_imports)
{
	char *class = tmp("lms-class"), *out = tmp("lms-out"), *roster = tmp("lms-roster.csv");
	enrol(class, "alice", "hello");
	enrol(class, "bob", "exit_42");
	enrol(class, "eve", "hello");
	write_text(roster, roster_csv);
	const char *argv[] = {e2e_grader(),
			      "batch",
			      SPEC,
			      class,
			      "-o",
			      out,
			      "-j",
			      "2",
			      "--roster",
			      roster,
			      "--gradebook",
			      "canvas",
			      "--gradebook-column",
			      "Hello (4242)",
			      NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	char *csv = slurp_in(out, "gradebook-canvas.csv");
	cr_expect_str_eq(csv, "Student,ID,SIS User ID,SIS Login ID,Section,Hello (4242)\r\n"
			      "    Points Possible,,,,,1\r\n"
			      "\"Liddell, Alice\",101,S101,aliddell,A,1\r\n"
			      "\"Ray, Bob\",102,S102,bray,A,0\r\n"
			      "\"Absent, Dave\",104,S104,dabsent,B,0\r\n"
			      "\"Folderless, Fay\",105,S105,ffay,B,0\r\n");
	free(csv);
	char *unmatched = xasprintf("grader: batch: eve: no row of the roster %s names this "
				    "folder: not in gradebook-canvas.csv",
				    roster);
	cr_expect(strstr(run.err, unmatched), "%s", run.err);
	cr_expect(strstr(run.err, ":4 (Absent, Dave): no submission in folder dave: 0 in "
				  "gradebook-canvas.csv"),
		  "%s", run.err);
	cr_expect(strstr(run.err, ":5 (Folderless, Fay): no submission: 0 in"), "%s", run.err);
	cr_expect(strstr(run.err, "grader: batch: 1 folder the roster does not name"), "%s",
		  run.err);
	cr_expect(strstr(run.err, "grader: batch: 2 students of the roster without a submission"),
		  "%s", run.err);
	cr_expect(strstr(run.err, "(gradebook.csv, gradebook-canvas.csv, junit.xml, index.html)"),
		  "%s", run.err);
	char *generic = slurp_in(out, "gradebook.csv");
	cr_expect(!strncmp(generic, "student,score,max_score,prints hello\r\n", 38), "%s", generic);
	cr_expect(strstr(generic, "\r\neve,1,1,1\r\n"), "eve is still graded: %s", generic);
	free(generic);
	char *html = slurp_in(out, "index.html");
	cr_expect(strstr(html, "<h3>Not on the roster (1)</h3>") &&
		      strstr(html, "<h3>No submission (2)</h3>"),
		  "%.4000s", html);
	free(html);
	/* junit.xml names each student's main source, under their folder. */
	char *junit = slurp_in(out, "junit.xml");
	cr_expect(strstr(junit, "name=\"prints hello\" file=\"bob/main.c\""), "%.2000s", junit);
	free(junit);

	/* The same folder reported for Moodle and Blackboard: no grading again. */
	const char *moodle[] = {e2e_grader(), "report",	     SPEC,     out, "--roster",
				roster,	      "--gradebook", "moodle", NULL};
	e2e_release_and_run(moodle, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	csv = slurp_in(out, "gradebook-moodle.csv");
	cr_expect_str_eq(csv, "Username,Email address,ID number,Full name,robustness\r\n"
			      "alice,alice@x.edu,S101,\"Liddell, Alice\",1\r\n"
			      "bob,bob@x.edu,S102,\"Ray, Bob\",0\r\n"
			      "dave,dave@x.edu,S104,\"Absent, Dave\",0\r\n"
			      "fay,,S105,\"Folderless, Fay\",0\r\n");
	free(csv);
	cr_expect(strstr(run.err, "grader: report: 1 folder the roster does not name"), "%s",
		  run.err);
	const char *blackboard[] = {e2e_grader(), "report",	 SPEC,	       out, "--roster",
				    roster,	  "--gradebook", "blackboard", NULL};
	e2e_release_and_run(blackboard, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	csv = slurp_in(out, "gradebook-blackboard.csv");
	cr_expect_str_eq(csv,
			 "\"Username\",\"robustness [Total Pts: 1 Score]\"\r\n"
			 "\"alice\",\"1\"\r\n\"bob\",\"0\"\r\n\"dave\",\"0\"\r\n\"fay\",\"0\"\r\n");
	free(csv);
	free(unmatched);
	free(roster);
	free(out);
	free(class);
}

/* A Canvas download imported, its roster written, graded, and back into Canvas's gradebook. */
Test(lms_e2e, a_canvas_download_imported_graded_and_back_into_canvas)
{
	char *hello = slurp(SPEC "/submissions/hello/main.c");
	char *wrong = slurp(SPEC "/submissions/exit_42/main.c");
	const struct zip_entry download[] = {
	    {"doejohn_12345_900_main.c", wrong, 0, ZIP_FILE},
	    {"doejohn_12345_901_main-1.c", hello, 0, ZIP_FILE},
	    {"roejane_LATE_222_903_main.c", wrong, 0, ZIP_FILE},
	    {"../../evil_1_2_main.c", hello, 0, ZIP_FILE},
	    {"smithjohn_7_904_link.c", "/etc/shadow", 0, ZIP_SYMLINK},
	};
	char *zip = tmp("canvas-download.zip"), *dir = tmp("canvas-class");
	char *roster = tmp("canvas-roster.csv"), *out = tmp("canvas-out");
	zip_write(zip, download, ARRAY_SIZE(download));
	const char *import[] = {e2e_grader(), "import",		"canvas", zip,
				dir,	      "--write-roster", roster,	  NULL};
	e2e_release_and_run(import, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	static const char *const said[] = {
	    "grader: import: skipped 'doejohn_12345_900_main.c': an earlier upload of main.c by "
	    "doejohn: the later one is kept",
	    "grader: import: doejohn: doejohn_12345_901_main-1.c restored as main.c",
	    "grader: import: skipped '../../evil_1_2_main.c': a \".\" or \"..\" in its path",
	    "grader: import: skipped 'smithjohn_7_904_link.c': a link, not a file",
	    "grader: import: 2 files of 2 students into ",
	    "grader: import: 3 entries skipped (named above)",
	};
	for (size_t i = 0; i < ARRAY_SIZE(said); i++)
		cr_expect(strstr(run.err, said[i]), "expected \"%s\" in:\n%s", said[i], run.err);
	char *main_c = path_join(dir, "doejohn/main.c");
	char *imported = slurp(main_c);
	cr_expect_str_eq(imported, hello, "the later upload");
	free(imported);
	free(main_c);

	const char *batch[] = {e2e_grader(), "batch",	 SPEC,	 dir,		"-o",	  out, "-j",
			       "2",	     "--roster", roster, "--gradebook", "canvas", NULL};
	e2e_release_and_run(batch, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	char *csv = slurp_in(out, "gradebook-canvas.csv");
	cr_expect_str_eq(csv, "Student,ID,SIS User ID,SIS Login ID,Section,robustness\r\n"
			      "    Points Possible,,,,,1\r\n"
			      "doejohn,12345,,,,1\r\n"
			      "roejane,222,,,,0\r\n");
	free(csv);
	cr_expect_null(strstr(run.err, "roster does not name"), "%s", run.err);

	/* Imported again into the same folder: refused, nothing touched. */
	e2e_release_and_run(import, &run);
	cr_expect_eq(run.exit_code, 2, "%s", run.err);
	cr_expect(strstr(run.err, "is not empty"), "%s", run.err);
	free(out);
	free(roster);
	free(dir);
	free(zip);
	free(wrong);
	free(hello);
}

Test(lms_e2e, usage_errors_say_what_is_wrong)
{
	char *roster = tmp("bad-roster.csv"), *out = tmp("usage-out"), *nozip = tmp("notes.zip");
	write_text(roster, "folder,name\nalice,A\nalice,B\n");
	write_text(nozip, "not a zip\n");
	static const struct {
		const char *args[8];
		const char *says;
	} cases[] = {
	    {{"batch", SPEC, "submissions/pipe_hello", "--gradebook", "d2l"},
	     "--gradebook wants generic, canvas, moodle or blackboard, not 'd2l'"},
	    {{"batch", SPEC, "submissions/pipe_hello", "--gradebook-column", "X"},
	     "--gradebook-column names the column of an LMS gradebook"},
	    {{"report", SPEC, "@OUT", "--roster", "@ROSTER"}, ":3: folder 'alice' is on line 2"},
	    {{"report", SPEC, "@OUT", "--roster", ""}, "--roster FILE.csv is empty"},
	    {{"import", "blackboard", "@ZIP", "@OUT"}, "import reads canvas or moodle archives"},
	    {{"import", "canvas", "@ZIP", "@OUT"}, "not a zip archive"},
	    {{"import", "canvas", "@ZIP"}, "give the LMS, the archive and the folder"},
	};
	cr_assert_eq(mkdir_p(out, 0755), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *argv[10] = {e2e_grader()};
		for (size_t a = 0; a < 8 && cases[i].args[a]; a++) {
			const char *arg = cases[i].args[a];
			argv[a + 1] = !strcmp(arg, "@OUT")	? out
				      : !strcmp(arg, "@ROSTER") ? roster
				      : !strcmp(arg, "@ZIP")	? nozip
								: arg;
		}
		e2e_release_and_run(argv, &run);
		cr_expect_eq(run.exit_code, 2, "%s %s: exit %d\n%s", cases[i].args[0],
			     cases[i].args[1], run.exit_code, run.err);
		cr_expect(strstr(run.err, cases[i].says), "expected \"%s\" in:\n%s", cases[i].says,
			  run.err);
	}
	free(nozip);
	free(out);
	free(roster);
}

/* grade and check: the submission is the CI job's working copy, so file= is the file alone. */
Test(lms_e2e, a_single_submission_s_junit_names_its_source)
{
	char *out = tmp("single-out");
	const char *argv[] = {e2e_grader(), "grade", SPEC, SPEC "/submissions/exit_42",
			      "-o",	    out,     NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 1, "%s", run.err);
	char *junit = slurp_in(out, "junit.xml");
	cr_expect(strstr(junit, "name=\"prints hello\" file=\"main.c\""), "%s", junit);
	cr_expect(strstr(junit, "<failure message=\"exit: "), "the cause first: %s", junit);
	free(junit);
	free(out);
}
