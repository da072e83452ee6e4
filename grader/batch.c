#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "class_report.h"
#include "cli.h"
#include "digest.h"
#include "grade.h"
#include "report_json.h"
#include "sandbox.h"
#include "util.h"

/* How often progress is printed when stderr is not a terminal. */
#define PROGRESS_LINE_SECONDS 5.0

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The student folders directly under root, sorted; hidden ones are not students. */
static int list_students(const char *root, struct strvec *dirs)
{
	DIR *d = opendir(root);
	if (!d)
		return error_errno("batch: cannot open %s", root);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = path_join(root, de->d_name);
		if (path_is_dir(path))
			strvec_push_owned(dirs, path);
		else
			free(path);
	}
	closedir(d);
	qsort(dirs->v, dirs->n, sizeof(*dirs->v), by_name);
	return 0;
}

/* What a report was computed from: the spec's folder, the submission, the grader. */
static char *fingerprint(const char *spec_path, const char *submission)
{
	char *spec_dir = path_is_dir(spec_path) ? xstrdup(spec_path) : NULL;
	if (!spec_dir) {
		const char *slash = strrchr(spec_path, '/');
		spec_dir = slash ? xstrndup(spec_path, (size_t)(slash - spec_path)) : xstrdup(".");
	}
	struct digest d;
	digest_init(&d);
	digest_add_str(&d, GRADER_VERSION);
	int rc = digest_add_tree(&d, spec_dir);
	/* An unreadable submission still gets a fingerprint: its report says why it failed. */
	(void)digest_add_tree(&d, submission);
	free(spec_dir);
	if (rc < 0)
		return NULL;
	char hex[17];
	digest_hex(&d, hex);
	return xstrdup(hex);
}

struct paths {
	char *state;		/* REPORT_DIR/.grader */
	char *fingerprints;	/* .../fingerprints */
	char *builds;		/* .../builds */
};

static char *report_path(const char *report_dir, const char *student)
{
	char *name = xasprintf("%s.json", student);
	char *path = path_join(report_dir, name);
	free(name);
	return path;
}

/* Whether a complete report computed from exactly these inputs exists. */
static bool up_to_date(const struct batch_options *o, const struct paths *p, const char *student,
		       const char *print)
{
	char *fp_path = path_join(p->fingerprints, student);
	struct strbuf old = STRBUF_INIT;
	strbuf_init(&old);
	bool same = print && read_file(fp_path, &old) == 0 && !strcmp(old.buf, print);
	strbuf_release(&old);
	free(fp_path);
	if (!same)
		return false;
	char *report = report_path(o->report_dir, student);
	json_error_t jerr;
	json_t *j = json_load_file(report, 0, &jerr);
	bool ok = j && json_is_array(json_object_get(j, "tests"));
	json_decref(j);
	free(report);
	return ok;
}

/* The worker: grades one submission and writes its report, then its fingerprint. */
_Noreturn static void worker(const struct spec *spec, const struct batch_options *o,
			     const struct paths *p, struct sandbox *sb, const char *dir,
			     const char *print)
{
	struct grade_options gopts = {
	    .sandbox = sb, .build_cache = p->builds, .seeded = o->seeded, .seed = o->seed};
	struct grade_result result;
	int rc = grade_submission(spec, dir, &gopts, &result);
	if (rc == 0)
		rc = report_write_json(&result, o->report_dir);
	if (rc == 0 && print) {
		char *fp_path = path_join(p->fingerprints, result.submission);
		rc = write_file_atomic(fp_path, print, strlen(print));
		free(fp_path);
	}
	if (rc < 0)
		fprintf(stderr, "grader: batch: %s: %s\n", dir, error_last());
	_exit(rc < 0 ? EXIT_INTERNAL : 0);
}

/*
 * A worker died without a report: write one that says so, with every test
 * in status error, so the gradebook has the student and nothing is lost.
 */
static void write_error_report(const struct spec *spec, const struct batch_options *o,
			       const char *dir, const char *why)
{
	struct grade_result r;
	memset(&r, 0, sizeof(r));
	r.assignment = xstrdup(spec->assignment);
	r.submission = grade_submission_name(dir);
	r.max_score = spec_max_score(spec);
	strvec_init(&r.isolation_missing);
	r.build.output = xstrdup("");
	r.ntests = spec->ntests;
	r.tests = xcalloc(spec->ntests, sizeof(*r.tests));
	for (size_t i = 0; i < spec->ntests; i++) {
		struct test_result *t = &r.tests[i];
		t->name = xstrdup(spec->tests[i].name);
		t->hidden = spec->tests[i].hidden;
		t->max_score = spec->tests[i].points;
		t->status = STATUS_ERROR;
		t->diagnosis = xstrdup("");
		test_result_add_check(t, "error", false, why, NULL);
	}
	if (report_write_json(&r, o->report_dir) < 0)
		fprintf(stderr, "grader: batch: %s: %s\n", dir, error_last());
	grade_result_release(&r);
}

struct progress {
	size_t total, done, skipped;
	double start, last_line;
	bool tty;
};

static void progress_show(struct progress *pr, bool final)
{
	double now = now_seconds();
	double elapsed = now - pr->start;
	size_t graded = pr->done - pr->skipped;
	double rate = elapsed > 0 ? (double)graded / elapsed : 0;
	double eta = rate > 0 ? (double)(pr->total - pr->done) / rate : 0;
	if (pr->tty) {
		int width = 30;
		int filled = pr->total ? (int)((double)width * (double)pr->done / (double)pr->total) : width;
		fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.1f/s  ETA %02d:%02d ", filled,
			"##############################", width - filled, "", pr->done, pr->total, rate,
			(int)eta / 60, (int)eta % 60);
		if (final)
			fputc('\n', stderr);
	} else if (final || (pr->done < pr->total && now - pr->last_line >= PROGRESS_LINE_SECONDS)) {
		fprintf(stderr, "batch: %zu/%zu done (%zu up to date), %.1f/s, ETA %ds\n", pr->done,
			pr->total, pr->skipped, rate, (int)eta);
		pr->last_line = now;
	}
	fflush(stderr);
}

struct running {
	pid_t pid;
	const char *dir;
};

/* Waits for one worker; turns a worker's death into an error report. */
static int reap_one(const struct spec *spec, const struct batch_options *o, struct running *run,
		    size_t *nrun)
{
	int status;
	pid_t pid;
	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return error_errno("batch: waitpid");
	size_t i = 0;
	while (i < *nrun && run[i].pid != pid)
		i++;
	if (i == *nrun)
		return 0; /* not a worker */
	int ret = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *why = WIFSIGNALED(status)
				    ? xasprintf("the grader crashed (%s) while grading this submission",
						signal_name(WTERMSIG(status)))
				    : xstrdup("the grader failed while grading this submission (see its "
					      "error output)");
		write_error_report(spec, o, run[i].dir, why);
		free(why);
		ret = 1;
	}
	run[i] = run[--*nrun];
	return ret;
}

static int write_class_reports(const struct spec *spec, const struct batch_options *o,
			       const struct strvec *dirs)
{
	const char **names = xcalloc(spec->ntests ? spec->ntests : 1, sizeof(*names));
	double *points = xcalloc(spec->ntests ? spec->ntests : 1, sizeof(*points));
	for (size_t i = 0; i < spec->ntests; i++) {
		names[i] = spec->tests[i].name;
		points[i] = spec->tests[i].points;
	}
	struct class_report *cr =
		class_report_new(o->report_dir, CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML,
				 spec->assignment, spec->title, names, points, spec->ntests);
	int ret = cr ? 0 : -1;
	for (size_t i = 0; i < dirs->n && ret == 0; i++) {
		char *student = grade_submission_name(dirs->v[i]);
		char *path = report_path(o->report_dir, student);
		json_error_t jerr;
		json_t *report = json_load_file(path, 0, &jerr);
		if (!report)
			ret = error("batch: %s: %s", path, jerr.text);
		else
			ret = class_report_add(cr, report);
		json_decref(report);
		free(path);
		free(student);
	}
	if (ret == 0)
		ret = class_report_finish(cr);
	class_report_free(cr);
	free(names);
	free(points);
	return ret;
}

int batch_run(const struct spec *spec, const struct batch_options *o)
{
	struct strvec dirs = STRVEC_INIT;
	strvec_init(&dirs);
	struct paths p = {0};
	p.state = path_join(o->report_dir, ".grader");
	p.fingerprints = path_join(p.state, "fingerprints");
	p.builds = path_join(p.state, "builds");
	struct sandbox *sb = NULL;
	struct running *run = NULL;
	size_t nrun = 0;
	int status = EXIT_INTERNAL;
	bool worker_failed = false;

	if (list_students(o->root, &dirs) < 0 || mkdir_p(p.fingerprints, 0755) < 0 ||
	    mkdir_p(p.builds, 0700) < 0) {
		fprintf(stderr, "grader: %s\n", error_last());
		goto out;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = o->jobs > 0 ? o->jobs : cpus > 0 ? (int)cpus : 1;
	run = xcalloc((size_t)jobs, sizeof(*run));
	/* Probed once; the workers inherit what it found. */
	sb = sandbox_new(o->sandbox);
	if (!sandbox_full(sb)) {
		fprintf(stderr, "grader: warning: isolation partial, missing:");
		for (size_t i = 0; i < sandbox_missing(sb)->n; i++)
			fprintf(stderr, "%s %s", i ? "," : "", sandbox_missing(sb)->v[i]);
		fprintf(stderr, "\n");
	}

	struct progress pr = {dirs.n, 0, 0, now_seconds(), 0, isatty(2) == 1};
	for (size_t next = 0; next < dirs.n || nrun > 0;) {
		if (next < dirs.n && nrun < (size_t)jobs) {
			const char *dir = dirs.v[next++];
			char *student = grade_submission_name(dir);
			char *print = fingerprint(o->spec_path, dir);
			if (o->resume && up_to_date(o, &p, student, print)) {
				pr.done++;
				pr.skipped++;
				progress_show(&pr, false);
			} else {
				fflush(NULL);
				pid_t pid = fork();
				if (pid < 0) {
					fprintf(stderr, "grader: batch: fork: %s\n", strerror(errno));
					free(student);
					free(print);
					goto out;
				}
				if (pid == 0)
					worker(spec, o, &p, sb, dir, print);
				run[nrun].pid = pid;
				run[nrun].dir = dir;
				nrun++;
			}
			free(student);
			free(print);
			continue;
		}
		int rc = reap_one(spec, o, run, &nrun);
		if (rc < 0) {
			fprintf(stderr, "grader: %s\n", error_last());
			goto out;
		}
		worker_failed |= rc > 0;
		pr.done++;
		progress_show(&pr, false);
	}
	progress_show(&pr, true);
	struct rusage self;
	if (getrusage(RUSAGE_SELF, &self) == 0)
		fprintf(stderr, "batch: %zu submissions in %.1fs, grader peak memory %.1f MiB\n",
			pr.total, now_seconds() - pr.start, (double)self.ru_maxrss / 1024.0);

	if (write_class_reports(spec, o, &dirs) < 0) {
		fprintf(stderr, "grader: cannot write the class reports: %s\n", error_last());
		goto out;
	}
	status = worker_failed ? EXIT_INTERNAL : EXIT_ALL_PASSED;
out:
	/* Never leave a worker behind, even on the way out after an error. */
	for (size_t i = 0; i < nrun; i++) {
		kill(run[i].pid, SIGKILL);
		waitpid(run[i].pid, NULL, 0);
	}
	sandbox_free(sb);
	free(run);
	strvec_clear(&dirs);
	free(p.state);
	free(p.fingerprints);
	free(p.builds);
	return status;
}
