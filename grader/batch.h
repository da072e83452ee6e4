/*
 * batch: grades a whole class — every folder directly under a root — N
 * submissions at a time, then writes the class reports.
 *
 * N forked workers, kept for the whole class, are sent one submission at a
 * time over a pipe and answer when its report is written: what a process
 * sets up once (its pids cgroup, sandbox_cgroup.h) is then paid once per worker,
 * not per student.  The grader's crash on one submission still touches no
 * other: a worker that dies costs the student it was grading an error
 * report, and a new worker takes the next one.  A worker writes
 * <student>.json atomically and then a fingerprint of what it graded (spec
 * folder + submission + grader version) under REPORT_DIR/.grader/.  `--resume` skips a student whose report parses and
 * whose fingerprint still matches, so a batch killed at any moment finishes
 * with the same scores.  Builds go through a cache in the same folder.
 *
 * The parent keeps no student's report in memory: the class reports
 * (gradebook.csv, junit.xml, index.html) are streamed from the report files
 * once every worker is done (class_merge.h).
 *
 * With --shard K/N a batch grades only the students of its part of the
 * class (shard.h) and writes no class reports: the shards of a class, on
 * as many hosts, share one REPORT_DIR, where they never write the same
 * file (a student's report and fingerprint belong to one shard; each
 * records the class in a list of its own; build cache entries appear by
 * an atomic rename, read-only after), and `grader report` merges them
 * (docs/scale.md).  Every batch records the class it listed there.
 */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include <stdbool.h>

#include "shard.h"
#include "spec.h"

struct roster;

struct batch_options {
	const char *spec_path;		/* the spec.yaml that was loaded */
	const char *root;		/* folder of student folders */
	const char *report_dir;
	int jobs;			/* <= 0: one per CPU */
	bool resume;
	bool sandbox;			/* false: --no-sandbox */
	bool seeded;			/* --seed: the base seed of perturbed tests (grade.h) */
	unsigned long long seed;
	bool sharded;			/* --shard: only that part, and no class reports */
	struct shard shard;		/* which part; {1, 1} without --shard */
	struct roster *roster;		/* --roster (borrowed), or NULL */
	int gradebook;			/* --gradebook: an enum gradebook_kind */
	const char *gradebook_column;	/* --gradebook-column, or NULL */
};

/*
 * Returns the process exit status (cli.h's EXIT_*), or when a stop signal
 * ended the batch LIFECYCLE_STOPPED + that signal, its workers killed and
 * reaped, their scratch folders removed (lifecycle.h).
 */
int batch_run(const struct spec *spec, const struct batch_options *opts);

#endif
