/*
 * run_cpu: what a test's processes do with the CPUs (run_internal.h): how
 * long they waited for one, and a CPU time limit that is not whole seconds
 * (further down).
 *
 * How long they waited.  The kernel counts, per task, the time it was
 * runnable but not running (the second field of /proc/PID/schedstat, in
 * nanoseconds).  A test's
 * wall-clock deadline moves by the time its processes lost that way, so
 * that a loaded machine (other jobs, more batch workers than CPUs, a busy
 * CI runner) gives a test the same running time as an idle one: a correct
 * CPU-heavy program still passes, and a spinning one still ends at its CPU
 * limit rather than at the wall clock.
 *
 * Over each interval between two samples the test is credited the sum of
 * its processes' new waits, never more than the interval itself (two
 * processes waiting side by side lose the test that much time once), and
 * only in the share of the machine's CPUs the test did not use itself: a
 * test whose own processes keep every CPU busy (a fork bomb, a parallel
 * program) waits for itself, not for the machine, and gets nothing.
 * Samples come at most every RUN_CPUWAIT_SAMPLE_MS, and once more whenever
 * the deadline is reached; which processes are the test's,
 * run_for_each_test_pid says.  What the waits since the last sample could
 * still add (run_cpuwait_pending) bounds the deadline a test whose
 * processes all sleep can reach (run.c).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu_idle.h"
#include "run_internal.h"
#include "util.h"

/* The task's time on a CPU and on a run queue, in nanoseconds; false when it is gone. */
static bool read_schedstat(pid_t pid, unsigned long long *ran, unsigned long long *waited)
{
	char path[64], buf[128];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	return read_small_file(path, buf, sizeof(buf)) > 0 &&
	       sscanf(buf, "%llu %llu", ran, waited) == 2;
}

/*
 * Adds pid's CPU and run-queue time since it was last seen to *ran and
 * *waited; with commit, it is seen now.
 */
static void account(struct run_cpuwait *w, pid_t pid, unsigned long long *ran,
		    unsigned long long *waited, bool commit)
{
	unsigned long long r, q;
	if (!read_schedstat(pid, &r, &q))
		return;
	size_t i = 0;
	while (i < w->n && w->seen[i].pid != pid)
		i++;
	/* A process born during the test: all of its time is the test's. */
	unsigned long long seen_ran = i < w->n ? w->seen[i].ran : 0;
	unsigned long long seen_waited = i < w->n ? w->seen[i].waited : 0;
	*ran += r > seen_ran ? r - seen_ran : 0;
	*waited += q > seen_waited ? q - seen_waited : 0;
	if (!commit)
		return;
	if (i == w->n) {
		w->seen = xgrow(w->seen, sizeof(*w->seen), w->n + 1, &w->cap);
		w->seen[i].pid = pid;
		w->n++;
	}
	w->seen[i].ran = r;
	w->seen[i].waited = q;
}

void run_for_each_test_pid(const struct loop *lp, void (*fn)(pid_t pid, void *arg), void *arg)
{
	if (getpid() == 1) {
		DIR *dir = opendir("/proc");
		struct dirent *de;
		while (dir && (de = readdir(dir))) {
			pid_t pid = (pid_t)atoi(de->d_name);
			if (pid > 1)
				fn(pid, arg);
		}
		if (dir)
			closedir(dir);
	} else {
		/*
		 * Everything below the runner: the started processes are its
		 * children (unreaped until the test ends), and so are orphans (it
		 * is a subreaper).  A kernel that lists no children: the started ones.
		 */
		struct run_pids below = {0};
		if (!run_pids_add_children(&below, getpid()))
			for (size_t i = 0; i < lp->started; i++)
				if (lp->procs[i].pid > 0)
					run_pids_add(&below, lp->procs[i].pid);
		for (size_t i = 0; i < below.n; i++) {
			fn(below.v[i], arg);
			run_pids_add_children(&below, below.v[i]);
		}
		free(below.v);
	}
}

struct tally {
	struct run_cpuwait *w;
	unsigned long long ran, waited;
	bool commit;
};

static void account_one(pid_t pid, void *arg)
{
	struct tally *t = arg;
	account(t->w, pid, &t->ran, &t->waited, t->commit);
}

/* The CPU and run-queue time of the test's processes since the last sample. */
static void account_test(struct run_cpuwait *w, const struct loop *lp, unsigned long long *ran,
			 unsigned long long *waited, bool commit)
{
	struct tally t = {w, 0, 0, commit};
	run_for_each_test_pid(lp, account_one, &t);
	*ran += t.ran;
	*waited += t.waited;
}

void run_cpuwait_init(struct run_cpuwait *w, double now, double max_credit)
{
	memset(w, 0, sizeof(*w));
	w->last_sample = now;
	w->max_credit = max_credit;
	/* The CPUs the test may use, not the machine's: its share of them is what it used. */
	w->cpus = cpu_usable();
}

double run_cpuwait_sample(struct run_cpuwait *w, const struct loop *lp, double now, bool force)
{
	double interval = now - w->last_sample;
	if (!force && interval * 1000.0 < RUN_CPUWAIT_SAMPLE_MS)
		return 0;
	unsigned long long ran = 0, waited = 0;
	account_test(w, lp, &ran, &waited, true);
	w->last_sample = now;
	double credit = (double)waited / 1e9;
	if (credit > interval)
		credit = interval;
	double used = interval > 0 ? (double)ran / 1e9 / (interval * (double)w->cpus) : 1;
	credit *= used < 1 ? 1 - used : 0;
	if (credit > w->max_credit - w->credited)
		credit = w->max_credit - w->credited;
	if (credit < 0)
		credit = 0;
	w->credited += credit;
	return credit;
}

double run_cpuwait_pending(struct run_cpuwait *w, const struct loop *lp)
{
	unsigned long long ran = 0, waited = 0;
	account_test(w, lp, &ran, &waited, false);
	/* A sample credits at most the waits it finds, and never past max_credit. */
	double pending = (double)waited / 1e9;
	return pending < w->max_credit - w->credited ? pending : w->max_credit - w->credited;
}

void run_cpuwait_release(struct run_cpuwait *w)
{
	free(w->seen);
	memset(w, 0, sizeof(*w));
}

/*
 * A CPU time limit that is not a whole number of seconds.  RLIMIT_CPU
 * counts whole seconds, so run_child.c can only round such a limit up:
 * `cpu: 500ms` let a program spin a full second, and one that needed
 * 700 ms passed a test whose spec forbids it.  Here the runner reads
 * the CPU clock of each process of the test and sends SIGXCPU, as the
 * kernel would at its soft limit, to one that reached the limit: the judge
 * then reports it as it reports the kernel's (a `limit` check), for a
 * started process and for any it started.  The rounded-up RLIMIT_CPU stays
 * as the backstop: a program that catches SIGXCPU is killed by the kernel
 * one second after the rounded-up limit, as with any limit.
 *
 * No process can gain more CPU time in a second than there are CPUs on
 * line, so the next look is due no sooner than when the one closest to the
 * limit could first reach it: a test that ends well inside its limit is
 * never looked at, and one that spins is looked at ever more often as it
 * nears the limit, at most every RUN_CPULIMIT_MIN_MS (by which much a
 * process may overshoot the limit).
 */
void run_cpulimit_init(struct run_cpulimit *c, long long cpu_ms, double now)
{
	*c = (struct run_cpulimit){0};
	c->next = INFINITY;
	/* A whole number of seconds is RLIMIT_CPU's to enforce, to the tick. */
	if (cpu_ms <= 0 || cpu_ms % 1000 == 0)
		return;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	c->limit = (double)cpu_ms / 1000.0;
	c->cpus = online > 0 ? (double)online : 1;
	c->next = now + c->limit / c->cpus;
}

struct look {
	struct run_cpulimit *c;
	double least_left; /* CPU seconds left to the process closest to the limit */
};

static void look_at(pid_t pid, void *arg)
{
	struct look *look = arg;
	struct run_cpulimit *c = look->c;
	clockid_t clock;
	struct timespec ts;
	/* Told already, or gone since it was listed. */
	if (run_pids_has(&c->told, pid) || clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) < 0)
		return;
	double left = c->limit - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	if (left > 0) {
		if (left < look->least_left)
			look->least_left = left;
		return;
	}
	if (kill(pid, SIGXCPU) == 0 || errno == ESRCH)
		run_pids_add(&c->told, pid);
}

void run_cpulimit_check(struct run_cpulimit *c, const struct loop *lp, double now)
{
	if (now < c->next)
		return;
	struct look look = {c, c->limit};
	run_for_each_test_pid(lp, look_at, &look);
	double wait = look.least_left / c->cpus;
	c->next = now + (wait > RUN_CPULIMIT_MIN_MS / 1000.0 ? wait : RUN_CPULIMIT_MIN_MS / 1000.0);
}

void run_cpulimit_release(struct run_cpulimit *c)
{
	free(c->told.v);
	*c = (struct run_cpulimit){0};
}
