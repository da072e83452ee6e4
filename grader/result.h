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
