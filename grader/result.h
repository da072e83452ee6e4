/*
 * result: what grading one submission produced — the in-memory form of
 * <student>.json (docs/reports.md).  Built by grade.c, read by the report
 * writers.  Every string is owned by the struct that holds it.
 */
#ifndef GRADER_RESULT_H
#define GRADER_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct trace_record;

enum test_status {
	STATUS_PASSED,
	STATUS_FAILED,
	STATUS_TIMEOUT,
	STATUS_CRASHED,
	STATUS_BUILD_FAILED,
	STATUS_ERROR,
};

struct check {
	char *kind;	/* "exit", "stdout", "server.stdout", "cleanup.fds", ... */
	bool ok;
	bool skipped;	/* the spec asked for it but this build cannot check it (message says why) */
	char *message;	/* "" when ok */
	char *diff;	/* unified diff for output mismatches, else NULL */
};

/* How to run one process of a test by hand (reproduce.h). */
struct reproduce_proc {
	char *name;		/* the spec's name for it ("main" in a single-process test) */
	struct strvec argv;
	char *command;		/* a shell line that runs it as the test did */
	char *stdin_text;	/* its stdin text, cut after REPRODUCE_STDIN_SHOWN bytes; NULL: no text */
	size_t stdin_bytes;	/* the whole text's length */
	bool stdin_shortened;	/* stdin_text is only its start */
	char *stdin_file;	/* the fixture it reads, named relative to the spec; NULL: none */
	bool tty;		/* its stdin and stdout are a terminal (tty: true) */
	char *start;		/* when it starts ("once a line of server's stdout contains ..."); NULL: at once */
};

/* What a failed test ran, for the student to run it again (reproduce.h). */
struct reproduce {
	struct reproduce_proc *procs;
	size_t nprocs;
	char *files_from;	/* the spec's `files:`, relative to the spec; NULL: none */
	struct strvec files;	/* what that puts in the working folder ("dir/", "notes.txt"), capped */
	struct strvec env;	/* "NAME=value" the test adds to the environment */
	char *text;		/* all of it in words, for the reports */
};

struct test_result {
	char *name;
	enum test_status status;
	bool hidden;
	double score;
	double max_score;
	double seconds;
	double cpu_wait_seconds;	/* of `seconds`, the time its processes waited for a CPU (deadline moved by it) */
	int runs;
	int passed_runs;
	bool perturbed;		/* the spec asks to perturb the runs (`perturb`): `seed` is theirs */
	unsigned long long seed;	/* the failing run's, or when all passed the first run's */
	struct check *checks;
	size_t nchecks;
	size_t checks_cap;
	char *diagnosis;	/* "" when there is nothing to explain */
	/*
	 * The one hint for what failed, following from the diagnosis (or, with
	 * none, from the failed check that caused the rest); NULL: none.
	 */
	char *hint;
	struct reproduce *reproduce;	/* for a test that failed, timed out or crashed; else NULL */
	struct trace_record *trace;	/* the shown run's system calls and processes; NULL: not traced */
};

struct build_result {
	bool ok;
	bool cached;		/* taken from the build cache (the same files were built before) */
	double seconds;		/* of the build itself, also when taken from the cache */
	char *output;		/* compiler messages (capped), NUL-terminated but may hold NULs */
	size_t output_len;	/* its length: a NUL in a message must not hide what follows */
};

struct grade_result {
	char *assignment;
	char *submission;	/* the student's folder name */
	double score;
	double max_score;
	bool isolation_full;
	struct strvec isolation_missing;	/* what was unavailable when not full */
	struct build_result build;
	struct test_result *tests;
	size_t ntests;
};

/* Appends a check to t; kind and message are copied, diff is taken over (may be NULL). */
struct check *test_result_add_check(struct test_result *t, const char *kind, bool ok,
				    const char *message, char *diff);
/*
 * Moves the checks that cause others to fail — a timeout, an unexpected
 * signal, a limit — before the rest, keeping the order within each group:
 * reports list the cause first and its consequences (a short stdout) after.
 */
void test_result_cause_first(struct test_result *t);
/* true when some check of t failed (skipped checks do not fail). */
bool test_result_has_failure(const struct test_result *t);
const char *test_status_name(enum test_status status);
void test_result_release(struct test_result *t);
void grade_result_release(struct grade_result *r);
/* true when every test passed. */
bool grade_result_all_passed(const struct grade_result *r);
/*
 * Writes one line per test the grader could not carry out (status error:
 * the machine's or the grader's fault, never the student's) to f, naming
 * the submission, the test and why; returns how many.
 */
size_t grade_result_print_errors(FILE *f, const struct grade_result *r);

#endif
