/*
 * diagnose_snapshot: what /proc says of the observer and its descendants at
 * one moment (diagnose.h): states, the call each is blocked in, their
 * descriptors, and for one asleep in nanosleep or clock_nanosleep when that
 * sleep ends at the earliest.
 */
#include "diagnose.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
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
	double started;		/* seconds of CLOCK_BOOTTIME */
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
	unsigned long long utime, stime, starttime;
	/*
	 * state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime
	 */
	if (sscanf(close + 1,
		   " %c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %ld %*s %llu",
		   &e->state, &ppid, &utime, &stime, &e->threads, &starttime) != 6)
		return false;
	e->pid = pid;
	e->ppid = ppid;
	snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(close - open - 1), open + 1);
	double tick = (double)sysconf(_SC_CLK_TCK);
	e->cpu_seconds = (double)(utime + stime) / tick;
	/* Ticks since boot, rounded down by the kernel; one less in case some kernel rounds up. */
	e->started = starttime > 0 ? (double)(starttime - 1) / tick : 0;
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

/*
 * The call pid is blocked in and its six arguments, from /proc/PID/syscall:
 * "NR ARG1 ... ARG6 SP PC" while blocked; "running", or "-1 SP PC" outside a
 * system call (then false).
 */
static bool parse_syscall(pid_t pid, long *nr, unsigned long long args[6])
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return false;
	char *end;
	*nr = strtol(buf, &end, 10);
	if (end == buf || *nr < 0)
		return false;
	for (size_t k = 0; k < 6; k++)
		args[k] = strtoull(end, &end, 0);
	return true;
}

static void read_syscall(struct diagnose_proc *p)
{
	long nr;
	if (!parse_syscall(p->pid, &nr, p->args))
		return;
	p->syscall = nr;
	/* restart_syscall names no call: where it sleeps in the kernel tells which one it resumes. */
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)p->pid);
	if (nr == SYS_restart_syscall && read_small_file(path, buf, sizeof(buf)) > 0)
		snprintf(p->wchan, sizeof(p->wchan), "%.*s", (int)sizeof(p->wchan) - 1, buf);
}

/* Whether [addr, addr + len) lies in one private mapping of pid, which no other process writes. */
static bool in_private_mapping(pid_t pid, unsigned long long addr, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	struct strbuf maps = STRBUF_INIT;
	strbuf_init(&maps);
	bool is_private = false;
	if (read_file(path, &maps) == 0) {
		/* "start-end perms offset dev inode [path]", perms "rw-p": p private, s shared */
		for (const char *line = maps.buf; line && *line;) {
			unsigned long long start, end;
			char perms[8];
			if (sscanf(line, "%llx-%llx %7s", &start, &end, perms) == 3 && start <= addr &&
			    addr < end) {
				is_private = addr + len <= end && strlen(perms) == 4 && perms[3] == 'p';
				break;
			}
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	}
	strbuf_release(&maps);
	return is_private;
}

static double seconds_of(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/*
 * When the nanosleep or clock_nanosleep p is in ends at the earliest
 * (p->sleep, diagnose.h), when that is certain.
 *
 * The request is a timespec in the process's memory, which the kernel
 * copied when the call began.  Since then no code of the process has run —
 * it has one thread (diagnose_deadlock.c asks that), and a signal handler
 * would have ended the call (a sleep resumed after one is in
 * restart_syscall, whose request is not known) — so what is read now is
 * what the kernel got, unless another process wrote it meanwhile: it must
 * lie in a private mapping.  (A process that shares all of its memory with
 * another, through clone(CLONE_VM) without CLONE_THREAD, is not told
 * apart: no course program does that.)  The call is read again after the
 * memory, so that the request is that of the call still under way.
 *
 * Its end, at the earliest, on the runner's clock (CLOCK_MONOTONIC):
 *
 *   relative   on CLOCK_MONOTONIC, CLOCK_BOOTTIME or CLOCK_REALTIME (sleep()
 *              and usleep(): the kernel times a relative sleep on it as on
 *              CLOCK_MONOTONIC), and nanosleep: it began no earlier than
 *              the process started, so it ends no earlier than the start
 *              plus the request.  The process may have run a while before
 *              it slept: the bound only errs early.
 *   absolute   (TIMER_ABSTIME) on one of those clocks: at the request, on
 *              that clock.
 *
 * Any other clock is not certain.  The three clocks run together unless the
 * machine is suspended or its wall clock is set, neither of which a grading
 * machine does in the middle of a test.  Each is read after CLOCK_MONOTONIC,
 * so that the time between the two reads only moves the end earlier.
 */
static void read_sleep(struct diagnose_proc *p)
{
	unsigned long long clock = CLOCK_MONOTONIC, flags = 0, request = p->args[0];
	if (p->syscall == SYS_clock_nanosleep) {
		clock = p->args[0];
		flags = p->args[1];
		request = p->args[2];
	} else if (p->syscall != SYS_nanosleep) {
		return;
	}
	if ((clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME && clock != CLOCK_REALTIME) ||
	    p->started <= 0)
		return;
	/* The kernel's old timespec: what both calls take, on every architecture. */
	struct {
		long sec, nsec;
	} ts;
	struct iovec local = {&ts, sizeof(ts)};
	struct iovec remote = {(void *)(uintptr_t)request, sizeof(ts)};
	long nr;
	unsigned long long args[6];
	if (process_vm_readv(p->pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(ts) ||
	    !parse_syscall(p->pid, &nr, args) || nr != p->syscall ||
	    memcmp(args, p->args, sizeof(args)) ||
	    !in_private_mapping(p->pid, request, sizeof(ts)))
		return;
	/* Any other request is refused (EINVAL): the process would not be asleep on it. */
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
		return;
	bool absolute = flags & TIMER_ABSTIME;
	double asked = (double)ts.sec + (double)ts.nsec / 1e9;
	struct timespec mono, on;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (clock_gettime(absolute ? (clockid_t)clock : CLOCK_BOOTTIME, &on) < 0)
		return;
	double ahead = (absolute ? asked : p->started + asked) - seconds_of(&on);
	p->sleep = (struct diagnose_sleep){true, absolute, absolute ? ahead : asked,
					  seconds_of(&mono) + ahead};
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
			p->started = all[k].started;
		}
	}
	for (size_t i = 0; i < snap->n; i++) {
		struct diagnose_proc *p = &snap->procs[i];
		if (!p->observer) {
			read_cmd(p);
			read_syscall(p);
			read_sleep(p);
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
