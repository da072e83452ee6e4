/*
 * trace_shell: whether a traced process, stopped right after an exec, runs
 * a shell — the pseudo-call `system` of trace.require / trace.forbid.
 *
 * A shell is recognised by what runs, never by the name it was run under:
 * a renamed copy (`cp /bin/sh x; ./x -c ...`), a link named otherwise, an
 * execveat() of a memfd holding a copy, `env sh -c` or a `#!/bin/sh`
 * script all run the same bytes.  The kernel names the file a process runs
 * in /proc/PID/exe (a script's interpreter, a memfd, a deleted file alike):
 *
 *   1. its device and inode are one of the machine's shells' — the files
 *      that sh, dash, bash, ... resolve to in /bin, /usr/bin, /usr/local/bin,
 *      /sbin and /usr/sbin, and those /etc/shells lists where the grader
 *      can read it (a sandbox's /etc has none; its /usr is the host's, read
 *      only, so the identities are the host's);
 *   2. or it has the size of one of them and the same contents (the
 *      shell's digest is computed once per tracer, and only when a file of
 *      its size runs: a test with no such exec reads no shell).  A file of
 *      a shell's exact size that the grader may not read (mode 0111) counts
 *      as that shell: it cannot be told apart, and no compiler makes one.
 *      Without a sandbox, as an ordinary user, the kernel hides even which
 *      file that is: then any file the grader may not look at counts.
 *
 * A multi-call binary (busybox) is a shell only when it runs a shell's
 * applet, which it picks by the name it was run under, as it does.
 * A shell altered by a byte, or one the student compiled, is not
 * recognised: its bytes are the student's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "trace_internal.h"

static const char *const shell_dirs[] = {"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin"};

/* Command interpreters a program could hand its work to (busybox: see its applets). */
static const char *const shell_names[] = {
	"sh",  "ash", "dash", "bash", "rbash", "ksh", "ksh93", "mksh", "lksh", "pdksh", "oksh",
	"posh", "yash", "zsh", "rzsh", "csh",	"tcsh", "fish", "busybox",
};

/* The applets a multi-call binary runs as a shell. */
static const char *const shell_applets[] = {"sh", "ash", "hush", "bash"};

struct shell {
	char *path;		/* the file it resolves to, for messages */
	dev_t dev;
	ino_t ino;
	off_t size;
	bool multicall;		/* busybox: a shell only under a shell applet's name */
	enum { DIGEST_NONE, DIGEST_DONE, DIGEST_FAILED } digested;
	struct digest digest;
};

struct trace_shells {
	struct shell *v;
	size_t n;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool listed(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Adds the file path resolves to, once per file; what is not a regular file is skipped. */
static void add_candidate(struct trace_shells *s, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st.st_dev && s->v[i].ino == st.st_ino)
			return;
	char *real = realpath(path, NULL);
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct shell){
	    .path = real ? real : xstrdup(path),
	    .dev = st.st_dev,
	    .ino = st.st_ino,
	    .size = st.st_size,
	    .multicall = !strcmp(base_name(real ? real : path), "busybox"),
	};
}

/* /etc/shells' interpreters, where the grader can read it (not in a sandbox). */
static void add_etc_shells(struct trace_shells *s)
{
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	if (read_file("/etc/shells", &text) == 0) {
		for (char *line = strtok(text.buf, "\n"); line; line = strtok(NULL, "\n")) {
			line[strcspn(line, " \t\r")] = '\0';
			size_t len = strlen(line);
			/* Only shells: the file may list other login programs (tmux). */
			if (line[0] == '/' && len >= 2 && !strcmp(line + len - 2, "sh"))
				add_candidate(s, line);
		}
	}
	strbuf_release(&text);
}

struct trace_shells *trace_shells_new(void)
{
	struct trace_shells *s = xcalloc(1, sizeof(*s));
	for (size_t d = 0; d < ARRAY_SIZE(shell_dirs); d++) {
		for (size_t i = 0; i < ARRAY_SIZE(shell_names); i++) {
			char *path = path_join(shell_dirs[d], shell_names[i]);
			add_candidate(s, path);
			free(path);
		}
	}
	add_etc_shells(s);
	return s;
}

void trace_shells_free(struct trace_shells *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s);
}

/* The digest of a whole file; -1 when it cannot be read. */
static int digest_file(const char *path, struct digest *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	digest_init(d);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		digest_add(d, buf, (size_t)n);
	}
	close(fd);
	return n == 0 ? 0 : -1;
}

static bool shell_digest(struct shell *sh, struct digest *out)
{
	if (sh->digested == DIGEST_NONE)
		sh->digested = digest_file(sh->path, &sh->digest) == 0 ? DIGEST_DONE : DIGEST_FAILED;
	*out = sh->digest;
	return sh->digested == DIGEST_DONE;
}

/* Whether a multi-call binary run with argv runs one of its shells. */
static bool runs_shell_applet(const struct strvec *argv)
{
	if (!argv->n)
		return false;
	const char *applet = base_name(argv->v[0]);
	if (!strcmp(applet, "busybox"))
		applet = argv->n > 1 ? base_name(argv->v[1]) : "";
	return listed(applet, shell_applets, ARRAY_SIZE(shell_applets));
}

/* The shell pid runs, by identity or by content; *copy says which. */
static struct shell *find_shell(struct trace_shells *s, pid_t pid, const struct stat *st,
				bool *copy)
{
	char exe[64];
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	*copy = false;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return &s->v[i];
	*copy = true;
	/* 0: not read yet, 1: read, -1: unreadable. */
	int have = 0;
	struct digest mine;
	for (size_t i = 0; i < s->n; i++) {
		struct shell *sh = &s->v[i];
		struct digest theirs;
		if (sh->size != st->st_size || !shell_digest(sh, &theirs))
			continue;
		if (have == 0)
			have = digest_file(exe, &mine) == 0 ? 1 : -1;
		if (have < 0 || mine.h == theirs.h)
			return sh;
	}
	return NULL;
}

char *trace_shells_match(struct trace_shells *s, pid_t pid, const struct strvec *argv)
{
	char exe[64];
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	struct stat st;
	if (stat(exe, &st) < 0) {
		/*
		 * The kernel hides what a process runs when its file is not
		 * readable by the process's user, from a tracer without
		 * CAP_SYS_PTRACE over it (an ordinary user's grader without a
		 * sandbox): such a file is taken for a shell, as one whose
		 * contents cannot be read is (above).
		 */
		if (errno == EACCES || errno == EPERM)
			return xstrdup("a file the grader may not look at");
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
		return NULL;
	bool copy = false;
	struct shell *sh = find_shell(s, pid, &st, &copy);
	if (!sh || (sh->multicall && !runs_shell_applet(argv)))
		return NULL;
	return copy ? xasprintf("a copy of %s", sh->path) : xstrdup(sh->path);
}
