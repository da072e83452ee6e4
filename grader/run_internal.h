/*
 * run_internal: what the modules of the runner share (run.h is the API).
 *
 *   run.c            the loop: starting processes, pumping their pipes,
 *                    noting exits, the deadline
 *   run_start.c      starting one process: the runner's side of the fork,
 *                    until the child's exec
 *   run_child.c      a process between fork and exec
 *   run_stdin.c      what a process reads: a pipe, a file, /dev/null, or a
 *                    pseudo-terminal that is its stdout too (tty: true)
 *   run_leftovers.c  the processes a test leaves behind
 *   run_cpu.c        the time a test's processes waited for a CPU; a CPU
 *                    time limit that is not whole seconds
 */
#ifndef GRADER_RUN_INTERNAL_H
#define GRADER_RUN_INTERNAL_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "run.h"

/* The PATH every program gets, and where a command without '/' is looked up. */
#define RUN_FIXED_PATH "/usr/local/bin:/usr/bin:/bin"

/* Everything the loop knows about one process; fds are -1 when closed. */
struct proc {
	const struct run_proc_spec *spec;
	struct run_proc_result *res;
	pid_t pid;
	int pidfd;
	int in_fd;		/* grader's write end of the stdin pipe (or terminal) */
	char *in_data;		/* what is written to it (owned) */
	size_t in_len;
	size_t in_off;
	int out_fd;
	int err_fd;
	int seccomp_fd;		/* listener for the calls its filter denies */
	double started_at;
	bool ready;
	bool reaped;
};

/* The state of one run: the processes started so far and the output cap. */
struct loop {
	struct proc *procs;
	size_t started;
	long long output_cap;
	struct strvec *denied;
	struct tracer *tracer;	/* NULL: the run is not traced */
	int sigchld_fd;		/* untraced: SIGCHLD, to reap orphans as they exit; else -1 */
	bool timers_armed;	/* some process armed a timer (seccomp.h): no deadlock is certain */
	time_t began;		/* wall clock, for the IPC objects made since (ipc.h) */
};

/* Which step of the child's set-up failed, for the exec-status pipe. */
enum child_step {
	STEP_STDIN,
	STEP_FDS,
	STEP_SESSION,
	STEP_CHDIR,
	STEP_RLIMIT,
	STEP_IDS,
	STEP_NO_NEW_PRIVS,
	STEP_SECCOMP,
	STEP_TRACE,
	STEP_EXEC
};

struct child_failure {
	int step;
	int err;
};

/* A traced child's side of the hand-over: the go pipe, and the filter to load once seized. */
struct child_trace {
	int go_fd;
	int go_write_fd;	/* the runner's end, closed in the child */
	const struct seccomp_filter *filter;
};

/* Everything run_child_exec needs, prepared by the parent before fork. */
struct run_child_setup {
	const char *path;
	char *const *argv;
	char *const *envp;
	const char *workdir;
	int stdin_fd, out_fd, err_fd;
	const struct limits_spec *limits;
	rlim_t nproc;			/* RLIMIT_NPROC, 0: none */
	const struct run_confinement *confine;
	const struct child_trace *trace;	/* NULL: untraced */
	int status_fd;			/* the status socket's child end */
};

/* What run_cpu.c keeps: each process's run-queue wait when last seen. */
struct run_cpuwait {
	struct {
		pid_t pid;
		unsigned long long ran, waited;	/* ns on a CPU, on a run queue */
	} *seen;
	size_t n, cap;
	long cpus;
	double last_sample;
	double credited;	/* seconds the deadline moved so far */
	double max_credit;	/* at most this many */
};

/* How often the run-queue waits are sampled while a test runs. */
#define RUN_CPUWAIT_SAMPLE_MS 20

void run_cpuwait_init(struct run_cpuwait *w, double now, double max_credit);
/*
 * Samples the test's processes (at most every RUN_CPUWAIT_SAMPLE_MS unless
 * force) and returns the seconds by which the deadline moves now.
 */
double run_cpuwait_sample(struct run_cpuwait *w, const struct loop *lp, double now, bool force);
/*
 * The most the samples to come can still move the deadline by for the
 * waits the test's processes have had since the last sample (it samples
 * nothing): the deadline reached if none of them ever waits for a CPU again.
 */
double run_cpuwait_pending(struct run_cpuwait *w, const struct loop *lp);
void run_cpuwait_release(struct run_cpuwait *w);

/* A set of pids, in the order they were first added. */
struct run_pids {
	pid_t *v;
	size_t n, cap;
};

bool run_pids_has(const struct run_pids *s, pid_t pid);
/* Adds pid unless it is in s already. */
void run_pids_add(struct run_pids *s, pid_t pid);
/*
 * Adds the children of every thread of pid, as the kernel lists them
 * (/proc/PID/task/TID/children; run_leftovers.c); false when it lists none
 * at all: a kernel without CONFIG_PROC_CHILDREN, or pid gone.
 */
bool run_pids_add_children(struct run_pids *s, pid_t pid);

/*
 * Calls fn with each process of the test, once: in a PID namespace of its
 * own every one in it but init (the runner); without one the processes the
 * test started, every process below them, and the orphans re-parented to
 * the runner (a subreaper), as the kernel lists children
 * (/proc/PID/task/TID/children; where it does not, only the started ones).
 */
void run_for_each_test_pid(const struct loop *lp, void (*fn)(pid_t pid, void *arg), void *arg);

/* What run_cpu.c keeps: whom it sent SIGXCPU, and when it looks next. */
struct run_cpulimit {
	double limit;		/* CPU seconds per process; 0: left to RLIMIT_CPU */
	double cpus;		/* CPUs on line: the most CPU time a process gains a second */
	double next;		/* the next look; INFINITY: none */
	struct run_pids told;	/* sent SIGXCPU */
};

/* How often, at most, the CPU clocks of a test near its limit are read. */
#define RUN_CPULIMIT_MIN_MS 10

/* Starts watching for a limit of cpu_ms (none when it is whole seconds). */
void run_cpulimit_init(struct run_cpulimit *c, long long cpu_ms, double now);
/*
 * When c->next has come: sends SIGXCPU to every process of the test whose
 * CPU time reached the limit, and sets c->next.
 */
void run_cpulimit_check(struct run_cpulimit *c, const struct loop *lp, double now);
void run_cpulimit_release(struct run_cpulimit *c);

/* A process's stdin as prepared before fork (run_stdin.c); fds are -1 when none. */
struct run_stdin {
	int child_in;		/* becomes its fd 0 */
	int child_out;		/* becomes its fd 1 when a terminal (the same as child_in); else -1 */
	int feed;		/* the runner's end to write `data` into */
	int master;		/* a terminal's master: the runner reads the output from it */
	char *data;		/* what to feed: the text, or for a terminal the text as typed */
	size_t len;
};

/*
 * Opens what process spec reads: a pipe for its text, a file, /dev/null,
 * or with spec->tty a pseudo-terminal.  -1 with error() when the runner
 * could not (run_stdin_release either way).
 */
int run_stdin_open(const struct run_proc_spec *spec, struct run_stdin *in);
/* Closes the child's ends, once it has them. */
void run_stdin_close_child(struct run_stdin *in);
void run_stdin_release(struct run_stdin *in);
/* Writes what p's stdin may take now; closes in_fd once all is written or refused. */
void run_stdin_pump(struct proc *p);

/*
 * Starts p (run_start.c).  Returns -1 only when the runner failed; a
 * process the test's own processes left no room for (fork: EAGAIN at the
 * process limit once one of them was started, or its descendants — never
 * the first) is not started, and its result says so (limited).
 */
int run_proc_start(struct proc *p, const struct run_request *req, rlim_t nproc,
		   struct tracer *tracer, bool not_first);

/* Which step of the set-up failed, for messages. */
const char *run_child_step_name(int step);
/* Resolves a command without '/' through the fixed PATH, as a shell would; caller frees. */
char *run_resolve_program(const char *name);
/* RLIMIT_NPROC for a test allowed `allowed` processes, run as uid. */
rlim_t run_nproc_limit(long long allowed, uid_t uid);
/* In the child: sets up and execs, or reports the failed step on status_fd and exits 127. */
_Noreturn void run_child_exec(const struct run_child_setup *s);

/* Reads /proc/PID/stat: parent, process group, state and name; false when the process is gone. */
bool run_proc_stat(pid_t pid, pid_t *ppid, pid_t *pgid, char *state, char *comm, size_t comm_size);
/* Describes the live leftovers ("pid 12 (sleep)") for the orphans check. */
void run_find_leftovers(const struct loop *lp, const pid_t *pgids, size_t npgids,
			struct strvec *found);
/* Kills whatever the test left running, and reaps what was re-parented to the runner. */
void run_kill_leftovers(const struct loop *lp, const pid_t *pgids, size_t npgids);
/*
 * Reaps the runner's children that it did not start and that have exited:
 * orphans re-parented to it, which count against the test's process limit
 * until they are reaped (a traced one once the tracer is done with it).
 */
void run_reap_orphans(const struct loop *lp);
/* Sends sig to each started process and its process group. */
void run_signal_test(const struct proc *procs, size_t n, int sig);
/* Fills pgids (room for n) with the distinct process groups of the started processes; returns how many. */
size_t run_collect_pgids(const struct proc *procs, size_t n, pid_t *pgids);

#endif
