#include "reproduce.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* Stdin text this short, in this few lines, goes on the command line itself. */
#define INLINE_LINES 4

/* Whether a shell takes c as part of a bare word, with no meaning of its own. */
static bool plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c);
}

/* Whether s holds a control character or invalid UTF-8: a quoted form could not show it. */
static bool has_unprintable(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (!n || escape_is_control(cp))
			return true;
		i += n;
	}
	return false;
}

void reproduce_add_quoted(struct strbuf *sb, const char *s)
{
	size_t len = strlen(s);
	bool plain = len > 0;
	for (size_t i = 0; i < len && plain; i++)
		plain = plain_char((unsigned char)s[i]);
	if (plain) {
		strbuf_addstr(sb, s);
		return;
	}
	if (!has_unprintable(s, len)) {
		strbuf_addch(sb, '\'');
		for (const char *p = s; *p; p++)
			strbuf_addstr(sb, *p == '\'' ? "'\\''" : (char[]){*p, '\0'});
		strbuf_addch(sb, '\'');
		return;
	}
	/* bash's $'...': the only quoting in which a newline or a control byte can be seen. */
	strbuf_addstr(sb, "$'");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == '\'')
			strbuf_addf(sb, "\\%c", *p);
		else if (*p == '\n')
			strbuf_addstr(sb, "\\n");
		else if (*p == '\t')
			strbuf_addstr(sb, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			strbuf_addf(sb, "\\x%02x", *p);
		else
			strbuf_addch(sb, (char)*p);
	}
	strbuf_addch(sb, '\'');
}

/* path relative to dir when it lies below it (a fixture as the spec names it), else path. */
static char *relative_to(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (!strncmp(path, dir, n) && path[n] == '/' && path[n + 1])
		return xstrdup(path + n + 1);
	return xstrdup(path);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * What the test's `files:` puts in the working folder: a folder's entries
 * (sub-folders with a '/'), or the one file, sorted and capped.
 */
static void list_files(const char *files, struct strvec *out)
{
	if (!path_is_dir(files)) {
		const char *slash = strrchr(files, '/');
		strvec_push(out, slash ? slash + 1 : files);
		return;
	}
	DIR *d = opendir(files);
	struct strvec all = STRVEC_INIT;
	strvec_init(&all);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = path_join(files, de->d_name);
		strvec_pushf(&all, "%s%s", de->d_name, path_is_dir(path) ? "/" : "");
		free(path);
	}
	if (d)
		closedir(d);
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(*all.v), compare_names);
	for (size_t i = 0; i < all.n; i++)
		strvec_pushf_capped(out, REPRODUCE_FILES_SHOWN, "%s", all.v[i]);
	strvec_clear(&all);
}

/* Whether stdin text fits on the command line: short, a few lines, each printable. */
static bool inline_text(const char *s, size_t len)
{
	if (!len || len > REPRODUCE_STDIN_SHOWN)
		return false;
	size_t lines = 0;
	for (const char *line = s; line < s + len; lines++) {
		const char *nl = memchr(line, '\n', (size_t)(s + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(s + len - line);
		if (has_unprintable(line, n))
			return false;
		line += n + 1;
	}
	return lines <= INLINE_LINES;
}

/* "printf '%s\n' 'line 1' 'line 2' | ": each line a quoted argument (inline_text holds). */
static void add_printf(struct strbuf *sb, const char *s, size_t len)
{
	bool complete = s[len - 1] == '\n';
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += s[i] == '\n';
	lines += !complete;
	/* printf repeats its format for the arguments left: one "%s\n" does for complete lines. */
	strbuf_addstr(sb, "printf '");
	if (complete)
		strbuf_addstr(sb, "%s\\n");
	else
		for (size_t i = 0; i < lines; i++)
			strbuf_addstr(sb, i + 1 < lines ? "%s\\n" : "%s");
	strbuf_addch(sb, '\'');
	for (const char *line = s; line < s + len;) {
		const char *nl = memchr(line, '\n', (size_t)(s + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(s + len - line);
		char *word = xstrndup(line, n);
		strbuf_addch(sb, ' ');
		/* An empty line is an empty argument, which must be seen. */
		if (n)
			reproduce_add_quoted(sb, word);
		else
			strbuf_addstr(sb, "''");
		free(word);
		line += n + 1;
	}
	strbuf_addstr(sb, " | ");
}

/* When process i of t starts, in words; NULL for the first (at once). */
static char *start_words(const struct test_spec *t, size_t i)
{
	if (i == 0)
		return NULL;
	const struct process_spec *prev = &t->procs[i - 1];
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	switch (prev->ready.kind) {
	case READY_STDOUT:
		strbuf_addf(&sb, "once a line of %s's stdout contains \"", prev->name);
		escape_add(&sb, prev->ready.text, strlen(prev->ready.text), SIZE_MAX,
			   ESCAPE_BACKSLASH);
		strbuf_addch(&sb, '"');
		break;
	case READY_IPC_SHM:
		strbuf_addf(&sb, "once %s has created a shared memory segment", prev->name);
		break;
	case READY_DELAY:
		strbuf_addf(&sb, "%lld ms after %s started", prev->ready.delay_ms, prev->name);
		break;
	case READY_EXIT:
		strbuf_addf(&sb, "once %s has exited", prev->name);
		break;
	case READY_NONE:
		strbuf_addf(&sb, "right after %s", prev->name);
		break;
	}
	return strbuf_detach(&sb, NULL);
}

/* The shell line for process ps, and what it reads (fills rp). */
static void describe_proc(const struct test_spec *t, size_t i, const char *spec_dir,
			  struct reproduce_proc *rp)
{
	const struct process_spec *ps = &t->procs[i];
	struct strbuf cmd = STRBUF_INIT;
	strbuf_init(&cmd);
	rp->name = xstrdup(ps->name);
	strvec_init(&rp->argv);
	strvec_pushv(&rp->argv, (const char *const *)ps->argv.v);
	rp->tty = ps->tty;
	rp->start = start_words(t, i);
	if (ps->stdin_data) {
		size_t shown = ps->stdin_len < REPRODUCE_STDIN_SHOWN ? ps->stdin_len
								     : REPRODUCE_STDIN_SHOWN;
		rp->stdin_text = xmemdup0(ps->stdin_data, shown);
		rp->stdin_bytes = ps->stdin_len;
		rp->stdin_shortened = shown < ps->stdin_len;
	} else if (ps->stdin_file) {
		rp->stdin_file = relative_to(ps->stdin_file, spec_dir);
	}
	bool piped = !ps->tty && ps->stdin_data && inline_text(ps->stdin_data, ps->stdin_len);
	if (piped)
		add_printf(&cmd, ps->stdin_data, ps->stdin_len);
	for (size_t k = 0; k < t->nenv; k++) {
		strbuf_addf(&cmd, "%s=", t->env[k].name);
		reproduce_add_quoted(&cmd, t->env[k].value);
		strbuf_addch(&cmd, ' ');
	}
	for (size_t k = 0; k < ps->argv.n; k++) {
		strbuf_addstr(&cmd, k ? " " : "");
		reproduce_add_quoted(&cmd, ps->argv.v[k]);
	}
	if (ps->tty || piped)
		; /* typed at the terminal, or piped in above */
	else if (rp->stdin_file)
		strbuf_addf(&cmd, " < %s", rp->stdin_file);
	else if (ps->stdin_data && ps->stdin_len)
		strbuf_addstr(&cmd, " < stdin.txt");
	else
		strbuf_addstr(&cmd, " < /dev/null");
	rp->command = strbuf_detach(&cmd, NULL);
}

/* How many bytes of its stdin text rp holds. */
static size_t shown_len(const struct reproduce_proc *rp)
{
	return rp->stdin_shortened ? REPRODUCE_STDIN_SHOWN : rp->stdin_bytes;
}

/* "# no arguments; ..." after a command: what the line itself cannot say. */
static void add_notes(struct strbuf *sb, const struct reproduce *r, const struct reproduce_proc *rp)
{
	const char *sep = "    # ";
	if (r->nprocs > 1) {
		strbuf_addf(sb, "%s%s", sep, rp->name);
		if (rp->start)
			strbuf_addf(sb, ", %s", rp->start);
		sep = "; ";
	}
	if (rp->argv.n == 1) {
		strbuf_addf(sb, "%sno arguments", sep);
		sep = "; ";
	}
	if (rp->tty) {
		strbuf_addf(sb, "%sat a terminal (tty: true): ", sep);
		if (rp->stdin_text && rp->stdin_bytes) {
			strbuf_addstr(sb, "type its stdin \"");
			escape_add(sb, rp->stdin_text, shown_len(rp), SIZE_MAX, ESCAPE_BACKSLASH);
			strbuf_addf(sb, "\"%s, then Ctrl-D", rp->stdin_shortened ? "..." : "");
		} else if (rp->stdin_file) {
			strbuf_addf(sb, "type the contents of %s, then Ctrl-D", rp->stdin_file);
		} else {
			strbuf_addstr(sb, "press Ctrl-D if it reads stdin");
		}
	} else if (rp->stdin_text && rp->stdin_bytes &&
		   (rp->stdin_shortened || !inline_text(rp->stdin_text, shown_len(rp)))) {
		strbuf_addf(sb, "%sstdin.txt holds the test's stdin, %zu bytes: \"", sep,
			    rp->stdin_bytes);
		escape_add(sb, rp->stdin_text, shown_len(rp), SIZE_MAX, ESCAPE_BACKSLASH);
		strbuf_addf(sb, "\"%s", rp->stdin_shortened ? " (the first bytes only)" : "");
	}
	strbuf_addch(sb, '\n');
}

/* All of it in words: where, then one line per process. */
static char *render(const struct reproduce *r)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	if (r->files_from) {
		strbuf_addf(&sb, "In a folder with your build and the files of %s (", r->files_from);
		for (size_t i = 0; i < r->files.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", r->files.v[i]);
		if (r->files.more)
			strbuf_addf(&sb, " and %zu more", r->files.more);
		strbuf_addstr(&sb, "), run");
	} else {
		strbuf_addstr(&sb, "In the folder of your build, run");
	}
	strbuf_addstr(&sb, r->nprocs > 1 ? " each in a terminal of its own:\n" : ":\n");
	for (size_t i = 0; i < r->nprocs; i++) {
		strbuf_addf(&sb, "  %s", r->procs[i].command);
		add_notes(&sb, r, &r->procs[i]);
	}
	return strbuf_detach(&sb, NULL);
}

struct reproduce *reproduce_new(const struct test_spec *t, const char *spec_dir)
{
	struct reproduce *r = xcalloc(1, sizeof(*r));
	strvec_init(&r->files);
	strvec_init(&r->env);
	if (t->files) {
		r->files_from = relative_to(t->files, spec_dir);
		list_files(t->files, &r->files);
	}
	for (size_t k = 0; k < t->nenv; k++)
		strvec_pushf(&r->env, "%s=%s", t->env[k].name, t->env[k].value);
	r->procs = xcalloc(t->nprocs, sizeof(*r->procs));
	r->nprocs = t->nprocs;
	for (size_t i = 0; i < t->nprocs; i++)
		describe_proc(t, i, spec_dir, &r->procs[i]);
	r->text = render(r);
	return r;
}

void reproduce_free(struct reproduce *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++) {
		struct reproduce_proc *rp = &r->procs[i];
		free(rp->name);
		strvec_clear(&rp->argv);
		free(rp->command);
		free(rp->stdin_text);
		free(rp->stdin_file);
		free(rp->start);
	}
	free(r->procs);
	free(r->files_from);
	strvec_clear(&r->files);
	strvec_clear(&r->env);
	free(r->text);
	free(r);
}
