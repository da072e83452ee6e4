/*
 * result_util: hand-built grading results for the report tests.
 */
#ifndef GRADER_TESTS_RESULT_UTIL_H
#define GRADER_TESTS_RESULT_UTIL_H

#include "result.h"

/*
 * Fills r (overwritten; release it with grade_result_release) with a
 * graded, built submission "student" of one test `name` with that status,
 * worth max_score points, one run, no check yet (the caller adds them), an
 * empty diagnosis.  Returns that test.
 */
struct test_result *result_util_one_test(struct grade_result *r, const char *assignment,
					 const char *name, enum test_status status,
					 double max_score);

#endif
