/*
 * report_json: <student>.json, the machine-readable report
 * (docs/reports.md; the contract is cli-and-reports.md).  Built with jansson
 * so that every string, including a student's binary output, is valid JSON.
 */
#ifndef GRADER_REPORT_JSON_H
#define GRADER_REPORT_JSON_H

#include "result.h"

#define GRADER_VERSION "0.1.0"

#include <jansson.h>

/* The report as a JSON object (new reference). */
json_t *report_json_new(const struct grade_result *r);
/* The report as indented JSON text ending in a newline; caller frees. */
char *report_json_dump(const struct grade_result *r);
/* Points as the reports write them: an integer when whole, else a real. */
json_t *report_json_points(double value);
/* Seconds as the reports write them: a real rounded to milliseconds. */
json_t *report_json_seconds(double value);
/* Writes DIR/<submission>.json atomically, creating DIR. */
int report_write_json(const struct grade_result *r, const char *dir);

#endif
