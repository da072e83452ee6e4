/*
 * grade_internal: what grade.c (running and judging the tests) shares with
 * grade_explain.c (what a failed test tells the student besides its
 * checks: the diagnosis, and the one hint that follows from it).
 */
#ifndef GRADER_GRADE_INTERNAL_H
#define GRADER_GRADE_INTERNAL_H

#include <sys/types.h>

#include "result.h"
#include "run.h"
#include "spec.h"

/* A process ran out of CPU time: a loop that never waits (the first such explains the test). */
void grade_explain_cpu_exhausted(const struct test_spec *t, pid_t pid, const char *cmd,
				 struct test_result *tr);
/*
 * A timeout: the runner's look at what each process was blocked on (its
 * hint with it), led by a `ready` line stdio never wrote; a general hint
 * only when the runner could not look.
 */
void grade_explain_timeout(const struct test_spec *t, const struct run_result *rr,
			   struct test_result *tr);
/* A process the test's programs started was killed by sig: note says so (copied). */
void grade_explain_crash(struct test_result *tr, const char *note, int sig);
/*
 * A failed test nothing explains yet: the crash of a started process
 * (crash, or NULL), its output held open by processes left behind, a dup2
 * the wrong way round, stdio buffering, else the hint for a failed limit.
 */
void grade_explain_failure(const struct test_spec *t, const struct run_result *rr,
			   const struct run_proc_result *crash, struct test_result *tr);

#endif
