/*
 * cli_internal: what the command line's files share — cli.c (the commands,
 * `batch`, `report` and `validate`, and what the others share: usage
 * errors, loading a spec, --seed), cli_grade.c (`grade` and `check`) and
 * cli_lms.c (`grader import`, and the LMS options that batch and report
 * take).  Nothing outside them includes it.
 */
#ifndef GRADER_CLI_INTERNAL_H
#define GRADER_CLI_INTERNAL_H

#include <stdbool.h>

#include "roster.h"

struct spec;
struct strvec;

/* Prints "grader: MESSAGE" (escaped) and usage on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An empty path is never what was meant: a usage error, said as such.  true when value is "". */
bool cli_empty_path(const char *usage, const char *what, const char *value);

/*
 * Loads a spec and keeps only the tests --test named (none: all); NULL
 * means exit status 2, its errors printed.  A name that is none of the
 * spec's tests is a usage error, which lists them.
 */
struct spec *cli_load_spec_with_tests(const char *path, const struct strvec *tests,
				      const char *usage);

/* Reads --seed's value, a whole number from 0 to GRADE_SEED_MAX, into *seed; false if not one. */
bool cli_parse_seed(const char *text, unsigned long long *seed);

/* `grader grade`, or with student `grader check` (cli_grade.c): returns the exit status. */
int cli_grade_or_check(int argc, char **argv, bool student);

/* getopt's values for the long options without a short form, every command's. */
enum {
	CLI_OPT_FORMAT = 256,
	CLI_OPT_KEEP,
	CLI_OPT_NO_SANDBOX,
	CLI_OPT_RESUME,
	CLI_OPT_SPEC,
	CLI_OPT_SEED,
	CLI_OPT_SHARD,
	CLI_OPT_ROOT,
	CLI_OPT_TEST,
	CLI_OPT_ROSTER,
	CLI_OPT_GRADEBOOK,
	CLI_OPT_GRADEBOOK_COLUMN,
	CLI_OPT_WRITE_ROSTER
};

#define CLI_LMS_LONG_OPTIONS                                                                       \
	{"roster", required_argument, NULL, CLI_OPT_ROSTER},                                       \
	    {"gradebook", required_argument, NULL, CLI_OPT_GRADEBOOK},                             \
	{                                                                                          \
		"gradebook-column", required_argument, NULL, CLI_OPT_GRADEBOOK_COLUMN              \
	}

/* The usage lines of those options, for batch's and report's --help. */
#define CLI_LMS_USAGE                                                                              \
	"  --roster FILE.csv  who each folder is in the LMS (docs/lms.md); folders it does\n"      \
	"                     not name and its students without a submission are listed\n"         \
	"  --gradebook generic|canvas|moodle|blackboard\n"                                         \
	"                     also the gradebook that LMS imports (gradebook-canvas.csv...)\n"     \
	"  --gradebook-column NAME\n"                                                              \
	"                     its grade column's header, as the LMS's export names the\n"          \
	"                     assignment (\"Lab 3 (12345)\"); default: the assignment\n"

struct cli_lms {
	const char *roster_path;
	int gradebook; /* an enum gradebook_kind */
	const char *column;
	struct roster roster;
	bool loaded;
};

/*
 * Takes option c if it is one of the LMS options: 1, or 0 when it is not
 * one, or -1 after a usage error was printed.
 */
int cli_lms_option(struct cli_lms *l, int c, const char *arg, const char *usage);

/* Reads the roster when one was given: 0, or -1 after its error was printed (exit 2). */
int cli_lms_load(struct cli_lms *l, const char *usage);
void cli_lms_release(struct cli_lms *l);

/* `grader import`: returns the exit status. */
int cli_import(int argc, char **argv);

#endif
