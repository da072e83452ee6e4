/*
 * trace_internal: what trace.c shares with its helpers — the tracer's state
 * and its answer to each stop (trace_task.c), the names it watches
 * (trace_record.c), what it reads about a stopped process (trace_proc.c:
 * /proc files and the process's memory, as text) and the schedule of a
 * perturbed run (trace_pct.c).
 */
#ifndef GRADER_TRACE_INTERNAL_H
#define GRADER_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "trace.h"
#include "util.h"

/*
 * Call kinds that are not kernel names (spec names are [a-z0-9_]: they
 * cannot collide): a clone or clone3 that made a thread is recorded as
 * "clone(thread)" or "clone3(thread)", a shell the program ran as "system"
 * (trace_task.c says what counts).
 */
#define TRACE_THREAD_SUFFIX "(thread)"
#define TRACE_SYSTEM "system"
/* How much of a shell's command line the message on `system` shows. */
#define TRACE_SHELL_ARGS_SHOWN 200

/* A call the trace filter stops: its number on this machine and its kernel name. */
struct trace_watch {
	int nr;
	const char *name;	/* static, or borrowed from the request's names */
	bool recorded;		/* kept in the record; false: stopped only as a step of the schedule */
	bool perturbed;		/* a step of a perturbed run's schedule (trace_pct.c) */
};

/*
 * The calls to stop: a fixed list of what IPC assignments are about (so
 * that every trace shows pipes, forks, execs and waits) plus the calls the
 * spec names (conveniences expanded), and with perturb the calls where a
 * race between processes shows (trace.h).  Names unknown here are skipped.
 * Returns the count; caller frees *out.
 */
size_t trace_watch_list(const char *const *names, bool perturb, struct trace_watch **out);

/*
 * Arguments of a call at its entry stop, as strace shows them
 * ("4, 1" for dup2, "\"/bin/ls\", [\"ls\", \"dir\"]" for execve).  For an
 * false when the arguments mean little before the call returns (pipe).
 */
bool trace_format_entry(pid_t tid, const char *name, const uint64_t *args, struct strbuf *out);
/* The arguments again at a successful exit, when it filled some in (pipe's two descriptors). */
bool trace_format_exit(pid_t tid, const char *name, const uint64_t *args, struct strbuf *out);
/* The flags of a clone3 call, from the struct clone_args at addr (0 when unreadable). */
uint64_t trace_clone3_flags(pid_t tid, uint64_t addr);
/* Whether a call's result is one of the kernel's restart codes (the call goes on after a signal). */
bool trace_restarts(long long rval);

/* Thread group and parent of a task, from /proc/TID/status; -1 when it is gone. */
int trace_proc_ids(pid_t tid, pid_t *tgid, pid_t *ppid);
/* Copies memory of a stopped tracee; returns how many bytes could be read. */
size_t trace_proc_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len);
/* Writes len bytes of the stopped tracee's memory at addr, where its own page protections allow; false otherwise. */
bool trace_proc_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len);
/* Its argv, from /proc/TID/cmdline; -1 when unreadable. */
int trace_proc_cmdline(pid_t tid, struct strvec *argv);
/* The program it runs (/proc/TID/exe), or NULL; caller frees. */
char *trace_proc_exe(pid_t tid);
/* State letter and parent from /proc/PID/stat; -1 when there is no such process. */
int trace_proc_state(pid_t pid, char *state, pid_t *ppid);
/* State letter and CPU time used (clock ticks) from /proc/PID/stat; -1 when it is gone. */
int trace_proc_sched(pid_t pid, char *state, unsigned long long *cpu_ticks);
/* CPU time a task has used, in nanoseconds (/proc/TID/schedstat); -1 when it is gone. */
int trace_proc_cpu_ns(pid_t tid, unsigned long long *ns);
/* "fd 4 -> pipe:[1234] (write end)" for each descriptor above 2, in order. */
void trace_proc_fds(pid_t tid, struct strvec *out);
/* The inodes of the pipes tid holds a write end of (any fd, 0-2 included); caller frees *inodes. */
size_t trace_proc_pipe_writes(pid_t tid, unsigned long long **inodes);

/* ---- shells (trace_shell.c) --------------------------------------------- */

/* The machine's shells, looked up once per tracer; their contents are read only when needed. */
struct trace_shells;
struct trace_shells *trace_shells_new(void);
void trace_shells_free(struct trace_shells *s);
/*
 * At pid's exec stop: the shell it now runs ("/usr/bin/dash", "a copy of
 * /usr/bin/dash"), or NULL when it runs no shell; caller frees.  argv is
 * what it was run with (a multi-call binary's applet).  *loader: it runs
 * the dynamic loader itself, which maps its program only once it runs:
 * ask trace_shells_match_mapped at its later stops.
 */
char *trace_shells_match(struct trace_shells *s, pid_t pid, const struct strvec *argv,
			 bool *loader);
/*
 * At a later stop of such a process: the shell whose code its memory
 * holds (by the bytes, wherever they were mapped from), or NULL.
 */
char *trace_shells_match_mapped(struct trace_shells *s, pid_t pid);

/* ---- the tracer's state (trace_task.c) ---------------------------------- */

struct task {
	pid_t tid;
	size_t proc;		/* its thread group in t->procs */
	bool in_syscall;	/* resumed with PTRACE_SYSCALL: the watched call's exit stop is due */
	bool restarting;	/* a signal interrupted the call, which the kernel restarts after it */
	bool pause;		/* kept stopped while a new process is attached (pause_all) */
	bool parked;		/* stopped for the pause: resumed by trace_attach_done */
	bool parked_listen;	/* then with PTRACE_LISTEN (it was in a group-stop) */
	bool listening;		/* in a group-stop kept with PTRACE_LISTEN, until its next stop */
	int parked_sig;
	int nr;			/* that call */
	uint64_t args[6];
	size_t event;		/* its event in the record, SIZE_MAX when none was kept */
	/* The schedule (trace_pct.c): */
	bool want_exit;		/* resumed with PTRACE_SYSCALL: the step's exit stop matters */
	int step_nr;		/* the call of its last step */
	bool in_vfork;		/* that step made a vfork: blocked (D) until the child execs or exits */
	struct pct_hold *hold;	/* kept stopped at a step, else NULL */
	/* A sleep made to end at once (trace_pct.c, yields): its request, put back at its exit. */
	uint64_t skipped_at;	/* the request's address, 0: none */
	struct timespec skipped;
	unsigned long long cpu_ns;	/* its CPU time when last looked at */
};

struct process {
	struct trace_process rec;	/* pid, ppid, argv, exit: what the report lists */
	size_t parent;		/* index of its parent in t->procs, SIZE_MAX when not traced */
	bool ours;		/* the runner's own child: its exit is only looked at (run.c reaps) */
	bool student;		/* runs the student's code: has exec'd, or descends from one that has */
	bool via_loader;	/* runs the dynamic loader itself: what it maps is looked at later */
	bool reaped;		/* reaped by the tracer: only its parent's wait can release it now */
	bool judged;		/* its parent's exit has decided whether it was left a zombie */
	size_t threads;		/* live threads that have not reached their exit stop */
	bool held;		/* kept in its exit stop while its children are judged */
	pid_t held_tid;
	/* While its parent is held for it: how it is settling (trace_task.c). */
	bool settling;
	unsigned long long settle_cpu0, settle_cpu;	/* CPU ticks when the hold began, last seen */
	double blocked_since;	/* since when it sleeps without using CPU time; < 0: it does not */
	char *first_name;	/* the program it started as */
	/* The schedule (trace_pct.c): */
	uint64_t key;		/* where it stands in the test: the k-th started, the n-th child of... */
	unsigned children;	/* children seen so far (the next one's n) */
	int64_t prio;		/* the larger runs first */
	bool starting;		/* started by the runner, its first step still to come */
	unsigned long long cpu_delta;	/* CPU time its tasks used since the last look, ns */
	bool sleeping;		/* inside a nanosleep of sleep_ms */
	long sleep_ms;
	bool sleep_charged;	/* that sleep has kept someone held (counted in the budget) */
	unsigned sleeps;	/* nanosleeps begun */
	/* The pipes it held a write end of when it exited, for a later hang's diagnosis. */
	unsigned long long *wrote;
	size_t nwrote;
};

struct tracer {
	struct trace_request req;
	struct trace_record *out;
	double start;
	struct seccomp_filter *filter;
	struct trace_watch *watched;	/* number -> name of the calls the filter stops */
	size_t nwatched;
	int sigfd;
	sigset_t old_mask;
	bool judging;		/* exits are judged; false once settled or killing */
	bool pausing;		/* every task but the one being attached is kept stopped */
	bool every_call;	/* no trace filter here (it could not be loaded): every call stops */
	bool perturbing;	/* the schedule holds processes; false once settled or killing */
	bool ready_pending;	/* the runner has processes to start on `ready`: writes stop at their exit */
	bool watch_system;	/* the spec names `system`: each exec is looked at */
	struct trace_shells *shells;	/* made at the first exec looked at */
	struct task *tasks;
	size_t ntasks, tasks_cap;
	struct process *procs;
	size_t nprocs, procs_cap;
	struct pct *pct;	/* the schedule of a perturbed run, else NULL */
};

struct task *trace_add_task(struct tracer *t, pid_t tid, size_t proc);
void trace_remove_task(struct tracer *t, struct task *task);
size_t trace_add_process(struct tracer *t, pid_t pid, pid_t ppid, size_t parent);
/* What a process runs now (its argv[0]), for messages. */
const char *trace_process_name(const struct process *p);
void trace_note_status(struct process *p, int code, int sig);
/* Lets a stopped task go on (or parks it while a new process is attached). */
void trace_resume(const struct tracer *t, struct task *task, int sig);
/* A group-stop stays one (PTRACE_LISTEN), or is parked. */
void trace_listen_stopped(struct task *task);
/*
 * Judges the children of process `parent`, which is in its exit stop (see
 * trace.h); returns whether some child is still pending.  final: the ones
 * still running now are judged as outliving it.
 */
bool trace_judge_children(struct tracer *t, size_t parent, bool final, double now);
/* Lets a parent held in its exit stop go. */
void trace_release_held(struct tracer *t, size_t proc);
/* Answers one ptrace stop of tid (waitid's status). */
void trace_on_stop(struct tracer *t, pid_t tid, int status);

/* ---- the schedule of a perturbed run (trace_pct.c) ---------------------- */

/* Makes t->pct for t->req's seed; without perturb, t->pct stays NULL and every call below is a no-op. */
void trace_pct_start(struct tracer *t);
/* Frees t->pct once the selected holds are in the record. */
void trace_pct_finish(struct tracer *t);
/* Gives a new process its priority: one the runner started, else a child of parent (SIZE_MAX: unknown). */
void trace_pct_new_process(struct tracer *t, size_t proc, size_t parent, bool started);
/*
 * A step: the task stopped at the entry of a perturbed call nr (args), or
 * (exit) at the exit of a call its step asked to see returning.  Returns
 * true when the task is kept stopped (trace_pct_schedule lets it go).
 */
bool trace_pct_step(struct tracer *t, struct task *task, int nr, const uint64_t *args, bool exit);
/* The exit stop of the task's last step's call (want_exit): true when it is kept stopped. */
bool trace_pct_call_exit(struct tracer *t, struct task *task, long long rval);
/* The process's last task is gone: its exit is told to those held meanwhile. */
void trace_pct_gone(struct tracer *t, size_t proc);
/* Lets go each held task no higher-priority process keeps back any longer. */
void trace_pct_schedule(struct tracer *t);
/* Lets every held task go (the run is ending). */
void trace_pct_release_all(struct tracer *t);
/* Frees what a task's hold holds (a task that is gone). */
void trace_pct_forget(struct task *task);
/* Milliseconds until trace_pct_schedule is due; LLONG_MAX when nothing is held. */
long long trace_pct_wake_ms(const struct tracer *t);

#endif
