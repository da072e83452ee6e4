#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "report_json.h"
#include "report_text.h"
#include "sandbox.h"
#include "spec.h"
#include "util.h"

static const char usage_text[] =
	"usage: grader <command> [options]\n"
	"\n"
	"  grader grade    SPEC SUBMISSION_DIR [-o REPORT_DIR] [--format human|json]\n"
	"  grader check    SPEC [SUBMISSION_DIR]      student self-check (default dir \".\")\n"
	"  grader validate SPEC...                    check specs, print only errors\n"
	"  grader --version | --help | <command> --help\n"
	"\n"
	"SPEC is an assignment's spec.yaml or the folder holding it.\n"
	"Exit status: 0 all tests passed, 1 some test failed, 2 usage or spec error,\n"
	"3 internal error.  Linux only.\n";

static const char grade_usage[] =
	"usage: grader grade SPEC SUBMISSION_DIR [-o REPORT_DIR] [--format human|json] [--keep-scratch]\n"
	"                    [--no-sandbox]\n"
	"\n"
	"Builds and grades one submission.  Writes REPORT_DIR/<student>.json\n"
	"(default REPORT_DIR: reports/<assignment>) and prints a summary, or with\n"
	"--format json the JSON report and nothing else on stdout.\n"
	"  --keep-scratch  keep the build and test folders (their path goes to stderr)\n"
	"  --no-sandbox    run without namespaces (debugging; every report says isolation partial)\n";

static const char check_usage[] =
	"usage: grader check SPEC [SUBMISSION_DIR] [-o REPORT_DIR]\n"
	"\n"
	"Grades your own work (default: the current folder) and explains what\n"
	"failed: diffs, hints, and why a program hung.  Writes no report unless -o\n"
	"is given.  Colour on a terminal unless NO_COLOR is set.\n";

static const char validate_usage[] =
	"usage: grader validate SPEC...\n"
	"\n"
	"Checks each spec as `grade` would before running anything.  Prints nothing\n"
	"but errors (FILE:LINE:COL: message); exit status 2 if there is any.\n";

static int usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "grader: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n\n%s", usage);
	va_end(ap);
	return EXIT_USAGE;
}

/* Loads a spec or prints its errors; NULL means exit status 2. */
static struct spec *load_spec_or_report(const char *path)
{
	struct strvec errors = STRVEC_INIT;
	strvec_init(&errors);
	struct spec *spec = spec_load(path, &errors);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s\n", errors.v[i]);
	if (!spec && errors.n == 0)
		fprintf(stderr, "%s: cannot load the spec\n", path);
	strvec_clear(&errors);
	return spec;
}

struct grade_args {
	const char *spec_path;
	const char *submission;
	const char *report_dir;
	bool json;
	bool keep_scratch;
	bool no_sandbox;
};

enum { OPT_FORMAT = 256, OPT_KEEP, OPT_NO_SANDBOX, OPT_HELP };

static const struct option grade_options_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"keep-scratch", no_argument, NULL, OPT_KEEP},
	{"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

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
				usage_error(usage, "unknown format '%s': use human or json", optarg);
				return -1;
			}
			break;
		case OPT_KEEP:
			a->keep_scratch = true;
			break;
		case OPT_NO_SANDBOX:
			a->no_sandbox = true;
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
	if (rest < 1 || rest > 2 || (!student && rest != 2)) {
		usage_error(usage, rest < 1 ? "missing SPEC" : rest == 1 ? "missing SUBMISSION_DIR" : "too many arguments");
		return -1;
	}
	a->spec_path = argv[optind];
	a->submission = rest == 2 ? argv[optind + 1] : ".";
	return 0;
}

static void warn_partial_isolation(const struct grade_result *r)
{
	if (r->isolation_full)
		return;
	fprintf(stderr, "grader: warning: isolation partial, missing:");
	for (size_t i = 0; i < r->isolation_missing.n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", r->isolation_missing.v[i]);
	fprintf(stderr, "\n");
}

static int cmd_grade_or_check(int argc, char **argv, bool student)
{
	const char *usage = student ? check_usage : grade_usage;
	struct grade_args a = {0};
	int parsed = parse_grade_args(argc, argv, usage, student, &a);
	if (parsed)
		return parsed > 0 ? EXIT_ALL_PASSED : EXIT_USAGE;
	if (!path_is_dir(a.submission)) {
		fprintf(stderr, "grader: %s: %s\n", a.submission,
			path_exists(a.submission) ? "not a folder" : "no such folder");
		return EXIT_USAGE;
	}
	struct spec *spec = load_spec_or_report(a.spec_path);
	if (!spec)
		return EXIT_USAGE;

	int status = EXIT_INTERNAL;
	struct grade_result result;
	char *report_dir = NULL;
	struct sandbox *sandbox = sandbox_new(!a.no_sandbox);
	struct grade_options opts = {.keep_scratch = a.keep_scratch, .sandbox = sandbox};
	int graded = grade_submission(spec, a.submission, &opts, &result);
	sandbox_free(sandbox);
	if (graded < 0) {
		fprintf(stderr, "grader: internal error: %s\n", error_last());
		grade_result_release(&result);
		goto out;
	}
	if (a.report_dir || !student) {
		report_dir = a.report_dir ? xstrdup(a.report_dir)
					  : xasprintf("reports/%s", spec->assignment);
		if (report_write_json(&result, report_dir) < 0) {
			fprintf(stderr, "grader: cannot write the report: %s\n", error_last());
			grade_result_release(&result);
			goto out;
		}
	}
	warn_partial_isolation(&result);
	if (a.json) {
		char *text = report_json_dump(&result);
		fputs(text ? text : "", stdout);
		free(text);
	} else {
		struct text_options topts = {
			.color = report_want_color(stdout),
			.student = student,
			.title = spec->title,
		};
		report_print_text(stdout, &result, &topts);
	}
	status = grade_result_all_passed(&result) ? EXIT_ALL_PASSED : EXIT_SOME_FAILED;
	grade_result_release(&result);
out:
	if (fflush(stdout) != 0 && status != EXIT_INTERNAL) {
		fprintf(stderr, "grader: cannot write to standard output\n");
		status = EXIT_INTERNAL;
	}
	free(report_dir);
	spec_free(spec);
	return status;
}

static int cmd_validate(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(validate_usage, "missing SPEC");
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
	if (!strcmp(cmd, "grade"))
		return cmd_grade_or_check(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "check"))
		return cmd_grade_or_check(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	fprintf(stderr, "grader: unknown command '%s'\n\n%s", cmd, usage_text);
	return EXIT_USAGE;
}
