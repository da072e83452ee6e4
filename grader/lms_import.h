/*
 * lms_import: `grader import canvas|moodle ARCHIVE.zip DIR` — an LMS's
 * "download all submissions" archive turned into what batch grades: one
 * folder per student under DIR, holding the files the student uploaded
 * under their own names (docs/lms.md).
 *
 * Canvas (its content_zipper.rb) writes every file flat at the top of the
 * archive as NAME_[LATE_]USERID_ATTACHMENTID_FILENAME: NAME is the
 * student's sortable name, lower case, letters and digits only ("Doe,
 * John" is doejohn; anon_XXXXX instead of NAME_USERID when the assignment
 * is anonymous), FILENAME the name it was uploaded under, "-1", "-2"
 * before its extension when the student's files already had one of that
 * name (a file uploaded again); text and URL entries are NAME_USERID_text.html
 * and NAME_USERID_link.html.  The student's folder is NAME; the file keeps
 * FILENAME without Canvas's "-N", and of two uploads under one name the
 * later (the larger attachment id) is kept, the other skipped.
 *
 * Moodle (mod/assign's downloader) puts each student's files in a folder
 * "FULL NAME_ID_assignsubmission_file" (older versions end it with "_"),
 * the online text in "..._assignsubmission_onlinetext", with the student's
 * own subfolders kept; or, with "download as folders" off, flat as
 * "FULL NAME_ID_assignsubmission_file_FILENAME".  ID is the participant's
 * number in that assignment (not their Moodle user id).  The student's
 * folder is FULL NAME, spaces as underscores (Jane_Roe).
 *
 * A folder name is made safe: UTF-8 letters, digits and punctuation kept,
 * spaces, '/' and '\' as '_', controls and invalid bytes dropped, no dot
 * or hyphen first, at most 100 bytes.  Two students whose names give the
 * same folder get NAME_ID each.
 *
 * The archive is hostile: nothing is written outside DIR, nothing but
 * regular files and the folders holding them is made, and what cannot be
 * used is skipped and named on stderr with why — an entry outside the
 * LMS's layout, a link or device, an absolute path or a ".." component, a
 * name with a control character or not UTF-8, a second entry of one name,
 * a file past the size limit, a student past the file or size limit (the
 * sandbox's: what batch could not grade anyway).  Past the archive's own
 * limits (entries, bytes: a zip bomb) the import stops.  DIR must be
 * empty or absent; files are made with O_EXCL and O_NOFOLLOW below
 * descriptors of folders the import made itself.
 */
#ifndef GRADER_LMS_IMPORT_H
#define GRADER_LMS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

enum lms_kind { LMS_CANVAS, LMS_MOODLE };

struct lms_import_options {
	enum lms_kind kind;
	const char *archive;
	const char *dir;
	const char *roster_out;	    /* --write-roster: the folders found, as a roster; or NULL */
	uint64_t max_file_bytes;    /* one file */
	uint64_t max_student_bytes; /* one student's files together */
	size_t max_student_files;
	uint64_t max_total_bytes; /* everything written */
	size_t max_entries;	  /* entries in the archive */
};

/* The limits import uses: those of a test's working folder (sandbox.h), and 4 GiB, 200,000 entries.
 */
#define LMS_IMPORT_LIMITS                                                                          \
	.max_file_bytes = 64ull << 20, .max_student_bytes = 128ull << 20,                          \
	.max_student_files = 16384, .max_total_bytes = 4ull << 30, .max_entries = 200000

struct lms_import_counts {
	size_t students; /* folders made */
	size_t files;	 /* files written */
	size_t skipped;	 /* entries skipped, each named on stderr */
};

enum lms_import_status {
	LMS_IMPORT_OK,
	LMS_IMPORT_BAD_INPUT, /* not a zip, damaged, past its limits, DIR not empty */
	LMS_IMPORT_FAILED,    /* DIR or the roster could not be written */
};

/** Parses "canvas" or "moodle"; -1 with error() set. */
int lms_kind_parse(const char *text, enum lms_kind *kind);

/** Imports o->archive into o->dir; anything but LMS_IMPORT_OK has error() set. */
enum lms_import_status lms_import(const struct lms_import_options *o,
				  struct lms_import_counts *counts);

#endif
