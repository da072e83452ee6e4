/*
 * run: starts the processes of one test (or one build) and watches them
 * until they are all gone, capturing every byte they write.
 *
 * Theory of operation
 *
 *   grader ──fork──► child: a session of its own (setsid: its own process
 *     │                     group, no controlling terminal), fd 0 = stdin
 *     │                     pipe / file / /dev/null, fd 1 and fd 2 = write
 *     │                     ends of two capture pipes, every other fd
 *     │                     closed, working directory, rlimits, default
 *     │                     signal dispositions ──execve──► student program
 *     │
 *     ├─ exec-status pipe (close-on-exec): EOF means execve succeeded; else
 *     │  the child writes the errno and the step that failed
 *     ├─ pidfd per process: readable when it exits (observed with WNOWAIT so
 *     │  the pid, and with it the process group, stays reserved until the
 *     │  end of the test; reaped with wait4 at the end for its CPU time)
 *     └─ one poll() loop pumps stdin, drains both capture pipes of every
 *        process (past limits.output the bytes are read and counted, never
 *        stored, so a program is never blocked by a full pipe), starts the
 *        next process when the previous one is `ready`, and enforces the
 *        wall-clock deadline.
 *
 *   The test ends when every process it started has exited.  Processes still
 *   in their process groups then are orphans: they are listed and killed.  On
 *   timeout the groups get SIGTERM, then SIGKILL after RUN_TERM_GRACE_MS.
 *   After that the capture pipes are drained until EOF or a short bound (a
 *   process that left the group may still hold them).
 *
 *   A request with `trace` set is traced (trace.h): each child waits on a
 *   go pipe until the runner has seized it with ptrace, loads the trace
 *   filter last, and the loop also polls the tracer's signalfd, its
 *   timeout bounded by trace_wake_ms (a perturbed run's held processes
 *   are looked at again on time that way).  Without `trace` none of this happens:
 *   no pipe, no ptrace, no signalfd.
 *
 * A hard line: run_processes() returns -1 only when the GRADER failed (pipe,
 * fork, poll...).  Everything the student's program does, including failing
 * to exec, is described in the result.
 */
#ifndef GRADER_RUN_H
#define GRADER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "diagnose.h"
#include "ipc.h"
#include "spec.h"
#include "trace.h"

struct seccomp_filter;

#define RUN_TERM_GRACE_MS 100
#define RUN_DRAIN_MS 200
/*
 * A run's deadline moves by at most this many times its timeout for the
 * time its processes waited for a CPU (run_cpu.c): on a loaded machine
 * a run may go on until run_latest_deadline_ms() after it started, and
 * whatever watches it from outside must wait that long.
 */
#define RUN_CPU_WAIT_MAX_TIMES 7
/* No file a program writes may grow past this (RLIMIT_FSIZE: SIGXFSZ, or EFBIG when ignored). */
#define RUN_FILE_SIZE_LIMIT (64LL << 20)

/* One process to start; every pointer is borrowed for the duration of the run. */
struct run_proc_spec {
	const char *name;
	char *const *argv;		/* argv[0] is looked up in PATH when it has no '/' */
	const char *stdin_data;		/* fed through a pipe; NULL: see stdin_file */
	size_t stdin_len;
	const char *stdin_file;		/* opened as fd 0; both NULL: /dev/null */
	bool tty;			/* stdin and stdout a pseudo-terminal (run_stdin.c) */
	const struct ready_spec *ready;	/* NULL: start the next process at once */
};

/*
 * How each started process is confined between fork and exec (the sandbox
 * fills it in; without it a process runs as the grader's user, with
 * RLIMIT_NPROC counted against that user's processes).
 */
struct run_confinement {
	bool switch_ids;		/* become uid/gid (the grader is root) */
	uid_t uid;
	gid_t gid;
	bool nproc_rlimit;		/* enforce limits.processes with RLIMIT_NPROC */
	const struct seccomp_filter *seccomp;	/* loaded after no_new_privs; NULL: none */
};

struct run_request {
	const char *workdir;
	char *const *envp;
	struct limits_spec limits;	/* a value <= 0 leaves that resource unlimited */
	long long timeout_ms;
	const struct run_proc_spec *procs;
	size_t nprocs;
	const struct run_confinement *confine;	/* NULL: none */
	enum ipc_scope ipc_scope;	/* which IPC objects left at the end are the test's */
	const struct trace_request *trace;	/* NULL: not traced (builds never are) */
	/*
	 * For sandbox_run only (sandbox.h): the folders, or single files, whose
	 * contents make up a SANDBOX_WORKDIR_COPY workdir, NULL-terminated;
	 * NULL: the workdir's own.  run_processes ignores it.
	 */
	const char *const *workdir_sources;
};

/* Bytes written to one stream. */
struct run_output {
	char *data;		/* the first `cap` bytes, NUL-terminated; owned */
	size_t len;
	unsigned long long total;	/* everything written, including what was dropped */
	bool truncated;
	bool open;		/* grader side still open (internal) */
};

struct run_proc_result {
	char *name;
	pid_t pid;
	bool started;		/* execve succeeded */
	char *start_error;	/* why it could not be started, else NULL */
	bool limited;		/* not started: the test's other processes used up its process limit */
	bool exited;		/* exited or was killed (false: never started) */
	int exit_code;		/* when it exited normally */
	int signal;		/* the signal that killed it, 0 when it exited normally */
	double cpu_seconds;
	double seconds;		/* from start to exit */
	/*
	 * Its `ready: {stdout: TEXT}` never came before the test timed out, yet
	 * TEXT was in its memory then: printed, but still in stdio's buffer.
	 */
	bool ready_in_memory;
	struct run_output out;
	struct run_output err;
};

struct run_result {
	bool timed_out;
	double seconds;
	double cpu_wait_seconds;	/* how far the deadline moved for time spent waiting for a CPU */
	/*
	 * Whether the test was ended before its deadline as a certain timeout
	 * (diagnose_certain_timeout): because no process could ever run again
	 * (a deadlock), or none before a sleep that ends after the deadline;
	 * then timed_out is true too, certain_after says how many seconds in,
	 * and for a sleep sleep_past says who sleeps and what the others do, in
	 * words.  DIAGNOSE_TIMEOUT_UNCERTAIN, 0 and NULL when it was not.
	 */
	enum diagnose_timeout certain_timeout;
	double certain_after;
	char *sleep_past;
	struct strvec orphans;	/* "pid 12 (prog)" of processes alive after the test's processes exited */
	struct strvec ipc_leftovers;	/* one sentence per IPC object left behind (then removed) */
	struct strvec denied;	/* "pid 3 (prog) called mount" for each call the seccomp filter refused */
	struct trace_record trace;	/* .traced is false when the request had no `trace` */
	/*
	 * Why the test hung, in plain words (a timeout), or, when every process
	 * it started had exited but some they left behind still held stdout
	 * or stderr open at the end, what those were doing; else NULL.
	 */
	char *diagnosis;
	char *diagnosis_hint;	/* the hint that follows from it (diagnose_explain); NULL: none */
	/*
	 * Seconds in at which the grader stopped waiting for the output that
	 * those left behind held open, because none of them could ever write
	 * to it again (asleep for good, as a certain timeout's processes); 0
	 * when they held it until the deadline, or nobody did.
	 */
	double output_held_after;
	/*
	 * Why the run could not be carried out for the submission's own reason
	 * (its files do not fit the working folder; a build's output does not
	 * fit on the way back); NULL when it could.  Set by sandbox_run.
	 */
	char *setup_failure;
	struct run_proc_result *procs;
	size_t nprocs;
};

/* An empty result for req's processes, none started yet (release with run_result_release). */
void run_result_init(struct run_result *res, const struct run_request *req);

/* The latest deadline a run of timeout_ms can reach, counted from its start. */
long long run_latest_deadline_ms(long long timeout_ms);

/* Runs req; fills res (release with run_result_release, also after -1). */
int run_processes(const struct run_request *req, struct run_result *res);
void run_result_release(struct run_result *res);

/* The fixed environment every program gets ("PATH=...", "HOME=<workdir>", "LANG=C") plus extra. */
void run_build_env(struct strvec *env, const char *workdir, const struct env_var *extra,
		   size_t nextra);

#endif
