#include "diagnose_output.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "trace.h"
#include "util.h"

/* Lines quoted in the words are cut here: the diff shows them whole. */
#define QUOTED_MAX 80
/* Repeated lines named, at most. */
#define REPEATED_NAMED 3

static const char *const buffering_order_hint =
	"call fflush(stdout) right after each printf() whose line must come out before "
	"another process (or a write()) prints, or call setvbuf(stdout, NULL, _IOLBF, 0) once "
	"at the start of main() to flush at each newline, as at a terminal.";
static const char *const buffering_fork_hint =
	"call fflush(stdout) before fork(), so that the child starts with an empty buffer "
	"(or call setvbuf(stdout, NULL, _IOLBF, 0) once at the start of main()).";
static const char *const buffering_ready_hint =
	"call fflush(stdout) right after printing the line the test waits for (or "
	"setvbuf(stdout, NULL, _IOLBF, 0) once at the start of main()).";
static const char *const newline_ready_hint =
	"end the line the test waits for with '\\n', and call fflush(stdout) after it.";
static const char *const dup2_hint =
	"dup2(oldfd, newfd) makes newfd a copy of oldfd: the process that writes into the "
	"pipe needs dup2(write_end, STDOUT_FILENO), the one that reads from it "
	"dup2(read_end, STDIN_FILENO); after pipe(fd), fd[0] is the read end and fd[1] the "
	"write end.";

/* What stdio does on a pipe, for the words of every buffering diagnosis. */
static const char *const pipe_buffering =
	"stdout is a pipe here, not a terminal: printf() keeps what it prints in a buffer and "
	"writes it out only when the buffer is full, when fflush(stdout) is called or when the "
	"process exits";

/* The lines of text (a last line without '\n' counts), normalised when loose. */
static void split_lines(const char *text, size_t len, bool loose, struct strvec *out)
{
	strvec_init(out);
	for (const char *line = text; line < text + len;) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		struct strbuf sb = STRBUF_INIT;
		strbuf_init(&sb);
		bool space = false;
		for (size_t i = 0; i < n; i++) {
			char c = line[i];
			bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
			if (loose && blank) {
				space = sb.len > 0;
				continue;
			}
			if (space)
				strbuf_addch(&sb, ' ');
			space = false;
			strbuf_addch(&sb, c);
		}
		strvec_push_owned(out, strbuf_detach(&sb, NULL));
		line += n + 1;
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How often s is in v. */
static size_t count_of(const struct strvec *v, const char *s)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += !strcmp(v->v[i], s);
	return n;
}

/* "\"parent asks: hi\"", escaped and cut. */
static void add_quoted_line(struct strbuf *sb, const char *line)
{
	strbuf_addch(sb, '"');
	escape_add(sb, line, strlen(line), QUOTED_MAX, ESCAPE_BACKSLASH);
	strbuf_addch(sb, '"');
}

char *diagnose_out_of_order(const struct diagnose_writer *w, const char *expected, size_t elen,
			    const char *actual, size_t alen, bool loose, const char **hint)
{
	*hint = NULL;
	if (w->tty)
		return NULL; /* line-buffered: whole lines come out in the order printed */
	struct strvec want, got, want_sorted, got_sorted;
	split_lines(expected, elen, loose, &want);
	split_lines(actual, alen, loose, &got);
	split_lines(expected, elen, loose, &want_sorted);
	split_lines(actual, alen, loose, &got_sorted);
	char *text = NULL;
	bool same = want.n == got.n && want.n > 1;
	if (same) {
		qsort(want_sorted.v, want_sorted.n, sizeof(char *), compare_strings);
		qsort(got_sorted.v, got_sorted.n, sizeof(char *), compare_strings);
		for (size_t i = 0; i < want.n && same; i++)
			same = !strcmp(want_sorted.v[i], got_sorted.v[i]);
	}
	size_t first = 0;
	while (same && first < want.n && !strcmp(want.v[first], got.v[first]))
		first++;
	if (same && first < want.n) {
		size_t at = first;
		while (at < got.n && strcmp(got.v[at], want.v[first]))
			at++;
		struct strbuf sb = STRBUF_INIT;
		strbuf_init(&sb);
		strbuf_addf(&sb, "pid %d (%s)%s wrote every line the test expects, but in another "
				 "order: ",
			    (int)w->pid, w->cmd, w->forked > 0 ? " and its children" : "");
		add_quoted_line(&sb, want.v[first]);
		strbuf_addf(&sb, " should be line %zu and is line %zu. This is what stdio buffering "
				 "does: %s. ",
			    first + 1, at + 1, pipe_buffering);
		strbuf_addstr(&sb, w->forked > 0 ? "So lines a parent prints before its child "
						   "prints can come out after the child's"
				   : w->forked == 0 ? "So lines printed with printf() can come out "
						      "after lines written with write()"
						    : "So a parent's lines can come out after its "
						      "child's, and printf()'s after write()'s");
		strbuf_addstr(&sb, ", although at a terminal (which flushes at each newline) the "
				   "order looks right. Run it with `| cat` after the command to see "
				   "what the test sees.");
		text = strbuf_detach(&sb, NULL);
		*hint = buffering_order_hint;
	}
	strvec_clear(&want);
	strvec_clear(&got);
	strvec_clear(&want_sorted);
	strvec_clear(&got_sorted);
	return text;
}

char *diagnose_repeated_lines(const struct diagnose_writer *w, const char *expected,
			      size_t elen, const char *actual, size_t alen, bool loose,
			      const char **hint)
{
	*hint = NULL;
	/* A copied buffer needs a fork; a terminal's buffer holds no whole line to copy. */
	if (w->tty || w->forked == 0)
		return NULL;
	struct strvec want, got;
	split_lines(expected, elen, loose, &want);
	split_lines(actual, alen, loose, &got);
	bool only_copies = got.n > want.n;
	size_t extra = 0;
	for (size_t i = 0; i < got.n && only_copies; i++) {
		size_t w_count = count_of(&want, got.v[i]);
		only_copies = w_count > 0;
		extra += count_of(&got, got.v[i]) > w_count;
	}
	for (size_t i = 0; i < want.n && only_copies; i++)
		only_copies = count_of(&got, want.v[i]) >= count_of(&want, want.v[i]);
	char *text = NULL;
	if (only_copies && extra) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_init(&sb);
		strbuf_addf(&sb, "pid %d (%s)%s wrote ", (int)w->pid, w->cmd,
			    w->forked > 0 ? " and its children" : "");
		size_t named = 0;
		struct strvec told = STRVEC_INIT;
		strvec_init(&told);
		for (size_t i = 0; i < got.n; i++) {
			size_t g = count_of(&got, got.v[i]), e = count_of(&want, got.v[i]);
			if (g <= e || strvec_contains(&told, got.v[i]))
				continue;
			strvec_push(&told, got.v[i]);
			if (named++ == REPEATED_NAMED)
				continue;
			strbuf_addstr(&sb, named > 1 ? "; the line " : "the line ");
			add_quoted_line(&sb, got.v[i]);
			strbuf_addf(&sb, " %zu times, where the test expects it %s", g,
				    e == 1 ? "once" : e == 2 ? "twice" : "fewer times");
		}
		if (named > REPEATED_NAMED)
			strbuf_addf(&sb, "; and %zu more lines like it", named - REPEATED_NAMED);
		strvec_clear(&told);
		strbuf_addf(&sb, ". A line printed before fork() is repeated this way: %s. A "
				 "child gets a copy of its parent's memory, that buffer and the line "
				 "waiting in it included, and each process writes its copy out. At a "
				 "terminal (which flushes at each newline) the buffer is empty at the "
				 "fork, and the line shows once.",
			    pipe_buffering);
		text = strbuf_detach(&sb, NULL);
		*hint = buffering_fork_hint;
	}
	strvec_clear(&want);
	strvec_clear(&got);
	return text;
}

/* Whether out has a complete line containing text. */
static bool has_line_with(const char *out, size_t olen, const char *text)
{
	for (const char *line = out; line < out + olen;) {
		const char *nl = memchr(line, '\n', (size_t)(out + olen - line));
		if (!nl)
			return false;
		if (memmem(line, (size_t)(nl - line), text, strlen(text)))
			return true;
		line = nl + 1;
	}
	return false;
}

char *diagnose_ready_unwritten(const struct diagnose_writer *w, const char *text,
			       const char *out, size_t olen, bool in_memory, const char *next,
			       const char **hint)
{
	*hint = NULL;
	if (has_line_with(out, olen, text))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_addf(&sb, "pid %d (%s) never wrote a whole line containing \"", (int)w->pid, w->cmd);
	escape_add(&sb, text, strlen(text), QUOTED_MAX, ESCAPE_BACKSLASH);
	strbuf_addf(&sb, "\", which the test waits for before it starts %s, so %s never started: ",
		    next, next);
	const char *last_nl = olen ? memrchr(out, '\n', olen) : NULL;
	const char *tail = last_nl ? last_nl + 1 : out;
	size_t tail_len = (size_t)(out + olen - tail);
	if (tail_len && memmem(tail, tail_len, text, strlen(text))) {
		strbuf_addstr(&sb, "it printed the text without a newline after it, and the test "
				   "waits for a whole line.");
		*hint = newline_ready_hint;
	} else if (in_memory && w->tty) {
		strbuf_addstr(&sb, "it printed the text, but its stdout, a terminal here (tty: true), "
				   "writes a line only once it ends with a newline.");
		*hint = newline_ready_hint;
	} else if (in_memory) {
		strbuf_addf(&sb, "it printed the line, but the line never reached the pipe: %s. "
				 "It was still waiting in the buffer when the time ran out; at a "
				 "terminal (which flushes at each newline) it shows at once.",
			    pipe_buffering);
		*hint = buffering_ready_hint;
	} else {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* ---------------------------------------------------------------- dup2 */

/* The traced process pid, or NULL. */
static const struct trace_process *find_proc(const struct trace_record *rec, pid_t pid)
{
	for (size_t i = 0; i < rec->nprocs; i++)
		if (rec->procs[i].pid == pid)
			return &rec->procs[i];
	return NULL;
}

/* Whether pid is anc or descends from it (bounded: a reused pid must not loop). */
static bool descends(const struct trace_record *rec, pid_t pid, pid_t anc)
{
	for (size_t hops = 0; hops <= rec->nprocs; hops++) {
		if (pid == anc)
			return true;
		const struct trace_process *p = find_proc(rec, pid);
		if (!p)
			return false;
		pid = p->ppid;
	}
	return false;
}

/*
 * The pipe (its two fds) that put fd in process pid before event `before`:
 * the last pipe() of pid or an ancestor to return fd.  false when none.
 */
static bool pipe_of(const struct trace_record *rec, size_t before, pid_t pid, int fd, int ends[2])
{
	bool found = false;
	for (size_t i = 0; i < before; i++) {
		const struct trace_event *e = &rec->events[i];
		int r, wr;
		if (!e->finished || e->result < 0 ||
		    (strcmp(e->call, "pipe") && strcmp(e->call, "pipe2")) ||
		    sscanf(e->args, "[%d, %d]", &r, &wr) != 2 || !descends(rec, pid, e->pid))
			continue;
		if (r == fd || wr == fd) {
			ends[0] = r;
			ends[1] = wr;
			found = true;
		}
	}
	return found;
}

char *diagnose_swapped_dup2(const struct trace_record *rec, const char **hint)
{
	*hint = NULL;
	if (!rec || !rec->traced || rec->unavailable)
		return NULL;
	for (size_t i = 0; i < rec->nevents; i++) {
		const struct trace_event *e = &rec->events[i];
		int oldfd, newfd, ends[2];
		if (!e->finished || e->result < 0 ||
		    (strcmp(e->call, "dup2") && strcmp(e->call, "dup3")) ||
		    sscanf(e->args, "%d, %d", &oldfd, &newfd) != 2 ||
		    !pipe_of(rec, i, e->pid, oldfd, ends))
			continue;
		bool write_to_stdin = newfd == 0 && oldfd == ends[1];
		bool read_to_stdout = newfd == 1 && oldfd == ends[0];
		if (!write_to_stdin && !read_to_stdout)
			continue;
		const struct trace_process *p = find_proc(rec, e->pid);
		const char *cmd = p && p->argv.n ? p->argv.v[0] : "?";
		*hint = dup2_hint;
		if (write_to_stdin)
			return xasprintf(
			    "pid %d (%s) called %s(%d, 0): fd %d is the write end of the pipe [%d, "
			    "%d], so the pipe's write end became its stdin (fd 0), and its stdout "
			    "stayed the test's stdout: what it printed went to the test's output "
			    "instead of into the pipe, and the pipe's reader got nothing.",
			    (int)e->pid, cmd, e->call, oldfd, oldfd, ends[0], ends[1]);
		return xasprintf("pid %d (%s) called %s(%d, 1): fd %d is the read end of the pipe "
				 "[%d, %d], so its stdout (fd 1) became the pipe's read end, where "
				 "nothing can be written, and its stdin stayed the test's stdin "
				 "instead of the pipe.",
				 (int)e->pid, cmd, e->call, oldfd, oldfd, ends[0], ends[1]);
	}
	return NULL;
}
