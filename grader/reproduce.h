/*
 * reproduce: how a student runs a failed test again by hand — the command
 * line with its arguments quoted as a shell needs them, what its stdin
 * was, the files the test put in its working folder and the variables it
 * added to the environment (result.h's struct reproduce).
 *
 * Every report shows it for a test that failed, timed out or crashed
 * (docs/reports.md, "How to reproduce").  The command is one a shell runs
 * as the grader did: stdin comes through a pipe when the test gave text
 * (`printf '%s\n' 'How are you' | ./two_pipes`), from /dev/null when it
 * gave none (`./prog < /dev/null`: a program that reads stdin would
 * otherwise wait for the keyboard), from the fixture when it gave a file.
 * A program run without arguments says so, since that may be why it
 * crashed.  Text too long or too strange for one command line is shown
 * escaped and cut, and the command reads it from a file the student makes.
 */
#ifndef GRADER_REPRODUCE_H
#define GRADER_REPRODUCE_H

#include "result.h"
#include "spec.h"

/* Stdin text past this many bytes is shown only in part. */
#define REPRODUCE_STDIN_SHOWN 200
/* Entries of the test's files listed (the rest are counted). */
#define REPRODUCE_FILES_SHOWN 10

/*
 * How to reproduce test t of the spec in spec_dir (the folder its fixture
 * paths are named relative to).  Never NULL; free with reproduce_free.
 */
struct reproduce *reproduce_new(const struct test_spec *t, const char *spec_dir);
void reproduce_free(struct reproduce *r);

/* s as one shell word: as it is when safe, else in single quotes.  Appended to sb. */
void reproduce_add_quoted(struct strbuf *sb, const char *s);

#endif
