/*
 * diagnose_snapshot: what /proc says of the observer and its descendants at
 * one moment (diagnose.h): states, the call each is blocked in, and their
 * descriptors.
 */
#include "diagnose.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

struct diagnose_proc *diagnose_snapshot_add(struct diagnose_snapshot *snap, pid_t pid, pid_t ppid,
					    char state, const char *cmd)
{
	snap->procs = xgrow(snap->procs, sizeof(*snap->procs), snap->n + 1, &snap->cap);
	struct diagnose_proc *p = &snap->procs[snap->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->state = state;
	p->cmd = xstrdup(cmd);
	p->syscall = -1;
	return p;
}

void diagnose_proc_add_fd(struct diagnose_proc *p, int fd, const char *target, bool pipe,
			  unsigned long long ino, int accmode)
{
	p->fds = xgrow(p->fds, sizeof(*p->fds), p->nfds + 1, &p->fds_cap);
	p->fds[p->nfds++] = (struct diagnose_fd){fd, xstrdup(target), pipe, ino, accmode};
}

void diagnose_snapshot_add_gone(struct diagnose_snapshot *snap, pid_t pid, const char *cmd,
				const unsigned long long *pipes, size_t npipes)
{
	snap->gone = xrealloc(snap->gone, (snap->ngone + 1) * sizeof(*snap->gone));
	struct diagnose_gone *g = &snap->gone[snap->ngone++];
	g->pid = pid;
	g->cmd = xstrdup(cmd);
	g->pipes = xcalloc(npipes ? npipes : 1, sizeof(*g->pipes));
	memcpy(g->pipes, pipes, npipes * sizeof(*pipes));
	g->npipes = npipes;
}

void diagnose_snapshot_release(struct diagnose_snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++) {
		struct diagnose_proc *p = &snap->procs[i];
		for (size_t k = 0; k < p->nfds; k++)
			free(p->fds[k].target);
		free(p->fds);
		free(p->cmd);
	}
	for (size_t i = 0; i < snap->ngone; i++) {
		free(snap->gone[i].cmd);
		free(snap->gone[i].pipes);
	}
	free(snap->gone);
	free(snap->procs);
	*snap = (struct diagnose_snapshot)DIAGNOSE_SNAPSHOT_INIT;
}

/* One line of /proc/PID/stat, for every process on the machine. */
struct stat_entry {
	pid_t pid;
	pid_t ppid;
	char state;
	char comm[64];
	double cpu_seconds;
	long threads;
};

static bool read_stat(pid_t pid, struct stat_entry *e)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return false;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return false;
	int ppid;
	unsigned long long utime, stime;
	/*
	 * state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads
	 */
	if (sscanf(close + 1, " %c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %ld",
		   &e->state, &ppid, &utime, &stime, &e->threads) != 5)
		return false;
	e->pid = pid;
	e->ppid = ppid;
	snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(close - open - 1), open + 1);
	e->cpu_seconds = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return true;
}

static int list_processes(struct stat_entry **out, size_t *n)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return error_errno("diagnose: cannot list /proc");
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		struct stat_entry e;
		if (!read_stat((pid_t)atoi(de->d_name), &e))
			continue; /* gone meanwhile */
		*out = xgrow(*out, sizeof(**out), *n + 1, &cap);
		(*out)[(*n)++] = e;
	}
	closedir(proc);
	return 0;
}

/* argv[0] as the program was started ("./pipe_hello"); empty for a zombie. */
static void read_cmd(struct diagnose_proc *p)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p->pid);
	if (read_small_file(path, buf, sizeof(buf)) > 0 && buf[0]) {
		free(p->cmd);
		p->cmd = xstrdup(buf);
	}
}

/* "NR ARG1 ... ARG6 SP PC" while blocked; "running", or "-1 SP PC" outside a system call. */
static void read_syscall(struct diagnose_proc *p)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)p->pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return;
	char *end;
	long nr = strtol(buf, &end, 10);
	if (end == buf || nr < 0)
		return;
	for (size_t k = 0; k < ARRAY_SIZE(p->args); k++)
		p->args[k] = strtoull(end, &end, 0);
	p->syscall = nr;
	/* restart_syscall names no call: where it sleeps in the kernel tells which one it resumes. */
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)p->pid);
	if (nr == SYS_restart_syscall && read_small_file(path, buf, sizeof(buf)) > 0)
		snprintf(p->wchan, sizeof(p->wchan), "%.*s", (int)sizeof(p->wchan) - 1, buf);
}

/* O_RDONLY for a pipe's read end, O_WRONLY for its write end (fdinfo's "flags:" is octal). */
static int read_accmode(pid_t pid, int fd)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *flags = strstr(buf, "flags:");
	return flags ? (int)(strtol(flags + 6, NULL, 8) & O_ACCMODE) : -1;
}

static int compare_fd(const void *a, const void *b)
{
	const struct diagnose_fd *x = a, *y = b;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static void read_fds(struct diagnose_proc *p)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)p->pid);
	DIR *d = opendir(dir);
	if (!d)
		return; /* a zombie has none; without permission we know nothing */
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		int fd = atoi(de->d_name);
		char link[96], target[PATH_MAX];
		snprintf(link, sizeof(link), "%s/%d", dir, fd);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		/* stat() reaches the pipe's inode without opening it (opening a FIFO can block). */
		struct stat st;
		bool pipe = stat(link, &st) == 0 && S_ISFIFO(st.st_mode);
		diagnose_proc_add_fd(p, fd, target, pipe, pipe ? (unsigned long long)st.st_ino : 0,
				     read_accmode(p->pid, fd));
	}
	closedir(d);
	/* A zombie's folder is there but empty: qsort() must not be given its NULL array. */
	if (p->nfds > 1)
		qsort(p->fds, p->nfds, sizeof(*p->fds), compare_fd);
}

int diagnose_snapshot_take(struct diagnose_snapshot *snap)
{
	struct stat_entry *all = NULL;
	size_t nall = 0;
	int ret = -1;
	if (list_processes(&all, &nall) < 0)
		goto out;
	pid_t self = getpid();
	for (size_t k = 0; k < nall && !snap->n; k++)
		if (all[k].pid == self)
			diagnose_snapshot_add(snap, self, all[k].ppid, all[k].state, all[k].comm)
				->observer = true;
	if (!snap->n) {
		error("diagnose: the calling process (pid %d) is not in /proc: is /proc the "
		      "mount of another PID namespace?",
		      (int)self);
		goto out;
	}
	/* Breadth first, so that every parent comes before its children. */
	for (size_t i = 0; i < snap->n; i++) {
		pid_t parent = snap->procs[i].pid;
		for (size_t k = 0; k < nall; k++) {
			if (all[k].ppid != parent || all[k].pid == self)
				continue;
			struct diagnose_proc *p = diagnose_snapshot_add(snap, all[k].pid, parent,
									all[k].state, all[k].comm);
			p->cpu_seconds = all[k].cpu_seconds;
			p->threads = all[k].threads;
		}
	}
	for (size_t i = 0; i < snap->n; i++) {
		struct diagnose_proc *p = &snap->procs[i];
		if (!p->observer) {
			read_cmd(p);
			read_syscall(p);
		}
		read_fds(p);
	}
	ret = 0;
out:
	free(all);
	return ret;
}

/* Memory searched at most: a stdio buffer lives in a small heap. */
#define MEMORY_SEARCHED (64u << 20)
#define MEMORY_CHUNK (64u << 10)

/* Whether text is in [start, end) of the process whose memory mem is. */
static bool range_holds(int mem, unsigned long long start, unsigned long long end,
			const char *text, size_t len, size_t *budget)
{
	char *buf = xmalloc(MEMORY_CHUNK + len);
	size_t kept = 0; /* the tail of the last chunk, for a text that spans two */
	bool found = false;
	for (unsigned long long at = start; at < end && *budget && !found;) {
		size_t want = end - at < MEMORY_CHUNK ? (size_t)(end - at) : MEMORY_CHUNK;
		if (want > *budget)
			want = *budget;
		ssize_t n = pread(mem, buf + kept, want, (off_t)at);
		if (n <= 0)
			break;
		*budget -= (size_t)n;
		at += (unsigned long long)n;
		size_t have = kept + (size_t)n;
		found = memmem(buf, have, text, len) != NULL;
		kept = have < len - 1 ? have : len - 1;
		memmove(buf, buf + have - kept, kept);
	}
	free(buf);
	return found;
}

/* A private, writable mapping of no file; the heap first, then the smaller ones. */
struct anon_range {
	unsigned long long start, end;
	bool heap;
};

static int compare_ranges(const void *a, const void *b)
{
	const struct anon_range *x = a, *y = b;
	if (x->heap != y->heap)
		return x->heap ? -1 : 1;
	unsigned long long lx = x->end - x->start, ly = y->end - y->start;
	return (lx > ly) - (lx < ly);
}

/*
 * The anonymous writable mappings of /proc/PID/maps text, without those
 * larger than the whole search (a sanitizer's shadow memory, reserved
 * terabytes): *n of them, heap first, then by size.  Caller frees.
 */
static struct anon_range *anon_ranges(char *maps, size_t *n)
{
	struct anon_range *v = NULL;
	size_t cap = 0;
	*n = 0;
	/* "start-end perms offset dev inode [path]" */
	for (char *line = maps, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long start, end, inode;
		char perms[8];
		int name_at = 0;
		if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %n", &start, &end, perms, &inode,
			   &name_at) < 4)
			continue;
		const char *name = name_at ? line + name_at : "";
		bool heap = !strcmp(name, "[heap]");
		if (inode || (*name && !heap) || perms[0] != 'r' || perms[1] != 'w' ||
		    perms[3] != 'p' || end - start > MEMORY_SEARCHED)
			continue;
		v = xgrow(v, sizeof(*v), *n + 1, &cap);
		v[(*n)++] = (struct anon_range){start, end, heap};
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), compare_ranges);
	return v;
}

bool diagnose_in_memory(pid_t pid, const char *text)
{
	size_t len = strlen(text);
	char path[64];
	struct strbuf maps = STRBUF_INIT;
	strbuf_init(&maps);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	int mem = -1;
	bool found = false;
	struct anon_range *ranges = NULL;
	size_t n = 0;
	if (!len || read_file(path, &maps) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		goto out;
	ranges = anon_ranges(maps.buf, &n);
	size_t budget = MEMORY_SEARCHED;
	for (size_t i = 0; i < n && !found && budget; i++)
		found = range_holds(mem, ranges[i].start, ranges[i].end, text, len, &budget);
out:
	if (mem >= 0)
		close(mem);
	free(ranges);
	strbuf_release(&maps);
	return found;
}
