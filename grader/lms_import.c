/*
 * lms_import.c: `grader import` (lms_import.h), in two passes over the
 * archive.  The first reads only the names: it parses each (lms_names.h),
 * decides each student's folder (a name two students share gets their
 * ids) and which of two files of one name is kept, and skips, with a line
 * on stderr, what cannot be imported.  The second writes the files kept,
 * counting the bytes it is given, never trusting the sizes declared.
 */
#include "lms_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "lms_names.h"
#include "roster.h"
#include "unzip.h"
#include "util.h"

/* A file of the archive to import. */
struct item {
	size_t index; /* its entry's place in the archive */
	char *entry;  /* the entry's name, for messages */
	struct lms_name n;
	size_t student; /* into students[] */
	bool skip;
};

struct student {
	char *name, *id; /* as the LMS gives them */
	char *folder;
	uint64_t bytes;
	size_t files;
	bool made; /* its folder exists */
};

struct import {
	const struct lms_import_options *o;
	struct item *items;
	size_t nitems;
	struct student *students;
	size_t nstudents;
	struct lms_import_counts *counts;
	int dirfd;
	uint64_t total;
};

int lms_kind_parse(const char *text, enum lms_kind *kind)
{
	if (!strcmp(text, "canvas") || !strcmp(text, "moodle")) {
		*kind = !strcmp(text, "canvas") ? LMS_CANVAS : LMS_MOODLE;
		return 0;
	}
	return error("import reads canvas or moodle archives, not '%s'", text);
}

static void skip(struct import *im, const char *entry, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Names a skipped entry on stderr, with why. */
static void skip(struct import *im, const char *entry, const char *fmt, ...)
{
	struct strbuf why = STRBUF_INIT;
	strbuf_init(&why);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&why, fmt, ap);
	va_end(ap);
	/* The entry's name is the archive's: shown escaped, never raw. */
	char *shown = escape_bytes(entry, strlen(entry), 300);
	escape_line(stderr, "grader: import: skipped '%s': %s", shown, why.buf ? why.buf : "");
	free(shown);
	strbuf_release(&why);
	im->counts->skipped++;
}

/* The student the LMS names so, added when new. */
static size_t student_of(struct import *im, const struct lms_name *n, size_t *cap)
{
	for (size_t s = 0; s < im->nstudents; s++)
		if (!strcmp(im->students[s].name, n->student) && !strcmp(im->students[s].id, n->id))
			return s;
	im->students = xgrow(im->students, sizeof(*im->students), im->nstudents + 1, cap);
	im->students[im->nstudents] =
	    (struct student){xstrdup(n->student), xstrdup(n->id), NULL, 0, 0, false};
	return im->nstudents++;
}

/* Pass 1: every entry's name; the files to import in im->items. */
static enum lms_import_status plan(struct import *im)
{
	struct unzip *u = unzip_open(im->o->archive);
	if (!u)
		return LMS_IMPORT_BAD_INPUT;
	size_t cap = 0, student_cap = 0;
	struct unzip_entry e;
	int rc;
	for (size_t index = 0; (rc = unzip_next(u, &e)) > 0; index++) {
		if (index >= im->o->max_entries) {
			rc =
			    error("%s: more than %zu entries: not an LMS's download (a zip bomb?); "
				  "nothing imported",
				  im->o->archive, im->o->max_entries);
			break;
		}
		if (e.type == UNZIP_DIR)
			continue; /* made as its files need it */
		if (e.type != UNZIP_FILE) {
			skip(im, e.name, "a %s, not a file",
			     e.type == UNZIP_LINK ? "link" : "device or pipe");
			continue;
		}
		const char *bad = lms_bad_path(e.name);
		if (bad) {
			skip(im, e.name, "%s", bad);
			continue;
		}
		struct item it = {.index = index, .entry = xstrdup(e.name)};
		if (lms_name_parse(im->o->kind, e.name, &it.n) < 0) {
			skip(im, e.name, "%s", error_last());
			free(it.entry);
			continue;
		}
		it.student = student_of(im, &it.n, &student_cap);
		im->items = xgrow(im->items, sizeof(*im->items), im->nitems + 1, &cap);
		im->items[im->nitems++] = it;
	}
	unzip_close(u);
	return rc < 0 ? LMS_IMPORT_BAD_INPUT : LMS_IMPORT_OK;
}

/* Each student's folder: the safe form of their name, with their id when another's is the same. */
static void name_folders(struct import *im)
{
	char **plain = xcalloc(im->nstudents + 1, sizeof(*plain));
	for (size_t s = 0; s < im->nstudents; s++)
		plain[s] = lms_safe_folder(im->students[s].name);
	for (size_t s = 0; s < im->nstudents; s++) {
		bool shared = false;
		for (size_t t = 0; t < im->nstudents && !shared; t++)
			shared = t != s && !strcmp(plain[s], plain[t]);
		if (!shared) {
			im->students[s].folder = xstrdup(plain[s]);
			continue;
		}
		char *with_id = xasprintf("%s_%s", im->students[s].name,
					  *im->students[s].id ? im->students[s].id : "0");
		im->students[s].folder = lms_safe_folder(with_id);
		free(with_id);
	}
	for (size_t s = 0; s < im->nstudents; s++)
		free(plain[s]);
	free(plain);
}

static int by_student_path_latest(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->student != y->student)
		return x->student < y->student ? -1 : 1;
	int c = strcmp(x->n.path, y->n.path);
	if (c)
		return c;
	/* The later upload first (Canvas's attachment ids grow), then the archive's order. */
	if (x->n.order != y->n.order)
		return x->n.order > y->n.order ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int by_index(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* Of the files that would take one name in one folder, the latest alone. */
static void keep_latest(struct import *im)
{
	qsort(im->items, im->nitems, sizeof(*im->items), by_student_path_latest);
	for (size_t first = 0, i = 1; i < im->nitems; i++) {
		const struct item *kept = &im->items[first];
		struct item *it = &im->items[i];
		if (it->student != kept->student || strcmp(it->n.path, kept->n.path)) {
			first = i;
			continue;
		}
		it->skip = true;
		if (it->n.order != kept->n.order)
			skip(im, it->entry, "an earlier upload of %s by %s: the later one is kept",
			     it->n.path, im->students[it->student].folder);
		else
			skip(im, it->entry, "a second entry named %s for %s", it->n.path,
			     im->students[it->student].folder);
	}
	qsort(im->items, im->nitems, sizeof(*im->items), by_index);
}

/* A folder below fd, made if missing, opened without following a link; -1 with error() set. */
static int open_folder(int fd, const char *name)
{
	if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
		return error_errno("cannot make folder %s", name);
	int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return error_errno("cannot open folder %s", name);
	return sub;
}

/* The folder that will hold it.path's file, below the student's: its fd, or -1 with error() set. */
static int parent_of(struct import *im, const struct item *it, const char **leaf)
{
	struct student *s = &im->students[it->student];
	int fd = open_folder(im->dirfd, s->folder);
	if (fd < 0)
		return -1;
	s->made = true;
	const char *path = it->n.path;
	size_t at = 0;
	const char *slash;
	while (fd >= 0 && (slash = strchr(path + at, '/'))) {
		char *name = xstrndup(path + at, (size_t)(slash - (path + at)));
		int sub = open_folder(fd, name);
		free(name);
		close(fd);
		fd = sub;
		at = (size_t)(slash - path) + 1;
	}
	*leaf = path + at;
	return fd;
}

/* What writing a file came to: the import goes on after the first two. */
enum written { WRITTEN, SKIPPED, STOP_FAILED, STOP_BOMB };

/*
 * Writes the current entry's data to its file, or skips it (named on
 * stderr, nothing left of it).  STOP_* with error() set: DIR cannot be
 * written, or the archive passed its byte limit.
 */
static enum written write_item(struct import *im, struct unzip *u, const struct item *it)
{
	struct student *s = &im->students[it->student];
	const struct lms_import_options *o = im->o;
	if (s->files >= o->max_student_files) {
		skip(im, it->entry,
		     "%s has more than %zu files, the most a test's working folder holds",
		     s->folder, o->max_student_files);
		return SKIPPED;
	}
	const char *leaf;
	int dir = parent_of(im, it, &leaf);
	if (dir < 0) {
		skip(im, it->entry, "%s", error_last());
		return SKIPPED;
	}
	int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		skip(im, it->entry, "cannot make %s/%s: %s", s->folder, it->n.path,
		     strerror(errno));
		close(dir);
		return SKIPPED;
	}
	char buf[65536];
	uint64_t bytes = 0;
	const char *why = NULL;
	enum written ret = WRITTEN;
	ssize_t n;
	while ((n = unzip_read(u, buf, sizeof(buf))) > 0) {
		bytes += (uint64_t)n;
		im->total += (uint64_t)n;
		if (im->total > o->max_total_bytes) {
			error("%s: more than %llu bytes uncompressed: not an LMS's download (a zip "
			      "bomb?); import stopped, %s holds what came before",
			      o->archive, (unsigned long long)o->max_total_bytes, o->dir);
			ret = STOP_BOMB;
			break;
		}
		if (bytes > o->max_file_bytes) {
			why = "larger than the file size limit of a test";
			break;
		}
		if (s->bytes + bytes > o->max_student_bytes) {
			why =
			    "the student's files together pass the size of a test's working folder";
			break;
		}
		if (write_all(fd, buf, (size_t)n) < 0) {
			error_errno("cannot write %s/%s/%s", o->dir, s->folder, it->n.path);
			ret = STOP_FAILED;
			break;
		}
	}
	if (n < 0 && !why && !ret)
		why = error_last();
	if (close(fd) < 0 && !why && !ret) {
		error_errno("cannot write %s/%s/%s", o->dir, s->folder, it->n.path);
		ret = STOP_FAILED;
	}
	if (why || ret)
		unlinkat(dir, leaf, 0);
	close(dir);
	if (ret)
		return ret;
	if (why) {
		skip(im, it->entry, "%s", why);
		return SKIPPED;
	}
	s->bytes += bytes;
	s->files++;
	im->counts->files++;
	if (it->n.renamed)
		escape_line(stderr,
			    "grader: import: %s: %s restored as %s (Canvas adds \"-N\" to a "
			    "file uploaded again)",
			    s->folder, it->entry, it->n.path);
	return WRITTEN;
}

/* Pass 2: the files kept, in the archive's order. */
static enum lms_import_status extract(struct import *im)
{
	struct unzip *u = unzip_open(im->o->archive);
	if (!u)
		return LMS_IMPORT_BAD_INPUT;
	enum lms_import_status status = LMS_IMPORT_OK;
	struct unzip_entry e;
	size_t next = 0;
	int rc;
	for (size_t index = 0; next < im->nitems && (rc = unzip_next(u, &e)) > 0; index++) {
		if (index != im->items[next].index)
			continue;
		const struct item *it = &im->items[next++];
		if (it->skip)
			continue;
		enum written w = write_item(im, u, it);
		if (w == STOP_FAILED || w == STOP_BOMB) {
			status = w == STOP_BOMB ? LMS_IMPORT_BAD_INPUT : LMS_IMPORT_FAILED;
			break;
		}
	}
	if (status == LMS_IMPORT_OK && next < im->nitems)
		status =
		    LMS_IMPORT_BAD_INPUT; /* the archive changed or broke since the first pass */
	unzip_close(u);
	return status;
}

/* The folders made, as a roster (roster.h) the TA completes: --write-roster. */
static int write_roster(const struct import *im)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (int f = 0; f < ROSTER_NFIELDS; f++)
		strbuf_addf(&sb, "%s%s", f ? "," : "", roster_field_name(f));
	strbuf_addstr(&sb, "\r\n");
	for (size_t s = 0; s < im->nstudents; s++) {
		const struct student *st = &im->students[s];
		if (!st->made)
			continue;
		/* Canvas's user id is its gradebook's ID; Moodle's participant id is no user's. */
		const char *cells[ROSTER_NFIELDS] = {st->folder, st->name,
						     im->o->kind == LMS_CANVAS ? st->id : ""};
		for (int f = 0; f < ROSTER_NFIELDS; f++) {
			if (f)
				strbuf_addch(&sb, ',');
			roster_add_field(&sb, cells[f] ? cells[f] : "", false);
		}
		strbuf_addstr(&sb, "\r\n");
	}
	int ret = write_file_atomic(im->o->roster_out, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

/* DIR made, or found empty; its descriptor, or -1 with error() set. */
static int open_empty_dir(const char *dir)
{
	if (mkdir_p(dir, 0755) < 0)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot open %s", dir);
	DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	struct dirent *de;
	bool empty = d != NULL;
	while (d && (de = readdir(d)))
		empty &= !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	if (!empty) {
		close(fd);
		return error("%s is not empty: import writes only into an empty or new folder",
			     dir);
	}
	return fd;
}

enum lms_import_status lms_import(const struct lms_import_options *o,
				  struct lms_import_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	struct import im = {.o = o, .counts = counts, .dirfd = -1};
	enum lms_import_status status = plan(&im);
	if (status != LMS_IMPORT_OK)
		goto out;
	im.dirfd = open_empty_dir(o->dir);
	if (im.dirfd < 0) {
		status = path_is_dir(o->dir) ? LMS_IMPORT_BAD_INPUT : LMS_IMPORT_FAILED;
		goto out;
	}
	name_folders(&im);
	keep_latest(&im);
	status = extract(&im);
	for (size_t s = 0; s < im.nstudents; s++)
		counts->students += im.students[s].made;
	if (status == LMS_IMPORT_OK && o->roster_out && write_roster(&im) < 0)
		status = LMS_IMPORT_FAILED;
out:
	if (im.dirfd >= 0)
		close(im.dirfd);
	for (size_t i = 0; i < im.nitems; i++) {
		free(im.items[i].entry);
		lms_name_release(&im.items[i].n);
	}
	free(im.items);
	for (size_t s = 0; s < im.nstudents; s++) {
		free(im.students[s].name);
		free(im.students[s].id);
		free(im.students[s].folder);
	}
	free(im.students);
	return status;
}
