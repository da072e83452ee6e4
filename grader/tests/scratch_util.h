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

#include <stddef.h>

/* How many entries folder dir holds, "." and ".." aside; asserts it can be read. */
size_t dir_entries(const char *dir);

#endif
