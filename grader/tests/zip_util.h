/*
 * zip_util: zip archives made for the tests of `grader import`, written
 * with libarchive, which writes any name and any entry type it is given —
 * what a hostile archive holds ("../x", "/etc/x", links, control bytes).
 */
#ifndef GRADER_TESTS_ZIP_UTIL_H
#define GRADER_TESTS_ZIP_UTIL_H

#include <stddef.h>

enum zip_kind { ZIP_FILE, ZIP_DIR, ZIP_SYMLINK, ZIP_HARDLINK };

struct zip_entry {
	const char *name;
	const char *data; /* a file's bytes, a link's target; NULL: zeros */
	size_t zeros;	  /* with data NULL, this many zero bytes (deflated: a bomb) */
	enum zip_kind kind;
};

/* Writes entries[0..n) to path as a zip archive (deflated); asserts it could. */
void zip_write(const char *path, const struct zip_entry *entries, size_t n);

#endif
