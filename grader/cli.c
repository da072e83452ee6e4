#include "cli.h"
#include "cli_internal.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "batch.h"
#include "class_merge.h"
#include "class_report.h"
#include "escape.h"
#include "grade.h"
#include "gradebook_lms.h"
#include "lifecycle.h"
#include "report_json.h"
#include "report_text.h"
#include "sandbox.h"
#include "shard.h"
#include "spec.h"
#include "util.h"

static const char usage_text[] =
	"usage: grader <command> [options]\n"
	"\n"
	"  grader grade    SPEC SUBMISSION_DIR [-o REPORT_DIR] [--format human|json] [--test NAME]...\n"
	"  grader batch    SPEC SUBMISSIONS_ROOT [-o REPORT_DIR] [-j N] [--resume] [--shard K/N]\n"
	"                  [--test NAME]... [--roster FILE.csv]\n"
	"                  [--gradebook generic|canvas|moodle|blackboard]\n"
	"  grader report   SPEC REPORT_DIR [--root SUBMISSIONS_ROOT]   class reports of a folder\n"
	"  grader import   canvas|moodle ARCHIVE.zip DIR   an LMS's download -> a folder per student\n"
	"  grader check    SPEC [SUBMISSION_DIR]      student self-check (default dir \".\")\n"
	"  grader validate SPEC...                    check specs (errors, warnings)\n"
	"  grader --version | --help | <command> --help\n"
	"\n"
	"SPEC is an assignment's spec.yaml or the folder holding it.\n"
	"Exit status: 0 all tests passed, 1 some test failed, 2 usage or spec error,\n"
	"3 internal error.  Linux only.\n";

static const char grade_usage[] =
	"usage: grader grade SPEC SUBMISSION_DIR [-o REPORT_DIR] [--format human|json] [--keep-scratch]\n"
	"                    [--no-sandbox] [--seed S] [--test NAME]...\n"
	"\n"
	"Builds and grades one submission.  Writes REPORT_DIR/<student>.json\n"
	"(default REPORT_DIR: reports/<assignment>) and prints a summary, or with\n"
	"--format json the JSON report and nothing else on stdout.\n"
	"  --keep-scratch  keep the build folder (its path goes to stderr; tests run in memory)\n"
	"  --no-sandbox    run without namespaces (debugging; every report says isolation partial)\n"
	"  --seed S        perturbed tests (spec `perturb`) start from seed S, not the one drawn\n"
	"                  from the submission's files:\n"
	"                  the seed a failing run reported makes it the first run again\n"
	"  --test NAME     grade only the test called NAME (repeatable); the report lists only\n"
	"                  those, and its max_score is the sum of their points\n";

static const char batch_usage[] =
	"usage: grader batch SPEC SUBMISSIONS_ROOT [-o REPORT_DIR] [-j N] [--resume] [--no-sandbox]\n"
	"                    [--seed S] [--shard K/N] [--test NAME]... [--roster FILE.csv]\n"
	"                    [--gradebook generic|canvas|moodle|blackboard] [--gradebook-column NAME]\n"
	"\n"
	"Grades every folder directly under SUBMISSIONS_ROOT, N at a time (default:\n"
	"twice the CPUs), each in a worker of its own.  Writes <student>.json per\n"
	"student, then gradebook.csv, junit.xml and index.html (default REPORT_DIR:\n"
	"reports/<assignment>).  Progress goes to stderr.  --resume skips students\n"
	"whose report is complete and whose submission and spec are unchanged.\n"
	"--seed S starts every perturbed test (spec `perturb`) from seed S.\n"
	"--shard K/N grades only the K-th of N parts of the class (1 <= K <= N;\n"
	"a student's part follows from their folder's name) and writes only the\n"
	"per-student reports: shards on several hosts may share REPORT_DIR, and\n"
	"`grader report` writes the class reports once they are done.\n"
	"--test NAME grades only that test (repeatable): every report lists only those.\n"
	"Every entry of SUBMISSIONS_ROOT that is no student folder (a file, a\n"
	"hidden folder, a link) is named on stderr.\n"
	CLI_LMS_USAGE
	"Exit status 0 when grading finished, whatever the scores.\n";

static const char report_usage[] =
	"usage: grader report SPEC REPORT_DIR [--root SUBMISSIONS_ROOT] [--roster FILE.csv]\n"
	"                     [--gradebook generic|canvas|moodle|blackboard] [--gradebook-column NAME]\n"
	"\n"
	"Writes gradebook.csv, junit.xml and index.html into REPORT_DIR from the\n"
	"<student>.json reports it holds (after `batch --shard`, or while a batch\n"
	"runs).  The class is the one the batches into REPORT_DIR recorded, or\n"
	"with --root the folders under SUBMISSIONS_ROOT: its students without a\n"
	"report yet are named on stderr and in index.html, and have no score in\n"
	"the gradebook.  Exit status 0 when every student has a report, 3 when\n"
	"some student has none.\n"
	CLI_LMS_USAGE;

static const char check_usage[] =
	"usage: grader check [SPEC] [SUBMISSION_DIR] [-o REPORT_DIR] [--spec SPEC] [--seed S]\n"
	"                    [--test NAME]...\n"
	"\n"
	"Without SPEC, the spec is found: --spec, else a .grader file in the\n"
	"submission folder holding the spec's path, else the single spec.yaml\n"
	"under the folder named by $GRADER_SPECS.\n"
	"\n"
	"Grades your own work (default: the current folder) and explains what\n"
	"failed: diffs, hints, and why a program hung.  Writes no report unless -o\n"
	"is given.  Colour on a terminal unless NO_COLOR is set.  --seed S replays\n"
	"the perturbed runs of a test from the seed its report gave.  --test NAME\n"
	"grades only that test (repeatable).\n";

static const char validate_usage[] =
	"usage: grader validate SPEC...\n"
	"\n"
	"Checks each spec as `grade` would before running anything.  Prints nothing\n"
	"but errors (FILE:LINE:COL: message); exit status 2 if there is any.  Warnings\n"
	"(FILE:LINE:COL: warning: message) say what cannot be meant, such as a regex\n"
	"that never matches; alone, they leave the exit status 0.\n";

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* The arguments quoted back may hold anything a shell lets through. */
	escape_line(stderr, "grader: %s", msg.buf ? msg.buf : "");
	fprintf(stderr, "\n%s", usage);
	strbuf_release(&msg);
	return EXIT_USAGE;
}

/*
 * An empty path is never what was meant (`-o ''` once sent batch state to
 * /.grader): a usage error, said as such.  true when value is "".
 */
bool cli_empty_path(const char *usage, const char *what, const char *value)
{
	if (!value || *value)
		return false;
	cli_usage_error(usage, "%s is empty: give a path (\".\" for the current folder)", what);
	return true;
}

/* Loads a spec or prints its errors; NULL means exit status 2. */
static struct spec *load_spec_or_report(const char *path)
{
	struct strvec errors = STRVEC_INIT;
	strvec_init(&errors);
	struct spec *spec = spec_load(path, &errors);
	for (size_t i = 0; i < errors.n; i++)
		escape_line(stderr, "%s", errors.v[i]);
	if (!spec && errors.n == 0)
		escape_line(stderr, "%s: cannot load the spec", path);
	strvec_clear(&errors);
	return spec;
}

/*
 * Loads a spec and keeps only the tests --test named (none: all); NULL
 * means exit status 2.  A name that is none of the spec's tests is a usage
 * error, which lists them.
 */
static struct spec *load_spec_with_tests(const char *path, const struct strvec *tests,
					 const char *usage)
{
	struct spec *spec = load_spec_or_report(path);
	if (!spec || spec_keep_tests(spec, tests) == 0)
		return spec;
	escape_line(stderr, "grader: --test: %s in %s; its tests are:", error_last(), path);
	for (size_t i = 0; i < spec->ntests; i++)
		escape_line(stderr, "  %s", spec->tests[i].name);
	fprintf(stderr, "\n%s", usage);
	spec_free(spec);
	return NULL;
}

struct grade_args {
	const char *spec_path;
	struct strvec tests;	/* --test NAME, in order */
	const char *submission;
	const char *report_dir;
	bool json;
	bool keep_scratch;
	bool no_sandbox;
	bool seeded;
	unsigned long long seed;
	char *found_spec;	/* owned: the spec `check` found by itself */
};

enum {
	OPT_FORMAT = 256,
	OPT_KEEP,
	OPT_NO_SANDBOX,
	OPT_RESUME,
	OPT_SPEC,
	OPT_SEED,
	OPT_SHARD,
	OPT_ROOT,
	OPT_TEST,
	OPT_HELP
};

/* --seed's value: a whole number from 0 to GRADE_SEED_MAX. */
static bool parse_seed(const char *text, unsigned long long *seed)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(text, &end, 10);
	/* strtoull takes "-1" as a huge number: only digits are a seed. */
	if (!*text || *text < '0' || *text > '9' || *end || errno || n > GRADE_SEED_MAX)
		return false;
	*seed = n;
	return true;
}

static const struct option grade_options_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"keep-scratch", no_argument, NULL, OPT_KEEP},
	{"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
	{"spec", required_argument, NULL, OPT_SPEC},
	{"seed", required_argument, NULL, OPT_SEED},
	{"test", required_argument, NULL, OPT_TEST},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static bool is_spec(const char *path)
{
	if (path_is_dir(path)) {
		char *file = path_join(path, "spec.yaml");
		bool found = path_exists(file);
		free(file);
		return found;
	}
	return path_exists(path);
}

/*
 * A .grader file's first line names the spec, relative to the folder it
 * sits in.  The file and what it names are the submission's words, and a
 * spec's errors quote its lines: a grader run as root (a CI job) would print
 * /etc/shadow for a .grader naming it, or naming a link to it.  So .grader
 * must be a regular file, and may name only a regular file called spec.yaml
 * (or a folder holding one): a spec.  *bad receives what it named otherwise.
 */
static char *spec_from_dot_grader(const char *dir, char **bad)
{
	char *file = path_join(dir, ".grader");
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	char *spec = NULL;
	struct stat st;
	if (lstat(file, &st) == 0 && S_ISREG(st.st_mode) && read_file(file, &sb) == 0) {
		size_t len = strcspn(sb.buf, "\r\n");
		char *line = xstrndup(sb.buf, len);
		spec = line[0] == '/' ? xstrdup(line) : path_join(dir, line);
		free(line);
	}
	strbuf_release(&sb);
	free(file);
	if (spec && path_is_dir(spec)) {
		char *in_dir = path_join(spec, "spec.yaml");
		free(spec);
		spec = in_dir;
	}
	const char *base = spec ? strrchr(spec, '/') : NULL;
	if (spec && (strcmp(base ? base + 1 : spec, "spec.yaml") || lstat(spec, &st) < 0 ||
		     !S_ISREG(st.st_mode))) {
		*bad = spec;
		return NULL;
	}
	return spec;
}

/* The one spec.yaml in $GRADER_SPECS or a folder right under it; NULL when none or several. */
static char *spec_from_configured_folder(void)
{
	const char *root = getenv("GRADER_SPECS");
	if (!root || !*root)
		return NULL;
	if (is_spec(root))
		return xstrdup(root);
	DIR *d = opendir(root);
	if (!d)
		return NULL;
	char *found = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = path_join(root, de->d_name);
		if (path_is_dir(path) && is_spec(path) && n++ == 0)
			found = path;
		else
			free(path);
	}
	closedir(d);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

/* Parses grade/check options; returns -1 after printing usage, 1 for --help, 0 to go on. */
static int parse_grade_args(int argc, char **argv, const char *usage, bool student,
			    struct grade_args *a)
{
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", grade_options_long, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->report_dir = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				a->json = true;
			else if (strcmp(optarg, "human")) {
				cli_usage_error(usage, "unknown format '%s': use human or json", optarg);
				return -1;
			}
			break;
		case OPT_KEEP:
			a->keep_scratch = true;
			break;
		case OPT_NO_SANDBOX:
			a->no_sandbox = true;
			break;
		case OPT_SPEC:
			a->spec_path = optarg;
			break;
		case OPT_SEED:
			if (!parse_seed(optarg, &a->seed)) {
				cli_usage_error(usage, "--seed wants a whole number from 0 to %llu, not '%s'",
					    GRADE_SEED_MAX, optarg);
				return -1;
			}
			a->seeded = true;
			break;
		case OPT_TEST:
			strvec_push(&a->tests, optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fprintf(stderr, "\n%s", usage);
			return -1;
		}
	}
	int rest = argc - optind;
	if (cli_empty_path(usage, "-o REPORT_DIR", a->report_dir) ||
	    cli_empty_path(usage, "--spec SPEC", a->spec_path))
		return -1;
	if (!student) {
		if (rest != 2) {
			cli_usage_error(usage, rest < 1 ? "missing SPEC" : rest == 1 ? "missing SUBMISSION_DIR" : "too many arguments");
			return -1;
		}
		a->spec_path = argv[optind];
		a->submission = argv[optind + 1];
		return cli_empty_path(usage, "SPEC", a->spec_path) ||
			       cli_empty_path(usage, "SUBMISSION_DIR", a->submission)
			   ? -1
			   : 0;
	}
	/* check: [SPEC] [DIR]; a lone folder without a spec.yaml is the submission. */
	if (rest > 2 || (rest == 2 && a->spec_path)) {
		cli_usage_error(usage, "too many arguments");
		return -1;
	}
	a->submission = ".";
	if (rest == 2) {
		a->spec_path = argv[optind];
		a->submission = argv[optind + 1];
	} else if (rest == 1 && !a->spec_path && is_spec(argv[optind])) {
		a->spec_path = argv[optind];
	} else if (rest == 1) {
		a->submission = argv[optind];
	}
	if (cli_empty_path(usage, "SPEC", a->spec_path) ||
	    cli_empty_path(usage, "SUBMISSION_DIR", a->submission))
		return -1;
	if (!a->spec_path) {
		char *bad = NULL;
		a->found_spec = spec_from_dot_grader(a->submission, &bad);
		if (bad) {
			cli_usage_error(usage, "%s/.grader names %s: it may name only a spec.yaml that is a regular file (no link), or the folder holding one",
				    a->submission, bad);
			free(bad);
			return -1;
		}
		if (!a->found_spec)
			a->found_spec = spec_from_configured_folder();
		a->spec_path = a->found_spec;
	}
	if (!a->spec_path) {
		cli_usage_error(usage, "which assignment? Give SPEC, --spec, a .grader file in %s, or set GRADER_SPECS to a folder with one spec",
			    a->submission);
		return -1;
	}
	return 0;
}

/* junit.xml and Gradescope's results.json for one graded submission, next to its report. */
static int write_single_reports(const struct grade_result *r, const struct spec *spec,
				const char *report_dir)
{
	json_t *report = report_json_new(r);
	struct class_report *cr = class_report_new_for_spec(report_dir, CLASS_REPORT_JUNIT, spec);
	if (cr)
		class_report_source_at_root(cr);
	int ret = cr && class_report_add(cr, report) == 0 && class_report_finish(cr) == 0 ? 0 : -1;
	class_report_free(cr);
	if (ret == 0) {
		char *path = path_join(report_dir, "results.json");
		ret = gradescope_results_write(report, path);
		free(path);
	}
	json_decref(report);
	return ret;
}

static int grade_or_check(const struct grade_args a, bool student);

static int cmd_grade_or_check(int argc, char **argv, bool student)
{
	const char *usage = student ? check_usage : grade_usage;
	struct grade_args a = {0};
	strvec_init(&a.tests);
	int parsed = parse_grade_args(argc, argv, usage, student, &a);
	int status = parsed ? (parsed > 0 ? EXIT_ALL_PASSED : EXIT_USAGE) : grade_or_check(a, student);
	free(a.found_spec);
	strvec_clear(&a.tests);
	return status;
}

/* What the grading process of grade and check works with (lifecycle_run). */
struct grading {
	const struct grade_args *a;
	bool student;
	const struct spec *spec;
	struct sandbox *sandbox;
};

/* The grading process: grades, writes the reports, prints; returns the exit status. */
static int grade_and_report(void *arg)
{
	const struct grading *g = arg;
	const struct grade_args *a = g->a;
	const struct spec *spec = g->spec;
	int status = EXIT_INTERNAL;
	struct grade_result result;
	char *report_dir = NULL;
	struct grade_options opts = {
	    .keep_scratch = a->keep_scratch, .sandbox = g->sandbox, .seeded = a->seeded, .seed = a->seed};
	int graded = grade_submission(spec, a->submission, &opts, &result);
	/* This process's own part of it (its cgroup, its last init); the watcher frees the rest. */
	sandbox_free(g->sandbox);
	if (graded < 0) {
		escape_line(stderr, "grader: internal error: %s", error_last());
		grade_result_release(&result);
		goto out;
	}
	bool written = true;
	if (a->report_dir || !g->student) {
		report_dir = a->report_dir ? xstrdup(a->report_dir)
					   : xasprintf("reports/%s", spec->assignment);
		/* Still printed below: the grading is never lost with the file. */
		if (report_write_json(&result, report_dir) < 0 ||
		    write_single_reports(&result, spec, report_dir) < 0) {
			escape_line(stderr, "grader: cannot write the report: %s", error_last());
			written = false;
		}
	}
	if (a->json) {
		char *text = report_json_dump(&result);
		fputs(text ? text : "", stdout);
		free(text);
	} else {
		struct text_options topts = {
			.color = report_want_color(stdout),
			.student = g->student,
			.title = spec->title,
		};
		report_print_text(stdout, &result, &topts);
	}
	/* A test the machine kept from running is the grader's failure, said after the rest. */
	size_t errors = grade_result_print_errors(stderr, &result);
	status = !written || errors		     ? EXIT_INTERNAL
		 : grade_result_all_passed(&result) ? EXIT_ALL_PASSED
						     : EXIT_SOME_FAILED;
	grade_result_release(&result);
out:
	if (fflush(stdout) != 0 && status != EXIT_INTERNAL) {
		fprintf(stderr, "grader: cannot write to standard output\n");
		status = EXIT_INTERNAL;
	}
	free(report_dir);
	return status;
}

/*
 * This process only watches (lifecycle.h): the grading runs in a child,
 * so that a stop signal can end it at any moment and leave nothing behind
 * (its scratch folder, the sandbox's folder and cgroup, its processes).
 */
static int grade_or_check(const struct grade_args a, bool student)
{
	if (!path_is_dir(a.submission)) {
		escape_line(stderr, "grader: %s: %s", a.submission,
			    path_exists(a.submission) ? "not a folder" : "no such folder");
		return EXIT_USAGE;
	}
	struct spec *spec = load_spec_with_tests(a.spec_path, &a.tests, student ? check_usage : grade_usage);
	if (!spec)
		return EXIT_USAGE;
	struct lifecycle lc;
	if (lifecycle_init(&lc) < 0) {
		escape_line(stderr, "grader: %s", error_last());
		spec_free(spec);
		return EXIT_INTERNAL;
	}
	lifecycle_sweep_scratch();
	struct grading g = {&a, student, spec, sandbox_new(!a.no_sandbox)};
	/* Said before anything is graded, as batch does: a weaker sandbox is never silent. */
	if (!sandbox_full(g.sandbox))
		report_warn_partial(stderr, sandbox_missing(g.sandbox));
	pid_t child = 0;
	int stopped = lifecycle_signal(&lc);
	int status = stopped ? LIFECYCLE_STOPPED + stopped
			     : lifecycle_run(&lc, grade_and_report, &g, &child);
	if (status < 0) {
		escape_line(stderr, "grader: internal error: %s", error_last());
		status = EXIT_INTERNAL;
	} else if (status > LIFECYCLE_STOPPED) {
		fprintf(stderr, "grader: stopped by %s\n", signal_name(status - LIFECYCLE_STOPPED));
	}
	/* What a grading process that did not finish left (one that did left nothing). */
	if (child > 0)
		lifecycle_remove_scratch_of(child);
	sandbox_free(g.sandbox);
	lifecycle_release(&lc);
	spec_free(spec);
	return status;
}

static const struct option batch_options_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
	{"seed", required_argument, NULL, OPT_SEED},
	{"shard", required_argument, NULL, OPT_SHARD},
	{"test", required_argument, NULL, OPT_TEST},
	CLI_LMS_LONG_OPTIONS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* tests receives the --test names (the caller frees them on every return). */
static int batch_with_args(int argc, char **argv, struct strvec *tests)
{
	struct batch_options o = {.sandbox = true, .shard = {1, 1}};
	struct cli_lms lms = {0};
	const char *report_dir = NULL;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:j:h", batch_options_long, NULL)) != -1) {
		int taken = cli_lms_option(&lms, c, optarg, batch_usage);
		if (taken < 0)
			return EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'o':
			report_dir = optarg;
			break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return cli_usage_error(batch_usage, "-j wants a number of workers from 1 to 1024, not '%s'", optarg);
			o.jobs = (int)n;
			break;
		}
		case OPT_RESUME:
			o.resume = true;
			break;
		case OPT_NO_SANDBOX:
			o.sandbox = false;
			break;
		case OPT_SEED:
			if (!parse_seed(optarg, &o.seed))
				return cli_usage_error(batch_usage, "--seed wants a whole number from 0 to %llu, not '%s'",
						   GRADE_SEED_MAX, optarg);
			o.seeded = true;
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &o.shard) < 0)
				return cli_usage_error(batch_usage, "%s", error_last());
			o.sharded = true;
			break;
		case OPT_TEST:
			strvec_push(tests, optarg);
			break;
		case 'h':
			fputs(batch_usage, stdout);
			return EXIT_ALL_PASSED;
		default:
			fprintf(stderr, "\n%s", batch_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(batch_usage, argc - optind < 2 ? "missing SPEC or SUBMISSIONS_ROOT" : "too many arguments");
	o.spec_path = argv[optind];
	o.root = argv[optind + 1];
	if (cli_empty_path(batch_usage, "-o REPORT_DIR", report_dir) ||
	    cli_empty_path(batch_usage, "SPEC", o.spec_path) ||
	    cli_empty_path(batch_usage, "SUBMISSIONS_ROOT", o.root))
		return EXIT_USAGE;
	if (!path_is_dir(o.root)) {
		escape_line(stderr, "grader: %s: %s", o.root,
			    path_exists(o.root) ? "not a folder" : "no such folder");
		return EXIT_USAGE;
	}
	if (cli_lms_load(&lms, batch_usage) < 0)
		return EXIT_USAGE;
	struct spec *spec = load_spec_with_tests(o.spec_path, tests, batch_usage);
	if (!spec) {
		cli_lms_release(&lms);
		return EXIT_USAGE;
	}
	char *dir = report_dir ? xstrdup(report_dir) : xasprintf("reports/%s", spec->assignment);
	o.report_dir = dir;
	o.roster = lms.loaded ? &lms.roster : NULL;
	o.gradebook = lms.gradebook;
	o.gradebook_column = lms.column;
	lifecycle_sweep_scratch();
	/* batch_run says which reports it wrote: it alone knows. */
	int status = batch_run(spec, &o);
	free(dir);
	spec_free(spec);
	cli_lms_release(&lms);
	return status;
}

static int cmd_batch(int argc, char **argv)
{
	struct strvec tests;
	strvec_init(&tests);
	int status = batch_with_args(argc, argv, &tests);
	strvec_clear(&tests);
	return status;
}

static const struct option report_options_long[] = {
	{"root", required_argument, NULL, OPT_ROOT},
	CLI_LMS_LONG_OPTIONS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int cmd_report(int argc, char **argv)
{
	const char *root = NULL;
	struct cli_lms lms = {0};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", report_options_long, NULL)) != -1) {
		int taken = cli_lms_option(&lms, c, optarg, report_usage);
		if (taken < 0)
			return EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case OPT_ROOT:
			root = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			return EXIT_ALL_PASSED;
		default:
			fprintf(stderr, "\n%s", report_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(report_usage, argc - optind < 2 ? "missing SPEC or REPORT_DIR" : "too many arguments");
	const char *spec_path = argv[optind];
	const char *report_dir = argv[optind + 1];
	if (cli_empty_path(report_usage, "SPEC", spec_path) ||
	    cli_empty_path(report_usage, "REPORT_DIR", report_dir) ||
	    cli_empty_path(report_usage, "--root SUBMISSIONS_ROOT", root))
		return EXIT_USAGE;
	const char *const folders[] = {report_dir, root};
	for (size_t i = 0; i < ARRAY_SIZE(folders); i++) {
		if (folders[i] && !path_is_dir(folders[i])) {
			escape_line(stderr, "grader: %s: %s", folders[i],
				    path_exists(folders[i]) ? "not a folder" : "no such folder");
			return EXIT_USAGE;
		}
	}
	if (cli_lms_load(&lms, report_usage) < 0)
		return EXIT_USAGE;
	struct spec *spec = load_spec_or_report(spec_path);
	if (!spec) {
		cli_lms_release(&lms);
		return EXIT_USAGE;
	}
	double start = now_seconds();
	struct strvec names = STRVEC_INIT;
	strvec_init(&names);
	struct class_merge_options mo = {
	    .report_dir = report_dir,
	    .what = CLASS_REPORT_CSV | CLASS_REPORT_JUNIT | CLASS_REPORT_HTML,
	    .who = "report",
	    .why_missing = "this student has no report yet: their shard has not graded them, or "
			   "could not write their report (see its error output)",
	    .others = true,
	    .roster = lms.loaded ? &lms.roster : NULL,
	    .gradebook = lms.gradebook,
	    .gradebook_column = lms.column,
	};
	struct class_merge_counts counts;
	int status = EXIT_INTERNAL;
	if (class_merge_class_of(report_dir, root, &names) < 0 ||
	    class_merge_write(spec, &mo, &names, &counts) < 0) {
		escape_line(stderr, "grader: report: %s", error_last());
		goto out;
	}
	struct rusage self;
	double mib = getrusage(RUSAGE_SELF, &self) == 0 ? (double)self.ru_maxrss / 1024.0 : 0;
	const char *lms_file = gradebook_file_name((enum gradebook_kind)lms.gradebook);
	escape_line(stderr,
		    "grader: report: %zu students in %s/ (gradebook.csv%s%s, junit.xml, index.html), "
		    "%.1fs, peak memory %.1f MiB",
		    counts.students, report_dir, lms_file ? ", " : "", lms_file ? lms_file : "",
		    now_seconds() - start, mib);
	class_merge_tell_roster(stderr, "report", &counts);
	if (counts.missing)
		escape_line(stderr, "grader: report: %zu of them without a report yet (named above)",
			    counts.missing);
	status = counts.missing ? EXIT_INTERNAL : EXIT_ALL_PASSED;
out:
	strvec_clear(&names);
	spec_free(spec);
	cli_lms_release(&lms);
	return status;
}

static int cmd_validate(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(validate_usage, "missing SPEC");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(validate_usage, stdout);
		return EXIT_ALL_PASSED;
	}
	int status = EXIT_ALL_PASSED;
	for (int i = 1; i < argc; i++) {
		struct spec *spec = load_spec_or_report(argv[i]);
		if (!spec)
			status = EXIT_USAGE;
		spec_free(spec);
	}
	return status;
}

int cli_main(int argc, char **argv)
{
	/* Writes to a pipe a student's program closed must fail with EPIPE, not kill the grader. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("grader %s\n", GRADER_VERSION);
		return EXIT_ALL_PASSED;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return EXIT_ALL_PASSED;
	}
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	int status;
	if (!strcmp(cmd, "grade")) {
		status = cmd_grade_or_check(argc - 1, argv + 1, false);
	} else if (!strcmp(cmd, "batch")) {
		status = cmd_batch(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "report")) {
		status = cmd_report(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "import")) {
		status = cli_import(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "check")) {
		status = cmd_grade_or_check(argc - 1, argv + 1, true);
	} else {
		escape_line(stderr, "grader: unknown command '%s'", cmd);
		fprintf(stderr, "\n%s", usage_text);
		return EXIT_USAGE;
	}
	/* Stopped by a signal: everything cleaned up, the grader ends killed by it, as asked. */
	if (status > LIFECYCLE_STOPPED)
		lifecycle_die(status - LIFECYCLE_STOPPED);
	return status;
}
