#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "spec_internal.h"
#include "spec_util.h"

TestSuite(spec, .init = spec_test_to_root);

/* ---- valid specs ---------------------------------------------------------------------- */

Test(spec, full_spec_reads_every_key)
{
	struct spec *spec = load_ok(SPECS "full");
	struct test_spec *t = &spec->tests[0];
	struct process_spec *main_proc = &t->procs[0];
	char *cwd = getcwd(NULL, 0);
	char *dir = path_join(cwd, SPECS "full");

	cr_assert_str_eq(spec->path, SPECS "full/spec.yaml");
	cr_assert_str_eq(spec->dir, dir);
	cr_assert_str_eq(spec->assignment, "dup2_pipeline");
	cr_assert_str_eq(spec->title, "ls | wc with pipe and dup2");
	cr_assert_eq(spec->build.files.n, 2);
	cr_assert_str_eq(spec->build.files.v[0], "dup2.c");
	cr_assert_str_eq(spec->build.command, "cc -std=gnu11 -Wall -Wextra -o dup2 dup2.c");
	cr_assert_eq(spec->build.timeout_ms, 30000);
	cr_assert_eq(spec->ntests, 3);

	cr_assert_str_eq(t->name, "pipeline counts the fixture directory");
	cr_assert_eq(t->line, 18);
	cr_assert_float_eq(t->points, 10.0, 1e-9);
	cr_assert_not(t->hidden);
	cr_assert_eq(t->timeout_ms, 2000);
	cr_assert_eq(t->limits.cpu_ms, 1000);
	cr_assert_eq(t->limits.memory, 64LL << 20);
	cr_assert_eq(t->limits.processes, 32);
	cr_assert_eq(t->limits.output, 64 << 10);
	cr_assert_eq(t->limits.open_files, 64);
	cr_assert_eq(t->cleanup.ipc, CLEANUP_REQUIRED);
	cr_assert_eq(t->cleanup.zombies, CLEANUP_REQUIRED);
	cr_assert_eq(t->cleanup.orphans, CLEANUP_REQUIRED);
	cr_assert_eq(t->cleanup.fds, CLEANUP_REQUIRED);
	cr_assert_eq(t->nenv, 2);
	cr_assert_str_eq(t->env[0].name, "LANG");
	cr_assert_str_eq(t->env[0].value, "C");
	cr_assert_str_eq(t->env[1].name, "PORT");
	cr_assert_str_eq(t->env[1].value, "8080", "a YAML integer is taken as its text");
	cr_assert_not_null(strstr(t->files, "/full/fixtures/lswc"));
	cr_assert_eq(t->files[0], '/');
	cr_assert_eq(t->trace_require.n, 4);
	cr_assert_str_eq(t->trace_require.v[3], "execve");
	cr_assert_eq(t->trace_forbid.n, 1);
	cr_assert_str_eq(t->trace_forbid.v[0], "system");
	cr_assert_eq(t->repeat, 1);
	cr_assert_not(t->perturb);
	cr_assert_not(t->multi);

	cr_assert_eq(t->nprocs, 1);
	cr_assert_str_eq(main_proc->name, "main");
	cr_assert_eq(main_proc->argv.n, 1);
	cr_assert_str_eq(main_proc->argv.v[0], "./dup2");
	cr_assert_str_eq(main_proc->stdin_data, "text fed on fd 0\n");
	cr_assert_eq(main_proc->stdin_len, 17);
	cr_assert_null(main_proc->stdin_file);
	cr_assert_eq(main_proc->ready.kind, READY_NONE);
	cr_assert(main_proc->expect.exit_set);
	cr_assert_not(main_proc->expect.exit_any);
	cr_assert_eq(main_proc->expect.exit_code, 0);
	cr_assert(main_proc->expect.signal_set);
	cr_assert_eq(main_proc->expect.signal, 0);
	cr_assert(main_proc->expect.out.set);
	cr_assert_eq(main_proc->expect.out.match, MATCH_EXACT);
	cr_assert_str_eq(main_proc->expect.out.text, "      5       6      37\n");
	cr_assert(main_proc->expect.err.set);
	cr_assert_eq(main_proc->expect.err.match, MATCH_EMPTY);
	cr_assert_null(main_proc->expect.err.text);
	free(dir);
	free(cwd);
	spec_free(spec);
}

Test(spec, full_spec_list_run_files_and_matchers)
{
	struct spec *spec = load_ok(SPECS "full/spec.yaml");
	struct test_spec *t = &spec->tests[1];
	struct process_spec *proc = &t->procs[0];
	const char *const argv[] = {"./dup2", "two words", "--count", "3"};

	cr_assert_str_eq(spec->path, SPECS "full/spec.yaml");
	cr_assert_float_eq(t->points, 2.5, 1e-9);
	cr_assert(t->hidden);
	cr_assert_eq(t->timeout_ms, 1500);
	cr_assert_eq(t->repeat, 5);
	cr_assert(t->perturb);
	cr_assert_eq(proc->argv.n, 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(proc->argv.v[i], argv[i]);
	cr_assert_null(proc->argv.v[4]);
	cr_assert_null(proc->stdin_data);
	cr_assert_not_null(strstr(proc->stdin_file, "/full/fixtures/in.txt"));
	cr_assert_eq(t->trace_require.n, 1, "a single string stands for a list of one");
	cr_assert_str_eq(t->trace_require.v[0], "pipe");
	cr_assert(proc->expect.exit_set && proc->expect.exit_any);
	cr_assert_not(proc->expect.signal_set);
	cr_assert_eq(proc->expect.out.match, MATCH_TRIM);
	cr_assert_str_eq(proc->expect.out.text, "      5       6      37\n");
	cr_assert_not_null(strstr(proc->expect.out.file, "/full/expected/out.txt"));
	cr_assert_eq(proc->expect.err.match, MATCH_REGEX);
	cr_assert_str_eq(proc->expect.err.text, "^warning: [a-z]+\n$");

	t = &spec->tests[2];
	proc = &t->procs[0];
	cr_assert_float_eq(t->points, 1.0, 1e-9);
	cr_assert_eq(proc->argv.n, 2);
	cr_assert_str_eq(proc->argv.v[1], "--flood");
	cr_assert(proc->expect.signal_set);
	cr_assert_eq(proc->expect.signal, SIGPIPE);
	cr_assert_not(proc->expect.exit_set);
	cr_assert_eq(proc->expect.out.match, MATCH_EXACT, "match defaults to exact");
	cr_assert_str_eq(proc->expect.out.text, "exact by default");
	cr_assert_eq(proc->expect.err.match, MATCH_CONTAINS);
	cr_assert_eq(proc->expect.err.text_len, 20, "file bytes are loaded whole, NUL included");
	cr_assert_eq(memcmp(proc->expect.err.text, "line one\0with a NUL\n", 20), 0);
	cr_assert_float_eq(spec_max_score(spec), 13.5, 1e-9);
	spec_free(spec);
}

Test(spec, builtin_defaults)
{
	struct spec *spec = load_ok(SPECS "minimal");
	struct test_spec *t = &spec->tests[0];

	cr_assert_null(spec->title);
	cr_assert_str_eq(spec->build.command, SPEC_DEFAULT_BUILD_COMMAND);
	cr_assert_eq(spec->build.timeout_ms, SPEC_DEFAULT_BUILD_TIMEOUT_MS);
	cr_assert_eq(spec->build.files.n, 0);
	cr_assert_float_eq(t->points, 1.0, 1e-9);
	cr_assert_not(t->hidden);
	cr_assert_eq(t->timeout_ms, SPEC_DEFAULT_TIMEOUT_MS);
	cr_assert_eq(t->limits.cpu_ms, SPEC_DEFAULT_CPU_MS);
	cr_assert_eq(t->limits.memory, SPEC_DEFAULT_MEMORY);
	cr_assert_eq(t->limits.processes, SPEC_DEFAULT_PROCESSES);
	cr_assert_eq(t->limits.output, SPEC_DEFAULT_OUTPUT);
	cr_assert_eq(t->limits.open_files, SPEC_DEFAULT_OPEN_FILES);
	cr_assert_eq(t->cleanup.ipc, CLEANUP_IGNORE);
	cr_assert_eq(t->cleanup.zombies, CLEANUP_IGNORE);
	cr_assert_eq(t->cleanup.orphans, CLEANUP_IGNORE);
	cr_assert_eq(t->cleanup.fds, CLEANUP_IGNORE);
	cr_assert_eq(t->nenv, 0);
	cr_assert_null(t->files);
	cr_assert_eq(t->trace_require.n, 0);
	cr_assert_eq(t->trace_forbid.n, 0);
	cr_assert_eq(t->repeat, 1);
	cr_assert_not(t->perturb);
	cr_assert_eq(t->nprocs, 1);
	cr_assert_null(t->procs[0].stdin_data);
	cr_assert_null(t->procs[0].stdin_file);
	cr_assert_not(t->procs[0].expect.exit_set);
	cr_assert_not(t->procs[0].expect.signal_set);
	cr_assert_not(t->procs[0].expect.out.set);
	cr_assert_not(t->procs[0].expect.err.set);
	cr_assert_float_eq(spec_max_score(spec), 1.0, 1e-9);
	spec_free(spec);
}

Test(spec, defaults_apply_to_every_test)
{
	struct spec *spec = load_ok(SPECS "defaults");
	struct test_spec *t = &spec->tests[0];

	cr_assert_eq(t->timeout_ms, 3000);
	cr_assert_float_eq(t->points, 2.0, 1e-9);
	cr_assert(t->hidden);
	cr_assert_eq(t->repeat, 3);
	cr_assert(t->perturb);
	cr_assert_eq(t->limits.cpu_ms, 500);
	cr_assert_eq(t->limits.memory, 32LL << 20);
	cr_assert_eq(t->limits.output, SPEC_DEFAULT_OUTPUT, "unset everywhere: built-in");
	cr_assert_eq(t->cleanup.ipc, CLEANUP_REQUIRED);
	cr_assert_eq(t->cleanup.zombies, CLEANUP_IGNORE);
	cr_assert_eq(t->cleanup.fds, CLEANUP_REQUIRED);
	cr_assert_eq(t->nenv, 2);
	cr_assert_str_eq(t->env[1].value, "fast");
	cr_assert_str_eq(t->trace_require.v[0], "pipe");
	cr_assert_str_eq(t->trace_forbid.v[0], "system");
	spec_free(spec);
}

Test(spec, defaults_merge_per_sub_key)
{
	struct spec *spec = load_ok(SPECS "defaults");
	struct test_spec *t = &spec->tests[1];

	cr_assert_eq(t->timeout_ms, 250);
	cr_assert_float_eq(t->points, 0.0, 1e-9, "points: 0 is a value, not 'unset'");
	cr_assert_not(t->hidden);
	cr_assert_eq(t->repeat, 1);
	cr_assert_not(t->perturb);
	cr_assert_eq(t->limits.cpu_ms, 2000, "the test's own limits.cpu");
	cr_assert_eq(t->limits.memory, 32LL << 20, "limits.memory kept from defaults");
	cr_assert_eq(t->limits.output, 0, "output: 0 is allowed");
	cr_assert_eq(t->limits.processes, SPEC_DEFAULT_PROCESSES);
	cr_assert_eq(t->cleanup.ipc, CLEANUP_REQUIRED, "kept from defaults");
	cr_assert_eq(t->cleanup.fds, CLEANUP_IGNORE, "overridden");
	cr_assert_eq(t->cleanup.zombies, CLEANUP_REQUIRED, "added");
	cr_assert_eq(t->cleanup.orphans, CLEANUP_IGNORE);
	cr_assert_eq(t->nenv, 3);
	cr_assert_str_eq(t->env[0].name, "LANG");
	cr_assert_str_eq(t->env[0].value, "C");
	cr_assert_str_eq(t->env[1].name, "MODE");
	cr_assert_str_eq(t->env[1].value, "slow");
	cr_assert_str_eq(t->env[2].name, "EXTRA");
	cr_assert_eq(t->trace_require.n, 1, "trace.require kept from defaults");
	cr_assert_eq(t->trace_forbid.n, 0, "trace.forbid: [] lifts the default");
	cr_assert_float_eq(spec_max_score(spec), 2.0, 1e-9);
	spec_free(spec);
}

Test(spec, multi_process_test)
{
	struct spec *spec = load_ok(SPECS "multi");
	struct test_spec *t = &spec->tests[0];
	struct process_spec *server = &t->procs[0], *client = &t->procs[1], *watcher = &t->procs[2];

	cr_assert(t->multi);
	cr_assert_eq(t->nprocs, 3);
	cr_assert_eq(t->cleanup.ipc, CLEANUP_REQUIRED);
	cr_assert_str_eq(server->name, "server");
	cr_assert_eq(server->line, 6);
	cr_assert_str_eq(server->argv.v[0], "./shm_server");
	cr_assert_eq(server->ready.kind, READY_STDOUT);
	cr_assert_str_eq(server->ready.text, "ready");
	cr_assert(server->expect.exit_set);
	cr_assert_eq(server->expect.out.match, MATCH_CONTAINS);
	cr_assert_str_eq(server->expect.out.text, "client said: hello");

	cr_assert_str_eq(client->name, "client");
	cr_assert_eq(client->argv.n, 4);
	cr_assert_str_eq(client->argv.v[2], "my seg");
	cr_assert_str_eq(client->argv.v[3], "extra");
	cr_assert_str_eq(client->stdin_data, "hello\n");
	cr_assert_eq(client->ready.kind, READY_IPC_SHM);
	cr_assert(client->expect.exit_set);
	cr_assert_not(client->expect.out.set);

	cr_assert_eq(watcher->ready.kind, READY_DELAY);
	cr_assert_eq(watcher->ready.delay_ms, 100);
	cr_assert_not_null(strstr(watcher->stdin_file, "/full/fixtures/in.txt"));
	cr_assert_not(watcher->expect.exit_set, "a process not named in expect is not checked");
	spec_free(spec);
}

Test(spec, anchors_aliases_and_merge_keys)
{
	struct spec *spec = load_ok(SPECS "anchors");
	struct test_spec *first = &spec->tests[0], *second = &spec->tests[1];
	struct test_spec *third = &spec->tests[2];

	cr_assert_eq(spec->ntests, 3, "x- keys are ignored");
	cr_assert_eq(first->timeout_ms, 5000);
	cr_assert_float_eq(first->points, 3.0, 1e-9);
	cr_assert_eq(first->limits.cpu_ms, 100);
	cr_assert_eq(first->limits.memory, 16LL << 20);
	cr_assert(first->procs[0].expect.exit_set);
	cr_assert_eq(first->procs[0].expect.err.match, MATCH_EMPTY);
	cr_assert_float_eq(second->points, 7.0, 1e-9, "a key of the mapping beats a merged one");
	cr_assert_eq(second->timeout_ms, 5000);
	cr_assert(second->procs[0].expect.exit_set);
	cr_assert_str_eq(second->procs[0].expect.out.text, "two\n");
	cr_assert(third->procs[0].expect.exit_set);
	cr_assert_eq(third->procs[0].expect.err.match, MATCH_EMPTY);
	cr_assert_float_eq(spec_max_score(spec), 11.0, 1e-9);
	spec_free(spec);
}

/* ---- shorthands and leniency ---------------------------------------------------------- */

Test(spec, yaml_nul_escape_in_strings)
{
	struct spec *spec =
	    text_ok(HEAD "    stdin: \"a\\0b\"\n    expect: { stdout: \"x\\0y\" }\n");
	struct process_spec *proc = &spec->tests[0].procs[0];

	cr_assert_eq(proc->stdin_len, 3);
	cr_assert_eq(memcmp(proc->stdin_data, "a\0b", 3), 0);
	cr_assert_eq(proc->expect.out.text_len, 3);
	spec_free(spec);
}

Test(spec, lenient_numbers_and_booleans)
{
	struct spec *spec = text_ok(HEAD "    points: \"10\"\n    hidden: Yes\n    perturb: NO\n"
					 "    repeat: '2'\n    timeout: 3\n"
					 "    limits: { cpu: 0.5, memory: 1048576, output: 0 }\n"
					 "    expect: { exit: \"3\" }\n");
	struct test_spec *t = &spec->tests[0];

	cr_assert_float_eq(t->points, 10.0, 1e-9);
	cr_assert(t->hidden);
	cr_assert_not(t->perturb);
	cr_assert_eq(t->repeat, 2);
	cr_assert_eq(t->timeout_ms, 3000, "a plain number is seconds");
	cr_assert_eq(t->limits.cpu_ms, 500);
	cr_assert_eq(t->limits.memory, 1048576);
	cr_assert_eq(t->limits.output, 0);
	cr_assert_eq(t->procs[0].expect.exit_code, 3);
	spec_free(spec);
}

Test(spec, signal_forms)
{
	struct spec *spec = text_ok("assignment: t\ntests:\n"
				    "  - { name: a, run: ./p, expect: { signal: PIPE } }\n"
				    "  - { name: b, run: ./p, expect: { signal: sigsegv } }\n"
				    "  - { name: c, run: ./p, expect: { signal: 9 } }\n"
				    "  - { name: d, run: ./p, expect: { signal: ~, exit: 0 } }\n");

	cr_assert_eq(spec->tests[0].procs[0].expect.signal, SIGPIPE);
	cr_assert_eq(spec->tests[1].procs[0].expect.signal, SIGSEGV);
	cr_assert_eq(spec->tests[2].procs[0].expect.signal, SIGKILL);
	cr_assert(spec->tests[3].procs[0].expect.signal_set);
	cr_assert_eq(spec->tests[3].procs[0].expect.signal, 0);
	spec_free(spec);
	text_error(HEAD "    expect: { exit: any, signal: SIGKILL }\n",
		   "spec.yaml:5:34: 'exit: any' and 'signal: SIGKILL' contradict: a process killed "
		   "by a signal has no exit status");
	text_error(HEAD "    expect: { signal: 0 }\n",
		   "spec.yaml:5:23: unknown signal '0': use a name such as SIGPIPE, SIGSEGV or "
		   "SIGKILL");
}

Test(spec, build_files_single_string)
{
	struct spec *spec = text_ok("assignment: t\nbuild: { files: main.c }\n"
				    "tests: [{ name: a, run: ./prog }]\n");
	cr_assert_eq(spec->build.files.n, 1);
	cr_assert_str_eq(spec->build.files.v[0], "main.c");
	spec_free(spec);
}

Test(spec, x_keys_hold_anchors_anywhere)
{
	struct spec *spec = text_ok("assignment: t\nx-note: { anything: [1, 2] }\n"
				    "tests: [{ name: a, run: ./prog, x-why: \"because\" }]\n");
	cr_assert_eq(spec->ntests, 1);
	spec_free(spec);
}

/* ---- shell-like splitting ------------------------------------------------------------- */

static void assert_split(const char *line, const char *const *want, size_t n)
{
	struct strvec words = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;

	strvec_init(&words);
	cr_assert_eq(spec_split_words(line, &words, &why), 0, "%s: %s", line, why.buf);
	cr_assert_eq(words.n, n, "%s: %zu words", line, words.n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(words.v[i], want[i], "%s: word %zu", line, i);
	strvec_clear(&words);
	strbuf_release(&why);
}

#define ASSERT_SPLIT(line, ...)                                                                    \
	do {                                                                                       \
		const char *const want_[] = {__VA_ARGS__};                                         \
		assert_split(line, want_, sizeof(want_) / sizeof(want_[0]));                       \
	} while (0)

static void assert_split_fails(const char *line, const char *why_part)
{
	struct strvec words = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;

	strvec_init(&words);
	cr_assert_eq(spec_split_words(line, &words, &why), -1, "%s should not split", line);
	cr_assert_not_null(strstr(why.buf, why_part), "%s: %s", line, why.buf);
	strvec_clear(&words);
	strbuf_release(&why);
}

Test(spec, split_words_like_a_shell)
{
	ASSERT_SPLIT("./prog", "./prog");
	ASSERT_SPLIT("  ./prog  a\tb\n c  ", "./prog", "a", "b", "c");
	ASSERT_SPLIT("./prog 'two words' \"and three words\"", "./prog", "two words",
		     "and three words");
	ASSERT_SPLIT("./prog it\\'s \"say \\\"hi\\\"\"", "./prog", "it's", "say \"hi\"");
	ASSERT_SPLIT("./prog '' \"\"", "./prog", "", "");
	ASSERT_SPLIT("./prog a'b'\"c\"d", "./prog", "abcd");
	ASSERT_SPLIT("./prog 'a\\b' \"c\\d\" e\\f", "./prog", "a\\b", "c\\d", "ef");
	ASSERT_SPLIT("./prog \\$HOME '$HOME' \"\\$HOME\" '|'", "./prog", "$HOME", "$HOME", "$HOME",
		     "|");
	ASSERT_SPLIT("./prog a\\\n b", "./prog", "a", "b");
	ASSERT_SPLIT("./prog *.c ~ #1", "./prog", "*.c", "~", "#1");
	ASSERT_SPLIT("./prog a\\ b", "./prog", "a b");
}

Test(spec, split_words_rejects)
{
	assert_split_fails("", "no command");
	assert_split_fails("   ", "no command");
	assert_split_fails("./prog 'oops", "unterminated single quote");
	assert_split_fails("./prog \"oops", "unterminated double quote");
	assert_split_fails("./prog \\", "lone backslash");
	assert_split_fails("./a | ./b", "'|'");
	assert_split_fails("./a > out", "'>'");
	assert_split_fails("./a; ./b", "';'");
	assert_split_fails("./a &", "'&'");
	assert_split_fails("./a $HOME", "'$'");
	assert_split_fails("./a \"$HOME\"", "'$'");
	assert_split_fails("./a `ls`", "'`'");
	assert_split_fails("./a (x)", "'('");
}

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
