/*
 * e2e_util: what the end-to-end tests share — running the built grader,
 * reading expectation tables, and reading its JSON report.
 */
#ifndef GRADER_E2E_UTIL_H
#define GRADER_E2E_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct e2e_row {
	char spec[256];
	char submission[256];
	char test[256];
	char status[32];
	char kinds[256];	/* sorted, comma-separated, or "-" */
	char pending[64];	/* "-" or what a later issue brings */
};

struct e2e_rows {
	struct e2e_row *v;
	size_t n;
};

/* Reads a TAB-separated table (lines starting with '#' are comments). */
int e2e_rows_load(const char *path, struct e2e_rows *rows);
void e2e_rows_free(struct e2e_rows *rows);

struct e2e_run {
	int exit_code;	/* -1 when killed by a signal */
	int signal;
	char *out;
	char *err;
	size_t out_len;	/* what was written, NULs included */
	size_t err_len;
};

/* The grader under test: $GRADER_BIN, else build/san/grader. */
const char *e2e_grader(void);
/* A private scratch folder for this test process (made on first use). */
const char *e2e_tmpdir(void);
/*
 * Fails the test unless the sandbox is complete here: hostile submissions
 * harm the machine they run on, and are never graded without it.
 */
void e2e_require_full_sandbox(void);
/* <tmpdir>/<submission>.json; caller frees. */
char *e2e_report_path(const char *submission);
/* Runs argv (NULL-terminated) from the repository root; asserts it could be run. */
void e2e_run_grader(const char *const *argv, struct e2e_run *run);
/* The same from folder dir. */
void e2e_run_grader_in(const char *dir, const char *const *argv, struct e2e_run *run);
void e2e_run_release(struct e2e_run *run);
/* Releases what run held, then runs argv into it. */
void e2e_release_and_run(const char *const *argv, struct e2e_run *run);

/*
 * A copy of a spec's folder (spec_path names the folder or its spec.yaml) in
 * a new folder under e2e_tmpdir(), to edit; returns the copy's spec.yaml
 * (caller frees).
 */
char *e2e_spec_copy(const char *spec_path);
/*
 * The same copy with every `timeout:` of its spec.yaml set to timeout
 * (such as "60s"): for a test whose point is not the race between the wall
 * clock and what the program does.  Caller frees.
 */
char *e2e_spec_with_timeouts(const char *spec_path, const char *timeout);

/* Compiles C source into dir/name (with -pthread); returns the program's path (caller frees). */
char *e2e_compile(const char *dir, const char *name, const char *source);

/*
 * How many processes /proc lists for which match(pid, arg) holds.  Tests
 * run beside each other and beside other users: match must pick out what
 * only this test's processes can have.
 */
size_t e2e_count_processes(bool (*match)(const char *pid, const void *arg), const void *arg);

/*
 * Keeps this test's process (and what it starts from now on) to the first
 * CPU of its affinity mask, as a one-CPU Slurm job or taskset would.
 */
void e2e_pin_to_one_cpu(void);

/* The report dir/<student>.json of a batch, parsed; fails the test when unreadable. */
json_t *e2e_load_report(const char *dir, const char *student);
/* The test object named `name` in a report, or NULL. */
json_t *e2e_find_test(json_t *report, const char *name);
/* Sorted, de-duplicated, comma-separated kinds of the failing checks, "-" for none; caller frees. */
char *e2e_failing_kinds(json_t *test);
/* Whether every kind in `actual` (comma-separated or "-") is in `expected`. */
bool e2e_kinds_subset(const char *actual, const char *expected);

#endif
