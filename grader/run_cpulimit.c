/*
 * run_cpulimit: a CPU time limit that is not a whole number of seconds
 * (run_internal.h).
 *
 * RLIMIT_CPU counts whole seconds, so run_child.c can only round such a
 * limit up: `cpu: 500ms` let a program spin a full second, and one that
 * needed 700 ms passed a test whose spec forbids it.  Here the runner reads
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
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "run_internal.h"
#include "util.h"

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

static bool told(const struct run_cpulimit *c, pid_t pid)
{
	for (size_t i = 0; i < c->ntold; i++)
		if (c->told[i] == pid)
			return true;
	return false;
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
	/* Gone since it was listed: nothing to limit. */
	if (told(c, pid) || clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) < 0)
		return;
	double left = c->limit - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	if (left > 0) {
		if (left < look->least_left)
			look->least_left = left;
		return;
	}
	if (kill(pid, SIGXCPU) < 0 && errno != ESRCH)
		return;
	c->told = xgrow(c->told, sizeof(*c->told), c->ntold + 1, &c->cap);
	c->told[c->ntold++] = pid;
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
	free(c->told);
	*c = (struct run_cpulimit){0};
}
