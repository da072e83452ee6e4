/*
 * The split of a class into shards and its class lists (shard.c), and end
 * to end: `grader batch --shard K/N` into one folder, one after the other
 * or at the same time, re-run with --resume, and `grader report` merging
 * what the shards wrote, naming who has no report yet.  The class is made
 * of copies of the quick pipe_hello submissions (docs/scale.md).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "shard.h"
#include "util.h"

#define SPEC "testcases/pipe_hello"
#define NSTUDENTS 15

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(shard, .fini = teardown, .timeout = 240);

/* ---- the split ------------------------------------------------------- */

Test(shard, k_of_n_is_parsed_strictly)
{
	struct shard s;
	cr_assert_eq(shard_parse("2/4", &s), 0, "%s", error_last());
	cr_expect(s.k == 2 && s.n == 4);
	cr_assert_eq(shard_parse("1/1", &s), 0);
	cr_assert_eq(shard_parse("100000/100000", &s), 0);
	const char *bad[] = {"0/4", "5/4", "1/0", "0/0", "", "1", "1/", "/4", "a/b", "1/4x",
			     "1 /4", " 1/4", "+1/4", "-1/4", "1/-4", "1/4/5", "1/100001",
			     "99999999999999999999/4"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cr_expect_eq(shard_parse(bad[i], &s), -1, "'%s' was taken", bad[i]);
		cr_expect(strstr(error_last(), "K/N"), "%s", error_last());
	}
}

/*
 * The function itself is the contract: shards of one class may run grader
 * binaries built at different times, and docs/scale.md gives it in Python
 * so that a TA can tell which shard grades whom.  These values come from
 * that Python code.
 */
Test(shard, the_split_function_is_the_documented_one)
{
	static const struct {
		const char *name;
		unsigned want[5];
	} known[] = {
	    {"alice", {0, 0, 0, 0, 2}},
	    {"bob", {0, 0, 0, 2, 4}},
	    {"correct_alice", {0, 2, 0, 0, 4}},
	    {"student_0000", {0, 1, 2, 3, 0}},
	    {"\xc3\xa9lodie", {1, 2, 3, 6, 5}},
	};
	static const unsigned ns[5] = {2, 3, 4, 7, 10};
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		for (size_t j = 0; j < ARRAY_SIZE(ns); j++)
			cr_expect_eq(shard_index(known[i].name, ns[j]), known[i].want[j],
				     "%s among %u", known[i].name, ns[j]);
}

/* Every student in exactly one shard, whatever N, and the same one every time. */
Test(shard, every_student_is_in_exactly_one_shard)
{
	for (unsigned n = 1; n <= 12; n++) {
		for (int i = 0; i < 300; i++) {
			char name[32];
			snprintf(name, sizeof(name), "student_%04d", i);
			unsigned in = 0;
			for (unsigned k = 1; k <= n; k++)
				in += shard_contains(&(struct shard){k, n}, name);
			cr_expect_eq(in, 1, "%s is in %u of %u shards", name, in, n);
			cr_expect_eq(shard_index(name, n), shard_index(name, n));
		}
	}
}

/*
 * Balanced as a random split is: no shard further from the mean than four
 * standard deviations of a binomial count, and for 1,000 students in 4
 * shards (the bench's class) each within 10% of 250.
 */
Test(shard, the_split_is_balanced)
{
	const char *const patterns[] = {"student_%04d", "s%d", "%d_submission", "u%05d@example.edu"};
	for (size_t p = 0; p < ARRAY_SIZE(patterns); p++) {
		for (unsigned n = 2; n <= 16; n++) {
			size_t count[16] = {0}, total = 2000;
			for (size_t i = 0; i < total; i++) {
				char name[64];
				snprintf(name, sizeof(name), patterns[p], (int)i);
				count[shard_index(name, n)]++;
			}
			double mean = (double)total / n;
			double sd = sqrt((double)total * (1.0 / n) * (1.0 - 1.0 / n));
			for (unsigned k = 0; k < n; k++)
				cr_expect(fabs((double)count[k] - mean) <= 4 * sd,
					  "%s, %u shards: shard %u has %zu (mean %.0f)", patterns[p], n,
					  k + 1, count[k], mean);
		}
	}
	size_t count[4] = {0};
	for (int i = 0; i < 1000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "student_%04d", i);
		count[shard_index(name, 4)]++;
	}
	for (int k = 0; k < 4; k++)
		cr_expect(count[k] >= 225 && count[k] <= 275, "shard %d of 4 has %zu of 1000", k + 1,
			  count[k]);
}

/* A student joining or leaving the class moves nobody else (what --resume after a change needs). */
Test(shard, students_added_to_the_class_move_nobody)
{
	unsigned before[200];
	for (int i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "student_%04d", 2 * i);
		before[i] = shard_index(name, 5);
	}
	/* The class once the odd-numbered students, sorted among them, have joined. */
	for (int i = 0; i < 400; i++) {
		char name[32];
		snprintf(name, sizeof(name), "student_%04d", i);
		if (i % 2 == 0)
			cr_expect_eq(shard_index(name, 5), before[i / 2], "%s moved", name);
	}
}

/* ---- class lists ----------------------------------------------------- */

static struct strvec paths_of(const char *const *names, size_t n)
{
	struct strvec dirs = STRVEC_INIT;
	strvec_init(&dirs);
	for (size_t i = 0; i < n; i++)
		strvec_pushf(&dirs, "/class/%s", names[i]);
	return dirs;
}

static char *joined(const struct strvec *names)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < names->n; i++)
		strbuf_addf(&sb, "%s|", names->v[i]);
	return strbuf_detach(&sb, NULL);
}

/*
 * Each shard records the whole class it saw; the union is the class, a name
 * with a newline included; another split's lists are removed.
 */
Test(shard, class_lists_are_united_and_another_split_s_removed)
{
	char *out = path_join(e2e_tmpdir(), "lists");
	struct strvec names = STRVEC_INIT;
	strvec_init(&names);
	cr_assert_eq(shard_class_read(out, &names), 0, "no list yet: %s", error_last());
	cr_expect_eq(names.n, 0);

	const char *const first[] = {"bob", "al\nice"};
	const char *const later[] = {"bob", "carol", "al\nice"};
	struct strvec a = paths_of(first, 2), b = paths_of(later, 3);
	cr_assert_eq(shard_class_write(out, &(struct shard){1, 3}, &a), 0, "%s", error_last());
	cr_assert_eq(shard_class_write(out, &(struct shard){3, 3}, &b), 0, "%s", error_last());
	cr_assert_eq(shard_class_read(out, &names), 2, "%s", error_last());
	char *got = joined(&names);
	cr_expect_str_eq(got, "al\nice|bob|carol|");
	free(got);

	/* A file that is no list, and a list naming what is no student of the folder. */
	char *junk = path_join(out, ".grader/class/notes.txt");
	cr_assert_eq(write_file_atomic(junk, "x\0", 2), 0);
	char *bad = path_join(out, ".grader/class/2-of-3");
	cr_assert_eq(write_file_atomic(bad, "../etc\0.\0\0dave\0", 15), 0);
	strvec_clear(&names);
	strvec_init(&names);
	cr_assert_eq(shard_class_read(out, &names), 3);
	got = joined(&names);
	cr_expect_str_eq(got, "al\nice|bob|carol|dave|");
	free(got);

	/* A split into 2: the lists of the split into 3 go. */
	cr_assert_eq(shard_class_write(out, &(struct shard){2, 2}, &a), 0, "%s", error_last());
	strvec_clear(&names);
	strvec_init(&names);
	cr_assert_eq(shard_class_read(out, &names), 1);
	got = joined(&names);
	cr_expect_str_eq(got, "al\nice|bob|");
	free(got);
	cr_expect(path_exists(junk), "not a list: left alone");

	free(bad);
	free(junk);
	strvec_clear(&names);
	strvec_clear(&a);
	strvec_clear(&b);
	free(out);
}

/* ---- end to end ------------------------------------------------------ */

static const char *const quick[] = {"correct_alice", "compile_error_eve", "no_terminator_bob",
				    "fd_leak_frank", "null_argv_dan"};

/* NSTUDENTS copies of the quick submissions, student_00 to student_14, under e2e_tmpdir/class. */
static const char *make_class(void)
{
	static char *root;
	if (root)
		return root;
	root = path_join(e2e_tmpdir(), "class");
	for (int i = 0; i < NSTUDENTS; i++) {
		char *dst = xasprintf("%s/student_%02d", root, i);
		char *src = xasprintf("submissions/pipe_hello/%s", quick[i % ARRAY_SIZE(quick)]);
		cr_assert_eq(mkdir_p(dst, 0755), 0, "%s", error_last());
		cr_assert_eq(copy_tree(src, dst), 0, "%s", error_last());
		free(src);
		free(dst);
	}
	return root;
}

static char *out_dir(const char *name)
{
	return path_join(e2e_tmpdir(), name);
}

static void batch(const char *out, const char *shard, const char *extra)
{
	const char *argv[] = {e2e_grader(), "batch", SPEC, make_class(), "-o", out, "-j", "2",
			      shard ? "--shard" : extra, shard ? shard : NULL, extra, NULL};
	e2e_release_and_run(argv, &run);
}

static void report(const char *out, const char *extra, const char *value)
{
	const char *argv[] = {e2e_grader(), "report", SPEC, out, extra, value, NULL};
	e2e_release_and_run(argv, &run);
}

static char *slurp(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	free(path);
	return strbuf_detach(&sb, NULL);
}

static bool has_file(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	bool found = path_exists(path);
	free(path);
	return found;
}

static bool has_report(const char *dir, int student)
{
	char *name = xasprintf("student_%02d.json", student);
	bool found = has_file(dir, name);
	free(name);
	return found;
}

static unsigned shard_of(int student, unsigned n)
{
	char name[32];
	snprintf(name, sizeof(name), "student_%02d", student);
	return shard_index(name, n) + 1;
}

/* The class graded by one batch, once for the whole file: the gradebook shards must equal. */
static const char *whole_class(void)
{
	static char *out;
	if (!out) {
		out = out_dir("whole");
		batch(out, NULL, NULL);
		cr_assert_eq(run.exit_code, 0, "%s", run.err);
	}
	return out;
}

/* `grader report` on out: every student has a report, and the gradebook is one batch's. */
static void expect_one_batch_s_gradebook(const char *out)
{
	char *want = slurp(whole_class(), "gradebook.csv");
	report(out, NULL, NULL);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	cr_expect(!strstr(run.err, "no report"), "%s", run.err);
	char *got = slurp(out, "gradebook.csv");
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
}

/* out, into which shard 1/3 has graded its students. */
static char *graded_by_shard_1(char *out)
{
	batch(out, "1/3", NULL);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	return out;
}

/* Shards first to 3 of 3 into out, one after the other (extra: an option or NULL). */
static void shards_in_turn(const char *out, unsigned first, const char *extra)
{
	for (unsigned k = first; k <= 3; k++) {
		char *shard = xasprintf("%u/3", k);
		batch(out, shard, extra);
		cr_assert_eq(run.exit_code, 0, "shard %s: %s", shard, run.err);
		free(shard);
	}
}

/* Each shard grades its students and no other, and writes no class report. */
Test(shard, each_shard_grades_its_part_and_writes_no_class_report)
{
	bool seen[NSTUDENTS] = {false};
	for (unsigned k = 1; k <= 3; k++) {
		char *name = xasprintf("part-%u", k), *shard = xasprintf("%u/3", k);
		char *out = out_dir(name);
		batch(out, shard, NULL);
		cr_assert_eq(run.exit_code, 0, "shard %s: %s", shard, run.err);
		size_t mine = 0;
		for (int i = 0; i < NSTUDENTS; i++) {
			bool ours = shard_of(i, 3) == k;
			mine += ours;
			cr_expect_eq(has_report(out, i), ours, "student_%02d in shard %s", i, shard);
			seen[i] |= has_report(out, i);
		}
		char *said = xasprintf("shard %s: %zu of the class's %d students", shard, mine,
				       NSTUDENTS);
		cr_expect(strstr(run.err, said), "%s", run.err);
		cr_expect(strstr(run.err, "grader report"), "%s", run.err);
		const char *const class_reports[] = {"gradebook.csv", "junit.xml", "index.html"};
		for (size_t r = 0; r < ARRAY_SIZE(class_reports); r++)
			cr_expect(!has_file(out, class_reports[r]), "%s in shard %s", class_reports[r],
				  shard);
		free(said);
		free(out);
		free(shard);
		free(name);
	}
	for (int i = 0; i < NSTUDENTS; i++)
		cr_expect(seen[i], "student_%02d graded by no shard", i);
}

/* Files no grader is writing any more: temporary reports, lists, fingerprints, cache entries. */
static size_t leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = path_join(dir, de->d_name);
		if (!strncmp(de->d_name, ".tmp-", 5) || !strncmp(de->d_name, "tmp-", 4) ||
		    !strncmp(de->d_name, ".class_report-", 14) || strstr(de->d_name, ".tmp-")) {
			fprintf(stderr, "left over: %s\n", path);
			n++;
		} else if (path_is_dir(path) && strcmp(de->d_name, "files")) {
			n += leftovers(path);
		}
		free(path);
	}
	closedir(d);
	return n;
}

/*
 * Three shards at the same time into one folder, as on three hosts sharing
 * it: the same class reports as one batch, nothing half-written or left
 * over, and one build cache entry per distinct submission although each
 * is in several shards, which may store it at the same moment.
 */
Test(shard, shards_at_the_same_time_into_one_folder_equal_one_batch)
{
	char *out = out_dir("together");
	char *script = xasprintf(
	    "for k in 1 2 3; do \"$0\" batch %s %s -o %s -j 1 --shard $k/3 2>%s/shard-$k.err & "
	    "pids=\"$pids $!\"; done; rc=0; for p in $pids; do wait $p || rc=1; done; "
	    "[ $rc = 0 ] || cat %s/shard-*.err; exit $rc",
	    SPEC, make_class(), out, e2e_tmpdir(), e2e_tmpdir());
	const char *argv[] = {"/bin/bash", "-c", script, e2e_grader(), NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 0, "%s%s", run.out, run.err);
	expect_one_batch_s_gradebook(out);
	cr_expect(strstr(run.err, "report: 15 students in"), "%s", run.err);
	cr_expect_eq(leftovers(out), 0);
	char *builds = path_join(out, ".grader/builds");
	DIR *d = opendir(builds);
	cr_assert_not_null(d);
	/* One entry per key: an exact one per submission, a comment-blind one ("n-") per silent build. */
	size_t entries = 0, blind = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		entries += de->d_name[0] != '.' && strncmp(de->d_name, "n-", 2);
		blind += !strncmp(de->d_name, "n-", 2);
	}
	closedir(d);
	cr_expect_eq(entries, ARRAY_SIZE(quick), "%zu build cache entries for %zu submissions",
		     entries, ARRAY_SIZE(quick));
	/* Every quick submission but compile_error_eve builds in silence: those are shared. */
	cr_expect_eq(blind, ARRAY_SIZE(quick) - 1, "%zu comment-blind entries for %zu submissions",
		     blind, ARRAY_SIZE(quick));
	free(builds);
	free(script);
	free(out);
}

/*
 * A shard whose host died: re-run with --resume, it grades only what it
 * had not finished, never another shard's students; the report then equals
 * one batch.
 */
Test(shard, a_resumed_shard_grades_only_what_it_had_not_finished)
{
	char *out = out_dir("resumed");
	shards_in_turn(out, 1, NULL);
	/* Shard 2 lost two students' work (their reports, as a killed grader would leave it). */
	size_t lost = 0, mine = 0;
	for (int i = 0; i < NSTUDENTS; i++) {
		if (shard_of(i, 3) != 2)
			continue;
		mine++;
		if (lost == 2)
			continue;
		char *name = xasprintf("student_%02d.json", i);
		char *path = path_join(out, name);
		cr_assert_eq(unlink(path), 0);
		free(path);
		free(name);
		lost++;
	}
	cr_assert_eq(lost, 2, "shard 2 of 3 has fewer than 2 students");
	batch(out, "2/3", "--resume");
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	char *done = xasprintf("%zu/%zu done (%zu up to date)", mine, mine, mine - lost);
	cr_expect(strstr(run.err, done), "%s", run.err);
	free(done);
	expect_one_batch_s_gradebook(out);
	free(out);
}

/*
 * Before every shard is done, the report has every student: those without
 * a report named on stderr and at the top of index.html, without a score
 * in the gradebook; exit status 3 until the class is complete.
 */
Test(shard, the_report_names_the_students_without_a_report)
{
	char *out = graded_by_shard_1(out_dir("partial"));
	report(out, NULL, NULL);
	cr_expect_eq(run.exit_code, 3, "%s", run.err);
	char *csv = slurp(out, "gradebook.csv");
	char *html = slurp(out, "index.html");
	size_t missing = 0;
	for (int i = 0; i < NSTUDENTS; i++) {
		char *line = xasprintf("grader: report: student_%02d: no report", i);
		char *row = xasprintf("\nstudent_%02d,,10,error,error,error\r\n", i);
		char *item = xasprintf("<li><a href=\"#student-student_%02d\">student_%02d</a></li>",
				       i, i);
		bool graded = shard_of(i, 3) == 1;
		missing += !graded;
		cr_expect_eq(strstr(run.err, line) == NULL, graded, "%s", run.err);
		cr_expect_eq(strstr(csv, row) == NULL, graded, "student_%02d: %s", i, csv);
		cr_expect_eq(strstr(html, item) == NULL, graded, "student_%02d in the list", i);
		free(item);
		free(row);
		free(line);
	}
	char *count = xasprintf("<dd id=\"nmissing\">%zu</dd>", missing);
	cr_expect(strstr(html, count), "%s", count);
	char *summary = xasprintf("%zu of them without a report yet", missing);
	cr_expect(strstr(run.err, summary), "%s", run.err);
	free(summary);
	free(count);
	free(html);
	free(csv);

	/* The other shards done, nobody is missing. */
	shards_in_turn(out, 2, NULL);
	expect_one_batch_s_gradebook(out);
	html = slurp(out, "index.html");
	cr_expect(!strstr(html, "id=\"missing\""), "the list is gone once everyone has a report");
	free(html);
	free(out);
}

/*
 * The class comes from --root when given (a folder no batch recorded its
 * class in); without either, the report says it cannot name the missing.
 * A .json that is no student's report is named and left out; a report of
 * a student outside the class is in.
 */
Test(shard, the_class_comes_from_the_root_or_the_recorded_lists)
{
	char *out = graded_by_shard_1(out_dir("rooted"));
	char *lists = path_join(out, ".grader/class");
	cr_assert_eq(remove_tree(lists), 0);
	char *junk = path_join(out, "results.json");
	cr_assert_eq(write_file_atomic(junk, "{\"score\": 1}", 12), 0);
	/* The report of a student who is not in the class. */
	int first = 0;
	while (shard_of(first, 3) != 1)
		first++;
	char *name = xasprintf("student_%02d.json", first);
	char *stray_src = path_join(out, name);
	json_error_t jerr;
	json_t *stray_report = json_load_file(stray_src, 0, &jerr);
	cr_assert_not_null(stray_report, "%s", jerr.text);
	json_object_set_new(stray_report, "submission", json_string("someone_else"));
	char *stray = path_join(out, "someone_else.json");
	cr_assert_eq(json_dump_file(stray_report, stray, 0), 0);
	json_decref(stray_report);
	free(name);

	report(out, NULL, NULL);
	cr_expect_eq(run.exit_code, 0, "nobody known to be missing: %s", run.err);
	cr_expect(strstr(run.err, "no class recorded"), "%s", run.err);
	cr_expect(strstr(run.err, "results.json: not a student's report"), "%s", run.err);
	cr_expect(!strstr(run.err, "no report ("), "%s", run.err);

	report(out, "--root", make_class());
	cr_expect_eq(run.exit_code, 3, "%s", run.err);
	cr_expect(!strstr(run.err, "no class recorded"), "%s", run.err);
	for (int i = 0; i < NSTUDENTS; i++) {
		char *line = xasprintf("grader: report: student_%02d: no report", i);
		cr_expect_eq(strstr(run.err, line) == NULL, has_report(out, i), "%s", run.err);
		free(line);
	}
	char *said = xasprintf("report: %d students in", NSTUDENTS + 1);
	cr_expect(strstr(run.err, said), "the class and someone_else: %s", run.err);
	free(said);
	char *csv = slurp(out, "gradebook.csv");
	cr_expect(strstr(csv, "\nsomeone_else,"), "%s", csv);
	cr_expect(!strstr(csv, "results"), "%s", csv);
	free(csv);
	free(stray);
	free(stray_src);
	free(junk);
	free(lists);
	free(out);
}

/* A batch of another split, or a whole batch, removes the class lists of the old split. */
Test(shard, a_new_split_replaces_the_old_class_lists)
{
	char *out = graded_by_shard_1(out_dir("resplit"));
	cr_expect(has_file(out, ".grader/class/1-of-3"));
	batch(out, "2/2", "--resume");
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	cr_expect(!has_file(out, ".grader/class/1-of-3"));
	cr_expect(has_file(out, ".grader/class/2-of-2"));
	batch(out, NULL, "--resume");
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	cr_expect(!has_file(out, ".grader/class/2-of-2"));
	cr_expect(has_file(out, ".grader/class/1-of-1"));
	cr_expect(has_file(out, "gradebook.csv"), "a batch without --shard writes the class reports");
	free(out);
}

Test(shard, usage_errors)
{
	const char *const bad[] = {"0/3", "4/3", "1/0", "x", "", "1/3/3"};
	char *out = out_dir("usage");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		batch(out, bad[i], NULL);
		cr_expect_eq(run.exit_code, 2, "--shard '%s': %s", bad[i], run.err);
		cr_expect(strstr(run.err, "K/N"), "%s", run.err);
	}
	const char *const report_usage[][5] = {
	    {"report", NULL},
	    {"report", SPEC, NULL},
	    {"report", SPEC, "/nonexistent-folder", NULL},
	    {"report", SPEC, "", NULL},
	    {"report", SPEC, ".", "extra", NULL},
	    {"report", SPEC, ".", "--root", ""},
	    {"report", "/nonexistent-spec", ".", NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(report_usage); i++) {
		const char *argv[7] = {e2e_grader()};
		for (size_t j = 0; j < 5 && report_usage[i][j]; j++)
			argv[j + 1] = report_usage[i][j];
		e2e_release_and_run(argv, &run);
		cr_expect_eq(run.exit_code, 2, "case %zu: %s", i, run.err);
	}
	const char *help[] = {e2e_grader(), "report", "--help", NULL};
	e2e_release_and_run(help, &run);
	cr_expect_eq(run.exit_code, 0);
	cr_expect(strstr(run.out, "usage: grader report SPEC REPORT_DIR"), "%s", run.out);
	free(out);
}
