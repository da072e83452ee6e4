/*
 * lms_names.c: the LMSs' archive names (lms_names.h).
 */
#include "lms_names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* The longest folder name the import makes, in bytes. */
#define FOLDER_MAX 100

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* tokens[from..to) joined back with '_'. */
static char *join(char **tokens, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = from; i < to; i++) {
		if (i > from)
			strbuf_addch(&sb, '_');
		strbuf_addstr(&sb, tokens[i]);
	}
	return sb.buf ? strbuf_detach(&sb, NULL) : xstrdup("");
}

/*
 * Canvas's "-N" before the extension (or at the end) dropped: the name
 * the student uploaded.  NULL when there is none.
 */
static char *without_copy_number(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	size_t i = stem;
	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == stem || i < 2 || name[i - 1] != '-')
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_add(&sb, name, i - 1);
	strbuf_addstr(&sb, name + stem);
	return strbuf_detach(&sb, NULL);
}

/* NAME_[LATE_]USERID_ATTACHMENTID_FILENAME, NAME_USERID_text.html, anon_X in place of NAME_USERID.
 */
static int parse_canvas(const char *entry, struct lms_name *n)
{
	if (strchr(entry, '/'))
		return error("in a folder: Canvas puts every file at the top of its archive");
	struct strvec tok = STRVEC_INIT;
	strvec_init(&tok);
	for (const char *p = entry;;) {
		const char *us = strchr(p, '_');
		strvec_push_owned(&tok, us ? xstrndup(p, (size_t)(us - p)) : xstrdup(p));
		if (!us)
			break;
		p = us + 1;
	}
	int ret = -1;
	/* The user id: the first token of digits (a NAME never has one: Canvas removes them). */
	size_t i = 0;
	while (i < tok.n && !all_digits(tok.v[i]) &&
	       !(!strcmp(tok.v[i], "anon") && i + 1 < tok.n && *tok.v[i + 1]))
		i++;
	if (i == tok.n) {
		error("no user id: not NAME_USERID_..., the names of Canvas's archive");
		goto out;
	}
	bool anon = !strcmp(tok.v[i], "anon");
	n->late = i > 0 && !strcmp(tok.v[i - 1], "LATE");
	size_t name_end = n->late ? i - 1 : i;
	if (name_end == 0 && !anon) {
		error("no student name before the user id");
		goto out;
	}
	n->student = anon ? join(tok.v, i, i + 2) : join(tok.v, 0, name_end);
	n->id = xstrdup(anon ? "" : tok.v[i]);
	size_t rest = anon ? i + 2 : i + 1;
	if (rest + 1 < tok.n && all_digits(tok.v[rest])) {
		n->order = strtoull(tok.v[rest], NULL, 10);
		n->path = join(tok.v, rest + 1, tok.n);
	} else if (rest + 1 == tok.n &&
		   (!strcmp(tok.v[rest], "text.html") || !strcmp(tok.v[rest], "link.html"))) {
		n->path = xstrdup(tok.v[rest]);
	} else {
		error("no attachment id and file name after the user id");
		goto out;
	}
	char *uploaded = without_copy_number(n->path);
	if (uploaded) {
		free(n->path);
		n->path = uploaded;
		n->renamed = true;
	}
	ret = *n->path ? 0 : error("no file name");
out:
	strvec_clear(&tok);
	return ret;
}

static const char moodle_marker[] = "_assignsubmission_";

/* FULL NAME_ID_assignsubmission_TYPE[_]/PATH, or flat FULL NAME_ID_assignsubmission_TYPE_FILE. */
static int parse_moodle(const char *entry, struct lms_name *n)
{
	const char *slash = strchr(entry, '/');
	size_t top_len = slash ? (size_t)(slash - entry) : strlen(entry);
	char *top = xstrndup(entry, top_len);
	char *marker = strstr(top, moodle_marker);
	int ret = -1;
	if (!marker) {
		error("no \"%s\": not a submission of Moodle's archive", moodle_marker);
		goto out;
	}
	const char *type = marker + strlen(moodle_marker);
	const char *after = strchr(type, '_');
	if (type == after || !*type) {
		error("no submission type after \"%s\"", moodle_marker);
		goto out;
	}
	if (slash) {
		/* A folder: "..._file" (Moodle 4) or "..._file_" (3.x), the path below it. */
		if (after && after[1]) {
			error("a folder that is no student's: text after its submission type");
			goto out;
		}
		n->path = xstrdup(slash + 1);
	} else if (after && after[1]) {
		n->path = xstrdup(after + 1);
	} else {
		error("no file name after the submission type");
		goto out;
	}
	*marker = '\0';
	/* FULL NAME_ID: Moodle makes every '_' of the name a space, so the last one ends it. */
	char *us = strrchr(top, '_');
	if (us && all_digits(us + 1)) {
		*us = '\0';
		n->id = xstrdup(us + 1);
	} else {
		n->id = xstrdup(""); /* a team without a group: "Default group" */
	}
	n->student = xstrdup(top);
	ret = *n->student ? 0 : error("no student name");
out:
	free(top);
	return ret;
}

int lms_name_parse(enum lms_kind kind, const char *entry, struct lms_name *n)
{
	memset(n, 0, sizeof(*n));
	int ret = kind == LMS_CANVAS ? parse_canvas(entry, n) : parse_moodle(entry, n);
	if (ret < 0)
		lms_name_release(n);
	return ret;
}

void lms_name_release(struct lms_name *n)
{
	free(n->student);
	free(n->id);
	free(n->path);
	memset(n, 0, sizeof(*n));
}

char *lms_safe_folder(const char *student)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	size_t len = strlen(student);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)student + i, len - i, &cp);
		if (!n) {
			i++;
			continue;
		}
		bool lead = sb.len == 0;
		if (escape_is_control(cp) || (lead && (cp == '.' || cp == '-'))) {
			/* dropped: a control, or what would make it hidden or an option */
		} else if (cp == ' ' || cp == '/' || cp == '\\') {
			if (!lead && sb.buf[sb.len - 1] != '_')
				strbuf_addch(&sb, '_');
		} else if (sb.len + n <= FOLDER_MAX) {
			strbuf_add(&sb, student + i, n);
		}
		i += n;
	}
	while (sb.len && sb.buf[sb.len - 1] == '_')
		sb.buf[--sb.len] = '\0';
	if (!sb.len) {
		strbuf_release(&sb);
		return xstrdup("student");
	}
	return strbuf_detach(&sb, NULL);
}

const char *lms_bad_path(const char *path)
{
	if (path[0] == '/')
		return "an absolute path";
	for (const char *p = path;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0)
			return "an empty folder name in its path";
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "a \".\" or \"..\" in its path";
		const char *why = lms_bad_name(p, len);
		if (why || !slash)
			return why;
		p = slash + 1;
	}
}

const char *lms_bad_name(const char *name, size_t len)
{
	if (len > 255)
		return "a name longer than 255 bytes";
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)name + i, len - i, &cp);
		if (!n)
			return "a name that is not UTF-8";
		if (escape_is_control(cp))
			return "a control character in its name";
		i += n;
	}
	return NULL;
}
