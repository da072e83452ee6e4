/*
 * class_report_util: what the tests of the class reports share
 * (test_class_report.c, test_class_report_html.c) — the suite's scratch
 * folder, builders of <student>.json objects, and a small class with
 * everything awkward in it.
 */
#ifndef GRADER_TESTS_CLASS_REPORT_UTIL_H
#define GRADER_TESTS_CLASS_REPORT_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct class_report;

#define FIXTURES "grader/tests/class_report/"

/* The test's scratch folder: the reports are written there. */
extern char *scratch;

/* The suite's init (to the repository root, a fresh scratch) and fini (scratch removed). */
void class_report_util_setup(void);
void class_report_util_teardown(void);

/* A check of a test; diff may be NULL for none. */
json_t *check(const char *kind, bool ok, const char *message, const char *diff);
/* A test; checks (taken over) may be NULL for none. */
json_t *test(const char *name, const char *status, double score, double max, bool hidden,
	     json_t *checks, const char *diagnosis);
/* A report; tests (taken over) is an array. */
json_t *report(const char *student, double score, double max, bool build_ok,
	       const char *build_output, json_t *tests);

/* The file's text; caller frees. */
char *slurp(const char *path);
/* scratch/name; caller frees. */
char *out_path(const char *name);
/* How many times needle occurs in haystack, without overlaps. */
size_t count(const char *haystack, const char *needle);

/* The small class's two tests and their points. */
extern const char *const two_names[2];
extern const double two_points[2];

/* Writes the reports `what` (CLASS_REPORT_*) of the small class into scratch. */
void write_small_class(unsigned what);

/* Adds r (taken over) to cr. */
void add_report(struct class_report *cr, json_t *r);
/* Finishes and frees cr; the text of the report `name` it wrote (caller frees). */
char *finished(struct class_report *cr, const char *name);

#endif
