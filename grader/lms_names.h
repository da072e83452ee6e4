/*
 * lms_names: how Canvas and Moodle name the entries of their "download
 * all submissions" archives (lms_import.h says what each writes), read
 * back into who submitted what, and the names the import may make of
 * them.  Pure functions of the text: lms_import.c does the reading and
 * writing.
 */
#ifndef GRADER_LMS_NAMES_H
#define GRADER_LMS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "lms_import.h"

struct lms_name {
	char *student;		  /* Canvas's NAME, Moodle's FULL NAME ("" when anonymous) */
	char *id;		  /* Canvas's user id, Moodle's participant id; "" when none */
	char *path;		  /* where the file goes in the student's folder */
	bool renamed;		  /* path drops Canvas's "-N" from the name uploaded */
	unsigned long long order; /* Canvas's attachment id: the later upload has the larger */
	bool late;		  /* Canvas's LATE */
};

/**
 * Reads an entry's name as kind writes it.  0, or -1 with error() set to
 * why it is no entry of that layout.  The path is not checked
 * (lms_bad_path()).
 */
int lms_name_parse(enum lms_kind kind, const char *entry, struct lms_name *n);
void lms_name_release(struct lms_name *n);

/** A safe folder name for a student's LMS name (lms_import.h); caller frees. */
char *lms_safe_folder(const char *student);

/**
 * Why path (relative, '/'-separated) cannot be made under a student's
 * folder: absolute, an empty, "." or ".." component, or one lms_bad_name()
 * refuses; NULL when it can.
 */
const char *lms_bad_path(const char *path);

/**
 * Why name[0..len), one file or folder name, cannot be made or shown as it
 * is: longer than 255 bytes, invalid UTF-8, a control character (escape.h);
 * NULL when it can.  The roster's folders are checked so too.
 */
const char *lms_bad_name(const char *name, size_t len);

#endif
