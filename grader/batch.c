#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "class_merge.h"
#include "class_report.h"
#include "cli.h"
#include "cpu_idle.h"
#include "digest.h"
#include "escape.h"
#include "grade.h"
#include "gradebook_lms.h"
#include "lifecycle.h"
#include "report_json.h"
#include "report_text.h"
#include "sandbox.h"
#include "shard.h"
#include "util.h"

/* How often progress is printed when stderr is not a terminal. */
#define PROGRESS_LINE_SECONDS 5.0
/* How often the CPUs' idleness is looked at while work waits (cpu_idle.h). */
#define BATCH_SAMPLE_MS 100

/*
 * What a report was computed from: the spec's folder, the tests graded
 * (--test chooses), the submission, the grader.  The spec's part is
 * digested once per batch (a folder of fixtures can hold thousands of
 * files); false when the folder cannot be read: no report is then
 * fingerprinted, and --resume grades everyone again.
 */
static bool spec_digest(const struct spec *spec, const char *spec_path, struct digest *d)
{
	char *spec_dir = path_is_dir(spec_path) ? xstrdup(spec_path) : NULL;
	if (!spec_dir) {
		const char *slash = strrchr(spec_path, '/');
		spec_dir = slash ? xstrndup(spec_path, (size_t)(slash - spec_path)) : xstrdup(".");
	}
	digest_init(d);
	digest_add_str(d, GRADER_VERSION);
	for (size_t i = 0; i < spec->ntests; i++)
		digest_add_str(d, spec->tests[i].name);
	int rc = digest_add_tree(d, spec_dir);
	free(spec_dir);
	return rc == 0;
}

static char *fingerprint(const struct digest *spec_d, const char *submission)
{
	struct digest d = *spec_d;
	/* An unreadable submission still gets a fingerprint: its report says why it failed. */
	(void)digest_add_tree(&d, submission);
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
	json_t *j = json_load_file(report, JSON_ALLOW_NUL, &jerr);
	bool ok = j && json_is_array(json_object_get(j, "tests"));
	json_decref(j);
	free(report);
	return ok;
}

/*
 * Grades one submission and writes its report, then its fingerprint: 0, or
 * 1 when some test could not be carried out (the report says which; no
 * fingerprint, so that --resume grades it again), or -1 when the grader
 * failed.
 */
static int grade_one(const struct spec *spec, const struct batch_options *o,
		     const struct paths *p, struct sandbox *sb, const char *dir, const char *print,
		     bool *cached)
{
	struct grade_options gopts = {
	    .sandbox = sb, .build_cache = p->builds, .seeded = o->seeded, .seed = o->seed};
	struct grade_result result;
	bool errors = false;
	int rc = grade_submission(spec, dir, &gopts, &result);
	if (rc == 0) {
		*cached = result.build.cached;
		errors = grade_result_print_errors(stderr, &result) > 0;
		rc = report_write_json(&result, o->report_dir);
		if (rc == 0 && print && !errors) {
			char *fp_path = path_join(p->fingerprints, result.submission);
			rc = write_file_atomic(fp_path, print, strlen(print));
			free(fp_path);
		}
		grade_result_release(&result);
	}
	if (rc < 0)
		escape_line(stderr, "grader: batch: %s: %s", dir, error_last());
	return rc < 0 ? rc : errors;
}

/*
 * What the parent sends a worker: which submission to grade next, and the
 * fingerprint to store with its report (computed once, by the parent, to
 * decide whether --resume may skip it).  Smaller than PIPE_BUF: one write.
 */
struct task {
	size_t index;
	bool has_print;
	char print[17];
};

/* What a worker answers for each task it finished (C: done, with a build from the cache). */
enum { TASK_DONE = 'D', TASK_DONE_CACHED = 'C', TASK_ERRORS = 'E', TASK_FAILED = 'F' };

/*
 * A worker: grades the tasks it is sent, one at a time, until the parent
 * closes its end.  Workers live as long as the batch, so that what a
 * process sets up once (its pids cgroup: sandbox_cgroup.h) is paid once per
 * worker, not once per student.
 */
_Noreturn static void worker(const struct spec *spec, const struct batch_options *o,
			     const struct paths *p, struct sandbox *sb, const struct strvec *dirs,
			     int task_fd, int done_fd)
{
	struct task t;
	for (;;) {
		ssize_t n;
		do
			n = read(task_fd, &t, sizeof(t));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(t) || t.index >= dirs->n) {
			/* Back to the cgroup it started in, its own removed (sandbox_cgroup.h). */
			sandbox_free(sb);
			_exit(n == 0 ? 0 : EXIT_INTERNAL);
		}
		t.print[sizeof(t.print) - 1] = '\0';
		bool cached = false;
		int rc = grade_one(spec, o, p, sb, dirs->v[t.index], t.has_print ? t.print : NULL,
				   &cached);
		char answer = rc < 0	 ? TASK_FAILED
			      : rc > 0	 ? TASK_ERRORS
			      : cached ? TASK_DONE_CACHED
				       : TASK_DONE;
		if (write_all(done_fd, &answer, 1) < 0)
			_exit(EXIT_INTERNAL);
	}
}

/*
 * A worker died without a report: write one that says so, with every test
 * in status error, so the gradebook has the student and nothing is lost.
 */
static void write_error_report(const struct spec *spec, const struct batch_options *o,
			       const char *dir, const char *why)
{
	struct grade_result r;
	char *student = grade_submission_name(dir);
	class_merge_error_result(spec, student, why, &r);
	free(student);
	if (report_write_json(&r, o->report_dir) < 0)
		escape_line(stderr, "grader: batch: %s: %s", dir, error_last());
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

/* One worker of the pool, as the parent sees it. */
struct slot {
	pid_t pid;		/* 0: no worker (never started, or died) */
	int task_fd;		/* where its tasks go */
	int done_fd;		/* where its answers come from; end of file when it died */
	const char *dir;	/* the submission it is grading; NULL when idle */
};

/*
 * Starts the worker of slot k, which dies with the parent (lifecycle.h);
 * the others' pipe ends stay with the parent.
 */
static int start_worker(const struct spec *spec, const struct batch_options *o,
			const struct paths *p, struct sandbox *sb, const struct strvec *dirs,
			struct lifecycle *lc, struct slot *slots, size_t nslots, size_t k)
{
	int task[2], done[2];
	if (pipe2(task, O_CLOEXEC) < 0)
		return error_errno("batch: pipe");
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(task[0]);
		close(task[1]);
		return error_errno("batch: pipe");
	}
	pid_t pid = lifecycle_fork(lc);
	if (pid < 0) {
		close(task[0]);
		close(task[1]);
		close(done[0]);
		close(done[1]);
		return error_errno("batch: fork");
	}
	if (pid == 0) {
		/* Another worker's death must show as end of file on its pipe: hold none of theirs. */
		for (size_t i = 0; i < nslots; i++) {
			if (slots[i].pid > 0) {
				close(slots[i].task_fd);
				close(slots[i].done_fd);
			}
		}
		close(task[1]);
		close(done[0]);
		/* The parent's table, nothing of the worker's: freed, or valgrind counts it lost. */
		free(slots);
		worker(spec, o, p, sb, dirs, task[0], done[1]);
	}
	close(task[0]);
	close(done[1]);
	slots[k] = (struct slot){pid, task[1], done[0], NULL};
	return 0;
}

/*
 * Closes the worker of slot k's pipes (it reads end of file and exits), or
 * kills it, and reaps it; returns its wait status.  What a killed worker
 * was building goes with it: what it left running came back to this
 * process (a subreaper: a sandbox's init still copying a build back, a
 * student's process run without a sandbox) and is killed and reaped before
 * its scratch folder is removed.
 */
static int stop_worker(struct slot *slots, size_t nslots, size_t k, bool kill_it)
{
	struct slot *s = &slots[k];
	int status = 0;
	if (s->pid <= 0)
		return status;
	close(s->task_fd);
	close(s->done_fd);
	if (kill_it)
		kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	pid_t *others = xcalloc(nslots, sizeof(*others));
	size_t n = 0;
	for (size_t i = 0; i < nslots; i++)
		if (i != k && slots[i].pid > 0)
			others[n++] = slots[i].pid;
	lifecycle_reap_orphans(others, n);
	free(others);
	lifecycle_remove_scratch_of(s->pid);
	s->pid = 0;
	s->dir = NULL;
	return status;
}

/* The workers grading a submission now. */
static size_t busy_slots(const struct slot *slots, size_t nslots)
{
	size_t n = 0;
	for (size_t i = 0; i < nslots; i++)
		n += slots[i].dir != NULL;
	return n;
}

/*
 * Hears from one busy worker: 1 when the submission it graded has a test
 * the machine kept from running, or got an error report instead of its
 * own (the grader failed, or the worker died: then it is reaped, and the
 * slot is free for a new one); 0 when it finished normally.
 */
static int hear_from(const struct spec *spec, const struct batch_options *o, struct slot *slots,
		     size_t nslots, size_t k, bool *cached)
{
	struct slot *s = &slots[k];
	char answer;
	ssize_t n;
	do
		n = read(s->done_fd, &answer, 1);
	while (n < 0 && errno == EINTR);
	const char *dir = s->dir;
	s->dir = NULL;
	*cached = n == 1 && answer == TASK_DONE_CACHED;
	if (n == 1 && (answer == TASK_DONE || answer == TASK_DONE_CACHED))
		return 0;
	/* Its report is written, and names the tests the machine kept from running. */
	if (n == 1 && answer == TASK_ERRORS)
		return 1;
	/* End of file: the worker died; reaped, its slot is free for a new one. */
	int status = n == 1 ? 0 : stop_worker(slots, nslots, k, false);
	char *why = WIFSIGNALED(status)
			    ? xasprintf("the grader crashed (%s) while grading this submission",
					signal_name(WTERMSIG(status)))
			    : xstrdup("the grader failed while grading this submission (see its "
				      "error output)");
	write_error_report(spec, o, dir, why);
	free(why);
	return 1;
}

/* await_worker's answers: a stop signal came first (lifecycle_signal() reads it); time ran out. */
#define AWAIT_STOPPED 2
#define AWAIT_TIMEOUT 3

/*
 * Waits until a busy worker answers, and hears from it (as hear_from), or
 * until a stop signal is readable on sigfd (AWAIT_STOPPED), or timeout_ms
 * passed (AWAIT_TIMEOUT; -1: no limit); -1 when poll fails.
 */
static int await_worker(const struct spec *spec, const struct batch_options *o, struct slot *slots,
			size_t nslots, int sigfd, int timeout_ms, bool *cached)
{
	struct pollfd *pfds = xcalloc(nslots + 1, sizeof(*pfds));
	for (size_t i = 0; i < nslots; i++)
		pfds[i] = (struct pollfd){slots[i].dir ? slots[i].done_fd : -1, POLLIN, 0};
	pfds[nslots] = (struct pollfd){sigfd, POLLIN, 0};
	int rc;
	do
		rc = poll(pfds, (nfds_t)nslots + 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		free(pfds);
		return AWAIT_TIMEOUT;
	}
	size_t k = 0;
	while (rc > 0 && k < nslots && !pfds[k].revents)
		k++;
	free(pfds);
	if (rc < 0)
		return error_errno("batch: poll");
	return k < nslots ? hear_from(spec, o, slots, nslots, k, cached) : AWAIT_STOPPED;
}

/*
 * Reads back every report this batch wrote: with the class reports
 * (gradebook.csv, junit.xml, index.html) for a whole class, none for a
 * shard (`grader report` writes them once every shard is done).  A student
 * whose report cannot be read is named on stderr and counted in counts
 * (class_merge.h), as are the roster's mismatches.  -1 when the class
 * reports could not be written.
 */
static int read_back(const struct spec *spec, const struct batch_options *o,
		     const struct strvec *dirs, struct class_merge_counts *counts)
{
	struct strvec names = STRVEC_INIT;
	strvec_init(&names);
	for (size_t i = 0; i < dirs->n; i++)
		strvec_push(&names, shard_student_name(dirs->v[i]));
	struct class_merge_options mo = {
	    .report_dir = o->report_dir,
	    .what = o->sharded ? 0 : CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML,
	    .who = "batch",
	    .why_missing = "the grader could not write or read back this student's report (see its "
			   "error output)",
	    .roster = o->roster,
	    .gradebook = o->gradebook,
	    .gradebook_column = o->gradebook_column,
	};
	int ret = class_merge_write(spec, &mo, &names, counts);
	strvec_clear(&names);
	return ret;
}

/* Keeps the student folders of shard s in dirs, in order; frees the others. */
static void keep_shard(struct strvec *dirs, const struct shard *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < dirs->n; i++) {
		if (shard_contains(s, shard_student_name(dirs->v[i])))
			dirs->v[kept++] = dirs->v[i];
		else
			free(dirs->v[i]);
	}
	dirs->n = kept;
	dirs->v[kept] = NULL;
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
	struct slot *slots = NULL;
	int jobs = 0;
	/* Slots: more than -j, the extra ones taking work only while CPUs idle (cpu_idle.h). */
	size_t nslots = 0;
	int status = EXIT_INTERNAL;
	bool worker_failed = false;
	size_t cache_hits = 0;
	int stopped = 0;
	/* Before anything is made that a stop signal must not leave behind. */
	struct lifecycle lc;
	if (lifecycle_init(&lc) < 0) {
		fprintf(stderr, "grader: batch: %s\n", error_last());
		goto release;
	}

	/* The whole class is recorded, whichever part of it is graded here (shard.h). */
	if (shard_list_class(o->root, "batch", &dirs) < 0 || mkdir_p(p.fingerprints, 0755) < 0 ||
	    mkdir_p(p.builds, 0700) < 0 || shard_class_write(o->report_dir, &o->shard, &dirs) < 0) {
		escape_line(stderr, "grader: batch: %s", error_last());
		goto out;
	}
	if (o->sharded) {
		size_t class_size = dirs.n;
		keep_shard(&dirs, &o->shard);
		fprintf(stderr, "batch: shard %u/%u: %zu of the class's %zu students\n", o->shard.k,
			o->shard.n, dirs.n, class_size);
	}
	/*
	 * Twice as many workers as CPUs by default: a test that waits (a
	 * sleep, a timeout, a `ready` delay) leaves its CPU to another worker,
	 * and the deadlines count only the time a test could run
	 * (run_cpu.c), so the crowd changes no verdict.
	 */
	int cpus = cpu_usable();
	jobs = o->jobs > 0 ? o->jobs : 2 * cpus;
	nslots = cpu_idle_ceiling((size_t)jobs, cpus);
	if (o->jobs <= 0)
		fprintf(stderr,
			"batch: %d workers (twice the %d CPU%s it may use: tests that wait leave room; "
			"-j sets it), up to %zu while CPUs sit idle\n",
			jobs, cpus, cpus == 1 ? "" : "s", nslots);
	else
		fprintf(stderr, "batch: %d workers, up to %zu while CPUs sit idle\n", jobs, nslots);
	slots = xcalloc(nslots, sizeof(*slots));
	/*
	 * A test that sleeps or waits (a server polling for a client that never
	 * comes) leaves its CPU idle: while our CPUs sit idle, more workers take
	 * submissions, up to the ceiling; as they fill, fewer take new ones.
	 */
	size_t limit = (size_t)jobs, most = 0;
	struct cpu_idle meter;
	cpu_idle_init(&meter);
	double sampled = now_seconds();
	/* Probed once; the workers inherit what it found. */
	sb = sandbox_new(o->sandbox);
	if (!sandbox_full(sb))
		report_warn_partial(stderr, sandbox_missing(sb));

	struct digest spec_d;
	bool spec_known = spec_digest(spec, o->spec_path, &spec_d);
	struct progress pr = {dirs.n, 0, 0, now_seconds(), 0, isatty(2) == 1};
	for (size_t next = 0; next < dirs.n || busy_slots(slots, nslots) > 0;) {
		if ((stopped = lifecycle_signal(&lc)))
			break;
		size_t busy = busy_slots(slots, nslots);
		if (now_seconds() - sampled >= BATCH_SAMPLE_MS / 1000.0) {
			limit = cpu_idle_workers(limit, cpu_idle_sample(&meter), busy, cpus,
						 (size_t)jobs, nslots);
			sampled = now_seconds();
		}
		most = busy > most ? busy : most;
		size_t idle = 0;
		while (idle < nslots && slots[idle].dir)
			idle++;
		if (next < dirs.n && busy < limit) {
			size_t index = next++;
			const char *dir = dirs.v[index];
			char *student = grade_submission_name(dir);
			char *print = spec_known ? fingerprint(&spec_d, dir) : NULL;
			bool skip = o->resume && up_to_date(o, &p, student, print);
			free(student);
			if (skip) {
				free(print);
				pr.done++;
				pr.skipped++;
				progress_show(&pr, false);
				continue;
			}
			struct task t = {.index = index, .has_print = print != NULL};
			if (print)
				snprintf(t.print, sizeof(t.print), "%s", print);
			free(print);
			if (slots[idle].pid <= 0 &&
			    start_worker(spec, o, &p, sb, &dirs, &lc, slots, nslots, idle) < 0) {
				escape_line(stderr, "grader: %s", error_last());
				goto out;
			}
			if (write_all(slots[idle].task_fd, &t, sizeof(t)) < 0) {
				/* It died between two tasks (SIGPIPE is ignored): this one is its to report. */
				stop_worker(slots, nslots, idle, true);
				write_error_report(spec, o, dir,
						   "the grader's worker died before grading this submission");
				worker_failed = true;
				pr.done++;
				progress_show(&pr, false);
				continue;
			}
			slots[idle].dir = dir;
			continue;
		}
		bool cached = false;
		/* While work waits and more workers may start, look at the CPUs again soon. */
		int wait_ms = next < dirs.n && limit < nslots ? BATCH_SAMPLE_MS : -1;
		int rc = await_worker(spec, o, slots, nslots, lc.sigfd, wait_ms, &cached);
		if (rc < 0) {
			escape_line(stderr, "grader: %s", error_last());
			goto out;
		}
		if (rc == AWAIT_STOPPED || rc == AWAIT_TIMEOUT)
			continue;
		worker_failed |= rc > 0;
		cache_hits += cached;
		pr.done++;
		progress_show(&pr, false);
	}
	if (stopped) {
		/* Killed, reaped, their scratch folders removed below: --resume goes on from here. */
		fprintf(stderr, "%sgrader: batch stopped by %s: %zu of %zu submissions done; --resume "
				"grades the rest\n",
			pr.tty ? "\n" : "", signal_name(stopped), pr.done, pr.total);
		status = LIFECYCLE_STOPPED + stopped;
		goto out;
	}
	/* No more tasks: each worker reads end of file and exits. */
	for (size_t i = 0; i < nslots; i++)
		stop_worker(slots, nslots, i, false);
	progress_show(&pr, true);
	struct rusage self;
	if (getrusage(RUSAGE_SELF, &self) == 0)
		fprintf(stderr,
			"batch: %zu submissions in %.1fs (at most %zu at once), grader peak memory "
			"%.1f MiB\n",
			pr.total, now_seconds() - pr.start, most, (double)self.ru_maxrss / 1024.0);
	size_t graded = pr.done - pr.skipped;
	if (graded)
		fprintf(stderr, "batch: %zu of %zu builds taken from the build cache (%.0f%%: submissions "
				"identical but for comments are built once)\n",
			cache_hits, graded, 100.0 * (double)cache_hits / (double)graded);

	struct class_merge_counts counts;
	if (read_back(spec, o, &dirs, &counts) < 0) {
		escape_line(stderr, "grader: cannot write the class reports: %s", error_last());
		goto out;
	}
	size_t nmissing = counts.missing;
	const char *lms = gradebook_file_name((enum gradebook_kind)o->gradebook);
	if (o->sharded)
		escape_line(stderr,
			    "grader: shard %u/%u: reports in %s/; once every shard is done, `grader "
			    "report` writes the class reports",
			    o->shard.k, o->shard.n, o->report_dir);
	else
		escape_line(stderr, "grader: reports in %s/ (gradebook.csv%s%s, junit.xml, index.html)",
			    o->report_dir, lms ? ", " : "", lms ? lms : "");
	if (nmissing)
		escape_line(stderr, "grader: %zu student%s without a report of their own (named above)%s",
			    nmissing, nmissing == 1 ? "" : "s",
			    o->sharded ? "" : ": status error in the class reports");
	class_merge_tell_roster(stderr, "batch", &counts);
	/* A student without a report is the grader's failure, told once the rest is done. */
	status = worker_failed || nmissing ? EXIT_INTERNAL : EXIT_ALL_PASSED;
out:
	/* Never leave a worker behind, even on the way out after an error or a stop signal. */
	for (size_t i = 0; slots && i < nslots; i++)
		stop_worker(slots, nslots, i, true);
	sandbox_free(sb);
	/* Last: a stop signal that came meanwhile ends the process now, with nothing left behind. */
	lifecycle_release(&lc);
release:
	free(slots);
	strvec_clear(&dirs);
	free(p.state);
	free(p.fingerprints);
	free(p.builds);
	return status;
}
