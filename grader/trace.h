/*
 * trace: watches a test's processes with ptrace — the system calls they
 * make (trace.require / trace.forbid), the descriptors each still holds
 * when it exits (cleanup.fds) and the children its parent never waited for
 * (cleanup.zombies).
 *
 * Theory of operation
 *
 *   runner ──fork──► child: blocks reading a go pipe
 *     │  PTRACE_SEIZE(child, TRACEFORK|VFORK|CLONE|EXEC|EXIT|SECCOMP|
 *     │  SYSGOOD|EXITKILL), then one byte on the go pipe: 'T' (traced) or
 *     │  'U' (the seize failed: the run goes on untraced, and says so).
 *     │  In an ordinary user's sandbox the child's memory (the runner's,
 *     │  non-dumpable) is not the user's to trace: with the test's other
 *     │  processes stopped, the child becomes dumpable for the seize only
 *     │  (see trace_attach)
 *     │                     child: its usual set-up, the deny filter, then
 *     │                     the trace filter (seccomp.h): SECCOMP_RET_TRACE
 *     │                     for the watched calls only ──execve──► program
 *     │
 *     ├─ every descendant is traced from its first instruction (the fork
 *     │  options), and stops only where it matters:
 *     │    PTRACE_EVENT_SECCOMP   a watched call: recorded (number,
 *     │                           arguments), resumed with PTRACE_SYSCALL
 *     │                           for that one call's exit stop (result,
 *     │                           the descriptors pipe() made), then
 *     │                           PTRACE_CONT: nothing else stops it
 *     │    EVENT_FORK/VFORK/CLONE a new process or thread (its parent and
 *     │                           thread group from /proc/TID/status)
 *     │    EVENT_EXEC             its new argv (/proc/PID/cmdline); when
 *     │                           the spec names `system`, whether the
 *     │                           file it now runs is a shell (by its
 *     │                           identity or contents: trace_shell.c)
 *     │    EVENT_EXIT             before the kernel closes anything: the
 *     │                           descriptors above 2 (/proc/PID/fd and
 *     │                           fdinfo), and the children it leaves
 *     │    signal-delivery stops  the signal is passed on; group-stops are
 *     │                           kept with PTRACE_LISTEN
 *     │  Where the filter cannot be loaded (no seccomp: valgrind, an old
 *     │  kernel) the child says so and every call stops (PTRACE_SYSCALL):
 *     │  slower, the same record.
 *     ├─ stops are reported through wait, not through pidfds: SIGCHLD is
 *     │  blocked and read from a signalfd the runner polls; each wake-up
 *     │  collects every stop (waitid WSTOPPED, P_ALL) and reaps the exits
 *     │  of the traced processes that are not the runner's own children
 *     │  (their real parent can wait for them only after the tracer has);
 *     │  the runner's children are only looked at (WNOWAIT), as run.c wants
 *     └─ zombies and orphans are judged at each parent's exit stop, its
 *        descriptors still open, for each child it never waited for: a
 *        zombie is one that has exited (the tracer has reaped it and /proc
 *        still shows it as a zombie of that parent; a parent that ignores
 *        SIGCHLD has none: the kernel reaps for it); an orphan is one that
 *        outlives the parent.  A child still running keeps the parent in
 *        its exit stop until it settles, so that the answer never depends
 *        on how busy the machine is: it is a zombie if it exits meanwhile
 *        (it was on its way out: a child printing its last line), an
 *        orphan once it sleeps without using CPU time for
 *        TRACE_SETTLE_BLOCKED_MS (it waits for something: ls's reader
 *        waiting for end-of-file, a sleep) or has used
 *        TRACE_SETTLE_CPU_MS of CPU time (it works on); time it spends
 *        waiting for a CPU counts for neither.
 *
 *   Perturbation (a spec's `perturb`): the processes run in an order the
 *   grader picks, by PCT (probabilistic concurrency testing, Burckhardt,
 *   Kothari, Musuvathi, Nagarakatte, ASPLOS 2010) at the grain of system
 *   calls (trace_pct.c).  The filter also stops the calls where processes
 *   sharing memory hand over work (trace_record.c lists them; shmget and
 *   shmat stop again at their exit, before the program sees the segment;
 *   writes too while processes are still to be started on `ready`);
 *   each such stop is a step.  Every process has a seeded priority; at a
 *   step a process is held (kept in its stop) while a process of higher
 *   priority can run, and let go once each of those is blocked.  A seed
 *   gives the same order: priorities come from where a process stands in
 *   the test (the k-th process started, the n-th child of such a
 *   process), never from pids or timing, and seeds 2j and 2j+1 give
 *   opposite orders.  A step is decided only after the runner has looked
 *   at its `ready` conditions (trace_wake_ms asks for that turn at once),
 *   so that a process started on `ready` is ordered against the one that
 *   made it ready.  The calls stopped only for this are not recorded: the
 *   record is the same with or without it; the order and the holds are
 *   told in `schedule`.
 *
 *   What the grader's own code does before the first execve is not the
 *   student's: those calls are not recorded, and a process that never
 *   reached its program is never blamed.  Once the test's processes have
 *   all exited, or the deadline has passed, exits are no longer judged: a
 *   process killed by the grader is not blamed for what it held.
 *
 * A hard line, as in run.h: functions fail (-1, NULL) only when the GRADER
 * failed.  A machine that refuses ptrace is a fact about the run
 * (trace_record.unavailable), not a failure.
 */
#ifndef GRADER_TRACE_H
#define GRADER_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct seccomp_filter;

/* Events past this many are counted, not kept. */
#define TRACE_MAX_EVENTS 2000
/* Processes past this many are counted, not listed (a loop of forks must not flood the report). */
#define TRACE_MAX_PROCESSES 500
/*
 * A parent kept in its exit stop while a child it never waited for still
 * runs (trace_task.c): the child outlives it once it has slept, its CPU
 * time unchanged, for TRACE_SETTLE_BLOCKED_MS, or used TRACE_SETTLE_CPU_MS
 * of CPU time; it is looked at every TRACE_SETTLE_SAMPLE_MS.
 */
#define TRACE_SETTLE_BLOCKED_MS 5
#define TRACE_SETTLE_CPU_MS 100
#define TRACE_SETTLE_SAMPLE_MS 1
/*
 * The schedule of a perturbed run (trace_pct.c).  A held process is let
 * go at the latest once the runnable higher-priority processes that kept
 * it have used TRACE_PCT_SPIN_MS of CPU time since the hold began (one
 * that spins on a flag without a system call cannot keep it forever); at
 * most TRACE_PCT_SPIN_BUDGET_MS of such CPU time holds anyone in one run.
 * A higher-priority process asleep for a set time (nanosleep) keeps the
 * others held through one sleep of at most TRACE_PCT_SLEEP_MAX_MS, and
 * all such sleeps of a run add up to TRACE_PCT_SLEEP_BUDGET_MS at most
 * (a poll that only the held ones could answer is not slept: trace_pct.c,
 * "Yields").  Held processes are looked at every TRACE_PCT_SAMPLE_MS.
 */
#define TRACE_PCT_SPIN_MS 20
#define TRACE_PCT_SPIN_BUDGET_MS 200
#define TRACE_PCT_SLEEP_MAX_MS 1000
#define TRACE_PCT_SLEEP_BUDGET_MS 2000
#define TRACE_PCT_SAMPLE_MS 1
/* Holds told in a record's `schedule` (the ones during which the others did the most). */
#define TRACE_PCT_SHOWN 3
/*
 * A perturbed run's order is recorded for at most this many processes:
 * 6 have 720 orders, more than a `repeat` tries; past that only their
 * count is kept (it says the orders cannot all be tried).
 */
#define TRACE_ORDER_MAX 6

/* What a traced run watches; borrowed for the run. */
struct trace_request {
	const char *const *calls;	/* spec names (trace_name_known), NULL-terminated; may be NULL */
	bool zombies;		/* judge, at each exit, the children never waited for */
	bool orphans;		/* and the children it leaves running */
	bool fds;		/* list the descriptors above 2 each process holds at its exit */
	bool perturb;		/* run the processes in an order the seed picks (above) */
	uint64_t seed;		/* of that schedule */
};

/* One process (thread group) of the test. */
struct trace_process {
	pid_t pid;
	pid_t ppid;		/* its parent when it was created */
	struct strvec argv;	/* of its last execve; its parent's until it has exec'd */
	bool exited;		/* the status below is known */
	int exit_code;
	int signal;		/* that killed it, 0 when it exited */
};

/* One call of a watched system call. */
struct trace_event {
	double seconds;		/* since the run started */
	pid_t pid;		/* the process (thread group) that made it */
	char *call;		/* "pipe2" */
	char *args;		/* "[3, 4], 0", as strace would show them */
	bool finished;		/* false: the process died inside the call */
	long long result;	/* -errno on failure */
};

/* A kind of call and its first occurrence, for the judge (never capped). */
struct trace_call {
	char *name;		/* a kernel name, "clone(thread)" (or clone3) for a thread, "system" */
	unsigned long count;
	char *first;		/* "pid 3 (./dup2) called dup2(4, 1)" */
};

struct trace_record {
	bool traced;		/* the run was meant to be traced */
	char *unavailable;	/* why it could not be, else NULL: then nothing below is complete */
	struct trace_process *procs;
	size_t nprocs;
	unsigned long long dropped_procs;
	struct trace_event *events;
	size_t nevents;
	unsigned long long dropped_events;
	struct trace_call *calls;
	size_t ncalls;
	/* "parent wc (pid 2, started as ./dup2) never waited for child ls (pid 3)" */
	struct strvec zombies;
	struct strvec orphans;	/* "pid 4 (sleep), left running by its parent pid 3 (./prog)" */
	/* "pid 4 (./pipe_hello) exited holding fd 3 -> pipe:[1234] (read end)" */
	struct strvec fds;
	/*
	 * A perturbed run's telling holds, in the order they ended: "pid 2
	 * (./server) was held after shmat() for 14 ms; meanwhile pid 3
	 * (./client) attached it (shmat) and wrote 1 line (write)"; and how
	 * many other holds there were.
	 */
	struct strvec schedule;
	unsigned long long schedule_more;
	/* Its processes by priority: "pid 3 (./client) ahead of pid 2 (./server)"; NULL when not perturbed. */
	char *schedule_order;
	/*
	 * The same order as the schedule knows it (trace_pct.c), which decides
	 * the run: how many processes the run saw (0 when not perturbed) and,
	 * when they are at most TRACE_ORDER_MAX, their keys (where each stands
	 * in the test: the k-th started, the n-th child of ...), the highest
	 * priority first.  trace_orders_add() tells when a test's runs have
	 * tried every order.
	 */
	size_t order_procs;
	uint64_t order[TRACE_ORDER_MAX];
};

void trace_record_init(struct trace_record *rec);
/* Frees what rec holds and zeroes it: releasing it again is harmless, using it needs an init. */
void trace_record_release(struct trace_record *rec);

/*
 * The judge's side.  Spec names are kernel names with conveniences: pipe
 * also accepts pipe2, dup2 dup3, fork vfork and clone without CLONE_THREAD,
 * wait means wait4 or waitid, and the pseudo-name system means "a
 * process of the test ran a shell" (trace_task.c says exactly what counts).
 */
/* Whether name can be traced on this machine. */
bool trace_name_known(const char *name);
/* The first recorded call that name accepts, or NULL when none was made. */
const struct trace_call *trace_record_find(const struct trace_record *rec, const char *name);
/* How many calls name accepts were made, by every process of the test together. */
unsigned long trace_record_count(const struct trace_record *rec, const char *name);
/* What name accepts, for messages: "dup2 or dup3"; static. */
const char *trace_name_meaning(const char *name);

/*
 * The schedule a seed gives (trace_pct.c), for tests and replays: the
 * priority of the index-th process the runner starts (the larger runs
 * first; seeds 2j and 2j+1 give opposite orders).
 */
int64_t trace_pct_priority(uint64_t seed, size_t started);
/*
 * What a perturbed run's failure tells a student: the holds of rec's
 * schedule and how to replay the run (seed); NULL when there were none.
 * Caller frees.
 */
char *trace_schedule_text(const struct trace_record *rec, unsigned long long seed);
/* What to do about it: the hint that goes with that text (grade_explain.c's sense). */
extern const char trace_schedule_hint[];

/*
 * The orders a perturbed test's runs have tried (trace_record.c), and
 * whether they have tried them all (docs/spec.md, "repeat and perturb").
 * A perturbed run's schedule follows from the order of its processes'
 * priorities alone (trace_pct.c: PCT at depth 1), which its record keeps
 * (trace_record.order).  Once the runs have tried every order of the
 * processes they all saw (k! orders of k processes), a further run
 * replays an order already tried: a `repeat` without repeat_all stops
 * there.  What only the machine's timing varies between two runs of one
 * order is not worth a run.
 *
 * Never all tried: after a run that could not tell its order (not
 * perturbed: not traced, or the trace unavailable), a run that saw other
 * processes than the first run did (a fork that one order makes and
 * another does not: their orders are not comparable), or one that saw
 * more than TRACE_ORDER_MAX processes.  Pure bookkeeping: no I/O, nothing
 * timed, nothing to release.
 */
#define TRACE_ORDERS_MAX 720	/* TRACE_ORDER_MAX! */

struct trace_orders {
	size_t runs;		/* runs added */
	/* Some run could not tell its order, or saw other processes: the orders stay open. */
	bool open;
	size_t nprocs;		/* the processes every run saw (the first run's) */
	uint64_t keys[TRACE_ORDER_MAX];	/* their keys, in increasing order */
	bool tried[TRACE_ORDERS_MAX];	/* by the rank of the order among the nprocs! */
	size_t ntried;		/* distinct orders tried */
};

void trace_orders_init(struct trace_orders *o);
/* Adds the order of a run of the test (its trace record). */
void trace_orders_add(struct trace_orders *o, const struct trace_record *rec);
/* Whether every order of the test's processes has been tried: a further run would replay one. */
bool trace_orders_all_tried(const struct trace_orders *o);

/*
 * The runner's side, in this order: trace_start, then for each started
 * process trace_attach between fork and the go byte; trace_step whenever
 * trace_fd() is readable or trace_wake_ms() has passed; trace_settle once
 * every started process has exited (or trace_stop_judging at the
 * deadline, before the first signal); trace_finish last, on every path.
 */
struct tracer;

/*
 * Blocks SIGCHLD (until trace_finish) and builds the trace filter.  out
 * (initialised by the caller) receives the record and must outlive the
 * tracer.  NULL with error_last() when the grader failed.  The caller must
 * be its process's only thread (as the sandbox's init and a batch worker
 * are), or every other thread must block SIGCHLD too: the signalfd sees
 * only a SIGCHLD that no thread takes.
 */
struct tracer *trace_start(const struct trace_request *req, double start,
			   struct trace_record *out);
/* The filter the child loads right before execve when it was attached. */
const struct seccomp_filter *trace_filter(const struct tracer *t);
/*
 * The child could not load it (no seccomp here: valgrind, an old kernel):
 * the tracer stops at every system call instead.  Slower, the same record.
 * Call before the child's exec stop is handled.
 */
void trace_without_filter(struct tracer *t);
/* Readable when a traced process stopped or exited. */
int trace_fd(const struct tracer *t);
/*
 * Seizes the runner's freshly forked child pid, which waits for a byte on
 * the other end of go_fd, and writes it: 'T' when it is traced, 'U' when
 * the kernel refused (recorded in the record's `unavailable`; the child
 * must then not load the trace filter).  A child asked 'D' must make
 * itself dumpable, answer 'A' on ack_fd and wait for the next byte; on
 * 'T' or 'U' it makes itself non-dumpable again.  Meanwhile every other
 * traced process is kept stopped, until trace_attach_done(), which the
 * runner calls once the child has exec'd (or failed to).  -1 only when
 * the grader failed.
 */
int trace_attach(struct tracer *t, pid_t pid, char *const *argv, int go_fd, int ack_fd);
void trace_attach_done(struct tracer *t);
/* Handles every pending stop and exit, and parents whose grace has run out. */
int trace_step(struct tracer *t);
/*
 * Whether the runner still has processes to start on `ready`: perturbed
 * runs then also stop writes at their exit (the line that fires a ready).
 */
void trace_ready_pending(struct tracer *t, bool pending);
/* Milliseconds until trace_step is due without an event (a held parent, a held step); LLONG_MAX when none. */
long long trace_wake_ms(const struct tracer *t, double now);
/* The test's processes have all exited: judge what is pending, judge no more exits, hold no more. */
int trace_settle(struct tracer *t);
/* The grader is about to kill the test: let every held process go, judge no more exits. */
void trace_stop_judging(struct tracer *t);
/*
 * Adds to a hang's snapshot (diagnose.h) the test's processes that have
 * exited and the pipes each held a write end of.
 */
struct diagnose_snapshot;
void trace_add_gone(const struct tracer *t, struct diagnose_snapshot *snap);
/* Whether pid is a live process the tracer still follows (its exit not yet handled). */
bool trace_follows(const struct tracer *t, pid_t pid);
/* Kills and reaps every traced process left, unblocks SIGCHLD, frees t. */
void trace_finish(struct tracer *t);

#endif
