/*
 * run_leftovers: what a test leaves behind (run_internal.h) — finding the
 * processes it did not start itself, and killing them.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_internal.h"
#include "util.h"

bool run_pids_has(const struct run_pids *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

void run_pids_add(struct run_pids *s, pid_t pid)
{
	if (run_pids_has(s, pid))
		return;
	s->v = xgrow(s->v, sizeof(*s->v), s->n + 1, &s->cap);
	s->v[s->n++] = pid;
}

bool run_pids_add_children(struct run_pids *s, pid_t pid)
{
	char path[64];
	struct strbuf kids = STRBUF_INIT;
	strbuf_init(&kids);
	bool listed = false;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *dir = opendir(path);
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children", (int)pid, de->d_name);
		strbuf_reset(&kids);
		if (read_file(path, &kids) < 0)
			continue;
		listed = true;
		for (char *p = kids.buf, *end; *p; p = end) {
			long child = strtol(p, &end, 10);
			if (end == p)
				break;
			if (child > 0)
				run_pids_add(s, (pid_t)child);
		}
	}
	if (dir)
		closedir(dir);
	strbuf_release(&kids);
	return listed;
}

/* Reads /proc/PID/stat's process group and state; false when the process is gone. */
bool run_proc_stat(pid_t pid, pid_t *ppid_out, pid_t *pgid, char *state, char *comm,
		      size_t comm_size)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return false;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	char *open_paren = strchr(buf, '(');
	char *close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	snprintf(comm, comm_size, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	int ppid, group;
	if (sscanf(close_paren + 2, "%c %d %d", state, &ppid, &group) != 3)
		return false;
	*pgid = group;
	*ppid_out = ppid;
	return true;
}

/* Whether pid is one of the processes the test started itself. */
static bool started_by_test(const struct loop *lp, pid_t pid)
{
	for (size_t i = 0; i < lp->started; i++)
		if (lp->procs[i].pid == pid)
			return true;
	return false;
}

/* A process of the test that it did not start itself, as /proc shows it. */
struct other_proc {
	pid_t pid;
	char state;		/* 'Z' for a zombie */
	bool our_child;		/* re-parented to the grader */
	char comm[64];
};

/*
 * Lists the test's processes other than the ones it started: members of its
 * process groups, and processes re-parented to the grader (a child
 * subreaper), which is where a setsid() or double-fork escape ends up once
 * its parent is gone.  Caller frees *out.
 */
static size_t list_others(const struct loop *lp, const pid_t *pgids, size_t npgids,
			  struct other_proc **out)
{
	*out = NULL;
	size_t n = 0;
	DIR *dir = opendir("/proc");
	if (!dir)
		return 0;
	pid_t self = getpid();
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		struct other_proc o = {.pid = (pid_t)atoi(de->d_name)};
		pid_t ppid, pgid;
		if (!run_proc_stat(o.pid, &ppid, &pgid, &o.state, o.comm, sizeof(o.comm)))
			continue;
		o.our_child = ppid == self;
		bool in_group = false;
		for (size_t i = 0; i < npgids; i++)
			in_group |= pgids[i] == pgid;
		if (started_by_test(lp, o.pid) || !(o.our_child || in_group))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = o;
	}
	closedir(dir);
	return n;
}

/* Describes the live leftovers ("pid 12 (sleep)") for the orphans check. */
void run_find_leftovers(const struct loop *lp, const pid_t *pgids, size_t npgids,
			   struct strvec *found)
{
	struct other_proc *others;
	size_t n = list_others(lp, pgids, npgids, &others);
	for (size_t i = 0; i < n; i++)
		if (others[i].state != 'Z')
			strvec_pushf_capped(found, FINDINGS_MAX, "pid %d (%s)", (int)others[i].pid, others[i].comm);
	free(others);
}

/*
 * Kills whatever the test left running, until nothing is left or a bound
 * passes, and reaps what was re-parented to the grader.
 */
void run_kill_leftovers(const struct loop *lp, const pid_t *pgids, size_t npgids)
{
	double until = now_seconds() + 2.0;
	for (;;) {
		/*
		 * A traced process stops once more on its way out, and a traced
		 * zombie waits for its tracer: both need the tracer's answer.
		 * (Its failure would only make this loop wait out its bound.)
		 */
		if (lp->tracer)
			(void)trace_step(lp->tracer);
		for (size_t i = 0; i < npgids; i++)
			kill(-pgids[i], SIGKILL);
		struct other_proc *others;
		size_t n = list_others(lp, pgids, npgids, &others);
		size_t alive = 0;
		for (size_t i = 0; i < n; i++) {
			if (others[i].state != 'Z') {
				kill(others[i].pid, SIGKILL);
				alive++;
			} else if (others[i].our_child) {
				/* Ours to reap, since the grader is their subreaper. */
				waitpid(others[i].pid, NULL, WNOHANG);
			}
		}
		free(others);
		if (!alive || now_seconds() >= until)
			break;
		usleep(1000);
	}
}

void run_signal_test(const struct proc *procs, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++) {
		if (procs[i].pid <= 0)
			continue;
		pid_t pgid = getpgid(procs[i].pid);
		if (pgid > 0 && pgid != getpgrp())
			kill(-pgid, sig);
		kill(procs[i].pid, sig);
	}
}

size_t run_collect_pgids(const struct proc *procs, size_t n, pid_t *pgids)
{
	size_t npgids = 0;
	for (size_t i = 0; i < n; i++) {
		if (procs[i].pid <= 0)
			continue;
		pid_t pgid = getpgid(procs[i].pid);
		if (pgid <= 0 || pgid == getpgrp())
			continue;
		bool seen = false;
		for (size_t j = 0; j < npgids; j++)
			seen |= pgids[j] == pgid;
		if (!seen)
			pgids[npgids++] = pgid;
	}
	return npgids;
}

static void reap_if_orphan(const struct loop *lp, pid_t pid)
{
	/*
	 * The started ones stay unreaped until the end: their pids name their
	 * process groups.  A traced process is the tracer's to reap, once it
	 * has seen its exit.
	 */
	if (pid <= 0 || started_by_test(lp, pid) || (lp->tracer && trace_follows(lp->tracer, pid)))
		return;
	siginfo_t si;
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) < 0 && errno == EINTR)
		;
}

void run_reap_orphans(const struct loop *lp)
{
	struct run_pids kids = {0};
	if (run_pids_add_children(&kids, getpid())) {
		for (size_t i = 0; i < kids.n; i++)
			reap_if_orphan(lp, kids.v[i]);
	} else {
		/* A kernel without CONFIG_PROC_CHILDREN: every process's parent, from /proc. */
		DIR *dir = opendir("/proc");
		struct dirent *de;
		pid_t self = getpid();
		while (dir && (de = readdir(dir))) {
			pid_t pid = (pid_t)atoi(de->d_name), ppid, pgid;
			char state, comm[64];
			if (pid > 0 && run_proc_stat(pid, &ppid, &pgid, &state, comm, sizeof(comm)) &&
			    ppid == self && state == 'Z')
				reap_if_orphan(lp, pid);
		}
		if (dir)
			closedir(dir);
	}
	free(kids.v);
}
