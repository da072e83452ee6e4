/*
 * End-to-end tests of the build cache's comment-blind key (build.c,
 * source_norm.h): a `batch` (-j 1, students in name order) of submissions
 * that differ from the first only in comments, or in code, or whose build
 * spoke, or that the lexer refuses.  A test named "its own source" runs
 * `grep -c Bob prog.c` in the test's working folder: it passes only for a
 * student whose own prog.c says Bob, so a build shared with Alice must
 * still show Bob's file.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "util.h"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(build_cache, .fini = teardown, .timeout = 240);

static const char spec_text[] =
	"assignment: cache16\n"
	"title: \"hello, with comments\"\n"
	"build:\n"
	"  files: [prog.c]\n"
	"  command: \"cc -std=gnu11 -O2 -Wall -o prog prog.c\"\n"
	"  timeout: 30s\n"
	"tests:\n"
	"  - name: \"prints hello\"\n"
	"    points: 1\n"
	"    run: \"./prog\"\n"
	"    expect:\n"
	"      stdout: \"hello\\n\"\n"
	"  - name: \"its own source\"\n"
	"    points: 1\n"
	"    run: \"grep -c Bob prog.c\"\n"
	"    expect:\n"
	"      stdout: \"1\\n\"\n";

#define HELLO "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }"
#define NOISY "#include <stdio.h>\nint main(void) { int unused; puts(\"hello\"); return 0; }"

static void put(const char *dir, const char *name, const char *text)
{
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	char *path = path_join(dir, name);
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
	free(path);
}

static void enrol(const char *class, const char *student, const char *source)
{
	char *dir = path_join(class, student);
	put(dir, "prog.c", source);
	free(dir);
}

static bool cached(json_t *report)
{
	return json_is_true(json_object_get(json_object_get(report, "build"), "cached"));
}

static const char *status_of(json_t *report, const char *test)
{
	json_t *t = e2e_find_test(report, test);
	cr_assert_not_null(t, "no test %s", test);
	return json_string_value(json_object_get(t, "status"));
}

/* Grades the class with -j 1 into out, and returns the reports' folder. */
static char *grade_class(const char *name, const char *class)
{
	char *spec_dir = path_join(e2e_tmpdir(), "spec");
	put(spec_dir, "spec.yaml", spec_text);
	char *out = path_join(e2e_tmpdir(), name);
	const char *argv[] = {e2e_grader(), "batch", spec_dir, class, "-o", out, "-j", "1", NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	free(spec_dir);
	return out;
}

Test(build_cache, a_submission_that_differs_only_in_comments_shares_the_build_with_its_own_source)
{
	char *class = path_join(e2e_tmpdir(), "comments");
	enrol(class, "a_alice", "/* Alice Smith, OS course */\n" HELLO " // mine\n");
	enrol(class, "b_bob", "/* Bob */\n" HELLO "\n/* written at home */\n");
	char *out = grade_class("comments-out", class);

	json_t *alice = e2e_load_report(out, "a_alice"), *bob = e2e_load_report(out, "b_bob");
	cr_expect_not(cached(alice));
	cr_expect(cached(bob), "Bob's build was made again");
	cr_expect_str_eq(status_of(bob, "prints hello"), "passed");
	/* The shared build folder holds Bob's prog.c, not Alice's. */
	cr_expect_str_eq(status_of(bob, "its own source"), "passed");
	cr_expect_str_eq(status_of(alice, "its own source"), "failed");
	cr_expect(strstr(run.err, "1 of 2 builds taken from the build cache"), "%s", run.err);
	/* Bob's copy did not write through the hard links into the cache's entries. */
	char *builds = path_join(out, ".grader/builds");
	DIR *d = opendir(builds);
	cr_assert_not_null(d, "%s", builds);
	size_t entries = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char *prog = xasprintf("%s/%s/files/prog.c", builds, de->d_name);
		struct strbuf sb = STRBUF_INIT;
		strbuf_init(&sb);
		cr_assert_eq(read_file(prog, &sb), 0, "%s", error_last());
		cr_expect(strstr(sb.buf, "Alice") && !strstr(sb.buf, "Bob"), "%s: %s", prog, sb.buf);
		strbuf_release(&sb);
		free(prog);
		entries++;
	}
	closedir(d);
	cr_expect_eq(entries, 2, "Alice's build under both keys");
	free(builds);
	json_decref(alice);
	json_decref(bob);
	free(out);
	free(class);
}

Test(build_cache, what_the_compiler_sees_differently_or_says_is_not_shared)
{
	char *class = path_join(e2e_tmpdir(), "unshared");
	enrol(class, "a_alice", "/* Alice */\n" HELLO "\n");
	/* Other code: one more blank between two tokens. */
	enrol(class, "b_code", "/* Bob */\n" HELLO " \n#define  X 1\n");
	/* The same code as Alice's, but refused: a trigraph in a comment. */
	enrol(class, "c_trigraph", "/* Bob?\? */\n" HELLO "\n");
	/* A build that warned (an unused variable), then the same code with another comment. */
	enrol(class, "d_noisy", "/* Dora */\n" NOISY "\n");
	enrol(class, "e_noisy", "/* Bob */\n" NOISY "\n");
	char *out = grade_class("unshared-out", class);

	const char *students[] = {"a_alice", "b_code", "c_trigraph", "d_noisy", "e_noisy"};
	for (size_t i = 0; i < sizeof(students) / sizeof(*students); i++) {
		json_t *r = e2e_load_report(out, students[i]);
		cr_expect_not(cached(r), "%s's build was taken from the cache", students[i]);
		json_decref(r);
	}
	json_t *noisy = e2e_load_report(out, "e_noisy");
	const char *output = json_string_value(json_object_get(json_object_get(noisy, "build"),
								"output"));
	cr_expect(output && strstr(output, "unused"), "the warning is Bob's own: %s", output);
	cr_expect_str_eq(status_of(noisy, "its own source"), "passed");
	json_decref(noisy);
	cr_expect(strstr(run.err, "0 of 5 builds taken from the build cache"), "%s", run.err);
	free(out);
	free(class);
}
