/*
 * trace_pct_internal.h: what the schedule of a perturbed run (trace_pct.c)
 * shares with its telling (trace_pct_tell.c): the holds, what the others
 * did during one, and the names of the calls.
 */
#ifndef GRADER_TRACE_PCT_INTERNAL_H
#define GRADER_TRACE_PCT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace_internal.h"

/* What another process did during a hold: a run of steps at the same call. */
struct pct_seen {
	size_t proc;
	int nr;			/* -1: it exited */
	unsigned count;
	unsigned long long lines;	/* write: the newlines written */
	long sleep_ms;		/* nanosleep: the time asked, in all */
	bool rmid;		/* shmctl: IPC_RMID */
};

struct pct_hold {
	double since;
	/* Passes until one decides it, that one included (the runner looks at ready meanwhile); 0: kept. */
	unsigned passes;
	/* Held at its call's (task->step_nr) exit, after shmat() say, else at its entry. */
	bool exit;
	long sleep_ms;		/* a nanosleep's: the time it asks for */
	unsigned long long cpu_ns;	/* runnable higher-priority ones used since it began (yielding: the others) */
	uint64_t sleep_at;	/* a nanosleep's: the address of its request */
	bool yielding;		/* a sleep's entry, kept while the others reach their next steps */
	unsigned *sleeps0;	/* each process's sleeps when it began (by index in t->procs) */
	size_t nsleeps0;
	struct pct_seen *seen;
	size_t nseen, seen_cap;
};

/* A hold worth telling. */
struct pct_told {
	char *text;
	unsigned long long score;
};

struct pct {
	size_t started;		/* processes the runner has started */
	unsigned long long spin_ns;	/* spent on holds kept by runnable processes */
	long sleep_ms;		/* spent on holds kept by sleeping ones */
	struct pct_told *told;
	size_t ntold, told_cap;
};

/* How a process stands at a pass. */
enum pct_state { PCT_BLOCKED, PCT_ENABLED, PCT_RUNNING, PCT_SLEEPING };

/* The name of watched call nr ("?" when it is not one). */
const char *pct_call_name(const struct tracer *t, int nr);
bool pct_is_call(const struct tracer *t, int nr, const char *name);
bool pct_is_sleep(const struct tracer *t, int nr);
/* The time a nanosleep or clock_nanosleep at its entry asks for, in ms (LONG_MAX: unknown). */
long pct_sleep_ms_of(const struct tracer *t, pid_t tid, int nr, const uint64_t *args);

/* ---- the telling (trace_pct_tell.c) ---- */

/* Tells every hold of another process that proc made a step at nr (-1: it exited). */
void pct_tell_holds(struct tracer *t, size_t proc, pid_t tid, int nr, const uint64_t *args);
/* Keeps the words of the task's hold, which ends now, if the others did something meanwhile. */
void pct_tell_hold(struct tracer *t, const struct task *task, double now);
/* Puts the holds worth telling and the run's order into the record (t->out). */
void pct_tell_finish(struct tracer *t);

#endif
