/*
 * unzip: reading a zip archive entry by entry, through libarchive, which
 * no other module sees.  It only reads: where an entry's bytes go, and
 * whether its name may be used at all, is lms_import.c's business.
 *
 * An archive is hostile input (an LMS download holds what students
 * uploaded, and a TA may be handed any file): entries are streamed, never
 * held in memory whole; the declared size of an entry is not even passed
 * on (a zip bomb lies), so the caller counts the bytes it is given; the entry's
 * type says whether it is a regular file, and links and devices are never
 * made, only reported.
 */
#ifndef GRADER_UNZIP_H
#define GRADER_UNZIP_H

#include <sys/types.h>

struct unzip;

enum unzip_type { UNZIP_FILE, UNZIP_DIR, UNZIP_LINK, UNZIP_OTHER };

struct unzip_entry {
	const char
	    *name; /* as stored (UTF-8 when the archive says so); valid until the next call */
	enum unzip_type type;
};

/** Opens the zip archive at path; NULL with error() set (not a zip, cannot be read). */
struct unzip *unzip_open(const char *path);

/** The next entry: 1, 0 at the end, -1 with error() set when the archive is damaged. */
int unzip_next(struct unzip *u, struct unzip_entry *e);

/** Up to n bytes of the current entry's data: their count, 0 at its end, -1 with error() set. */
ssize_t unzip_read(struct unzip *u, void *buf, size_t n);

void unzip_close(struct unzip *u);

#endif
