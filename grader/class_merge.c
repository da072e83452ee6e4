#include "class_merge.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "class_report.h"
#include "escape.h"
#include "gradebook_lms.h"
#include "report_json.h"
#include "roster.h"
#include "shard.h"

void class_merge_error_result(const struct spec *spec, const char *student, const char *why,
			      struct grade_result *r)
{
	memset(r, 0, sizeof(*r));
	r->assignment = xstrdup(spec->assignment);
	r->submission = xstrdup(student);
	r->max_score = spec_max_score(spec);
	strvec_init(&r->isolation_missing);
	r->build.output = xstrdup("");
	r->ntests = spec->ntests;
	r->tests = xcalloc(spec->ntests, sizeof(*r->tests));
	for (size_t i = 0; i < spec->ntests; i++) {
		struct test_result *t = &r->tests[i];
		t->name = xstrdup(spec->tests[i].name);
		t->hidden = spec->tests[i].hidden;
		t->max_score = spec->tests[i].points;
		t->status = STATUS_ERROR;
		t->diagnosis = xstrdup("");
		test_result_add_check(t, "error", false, why, NULL);
	}
}

int class_merge_class_of(const char *report_dir, const char *root, struct strvec *names)
{
	if (!root) {
		int lists = shard_class_read(report_dir, names);
		if (lists == 0)
			escape_line(stderr, "grader: report: no class recorded in %s/.grader/class "
					    "(batch records it): only the reports there are "
					    "listed; --root SUBMISSIONS_ROOT names who has none",
				    report_dir);
		return lists < 0 ? -1 : 0;
	}
	struct strvec dirs = STRVEC_INIT;
	strvec_init(&dirs);
	int ret = shard_list_class(root, "report", &dirs);
	/* Sorted already, as their paths share the root. */
	for (size_t i = 0; i < dirs.n; i++)
		strvec_push(names, shard_student_name(dirs.v[i]));
	strvec_clear(&dirs);
	return ret;
}

static const char json_suffix[] = ".json";

/* Appends the names of the <student>.json files in dir to names (hidden files are work files). */
static int list_reports(const char *dir, struct strvec *names)
{
	DIR *d = opendir(dir);
	if (!d)
		return error_errno("cannot read %s", dir);
	struct dirent *de;
	size_t suffix = strlen(json_suffix);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= suffix ||
		    strcmp(de->d_name + len - suffix, json_suffix))
			continue;
		/* No stat per file when the file system says what it is: 10,000 of them on NFS. */
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		strvec_push_owned(names, xstrndup(de->d_name, len - suffix));
	}
	closedir(d);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_class(const struct strvec *names, const char *name)
{
	return bsearch(&name, names->v, names->n, sizeof(*names->v), compare_names) != NULL;
}

/*
 * The student's report as the class reports take it, or NULL when it is
 * not to be taken (an other's file that is no report: named on stderr).
 * A student of the class whose report is missing or unreadable gets the
 * stand-in (*missing set).
 */
static json_t *load(const struct spec *spec, const struct class_merge_options *o,
		    const char *name, bool listed, bool *missing)
{
	char *file = xasprintf("%s%s", name, json_suffix);
	char *path = path_join(o->report_dir, file);
	json_error_t jerr;
	json_t *report = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	*missing = !report || class_report_check(report) < 0;
	const char *why = report ? error_last() : jerr.text;
	if (*missing && !listed) {
		escape_line(stderr, "grader: %s: %s: not a student's report (%s): skipped", o->who,
			    path, why);
		json_decref(report);
		report = NULL;
	} else if (*missing) {
		escape_line(stderr, "grader: %s: %s: no report (%s)%s", o->who, name, why,
			    o->what ? ": listed with status error" : "");
		json_decref(report);
		struct grade_result r;
		class_merge_error_result(spec, name, o->why_missing, &r);
		report = report_json_new(&r);
		json_object_set_new(report, "report_missing", json_true());
		grade_result_release(&r);
	}
	free(path);
	free(file);
	return report;
}

/* Where a student left out of the LMS gradebook is not: "gradebook-canvas.csv" or the like. */
static const char *lms_file(const struct class_merge_options *o)
{
	const char *file = gradebook_file_name((enum gradebook_kind)o->gradebook);
	return file ? file : "the LMS gradebook (--gradebook)";
}

/* Names on stderr what the roster made of a student whose report was taken. */
static void tell_roster(const struct class_merge_options *o, const char *folder,
			struct class_merge_counts *counts)
{
	const char *needs;
	const struct roster_row *row = o->roster ? roster_find(o->roster, folder) : NULL;
	if (o->roster && !row) {
		counts->unmatched++;
		escape_line(stderr, "grader: %s: %s: no row of the roster %s names this folder: not "
				    "in %s",
			    o->who, folder, o->roster->path, lms_file(o));
	} else if (row && o->gradebook != GRADEBOOK_GENERIC &&
		   !gradebook_identifies((enum gradebook_kind)o->gradebook, row, &needs)) {
		escape_line(stderr, "grader: %s: %s: roster %s:%zu gives no %s: not in %s", o->who,
			    folder, o->roster->path, row->line, needs, lms_file(o));
	}
}

/* Names on stderr the roster's students no report was taken for: no submission. */
static void tell_unsubmitted(const struct class_merge_options *o, struct class_merge_counts *counts)
{
	const char *needs;
	for (size_t i = 0; o->roster && i < o->roster->n; i++) {
		const struct roster_row *row = &o->roster->rows[i];
		if (row->seen)
			continue;
		counts->unsubmitted++;
		bool listed = o->gradebook != GRADEBOOK_GENERIC &&
			      gradebook_identifies((enum gradebook_kind)o->gradebook, row, &needs);
		escape_line(stderr, "grader: %s: roster %s:%zu (%s): no submission%s%s%s%s", o->who,
			    o->roster->path, row->line,
			    *row->f[ROSTER_NAME] ? row->f[ROSTER_NAME] : row->f[ROSTER_FOLDER],
			    *row->f[ROSTER_FOLDER] ? " in folder " : "", row->f[ROSTER_FOLDER],
			    listed ? ": 0 in " : "", listed ? lms_file(o) : "");
	}
}

void class_merge_tell_roster(FILE *f, const char *who, const struct class_merge_counts *counts)
{
	if (counts->unmatched)
		escape_line(f, "grader: %s: %zu folder%s the roster does not name (named above): "
			       "graded, in no LMS gradebook until the roster gives %s",
			    who, counts->unmatched, counts->unmatched == 1 ? "" : "s",
			    counts->unmatched == 1 ? "it" : "them");
	if (counts->unsubmitted)
		escape_line(f, "grader: %s: %zu student%s of the roster without a submission (named "
			       "above)",
			    who, counts->unsubmitted, counts->unsubmitted == 1 ? "" : "s");
}

int class_merge_write(const struct spec *spec, const struct class_merge_options *o,
		      const struct strvec *names, struct class_merge_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	struct strvec all = STRVEC_INIT;
	strvec_init(&all);
	strvec_pushv(&all, (const char *const *)names->v);
	struct class_report *cr = NULL;
	/* A shard (what 0) writes no class report: the roster is for those who do. */
	bool roster = o->what && (o->roster || o->gradebook != GRADEBOOK_GENERIC);
	int ret = -1;
	if (o->others) {
		if (list_reports(o->report_dir, &all) < 0)
			goto out;
		shard_sort_names(&all);
	}
	cr = class_report_new_for_spec(o->report_dir, o->what, spec);
	if (!cr || (roster && class_report_set_roster(cr, o->roster, o->gradebook,
						      o->gradebook_column) < 0))
		goto out;
	for (size_t i = 0; i < all.n; i++) {
		bool missing;
		json_t *report = load(spec, o, all.v[i], !o->others || in_class(names, all.v[i]),
				      &missing);
		if (!report) {
			counts->skipped++;
			continue;
		}
		counts->students++;
		counts->missing += missing;
		int added = class_report_add(cr, report);
		json_decref(report);
		if (added < 0)
			goto out;
		if (roster)
			tell_roster(o, all.v[i], counts);
	}
	ret = class_report_finish(cr);
	if (roster)
		tell_unsubmitted(o, counts);
out:
	class_report_free(cr);
	strvec_clear(&all);
	return ret;
}
