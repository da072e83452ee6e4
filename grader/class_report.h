/*
 * class_report: the reports about a whole class for one assignment —
 * gradebook.csv (TAs, LMS import), junit.xml (CI) and index.html (people;
 * report_html.c renders it) — and, through gradescope.h, which this header
 * includes, Gradescope's results.json for one student (cli-and-reports.md).
 *
 * Every input is a <student>.json object as report_json produces it
 * (docs/reports.md).  Reports are streamed: class_report_add() renders the
 * student's CSV row, JUnit testsuite, HTML table row and HTML section at once
 * and appends them to unnamed temporary files in the output folder, keeping
 * only per-class counters in memory, so memory stays flat however large the
 * class.  class_report_finish() writes each asked-for report to a temporary
 * file next to it and renames it into place: a killed grader never leaves a
 * half-written report, nor any temporary work file (they have no name).
 *
 * Text from a report (student output above all) may hold any bytes: every
 * report escapes it for its format, repairs invalid UTF-8 (U+FFFD) and shows
 * C0 control bytes other than tab, newline and carriage return as their
 * Unicode "control pictures" (U+2400 + byte, e.g. ESC as U+241B), which XML
 * 1.0 cannot carry even as character references; DEL as U+2421.  The C1
 * controls and the bidi overrides and isolates (escape.h), which act on
 * terminals and reorder what is displayed, become U+FFFD.
 */
#ifndef GRADER_CLASS_REPORT_H
#define GRADER_CLASS_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "gradescope.h"

enum { CLASS_REPORT_CSV = 1, CLASS_REPORT_JUNIT = 2, CLASS_REPORT_HTML = 4 };

struct class_report;
struct spec;

/**
 * Starts the reports for one assignment in out_dir (created if missing).
 * what: CLASS_REPORT_* bits; title: a human title for index.html (NULL: the
 * assignment name); test_names/test_points: the spec's tests in order, which
 * give the CSV columns and the overview's columns.  Every argument is copied.
 * Returns NULL with error() set when out_dir or a temporary file cannot be made.
 */
struct class_report *class_report_new(const char *out_dir, unsigned what, const char *assignment,
				      const char *title, const char *const *test_names,
				      const double *test_points, size_t ntests);

/* class_report_new() with the assignment, title and tests of a loaded spec. */
struct class_report *class_report_new_for_spec(const char *out_dir, unsigned what,
					       const struct spec *spec);

/**
 * junit.xml's file= names the submission's main source file (the spec's
 * first build file) under the student's folder, as a class's reports
 * are read from the folder of student folders.  For one submission graded
 * in its own folder (a CI job's working copy: grade, check) it names the
 * file alone.  Call before class_report_add().
 */
void class_report_source_at_root(struct class_report *cr);

struct roster;

/**
 * Adds what --roster and --gradebook ask for (gradebook_lms.h, roster.h):
 * with kind other than GRADEBOOK_GENERIC the LMS's gradebook file, its
 * grade column headed column (NULL: gradebook_default_column()); with a
 * roster (borrowed, NULL for none), the students of each row a report is
 * added for are marked seen, and index.html lists the folders it does not
 * name and its students that have none.  kind is an enum gradebook_kind.
 * Call before class_report_add(); -1 with error() set when a temporary
 * file cannot be made.
 */
int class_report_set_roster(struct class_report *cr, struct roster *roster, int kind,
			    const char *column);

/** 0 when the object has what class_report_add() needs, else -1 with error() set. */
int class_report_check(const json_t *student_report);

/**
 * Adds one student's report (borrowed; nothing of it is kept).  Students
 * appear in every report in the order added.  A spec test missing from the
 * report gets an empty CSV cell and "missing" in the overview.  A report
 * with "report_missing": true stands in for one that could not be written
 * or read (class_merge.h): its gradebook row has no score and "error" in
 * every test's cell, index.html lists it at the top, and the class's
 * statistics (mean, median, charts) leave it out.  Fails (-1, error() set, nothing written) when
 * class_report_check() does, or -1 when a temporary file cannot be written.
 */
int class_report_add(struct class_report *cr, const json_t *student_report);

/**
 * Writes gradebook.csv, junit.xml and index.html (those asked for) into
 * out_dir, each atomically.  Call at most once; class_report_free() follows
 * in any case.  Returns -1 with error() set on failure (the reports already
 * renamed into place stay; none is half-written).
 */
int class_report_finish(struct class_report *cr);

/** Frees cr (NULL is fine); its temporary files go with it, finished or not. */
void class_report_free(struct class_report *cr);

#endif
