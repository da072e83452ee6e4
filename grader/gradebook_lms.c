/*
 * gradebook_lms.c: the LMS gradebooks (gradebook_lms.h).  Each LMS is one
 * row of a table: its file, its identity columns and how a row fills
 * them, and whether every field is quoted.  The formats follow each LMS's
 * import documentation and code (docs/lms.md cites them).
 */
#include "gradebook_lms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_report_internal.h"
#include "util.h"

/* What a column holds: a roster field, or the grade. */
#define GRADE_COLUMN ROSTER_NFIELDS

struct lms {
	const char *name;
	const char *file;
	bool quote_all;
	/* The identity columns and the roster field each takes, then the grade. */
	const char *headers[6];
	int fields[6];
	size_t nidentity;
	/* Canvas's row of points possible after the header: its first cell; NULL for none. */
	const char *points_row;
	/* What it matches a row on (gradebook_identifies), and the words for it. */
	int match[4];
	size_t nmatch;
	const char *needs;
};

static const struct lms lmss[] = {
    [GRADEBOOK_CANVAS] =
	{
	    "canvas",
	    "gradebook-canvas.csv",
	    false,
	    {"Student", "ID", "SIS User ID", "SIS Login ID", "Section"},
	    {ROSTER_NAME, ROSTER_ID, ROSTER_SIS_USER_ID, ROSTER_SIS_LOGIN_ID, ROSTER_SECTION},
	    5,
	    /* As Canvas's own export writes it, indented. */
	    "    Points Possible",
	    {ROSTER_ID, ROSTER_SIS_USER_ID, ROSTER_SIS_LOGIN_ID, ROSTER_NAME},
	    4,
	    "id, sis_user_id, sis_login_id or name",
	},
    [GRADEBOOK_MOODLE] =
	{
	    "moodle",
	    "gradebook-moodle.csv",
	    false,
	    {"Username", "Email address", "ID number", "Full name"},
	    {ROSTER_USERNAME, ROSTER_EMAIL, ROSTER_SIS_USER_ID, ROSTER_NAME},
	    4,
	    NULL,
	    {ROSTER_USERNAME, ROSTER_EMAIL, ROSTER_SIS_USER_ID},
	    3,
	    "username, email or sis_user_id (Moodle's ID number)",
	},
    [GRADEBOOK_BLACKBOARD] =
	{
	    "blackboard",
	    "gradebook-blackboard.csv",
	    true,
	    {"Username"},
	    {ROSTER_USERNAME},
	    1,
	    NULL,
	    {ROSTER_USERNAME},
	    1,
	    "username",
	},
};

int gradebook_kind_parse(const char *text, enum gradebook_kind *kind)
{
	if (!strcmp(text, "generic")) {
		*kind = GRADEBOOK_GENERIC;
		return 0;
	}
	for (size_t k = GRADEBOOK_CANVAS; k < ARRAY_SIZE(lmss); k++) {
		if (!strcmp(text, lmss[k].name)) {
			*kind = (enum gradebook_kind)k;
			return 0;
		}
	}
	return error("--gradebook wants generic, canvas, moodle or blackboard, not '%s'", text);
}

const char *gradebook_file_name(enum gradebook_kind kind)
{
	return kind == GRADEBOOK_GENERIC ? NULL : lmss[kind].file;
}

bool gradebook_identifies(enum gradebook_kind kind, const struct roster_row *row,
			  const char **needs)
{
	const struct lms *l = &lmss[kind];
	*needs = l->needs;
	for (size_t i = 0; i < l->nmatch; i++)
		if (*row->f[l->match[i]])
			return true;
	return false;
}

char *gradebook_default_column(enum gradebook_kind kind, const char *assignment, double max_points)
{
	char num[40];
	if (kind == GRADEBOOK_BLACKBOARD)
		return xasprintf("%s [Total Pts: %s Score]", assignment,
				 report_fmt_num(num, max_points));
	return xstrdup(assignment);
}

static void add_field(struct strbuf *sb, const struct lms *l, const char *s, bool first)
{
	if (!first)
		strbuf_addch(sb, ',');
	report_add_csv_field(sb, s, strlen(s), l->quote_all);
}

void gradebook_lms_row(struct strbuf *sb, const struct class_report *cr,
		       const struct roster_row *row, const json_t *report)
{
	const struct lms *l = &lmss[cr->lms];
	char num[40] = "0";
	for (size_t i = 0; i < l->nidentity; i++)
		add_field(sb, l, row->f[l->fields[i]], i == 0);
	/* No score for a student whose report is missing: an LMS must not import a 0. */
	if (report && report_true(report, "report_missing"))
		num[0] = '\0';
	else if (report)
		report_fmt_num(num, report_num(report, "score"));
	add_field(sb, l, num, false);
	strbuf_addstr(sb, "\r\n");
}

static int lms_head(struct strbuf *sb, const struct class_report *cr)
{
	const struct lms *l = &lmss[cr->lms];
	for (size_t i = 0; i < l->nidentity; i++)
		add_field(sb, l, l->headers[i], i == 0);
	add_field(sb, l, cr->lms_column, false);
	strbuf_addstr(sb, "\r\n");
	if (l->points_row) {
		char num[40];
		add_field(sb, l, l->points_row, true);
		for (size_t i = 1; i < l->nidentity; i++)
			add_field(sb, l, "", false);
		add_field(sb, l, report_fmt_num(num, cr->max_points), false);
		strbuf_addstr(sb, "\r\n");
	}
	return 0;
}

int gradebook_lms_write(const struct class_report *cr)
{
	const char *needs;
	struct strbuf absent = STRBUF_INIT;
	strbuf_init(&absent);
	/* The students the roster names who have no submission: 0 each. */
	for (size_t i = 0; cr->roster && i < cr->roster->n; i++) {
		const struct roster_row *row = &cr->roster->rows[i];
		if (!row->seen && gradebook_identifies(cr->lms, row, &needs))
			gradebook_lms_row(&absent, cr, row, NULL);
	}
	const struct report_part parts[] = {{cr->lms_rows, absent.buf}};
	int ret = class_report_write(cr, lmss[cr->lms].file, lms_head, parts, ARRAY_SIZE(parts));
	strbuf_release(&absent);
	return ret;
}
