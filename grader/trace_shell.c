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
 * A process that runs the dynamic loader itself (`ld.so /bin/sh -c ...`:
 * the loaders the shells name in their PT_INTERP, or copies of them) maps
 * its program only once it runs: at its later stops (a watched call, its
 * exit) its memory is searched for a shell's code — the bytes of the
 * shell's first executable segment, where its mappings say they would be
 * (64-bit ELF shells only).
 *
 * A multi-call binary (busybox) is a shell only when it runs a shell's
 * applet, which it picks by the name it was run under, as it does.
 * A shell altered by a byte, or one the student compiled, is not
 * recognised: its bytes are the student's own.
 */
#include <elf.h>
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

enum lazy { LAZY_NONE, LAZY_DONE, LAZY_FAILED };

struct shell {
	char *path;		/* the file it resolves to, for messages */
	dev_t dev;
	ino_t ino;
	off_t size;
	bool multicall;		/* busybox: a shell only under a shell applet's name */
	bool loader;		/* no shell: the dynamic loader the shells name (PT_INTERP) */
	enum lazy digested;
	struct digest digest;
	/* Its code (the first executable PT_LOAD), to recognise it in a process's memory. */
	enum lazy text_read;
	uint64_t text_offset, text_size;
	struct digest text;
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
static void add_candidate(struct trace_shells *s, const char *path, bool loader)
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
	    .loader = loader,
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
				add_candidate(s, line, false);
		}
	}
	strbuf_release(&text);
}

/* The program headers of a 64-bit ELF file; caller frees.  NULL for anything else. */
static Elf64_Phdr *program_headers(int fd, size_t *n)
{
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 128)
		return NULL;
	Elf64_Phdr *ph = xcalloc(eh.e_phnum, sizeof(*ph));
	ssize_t want = (ssize_t)(eh.e_phnum * sizeof(*ph));
	if (pread(fd, ph, (size_t)want, (off_t)eh.e_phoff) != want) {
		free(ph);
		return NULL;
	}
	*n = eh.e_phnum;
	return ph;
}

/*
 * The dynamic loaders the shells name (their PT_INTERP): run directly
 * (`ld.so /bin/sh -c ...`), the loader is what /proc/PID/exe shows, and
 * the shell is only mapped once it runs (trace_shells_match_mapped).
 */
static void add_loaders(struct trace_shells *s)
{
	for (size_t i = 0, n = s->n; i < n; i++) {
		int fd = open(s->v[i].path, O_RDONLY | O_CLOEXEC);
		size_t nph = 0;
		Elf64_Phdr *ph = fd >= 0 ? program_headers(fd, &nph) : NULL;
		for (size_t k = 0; k < nph; k++) {
			char interp[PATH_MAX];
			if (ph[k].p_type != PT_INTERP || ph[k].p_filesz >= sizeof(interp) ||
			    pread(fd, interp, ph[k].p_filesz, (off_t)ph[k].p_offset) !=
				(ssize_t)ph[k].p_filesz)
				continue;
			interp[ph[k].p_filesz] = '\0';
			add_candidate(s, interp, true);
		}
		free(ph);
		if (fd >= 0)
			close(fd);
	}
}

struct trace_shells *trace_shells_new(void)
{
	struct trace_shells *s = xcalloc(1, sizeof(*s));
	for (size_t d = 0; d < ARRAY_SIZE(shell_dirs); d++) {
		for (size_t i = 0; i < ARRAY_SIZE(shell_names); i++) {
			char *path = path_join(shell_dirs[d], shell_names[i]);
			add_candidate(s, path, false);
			free(path);
		}
	}
	add_etc_shells(s);
	add_loaders(s);
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

/* The digest of len bytes of fd from offset (len < 0: to its end); -1 when they cannot be read. */
static int digest_range(int fd, off_t offset, off_t len, struct digest *d)
{
	digest_init(d);
	char buf[65536];
	while (len != 0) {
		size_t want = len < 0 || len > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)len;
		ssize_t n = pread(fd, buf, want, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && len < 0 ? 0 : -1;
		digest_add(d, buf, (size_t)n);
		offset += n;
		len -= len < 0 ? 0 : n;
	}
	return 0;
}

/* The digest of a whole file; -1 when it cannot be read. */
static int digest_file(const char *path, struct digest *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int ret = digest_range(fd, 0, -1, d);
	close(fd);
	return ret;
}

static bool shell_digest(struct shell *sh, struct digest *out)
{
	if (sh->digested == LAZY_NONE)
		sh->digested = digest_file(sh->path, &sh->digest) == 0 ? LAZY_DONE : LAZY_FAILED;
	*out = sh->digest;
	return sh->digested == LAZY_DONE;
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

char *trace_shells_match(struct trace_shells *s, pid_t pid, const struct strvec *argv,
			 bool *loader)
{
	*loader = false;
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
	*loader = sh && sh->loader;
	if (!sh || sh->loader || (sh->multicall && !runs_shell_applet(argv)))
		return NULL;
	return copy ? xasprintf("a copy of %s", sh->path) : xstrdup(sh->path);
}

/* A shell's code: the bytes of its first executable PT_LOAD, read once. */
static bool shell_text(struct shell *sh)
{
	if (sh->text_read != LAZY_NONE)
		return sh->text_read == LAZY_DONE;
	sh->text_read = LAZY_FAILED;
	int fd = open(sh->path, O_RDONLY | O_CLOEXEC);
	size_t nph = 0;
	Elf64_Phdr *ph = fd >= 0 ? program_headers(fd, &nph) : NULL;
	for (size_t k = 0; k < nph; k++) {
		if (ph[k].p_type != PT_LOAD || !(ph[k].p_flags & PF_X) || !ph[k].p_filesz)
			continue;
		sh->text_offset = ph[k].p_offset;
		sh->text_size = ph[k].p_filesz;
		if (digest_range(fd, (off_t)ph[k].p_offset, (off_t)ph[k].p_filesz, &sh->text) == 0)
			sh->text_read = LAZY_DONE;
		break;
	}
	free(ph);
	if (fd >= 0)
		close(fd);
	return sh->text_read == LAZY_DONE;
}

/* Whether pid's memory at addr holds the shell's code. */
static bool holds_text(pid_t pid, uint64_t addr, const struct shell *sh)
{
	struct digest d;
	digest_init(&d);
	char buf[65536];
	for (uint64_t done = 0; done < sh->text_size;) {
		size_t want = sh->text_size - done < sizeof(buf) ? (size_t)(sh->text_size - done)
								: sizeof(buf);
		if (trace_proc_read_mem(pid, addr + done, buf, want) != want)
			return false;
		digest_add(&d, buf, want);
		done += want;
	}
	return d.h == sh->text.h;
}

char *trace_shells_match_mapped(struct trace_shells *s, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *maps = fopen(path, "re");
	if (!maps)
		return NULL;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	char line[512];
	char *found = NULL;
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long long start, end, offset;
		char perms[5];
		/* Code mapped from a file, whatever the file (a memfd, one deleted since). */
		if (sscanf(line, "%llx-%llx %4s %llx", &start, &end, perms, &offset) != 4 ||
		    strcmp(perms, "r-xp"))
			continue;
		for (size_t i = 0; i < s->n && !found; i++) {
			struct shell *sh = &s->v[i];
			if (sh->loader || !shell_text(sh) || (sh->text_offset & ~(page - 1)) != offset)
				continue;
			uint64_t at = start + (sh->text_offset - offset);
			if (at + sh->text_size <= end && holds_text(pid, at, sh))
				found = xasprintf("the code of %s, run by the dynamic loader", sh->path);
		}
	}
	fclose(maps);
	return found;
}
