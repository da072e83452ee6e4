/*
 * diagnose_util: what the tests of the hang diagnosis share
 * (test_diagnose.c, test_diagnose_words.c) — the words as a report shows
 * them, and expectations on what they say.
 */
#ifndef GRADER_TESTS_DIAGNOSE_UTIL_H
#define GRADER_TESTS_DIAGNOSE_UTIL_H

/* The words, then " Hint: " and the hint when there is one; takes words over (NULL stays NULL). */
char *with_hint(char *words, const char *hint);

/* Expects text to contain the formatted string. */
__attribute__((format(printf, 2, 3))) void expect_has(const char *text, const char *fmt, ...);
/* Expects text not to contain the formatted string. */
__attribute__((format(printf, 2, 3))) void expect_lacks(const char *text, const char *fmt, ...);

#endif
