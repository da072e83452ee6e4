/*
 * scratch_util: the scratch folder of a test suite's test, made by its
 * .init (from the checkout's root, $GRADER_ROOT, where the fixtures are)
 * and removed with everything in it by its .fini.
 */
#ifndef GRADER_TESTS_SCRATCH_UTIL_H
#define GRADER_TESTS_SCRATCH_UTIL_H

/* A new folder $TMPDIR/PREFIX-XXXXXX; asserts it could be made. Caller frees with scratch_remove.
 */
char *scratch_new(const char *prefix);

/* Removes *scratch and what it holds, frees it, and sets it to NULL (NULL is fine). */
void scratch_remove(char **scratch);

/*
 * Declares Criterion's suite SUITE (its other options after it) whose every
 * test gets a fresh folder `scratch`, $TMPDIR/SUITE-test-XXXXXX, removed
 * after it.
 */
#define SCRATCH_SUITE(suite, ...)                                                                  \
	static char *scratch;                                                                      \
	static void scratch_setup(void)                                                            \
	{                                                                                          \
		scratch = scratch_new(#suite "-test");                                             \
	}                                                                                          \
	static void scratch_teardown(void)                                                         \
	{                                                                                          \
		scratch_remove(&scratch);                                                          \
	}                                                                                          \
	TestSuite(suite, .init = scratch_setup, .fini = scratch_teardown, ##__VA_ARGS__)

#include <stddef.h>

/* How many entries folder dir holds, "." and ".." aside; asserts it can be read. */
size_t dir_entries(const char *dir);

#endif
