/*
 * digest: 64-bit FNV-1a fingerprints of bytes and folder trees, to notice
 * that a submission, a spec or a build command changed (build cache,
 * `batch --resume`).  Not a cryptographic hash: nothing trusts it against
 * a forger, it only has to tell a changed input from an unchanged one.
 */
#ifndef GRADER_DIGEST_H
#define GRADER_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct digest {
	uint64_t h;
};

void digest_init(struct digest *d);
void digest_add(struct digest *d, const void *data, size_t len);
/* Adds a string with its length, so that ("ab","c") and ("a","bc") differ. */
void digest_add_str(struct digest *d, const char *s);
/*
 * Adds every file under dir: relative paths in sorted order, their mode bits
 * and contents; a symbolic link below dir adds its target's text, never
 * what it points to (dir itself is the caller's and is followed).  -1 for
 * a file it cannot read or a tree nested more than 64 folders deep.
 */
int digest_add_tree(struct digest *d, const char *dir);
/*
 * What digest_add_tree() adds for a regular file: fn(d, rel, path, arg), rel
 * its path below the tree's root; a non-zero return stops the walk and is
 * returned.  digest_add_tree() is this with a fn that adds the file's bytes.
 */
typedef int digest_file_fn(struct digest *d, const char *rel, const char *path, void *arg);
int digest_add_tree_by(struct digest *d, const char *dir, digest_file_fn *fn, void *arg);
/*
 * Appends a regular file's bytes to sb, never through a symbolic link: 0;
 * 1 when it holds more than max bytes (sb then holds a part); -1 when it
 * cannot be read.
 */
int digest_read_file(const char *path, struct strbuf *sb, size_t max);
/* 16 lowercase hex digits. */
void digest_hex(const struct digest *d, char out[17]);

#endif
