/*
 * gradebook_lms: the gradebook file each LMS documents for import
 * (`--gradebook canvas|moodle|blackboard`; docs/lms.md), written beside
 * gradebook.csv, which stays as the contract has it (`generic`).
 *
 *   gradebook-canvas.csv      Student,ID,SIS User ID,SIS Login ID,Section,<column>
 *                             then Canvas's "    Points Possible" row; one
 *                             assignment column only (Canvas makes every
 *                             other column a new assignment).
 *   gradebook-moodle.csv      Username,Email address,ID number,Full name,<column>
 *                             (Moodle's import maps one identifier column
 *                             and the grade column by hand).
 *   gradebook-blackboard.csv  "Username","<column>", every field quoted as
 *                             Blackboard asks of comma-separated uploads;
 *                             <column> is "<name> [Total Pts: N Score]",
 *                             with " |<column id>" to update an existing
 *                             Grade Center column.
 *
 * Who each student is comes from the roster (roster.h); without one, the
 * folder's name is taken as the username (Moodle, Blackboard) and the SIS
 * Login ID (Canvas).  The rows: every student whose folder the roster
 * names, with their score (empty when their report is missing: an LMS
 * must not import a 0 the grader never gave); every student the roster
 * names without a folder, with 0 (they submitted nothing).  A folder the
 * roster does not name has no row: a row the LMS cannot match makes
 * Canvas ask and Moodle abort the whole import.  Nor has a row that lacks
 * what its LMS matches on (gradebook_identifies()).
 *
 * class_report.c drives these as it does every class report: a student
 * at a time, then the whole class.
 */
#ifndef GRADER_GRADEBOOK_LMS_H
#define GRADER_GRADEBOOK_LMS_H

#include <jansson.h>
#include <stdbool.h>

#include "roster.h"

enum gradebook_kind {
	GRADEBOOK_GENERIC, /* gradebook.csv alone */
	GRADEBOOK_CANVAS,
	GRADEBOOK_MOODLE,
	GRADEBOOK_BLACKBOARD,
};

struct class_report;
struct strbuf;

/** Parses --gradebook's value; -1 with error() set. */
int gradebook_kind_parse(const char *text, enum gradebook_kind *kind);

/** "gradebook-canvas.csv" and so on; NULL for GRADEBOOK_GENERIC. */
const char *gradebook_file_name(enum gradebook_kind kind);

/**
 * Whether the LMS can tell who row is: Canvas by any of id, sis_user_id,
 * sis_login_id or name; Moodle by username, email or sis_user_id (its ID
 * number); Blackboard by username.  *needs says what it lacks otherwise.
 */
bool gradebook_identifies(enum gradebook_kind kind, const struct roster_row *row,
			  const char **needs);

/**
 * The grade column's header when --gradebook-column does not give it: the
 * assignment's name, and for Blackboard its points ("pipes [Total Pts: 10
 * Score]").  Caller frees.
 */
char *gradebook_default_column(enum gradebook_kind kind, const char *assignment, double max_points);

/**
 * Appends the row of the student of row to sb: their score from report,
 * or with report NULL a student without a submission (0).
 */
void gradebook_lms_row(struct strbuf *sb, const struct class_report *cr,
		       const struct roster_row *row, const json_t *report);

/**
 * Writes out_dir/gradebook-<lms>.csv atomically: the head, the rows
 * class_report_add() rendered, then those of the roster's students it
 * never saw.  -1 with error() set.
 */
int gradebook_lms_write(const struct class_report *cr);

#endif
