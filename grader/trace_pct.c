/*
 * trace_pct: the schedule of a perturbed run (trace.h, "Perturbation") —
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, "A randomized scheduler with probabilistic guarantees of
 * finding bugs", ASPLOS 2010), at the grain of system calls and at depth 1.
 *
 * Steps.  A step is a stop at the entry of a perturbed call (trace_record.c
 * lists them), or at the exit of shmget or shmat: the segment exists, or
 * is attached, and the program has not touched it yet; and, while the
 * runner still has processes to start on `ready`, at the exit of a write:
 * the line that fires a `ready` is out, the writer not yet past it.  A step is decided
 * two passes (trace_pct_schedule, once per trace_step) after the one that
 * saw it: what the process did before it stopped (a line written, a
 * segment made) has reached the runner by then, which checks its `ready`
 * conditions between two passes; so a process that has just made its
 * successor ready is still stopped when that successor is started, and
 * the two are ordered by their priorities, not by who got to a CPU first.
 *
 * Priorities.  Each process has one, drawn from the seed and its key:
 * where it stands in the test (the k-th process the runner started, the
 * n-th child of a process), never its pid or the moment it was seen, so
 * that a seed replays the same order.  Seeds 2j and 2j+1 give opposite
 * orders (the second flips every priority): two runs in a row try both
 * orders of any two processes, where independent draws would try the same
 * order twice in half of the pairs.
 *
 * Depth.  PCT at depth d adds d - 1 change points, steps at which the
 * process making them drops below every other.  Here d is 1: none.  A
 * race between two processes that shows in one order of them fails
 * exactly one run of each pair; a change point that falls before the
 * race's window undoes that order as often as it brings it, and on the
 * fixtures of grader/tests/races one or two change points caught 28-65%
 * of the runs instead of 50% (docs/spec.md).  What is lost: races that
 * need the order of two processes to change within one run.
 *
 * Orders.  At depth 1 a run's schedule follows from the order of its
 * processes' priorities alone: k processes have k! schedules.  The run's
 * order, by the processes' keys, goes into its record (trace_record.order,
 * for at most TRACE_ORDER_MAX processes: past that their orders are too
 * many to try), and a `repeat` without repeat_all stops once its runs, all
 * with the same processes, have tried every order (trace_orders_add):
 * after the first pair of seeds for two processes.  What is lost: the
 * timing that varies between two runs of one order (when a process
 * reaches its next step, how far a polling loop gets during a hold),
 * which further runs of the same order could still hit by chance;
 * repeat_all makes those runs.
 *
 * Holding.  At a pass, a task held at a step is let go unless a process of
 * higher priority is enabled: it has a task held at a step (it wants to
 * run); or the runner has just started it (its first step is still to
 * come: its program is on its way); or it is runnable (R), in a disk
 * sleep (D: a page fault), or at a stop not yet answered; or it sleeps for
 * a set time (a nanosleep ends by itself).  A process this hold has
 * seen begin a second sleep keeps it no longer, whatever it does: a loop
 * of sleeps polls for somebody, maybe the held one.  Anything else —
 * blocked in a read, a wait, a semaphore, a vfork (D, until its child
 * execs), a job-control stop, kept in its exit stop while its children
 * are judged, paused while a process is attached, gone — is blocked.
 *
 * Yields.  A polling loop ahead would make each held process wait one of
 * its sleeps per step.  When the only process that could run (every other
 * one held at a step, or gone, all of a lower priority, none still to be
 * started on `ready`) begins a sleep that some hold has seen it begin one
 * before (a second sleep: that hold ends now anyway), the holds that saw
 * it sleep are let go at once, and the sleeper is kept at the sleep's
 * entry until every other process is held again (each has made its next
 * step); then its request is made to ask for no time (trace_proc_write_mem,
 * put back at the call's exit) and it goes on.  The order of the steps is
 * the one the slept sleep gives — one step of the others per poll, each
 * poll seeing the step before it — without the sleeping.  When one of the
 * others blocks or sleeps instead, or spins past the bound below, time
 * matters again and the sleep is slept as asked; so it is where the
 * request cannot be written (a const one).
 *
 * Bounds, so that no schedule keeps a process back forever, in quantities
 * the program decides (never wall-clock time, which the machine's load
 * would change): runnable processes keep a hold for TRACE_PCT_SPIN_MS of
 * their CPU time (one spinning on a flag that the held one is to set
 * makes no system call), a sleeping one through one sleep of at most
 * TRACE_PCT_SLEEP_MAX_MS; and each run spends at most
 * TRACE_PCT_SPIN_BUDGET_MS of CPU time and TRACE_PCT_SLEEP_BUDGET_MS of
 * sleeps on holds.
 *
 * The telling (trace_pct_tell.c).  Each hold notes what the other
 * processes did meanwhile (their steps, their exits); the holds during
 * which they did the most are told in the record's `schedule`
 * (trace_schedule_text words them for the report).
 */
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"
#include "trace_pct_internal.h"

/* ---- the seed ----------------------------------------------------------- */

/*
 * splitmix64 (Steele, Lea, Flood 2014): tiny, and every seed, 0 included,
 * gives a full-quality stream — the base seed is any 64-bit number.
 */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Mixed, not added: a + b would make neighbouring inputs collide. */
static uint64_t hash2(uint64_t a, uint64_t b)
{
	uint64_t state = a ^ (b * 0xD1B54A32D192ED03ULL);
	return splitmix64(&state);
}

static uint64_t started_key(size_t index)
{
	return (uint64_t)index + 1;
}

/* The top bit set: never the key of a started process. */
static uint64_t child_key(uint64_t parent, unsigned n)
{
	return hash2(parent, (uint64_t)n + 1) | 1ULL << 63;
}

static int64_t priority_of(uint64_t seed, uint64_t key)
{
	uint64_t r = hash2(seed >> 1, key);
	if (seed & 1)
		r = ~r;
	return (int64_t)(r >> 1);
}

int64_t trace_pct_priority(uint64_t seed, size_t started)
{
	return priority_of(seed, started_key(started));
}

/* ---- start and end ------------------------------------------------------ */

void trace_pct_start(struct tracer *t)
{
	if (!t->req.perturb)
		return;
	t->pct = xcalloc(1, sizeof(*t->pct));
}

void trace_pct_new_process(struct tracer *t, size_t proc, size_t parent, bool started)
{
	struct process *p = &t->procs[proc];
	if (!t->pct)
		return;
	if (started)
		p->key = started_key(t->pct->started++);
	else if (parent != SIZE_MAX)
		p->key = child_key(t->procs[parent].key, t->procs[parent].children++);
	else /* its parent is not traced (never seen: the test's processes descend from the runner) */
		p->key = child_key(0, (unsigned)proc);
	p->prio = priority_of(t->req.seed, p->key);
	/* On its way to its program, whatever it is waiting for (the runner's go byte) now. */
	p->starting = started;
}

static void hold_free(struct pct_hold *h)
{
	if (!h)
		return;
	free(h->sleeps0);
	free(h->seen);
	free(h);
}

void trace_pct_forget(struct task *task)
{
	hold_free(task->hold);
	task->hold = NULL;
}

void trace_pct_finish(struct tracer *t)
{
	if (!t->pct)
		return;
	trace_pct_release_all(t);
	pct_tell_finish(t);
	free(t->pct);
	t->pct = NULL;
}

/* ---- names -------------------------------------------------------------- */

const char *pct_call_name(const struct tracer *t, int nr)
{
	for (size_t i = 0; i < t->nwatched; i++)
		if (t->watched[i].nr == nr)
			return t->watched[i].name;
	return "?";
}

bool pct_is_call(const struct tracer *t, int nr, const char *name)
{
	return nr >= 0 && !strcmp(pct_call_name(t, nr), name);
}

bool pct_is_sleep(const struct tracer *t, int nr)
{
	return pct_is_call(t, nr, "nanosleep") || pct_is_call(t, nr, "clock_nanosleep");
}

/* A step at whose exit the segment is there for the program (or, a sleep, whose end matters). */
static bool wants_exit(const struct tracer *t, int nr)
{
	/*
	 * While processes are still to be started on `ready`, a write may be
	 * the one that makes the next ready: stopped at its exit, the writer
	 * is where that line left it when the next one starts, not wherever
	 * the machine's scheduler let it run on to.
	 */
	return pct_is_call(t, nr, "shmget") || pct_is_call(t, nr, "shmat") || pct_is_sleep(t, nr) ||
	       (t->ready_pending && pct_is_call(t, nr, "write"));
}

void trace_ready_pending(struct tracer *t, bool pending)
{
	t->ready_pending = pending;
}

/* Whether call nr (args) makes a child that borrows the caller's memory until it execs or exits. */
static bool makes_vfork(const struct tracer *t, pid_t tid, int nr, const uint64_t *args)
{
	if (pct_is_call(t, nr, "vfork"))
		return true;
	if (pct_is_call(t, nr, "clone"))
		return args[0] & CLONE_VFORK;
	/* posix_spawn, and with it system() and popen() in recent C libraries */
	if (pct_is_call(t, nr, "clone3"))
		return trace_clone3_flags(tid, args[0]) & CLONE_VFORK;
	return false;
}

/* The time a nanosleep or clock_nanosleep asks for, in ms; LONG_MAX when it cannot be read. */
long pct_sleep_ms_of(const struct tracer *t, pid_t tid, int nr, const uint64_t *args)
{
	bool clock = pct_is_call(t, nr, "clock_nanosleep");
	struct timespec ts;
	if (trace_proc_read_mem(tid, clock ? args[2] : args[0], &ts, sizeof(ts)) != sizeof(ts) ||
	    ts.tv_sec < 0 || ts.tv_sec > LONG_MAX / 2000)
		return LONG_MAX;
	long long ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (clock && (args[1] & TIMER_ABSTIME)) {
		struct timespec now;
		if (clock_gettime((clockid_t)args[0], &now) < 0)
			return LONG_MAX;
		ns -= (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	}
	return ns <= 0 ? 0 : (long)((ns + 999999) / 1000000);
}

/* ---- steps -------------------------------------------------------------- */

bool trace_pct_step(struct tracer *t, struct task *task, int nr, const uint64_t *args, bool exit)
{
	struct pct *pct = t->pct;
	if (!pct || !t->perturbing)
		return false;
	t->procs[task->proc].starting = false;
	/* An exit is told by the exit itself; a call's exit stop, by its entry. */
	if (!exit && !pct_is_call(t, nr, "exit_group"))
		pct_tell_holds(t, task->proc, task->tid, nr, args);
	task->step_nr = nr;
	task->want_exit = !exit && wants_exit(t, nr);
	task->in_vfork = !exit && makes_vfork(t, task->tid, nr, args);

	struct pct_hold *h = xcalloc(1, sizeof(*h));
	h->since = now_seconds();
	/*
	 * What the process did before this stop (a line written, a segment
	 * made) is in the runner's hands by the iteration after the one that
	 * collected the stop (its poll began after that), and the runner looks
	 * at `ready` at the top of the next: the third pass decides.  With no
	 * process left to start on `ready`, nothing is waited for: the next.
	 */
	h->passes = t->ready_pending ? 3 : 1;
	h->exit = exit;
	if (!exit && pct_is_sleep(t, nr)) {
		h->sleep_ms = pct_sleep_ms_of(t, task->tid, nr, args);
		h->sleep_at = pct_is_call(t, nr, "clock_nanosleep") ? args[2] : args[0];
	}
	h->nsleeps0 = t->nprocs;
	h->sleeps0 = xcalloc(t->nprocs ? t->nprocs : 1, sizeof(*h->sleeps0));
	for (size_t i = 0; i < t->nprocs; i++)
		h->sleeps0[i] = t->procs[i].sleeps - (t->procs[i].sleeping ? 1 : 0);
	hold_free(task->hold);
	task->hold = h;
	return true;
}

bool trace_pct_call_exit(struct tracer *t, struct task *task, long long rval)
{
	task->want_exit = false;
	/* The kernel read the request as the call began: the program's own is back before it runs on. */
	if (task->skipped_at) {
		(void)trace_proc_write_mem(task->tid, task->skipped_at, &task->skipped,
					   sizeof(task->skipped));
		task->skipped_at = 0;
	}
	if (!t->pct)
		return false;
	struct process *p = &t->procs[task->proc];
	if (pct_is_sleep(t, task->step_nr)) {
		/*
		 * Interrupted to be restarted (a signal; the pause while a new
		 * process is attached): it sleeps on, and its end is still due.
		 */
		if (trace_restarts(rval))
			task->want_exit = true;
		else
			p->sleeping = false;
		return false;
	}
	/* A failed call made nothing the program could use. */
	if (rval < 0 && rval > -4096)
		return false;
	return trace_pct_step(t, task, task->step_nr, NULL, true);
}

/* ---- the pass ----------------------------------------------------------- */

static void release(struct tracer *t, struct task *task, double now)
{
	struct pct_hold *h = task->hold;
	struct process *p = &t->procs[task->proc];
	pct_tell_hold(t, task, now);
	/* Let go at a sleep's entry, it now sleeps for a set time: enabled, within bounds. */
	if (!h->exit && pct_is_sleep(t, task->step_nr) && t->perturbing) {
		p->sleeping = true;
		p->sleeps++;
		p->sleep_ms = h->sleep_ms;
		p->sleep_charged = false;
	}
	trace_pct_forget(task);
	trace_resume(t, task, 0);
}

void trace_pct_release_all(struct tracer *t)
{
	double now = now_seconds();
	for (size_t i = 0; t->pct && i < t->ntasks; i++)
		if (t->tasks[i].hold)
			release(t, &t->tasks[i], now);
}

/* How process p stands now (its tasks: the best of them). */
static enum pct_state state_of(struct tracer *t, size_t proc)
{
	const struct process *p = &t->procs[proc];
	enum pct_state best = PCT_BLOCKED;
	if (p->starting)
		return PCT_ENABLED;
	for (size_t i = 0; i < t->ntasks; i++) {
		const struct task *task = &t->tasks[i];
		if (task->proc != proc)
			continue;
		if (task->hold)
			return PCT_ENABLED;
		/*
		 * Kept stopped by the grader for something else (it waits for
		 * the grader), or in a job-control stop (it waits for SIGCONT).
		 */
		if (task->parked || task->listening || (p->held && p->held_tid == task->tid))
			continue;
		char state;
		pid_t ppid;
		if (trace_proc_state(task->tid, &state, &ppid) < 0)
			continue;
		/*
		 * A stop not yet collected (t) is answered at once, and a disk
		 * sleep (D: a page fault, a file read) ends by itself: it wants
		 * to run.  Not so a vfork's caller (D too), which waits for its
		 * child.
		 */
		if (state == 't' || (state == 'D' && !task->in_vfork))
			return PCT_ENABLED;
		if (state == 'R')
			best = PCT_RUNNING;
		else if (state == 'S' && p->sleeping && best == PCT_BLOCKED)
			best = PCT_SLEEPING;
	}
	return best;
}

/* How many sleeps of process o hold h has seen begin (one under way when it began included). */
static unsigned sleeps_seen(const struct tracer *t, const struct pct_hold *h, size_t o)
{
	return t->procs[o].sleeps - (o < h->nsleeps0 ? h->sleeps0[o] : 0);
}

/* Whether sleeping process o keeps a hold (see the top of this file); charges the budget. */
static bool sleep_keeps(struct tracer *t, size_t o)
{
	struct process *p = &t->procs[o];
	if (p->sleep_ms > TRACE_PCT_SLEEP_MAX_MS)
		return false;
	if (p->sleep_charged)
		return true;
	if (t->pct->sleep_ms + p->sleep_ms > TRACE_PCT_SLEEP_BUDGET_MS)
		return false;
	t->pct->sleep_ms += p->sleep_ms;
	p->sleep_charged = true;
	return true;
}

/* CPU time each process used since the last pass, into cpu_delta. */
static void sample_cpu(struct tracer *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		t->procs[i].cpu_delta = 0;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct task *task = &t->tasks[i];
		unsigned long long ns;
		if (trace_proc_cpu_ns(task->tid, &ns) < 0)
			continue;
		if (ns > task->cpu_ns && task->cpu_ns)
			t->procs[task->proc].cpu_delta += ns - task->cpu_ns;
		task->cpu_ns = ns;
	}
}

/* ---- yields (see the top of this file) ---------------------------------- */

/* Whether every task of process i is held at a step (false for one with no task). */
static bool all_held(const struct tracer *t, size_t i)
{
	bool any = false;
	for (size_t k = 0; k < t->ntasks; k++) {
		if (t->tasks[k].proc != i)
			continue;
		if (!t->tasks[k].hold)
			return false;
		any = true;
	}
	return any;
}

/*
 * Whether the sleep the task is held at the entry of is a yield: its
 * process, with one thread, is the only one that could run (every other
 * one is held at a step, or gone, and all of a lower priority), no process
 * is still to be started on `ready`, and a hold has seen it sleep already:
 * this second sleep is a polling loop's, which lets that hold go.
 */
static bool yield_begins(const struct tracer *t, const struct task *task)
{
	size_t o = task->proc;
	const struct process *p = &t->procs[o];
	if (t->ready_pending || p->threads > 1 || task->hold->exit || !task->hold->sleep_at ||
	    !pct_is_sleep(t, task->step_nr))
		return false;
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct process *other = &t->procs[i];
		if (i != o && !other->rec.exited && (other->prio >= p->prio || !all_held(t, i)))
			return false;
	}
	for (size_t k = 0; k < t->ntasks; k++) {
		const struct pct_hold *h = t->tasks[k].hold;
		if (h && t->tasks[k].proc != o && sleeps_seen(t, h, o) >= 1)
			return true;
	}
	return false;
}

enum yield_end { YIELD_WAIT, YIELD_SKIP, YIELD_SLEEP };

/*
 * How a yield stands: the others are all held again (or gone): the sleep
 * can be skipped; one is on its way to a step: wait, within the bounds of
 * a spinning one; one blocks or sleeps: time matters again, the sleep is
 * slept.
 */
static enum yield_end yield_end(const struct tracer *t, const struct task *task,
				const enum pct_state *state, bool spin_left, bool *spun)
{
	struct pct_hold *h = task->hold;
	bool wait = false;
	for (size_t i = 0; i < t->nprocs; i++) {
		if (i == task->proc || t->procs[i].rec.exited || all_held(t, i))
			continue;
		if (state[i] == PCT_RUNNING) {
			h->cpu_ns += t->procs[i].cpu_delta;
			spun[i] = true;
		} else if (state[i] != PCT_ENABLED) {
			return YIELD_SLEEP;
		}
		wait = true;
	}
	if (!wait)
		return YIELD_SKIP;
	bool spun_out = h->cpu_ns >= (unsigned long long)TRACE_PCT_SPIN_MS * 1000000ULL;
	return spin_left && !spun_out ? YIELD_WAIT : YIELD_SLEEP;
}

/* Makes the sleep the task is held at ask for no time, until its exit stop puts it back. */
static void skip_sleep(struct task *task)
{
	struct pct_hold *h = task->hold;
	struct timespec asked, none = {0, 0};
	if (trace_proc_read_mem(task->tid, h->sleep_at, &asked, sizeof(asked)) != sizeof(asked) ||
	    !trace_proc_write_mem(task->tid, h->sleep_at, &none, sizeof(none)))
		return;
	task->skipped_at = h->sleep_at;
	task->skipped = asked;
	/* Asks for nothing now: keeps nobody held for long, charges nothing to the budget. */
	h->sleep_ms = 0;
}

/* A pass over a yield: it begins (the holds it ends are let go), waits, or ends. */
static void yield(struct tracer *t, struct task *task, const enum pct_state *state, bool spin_left,
		  bool *spun, double now)
{
	struct pct_hold *h = task->hold;
	if (!h->yielding) {
		for (size_t k = 0; k < t->ntasks; k++) {
			struct task *other = &t->tasks[k];
			if (other->hold && other->proc != task->proc &&
			    sleeps_seen(t, other->hold, task->proc) >= 1)
				release(t, other, now);
		}
		h->yielding = true;
		h->passes = 0;
		h->cpu_ns = 0;
		return;
	}
	switch (yield_end(t, task, state, spin_left, spun)) {
	case YIELD_WAIT:
		return;
	case YIELD_SKIP:
		skip_sleep(task);
		break;
	case YIELD_SLEEP:
		break;
	}
	release(t, task, now);
}

void trace_pct_schedule(struct tracer *t)
{
	struct pct *pct = t->pct;
	bool any = false;
	for (size_t i = 0; pct && i < t->ntasks; i++)
		any |= t->tasks[i].hold != NULL;
	if (!any)
		return;
	if (!t->perturbing) {
		trace_pct_release_all(t);
		return;
	}
	sample_cpu(t);
	enum pct_state *state = xcalloc(t->nprocs, sizeof(*state));
	bool *spun = xcalloc(t->nprocs, sizeof(*spun));
	for (size_t i = 0; i < t->nprocs; i++)
		state[i] = t->procs[i].rec.exited ? PCT_BLOCKED : state_of(t, i);

	double now = now_seconds();
	bool spin_left = pct->spin_ns < (unsigned long long)TRACE_PCT_SPIN_BUDGET_MS * 1000000ULL;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct task *task = &t->tasks[i];
		struct pct_hold *h = task->hold;
		if (!h)
			continue;
		if (h->passes > 1) {
			h->passes--;
			continue;
		}
		if (h->yielding || yield_begins(t, task)) {
			yield(t, task, state, spin_left, spun, now);
			continue;
		}
		int64_t prio = t->procs[task->proc].prio;
		bool kept = false;
		for (size_t o = 0; o < t->nprocs; o++) {
			if (o == task->proc || t->procs[o].prio <= prio)
				continue;
			if (state[o] == PCT_RUNNING) {
				h->cpu_ns += t->procs[o].cpu_delta;
				spun[o] = true;
			}
		}
		bool spinning_ok = spin_left && h->cpu_ns < (unsigned long long)TRACE_PCT_SPIN_MS * 1000000ULL;
		for (size_t o = 0; o < t->nprocs && !kept; o++) {
			/* A second sleep is a polling loop: it waits for somebody, maybe this one. */
			if (o == task->proc || t->procs[o].prio <= prio || sleeps_seen(t, h, o) > 1)
				continue;
			kept = state[o] == PCT_ENABLED || (state[o] == PCT_RUNNING && spinning_ok) ||
			       (state[o] == PCT_SLEEPING && sleep_keeps(t, o));
		}
		if (!kept)
			release(t, task, now);
		else
			h->passes = 0;
	}
	for (size_t o = 0; o < t->nprocs; o++)
		if (spun[o])
			pct->spin_ns += t->procs[o].cpu_delta;
	free(spun);
	free(state);
}

long long trace_pct_wake_ms(const struct tracer *t)
{
	long long wake = LLONG_MAX;
	for (size_t i = 0; t->pct && i < t->ntasks; i++) {
		const struct pct_hold *h = t->tasks[i].hold;
		/* Undecided: the next pass is due at once (the runner looks at `ready` first). */
		if (h && h->passes)
			return 0;
		if (h)
			wake = TRACE_PCT_SAMPLE_MS;
	}
	return wake;
}

