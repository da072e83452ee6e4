/*
 * diagnose: why a test hangs, in words a student understands.
 *
 * Theory of operation
 *
 *   At a test's timeout, before anything is killed, the runner calls
 *   diagnose_hang().  It takes a snapshot from /proc of the calling process
 *   (the grader, "the observer") and of every live descendant: state, the
 *   system call each one is blocked in (/proc/PID/syscall, with its
 *   arguments: read(fd), wait4(pid), semop(semid)...), and its descriptors
 *   (/proc/PID/fd, /proc/PID/fdinfo: which pipe, which end).
 *
 *   diagnose_explain() turns a snapshot into text; it reads nothing, so the
 *   wording is tested on hand-built snapshots.  From the pipe ends it knows
 *   who holds the write ends of a pipe someone is blocked reading (and the
 *   read ends of one someone is blocked writing), from wait4 which child a
 *   parent waits for: a "waits for" graph.  Each sentence follows one chain
 *   of that graph from a process the grader started down to what everything
 *   on it waits for, and ends where the chain closes on itself ("each waits
 *   for the other").  Processes, pipes and descriptors are named the way
 *   `ls -l /proc/PID/fd` and the cleanup checks name them: "pid 3
 *   (./pipe_hello)", "pipe:[12345]", "fd 4".  One hint, for the first
 *   chain's cause, goes with the text, apart from it: the reports show it
 *   in place of any general advice.
 *
 * Within a PID namespace the pids are the namespace's own (those the
 * student's program sees), as long as /proc is that namespace's.
 */
#ifndef GRADER_DIAGNOSE_H
#define GRADER_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One open descriptor of a process. */
struct diagnose_fd {
	int fd;
	char *target;		/* what /proc/PID/fd/N links to: "pipe:[12345]", "/dev/null" */
	bool pipe;		/* an anonymous pipe or a FIFO */
	unsigned long long ino;	/* the pipe's inode (when pipe) */
	int accmode;		/* O_RDONLY, O_WRONLY or O_RDWR; -1 when unknown */
};

/* One process: the observer or a live (or zombie) descendant of it. */
struct diagnose_proc {
	pid_t pid;
	pid_t ppid;
	char state;		/* as in /proc/PID/stat: 'R', 'S', 'D', 'Z', 'T', 't'... */
	char *cmd;		/* argv[0] ("./pipe_hello"), else the kernel's comm */
	/*
	 * The system call it is blocked in, as /proc/PID/syscall tells: the
	 * number (a SYS_* constant of this machine) and its six arguments.
	 * -1 when it is in none: running, or unreadable.
	 */
	long syscall;
	unsigned long long args[6];
	/*
	 * Where in the kernel it sleeps (/proc/PID/wchan: "hrtimer_nanosleep"),
	 * read only for a call the kernel restarted after a signal
	 * (restart_syscall), which names no call of its own; "" when unknown.
	 */
	char wchan[48];
	double cpu_seconds;	/* user + system time so far */
	long threads;		/* 0 when unknown (a hand-built snapshot) */
	double started;		/* when it started, in seconds of CLOCK_BOOTTIME; 0 when unknown */
	/*
	 * A nanosleep or clock_nanosleep it is in, when its end is known for
	 * certain (diagnose_snapshot.c says when): the earliest moment it can
	 * end, on the clock of now_seconds() (CLOCK_MONOTONIC), and what was
	 * asked — a length, or for an absolute sleep how far ahead its end was
	 * when seen.
	 */
	struct diagnose_sleep {
		bool known;	/* the rest is set */
		bool absolute;	/* to a time on a clock (TIMER_ABSTIME), not for a while */
		double asked;	/* seconds */
		double until;	/* the earliest end */
	} sleep;
	bool observer;		/* the caller: its pipe ends count, it is never explained */
	struct diagnose_fd *fds;	/* diagnose_snapshot_take() sorts them by fd */
	size_t nfds;
	size_t fds_cap;
};

/*
 * A process of the test that has exited, and the pipes it held a write end
 * of when it did (known only to a tracer): a reader still waiting on one
 * of them is told that this writer is gone.
 */
struct diagnose_gone {
	pid_t pid;
	char *cmd;
	unsigned long long *pipes;	/* inodes */
	size_t npipes;
};

/* The observer first, then its descendants, every parent before its children. */
struct diagnose_snapshot {
	struct diagnose_proc *procs;
	size_t n;
	size_t cap;
	struct diagnose_gone *gone;
	size_t ngone;
};

#define DIAGNOSE_SNAPSHOT_INIT {NULL, 0, 0, NULL, 0}

/*
 * Fills snap (initialised, empty) with the calling process and its live
 * descendants.  A process that exits meanwhile is left out, or kept with
 * what could be read of it.  -1 when /proc cannot be read (error_last()
 * says why); release snap in both cases.
 */
int diagnose_snapshot_take(struct diagnose_snapshot *snap);

/* Adds a process (zeroed, syscall -1) for the caller to fill in; valid until the next add. */
struct diagnose_proc *diagnose_snapshot_add(struct diagnose_snapshot *snap, pid_t pid, pid_t ppid,
					    char state, const char *cmd);
/* Adds a descriptor to p; target is copied. */
void diagnose_proc_add_fd(struct diagnose_proc *p, int fd, const char *target, bool pipe,
			  unsigned long long ino, int accmode);
/* Adds an exited process and the pipe inodes it wrote to (copied). */
void diagnose_snapshot_add_gone(struct diagnose_snapshot *snap, pid_t pid, const char *cmd,
				const unsigned long long *pipes, size_t npipes);
void diagnose_snapshot_release(struct diagnose_snapshot *snap);

/*
 * A few sentences explaining why the processes of snap do not finish, the
 * most important first.  NULL when snap holds no process but the observer.
 * Caller frees.  *hint gets the one hint that follows from the first
 * sentence's cause (static text), or NULL when that cause has none: a
 * general hint would then contradict what was found as often as not.
 */
char *diagnose_explain(const struct diagnose_snapshot *snap, const char **hint);

/*
 * Snapshots every live descendant of the calling process and explains in
 * plain words why the test hangs, as diagnose_explain; NULL when it cannot
 * say anything useful.  Caller frees.  Called at a test's timeout, before
 * anything is killed.
 */
char *diagnose_hang(const char **hint);

/*
 * Whether text is in the writable private memory of process pid — its heap
 * and anonymous mappings, where stdio keeps its buffers: printed, not yet
 * written.  false when it is not there or the memory cannot be read.
 */
bool diagnose_in_memory(pid_t pid, const char *text);

/* Why a test certainly cannot finish before its deadline. */
enum diagnose_timeout {
	DIAGNOSE_TIMEOUT_UNCERTAIN,	/* it may: something could still happen */
	DIAGNOSE_TIMEOUT_DEADLOCK,	/* no process can ever run again */
	DIAGNOSE_TIMEOUT_SLEEP,		/* none can before a sleep that ends after the deadline */
};

/*
 * Whether no process of snap (but the observer, which is never counted) can
 * run again before deadline (seconds of now_seconds()'s clock): each sleeps
 * reading or writing a pipe whose other end only they hold, waiting for
 * children that sleep alike, or in pause() — a deadlock — or, for at least
 * one, in a sleep that ends after deadline.  timers_armed: some process of
 * the test armed a timer, whose signal could wake any of them (then
 * never).  See diagnose_deadlock.c: it errs towards "uncertain".  For
 * DIAGNOSE_TIMEOUT_SLEEP, *sleep_past gets who sleeps past the deadline and
 * what the others do, in words ("pid 4 (./sleeper) sleeps past the deadline
 * (nanosleep of 5s)"; caller frees); else NULL.
 */
enum diagnose_timeout diagnose_certain_timeout(const struct diagnose_snapshot *snap,
					       bool timers_armed, double deadline,
					       char **sleep_past);

/*
 * Explains a process killed by the CPU time limit (SIGXCPU): one that never
 * waits for anything spends its whole limit in a loop.  Told after the
 * fact, so it cannot say which loop; *hint is the one a spinning process
 * gets at a timeout.  Caller frees.
 */
char *diagnose_cpu_exhausted(pid_t pid, const char *cmd, double cpu_limit_seconds,
			     const char **hint);

#endif
