/*
 * roster: who each student folder is in the LMS (docs/lms.md), read from
 * the CSV file `--roster FILE.csv` names.  The LMS gradebooks
 * (gradebook_lms.h) take each student's identity from it, and the class
 * reports list the folders it does not name (a submission nobody is known
 * for) and the students it names that have no submission.
 *
 * The file is CSV (RFC 4180: quoted fields, "" for a quote inside one;
 * LF or CRLF line ends; a UTF-8 byte order mark, which spreadsheets write,
 * is skipped).  Its columns are, in this order when there is no header
 * row: folder, name, id, sis_user_id, sis_login_id, section, username,
 * email.  A first row naming a column (folder, or an LMS's own name for
 * one: "Student", "SIS User ID", "Email address", "ID number"...; case,
 * spaces, hyphens and underscores do not matter) is a header: the columns
 * are then those it names, in any order, and any other column (the
 * grades of a Canvas export) is ignored.  Every field is trimmed of the
 * spaces around it.  A row with an empty folder is a student the class
 * knows who has no folder (no submission); Canvas's "Points Possible"
 * row is not a student.  Empty lines are skipped.
 */
#ifndef GRADER_ROSTER_H
#define GRADER_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

enum roster_field {
	ROSTER_FOLDER,
	ROSTER_NAME,
	ROSTER_ID,
	ROSTER_SIS_USER_ID,
	ROSTER_SIS_LOGIN_ID,
	ROSTER_SECTION,
	ROSTER_USERNAME,
	ROSTER_EMAIL,
	ROSTER_NFIELDS,
};

struct roster_row {
	char *f[ROSTER_NFIELDS]; /* each "" when the file leaves it out */
	size_t line;		 /* where the row begins in the file */
	bool seen;		 /* a report of its folder was taken (class_report.h) */
};

struct roster {
	char *path;
	struct roster_row *rows; /* sorted by folder; the rows without one at the end */
	size_t n;
	size_t nfolders; /* rows[0..nfolders) have a folder */
};

/**
 * Reads the roster at path into r.  -1 with error() set ("PATH:LINE: ...")
 * when it cannot be read, is not CSV, names a folder twice, gives a folder
 * that cannot be one ("a/b", "..", lms_bad_name()), or its header
 * has no folder column.
 */
int roster_load(const char *path, struct roster *r);
void roster_release(struct roster *r);

/** The row of folder, or NULL. */
struct roster_row *roster_find(const struct roster *r, const char *folder);

/** The column's name as the roster's header writes it ("sis_user_id"). */
const char *roster_field_name(enum roster_field field);

/**
 * Appends s to sb as one CSV field (RFC 4180: quoted when it holds a comma,
 * quote, CR or LF, or always with quote; its quotes doubled), as it is:
 * what roster_csv_record() reads back.
 */
struct strbuf;
void roster_add_field(struct strbuf *sb, const char *s, bool quote);

/**
 * Splits the next CSV record at *text (text_end ends the data) into
 * fields, each pushed onto fields (strvec: util.h), and moves *text past
 * it; counts the lines it crossed in *line.  0, or -1 with error() set
 * to "LINE: what is wrong" (an unterminated quote, a quote inside an
 * unquoted field).
 */
struct strvec;
int roster_csv_record(const char **text, const char *text_end, struct strvec *fields, size_t *line);

#endif
