/*
 * report_json: <student>.json, the machine-readable report
 * (docs/reports.md; the contract is cli-and-reports.md).  Built with jansson
 * so that every string, including a student's binary output, is valid JSON.
 */
#ifndef GRADER_REPORT_JSON_H
#define GRADER_REPORT_JSON_H

#include "result.h"

#define GRADER_VERSION "0.1.0"

/* The report as indented JSON text ending in a newline; caller frees. */
char *report_json_dump(const struct grade_result *r);
/* Writes DIR/<submission>.json atomically, creating DIR. */
int report_write_json(const struct grade_result *r, const char *dir);

#endif
