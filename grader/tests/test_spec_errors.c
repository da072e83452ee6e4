/*
 * spec: the errors a spec can have, one fixture or snippet per kind, and
 * how they are collected.  Suite `spec`, set up in test_spec.c (valid
 * specs, shorthands, shell-like splitting).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "spec_util.h"
#include "util.h"

/* ---- errors, one fixture per kind ----------------------------------------------------- */

Test(spec, missing_path)
{
	ASSERT_ERRORS(BAD "nope.yaml", BAD "nope.yaml: No such file or directory");
}

Test(spec, folder_without_spec_yaml)
{
	ASSERT_ERRORS(SPECS "bad", BAD "spec.yaml: No such file or directory");
}

Test(spec, empty_spec)
{
	ASSERT_ERRORS(BAD "empty.yaml", BAD "empty.yaml:1:1: the spec is empty");
	ASSERT_ERRORS(BAD "comments_only.yaml", BAD "comments_only.yaml:1:1: the spec is empty");
}

Test(spec, top_level_not_a_mapping)
{
	ASSERT_ERRORS(BAD "list_top.yaml", BAD
		      "list_top.yaml:1:1: the spec must be a mapping of keys (assignment, build, "
		      "defaults, tests), got a sequence");
}

Test(spec, top_level_scalar)
{
	text_error("just some words\n",
		   "spec.yaml:1:1: the spec must be a mapping of keys "
		   "(assignment, build, defaults, tests), got 'just some words'");
}

Test(spec, yaml_syntax_error)
{
	ASSERT_ERRORS(BAD "syntax.yaml", BAD "syntax.yaml:5:9: YAML syntax error: did not find "
					     "expected ',' or ']' (while parsing a flow sequence)");
}

Test(spec, yaml_syntax_error_kinds)
{
	text_error("assignment: t\ntests:\n\t- name: a\n",
		   "spec.yaml:3:1: YAML syntax error: found character that cannot start any token "
		   "(while scanning for the next token)");
	text_error("assignment: t\ntests: *nowhere\n",
		   "spec.yaml:2:8: YAML syntax error: found undefined alias");
	text_error("assignment: t\ntitle: \"caf\xe9\"\n",
		   "spec.yaml:2:13: YAML syntax error: invalid trailing UTF-8 octet");
}

Test(spec, more_than_one_document)
{
	ASSERT_ERRORS(BAD "two_docs.yaml", BAD
		      "two_docs.yaml:5:1: a second YAML document starts here: a spec is one "
		      "document (remove this '---' and what follows, or merge it into the first)");
}

Test(spec, unknown_keys_with_and_without_suggestion)
{
	ASSERT_ERRORS(BAD "unknown_key.yaml",
		      BAD "unknown_key.yaml:6:7: unknown key 'stdot' — did you mean 'stdout'?",
		      BAD "unknown_key.yaml:9:5: unknown key 'frobnicate' in test 'nothing close' "
			  "(known keys: timeout, limits, cleanup, points, hidden, env, trace, "
			  "repeat, perturb, repeat_all, name, run, args, stdin, stdin_file, files, "
			  "expect, processes, tty)");
}

/* repeat_all: a pass rate, meaningful only with repeat > 1. */
Test(spec, repeat_all_is_read_from_the_test_and_from_defaults)
{
	struct spec *spec = text_ok(HEAD "    repeat: 4\n");
	cr_assert_not(spec->tests[0].repeat_all, "off unless asked for");
	spec_free(spec);
	spec = text_ok(HEAD "    repeat: 4\n    repeat_all: yes\n");
	cr_assert(spec->tests[0].repeat_all);
	spec_free(spec);
	spec = text_ok("assignment: t\ndefaults: { repeat: 3, repeat_all: true }\ntests:\n"
		       "  - { name: a, run: ./p }\n"
		       "  - { name: b, run: ./p, repeat_all: false }\n"
		       "  - { name: c, run: ./p, repeat: 1 }\n");
	cr_assert(spec->tests[0].repeat_all);
	cr_assert_not(spec->tests[1].repeat_all, "a test's own value wins");
	/* A policy of the defaults: a test run once has no rate to report, and that is no error. */
	cr_assert(spec->tests[2].repeat_all);
	cr_assert_eq(spec->tests[2].repeat, 1);
	spec_free(spec);
}

Test(spec, repeat_all_on_a_test_run_once_is_a_warning)
{
	struct strvec errors;
	struct spec *spec = load_text(HEAD "    repeat_all: true\n", &errors);
	cr_assert_not_null(spec, "a warning is no error: %s", errors.n ? errors.v[0] : "");
	cr_assert_eq(errors.n, 1);
	cr_expect_str_eq(errors.v[0], "spec.yaml:5:17: warning: 'repeat_all' does nothing: test "
				      "'a' runs once (give it 'repeat' of 2 or more for a pass "
				      "rate)");
	spec_free(spec);
	strvec_clear(&errors);
	text_error(HEAD "    repeat: 3\n    repeat_all: often\n",
		   "spec.yaml:6:17: 'repeat_all' must be true or false, got 'often'");
	/* Off says nothing. */
	spec = load_text(HEAD "    repeat_all: false\n", &errors);
	cr_assert_not_null(spec);
	cr_expect_eq(errors.n, 0, "%s", errors.n ? errors.v[0] : "");
	spec_free(spec);
	strvec_clear(&errors);
}

Test(spec, unknown_key_suggestions)
{
	text_error(HEAD "    Points: 3\n",
		   "spec.yaml:5:5: unknown key 'Points' — did you mean 'points'?");
	text_error(HEAD "    limits: { cpus: 1s }\n",
		   "spec.yaml:5:15: unknown key 'cpus' — did you mean 'cpu'?");
	text_error(HEAD "    stdout: \"x\"\n",
		   "spec.yaml:5:5: unknown key 'stdout' in test 'a': it belongs under 'expect:'");
	text_error(HEAD "    expect: { stdout: { match: exact, txt: x } }\n",
		   "spec.yaml:5:39: unknown key 'txt' — did you mean 'text'?");
}

Test(spec, misspelled_required_key)
{
	struct strvec errors;
	struct spec *spec = load_text("asignment: t\ntests: [{ name: a, run: ./p }]\n", &errors);

	cr_assert_null(spec);
	cr_assert_eq(errors.n, 2);
	cr_assert_str_eq(errors.v[0],
			 "spec.yaml:1:1: unknown key 'asignment' — did you mean 'assignment'?");
	cr_assert_str_eq(errors.v[1], "spec.yaml:1:1: missing required key 'assignment'");
	strvec_clear(&errors);
}

Test(spec, wrong_types)
{
	ASSERT_ERRORS(BAD "wrong_type.yaml",
		      BAD "wrong_type.yaml:5:13: 'points' must be a number, got 'ten'",
		      BAD "wrong_type.yaml:6:13: 'limits' must be a mapping, got a sequence",
		      BAD "wrong_type.yaml:7:13: 'hidden' must be true or false, got 'maybe'",
		      BAD "wrong_type.yaml:8:13: 'repeat' must be at least 1, got '0'",
		      BAD "wrong_type.yaml:9:10: 'env' must be a mapping of names to values, got a "
			  "sequence");
}

Test(spec, more_wrong_types)
{
	text_error("assignment: t\ntitle: [a]\ntests: [{ name: a, run: ./p }]\n",
		   "spec.yaml:2:8: 'title' must be a string, got a sequence");
	text_error("assignment:\ntests: [{ name: a, run: ./p }]\n",
		   "spec.yaml:1:12: 'assignment' must be a string, got null");
	text_error(HEAD "    points: -1\n",
		   "spec.yaml:5:13: 'points' must not be negative, got '-1'");
	text_error(HEAD "    expect: [exit]\n",
		   "spec.yaml:5:13: 'expect' must be a mapping, got a sequence");
	text_error(
	    HEAD "    expect: { stdout: ~ }\n",
	    "spec.yaml:5:23: 'stdout' must be a string or a mapping {match, text}, got null");
	text_error(HEAD "    trace: { require: [pipe, [fork]] }\n",
		   "spec.yaml:5:30: 'trace.require' entries must be names or {name: count}, got a "
		   "sequence");
	text_error(
	    HEAD "    trace: { forbid: [System()] }\n",
	    "spec.yaml:5:22: unknown system call 'System()' in 'trace.forbid': use names such as "
	    "pipe, fork, execve");
	text_error(
	    HEAD "    trace: { require: [pipe, frok] }\n",
	    "spec.yaml:5:23: unknown system call 'frok' in 'trace.require': use names such as "
	    "pipe, fork, execve");
	text_error(
	    HEAD "    env: { 1X: y }\n",
	    "spec.yaml:5:12: bad environment variable name in 'env': use letters, digits and _");
	text_error(HEAD "    limits: { open_files: 0 }\n",
		   "spec.yaml:5:27: 'limits.open_files' must be at least 1, got '0'");
	text_error("assignment: t\ntests: [{ name: a, run: ./p }]\nbuild: { files: [../x.c] }\n",
		   "spec.yaml:3:17: bad entry '../x.c' in 'build.files': name a file inside the "
		   "submission");
	text_error("assignment: t\ntests: [{ name: a, run: ./p }]\nbuild: { command: \" \" }\n",
		   "spec.yaml:3:19: 'build.command' is empty");
	text_error(
	    HEAD "    trace: [pipe]\n",
	    "spec.yaml:5:12: 'trace' must be a mapping {require: [...], forbid: [...]}, got a "
	    "sequence");
	text_error(HEAD "    cleanup: removed\n",
		   "spec.yaml:5:14: 'cleanup' must be a mapping, got 'removed'");
	text_error(HEAD "    expect: { signal: [PIPE] }\n",
		   "spec.yaml:5:23: 'signal' must be a signal name such as SIGPIPE, or null, got a "
		   "sequence");
	text_error("assignment: t\ntests:\n  - name: a\n"
		   "    processes: [{ name: a, run: ./a, ready: { stdout: \"\" } }]\n",
		   "spec.yaml:4:55: 'ready.stdout' is empty: give the text to wait for");
	text_error(
	    "assignment: t\ntests: [a]\n",
	    "spec.yaml:2:9: 'tests' must be a list of mappings {name, run, expect, ...}, got 'a'");
}

Test(spec, missing_required_keys)
{
	ASSERT_ERRORS(BAD "missing_required.yaml",
		      BAD "missing_required.yaml:1:1: missing required key 'assignment'",
		      BAD "missing_required.yaml:1:1: missing required key 'tests'");
	ASSERT_ERRORS(BAD "missing_name.yaml", BAD "missing_name.yaml:7:5: test 3 has no 'name'");
}

Test(spec, tests_must_be_a_non_empty_list)
{
	ASSERT_ERRORS(BAD "empty_tests.yaml",
		      BAD "empty_tests.yaml:2:8: 'tests' is empty: add at least one test");
	ASSERT_ERRORS(BAD "tests_mapping.yaml",
		      BAD "tests_mapping.yaml:3:3: 'tests' must be a list of tests, got a mapping");
}

Test(spec, duplicate_keys_and_names)
{
	ASSERT_ERRORS(BAD "duplicate_key.yaml",
		      BAD "duplicate_key.yaml:6:5: duplicate key 'points' (first at line 5)");
	ASSERT_ERRORS(BAD "duplicate_test.yaml",
		      BAD "duplicate_test.yaml:7:11: duplicate test name 'same' (first defined at "
			  "line 3)");
	text_error(HEAD "    env: { A: x, A: y }\n", "spec.yaml:5:18: duplicate key 'A' in 'env'");
}

Test(spec, bad_durations_and_sizes)
{
	ASSERT_ERRORS(BAD "bad_duration.yaml",
		      BAD "bad_duration.yaml:3:12: 'build.timeout' must be more than 0, got '0'",
		      BAD "bad_duration.yaml:7:14: bad duration '2 secs' for 'timeout': use e.g. "
			  "250ms, 2s, 1.5s or 1m",
		      BAD "bad_duration.yaml:8:20: bad duration '-1s' for 'limits.cpu': use e.g. "
			  "250ms, 2s, 1.5s or 1m",
		      BAD "bad_duration.yaml:8:33: bad size '64 MB' for 'limits.memory': use e.g. "
			  "512K, 64M, 1G or a number of bytes",
		      BAD "bad_duration.yaml:8:48: bad size 'lots' for 'limits.output': use e.g. "
			  "512K, 64M, 1G or a number of bytes",
		      BAD
		      "bad_duration.yaml:8:65: 'limits.processes' must be an integer, got '2.5'");
	text_error(HEAD "    timeout: 0ms\n",
		   "spec.yaml:5:14: 'timeout' must be more than 0, got '0ms'");
	text_error(HEAD "    limits: { memory: 0 }\n",
		   "spec.yaml:5:23: 'limits.memory' must be more than 0, got '0'");
}

Test(spec, missing_fixtures)
{
	char *cwd = getcwd(NULL, 0);
	char *x =
	    xasprintf(BAD "missing_fixture.yaml:5:12: fixture 'fixtures/x.txt' does not exist "
			  "(looked for %s/" BAD "fixtures/x.txt)",
		      cwd);
	char *nothere = xasprintf(BAD "missing_fixture.yaml:6:17: fixture 'nothere.txt' does not "
				      "exist (looked for %s/" BAD "nothere.txt)",
				  cwd);
	char *none = xasprintf(BAD "missing_fixture.yaml:8:37: fixture 'expected/none.txt' does "
				   "not exist (looked for %s/" BAD "expected/none.txt)",
			       cwd);

	ASSERT_ERRORS(BAD "missing_fixture.yaml", x, nothere, none);
	free(none);
	free(nothere);
	free(x);
	free(cwd);
}

Test(spec, fixture_file_must_be_a_file)
{
	struct strvec errors = STRVEC_INIT;
	char *cwd = getcwd(NULL, 0);
	char *yaml = xasprintf(HEAD "    stdin_file: %s/" SPECS "full/fixtures\n", cwd);
	struct spec *spec = load_text(yaml, &errors);

	cr_assert_null(spec);
	cr_assert_eq(errors.n, 1);
	cr_assert_not_null(strstr(errors.v[0], "spec.yaml:5:17: fixture '"), "%s", errors.v[0]);
	cr_assert_not_null(strstr(errors.v[0], "for 'stdin_file' must be a file"), "%s",
			   errors.v[0]);
	strvec_clear(&errors);
	free(yaml);
	free(cwd);
}

Test(spec, bad_cleanup_values)
{
	ASSERT_ERRORS(
	    BAD "bad_cleanup.yaml",
	    BAD "bad_cleanup.yaml:3:19: bad value 'gone' for cleanup.ipc: use 'removed' or "
		"'ignore'",
	    BAD "bad_cleanup.yaml:3:49: bad value 'some' for cleanup.orphans: use 'none' or "
		"'ignore'",
	    BAD "bad_cleanup.yaml:3:60: bad value 'open' for cleanup.fds: use 'closed' or "
		"'ignore'");
}

Test(spec, bad_assignment_id)
{
	ASSERT_ERRORS(BAD "bad_assignment.yaml",
		      BAD "bad_assignment.yaml:1:13: bad assignment id 'Dup2 Pipeline': use "
			  "lowercase letters, digits, _ and -");
}

Test(spec, run_or_processes)
{
	ASSERT_ERRORS(
	    BAD "run_processes.yaml",
	    BAD "run_processes.yaml:6:7: test 'both' has both 'run' and 'processes': use one",
	    BAD "run_processes.yaml:7:5: test 'neither' has neither 'run' nor 'processes': "
		"say what to run");
}

Test(spec, stdin_and_stdin_file)
{
	ASSERT_ERRORS(BAD "stdin_both.yaml",
		      BAD "stdin_both.yaml:6:17: give 'stdin' or 'stdin_file', not both");
}

Test(spec, bad_multi_process_tests)
{
	ASSERT_ERRORS(
	    BAD "bad_multi.yaml",
	    BAD "bad_multi.yaml:4:12: 'stdin' belongs to each process in a test with "
		"'processes': move it under the process",
	    BAD "bad_multi.yaml:8:16: 'ready' takes exactly one of stdout, ipc, delay or exit, "
		"got 2",
	    BAD "bad_multi.yaml:9:9: duplicate process name 'server' (first defined at line 6)",
	    BAD "bad_multi.yaml:11:15: bad process name 'bad name': use letters, digits, _ and -",
	    BAD "bad_multi.yaml:13:23: bad value 'sem' for ready.ipc: use 'shm'",
	    BAD "bad_multi.yaml:15:7: unknown process 'servr' in 'expect' — did you mean "
		"'server'?",
	    BAD "bad_multi.yaml:16:7: 'expect' of a test with 'processes' is keyed by process "
		"name (server, bad name), got 'exit'",
	    BAD "bad_multi.yaml:17:7: unknown process 'nobody' in 'expect' (processes: server, "
		"bad name)");
	text_error("assignment: t\ntests:\n  - name: a\n    processes: []\n",
		   "spec.yaml:4:16: 'processes' is empty: list at least one");
	text_error("assignment: t\ntests:\n  - name: a\n    processes: [{ run: ./a }]\n",
		   "spec.yaml:4:17: process 1 has no 'name'");
	text_error("assignment: t\ntests:\n  - name: a\n    processes: [{ name: a }]\n",
		   "spec.yaml:4:17: process 1 has no 'run'");
	text_error("assignment: t\ntests:\n  - name: a\n"
		   "    processes: [{ name: a, run: ./a, ready: {} }]\n",
		   "spec.yaml:4:45: 'ready' takes exactly one of stdout, ipc, delay or exit, got 0");
}

Test(spec, bad_run_lines)
{
	ASSERT_ERRORS(
	    BAD "bad_run.yaml", BAD "bad_run.yaml:4:10: 'run' has an unterminated single quote",
	    BAD "bad_run.yaml:6:10: 'run' uses '|', which needs a shell, but no shell runs "
		"the command: quote or backslash it to pass it literally, or write run: "
		"[sh, -c, \"...\"]",
	    BAD "bad_run.yaml:8:10: 'run' has no command in it",
	    BAD "bad_run.yaml:11:11: 'args' must be a list of strings, got '-v'");
	text_error("assignment: t\ntests: [{ name: a, run: [] }]\n",
		   "spec.yaml:2:25: 'run' is an empty list: name the program to run");
}

Test(spec, errors_are_collected_in_file_order)
{
	struct strvec errors;
	struct spec *spec = load_text("tests:\n"
				      "  - name: a\n"
				      "    run: ./p\n"
				      "    repeat: 0\n"
				      "    points: x\n"
				      "  - name: a\n"
				      "    run: ./p\n"
				      "    timeout: soon\n"
				      "assignment: Bad\n",
				      &errors);

	cr_assert_null(spec);
	cr_assert_eq(errors.n, 5, "got %zu", errors.n);
	cr_assert_str_eq(errors.v[0], "spec.yaml:4:13: 'repeat' must be at least 1, got '0'");
	cr_assert_str_eq(errors.v[1], "spec.yaml:5:13: 'points' must be a number, got 'x'");
	cr_assert_str_eq(errors.v[2],
			 "spec.yaml:6:11: duplicate test name 'a' (first defined at line 2)");
	cr_assert_str_eq(errors.v[3], "spec.yaml:8:14: bad duration 'soon' for 'timeout': use e.g. "
				      "250ms, 2s, 1.5s or 1m");
	cr_assert_str_eq(errors.v[4], "spec.yaml:9:13: bad assignment id 'Bad': use lowercase "
				      "letters, digits, _ and -");
	strvec_clear(&errors);
}

Test(spec, errors_are_appended_to_existing_ones)
{
	struct strvec errors = STRVEC_INIT;

	strvec_push(&errors, "earlier");
	cr_assert_null(spec_load(BAD "empty.yaml", &errors));
	cr_assert_eq(errors.n, 2);
	cr_assert_str_eq(errors.v[0], "earlier");
	strvec_clear(&errors);
}

Test(spec, merge_key_cycle_does_not_hang)
{
	struct strvec errors;
	struct spec *spec = load_text("assignment: t\n"
				      "tests:\n"
				      "  - &t\n"
				      "    name: a\n"
				      "    run: ./p\n"
				      "    <<: *t\n",
				      &errors);
	/* libyaml may refuse the self-reference or hand us a cycle: either way, no hang. */
	spec_free(spec);
	strvec_clear(&errors);
}
