/*
 * cli: the command line (docs in README.md and `grader --help`).  The only
 * module that prints errors and chooses exit statuses:
 *   0 every test passed, 1 some test failed, 2 usage or spec error,
 *   3 the grader itself failed; stopped by SIGTERM, SIGINT or SIGHUP, the
 *   grader cleans up and ends killed by that signal (lifecycle.h).
 */
#ifndef GRADER_CLI_H
#define GRADER_CLI_H

enum exit_status {
	EXIT_ALL_PASSED = 0,
	EXIT_SOME_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3,
};

int cli_main(int argc, char **argv);

#endif
