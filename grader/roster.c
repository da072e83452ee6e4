/*
 * roster.c: reading the roster CSV (roster.h).  The whole file is read at
 * once (a class's roster is a few hundred kilobytes at most) and its rows
 * sorted by folder, so that each student's row is found by bsearch as the
 * class reports take them.
 */
#include "roster.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lms_names.h"
#include "util.h"

static const char *const field_names[ROSTER_NFIELDS] = {
    [ROSTER_FOLDER] = "folder",
    [ROSTER_NAME] = "name",
    [ROSTER_ID] = "id",
    [ROSTER_SIS_USER_ID] = "sis_user_id",
    [ROSTER_SIS_LOGIN_ID] = "sis_login_id",
    [ROSTER_SECTION] = "section",
    [ROSTER_USERNAME] = "username",
    [ROSTER_EMAIL] = "email",
};

/* The LMSs' own names for a column (their exports), normalised as header_key() does. */
static const struct {
	const char *key;
	enum roster_field field;
} aliases[] = {
    {"student", ROSTER_NAME},	       /* Canvas */
    {"full_name", ROSTER_NAME},	       /* Moodle */
    {"email_address", ROSTER_EMAIL},   /* Moodle */
    {"id_number", ROSTER_SIS_USER_ID}, /* Moodle's "ID number" */
    {"idnumber", ROSTER_SIS_USER_ID},  /* Moodle's field name */
    {"user_name", ROSTER_USERNAME},    /* Blackboard writes "Username" */
};

const char *roster_field_name(enum roster_field field)
{
	return field_names[field];
}

int roster_csv_record(const char **text, const char *end, struct strvec *fields, size_t *line)
{
	const char *p = *text;
	struct strbuf field = STRBUF_INIT;
	strbuf_init(&field);
	for (;;) {
		strbuf_reset(&field);
		if (p < end && *p == '"') {
			size_t opened = *line;
			for (p++;; p++) {
				if (p == end) {
					strbuf_release(&field);
					return error("%zu: a quoted field is never closed", opened);
				}
				if (*p == '"' && p + 1 < end && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				*line += *p == '\n';
				strbuf_addch(&field, *p);
			}
			p++;
			/* Spaces may follow the closing quote (as some writers pad); nothing else.
			 */
			while (p < end && *p == ' ')
				p++;
			if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
				strbuf_release(&field);
				return error("%zu: text after a quoted field", *line);
			}
		} else {
			for (; p < end && *p != ',' && *p != '\r' && *p != '\n'; p++) {
				if (*p == '"') {
					strbuf_release(&field);
					return error(
					    "%zu: a quote inside a field that does not begin "
					    "with one (RFC 4180: quote the whole field, and double "
					    "the quotes in it)",
					    *line);
				}
				strbuf_addch(&field, *p);
			}
		}
		strvec_push(fields, field.buf ? field.buf : "");
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		break;
	}
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n') {
		p++;
		(*line)++;
	}
	*text = p;
	strbuf_release(&field);
	return 0;
}

void roster_add_field(struct strbuf *sb, const char *s, bool quote)
{
	quote |= strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	if (quote)
		strbuf_addch(sb, '"');
}

/* A header cell as a key: lower case, spaces and hyphens as underscores, trimmed. */
static char *header_key(const char *cell)
{
	char *key = xstrdup(cell);
	size_t n = 0;
	for (const char *p = cell; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		key[n++] = c == ' ' || c == '-' ? '_' : c;
	}
	key[n] = '\0';
	return key;
}

/* The column a header cell names, or -1. */
static int header_field(const char *cell)
{
	char *key = header_key(cell);
	int field = -1;
	for (int f = 0; f < ROSTER_NFIELDS && field < 0; f++)
		if (!strcmp(key, field_names[f]))
			field = f;
	for (size_t i = 0; i < ARRAY_SIZE(aliases) && field < 0; i++)
		if (!strcmp(key, aliases[i].key))
			field = (int)aliases[i].field;
	free(key);
	return field;
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return xstrndup(s, len);
}

/* Why name cannot be a folder under the submissions root; NULL when it can. */
static const char *bad_folder(const char *name)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "no folder name";
	if (strchr(name, '/'))
		return "a '/' in it (a folder directly under the submissions root is meant)";
	if (name[0] == '.')
		return "a dot first (batch grades no hidden folder)";
	return lms_bad_name(name, strlen(name));
}

static int by_folder(const void *a, const void *b)
{
	const struct roster_row *x = a, *y = b;
	/* The rows without a folder last, in the order of the file. */
	bool ex = !*x->f[ROSTER_FOLDER], ey = !*y->f[ROSTER_FOLDER];
	if (ex || ey)
		return ex != ey ? (ex ? 1 : -1) : (x->line > y->line) - (x->line < y->line);
	return strcmp(x->f[ROSTER_FOLDER], y->f[ROSTER_FOLDER]);
}

/* Canvas's export has a row giving each column's points: it is no student. */
static bool points_possible_row(const struct roster_row *row)
{
	return !*row->f[ROSTER_FOLDER] && !strcmp(row->f[ROSTER_NAME], "Points Possible");
}

/* Adds the record in cells as a row, through the column map; -1 with error() set. */
static int add_row(struct roster *r, size_t *cap, const struct strvec *cells, const int *columns,
		   size_t line)
{
	struct roster_row row = {.line = line};
	for (int f = 0; f < ROSTER_NFIELDS; f++)
		row.f[f] = NULL;
	for (size_t c = 0; c < cells->n; c++)
		if (columns[c] >= 0 && !row.f[columns[c]])
			row.f[columns[c]] = trimmed(cells->v[c]);
	for (int f = 0; f < ROSTER_NFIELDS; f++)
		if (!row.f[f])
			row.f[f] = xstrdup("");
	const char *why = *row.f[ROSTER_FOLDER] ? bad_folder(row.f[ROSTER_FOLDER]) : NULL;
	if (why || points_possible_row(&row)) {
		if (why)
			error("%zu: folder '%s': %s", line, row.f[ROSTER_FOLDER], why);
		for (int f = 0; f < ROSTER_NFIELDS; f++)
			free(row.f[f]);
		return why ? -1 : 0;
	}
	r->rows = xgrow(r->rows, sizeof(*r->rows), r->n + 1, cap);
	r->rows[r->n++] = row;
	return 0;
}

/* Parses the whole file; -1 with error() set (without the path, which the caller adds). */
static int parse(struct roster *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	int *columns = NULL;
	size_t ncolumns = 0, cap = 0, line = 1;
	bool first = true;
	int ret = 0;
	while (p < end && ret == 0) {
		struct strvec cells = STRVEC_INIT;
		strvec_init(&cells);
		size_t at = line;
		ret = roster_csv_record(&p, end, &cells, &line);
		bool blank = cells.n == 1 && !*cells.v[0];
		if (ret == 0 && !blank && first) {
			first = false;
			/* A header names at least one column; then it must name the folder's. */
			bool header = false, folder = false;
			for (size_t c = 0; c < cells.n; c++) {
				int f = header_field(cells.v[c]);
				header |= f >= 0;
				folder |= f == ROSTER_FOLDER;
			}
			ncolumns = header ? cells.n : ROSTER_NFIELDS;
			columns = xcalloc(ncolumns, sizeof(*columns));
			for (size_t c = 0; c < ncolumns; c++)
				columns[c] = header ? header_field(cells.v[c]) : (int)c;
			if (header && !folder)
				ret =
				    error("%zu: the header row names no folder column (the student "
					  "folder's name under the submissions root)",
					  at);
			if (header) {
				strvec_clear(&cells);
				continue;
			}
		}
		if (ret == 0 && !blank) {
			if (cells.n > ncolumns)
				cells.n = ncolumns; /* past the known columns: ignored */
			ret = add_row(r, &cap, &cells, columns, at);
		}
		strvec_clear(&cells);
	}
	free(columns);
	return ret;
}

int roster_load(const char *path, struct roster *r)
{
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	int ret = read_file(path, &sb);
	if (ret == 0 && parse(r, sb.buf ? sb.buf : "", sb.len) < 0) {
		char *why = xstrdup(error_last());
		ret = error("roster %s:%s", path, why);
		free(why);
	}
	strbuf_release(&sb);
	if (ret == 0) {
		qsort(r->rows, r->n, sizeof(*r->rows), by_folder);
		while (r->nfolders < r->n && *r->rows[r->nfolders].f[ROSTER_FOLDER])
			r->nfolders++;
		for (size_t i = 1; i < r->nfolders && ret == 0; i++) {
			const struct roster_row *a = &r->rows[i - 1], *b = &r->rows[i];
			if (!strcmp(a->f[ROSTER_FOLDER], b->f[ROSTER_FOLDER]))
				ret = error("roster %s:%zu: folder '%s' is on line %zu already",
					    path, a->line > b->line ? a->line : b->line,
					    a->f[ROSTER_FOLDER],
					    a->line < b->line ? a->line : b->line);
		}
	}
	if (ret < 0)
		roster_release(r);
	return ret;
}

void roster_release(struct roster *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int f = 0; f < ROSTER_NFIELDS; f++)
			free(r->rows[i].f[f]);
	free(r->rows);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

struct roster_row *roster_find(const struct roster *r, const char *folder)
{
	struct roster_row key = {0};
	key.f[ROSTER_FOLDER] = (char *)folder;
	if (!*folder)
		return NULL;
	return bsearch(&key, r->rows, r->nfolders, sizeof(*r->rows), by_folder);
}
