/*
 * diagnose_output: what the output and the trace of a finished test say,
 * told only from evidence — a hand-made output for each mark of stdio
 * buffering and the near misses that must not get its words, a hand-made
 * trace for a dup2 the wrong way round, and a real process's memory for
 * a line left in stdio's buffer.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagnose.h"
#include "diagnose_output.h"
#include "trace.h"
#include "util.h"

static char *text;
static const char *hint;

static void teardown(void)
{
	free(text);
	text = NULL;
	hint = NULL;
}

TestSuite(diagnose_output, .fini = teardown, .timeout = 10);

static const struct diagnose_writer pipe_parent = {2, "./two_pipes", false, 1};

#define EXPECTED "parent asks: hi\nchild read: hi\nparent read: fine\n"

static char *order(const struct diagnose_writer *w, const char *expected, const char *actual,
		   bool loose)
{
	return diagnose_out_of_order(w, expected, strlen(expected), actual, strlen(actual), loose,
				     &hint);
}

static char *repeats(const struct diagnose_writer *w, const char *expected, const char *actual)
{
	return diagnose_repeated_lines(w, expected, strlen(expected), actual, strlen(actual),
				       false, &hint);
}

Test(diagnose_output, lines_in_another_order_are_stdio_buffering)
{
	text = order(&pipe_parent, EXPECTED, "child read: hi\nparent asks: hi\nparent read: fine\n",
		     false);
	cr_assert_not_null(text);
	cr_expect_str_eq(text, "pid 2 (./two_pipes) and its children wrote every line the test "
			       "expects, but in another order: \"parent asks: hi\" should be line 1 and is line 2. "
			       "This is what stdio buffering does: stdout is a pipe here, not a "
			       "terminal: printf() keeps what it prints in a buffer and writes it "
			       "out only when the buffer is full, when fflush(stdout) is called or "
			       "when the process exits. So lines a parent prints before its child "
			       "prints can come out after the child's, although at a terminal (which "
			       "flushes at each newline) the order looks right. Run it with `| cat` "
			       "after the command to see what the test sees.");
	cr_expect_not_null(strstr(hint, "fflush(stdout)"), "%s", hint);
}

Test(diagnose_output, loose_matchers_compare_lines_without_their_spaces)
{
	text = order(&pipe_parent, "a  b\nc\n", " c\na b \n", true);
	cr_expect_not_null(text);
	free(text);
	text = order(&pipe_parent, "a  b\nc\n", " c\na b \n", false);
	cr_expect_null(text, "exact lines differ in their spaces: %s", text);
}

Test(diagnose_output, different_lines_or_a_terminal_are_no_buffering)
{
	/* A line missing or changed: not only the order. */
	text = order(&pipe_parent, EXPECTED, "child read: hi\nparent asks: HI\nparent read: fine\n",
		     false);
	cr_expect_null(text, "%s", text);
	text = order(&pipe_parent, EXPECTED, EXPECTED, false);
	cr_expect_null(text, "%s", text);
	/* A terminal writes each line as it ends: the order is the program's own. */
	struct diagnose_writer tty = pipe_parent;
	tty.tty = true;
	text = order(&tty, EXPECTED, "child read: hi\nparent asks: hi\nparent read: fine\n", false);
	cr_expect_null(text, "%s", text);
	cr_expect_null(hint);
}

Test(diagnose_output, a_line_repeated_after_fork_is_a_copied_buffer)
{
	text = repeats(&pipe_parent, EXPECTED,
		       "parent asks: hi\nchild read: hi\nparent asks: hi\nparent read: fine\n");
	cr_assert_not_null(text);
	cr_expect_not_null(strstr(text, "pid 2 (./two_pipes) and its children wrote the line \"parent "
					"asks: hi\" 2 times, where the test expects it once. A line printed "
					"before fork() is repeated this way"),
			   "%s", text);
	cr_expect_not_null(strstr(hint, "fflush(stdout) before fork()"), "%s", hint);
}

Test(diagnose_output, repeats_need_a_fork_and_nothing_else_wrong)
{
	const char *doubled = "parent asks: hi\nchild read: hi\nparent asks: hi\nparent read: fine\n";
	/* The trace saw no fork: a loop printed twice, not a copied buffer. */
	struct diagnose_writer alone = pipe_parent;
	alone.forked = 0;
	text = repeats(&alone, EXPECTED, doubled);
	cr_expect_null(text, "%s", text);
	/* Untraced: a fork is possible, the words stay. */
	alone.forked = -1;
	text = repeats(&alone, EXPECTED, doubled);
	cr_expect_not_null(text);
	free(text);
	/* A line the test does not expect at all. */
	text = repeats(&pipe_parent, EXPECTED,
		       "parent asks: hi\nchild read: hi\nparent asks: hi\nparent read: fine\nextra\n");
	cr_expect_null(text, "%s", text);
	/* A line missing. */
	text = repeats(&pipe_parent, EXPECTED, "parent asks: hi\nparent asks: hi\nparent read: fine\n");
	cr_expect_null(text, "%s", text);
}

Test(diagnose_output, a_ready_line_left_in_the_buffer)
{
	const struct diagnose_writer server = {2, "./server", false, -1};
	text = diagnose_ready_unwritten(&server, "ready", "", 0, true, "client", &hint);
	cr_assert_not_null(text);
	cr_expect_not_null(strstr(text, "pid 2 (./server) never wrote a whole line containing "
					"\"ready\", which the test waits for before it starts client, "
					"so client never started: it printed the line, but the line "
					"never reached the pipe: stdout is a pipe here"),
			   "%s", text);
	cr_expect_not_null(strstr(hint, "fflush(stdout)"), "%s", hint);
	free(text);
	/* Printed without its newline: the test waits for a whole line. */
	text = diagnose_ready_unwritten(&server, "ready", "starting\nready", 14, false, "client",
					&hint);
	cr_assert_not_null(text);
	cr_expect_not_null(strstr(text, "without a newline"), "%s", text);
	cr_expect_not_null(strstr(hint, "'\\n'"), "%s", hint);
	free(text);
	/* Never printed, as far as anything shows: no words about buffering. */
	text = diagnose_ready_unwritten(&server, "ready", "starting\n", 9, false, "client", &hint);
	cr_expect_null(text, "%s", text);
	cr_expect_null(hint);
}

/* A trace with its processes and the calls given as "pid call args result". */
static void add_event(struct trace_record *rec, pid_t pid, const char *call, const char *args)
{
	rec->events = xrealloc(rec->events, (rec->nevents + 1) * sizeof(*rec->events));
	rec->events[rec->nevents++] = (struct trace_event){0.0, pid, xstrdup(call), xstrdup(args),
							   true, 0};
}

static void add_process(struct trace_record *rec, pid_t pid, pid_t ppid, const char *cmd)
{
	rec->procs = xrealloc(rec->procs, (rec->nprocs + 1) * sizeof(*rec->procs));
	struct trace_process *p = &rec->procs[rec->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	strvec_init(&p->argv);
	strvec_push(&p->argv, cmd);
}

/* The trace of ./dup2 (pid 2) and its child ls (pid 3), no call yet. */
static void dup2_family(struct trace_record *rec)
{
	trace_record_init(rec);
	rec->traced = true;
	add_process(rec, 2, 1, "./dup2");
	add_process(rec, 3, 2, "ls");
}

Test(diagnose_output, a_dup2_the_wrong_way_round)
{
	struct trace_record rec;
	dup2_family(&rec);
	add_process(&rec, 4, 2, "wc");
	add_event(&rec, 2, "pipe", "[3, 4]");
	add_event(&rec, 4, "dup2", "3, 0"); /* right: the read end is wc's stdin */
	add_event(&rec, 3, "dup2", "4, 0"); /* wrong: the write end made ls's stdin */
	text = diagnose_swapped_dup2(&rec, &hint);
	cr_assert_not_null(text);
	cr_expect_str_eq(text, "pid 3 (ls) called dup2(4, 0): fd 4 is the write end of the pipe "
			       "[3, 4], so the pipe's write end became its stdin (fd 0), and its "
			       "stdout stayed the test's stdout: what it printed went to the test's "
			       "output instead of into the pipe, and the pipe's reader got nothing.");
	cr_expect_not_null(strstr(hint, "dup2(write_end, STDOUT_FILENO)"), "%s", hint);
	free(text);
	/* The pipe of another family is not this process's. */
	rec.events[0].pid = 4;
	text = diagnose_swapped_dup2(&rec, &hint);
	cr_expect_null(text, "%s", text);
	trace_record_release(&rec);
}

Test(diagnose_output, the_right_dup2s_say_nothing)
{
	struct trace_record rec;
	dup2_family(&rec);
	add_event(&rec, 2, "pipe2", "[5, 6], O_CLOEXEC");
	add_event(&rec, 3, "dup2", "6, 1");
	add_event(&rec, 2, "dup3", "5, 0, 0");
	text = diagnose_swapped_dup2(&rec, &hint);
	cr_expect_null(text, "%s", text);
	trace_record_release(&rec);
}

/* Where the child keeps it: never read, but there must be no doubt it is made. */
static char *volatile kept;

/* A child that keeps text in a heap buffer, as stdio does with an unflushed line. */
Test(diagnose_output, text_in_a_process_s_memory_is_found)
{
	int ready[2];
	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char *buf = malloc(4096);
		snprintf(buf, 4096, "%s-%s\n", "still", "buffered");
		kept = buf;
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	char x;
	cr_assert_eq(read(ready[0], &x, 1), 1);
	bool found = diagnose_in_memory(pid, "still-buffered");
	bool absent = diagnose_in_memory(pid, "never-printed-text");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	cr_expect(found, "the text in the child's heap was not found");
	cr_expect_not(absent, "text nobody printed was found");
}
