/*
 * grade: grades one submission against a loaded spec — build once, then for
 * every test (and every repeat of it) a fresh working directory, a run, and
 * the judgement of what happened as a list of checks and a status.
 *
 * The scratch folders live under $TMPDIR (lifecycle.h) and are removed
 * afterwards; the submission folder is never written to.
 */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include <stdbool.h>
#include <sys/types.h>

#include "result.h"
#include "spec.h"

struct sandbox;

struct grade_options {
	bool keep_scratch;	/* leave the scratch folders for inspection (their path goes to stderr) */
	struct sandbox *sandbox;	/* where builds and tests run (borrowed) */
	const char *build_cache;	/* folder of cached builds (build.h), or NULL */
	/*
	 * Perturbed tests (spec `perturb`) run k (from 0) with seed base + k;
	 * the base is `seed` when `seeded` (--seed), else random.
	 */
	bool seeded;
	unsigned long long seed;
};

/* The largest --seed: seeds stay exact as JSON numbers (2^53 - 1). */
#define GRADE_SEED_MAX 9007199254740991ULL

/*
 * Fills out (release with grade_result_release).  A student's failure of
 * any kind is a verdict inside out; -1 means the grader itself could not
 * work (no scratch folder, ...), with error_last() saying why.
 */
int grade_submission(const struct spec *spec, const char *submission_dir,
		     const struct grade_options *opts, struct grade_result *out);

/* The folder's name as the report calls the student ("alice" for "subs/alice/"). */
char *grade_submission_name(const char *submission_dir);

/* One sentence on what a signal means for a student's program ("SIGSEGV: invalid memory access"). */
const char *grade_signal_meaning(int sig);

#endif
