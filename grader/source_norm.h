/*
 * source_norm: a digest of a submission that ignores the comments of its
 * C sources, for the build cache's second key (build.c, docs/scale.md "The
 * build cache"): students who hand in the same code with other comments
 * (their name in a header, a remark at the end of a line) compile to the
 * same program, and should share a build.
 *
 * It must be exact: two submissions get the same normalised digest only
 * when the compiler certainly sees the same tokens at the same lines and
 * columns.  A comment becomes blanks byte for byte (tab stays tab, newline
 * stays newline), then whitespace at the end of each line and of the file
 * goes.  Wherever this lexer and a compiler could disagree, or a comment
 * could change what the compiler says, the file is refused, and with it
 * the whole submission (the build cache then uses its exact key only):
 * source_norm.c says why each rule exists.
 */
#ifndef GRADER_SOURCE_NORM_H
#define GRADER_SOURCE_NORM_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "util.h"

/*
 * Files are read whole to be normalised or compared: a submission with a
 * file larger than this gets no comment-blind key (its build is cached by
 * the exact key only), and a build with one is not stored under it.
 */
#define SOURCE_NORM_FILE_MAX (4u << 20)

/* Whether a file of this name is normalised (.c and .h); others count byte for byte. */
bool source_norm_applies(const char *name);
/*
 * Appends the normalised text of a C source to out: NULL, or why the file
 * is refused (a static string; out then holds no meaning).
 */
const char *source_norm_c(const char *data, size_t len, struct strbuf *out);
/*
 * Why a file that is not normalised, or the build command, makes comments
 * matter (a flag that reads them, an assembler that includes a source's
 * bytes), or NULL.
 */
const char *source_norm_other(const char *data, size_t len);
/*
 * Adds to d what digest_add_tree() adds, but normalised sources instead of
 * their bytes, and pushes the path of each normalised file (below dir) to
 * sources.  0; 1 when refused (*why says why); -1 when a file cannot be
 * read.
 */
int source_norm_digest_tree(struct digest *d, const char *dir, struct strvec *sources,
			    const char **why);
/*
 * Whether the C sources of build_dir (a build of submission_dir) are exactly
 * sources, each byte for byte as in submission_dir: the build changed none
 * and made no other; and every other file is the submission's, unchanged,
 * or a new ELF file (what a compiler makes): no copy of a source's text.
 */
bool source_norm_sources_untouched(const char *build_dir, const char *submission_dir,
				   const struct strvec *sources);

#endif
