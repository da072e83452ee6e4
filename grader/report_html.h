/*
 * report_html: index.html, the class report for people — an overview
 * (number of students, mean and median score, a score histogram and the
 * results per test, the students without a report, the roster's
 * mismatches, a grid of every student's result in every test that a TA
 * can sort and filter) and a section per student with each failed check,
 * its diff, the diagnosis, and the traced processes and system calls
 * (folded for a test that passed).  The page is one self-contained file:
 * inline style and one inline script, nothing fetched (its Content
 * Security Policy forbids it); without the script it reads the same, in
 * order of name.  It fits a 400 px wide screen, test names wrap, never cut.
 *
 * Only class_report.c calls these: it drives every class report in the same
 * two steps, a student at a time and then the whole class.  report_html.c
 * renders the students, report_html_page.c the page around them.
 */
#ifndef GRADER_REPORT_HTML_H
#define GRADER_REPORT_HTML_H

#include <jansson.h>

struct class_report;
struct strbuf;

/**
 * Appends the student's row of the overview grid to sb and counts the
 * status of each of its tests in cr->test_status, which the per-test chart
 * shows (a stand-in's are not: it has no result).  report has been checked
 * by class_report_add().
 */
void report_html_row(struct strbuf *sb, struct class_report *cr, const json_t *report);

/** Appends the student's section (its tests, build failure, trace) to sb. */
void report_html_section(struct strbuf *sb, const json_t *report);

/**
 * Appends the student's entry in a list at the top of the page (those
 * without a report, the folders the roster does not name): a link to its
 * section.
 */
void report_html_listed(struct strbuf *sb, const json_t *report);

/**
 * Writes out_dir/index.html atomically: the overview from cr's counters and
 * scores work file, then the rows and sections from its work files.
 * Returns -1 with error() set.
 */
int report_html_write(const struct class_report *cr);

#endif
