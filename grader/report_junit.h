/*
 * report_junit: junit.xml, the class report for CI systems (GitLab's and
 * GitHub's test report readers, Jenkins): a testsuite per student, a
 * testcase per test.
 *
 * What a reader shows first is the cause: a failing testcase's message is
 * its first failing check ("kind: message"; checks come cause first), its
 * text the whole explanation (report_add_failure_text).  A test that could
 * not be judged as written — a crash, a build failure, a grader error — is
 * an <error>, which GitLab and GitHub show apart from a <failure> (a test
 * that ran and gave a wrong answer or timed out).  Each testcase names the
 * student's main source file (file=, which GitLab shows and GitHub's
 * reporters annotate): the spec's first build file, under the student's
 * folder in a class report.
 *
 * Only class_report.c calls these, as it does report_html.h's.
 */
#ifndef GRADER_REPORT_JUNIT_H
#define GRADER_REPORT_JUNIT_H

#include <jansson.h>

struct class_report;
struct strbuf;

/** Appends the student's testsuite to sb and adds its counts to cr's. */
void report_junit_suite(struct strbuf *sb, struct class_report *cr, const json_t *report);

/** Writes out_dir/junit.xml atomically from cr's counts and work file; -1 with error() set. */
int report_junit_write(const struct class_report *cr);

#endif
