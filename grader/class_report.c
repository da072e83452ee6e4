/*
 * class_report.c: the streaming core of the class reports (class_report.h)
 * and the simplest of them, gradebook.csv.
 *
 * The core takes each student once: it checks the report, has every asked-
 * for report render its part of the student (csv_row here,
 * report_junit_suite in report_junit.c, report_html_row and
 * report_html_section in report_html.c) and appends the parts to unnamed
 * work files, then keeps only counters.  Finishing has
 * each report render its head from the counters, and class_report_write()
 * puts head and work files together, renamed into place when complete.
 * The text and reading helpers every report shares (report_html.c and
 * gradescope.c too) live here; class_report_internal.h declares them.
 */
#include "class_report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "class_report_internal.h"
#include "escape.h"
#include "report_html.h"
#include "report_junit.h"
#include "spec.h"
#include "util.h"

/* ---- text: UTF-8 repair and escaping --------------------------------- */

static const struct {
	char c;
	const char *text;
	bool attr_only;
} markup_escapes[] = {
    {'&', "&amp;", false},
    {'<', "&lt;", false},
    {'>', "&gt;", false},
    {'"', "&quot;", false},
    {'\'', "&#39;", false},
    /* Parsers turn a raw CR into LF, and in attribute values tab and LF into spaces. */
    {'\r', "&#13;", false},
    {'\t', "&#9;", true},
    {'\n', "&#10;", true},
};

void report_add_text(struct strbuf *sb, const char *s, size_t len, enum text_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode(p + i, len - i, &cp);
		/*
		 * U+FFFE/U+FFFF are not XML characters; C1 and bidi controls act on
		 * terminals and on how the text around them displays.
		 */
		if (!n || cp == 0xfffe || cp == 0xffff || (cp >= 0x80 && escape_is_control(cp))) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			i += n ? n : 1;
			continue;
		}
		const char *rep = NULL;
		char pic[4];
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f) {
			/* Control pictures: U+2400..U+241F, and U+2421 for DEL. */
			uint32_t pc = cp == 0x7f ? 0x2421 : 0x2400 + cp;
			pic[0] = (char)(0xe0 | (pc >> 12));
			pic[1] = (char)(0x80 | ((pc >> 6) & 0x3f));
			pic[2] = (char)(0x80 | (pc & 0x3f));
			pic[3] = '\0';
			rep = pic;
		} else if (mode != TEXT_PLAIN) {
			for (size_t e = 0; e < ARRAY_SIZE(markup_escapes) && !rep; e++)
				if (cp == (uint32_t)markup_escapes[e].c &&
				    (mode == TEXT_MARKUP_ATTR || !markup_escapes[e].attr_only))
					rep = markup_escapes[e].text;
		}
		if (rep)
			strbuf_addstr(sb, rep);
		else
			strbuf_add(sb, s + i, n);
		i += n;
	}
}

void report_add_markup(struct strbuf *sb, const char *s)
{
	report_add_text(sb, s, strlen(s), TEXT_MARKUP);
}

void report_add_attr(struct strbuf *sb, const char *s)
{
	report_add_text(sb, s, strlen(s), TEXT_MARKUP_ATTR);
}

/* ---- reading a <student>.json ---------------------------------------- */

const char *report_str(const json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v)) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

double report_num(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

bool report_true(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

const char *report_fmt_num(char buf[40], double v)
{
	if (!isfinite(v) || fabs(v) < 5e-7)
		v = 0;
	if (fabs(v) >= 1e15) { /* "%.6f" would not fit; no score is this large anyway */
		snprintf(buf, 40, "%.6g", v);
		return buf;
	}
	snprintf(buf, 40, "%.6f", v);
	char *end = buf + strlen(buf);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
	return buf;
}

char *report_display(const json_t *v, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return xmemdup0(json_string_value(v), *len);
	}
	if (json_is_real(v)) { /* jansson prints 0.0003 as 0.00029999999999999997 */
		char buf[40];
		report_fmt_num(buf, json_real_value(v));
		*len = strlen(buf);
		return xstrdup(buf);
	}
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *copy = xstrdup(text ? text : "");
	free(text);
	*len = strlen(copy);
	return copy;
}

const struct status_info report_statuses[ST_COUNT] = {
    [ST_PASSED] = {"passed", "pass", "#2e7d32"},
    [ST_FAILED] = {"failed", "fail", "#c62828"},
    [ST_TIMEOUT] = {"timeout", "timeout", "#ef6c00"},
    [ST_CRASHED] = {"crashed", "crash", "#6a1b9a"},
    [ST_BUILD_FAILED] = {"build_failed", "build", "#546e7a"},
    [ST_ERROR] = {"error", "error", "#212121"},
    [ST_MISSING] = {"missing", "\xe2\x80\x94", "#bdbdbd"},
};

enum status report_status_of(const json_t *test)
{
	if (!test)
		return ST_MISSING;
	const char *s = report_str(test, "status", NULL);
	for (int i = 0; i < ST_MISSING; i++)
		if (!strcmp(s, report_statuses[i].name))
			return (enum status)i;
	return ST_ERROR; /* an unknown status is not a pass: show it as a grader problem */
}

/* "Diagnosis: ...\nHint: ...\n" of a test, each when it has one. */
static void add_explanation(struct strbuf *sb, const json_t *test)
{
	static const char *const parts[][2] = {{"diagnosis", "Diagnosis: "}, {"hint", "Hint: "}};
	for (size_t k = 0; k < ARRAY_SIZE(parts); k++) {
		size_t len;
		const char *s = report_str(test, parts[k][0], &len);
		if (!len)
			continue;
		strbuf_addstr(sb, parts[k][1]);
		strbuf_add(sb, s, len);
		strbuf_addch(sb, '\n');
	}
}

void report_add_failure_text(struct strbuf *sb, const json_t *test, const json_t *report)
{
	json_t *checks = json_object_get(test, "checks");
	size_t i;
	json_t *c;
	bool explained = false;
	/* The checks come cause first (docs/reports.md): its explanation follows it. */
	json_array_foreach(checks, i, c)
	{
		if (report_true(c, "ok"))
			continue;
		size_t len;
		const char *s = report_str(c, "kind", &len);
		strbuf_add(sb, s, len);
		strbuf_addstr(sb, ": ");
		s = report_str(c, "message", &len);
		strbuf_add(sb, s, len);
		strbuf_addch(sb, '\n');
		s = report_str(c, "diff", &len);
		strbuf_add(sb, s, len);
		if (len && s[len - 1] != '\n')
			strbuf_addch(sb, '\n');
		if (!explained)
			add_explanation(sb, test);
		explained = true;
	}
	if (!explained)
		add_explanation(sb, test);
	size_t len;
	const char *how = report_str(json_object_get(test, "reproduce"), "text", &len);
	if (len) {
		strbuf_addstr(sb, "\nHow to reproduce: ");
		strbuf_add(sb, how, len);
	}
	if (report && report_status_of(test) == ST_BUILD_FAILED) {
		const char *out = report_str(json_object_get(report, "build"), "output", &len);
		strbuf_addstr(sb, "\nBuild output:\n");
		strbuf_add(sb, out, len);
	}
}

/* ---- files ----------------------------------------------------------- */

/*
 * A work file in out_dir (not /tmp, which may be RAM: the class's reports
 * would then grow memory after all).  Unlinked at once, so it vanishes with
 * its descriptor even when the grader is killed.
 */
static FILE *work_file_open(const char *dir, const char *what)
{
	char *tmpl = xasprintf("%s/.class_report-%s-XXXXXX", dir, what);
	FILE *f = NULL;
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		error_errno("class report: cannot create a temporary file in %s", dir);
		goto out;
	}
	unlink(tmpl);
	f = fdopen(fd, "w+");
	if (!f) {
		error_errno("class report: fdopen");
		close(fd);
	}
out:
	free(tmpl);
	return f;
}

static void work_file_close(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

/* Appends everything written to work file src to dst. */
static int work_file_copy(FILE *src, FILE *dst)
{
	char chunk[65536];
	if (fflush(src) != 0 || fseek(src, 0, SEEK_SET) != 0)
		return error_errno("class report: cannot read back a temporary file");
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), src)) > 0)
		if (fwrite(chunk, 1, n, dst) != n)
			return error_errno("class report: write");
	if (ferror(src))
		return error_errno("class report: cannot read back a temporary file");
	return 0;
}

/* A report being written: DIR/.NAME.tmp-XXXXXX, renamed to DIR/NAME when complete. */
struct out_file {
	char *path;
	char *tmp;
	FILE *f;
};

static int out_file_open(struct out_file *o, const char *dir, const char *name)
{
	o->path = path_join(dir, name);
	o->tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, name);
	o->f = NULL;
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		return error_errno("class report: cannot create a temporary file for %s", o->path);
	/* mkostemp makes 0600; reports are for TAs and web servers to read. */
	if (fchmod(fd, 0644) < 0 || !(o->f = fdopen(fd, "w"))) {
		error_errno("class report: %s", o->tmp);
		close(fd);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

/* Flushes, syncs and renames into place; on failure removes the temporary file. */
static int out_file_commit(struct out_file *o)
{
	int ret = 0;
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) < 0)
		ret = error_errno("class report: cannot write %s", o->tmp);
	if (fclose(o->f) != 0 && !ret)
		ret = error_errno("class report: cannot write %s", o->tmp);
	o->f = NULL;
	if (!ret && rename(o->tmp, o->path) < 0)
		ret = error_errno("class report: cannot rename %s to %s", o->tmp, o->path);
	if (ret)
		unlink(o->tmp);
	return ret;
}

static void out_file_release(struct out_file *o)
{
	if (o->f) {
		fclose(o->f);
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	o->f = NULL;
	o->path = o->tmp = NULL;
}

/* ---- the class report ------------------------------------------------ */

struct class_report *class_report_new(const char *out_dir, unsigned what, const char *assignment,
				      const char *title, const char *const *test_names,
				      const double *test_points, size_t ntests)
{
	if (mkdir_p(out_dir, 0755) < 0)
		return NULL;
	struct class_report *cr = xcalloc(1, sizeof(*cr));
	cr->out_dir = xstrdup(out_dir);
	cr->what = what;
	cr->assignment = xstrdup(assignment);
	cr->title = xstrdup(title ? title : assignment);
	cr->ntests = ntests;
	cr->test_names = xcalloc(ntests, sizeof(*cr->test_names));
	cr->test_points = xcalloc(ntests, sizeof(*cr->test_points));
	cr->test_status = xcalloc(ntests, sizeof(*cr->test_status));
	for (size_t i = 0; i < ntests; i++) {
		cr->test_names[i] = xstrdup(test_names[i]);
		cr->test_points[i] = test_points[i];
		cr->max_points += test_points[i];
	}
	if (((what & CLASS_REPORT_CSV) && !(cr->csv_rows = work_file_open(out_dir, "csv"))) ||
	    ((what & CLASS_REPORT_JUNIT) &&
	     !(cr->junit_suites = work_file_open(out_dir, "junit"))) ||
	    ((what & CLASS_REPORT_HTML) &&
	     (!(cr->html_rows = work_file_open(out_dir, "rows")) ||
	      !(cr->html_sections = work_file_open(out_dir, "html")) ||
	      !(cr->html_missing = work_file_open(out_dir, "missing")) ||
	      !(cr->scores = work_file_open(out_dir, "scores"))))) {
		class_report_free(cr);
		return NULL;
	}
	return cr;
}

struct class_report *class_report_new_for_spec(const char *out_dir, unsigned what,
					       const struct spec *spec)
{
	const char **names = xcalloc(spec->ntests ? spec->ntests : 1, sizeof(*names));
	double *points = xcalloc(spec->ntests ? spec->ntests : 1, sizeof(*points));
	for (size_t i = 0; i < spec->ntests; i++) {
		names[i] = spec->tests[i].name;
		points[i] = spec->tests[i].points;
	}
	struct class_report *cr = class_report_new(out_dir, what, spec->assignment, spec->title,
						   names, points, spec->ntests);
	free(names);
	free(points);
	if (cr && spec->build.files.n) {
		cr->source_file = xstrdup(spec->build.files.v[0]);
		cr->source_in_folder = true;
	}
	return cr;
}

int class_report_set_roster(struct class_report *cr, struct roster *roster, int kind,
			    const char *column)
{
	cr->roster = roster;
	cr->lms = (enum gradebook_kind)kind;
	if (cr->lms != GRADEBOOK_GENERIC) {
		cr->lms_column = column ? xstrdup(column)
					: gradebook_default_column(cr->lms, cr->assignment,
								   cr->max_points);
		if (!(cr->lms_rows = work_file_open(cr->out_dir, "lms")))
			return -1;
	}
	if (roster && (cr->what & CLASS_REPORT_HTML) &&
	    !(cr->html_unmatched = work_file_open(cr->out_dir, "unmatched")))
		return -1;
	return 0;
}

void class_report_source_at_root(struct class_report *cr)
{
	cr->source_in_folder = false;
}

void class_report_free(struct class_report *cr)
{
	if (!cr)
		return;
	work_file_close(&cr->csv_rows);
	work_file_close(&cr->junit_suites);
	work_file_close(&cr->html_rows);
	work_file_close(&cr->html_sections);
	work_file_close(&cr->html_missing);
	work_file_close(&cr->scores);
	work_file_close(&cr->lms_rows);
	work_file_close(&cr->html_unmatched);
	free(cr->lms_column);
	for (size_t i = 0; i < cr->ntests; i++)
		free(cr->test_names[i]);
	free(cr->test_names);
	free(cr->test_points);
	free(cr->test_status);
	free(cr->out_dir);
	free(cr->source_file);
	free(cr->assignment);
	free(cr->title);
	free(cr);
}

const json_t *class_report_find_test(const struct class_report *cr, const json_t *tests, size_t i)
{
	const char *name = cr->test_names[i];
	json_t *t = json_array_get(tests, i);
	if (t && !strcmp(report_str(t, "name", NULL), name))
		return t;
	size_t j;
	json_array_foreach(tests, j, t) if (!strcmp(report_str(t, "name", NULL), name)) return t;
	return NULL;
}

/* ---- gradebook.csv --------------------------------------------------- */

/*
 * A text field (a name; the grader's own numbers are written as they are).
 * RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes
 * doubled.  A spreadsheet takes a cell beginning with =, +, -, @, tab or CR
 * for a formula (=HYPERLINK(...) in a folder name would be a live link): as
 * OWASP recommends, such a cell gets a leading single quote, inside quotes.
 */
void report_add_csv_field(struct strbuf *sb, const char *s, size_t len, bool quote)
{
	struct strbuf clean = STRBUF_INIT;
	strbuf_init(&clean);
	bool formula = len && s[0] && strchr("=+-@\t\r", s[0]);
	if (formula)
		strbuf_addch(&clean, '\'');
	report_add_text(&clean, s, len, TEXT_PLAIN);
	roster_add_field(sb, clean.buf ? clean.buf : "", quote || formula);
	strbuf_release(&clean);
}

static void csv_row(struct strbuf *sb, const struct class_report *cr, const json_t *report)
{
	char num[40];
	size_t len;
	const char *name = report_str(report, "submission", &len);
	const json_t *tests = json_object_get(report, "tests");
	/* No score for a student whose report is missing: an LMS must not import a 0. */
	bool missing = report_true(report, "report_missing");
	report_add_csv_field(sb, name, len, false);
	strbuf_addch(sb, ',');
	if (!missing)
		strbuf_addstr(sb, report_fmt_num(num, report_num(report, "score")));
	strbuf_addf(sb, ",%s", report_fmt_num(num, report_num(report, "max_score")));
	for (size_t i = 0; i < cr->ntests; i++) {
		const json_t *t = class_report_find_test(cr, tests, i);
		strbuf_addch(sb, ',');
		if (missing)
			strbuf_addstr(sb, "error");
		else if (t)
			strbuf_addstr(sb, report_fmt_num(num, report_num(t, "score")));
	}
	strbuf_addstr(sb, "\r\n");
}

static int csv_head(struct strbuf *sb, const struct class_report *cr)
{
	strbuf_addstr(sb, "student,score,max_score");
	for (size_t i = 0; i < cr->ntests; i++) {
		strbuf_addch(sb, ',');
		report_add_csv_field(sb, cr->test_names[i], strlen(cr->test_names[i]), false);
	}
	strbuf_addstr(sb, "\r\n");
	return 0;
}

/* ---- adding a student ------------------------------------------------ */

/* Bin x (already floored) of bins 0..n-1; out-of-range scores go to the end bins. */
static size_t clamp_bin(double x, size_t n)
{
	if (!(x > 0))
		return 0;
	return x < (double)n ? (size_t)x : n - 1;
}

/* Appends sb to a work file; a write error spoils the whole class report. */
static int work_file_put(struct class_report *cr, FILE *f, const struct strbuf *sb)
{
	if (f && sb->len && fwrite(sb->buf, 1, sb->len, f) != sb->len) {
		cr->failed = true;
		return error_errno("class report: cannot write a temporary file in %s",
				   cr->out_dir);
	}
	return 0;
}

/*
 * The student's row in the LMS gradebook and their place in the roster:
 * seen, or listed among the folders it does not name.
 */
static int add_to_roster(struct class_report *cr, struct strbuf *sb, const json_t *report)
{
	if (!cr->roster && !cr->lms_rows)
		return 0;
	const char *folder = report_str(report, "submission", NULL);
	struct roster_row *row = cr->roster ? roster_find(cr->roster, folder) : NULL;
	/* Without a roster the folder's name is the student's username and login. */
	struct roster_row self = {{NULL}, 0, true};
	if (!cr->roster) {
		for (int f = 0; f < ROSTER_NFIELDS; f++)
			self.f[f] = (char *)"";
		self.f[ROSTER_FOLDER] = self.f[ROSTER_NAME] = (char *)folder;
		self.f[ROSTER_USERNAME] = self.f[ROSTER_SIS_LOGIN_ID] = (char *)folder;
		row = &self;
	}
	int ret = 0;
	const char *needs;
	if (row) {
		row->seen = true;
		strbuf_reset(sb);
		if (cr->lms_rows && gradebook_identifies(cr->lms, row, &needs)) {
			gradebook_lms_row(sb, cr, row, report);
			ret = work_file_put(cr, cr->lms_rows, sb);
		}
	} else {
		cr->nunmatched++;
		strbuf_reset(sb);
		if (cr->html_unmatched) {
			report_html_listed(sb, report);
			ret = work_file_put(cr, cr->html_unmatched, sb);
		}
	}
	return ret;
}

int class_report_check(const json_t *report)
{
	if (!json_is_string(json_object_get(report, "submission")))
		return error("class report: a student report without \"submission\"");
	const char *who = report_str(report, "submission", NULL);
	if (!json_is_number(json_object_get(report, "score")) ||
	    !json_is_number(json_object_get(report, "max_score")) ||
	    !json_is_array(json_object_get(report, "tests")))
		return error(
		    "class report: %s: the report lacks \"score\", \"max_score\" or \"tests\"",
		    who);
	if (!isfinite(report_num(report, "score")))
		return error("class report: %s: the score is not a number", who);
	return 0;
}

int class_report_add(struct class_report *cr, const json_t *report)
{
	if (class_report_check(report) < 0)
		return -1;
	const json_t *tests = json_object_get(report, "tests");
	double score = report_num(report, "score");
	/* A stand-in has no score: the class's statistics are those of the students graded. */
	bool missing = report_true(report, "report_missing");

	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	int ret = 0;
	if (cr->csv_rows) {
		csv_row(&sb, cr, report);
		ret |= work_file_put(cr, cr->csv_rows, &sb);
	}
	if (cr->junit_suites) {
		strbuf_reset(&sb);
		report_junit_suite(&sb, cr, report);
		ret |= work_file_put(cr, cr->junit_suites, &sb);
	}
	if (cr->html_rows) {
		strbuf_reset(&sb);
		report_html_row(&sb, cr, report);
		ret |= work_file_put(cr, cr->html_rows, &sb);
		strbuf_reset(&sb);
		report_html_section(&sb, report);
		ret |= work_file_put(cr, cr->html_sections, &sb);
		strbuf_reset(&sb);
		if (missing)
			report_html_listed(&sb, report);
		ret |= work_file_put(cr, cr->html_missing, &sb);
		if (!missing && fwrite(&score, sizeof(score), 1, cr->scores) != 1) {
			cr->failed = true;
			ret = error_errno("class report: cannot write a temporary file in %s",
					  cr->out_dir);
		}
	}
	ret |= add_to_roster(cr, &sb, report);
	strbuf_release(&sb);

	cr->nstudents++;
	if (missing) {
		cr->nmissing++;
		return ret ? -1 : 0;
	}
	bool all = json_array_size(tests) > 0;
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t) all = all && report_status_of(t) == ST_PASSED;
	cr->all_passed += all;
	cr->score_sum += score;
	cr->fractional = cr->fractional || score != floor(score);
	cr->hist_points[clamp_bin(floor(score), HIST_POINT_BINS)]++;
	double tenth = cr->max_points > 0 ? floor(score / cr->max_points * HIST_TENTH_BINS) : 0;
	cr->hist_tenths[clamp_bin(tenth, HIST_TENTH_BINS)]++;
	return ret ? -1 : 0;
}

/* ---- finishing ------------------------------------------------------- */

int class_report_write(const struct class_report *cr, const char *name, report_head_fn *head,
		       const struct report_part *parts, size_t nparts)
{
	struct out_file o = {0};
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;
	strbuf_init(&sb);
	if (head(&sb, cr) < 0 || out_file_open(&o, cr->out_dir, name) < 0)
		goto out;
	fwrite(sb.buf, 1, sb.len, o.f); /* errors surface in out_file_commit's ferror() */
	for (size_t i = 0; i < nparts; i++) {
		if (parts[i].work && work_file_copy(parts[i].work, o.f) < 0)
			goto out;
		if (parts[i].after)
			fputs(parts[i].after, o.f);
	}
	if (out_file_commit(&o) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&sb);
	out_file_release(&o);
	return ret;
}

int class_report_finish(struct class_report *cr)
{
	if (cr->failed)
		return error(
		    "class report: a temporary file in %s could not be written; no report written",
		    cr->out_dir);
	const struct report_part csv[] = {{cr->csv_rows, NULL}};
	if ((cr->csv_rows && class_report_write(cr, "gradebook.csv", csv_head, csv, 1) < 0) ||
	    (cr->junit_suites && report_junit_write(cr) < 0) ||
	    (cr->lms_rows && gradebook_lms_write(cr) < 0) ||
	    (cr->html_rows && report_html_write(cr) < 0))
		return -1;
	return 0;
}
