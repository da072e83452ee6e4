/*
 * spec_util: what the tests of the spec module share — loading fixture
 * specs and YAML snippets, and asserting on the messages they give.
 */
#ifndef GRADER_TESTS_SPEC_UTIL_H
#define GRADER_TESTS_SPEC_UTIL_H

#include <stddef.h>

#include "spec.h"

#define SPECS "grader/tests/specs/"
#define BAD SPECS "bad/"

/* A test's head for snippets: its keys follow at four spaces. */
#define HEAD "assignment: t\ntests:\n  - name: a\n    run: ./prog\n"

/* Fixture paths are relative to the repository root, wherever the runner starts. */
void spec_test_to_root(void);

/* A spec that must load without a message, not even a warning. */
struct spec *load_ok(const char *path);

/* Loads a spec that must be rejected and checks the exact list of messages. */
void assert_errors(const char *path, const char *const *want, size_t nwant);

#define ASSERT_ERRORS(path, ...)                                                                   \
	do {                                                                                       \
		const char *const want_[] = {__VA_ARGS__};                                         \
		assert_errors(path, want_, sizeof(want_) / sizeof(want_[0]));                      \
	} while (0)

/*
 * Writes yaml to a fresh folder as spec.yaml and loads it.  Messages are
 * returned without the (random) folder: "spec.yaml:3:5: ...".
 */
struct spec *load_text(const char *yaml, struct strvec *errors);
/* A snippet that must load (warnings allowed). */
struct spec *text_ok(const char *yaml);
/* The one error a snippet must produce. */
void text_error(const char *yaml, const char *want);

#endif
