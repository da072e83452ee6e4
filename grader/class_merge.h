/*
 * class_merge: the class reports of a report folder (gradebook.csv,
 * junit.xml, index.html: class_report.h), made from the <student>.json
 * files in it, read back one at a time — by `grader report` once the
 * shards of a class are done (docs/scale.md), and by a whole-class `batch`
 * once its workers are.  Memory holds the students' names, never more
 * than one report.
 *
 * Every student of the class is in the class reports: one whose report
 * is missing or cannot be read is named on stderr and gets a stand-in,
 * every test in status error and "report_missing": true, which the
 * gradebook shows without a score (an LMS must not import a 0) and
 * index.html lists at its top.
 */
#ifndef GRADER_CLASS_MERGE_H
#define GRADER_CLASS_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "result.h"
#include "spec.h"
#include "util.h"

struct roster;

struct class_merge_options {
	const char *report_dir;
	unsigned what;		 /* CLASS_REPORT_* bits; 0: only read every report back */
	const char *who;	 /* "batch" or "report": how its lines on stderr begin */
	const char *why_missing; /* the message of a stand-in's tests */
	bool others;		 /* also every report in report_dir whose student is not in names */
	/* --roster, --gradebook (gradebook_lms.h), --gradebook-column; with what only. */
	struct roster *roster;	 /* borrowed; NULL for none */
	int gradebook;		 /* an enum gradebook_kind */
	const char *gradebook_column;
};

struct class_merge_counts {
	size_t students;	/* in the class reports */
	size_t missing;		/* of them, with a stand-in */
	size_t skipped;		/* others' .json files that are no student's report */
	size_t unmatched;	/* folders the roster does not name */
	size_t unsubmitted;	/* students the roster names without a submission */
};

/**
 * Writes the class reports (o->what) of the students named in names
 * (sorted, each once) and, with o->others, of every other <student>.json
 * in o->report_dir, in order of name.  An other .json file that is no
 * student report (a results.json) is named on stderr and skipped.  With a
 * roster, each folder it does not name and each of its students without a
 * submission is named on stderr too, as is each student left out of the
 * LMS gradebook.  -1 with error() set when the class reports could not be
 * written.
 */
int class_merge_write(const struct spec *spec, const struct class_merge_options *o,
		      const struct strvec *names, struct class_merge_counts *counts);

/**
 * Says on f how many folders the roster does not name and how many of its
 * students have no submission (each was named by class_merge_write()),
 * when there are any; who begins the lines ("batch", "report").
 */
void class_merge_tell_roster(FILE *f, const char *who, const struct class_merge_counts *counts);

/**
 * Appends the class of report_dir to names, sorted, each name once: the
 * student folders under root when it is given, else the union of the
 * class lists the batches into report_dir recorded (shard.h).  When there
 * is none, says on stderr that missing students cannot be named.  -1 with
 * error() set when root or a list cannot be read.
 */
int class_merge_class_of(const char *report_dir, const char *root, struct strvec *names);

/**
 * The result of a student the grader could not grade (r is initialised):
 * every test of spec in status error, with why as its message.
 */
void class_merge_error_result(const struct spec *spec, const char *student, const char *why,
			      struct grade_result *r);

#endif
