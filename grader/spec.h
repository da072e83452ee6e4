/*
 * spec: the assignment spec (docs/spec.md), loaded from YAML.
 *
 * spec_load() is the only way in: it parses the file with libyaml, checks
 * every key against the contract, merges `defaults` into every test, fills
 * in the built-in defaults listed below, resolves every path relative to
 * the spec's folder, and loads expected-output files.  After a successful
 * load every field below is set: consumers never re-apply defaults.
 * No libyaml type escapes this module.
 *
 * Errors are collected, not just the first: each is one line
 * "PATH:LINE:COL: message" (LINE and COL 1-based) pushed onto `errors`.
 * Warnings go there too, as "PATH:LINE:COL: warning: message": something
 * allowed that cannot be what was meant (a regex that cannot match what
 * programs print).  Only errors make a load fail.
 */
#ifndef GRADER_SPEC_H
#define GRADER_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Built-in values used when neither the test nor `defaults` sets a key. */
#define SPEC_DEFAULT_TIMEOUT_MS 10000LL
#define SPEC_DEFAULT_BUILD_TIMEOUT_MS 60000LL
#define SPEC_DEFAULT_CPU_MS 10000LL
#define SPEC_DEFAULT_MEMORY (512LL << 20)
#define SPEC_DEFAULT_PROCESSES 64
#define SPEC_DEFAULT_OUTPUT (1LL << 20)
#define SPEC_DEFAULT_OPEN_FILES 64
/* "./" before each name: a file named "-wrapper=..." or "@opts.c" stays a file name, never an option. */
#define SPEC_DEFAULT_BUILD_COMMAND "cc -std=gnu11 -O2 -Wall -o prog ./*.c -lm"

enum match_kind {
	MATCH_EXACT,
	MATCH_TRIM,
	MATCH_WHITESPACE,
	MATCH_LINES_UNORDERED,
	MATCH_CONTAINS,
	MATCH_REGEX,
	MATCH_EMPTY,
	MATCH_LINES_INCLUDE,
	MATCH_NUMBERS,
};

/* Expectation on one output stream. */
struct output_expect {
	bool set;		/* false: the stream is not checked */
	enum match_kind match;
	char *text;		/* expected text (from text: or loaded from file:); NULL for empty */
	size_t text_len;	/* may contain NUL bytes when loaded from a file */
	char *file;		/* absolute path when given as file:, else NULL (for messages) */
	bool search;		/* regex: may match anywhere, ^ and $ at line ends (search: true) */
	double tolerance;	/* numbers: how far a number may be from the expected one (>= 0) */
	bool tolerance_relative; /* numbers: tolerance is a fraction of the expected number (N%) */
};

/* What one process is expected to do. */
struct expect_spec {
	bool exit_set;		/* false: exit status not checked */
	bool exit_any;		/* exit: any */
	int exit_code;
	bool signal_set;	/* signal: given (a name or null) */
	int signal;		/* expected signal number; 0 when `signal: null` (must not die by one) */
	struct output_expect out;
	struct output_expect err;
};

enum cleanup_value {
	CLEANUP_IGNORE = 0,	/* the default: a spec asks for the checks it grades */
	CLEANUP_REQUIRED,	/* removed / none / closed */
};

struct cleanup_spec {
	enum cleanup_value ipc;		/* ipc: removed */
	enum cleanup_value zombies;	/* zombies: none */
	enum cleanup_value orphans;	/* orphans: none */
	enum cleanup_value fds;		/* fds: closed */
};

struct limits_spec {
	long long cpu_ms;	/* CPU time per process */
	long long memory;	/* bytes of address space per process */
	long long processes;	/* live processes in the test */
	long long output;	/* bytes captured per stream */
	long long open_files;	/* descriptors per process */
};

enum ready_kind {
	READY_NONE,	/* start the next process at once */
	READY_STDOUT,	/* a line of stdout contains `text` */
	READY_IPC_SHM,	/* a System V shared memory segment exists */
	READY_DELAY,	/* after delay_ms */
	READY_EXIT,	/* once it has exited */
};

struct ready_spec {
	enum ready_kind kind;
	char *text;		/* READY_STDOUT */
	long long delay_ms;	/* READY_DELAY */
};

struct env_var {
	char *name;
	char *value;
};

/* One program of a test.  A single-program test has exactly one, named "main". */
struct process_spec {
	char *name;
	struct strvec argv;	/* run (split like a shell would, or the list) followed by args */
	char *stdin_data;	/* stdin: text; NULL when not given */
	size_t stdin_len;
	char *stdin_file;	/* absolute path of stdin_file:, else NULL; both NULL = empty stdin */
	struct ready_spec ready;
	bool tty;		/* tty: true: stdin and stdout are a pseudo-terminal */
	struct expect_spec expect;
	int line;		/* where it was declared, for messages */
};

struct test_spec {
	char *name;
	int line;		/* line of the test's mapping in the spec */
	double points;		/* default 1 */
	bool hidden;
	long long timeout_ms;	/* wall clock for the whole test */
	struct limits_spec limits;
	struct env_var *env;	/* added to the fixed minimal environment; defaults merged per name */
	size_t nenv;
	char *files;		/* absolute path of `files:` (folder or file), or NULL */
	struct cleanup_spec cleanup;
	struct strvec trace_require;	/* names as written; checked by the trace module */
	unsigned long *trace_require_min;	/* parallel to trace_require: at least this many calls (>= 1) */
	struct strvec trace_forbid;
	int repeat;		/* >= 1 */
	bool perturb;
	bool repeat_all;	/* make every run, even after a failed one (a pass rate) */
	bool multi;		/* declared with `processes:` (check kinds get "<name>." prefixes) */
	struct process_spec *procs;
	size_t nprocs;		/* >= 1 */
};

struct build_spec {
	struct strvec files;	/* must exist in the submission */
	char *command;		/* run by /bin/sh -c; SPEC_DEFAULT_BUILD_COMMAND when not given */
	long long timeout_ms;
};

struct spec {
	char *path;		/* the spec.yaml as given (for messages) */
	char *dir;		/* absolute path of the folder holding it */
	char *assignment;
	char *title;		/* NULL when not given */
	struct build_spec build;
	struct test_spec *tests;
	size_t ntests;		/* >= 1 */
};

/* What follows "PATH:LINE:COL: " in a warning. */
#define SPEC_WARNING "warning: "

/*
 * Loads SPEC, which names a spec file or a folder holding spec.yaml.
 * Returns a new spec (free with spec_free) or NULL, with one message per
 * problem pushed onto errors, sorted by position: the warnings, and the
 * errors when it returns NULL (NULL only when there is at least one).  A
 * path that cannot be read gives one error without a line ("PATH: No such
 * file or directory").
 */
struct spec *spec_load(const char *path, struct strvec *errors);
void spec_free(struct spec *spec);

/* Total points of all tests. */
double spec_max_score(const struct spec *spec);

/*
 * Keeps only the tests named (exact names, the spec's order; `--test NAME`),
 * so that everything made from the spec afterwards (grading, reports, their
 * max_score) knows only those; none named keeps them all.  -1 with error()
 * set, the spec unchanged, when a name is none of its tests'.
 */
int spec_keep_tests(struct spec *spec, const struct strvec *names);

/*
 * Durations: "250ms", "2s", "1.5s", "1m" (also "1h", and a plain number
 * meaning seconds).  Sizes: "512K", "64M", "1G" (also "KB"/"KiB" forms,
 * binary multiples) or plain bytes.  Return 0, or -1 on malformed input or
 * a negative or overflowing value (no error is recorded: the caller knows
 * where the value came from).
 */
int parse_duration_ms(const char *text, long long *ms);
int parse_size(const char *text, long long *bytes);

/* Signal names: "SIGPIPE" or "PIPE" (any case) -> number; 0 when unknown. */
int signal_from_name(const char *name);
/* Number -> "SIGPIPE"; "SIG<n>" style text for unknown numbers (static buffer). */
const char *signal_name(int sig);

#endif
