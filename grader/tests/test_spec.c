/*
 * spec: loading specs — every key read, the defaults, shorthands and
 * leniency, and the shell-like splitting of run lines.  The errors are
 * test_spec_errors.c, in the same suite.
 */
#include <criterion/criterion.h>
#include <signal.h>
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
