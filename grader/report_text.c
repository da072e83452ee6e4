#include "report_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "util.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

/* Build output is shown to a human: long compiler logs are cut. */
#define BUILD_OUTPUT_SHOWN 4000

bool report_want_color(FILE *f)
{
	return getenv("NO_COLOR") == NULL && isatty(fileno(f));
}

void report_warn_partial(FILE *f, const struct strvec *missing)
{
	struct strbuf list = STRBUF_INIT;
	strbuf_init(&list);
	for (size_t i = 0; i < missing->n; i++)
		strbuf_addf(&list, "%s %s", i ? "," : "", missing->v[i]);
	escape_line(f, "grader: warning: isolation partial, missing:%s", list.buf);
	strbuf_release(&list);
}

const char *report_hint(const char *kind)
{
	/*
	 * Only what the check itself says: a timeout, a crash or a limit is
	 * explained by what was found (the test's hint, grade_explain.c), which a
	 * general word here could contradict.
	 */
	static const struct {
		const char *kind;
		const char *hint;
	} hints[] = {
		{"cleanup.ipc", "remove every segment you create: shmctl(id, IPC_RMID, NULL) after the last shmdt()"},
		{"cleanup.zombies", "call wait() or waitpid() for every child you fork"},
		{"cleanup.orphans", "the parent must wait for its children before it exits"},
		{"cleanup.fds", "close every descriptor you open, pipe ends included, when you no longer need it"},
		{"trace.require", "the assignment asks you to make these system calls yourself"},
		{"trace.forbid", "the assignment forbids these calls: do the work with pipe, fork, dup2 and exec yourself"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(hints); i++)
		if (!strcmp(kind, hints[i].kind))
			return hints[i].hint;
	return NULL;
}

static const char *color(const struct text_options *o, const char *code)
{
	return o->color ? code : "";
}

static void print_points(FILE *f, double v)
{
	if (v == floor(v))
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.2f", v);
}

static void print_diff(FILE *f, const char *diff, const struct text_options *o)
{
	bool first_change = true;
	for (const char *line = diff; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c = "";
		bool header = !strncmp(line, "--- ", 4) || !strncmp(line, "+++ ", 4);
		if (!header && (line[0] == '-' || line[0] == '+')) {
			c = line[0] == '-' ? RED : GREEN;
			/* The first difference is where a student should look first. */
			if (first_change && o->color)
				fprintf(f, "%s", BOLD);
			first_change = false;
		} else if (line[0] == '@') {
			c = DIM;
		}
		/* A diff arrives escaped; escaped again here, in case (a no-op on escaped text). */
		struct strbuf safe = STRBUF_INIT;
		strbuf_init(&safe);
		escape_add(&safe, line, len, len, 0);
		fprintf(f, "        %s%s%s\n", color(o, c), safe.buf, color(o, RESET));
		strbuf_release(&safe);
		line += len + (nl ? 1 : 0);
	}
}

static const char *status_label(enum test_status s)
{
	switch (s) {
	case STATUS_PASSED: return "PASS";
	case STATUS_FAILED: return "FAIL";
	case STATUS_TIMEOUT: return "TIME";
	case STATUS_CRASHED: return "CRASH";
	case STATUS_BUILD_FAILED: return "BUILD";
	default: return "ERROR";
	}
}

/* "      kind: message", the kind in `emphasis`; a skipped check all in yellow. */
static void print_check(FILE *f, const struct check *c, const struct text_options *o)
{
	fprintf(f, "      %s", color(o, c->skipped ? YELLOW : BOLD));
	escape_fputs(f, c->kind);
	fprintf(f, "%s: ", c->skipped ? "" : color(o, RESET));
	escape_fputs(f, c->message);
	fprintf(f, "%s\n", c->skipped ? color(o, RESET) : "");
}

/* "why: ..." and "hint: ..." of a test: the diagnosis, and the hint that follows from it. */
static void print_explanation(FILE *f, const struct test_result *t, const struct text_options *o)
{
	if (t->diagnosis && *t->diagnosis) {
		fprintf(f, "      %swhy:%s ", color(o, BOLD), color(o, RESET));
		escape_fputs(f, t->diagnosis);
		fputc('\n', f);
	}
	if (t->hint) {
		fprintf(f, "      %shint:%s ", color(o, YELLOW), color(o, RESET));
		escape_fputs(f, t->hint);
		fputc('\n', f);
	}
}

/* "to reproduce: In the folder of your build, run:" and the commands, one a line. */
static void print_reproduce(FILE *f, const struct reproduce *r, const struct text_options *o)
{
	fprintf(f, "      %sto reproduce:%s ", color(o, BOLD), color(o, RESET));
	for (const char *line = r->text; *line;) {
		const char *nl = strchr(line, '\n');
		char *one = xstrndup(line, nl ? (size_t)(nl - line) : strlen(line));
		if (line != r->text)
			fputs("      ", f);
		escape_fputs(f, one);
		fputc('\n', f);
		free(one);
		line = nl ? nl + 1 : line + strlen(line);
	}
}

static void print_test(FILE *f, const struct test_result *t, const struct text_options *o)
{
	bool passed = t->status == STATUS_PASSED;
	fprintf(f, "  %s%-5s%s ", color(o, passed ? GREEN : RED), status_label(t->status),
		color(o, RESET));
	escape_fputs(f, t->name);
	fprintf(f, "  (");
	print_points(f, t->score);
	fprintf(f, "/");
	print_points(f, t->max_score);
	fprintf(f, ")%s\n", t->hidden ? " [hidden]" : "");
	if (passed && !o->student) {
		for (size_t i = 0; i < t->nchecks; i++)
			if (t->checks[i].skipped)
				print_check(f, &t->checks[i], o);
		return;
	}
	if (passed || (o->student && t->hidden))
		return;
	if (t->runs > 1)
		fprintf(f, "      passed %d of %d runs\n", t->passed_runs, t->runs);
	/* The cause first (result.h orders the checks so), what explains it, then the rest. */
	bool explained = false;
	for (size_t i = 0; i < t->nchecks; i++) {
		const struct check *c = &t->checks[i];
		if (c->ok && !(c->skipped && !o->student))
			continue;
		print_check(f, c, o);
		if (c->skipped)
			continue;
		if (c->diff)
			print_diff(f, c->diff, o);
		const char *hint = o->student ? report_hint(c->kind) : NULL;
		if (hint)
			fprintf(f, "      %shint: %s%s\n", color(o, YELLOW), hint, color(o, RESET));
		if (!explained)
			print_explanation(f, t, o);
		explained = true;
	}
	if (!explained)
		print_explanation(f, t, o);
	if (t->reproduce)
		print_reproduce(f, t->reproduce, o);
}

void report_print_text(FILE *f, const struct grade_result *r, const struct text_options *o)
{
	size_t passed = 0;
	for (size_t i = 0; i < r->ntests; i++)
		passed += r->tests[i].status == STATUS_PASSED;

	fprintf(f, "%s", color(o, BOLD));
	escape_fputs(f, r->assignment);
	fprintf(f, "%s", color(o, RESET));
	if (o->title) {
		fprintf(f, " (");
		escape_fputs(f, o->title);
		fprintf(f, ")");
	}
	fprintf(f, " - ");
	escape_fputs(f, r->submission);
	fputc('\n', f);

	if (!r->build.ok) {
		fprintf(f, "  %sbuild failed%s (%.2fs):\n", color(o, RED), color(o, RESET), r->build.seconds);
		const char *out = r->build.output ? r->build.output : "";
		size_t total = r->build.output ? r->build.output_len : 0;
		size_t len = total > BUILD_OUTPUT_SHOWN ? BUILD_OUTPUT_SHOWN : total;
		/* Escaped line by line, so the compiler's own line breaks stay readable (NULs: \0). */
		for (const char *line = out; line < out + len;) {
			const char *nl = memchr(line, '\n', (size_t)(out + len - line));
			size_t n = nl ? (size_t)(nl - line) : (size_t)(out + len - line);
			char *esc = escape_bytes(line, n, n);
			fprintf(f, "    %s\n", esc);
			free(esc);
			line += n + 1;
		}
		if (total > BUILD_OUTPUT_SHOWN)
			fprintf(f, "    ... (%zu more bytes of build output)\n", total - BUILD_OUTPUT_SHOWN);
	}
	for (size_t i = 0; i < r->ntests; i++)
		print_test(f, &r->tests[i], o);

	fprintf(f, "%s", color(o, BOLD));
	fprintf(f, "  score ");
	print_points(f, r->score);
	fprintf(f, "/");
	print_points(f, r->max_score);
	fprintf(f, "%s, %zu of %zu tests passed\n", color(o, RESET), passed, r->ntests);
	if (!r->isolation_full && !o->student) {
		fprintf(f, "  %sisolation: partial (missing:", color(o, YELLOW));
		for (size_t i = 0; i < r->isolation_missing.n; i++) {
			fprintf(f, "%s ", i ? "," : "");
			escape_fputs(f, r->isolation_missing.v[i]);
		}
		fprintf(f, ")%s\n", color(o, RESET));
	}
}
