/*
 * batch: grades a whole class — every folder directly under a root — N
 * submissions at a time, then writes the class reports.
 *
 * Each submission is graded by a forked worker of its own, so a crash or
 * hang of the grader on one submission never touches another's result; the
 * worker writes <student>.json atomically and then a fingerprint of what it
 * graded (spec folder + submission + grader version) under
 * REPORT_DIR/.grader/.  `--resume` skips a student whose report parses and
 * whose fingerprint still matches, so a batch killed at any moment finishes
 * with the same scores.  Builds go through a cache in the same folder.
 *
 * The parent keeps no student's report in memory: the class reports
 * (gradebook.csv, junit.xml, index.html) are streamed from the report files
 * once every worker is done.
 */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include <stdbool.h>

#include "spec.h"

struct batch_options {
	const char *spec_path;		/* the spec.yaml that was loaded */
	const char *root;		/* folder of student folders */
	const char *report_dir;
	int jobs;			/* <= 0: one per CPU */
	bool resume;
	bool sandbox;			/* false: --no-sandbox */
	bool seeded;			/* --seed: the base seed of perturbed tests (grade.h) */
	unsigned long long seed;
};

/* Returns the process exit status (cli.h's EXIT_*). */
int batch_run(const struct spec *spec, const struct batch_options *opts);

#endif
