/*
 * cli_grade: the commands that grade one submission (cli_internal.h) —
 * `grader grade` (a TA's, or a CI job's) and `grader check` (a student's,
 * which finds the spec by itself) — their options, and the grading process
 * that writes the reports and prints the result while this one watches.
 */
#include "cli.h"
#include "cli_internal.h"

#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "class_report.h"
#include "escape.h"
#include "grade.h"
#include "lifecycle.h"
#include "report_json.h"
#include "report_text.h"
#include "sandbox.h"
#include "spec.h"
#include "util.h"

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

static const struct option grade_options_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, CLI_OPT_FORMAT},
	{"keep-scratch", no_argument, NULL, CLI_OPT_KEEP},
	{"no-sandbox", no_argument, NULL, CLI_OPT_NO_SANDBOX},
	{"spec", required_argument, NULL, CLI_OPT_SPEC},
	{"seed", required_argument, NULL, CLI_OPT_SEED},
	{"test", required_argument, NULL, CLI_OPT_TEST},
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
		case CLI_OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				a->json = true;
			else if (strcmp(optarg, "human")) {
				cli_usage_error(usage, "unknown format '%s': use human or json", optarg);
				return -1;
			}
			break;
		case CLI_OPT_KEEP:
			a->keep_scratch = true;
			break;
		case CLI_OPT_NO_SANDBOX:
			a->no_sandbox = true;
			break;
		case CLI_OPT_SPEC:
			a->spec_path = optarg;
			break;
		case CLI_OPT_SEED:
			if (!cli_parse_seed(optarg, &a->seed)) {
				cli_usage_error(usage, "--seed wants a whole number from 0 to %llu, not '%s'",
					    GRADE_SEED_MAX, optarg);
				return -1;
			}
			a->seeded = true;
			break;
		case CLI_OPT_TEST:
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

int cli_grade_or_check(int argc, char **argv, bool student)
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
	struct spec *spec = cli_load_spec_with_tests(a.spec_path, &a.tests, student ? check_usage : grade_usage);
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
