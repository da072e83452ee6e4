/*
 * cli_lms.c: the command line's LMS parts (cli_internal.h): `grader import`
 * (lms_import.h) and the options batch and report share for the LMS
 * gradebooks (gradebook_lms.h) and the roster (roster.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_internal.h"
#include "escape.h"
#include "gradebook_lms.h"
#include "lms_import.h"
#include "util.h"

int cli_lms_option(struct cli_lms *l, int c, const char *arg, const char *usage)
{
	enum gradebook_kind kind;
	switch (c) {
	case CLI_OPT_ROSTER:
		l->roster_path = arg;
		return cli_empty_path(usage, "--roster FILE.csv", arg) ? -1 : 1;
	case CLI_OPT_GRADEBOOK:
		if (gradebook_kind_parse(arg, &kind) < 0) {
			cli_usage_error(usage, "%s", error_last());
			return -1;
		}
		l->gradebook = kind;
		return 1;
	case CLI_OPT_GRADEBOOK_COLUMN:
		if (!*arg || strpbrk(arg, "\r\n")) {
			cli_usage_error(usage,
					"--gradebook-column wants the grade column's header on "
					"one line, not '%s'",
					arg);
			return -1;
		}
		l->column = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_lms_load(struct cli_lms *l, const char *usage)
{
	if (l->column && l->gradebook == GRADEBOOK_GENERIC) {
		cli_usage_error(usage, "--gradebook-column names the column of an LMS gradebook: "
				       "give --gradebook canvas, moodle or blackboard");
		return -1;
	}
	if (!l->roster_path)
		return 0;
	if (roster_load(l->roster_path, &l->roster) < 0) {
		escape_line(stderr, "grader: %s", error_last());
		return -1;
	}
	l->loaded = true;
	return 0;
}

void cli_lms_release(struct cli_lms *l)
{
	if (l->loaded)
		roster_release(&l->roster);
	l->loaded = false;
}

static const char import_usage[] =
    "usage: grader import canvas|moodle ARCHIVE.zip DIR [--write-roster FILE.csv]\n"
    "\n"
    "Turns an LMS's \"download all submissions\" archive into one folder per\n"
    "student under DIR (empty or new), holding the files the student uploaded\n"
    "under their own names: what `grader batch SPEC DIR` grades.  Canvas: the\n"
    "folder is the student's name as Canvas writes it (doejohn), a file uploaded\n"
    "again loses Canvas's \"-1\", the latest upload is kept.  Moodle: the folder\n"
    "is the student's full name (Jane_Roe).  Every entry not imported is named\n"
    "on stderr with why.  --write-roster writes the folders found as a roster\n"
    "(--roster; Canvas's user ids included) to complete for the LMS gradebooks.\n"
    "Exit status 0 when imported (some entries may be skipped), 2 for a usage\n"
    "error or an archive that is no LMS download, 3 when DIR cannot be written.\n";

static const struct option import_options_long[] = {
    {"write-roster", required_argument, NULL, CLI_OPT_WRITE_ROSTER},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cli_import(int argc, char **argv)
{
	struct lms_import_options o = {LMS_IMPORT_LIMITS};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", import_options_long, NULL)) != -1) {
		switch (c) {
		case CLI_OPT_WRITE_ROSTER:
			o.roster_out = optarg;
			break;
		case 'h':
			fputs(import_usage, stdout);
			return EXIT_ALL_PASSED;
		default:
			fprintf(stderr, "\n%s", import_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 3)
		return cli_usage_error(
		    import_usage, argc - optind < 3 ? "give the LMS, the archive and the folder"
						    : "too many arguments");
	if (lms_kind_parse(argv[optind], &o.kind) < 0)
		return cli_usage_error(import_usage, "%s", error_last());
	o.archive = argv[optind + 1];
	o.dir = argv[optind + 2];
	if (cli_empty_path(import_usage, "ARCHIVE.zip", o.archive) ||
	    cli_empty_path(import_usage, "DIR", o.dir) ||
	    cli_empty_path(import_usage, "--write-roster FILE.csv", o.roster_out))
		return EXIT_USAGE;
	struct lms_import_counts counts;
	enum lms_import_status status = lms_import(&o, &counts);
	if (status != LMS_IMPORT_OK) {
		escape_line(stderr, "grader: import: %s", error_last());
		return status == LMS_IMPORT_BAD_INPUT ? EXIT_USAGE : EXIT_INTERNAL;
	}
	escape_line(stderr, "grader: import: %zu file%s of %zu student%s into %s/%s%s",
		    counts.files, counts.files == 1 ? "" : "s", counts.students,
		    counts.students == 1 ? "" : "s", o.dir,
		    o.roster_out ? "; their roster in " : "", o.roster_out ? o.roster_out : "");
	if (counts.skipped)
		escape_line(stderr, "grader: import: %zu entr%s skipped (named above)",
			    counts.skipped, counts.skipped == 1 ? "y" : "ies");
	return EXIT_ALL_PASSED;
}
