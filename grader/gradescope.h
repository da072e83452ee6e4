/*
 * gradescope: Gradescope's autograder results.json for one student, which
 * `grader grade` writes beside junit.xml (cli-and-reports.md), made from
 * the <student>.json that report_json wrote (docs/reports.md).  Student
 * text in it is repaired as class_report.h describes; Gradescope shows it
 * as plain text.
 *
 * class_report.h includes this header: these functions were declared there
 * before they had a file of their own, and its callers (cli_grade.c) still
 * reach them through it.
 */
#ifndef GRADER_GRADESCOPE_H
#define GRADER_GRADESCOPE_H

#include <jansson.h>

/**
 * Writes Gradescope's results.json for one student to path (its folder must
 * exist), atomically.  Each failed test's output is what `check` shows:
 * the failing checks cause first, the diagnosis and the test's hint after
 * the cause, a cleanup or trace check's own hint after it, then how to
 * reproduce the test; a hidden test (visibility
 * "after_published") shows a student only whether it passed.  The
 * top-level output carries the build output when the build failed;
 * extra_data, which students never see, carries the isolation (and what was
 * missing) and the grader's version; each test's extra_data its status.
 */
int gradescope_results_write(const json_t *student_report, const char *path);

/**
 * The Gradescope results object for one student (what
 * gradescope_results_write() writes); caller owns the reference.
 */
json_t *gradescope_results(const json_t *student_report);

#endif
