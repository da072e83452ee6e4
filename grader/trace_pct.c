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
 * Bounds, so that no schedule keeps a process back forever, in quantities
 * the program decides (never wall-clock time, which the machine's load
 * would change): runnable processes keep a hold for TRACE_PCT_SPIN_MS of
 * their CPU time (one spinning on a flag that the held one is to set
 * makes no system call), a sleeping one through one sleep of at most
 * TRACE_PCT_SLEEP_MAX_MS; and each run spends at most
 * TRACE_PCT_SPIN_BUDGET_MS of CPU time and TRACE_PCT_SLEEP_BUDGET_MS of
 * sleeps on holds.
 *
 * The telling.  Each hold notes what the other processes did meanwhile
 * (their steps, their exits); the holds during which they did the most
 * are told in the record's `schedule` (trace_schedule_text words them for
 * the report).
 */
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <time.h>

#include "trace.h"
#include "trace_internal.h"

/* Bytes of a write looked at for its lines. */
#define WRITE_LOOKED_AT 4096
/* Calls of the others told per hold; more are "...". */
#define SEEN_TOLD 12
/* Processes named in the order; more are counted. */
#define ORDER_TOLD 4

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
	unsigned long long cpu_ns;	/* runnable higher-priority processes used since it began */
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

static int by_score(const void *a, const void *b)
{
	const struct pct_told *x = *(const struct pct_told *const *)a;
	const struct pct_told *y = *(const struct pct_told *const *)b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x < y ? -1 : x > y;
}

static int by_time(const void *a, const void *b)
{
	const struct pct_told *x = *(const struct pct_told *const *)a;
	const struct pct_told *y = *(const struct pct_told *const *)b;
	return x < y ? -1 : x > y;
}

_Static_assert(ORDER_TOLD <= TRACE_ORDER_MAX, "the order told is the head of the one recorded");

/*
 * The first (at most TRACE_ORDER_MAX) processes by priority, the highest
 * first, into top; returns how many.  Bounded whatever the number of
 * processes: a program may fork thousands.
 */
static size_t top_by_priority(const struct tracer *t, size_t top[TRACE_ORDER_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		size_t k = n < TRACE_ORDER_MAX ? n++ : TRACE_ORDER_MAX;
		for (; k > 0 && t->procs[top[k - 1]].prio < t->procs[i].prio; k--)
			if (k < TRACE_ORDER_MAX)
				top[k] = top[k - 1];
		if (k < TRACE_ORDER_MAX)
			top[k] = i;
	}
	return n;
}

/* "pid 3 (./client) ahead of pid 2 (./server)": the order the seed gave the processes (top). */
static char *order_text(const struct tracer *t, const size_t *top, size_t ntop)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < ntop && i < ORDER_TOLD; i++) {
		const struct process *p = &t->procs[top[i]];
		strbuf_addf(&sb, "%spid %d (%s)", i ? " ahead of " : "", (int)p->rec.pid,
			    trace_process_name(p));
	}
	if (t->nprocs > ORDER_TOLD)
		strbuf_addf(&sb, " and %zu more", t->nprocs - ORDER_TOLD);
	return strbuf_detach(&sb, NULL);
}

void trace_pct_finish(struct tracer *t)
{
	struct pct *pct = t->pct;
	if (!pct)
		return;
	trace_pct_release_all(t);
	/* The holds during which the others did the most, told in the order they ended. */
	struct pct_told **order = xcalloc(pct->ntold ? pct->ntold : 1, sizeof(*order));
	for (size_t i = 0; i < pct->ntold; i++)
		order[i] = &pct->told[i];
	qsort(order, pct->ntold, sizeof(*order), by_score);
	size_t shown = pct->ntold < TRACE_PCT_SHOWN ? pct->ntold : TRACE_PCT_SHOWN;
	qsort(order, shown, sizeof(*order), by_time);
	for (size_t i = 0; i < shown; i++)
		strvec_push(&t->out->schedule, order[i]->text);
	t->out->schedule_more = pct->ntold - shown;
	size_t top[TRACE_ORDER_MAX];
	size_t ntop = top_by_priority(t, top);
	/* The order that decided the run, whole or not at all: a part is no order to have tried. */
	t->out->order_procs = t->nprocs;
	for (size_t i = 0; t->nprocs <= TRACE_ORDER_MAX && i < ntop; i++)
		t->out->order[i] = t->procs[top[i]].key;
	if (t->nprocs > 1)
		t->out->schedule_order = order_text(t, top, ntop);
	for (size_t i = 0; i < pct->ntold; i++)
		free(pct->told[i].text);
	free(order);
	free(pct->told);
	free(pct);
	t->pct = NULL;
}

/* ---- names -------------------------------------------------------------- */

static const char *call_name(const struct tracer *t, int nr)
{
	for (size_t i = 0; i < t->nwatched; i++)
		if (t->watched[i].nr == nr)
			return t->watched[i].name;
	return "?";
}

static bool is_call(const struct tracer *t, int nr, const char *name)
{
	return nr >= 0 && !strcmp(call_name(t, nr), name);
}

static bool is_sleep(const struct tracer *t, int nr)
{
	return is_call(t, nr, "nanosleep") || is_call(t, nr, "clock_nanosleep");
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
	return is_call(t, nr, "shmget") || is_call(t, nr, "shmat") || is_sleep(t, nr) ||
	       (t->ready_pending && is_call(t, nr, "write"));
}

void trace_ready_pending(struct tracer *t, bool pending)
{
	t->ready_pending = pending;
}

/* Whether call nr (args) makes a child that borrows the caller's memory until it execs or exits. */
static bool makes_vfork(const struct tracer *t, pid_t tid, int nr, const uint64_t *args)
{
	if (is_call(t, nr, "vfork"))
		return true;
	if (is_call(t, nr, "clone"))
		return args[0] & CLONE_VFORK;
	/* posix_spawn, and with it system() and popen() in recent C libraries */
	if (is_call(t, nr, "clone3"))
		return trace_clone3_flags(tid, args[0]) & CLONE_VFORK;
	return false;
}

/* The time a nanosleep or clock_nanosleep asks for, in ms; LONG_MAX when it cannot be read. */
static long sleep_ms_of(const struct tracer *t, pid_t tid, int nr, const uint64_t *args)
{
	bool clock = is_call(t, nr, "clock_nanosleep");
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

static unsigned long long lines_written(pid_t tid, const uint64_t *args)
{
	char buf[WRITE_LOOKED_AT];
	size_t n = trace_proc_read_mem(tid, args[1], buf,
				       args[2] < sizeof(buf) ? (size_t)args[2] : sizeof(buf));
	unsigned long long lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/* ---- what the others did ------------------------------------------------ */

static void see(struct pct_hold *h, const struct pct_seen *s)
{
	struct pct_seen *last = h->nseen ? &h->seen[h->nseen - 1] : NULL;
	if (last && last->proc == s->proc && last->nr == s->nr && last->rmid == s->rmid) {
		last->count++;
		last->lines += s->lines;
		last->sleep_ms += s->sleep_ms;
		return;
	}
	h->seen = xgrow(h->seen, sizeof(*h->seen), h->nseen + 1, &h->seen_cap);
	h->seen[h->nseen++] = *s;
}

/* Tells every hold of another process that proc made a step at nr (-1: it exited). */
static void tell_holds(struct tracer *t, size_t proc, pid_t tid, int nr, const uint64_t *args)
{
	struct pct_seen s = {.proc = proc, .nr = nr, .count = 1};
	bool looked = false;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct pct_hold *h = t->tasks[i].hold;
		if (!h || t->tasks[i].proc == proc)
			continue;
		if (!looked && args) {
			if (is_call(t, nr, "write"))
				s.lines = lines_written(tid, args);
			else if (is_sleep(t, nr))
				s.sleep_ms = sleep_ms_of(t, tid, nr, args);
			else if (is_call(t, nr, "shmctl"))
				s.rmid = (args[1] & 0xff) == IPC_RMID;
			looked = true;
		}
		see(h, &s);
	}
}

void trace_pct_gone(struct tracer *t, size_t proc)
{
	if (t->pct && t->perturbing)
		tell_holds(t, proc, 0, -1, NULL);
}

/* ---- steps -------------------------------------------------------------- */

bool trace_pct_step(struct tracer *t, struct task *task, int nr, const uint64_t *args, bool exit)
{
	struct pct *pct = t->pct;
	if (!pct || !t->perturbing)
		return false;
	t->procs[task->proc].starting = false;
	/* An exit is told by the exit itself; a call's exit stop, by its entry. */
	if (!exit && !is_call(t, nr, "exit_group"))
		tell_holds(t, task->proc, task->tid, nr, args);
	task->step_nr = nr;
	task->want_exit = !exit && wants_exit(t, nr);
	task->in_vfork = !exit && makes_vfork(t, task->tid, nr, args);

	struct pct_hold *h = xcalloc(1, sizeof(*h));
	h->since = now_seconds();
	/*
	 * What the process did before this stop (a line written, a segment
	 * made) is in the runner's hands by the iteration after the one that
	 * collected the stop (its poll began after that), and the runner looks
	 * at `ready` at the top of the next: the third pass decides.
	 */
	h->passes = 3;
	h->exit = exit;
	h->sleep_ms = !exit && is_sleep(t, nr) ? sleep_ms_of(t, task->tid, nr, args) : 0;
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
	if (!t->pct)
		return false;
	struct process *p = &t->procs[task->proc];
	if (is_sleep(t, task->step_nr)) {
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

/* "wrote 2 lines (write)", "read 3 times (read)": what one run of steps at a call did. */
static void add_deed(struct strbuf *sb, const struct tracer *t, const struct pct_seen *s,
		     const char *call)
{
	const char *verb = "called";
	bool counted = s->count > 1;
	if (s->nr < 0) {
		strbuf_addstr(sb, "exited");
		return;
	}
	if (!strcmp(call, "write") && s->lines) {
		strbuf_addf(sb, "wrote %llu line%s (write)", s->lines, s->lines == 1 ? "" : "s");
		return;
	}
	if (is_sleep(t, s->nr) && s->sleep_ms < LONG_MAX / 2) {
		strbuf_addf(sb, "slept %ld ms (%s)", s->sleep_ms, call);
		return;
	}
	if (!strcmp(call, "write"))
		verb = "wrote";
	else if (!strcmp(call, "read"))
		verb = "read";
	else if (is_sleep(t, s->nr))
		verb = "slept";
	else if (!strcmp(call, "shmget"))
		verb = "got the segment";
	else if (!strcmp(call, "shmat"))
		verb = "attached it";
	else if (!strcmp(call, "shmdt"))
		verb = "detached it";
	else if (!strcmp(call, "shmctl") && s->rmid)
		verb = "removed the segment";
	else if (!strcmp(call, "execve"))
		verb = "started its program";
	else if (!strcmp(call, "fork") || !strcmp(call, "vfork") || !strncmp(call, "clone", 5))
		verb = "forked";
	else if (!strcmp(call, "wait4"))
		verb = "waited for a child";
	if (!strcmp(verb, "called"))
		strbuf_addf(sb, "called %s", call);
	else
		strbuf_addstr(sb, verb);
	if (counted)
		strbuf_addf(sb, " %u times", s->count);
	if (strcmp(verb, "called"))
		strbuf_addf(sb, " (%s%s)", call, s->rmid ? " IPC_RMID" : "");
}

static void tell_hold(struct tracer *t, const struct task *task, double now)
{
	const struct pct_hold *h = task->hold;
	struct pct *pct = t->pct;
	if (!h->nseen)
		return;
	const struct process *p = &t->procs[task->proc];
	const char *name = call_name(t, task->step_nr);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_addf(&sb, "pid %d (%s) was held ", (int)p->rec.pid, trace_process_name(p));
	if (!strcmp(name, "execve"))
		strbuf_addstr(&sb, "before its program started (execve)");
	else if (!strcmp(name, "exit_group"))
		strbuf_addstr(&sb, "at its exit (exit_group)");
	else
		strbuf_addf(&sb, "%s %s()", h->exit ? "after" : "at", name);
	strbuf_addf(&sb, " for %.0f ms; meanwhile", (now - h->since) * 1000.0);
	for (size_t i = 0; i < h->nseen && i < SEEN_TOLD; i++) {
		const struct pct_seen *s = &h->seen[i];
		bool first_of_proc = i == 0 || h->seen[i - 1].proc != s->proc;
		bool last_of_proc = i + 1 == h->nseen || h->seen[i + 1].proc != s->proc;
		if (first_of_proc) {
			const struct process *o = &t->procs[s->proc];
			strbuf_addf(&sb, "%s pid %d (%s)", i ? ", then" : "", (int)o->rec.pid,
				    trace_process_name(o));
		} else {
			strbuf_addstr(&sb, last_of_proc ? " and" : ",");
		}
		const char *call = s->nr >= 0 ? call_name(t, s->nr) : "";
		strbuf_addch(&sb, ' ');
		add_deed(&sb, t, s, call);
	}
	if (h->nseen > SEEN_TOLD)
		strbuf_addstr(&sb, ", ...");
	/* The others' steps: how much the hold reordered. */
	unsigned long long score = 0;
	for (size_t i = 0; i < h->nseen; i++)
		score += h->seen[i].count;
	pct->told = xgrow(pct->told, sizeof(*pct->told), pct->ntold + 1, &pct->told_cap);
	pct->told[pct->ntold++] = (struct pct_told){strbuf_detach(&sb, NULL), score};
}

static void release(struct tracer *t, struct task *task, double now)
{
	struct pct_hold *h = task->hold;
	struct process *p = &t->procs[task->proc];
	tell_hold(t, task, now);
	/* Let go at a sleep's entry, it now sleeps for a set time: enabled, within bounds. */
	if (!h->exit && is_sleep(t, task->step_nr) && t->perturbing) {
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

/* ---- the report's words ------------------------------------------------- */

char *trace_schedule_text(const struct trace_record *rec, unsigned long long seed)
{
	if (!rec->schedule.n && !rec->schedule_order)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_addstr(&sb, "This run failed in an order of the grader's choosing (perturb)");
	if (rec->schedule_order)
		strbuf_addf(&sb, ": it ran %s", rec->schedule_order);
	for (size_t i = 0; i < rec->schedule.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ". Later, " : rec->schedule_order ? ". " : ": ",
			    rec->schedule.v[i]);
	if (rec->schedule_more)
		strbuf_addf(&sb, " (and %llu more hold%s)", rec->schedule_more,
			    rec->schedule_more == 1 ? "" : "s");
	strbuf_addf(&sb, ". Replay this order with --seed %llu.", seed);
	return strbuf_detach(&sb, NULL);
}

const char trace_schedule_hint[] =
	"a correct program gives the same result in any order of its processes: wait for "
	"the other process (a flag it sets, a semaphore, a pipe) before you use what it "
	"provides, and until it is done with what you remove.";
