/*
 * build: turns a submission folder into built files in a scratch folder.
 *
 * The submission folder is only ever read: its contents are copied into
 * build_dir, the required files (build.files) are checked there, and
 * build.command runs there through /bin/sh -c in the sandbox (a Makefile
 * or an #include "/etc/passwd" is student code too), with the build's
 * timeout and a cap on the compiler output it keeps.
 */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include "result.h"
#include "sandbox.h"
#include "spec.h"

/* Compiler output kept in the report. */
#define BUILD_OUTPUT_CAP (64 * 1024)

/*
 * Fills out (out->output is owned by it).  A build that fails for the
 * student's reasons (missing file, compile error, timeout, unreadable
 * submission) gives out->ok = false and returns 0; -1 means the grader
 * itself failed (error_last() says why).
 */
int build_submission(const struct spec *spec, const char *submission_dir, const char *build_dir,
		     struct sandbox *sandbox, struct build_result *out);

/*
 * build_submission() through a cache: the key is a digest of the build
 * command, the required files and every file of the submission, so a spec
 * change that leaves `build` alone reuses the built files.  A second key
 * ignores the comments of C sources (source_norm.h): a silent, successful
 * build is shared through it, with this student's own sources copied in.
 * cache_dir NULL: no cache.  Concurrent graders may share one cache folder.
 */
int build_submission_cached(const struct spec *spec, const char *submission_dir,
			    const char *build_dir, struct sandbox *sandbox, const char *cache_dir,
			    struct build_result *out);

#endif
