/*
 * class_report_internal: what the streaming core (class_report.c) shares
 * with the report writers that live in their own files — report_html.c
 * (index.html) and gradescope.c (results.json).  Nothing else includes it.
 *
 * The core owns the per-class state, the work files and the reports being
 * renamed into place.  The text and reading helpers are here, not in each
 * writer, so that every report repairs and escapes student text the same
 * way (class_report.h says how) and reads a <student>.json the same way.
 */
#ifndef GRADER_CLASS_REPORT_INTERNAL_H
#define GRADER_CLASS_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "class_report.h"
#include "gradebook_lms.h"
#include "roster.h"
#include "util.h"

/* ---- text: UTF-8 repair and escaping --------------------------------- */

enum text_mode {
	TEXT_PLAIN,	  /* CSV, JSON: repair only */
	TEXT_MARKUP,	  /* XML and HTML text */
	TEXT_MARKUP_ATTR, /* ... and attribute values, where newlines must survive normalisation */
};

/*
 * Appends s[0..len) to sb, safe for mode, as class_report.h says (invalid
 * UTF-8, C1 and bidi controls: U+FFFD; other controls but tab, LF and CR:
 * their pictures).  Markup escapes all five special
 * characters, so the result is right in text and in either kind of quoted
 * attribute, and "]]>" cannot appear.
 */
void report_add_text(struct strbuf *sb, const char *s, size_t len, enum text_mode mode);
/* The same for a C string, as TEXT_MARKUP and TEXT_MARKUP_ATTR. */
void report_add_markup(struct strbuf *sb, const char *s);
void report_add_attr(struct strbuf *sb, const char *s);

/*
 * Appends a CSV field (RFC 4180) holding s[0..len), repaired as
 * TEXT_PLAIN: quoted when it must be, or always with quote (Blackboard
 * wants every field quoted); a field a spreadsheet would take for a
 * formula (=, +, -, @, tab, CR first) gets a leading single quote.
 */
void report_add_csv_field(struct strbuf *sb, const char *s, size_t len, bool quote);

/* ---- reading a <student>.json ---------------------------------------- */

/* A string member's text and length (JSON strings may hold NUL); "" when absent. */
const char *report_str(const json_t *obj, const char *key, size_t *len);
/* A number member; 0 when absent or not a number. */
double report_num(const json_t *obj, const char *key);
bool report_true(const json_t *obj, const char *key);
/* Points without needless decimals: 10, 7.5, 0.333333.  Returns buf. */
const char *report_fmt_num(char buf[40], double v);
/* Any JSON value as display text: strings as they are, the rest compact JSON. Caller frees. */
char *report_display(const json_t *v, size_t *len);

enum status {
	ST_PASSED,
	ST_FAILED,
	ST_TIMEOUT,
	ST_CRASHED,
	ST_BUILD_FAILED,
	ST_ERROR,
	ST_MISSING, /* the spec has the test, the student's report does not */
	ST_COUNT,
};

/* One table for every report, so that a status reads and looks the same in each. */
struct status_info {
	const char *name;  /* as in the report; also the CSS class suffix */
	const char *cell;  /* short label for the overview table */
	const char *color; /* for the chart; the CSS uses the same colours */
};
extern const struct status_info report_statuses[ST_COUNT];

/* A test's status; ST_MISSING for NULL, ST_ERROR for a status this grader does not know. */
enum status report_status_of(const json_t *test);

/*
 * What went wrong in a test, for JUnit and Gradescope: each failing check as
 * "kind: message" followed by its diff, the first one (the cause) followed
 * by the diagnosis and the hint; then how to reproduce the test; then
 * (when report is given) the build output if the build failed.  Plain
 * text; the caller escapes it.
 */
void report_add_failure_text(struct strbuf *sb, const json_t *test, const json_t *report);

/* ---- the class report ------------------------------------------------ */

/*
 * The histogram has a bin per point when the maximum is at most 20 points
 * and every score is whole, else ten bins of a tenth of the maximum each.
 * Both are counted as students are added; report_html.c picks one.
 */
#define HIST_POINT_BINS 21
#define HIST_TENTH_BINS 10

struct class_report {
	char *out_dir;
	unsigned what;
	char *assignment;
	char *title;
	char **test_names;
	double *test_points;
	size_t ntests;
	double max_points; /* sum of test_points: the histogram's range */
	char *source_file;     /* the spec's first build file (junit.xml's file=), or NULL */
	bool source_in_folder; /* file= is <student>/<source_file> (a class's reports) */

	/* Work files, NULL when their report was not asked for. */
	FILE *csv_rows;
	FILE *junit_suites;
	FILE *html_rows;
	FILE *html_sections;
	FILE *html_missing; /* the students without a report of their own, listed at the top */
	FILE *scores;	    /* every score as a double, for the median */

	/* The only per-class state: counters, never anything per student. */
	size_t nstudents;
	size_t nmissing; /* of them, stand-ins for a report that is missing: no score */
	size_t all_passed;
	double score_sum;
	size_t hist_points[HIST_POINT_BINS];
	size_t hist_tenths[HIST_TENTH_BINS];
	bool fractional;		 /* some score is not a whole number */
	size_t (*test_status)[ST_COUNT]; /* [ntests][status] of the students with a score */
	/* --roster and --gradebook (class_report_set_roster). */
	struct roster *roster;	/* borrowed; NULL without a roster */
	enum gradebook_kind lms;
	char *lms_column;	/* the grade column's header */
	FILE *lms_rows;		/* the LMS gradebook's rows; NULL for generic */
	FILE *html_unmatched;	/* the folders the roster does not name, for index.html */
	size_t nunmatched;
	size_t junit_tests, junit_failures, junit_errors;
	double junit_time;
	bool failed; /* a temporary file could not be written: no report from these */
};

/*
 * The student's test for spec test i: normally at index i, else found by
 * name (a report from an older spec); NULL when the report lacks it.
 */
const json_t *class_report_find_test(const struct class_report *cr, const json_t *tests, size_t i);

/* What goes into a report after its head: a work file, then text (either NULL: none). */
struct report_part {
	FILE *work;
	const char *after;
};

/* Renders the head of a report, what comes before its first work file; -1 with error() set. */
typedef int report_head_fn(struct strbuf *sb, const struct class_report *cr);

/*
 * Writes out_dir/NAME: the head, then each part in order.  It is written to
 * a temporary file beside it and renamed into place once complete, so that
 * no reader ever sees half a report.  Returns -1 with error() set.
 */
int class_report_write(const struct class_report *cr, const char *name, report_head_fn *head,
		       const struct report_part *parts, size_t nparts);

#endif
