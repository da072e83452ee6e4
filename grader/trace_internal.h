/*
 * trace_internal: what trace.c shares with its two helpers — the names it
 * watches (trace_record.c) and what it reads about a stopped process
 * (trace_proc.c: /proc files and the process's memory, as text).
 */
#ifndef GRADER_TRACE_INTERNAL_H
#define GRADER_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/*
 * Call kinds that are not kernel names (spec names are [a-z0-9_]: they
 * cannot collide): a clone or clone3 that made a thread is recorded as
 * "clone(thread)" or "clone3(thread)", a run of /bin/sh -c as "system".
 */
#define TRACE_THREAD_SUFFIX "(thread)"
#define TRACE_SYSTEM "system"

/* A call the trace filter stops: its number on this machine and its kernel name. */
struct trace_watch {
	int nr;
	const char *name;	/* static, or borrowed from the request's names */
	bool recorded;		/* kept in the record; false: stopped only to be delayed */
	bool perturbed;		/* delayed when the run is perturbed */
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
 * execve, *exec_path receives the file it names (caller frees).  Returns
 * false when the arguments mean little before the call returns (pipe).
 */
bool trace_format_entry(pid_t tid, const char *name, const uint64_t *args, struct strbuf *out,
			char **exec_path);
/* The arguments again at a successful exit, when it filled some in (pipe's two descriptors). */
bool trace_format_exit(pid_t tid, const char *name, const uint64_t *args, struct strbuf *out);
/* The flags of a clone3 call, from the struct clone_args at addr (0 when unreadable). */
uint64_t trace_clone3_flags(pid_t tid, uint64_t addr);
/* Whether a call's result is one of the kernel's restart codes (the call goes on after a signal). */
bool trace_restarts(long long rval);

/* Thread group and parent of a task, from /proc/TID/status; -1 when it is gone. */
int trace_proc_ids(pid_t tid, pid_t *tgid, pid_t *ppid);
/* Its argv, from /proc/TID/cmdline; -1 when unreadable. */
int trace_proc_cmdline(pid_t tid, struct strvec *argv);
/* The program it runs (/proc/TID/exe), or NULL; caller frees. */
char *trace_proc_exe(pid_t tid);
/* State letter and parent from /proc/PID/stat; -1 when there is no such process. */
int trace_proc_state(pid_t pid, char *state, pid_t *ppid);
/* "fd 4 -> pipe:[1234] (write end)" for each descriptor above 2, in order. */
void trace_proc_fds(pid_t tid, struct strvec *out);
/* The inodes of the pipes tid holds a write end of (any fd, 0-2 included); caller frees *inodes. */
size_t trace_proc_pipe_writes(pid_t tid, unsigned long long **inodes);

#endif
