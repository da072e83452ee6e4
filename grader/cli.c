/*
 * cli: the command line (cli.h) — the dispatch to the commands, `batch`,
 * `report` and `validate`, and what every command shares (cli_internal.h):
 * usage errors, loading a spec, --seed.  `grade` and `check` are
 * cli_grade.c; `import` and the LMS options, cli_lms.c.
 */
#include "cli.h"
#include "cli_internal.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "batch.h"
#include "class_merge.h"
#include "class_report.h"
#include "escape.h"
#include "grade.h"
#include "gradebook_lms.h"
#include "lifecycle.h"
#include "report_json.h"
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

static const char batch_usage[] =
	"usage: grader batch SPEC SUBMISSIONS_ROOT [-o REPORT_DIR] [-j N] [--resume] [--no-sandbox]\n"
	"                    [--seed S] [--shard K/N] [--test NAME]... [--roster FILE.csv]\n"
	"                    [--gradebook generic|canvas|moodle|blackboard] [--gradebook-column NAME]\n"
	"\n"
	"Grades every folder directly under SUBMISSIONS_ROOT, N at a time (default:\n"
	"twice the CPUs; up to 2N while CPUs sit idle), each in a worker of its own.\n"
	"Writes <student>.json per\n"
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
struct spec *cli_load_spec_with_tests(const char *path, const struct strvec *tests,
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

/* --seed's value: a whole number from 0 to GRADE_SEED_MAX. */
bool cli_parse_seed(const char *text, unsigned long long *seed)
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

static const struct option batch_options_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"resume", no_argument, NULL, CLI_OPT_RESUME},
	{"no-sandbox", no_argument, NULL, CLI_OPT_NO_SANDBOX},
	{"seed", required_argument, NULL, CLI_OPT_SEED},
	{"shard", required_argument, NULL, CLI_OPT_SHARD},
	{"test", required_argument, NULL, CLI_OPT_TEST},
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
		case CLI_OPT_RESUME:
			o.resume = true;
			break;
		case CLI_OPT_NO_SANDBOX:
			o.sandbox = false;
			break;
		case CLI_OPT_SEED:
			if (!cli_parse_seed(optarg, &o.seed))
				return cli_usage_error(batch_usage, "--seed wants a whole number from 0 to %llu, not '%s'",
						   GRADE_SEED_MAX, optarg);
			o.seeded = true;
			break;
		case CLI_OPT_SHARD:
			if (shard_parse(optarg, &o.shard) < 0)
				return cli_usage_error(batch_usage, "%s", error_last());
			o.sharded = true;
			break;
		case CLI_OPT_TEST:
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
	struct spec *spec = cli_load_spec_with_tests(o.spec_path, tests, batch_usage);
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
	{"root", required_argument, NULL, CLI_OPT_ROOT},
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
		case CLI_OPT_ROOT:
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
		status = cli_grade_or_check(argc - 1, argv + 1, false);
	} else if (!strcmp(cmd, "batch")) {
		status = cmd_batch(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "report")) {
		status = cmd_report(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "import")) {
		status = cli_import(argc - 1, argv + 1);
	} else if (!strcmp(cmd, "check")) {
		status = cli_grade_or_check(argc - 1, argv + 1, true);
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
