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

/*
 * What a student's report weighs at most, whatever their program did: a
 * report that would be larger is built again with less of the student's
 * text in it (report_json.c, "report_caps"; docs/reports.md).  The bound
 * holds for any spec of up to a few hundred checks in all.
 */
#define REPORT_JSON_MAX (1024 * 1024)

/* The report as a JSON object (new reference), fitted within REPORT_JSON_MAX. */
json_t *report_json_new(const struct grade_result *r);
/*
 * The report as indented JSON text ending in a newline, with DEL, C1 and
 * bidi controls escaped (escape_json_text); caller frees.
 */
char *report_json_dump(const struct grade_result *r);
/* Points as the reports write them: an integer when whole, else a real. */
json_t *report_json_points(double value);
/* Seconds as the reports write them: a real rounded to milliseconds. */
json_t *report_json_seconds(double value);
/* Writes DIR/<submission>.json atomically, creating DIR. */
int report_write_json(const struct grade_result *r, const char *dir);

#endif
