/*
 * Gradescope, as it runs there: `make gradescope` builds the zip, which is
 * unpacked into /autograder/source of a simulated container (a private mount
 * namespace with a scratch folder at /autograder: gradescope/in_autograder.sh);
 * setup.sh builds the grader from it; run_autograder grades a correct and a
 * wrong bundled submission, and a broken spec.  results.json is checked field
 * by field against Gradescope's autograder specification
 * (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"
#include "util.h"

#define ASSIGNMENT "pipe_hello"
#define IN_AUTOGRADER "grader/tests/gradescope/in_autograder.sh"

/* Building the grader inside takes a while on a loaded machine. */
TestSuite(gradescope, .timeout = 900);

/* The simulated container: ag is mounted at /autograder, on a new root made on root. */
struct container {
	char *dir;
	char *ag;
	char *root;
	char *fake_bin; /* first in PATH: records what setup.sh asks of apt-get */
};

static const char *repo(void)
{
	return getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
}

/* Runs a shell command; its exit status (-1: killed). */
static int sh(const char *cmd)
{
	int st = system(cmd);
	cr_assert_neq(st, -1, "cannot run %s", cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, NULL);
}

/* Runs cmd (a shell command line) in the container, output to log; its exit status. */
static int in_container(const struct container *c, const char *cmd, const char *log)
{
	char *line = xasprintf("cd '%s' && PATH='%s':\"$PATH\" " IN_AUTOGRADER
			       " '%s' '%s' sh -c '%s' >'%s' 2>&1",
			       repo(), c->fake_bin, c->ag, c->root, cmd, log);
	int rc = sh(line);
	free(line);
	return rc;
}

/*
 * The zip unpacked as Gradescope does it (its contents into
 * /autograder/source, run_autograder copied to /autograder), setup.sh run.
 * Skips, saying why, where this machine makes no such namespace; under
 * CI=true that is a failure, so that CI never passes without it.
 */
static void container_setup(struct container *c)
{
	c->dir = path_join(e2e_tmpdir(), "gradescope");
	c->ag = path_join(c->dir, "autograder");
	c->root = path_join(c->dir, "root");
	c->fake_bin = path_join(c->dir, "bin");
	char *zip_dir = path_join(c->dir, "zip");
	char *cmd = xasprintf(
	    "set -e; d='%s'; rm -rf \"$d\"; mkdir -p \"$d/autograder/source\" \"$d/root\" \"$d/bin\"; "
	    "printf '#!/bin/sh\\necho \"$*\" >>%s/apt-get.calls\\n' >\"$d/bin/apt-get\"; "
	    "chmod 755 \"$d/bin/apt-get\"; "
	    "cd '%s' && make -s gradescope ASSIGNMENT=" ASSIGNMENT " GRADESCOPE_DIR='%s' >/dev/null",
	    c->dir, c->dir, repo(), zip_dir);
	cr_assert_eq(sh(cmd), 0, "make gradescope failed: %s", cmd);
	free(cmd);

	/* Gradescope unpacks the zip's contents, not a folder of it, into /autograder/source. */
	cmd = xasprintf("cd '%s/source' && unzip -q '%s/" ASSIGNMENT ".zip' && "
			"cp run_autograder ../run_autograder",
			c->ag, zip_dir);
	cr_assert_eq(sh(cmd), 0, "%s", cmd);
	free(cmd);
	free(zip_dir);
	const char *at_root[] = {"setup.sh", "run_autograder", "Makefile", "grader/cli.c",
				 "testcases/" ASSIGNMENT "/spec.yaml"};
	for (size_t i = 0; i < ARRAY_SIZE(at_root); i++) {
		char *dir = path_join(c->ag, "source");
		char *path = path_join(dir, at_root[i]);
		cr_assert(path_exists(path), "the zip has no %s at its root", at_root[i]);
		free(path);
		free(dir);
	}

	char *log = path_join(c->dir, "setup.log");
	int rc = in_container(c, "bash /autograder/source/setup.sh", log);
	if (rc == 125) {
		char *why = slurp(log);
		const char *ci = getenv("CI");
		cr_assert(!ci || strcmp(ci, "true"),
			  "CI=true and no simulated /autograder here: %s", why);
		cr_skip_test("no simulated /autograder on this machine (%s): the root run of make "
			     "unit covers it",
			     why);
	}
	char *text = slurp(log);
	cr_assert_eq(rc, 0, "setup.sh failed (%d): %s", rc, text);
	free(text);
	free(log);
	char *calls = path_join(c->dir, "apt-get.calls");
	cr_assert_not(path_exists(calls),
		      "setup.sh ran apt-get although every package it needs is installed");
	free(calls);
}

static void container_release(struct container *c)
{
	free(c->dir);
	free(c->ag);
	free(c->root);
	free(c->fake_bin);
}

/* Puts a bundled submission at /autograder/submission and runs run_autograder; its status. */
static int run_autograder(const struct container *c, const char *student, char **stdout_text)
{
	char *cmd = xasprintf("rm -rf '%s/submission' '%s/results' && "
			      "cp -r '%s/submissions/" ASSIGNMENT "/%s' '%s/submission'",
			      c->ag, c->ag, repo(), student, c->ag);
	cr_assert_eq(sh(cmd), 0, "%s", cmd);
	free(cmd);
	char *log = path_join(c->dir, "stdout");
	int rc = in_container(c, "/autograder/run_autograder", log);
	*stdout_text = slurp(log);
	free(log);
	return rc;
}

static json_t *load_results(const struct container *c)
{
	char *path = path_join(c->ag, "results/results.json");
	json_error_t jerr;
	json_t *r = json_load_file(path, 0, &jerr);
	cr_assert_not_null(r, "%s: %s", path, jerr.text);
	free(path);
	return r;
}

static bool one_of(const char *s, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (s && !strcmp(s, *allowed))
			return true;
	return false;
}

static const char *const visibilities[] = {"hidden", "after_due_date", "after_published", "visible",
					   NULL};
static const char *const formats[] = {"text", "html", "simple_format", "md", "ansi", NULL};

/* Every key of obj is one the specification defines. */
static void expect_known_keys(const json_t *obj, const char *const *known, const char *where)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		cr_expect(one_of(key, known), "%s: \"%s\" is not in Gradescope's specification", where,
			  key);
	}
}

/* The shape the specification gives results.json: keys, types and allowed values. */
static void expect_gradescope_format(const json_t *r)
{
	static const char *const top[] = {"score", "execution_time", "output", "output_format",
					  "test_output_format", "test_name_format", "visibility",
					  "stdout_visibility", "extra_data", "tests", "leaderboard",
					  NULL};
	static const char *const per_test[] = {"score", "max_score", "status", "name", "name_format",
					       "number", "output", "output_format", "tags",
					       "visibility", "extra_data", NULL};
	static const char *const statuses[] = {"passed", "failed", NULL};
	expect_known_keys(r, top, "results.json");
	cr_expect(json_is_number(json_object_get(r, "score")));
	cr_expect(json_is_number(json_object_get(r, "execution_time")) &&
		  json_number_value(json_object_get(r, "execution_time")) >= 0);
	cr_expect(json_is_string(json_object_get(r, "output")));
	cr_expect(one_of(json_string_value(json_object_get(r, "output_format")), formats));
	cr_expect(one_of(json_string_value(json_object_get(r, "visibility")), visibilities));
	cr_expect_str_eq(json_string_value(json_object_get(r, "stdout_visibility")), "hidden",
			 "run_autograder's output is for instructors");
	cr_expect(json_is_object(json_object_get(r, "extra_data")));
	json_t *tests = json_object_get(r, "tests");
	cr_assert(json_is_array(tests) && json_array_size(tests) == 3);
	double sum = 0;
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t)
	{
		expect_known_keys(t, per_test, "tests[]");
		cr_expect(json_is_string(json_object_get(t, "name")));
		cr_expect(json_is_number(json_object_get(t, "score")));
		cr_expect(json_is_number(json_object_get(t, "max_score")));
		cr_expect(json_number_value(json_object_get(t, "score")) <=
			  json_number_value(json_object_get(t, "max_score")));
		cr_expect(one_of(json_string_value(json_object_get(t, "status")), statuses));
		cr_expect(json_is_string(json_object_get(t, "output")));
		cr_expect(one_of(json_string_value(json_object_get(t, "output_format")), formats));
		cr_expect(one_of(json_string_value(json_object_get(t, "visibility")), visibilities));
		cr_expect(json_is_object(json_object_get(t, "extra_data")));
		sum += json_number_value(json_object_get(t, "score"));
	}
	cr_expect_eq(sum, json_number_value(json_object_get(r, "score")),
		     "the total is the sum of the tests");
}

static json_t *test_named(const json_t *r, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r, "tests"), i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	}
	cr_assert_fail("results.json has no test \"%s\"", name);
	return NULL;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	cr_assert_not_null(s, "no string \"%s\"", key);
	return s;
}

/*
 * setup.sh installs what the image lacks, that alone (container_setup saw
 * it install nothing when nothing lacks): dpkg-query (faked) says one
 * package is missing, apt-get (faked) records what it is asked.
 */
static void expect_setup_installs_only_what_is_missing(const struct container *c)
{
	char *dpkg = path_join(c->fake_bin, "dpkg-query");
	const char *fake = "#!/bin/sh\n"
			   "for a; do last=$a; done\n"
			   "[ \"$last\" = libseccomp-dev ] && exit 1\n"
			   "exec /usr/bin/dpkg-query \"$@\"\n";
	cr_assert_eq(write_file_atomic(dpkg, fake, strlen(fake)), 0, "%s", error_last());
	cr_assert_eq(chmod(dpkg, 0755), 0);
	char *log = path_join(c->dir, "setup-again.log");
	int rc = in_container(c, "bash /autograder/source/setup.sh", log);
	char *text = slurp(log);
	cr_expect_eq(rc, 0, "setup.sh: %s", text);
	char *calls_path = path_join(c->dir, "apt-get.calls");
	char *calls = slurp(calls_path);
	cr_expect_str_eq(calls, "update -qq\ninstall -y -qq --no-install-recommends libseccomp-dev\n");
	free(calls);
	free(calls_path);
	free(text);
	free(log);
	free(dpkg);
}

Test(gradescope, the_zip_grades_in_a_simulated_autograder_container)
{
	struct container c;
	container_setup(&c);
	char *out;

	/* The correct submission: every point, every test passed and said so without text. */
	cr_assert_eq(run_autograder(&c, "correct_alice", &out), 0, "run_autograder: %s", out);
	json_t *r = load_results(&c);
	expect_gradescope_format(r);
	cr_expect_eq(json_integer_value(json_object_get(r, "score")), 10);
	cr_expect_str_eq(str(r, "output"), "");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r, "tests"), i, t)
	{
		cr_expect_str_eq(str(t, "status"), "passed");
		cr_expect_str_eq(str(t, "output"), "");
	}
	cr_expect_str_eq(str(test_named(r, "long message from the command line"), "visibility"),
			 "after_published");
	cr_expect_str_eq(str(test_named(r, "default message"), "visibility"), "visible");
	/* What only instructors see: the isolation, in extra_data; the summary, on stdout. */
	json_t *extra = json_object_get(r, "extra_data");
	cr_expect(one_of(str(extra, "isolation"), (const char *const[]){"full", "partial", NULL}));
	cr_expect(json_is_array(json_object_get(extra, "isolation_missing")));
	cr_expect(strstr(out, "score 10/10"), "run_autograder's output: %s", out);
	json_decref(r);
	free(out);

	/* The wrong one crashes without arguments: the cause opens the test's output. */
	cr_assert_eq(run_autograder(&c, "null_argv_dan", &out), 0, "run_autograder: %s", out);
	r = load_results(&c);
	expect_gradescope_format(r);
	cr_expect_eq(json_integer_value(json_object_get(r, "score")), 6);
	t = test_named(r, "default message");
	cr_expect_str_eq(str(t, "status"), "failed");
	cr_expect_eq(json_integer_value(json_object_get(t, "score")), 0);
	cr_expect_eq(json_integer_value(json_object_get(t, "max_score")), 4);
	const char *text = str(t, "output");
	cr_expect(!strncmp(text, "signal: killed by SIGSEGV", 25), "the cause first: %s", text);
	cr_expect(strstr(text, "\nWhy: "), "the diagnosis: %s", text);
	cr_expect(strstr(text, "\nHint: "), "the hint `check` gives: %s", text);
	cr_expect(strstr(text, "\nstdout: "), "and what followed: %s", text);
	cr_expect(strstr(text, "\nHow to reproduce: "), "how to reproduce: %s", text);
	cr_expect_null(strstr(text, "crashed"), "no bare status word: %s", text);
	cr_expect_str_eq(str(json_object_get(t, "extra_data"), "status"), "crashed");
	cr_expect_null(strstr(str(r, "output"), "isolation"), "instructor-only text shown to students");
	json_decref(r);
	free(out);

	expect_setup_installs_only_what_is_missing(&c);

	/* The grader fails (a broken spec): no results.json, run_autograder fails, stdout says why. */
	char *spec = path_join(c.ag, "source/testcases/" ASSIGNMENT "/spec.yaml");
	cr_assert_eq(write_file_atomic(spec, "tests: [\n", 9), 0, "%s", error_last());
	cr_expect_neq(run_autograder(&c, "correct_alice", &out), 0, "run_autograder: %s", out);
	char *results = path_join(c.ag, "results/results.json");
	cr_expect_not(path_exists(results), "a results.json when the grader failed");
	cr_expect(strstr(out, "the grader failed (exit status 2)"), "%s", out);
	/* ... which setup.sh, run when the instructor uploads the zip, says first. */
	char *log = path_join(c.dir, "setup-broken.log");
	cr_expect_neq(in_container(&c, "bash /autograder/source/setup.sh", log), 0);
	char *setup_out = slurp(log);
	cr_expect(strstr(setup_out, "spec.yaml:2:1:"), "%s", setup_out);
	free(setup_out);
	free(log);
	free(results);
	free(spec);
	free(out);
	container_release(&c);
}

