/*
 * What a process is expected to do (spec_expect.c): the output matchers
 * and their options, the warnings about regexes that cannot match; and
 * the keys issue 14 added elsewhere (ready: {exit: true}, trace.require
 * counts).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_util.h"

TestSuite(spec_expect, .init = spec_test_to_root);

Test(spec_expect, output_shorthands)
{
	struct spec *spec = text_ok(HEAD "    expect:\n"
					 "      stdout: \"hi\\n\"\n"
					 "      stderr: { text: \"x\" }\n");
	struct expect_spec *e = &spec->tests[0].procs[0].expect;

	cr_assert(e->out.set);
	cr_assert_eq(e->out.match, MATCH_EXACT);
	cr_assert_str_eq(e->out.text, "hi\n");
	cr_assert_eq(e->out.text_len, 3);
	cr_assert_null(e->out.file);
	cr_assert_eq(e->err.match, MATCH_EXACT);
	cr_assert_str_eq(e->err.text, "x");
	spec_free(spec);
}

Test(spec_expect, every_match_kind_is_known)
{
	static const char *const kinds[] = {"exact",	"trim",	 "whitespace", "lines_unordered",
					    "contains", "regex", NULL,	       "lines_include",
					    "numbers"};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!kinds[i])
			continue; /* empty takes no text */
		char *yaml = xasprintf(HEAD "    expect: { stdout: { match: %s, text: \"a\" } }\n",
				       kinds[i]);
		struct spec *spec = text_ok(yaml);
		cr_assert_eq(spec->tests[0].procs[0].expect.out.match, (enum match_kind)i);
		spec_free(spec);
		free(yaml);
	}
}

Test(spec_expect, bad_expectations)
{
	ASSERT_ERRORS(
	    BAD "bad_expect.yaml",
	    BAD "bad_expect.yaml:6:13: 'exit' must be between 0 and 255, got '300'",
	    BAD "bad_expect.yaml:7:15: unknown signal 'SIGFOO': use a name such as SIGPIPE, "
		"SIGSEGV or SIGKILL",
	    BAD "bad_expect.yaml:8:37: bad regex for 'stdout': Unmatched ( or \\(",
	    BAD "bad_expect.yaml:9:37: match 'empty' for 'stderr' takes no text or file",
	    BAD "bad_expect.yaml:14:15: 'exit: 0' and 'signal: PIPE' contradict: a process "
		"killed by a signal has no exit status",
	    BAD "bad_expect.yaml:15:24: unknown match 'contians' for 'stdout' — did you mean "
		"'contains'?",
	    BAD "bad_expect.yaml:16:15: match 'trim' for 'stderr' needs 'text' or 'file'");
	text_error(HEAD "    expect: { stdout: { match: exact, text: a, file: b } }\n",
		   "spec.yaml:5:54: give 'text' or 'file' for 'stdout', not both");
	text_error(
	    HEAD "    expect: { stdout: { match: nope, text: a } }\n",
	    "spec.yaml:5:32: unknown match 'nope' for 'stdout': use exact, trim, whitespace, "
	    "lines_unordered, lines_include, numbers, contains, regex or empty");
}

static struct expect_spec *first_expect(struct spec *spec)
{
	return &spec->tests[0].procs[0].expect;
}

Test(spec_expect, lines_include_numbers_and_their_options)
{
	struct spec *spec =
	    text_ok(HEAD "    expect:\n"
			 "      stdout: { match: lines_include, text: \"a\\nb\\n\" }\n"
			 "      stderr: { match: numbers, tolerance: 0.5, text: \"5\\n\" }\n");
	struct expect_spec *e = first_expect(spec);

	cr_assert_eq(e->out.match, MATCH_LINES_INCLUDE);
	cr_assert_str_eq(e->out.text, "a\nb\n");
	cr_assert_eq(e->err.match, MATCH_NUMBERS);
	cr_assert_float_eq(e->err.tolerance, 0.5, 1e-12);
	cr_assert_not(e->err.tolerance_relative);
	spec_free(spec);

	spec = text_ok(HEAD "    expect:\n"
			    "      stdout: { match: numbers, tolerance: 2.5%, text: \"5\" }\n"
			    "      stderr: { match: numbers, text: \"5\" }\n");
	e = first_expect(spec);
	cr_assert_float_eq(e->out.tolerance, 0.025, 1e-12);
	cr_assert(e->out.tolerance_relative);
	cr_assert_float_eq(e->err.tolerance, 0, 0, "no tolerance: the values must be equal");
	cr_assert_not(e->err.tolerance_relative);
	spec_free(spec);
}

Test(spec_expect, regex_search)
{
	struct spec *spec =
	    text_ok(HEAD "    expect:\n"
			 "      stdout: { match: regex, search: true, text: \"^ready$\" }\n"
			 "      stderr: { match: regex, text: \".*\" }\n");
	struct expect_spec *e = first_expect(spec);

	cr_assert(e->out.search);
	cr_assert_not(e->err.search, "whole output by default");
	spec_free(spec);
}

Test(spec_expect, bad_tolerances)
{
	/* As written in the YAML, and as the message quotes it. */
	static const char *const bad[][2] = {
	    {"abc", "abc"},   {"2 %", "2 %"}, {"'%'", "%"},	  {"1e3", "1e3"},   {"inf", "inf"},
	    {"0x10", "0x10"}, {".", "."},     {"1.2.3", "1.2.3"}, {"'5%%'", "5%%"}, {"+1", "+1"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *yaml =
		    xasprintf(HEAD "    expect: { stdout: { match: numbers, tolerance: %s, "
				   "text: \"5\" } }\n",
			      bad[i][0]);
		char *want = xasprintf("spec.yaml:5:52: bad tolerance '%s' for 'stdout': use a "
				       "number such as 0.5 (how far each number may be off) or a "
				       "percentage such as 2%%",
				       bad[i][1]);
		text_error(yaml, want);
		free(want);
		free(yaml);
	}
	text_error(HEAD "    expect: { stdout: { match: numbers, tolerance: -1, text: \"5\" } }\n",
		   "spec.yaml:5:52: 'tolerance' for 'stdout' must not be negative, got '-1'");
	text_error(HEAD "    expect: { stdout: { match: numbers, tolerance: [1], text: \"5\" } }\n",
		   "spec.yaml:5:52: 'tolerance' must be a number such as 0.5 or a percentage such "
		   "as 2%, got a sequence");
}

Test(spec_expect, options_belong_to_their_matcher)
{
	text_error(HEAD "    expect: { stdout: { match: exact, tolerance: 1, text: \"5\" } }\n",
		   "spec.yaml:5:50: 'tolerance' for 'stdout' works only with match: numbers (got "
		   "match: exact)");
	text_error(HEAD "    expect: { stderr: { tolerance: 1, text: \"5\" } }\n",
		   "spec.yaml:5:36: 'tolerance' for 'stderr' works only with match: numbers (got "
		   "match: exact)");
	text_error(HEAD "    expect: { stdout: { match: contains, search: true, text: a } }\n",
		   "spec.yaml:5:50: 'search' for 'stdout' works only with match: regex (got match: "
		   "contains)");
	text_error(HEAD "    expect: { stdout: { match: regex, search: maybe, text: a } }\n",
		   "spec.yaml:5:47: 'search' must be true or false, got 'maybe'");
}

Test(spec_expect, regex_warnings_do_not_fail_the_load)
{
	struct strvec errors;
	/* Single quotes keep the backslash: the regex gets the two characters \ and n. */
	struct spec *spec = load_text(
	    HEAD "    expect:\n      stdout: { match: regex, text: '^hello\\n$' }\n", &errors);

	cr_assert_not_null(spec, "a warning is not an error: %s", errors.n ? errors.v[0] : "");
	cr_assert_eq(errors.n, 1);
	cr_assert_str_eq(
	    errors.v[0],
	    "spec.yaml:6:37: warning: the regex for 'stdout' has \\n (a backslash, then "
	    "the letter n), which POSIX regex reads as the letter n, not a newline: put "
	    "a real one in the pattern (in YAML, double quotes turn \\n into a "
	    "newline)");
	spec_free(spec);
	strvec_clear(&errors);

	/* The same pattern in double quotes is a real newline: nothing to say. */
	spec = load_text(HEAD "    expect:\n      stdout: { match: regex, text: \"^hello\\n$\" }\n",
			 &errors);
	cr_assert_not_null(spec);
	cr_assert_eq(errors.n, 0, "%s", errors.n ? errors.v[0] : "");
	spec_free(spec);
	strvec_clear(&errors);
}

Test(spec_expect, warnings_and_errors_in_file_order)
{
	struct strvec errors;
	struct spec *spec =
	    load_text(HEAD "    expect:\n"
			   "      stdout: { match: regex, search: true, text: \"a$b\" }\n"
			   "      stderr: { match: regex, text: \"(\" }\n"
			   "    timeout: soon\n",
		      &errors);

	cr_assert_null(spec);
	cr_assert_eq(errors.n, 3, "got %zu", errors.n);
	cr_assert_str_eq(
	    errors.v[0],
	    "spec.yaml:6:51: warning: the regex for 'stdout' has '$' at character 2 "
	    "right before a character that cannot be a newline, so it never matches: $ "
	    "is the end of a line");
	cr_assert_str_eq(errors.v[1], "spec.yaml:7:37: bad regex for 'stderr': Unmatched ( or \\(");
	cr_assert_str_eq(errors.v[2], "spec.yaml:8:14: bad duration 'soon' for 'timeout': use e.g. "
				      "250ms, 2s, 1.5s or 1m");
	strvec_clear(&errors);
}

#define TWO_PROCESSES(ready)                                                                       \
	"assignment: t\ntests:\n  - name: a\n    processes:\n"                                     \
	"      - { name: first, run: ./a, ready: " ready " }\n"                                    \
	"      - { name: second, run: ./b }\n"

Test(spec_expect, ready_on_exit)
{
	struct spec *spec = text_ok(TWO_PROCESSES("{ exit: true }"));

	cr_assert_eq(spec->tests[0].procs[0].ready.kind, READY_EXIT);
	cr_assert_eq(spec->tests[0].procs[1].ready.kind, READY_NONE);
	spec_free(spec);
	text_error(TWO_PROCESSES("{ exit: false }"),
		   "spec.yaml:5:49: 'ready.exit' can only be true: leave 'ready' out to start the "
		   "next process at once");
	text_error(TWO_PROCESSES("{ exit: soon }"),
		   "spec.yaml:5:49: 'ready.exit' must be true or false, got 'soon'");
	text_error(
	    TWO_PROCESSES("{ exit: true, delay: 1s }"),
	    "spec.yaml:5:41: 'ready' takes exactly one of stdout, ipc, delay or exit, got 2");
}

Test(spec_expect, trace_require_counts)
{
	static const char *const names[] = {"pipe", "dup2", "fork", "wait"};
	static const unsigned long mins[] = {2, 1, 3, 1};
	struct spec *spec =
	    text_ok(HEAD "    trace: { require: [{pipe: 2}, dup2, {fork: 3, wait: 1}] }\n");
	struct test_spec *t = &spec->tests[0];

	cr_assert_eq(t->trace_require.n, 4);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_str_eq(t->trace_require.v[i], names[i]);
		cr_assert_eq(t->trace_require_min[i], mins[i], "%s", names[i]);
	}
	spec_free(spec);

	spec = text_ok("assignment: t\n"
		       "defaults: { trace: { require: [{pipe: 2}] } }\n"
		       "tests:\n"
		       "  - { name: a, run: ./p }\n"
		       "  - { name: b, run: ./p, trace: { require: execve } }\n");
	cr_assert_eq(spec->tests[0].trace_require.n, 1);
	cr_assert_eq(spec->tests[0].trace_require_min[0], 2, "the count comes with the default");
	cr_assert_str_eq(spec->tests[1].trace_require.v[0], "execve");
	cr_assert_eq(spec->tests[1].trace_require_min[0], 1);
	spec_free(spec);
}

Test(spec_expect, bad_trace_require_counts)
{
	text_error(HEAD "    trace: { require: [{pipe: 0}] }\n",
		   "spec.yaml:5:31: 'trace.require.pipe' must be at least 1, got '0'");
	text_error(HEAD "    trace: { require: [{pipe: two}] }\n",
		   "spec.yaml:5:31: 'trace.require.pipe' must be an integer, got 'two'");
	text_error(HEAD "    trace: { require: [{pipe: 1.5}] }\n",
		   "spec.yaml:5:31: 'trace.require.pipe' must be an integer, got '1.5'");
	text_error(
	    HEAD "    trace: { require: [{frok: 2}] }\n",
	    "spec.yaml:5:25: unknown system call 'frok' in 'trace.require': use names such as "
	    "pipe, fork, execve");
	text_error(HEAD "    trace: { forbid: [{pipe: 2}] }\n",
		   "spec.yaml:5:23: 'trace.forbid' entries must be strings, got a mapping");
	text_error(
	    HEAD "    trace: { require: {pipe: 2} }\n",
	    "spec.yaml:5:23: 'trace.require' must be a list of names or {name: count}, got a "
	    "mapping");
}
