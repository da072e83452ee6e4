/*
 * trace_task: the tracer's state and its answer to each stop (trace.h has
 * the protocol, trace.c the event loop that hands the stops here).
 *
 * State: one `struct task` per live traced thread (removed once reaped or
 * seen exiting for good), one `struct process` per thread group ever seen
 * (kept to the end: the report lists them, and a parent is judged against
 * its children).  Lookups are linear: a test has tens of processes, and a
 * loop of forks removes its tasks as fast as it makes them.
 *
 * Every stop is answered at once, except a parent's exit stop while one of
 * its children is still running (see trace.h): such a parent is `held`
 * until the child has exited or settles (settle() below); and, when the run is
 * perturbed, a step of its schedule: that task is held until trace_pct.c
 * lets it go.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"
#include "trace_internal.h"
/* ---- bookkeeping -------------------------------------------------------- */

static struct task *find_task(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].tid == tid)
			return &t->tasks[i];
	return NULL;
}

/* The latest process with that pid that has not been reaped (pids are reused). */
static size_t find_process(const struct tracer *t, pid_t pid)
{
	for (size_t i = t->nprocs; i-- > 0;)
		if (t->procs[i].rec.pid == pid && !t->procs[i].reaped)
			return i;
	return SIZE_MAX;
}

struct task *trace_add_task(struct tracer *t, pid_t tid, size_t proc)
{
	t->tasks = xgrow(t->tasks, sizeof(*t->tasks), t->ntasks + 1, &t->tasks_cap);
	struct task *task = &t->tasks[t->ntasks++];
	memset(task, 0, sizeof(*task));
	task->tid = tid;
	task->proc = proc;
	task->event = SIZE_MAX;
	/* Born of a paused process (a fork under way): it must not run either. */
	task->pause = t->pausing;
	return task;
}

void trace_remove_task(struct tracer *t, struct task *task)
{
	trace_pct_forget(task);
	*task = t->tasks[--t->ntasks];
}

size_t trace_add_process(struct tracer *t, pid_t pid, pid_t ppid, size_t parent)
{
	t->procs = xgrow(t->procs, sizeof(*t->procs), t->nprocs + 1, &t->procs_cap);
	struct process *p = &t->procs[t->nprocs];
	memset(p, 0, sizeof(*p));
	p->rec.pid = pid;
	p->rec.ppid = ppid;
	strvec_init(&p->rec.argv);
	p->parent = parent;
	p->threads = 1;
	return t->nprocs++;
}

const char *trace_process_name(const struct process *p)
{
	return p->rec.argv.n ? p->rec.argv.v[0] : p->first_name ? p->first_name : "?";
}

/* "wc (pid 2, started as ./dup2)" for messages. */
static char *process_label(const struct process *p, const char *role)
{
	const char *name = trace_process_name(p);
	if (p->first_name && strcmp(p->first_name, name))
		return xasprintf("%s%s (pid %d, started as %s)", role, name, (int)p->rec.pid,
				 p->first_name);
	return xasprintf("%s%s (pid %d)", role, name, (int)p->rec.pid);
}

void trace_note_status(struct process *p, int code, int sig)
{
	p->rec.exited = true;
	p->rec.exit_code = code;
	p->rec.signal = sig;
}

/* ---- resuming ----------------------------------------------------------- */

/*
 * Lets a stopped task go on: to the watched call's exit stop (or the one
 * the schedule wants), else to the next stop the filter or an event makes
 * (or, without the filter, to the next system call).
 */
void trace_resume(const struct tracer *t, struct task *task, int sig)
{
	if (task->pause) {
		task->parked = true;
		task->parked_listen = false;
		task->parked_sig = sig;
		return;
	}
	/* ESRCH: killed meanwhile, which needs no answer. */
	ptrace(task->in_syscall || task->want_exit || t->every_call ? PTRACE_SYSCALL : PTRACE_CONT,
	       task->tid, NULL, (void *)(long)sig);
}

/* A group-stop stays one (until SIGCONT), the tracer notified of its end. */
void trace_listen_stopped(struct task *task)
{
	if (task->pause) {
		task->parked = true;
		task->parked_listen = true;
		return;
	}
	ptrace(PTRACE_LISTEN, task->tid, NULL, NULL);
	task->listening = true;
}

static bool syscall_info(pid_t tid, struct __ptrace_syscall_info *info)
{
	memset(info, 0, sizeof(*info));
	return ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info) > 0;
}

static unsigned long event_message(pid_t tid)
{
	unsigned long msg = 0;
	ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);
	return msg;
}

/* ---- recording calls ---------------------------------------------------- */

/* The name of a recorded call; NULL for a call stopped only as a step of the schedule. */
static const char *watched_name(const struct tracer *t, int nr)
{
	for (size_t i = 0; i < t->nwatched; i++)
		if (t->watched[i].nr == nr)
			return t->watched[i].recorded ? t->watched[i].name : NULL;
	return NULL;
}

static bool perturbed(const struct tracer *t, int nr)
{
	for (size_t i = 0; t->perturbing && i < t->nwatched; i++)
		if (t->watched[i].nr == nr)
			return t->watched[i].perturbed;
	return false;
}

/* Counts one call of kind `name`; the first one is described for the judge's messages. */
static void note_call(struct tracer *t, const char *name, const char *first)
{
	struct trace_record *rec = t->out;
	for (size_t i = 0; i < rec->ncalls; i++) {
		if (!strcmp(rec->calls[i].name, name)) {
			rec->calls[i].count++;
			return;
		}
	}
	rec->calls = xrealloc(rec->calls, (rec->ncalls + 1) * sizeof(*rec->calls));
	rec->calls[rec->ncalls++] =
	    (struct trace_call){.name = xstrdup(name), .count = 1, .first = xstrdup(first)};
}

static size_t push_event(struct tracer *t, pid_t pid, const char *call, const char *args)
{
	struct trace_record *rec = t->out;
	if (rec->nevents >= TRACE_MAX_EVENTS) {
		rec->dropped_events++;
		return SIZE_MAX;
	}
	rec->events = xrealloc(rec->events, (rec->nevents + 1) * sizeof(*rec->events));
	rec->events[rec->nevents] = (struct trace_event){
	    .seconds = now_seconds() - t->start,
	    .pid = pid,
	    .call = xstrdup(call),
	    .args = xstrdup(args),
	};
	return rec->nevents++;
}

/* A watched call's entry: recorded now, its result at the exit stop. */
static void look_for_loaded_shell(struct tracer *t, struct process *p, pid_t tid);

static void on_call(struct tracer *t, struct task *task, int nr, const uint64_t *call_args)
{
	struct process *p = &t->procs[task->proc];
	const char *name = watched_name(t, nr);
	if (p->student)
		look_for_loaded_shell(t, p, task->tid);
	/* The runner's own execve of the program is not the student's call. */
	if (!p->student || !name)
		return;
	if (task->restarting) {
		task->restarting = false;
		/*
		 * The same call again after the signal (a tracer's signal stop
		 * interrupts even a call whose signal is ignored): still one call.
		 */
		if (nr == task->nr) {
			task->in_syscall = true;
			return;
		}
		/* Another call: the interrupted one returned EINTR to the program. */
		if (task->event != SIZE_MAX) {
			t->out->events[task->event].finished = true;
			t->out->events[task->event].result = -EINTR;
		}
	}
	task->in_syscall = true;
	task->nr = nr;
	memcpy(task->args, call_args, sizeof(task->args));

	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	bool complete = trace_format_entry(task->tid, name, task->args, &text);
	uint64_t clone_flags = !strcmp(name, "clone") ? task->args[0]
			       : !strcmp(name, "clone3")
				   ? trace_clone3_flags(task->tid, task->args[0])
				   : 0;
	char *kind = clone_flags & CLONE_THREAD ? xasprintf("%s%s", name, TRACE_THREAD_SUFFIX)
						: xstrdup(name);
	/* pipe's descriptors are known only at its exit: then the message names the call alone. */
	char *first = complete ? xasprintf("pid %d (%s) called %s(%s)", (int)p->rec.pid,
					   trace_process_name(p), name, text.buf)
			       : xasprintf("pid %d (%s) called %s", (int)p->rec.pid,
					   trace_process_name(p), name);
	note_call(t, kind, first);
	free(first);
	free(kind);
	task->event = push_event(t, p->rec.pid, name, text.buf);
	strbuf_release(&text);
}

static void on_call_exit(struct tracer *t, struct task *task, long long rval)
{
	task->in_syscall = false;
	if (trace_restarts(rval)) {
		/* Kept pending: the restarted call finishes the event (see on_call). */
		task->restarting = true;
		return;
	}
	if (task->event != SIZE_MAX) {
		struct trace_event *ev = &t->out->events[task->event];
		ev->finished = true;
		ev->result = rval;
		const char *name = watched_name(t, task->nr);
		if (name && ev->result >= 0) {
			struct strbuf args = STRBUF_INIT;
			strbuf_init(&args);
			if (trace_format_exit(task->tid, name, task->args, &args)) {
				free(ev->args);
				ev->args = strbuf_detach(&args, NULL);
			}
			strbuf_release(&args);
		}
	}
	task->event = SIZE_MAX;
}

/* ---- processes coming and going ----------------------------------------- */

/*
 * A task seen for the first time: a new thread of a known process, or a new
 * process.  Its thread group and parent come from /proc while it sits in
 * its first stop (creator: the process that made it, when known).
 */
static struct task *register_task(struct tracer *t, pid_t tid, size_t creator)
{
	pid_t tgid = tid, ppid = 0;
	trace_proc_ids(tid, &tgid, &ppid);
	if (tgid != tid) {
		size_t proc = find_process(t, tgid);
		if (proc != SIZE_MAX) {
			t->procs[proc].threads++;
			return trace_add_task(t, tid, proc);
		}
	}
	size_t parent = find_process(t, ppid);
	if (creator == SIZE_MAX)
		creator = parent;
	size_t proc = trace_add_process(t, tid, ppid, parent);
	trace_pct_new_process(t, proc, parent, false);
	struct process *p = &t->procs[proc];
	/* Until it execs it runs its creator's program (and is the student's if that is). */
	p->student = true;
	if (creator != SIZE_MAX) {
		const struct process *c = &t->procs[creator];
		p->student = c->student;
		strvec_pushv(&p->rec.argv, (const char *const *)c->rec.argv.v);
		p->first_name = xstrdup(trace_process_name(c));
	}
	return trace_add_task(t, tid, proc);
}

static void on_new_child(struct tracer *t, struct task *task)
{
	pid_t child = (pid_t)event_message(task->tid);
	if (child > 0 && !find_task(t, child))
		register_task(t, child, task->proc);
}

/*
 * What `system` means (docs/spec.md, "trace"): a process of the test, other
 * than the program a spec's `run` starts, executed a shell — recognised by
 * what runs (trace_shell.c) — whatever its arguments.  Not only `sh -c`:
 * popen("sh", "w") feeding commands on stdin, `sh script` or a #!/bin/sh
 * file hand the work to a shell just the same, and the assignments that
 * forbid it want the program to fork, exec and pipe by itself.  The spec's
 * own `run: [sh, -c, ...]` is the instructor's shell, not the student's.
 */
/* Records that p ran `shell` ("/usr/bin/dash", "a copy of ..."), with its command line. */
static void note_shell(struct tracer *t, const struct process *p, const char *shell)
{
	struct strbuf args = STRBUF_INIT;
	strbuf_init(&args);
	for (size_t i = 0; i < p->rec.argv.n && args.len < TRACE_SHELL_ARGS_SHOWN; i++) {
		const char *arg = p->rec.argv.v[i];
		/* Quoted as a shell would need it: "sh -c 'ls | wc'" shows the one command. */
		bool quote = !*arg || arg[strcspn(arg, " \t\n'\"\\|&;<>()$`*?")];
		strbuf_addf(&args, "%s%s%s%s", i ? " " : "", quote ? "'" : "", arg,
			    quote ? "'" : "");
	}
	char *first = xasprintf("pid %d ran a shell (%s): %.*s%s", (int)p->rec.pid, shell,
				TRACE_SHELL_ARGS_SHOWN, args.buf,
				args.len > TRACE_SHELL_ARGS_SHOWN ? "..." : "");
	note_call(t, TRACE_SYSTEM, first);
	free(first);
	strbuf_release(&args);
}

/* At an exec stop of p (tid): whether it now runs a shell, or the loader that may map one. */
static void look_for_shell(struct tracer *t, struct process *p, pid_t tid)
{
	if (!t->shells)
		t->shells = trace_shells_new();
	char *shell = trace_shells_match(t->shells, tid, &p->rec.argv, &p->via_loader);
	if (shell)
		note_shell(t, p, shell);
	free(shell);
}

/*
 * At any later stop of a process that runs the dynamic loader itself: the
 * program it was asked for is mapped now (a watched call, its exit).
 */
static void look_for_loaded_shell(struct tracer *t, struct process *p, pid_t tid)
{
	if (!p->via_loader)
		return;
	char *shell = trace_shells_match_mapped(t->shells, tid);
	if (shell) {
		p->via_loader = false;
		note_shell(t, p, shell);
	}
	free(shell);
}

static void on_exec(struct tracer *t, struct task *task)
{
	/* A thread other than the leader exec'd: it has taken over the leader's tid. */
	pid_t former = (pid_t)event_message(task->tid);
	if (former > 0 && former != task->tid) {
		struct task *old = find_task(t, former);
		if (old) {
			task->in_syscall = old->in_syscall;
			task->nr = old->nr;
			memcpy(task->args, old->args, sizeof(task->args));
			task->event = old->event;
			pid_t tid = task->tid;
			trace_remove_task(t, old);
			task = find_task(t, tid);
		}
	}
	struct process *p = &t->procs[task->proc];
	struct strvec argv = STRVEC_INIT;
	strvec_init(&argv);
	if (trace_proc_cmdline(task->tid, &argv) == 0 && argv.n) {
		strvec_clear(&p->rec.argv);
		p->rec.argv = argv;
	} else {
		strvec_clear(&argv);
	}
	if (!p->first_name)
		p->first_name = xstrdup(trace_process_name(p));
	/* Not the student's yet: the runner's own exec of what the spec runs. */
	bool spec_run = !p->student;
	p->student = true;
	/* The other threads are gone: an exec leaves one. */
	p->threads = 1;
	p->via_loader = false;
	if (t->watch_system && !spec_run)
		look_for_shell(t, p, task->tid);
}

/* Whether /proc shows pid as a zombie whose parent is ppid. */
static bool still_zombie(pid_t pid, pid_t ppid)
{
	char state = 0;
	pid_t now_ppid = 0;
	return trace_proc_state(pid, &state, &now_ppid) == 0 && state == 'Z' && now_ppid == ppid;
}

enum settling { SETTLING_PENDING, SETTLING_RUNS_ON };

/*
 * Whether a running child its parent is held for has settled into
 * outliving it: it sleeps (S: waiting for something, not for a CPU or a
 * disk) with its CPU time unchanged for TRACE_SETTLE_BLOCKED_MS, or it has
 * used TRACE_SETTLE_CPU_MS of CPU time since the hold began.  A child that
 * waits for a CPU or is held by the schedule stays pending, however long that
 * takes: what decides is what it does, not how busy the machine is.
 */
static enum settling settle(struct process *c, double now)
{
	char state;
	unsigned long long cpu;
	/* Gone from /proc but not yet reaped: it is exiting. */
	if (trace_proc_sched(c->rec.pid, &state, &cpu) < 0)
		return SETTLING_PENDING;
	long ticks = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	if (!c->settling) {
		c->settling = true;
		c->settle_cpu0 = c->settle_cpu = cpu;
		c->blocked_since = -1;
	}
	if ((cpu - c->settle_cpu0) * 1000 >= (unsigned long long)TRACE_SETTLE_CPU_MS * ticks)
		return SETTLING_RUNS_ON;
	/* A job-control stop (T) waits for a SIGCONT nobody sends: a sleep like any other. */
	bool sleeps = (state == 'S' || state == 'T') && cpu == c->settle_cpu;
	c->settle_cpu = cpu;
	if (!sleeps) {
		c->blocked_since = -1;
		return SETTLING_PENDING;
	}
	if (c->blocked_since < 0)
		c->blocked_since = now;
	return (now - c->blocked_since) * 1000 >= TRACE_SETTLE_BLOCKED_MS ? SETTLING_RUNS_ON
									  : SETTLING_PENDING;
}

/*
 * Judges the children of process `parent`, which is in its exit stop.  A
 * child that has exited is a zombie when /proc still shows it as one (the
 * parent never waited for it); a running one is pending until it exits
 * (then a zombie) or settles into outliving its parent (an orphan), or,
 * with final, outlives it now.  Returns whether some child is still
 * pending.
 */
bool trace_judge_children(struct tracer *t, size_t parent, bool final, double now)
{
	bool pending = false;
	const struct process *p = &t->procs[parent];
	for (size_t i = 0; i < t->nprocs; i++) {
		struct process *c = &t->procs[i];
		if (c->parent != parent || c->judged)
			continue;
		if (c->reaped) {
			c->judged = true;
			if (t->req.zombies && still_zombie(c->rec.pid, p->rec.pid)) {
				char *who = process_label(p, "parent ");
				char *whom = process_label(c, "child ");
				strvec_pushf_capped(&t->out->zombies, FINDINGS_MAX,
						    "%s never waited for %s", who, whom);
				free(who);
				free(whom);
			}
		} else if (final || settle(c, now) == SETTLING_RUNS_ON) {
			c->judged = true;
			if (t->req.orphans)
				strvec_pushf_capped(
				    &t->out->orphans, FINDINGS_MAX,
				    "pid %d (%s), left running by its parent pid %d (%s)",
				    (int)c->rec.pid, trace_process_name(c), (int)p->rec.pid,
				    trace_process_name(p));
		} else {
			pending = true;
		}
	}
	return pending;
}

static void list_fds(struct tracer *t, const struct process *p, pid_t tid)
{
	struct strvec held = STRVEC_INIT;
	strvec_init(&held);
	trace_proc_fds(tid, &held);
	for (size_t i = 0; i < held.n; i++)
		strvec_pushf_capped(&t->out->fds, FINDINGS_MAX, "pid %d (%s) exited holding %s",
				    (int)p->rec.pid, trace_process_name(p), held.v[i]);
	strvec_clear(&held);
}

/*
 * Adds the pipes tid holds a write end of to those its process is known to
 * have written to: a writer that is gone is part of why a reader waiting on
 * one of them hangs (diagnose.h).  Looked at when it execs (a program such
 * as ls closes its stdout before it exits) and when it exits.
 */
static void note_pipe_writes(struct process *p, pid_t tid)
{
	unsigned long long *now;
	size_t n = trace_proc_pipe_writes(tid, &now);
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; k < p->nwrote && !known; k++)
			known = p->wrote[k] == now[i];
		if (known)
			continue;
		p->wrote = xrealloc(p->wrote, (p->nwrote + 1) * sizeof(*p->wrote));
		p->wrote[p->nwrote++] = now[i];
	}
	free(now);
}

/* Returns false when the task is held (not to be resumed now). */
static bool on_exit_stop(struct tracer *t, struct task *task)
{
	int status = (int)event_message(task->tid);
	size_t proc = task->proc;
	struct process *p = &t->procs[proc];
	/* Its memory is still there: the last chance to see what the loader ran. */
	look_for_loaded_shell(t, p, task->tid);
	if (task->tid == p->rec.pid)
		trace_note_status(p, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
				  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (p->threads > 0)
		p->threads--;
	/*
	 * The whole process is leaving, its descriptors still open.  A signal's
	 * victim is not blamed: it had no chance to close or to wait.
	 */
	if (p->threads > 0 || !t->judging || !p->student)
		return true;
	note_pipe_writes(p, task->tid);
	if (!WIFEXITED(status))
		return true;
	if (t->req.fds)
		list_fds(t, p, task->tid);
	if ((t->req.zombies || t->req.orphans) &&
	    trace_judge_children(t, proc, false, now_seconds())) {
		p->held = true;
		p->held_tid = task->tid;
		return false;
	}
	return true;
}

void trace_release_held(struct tracer *t, size_t proc)
{
	struct process *p = &t->procs[proc];
	p->held = false;
	struct task *task = find_task(t, p->held_tid);
	if (task)
		trace_resume(t, task, 0);
}

/* ---- answering a stop -------------------------------------------------- */

void trace_on_stop(struct tracer *t, pid_t tid, int status)
{
	struct task *task = find_task(t, tid);
	if (!task)
		task = register_task(t, tid, SIZE_MAX);
	/* Any stop ends a group-stop's listening: SIGCONT (or a kill) woke it. */
	task->listening = false;
	int sig = status & 0xff;
	int event = (status >> 8) & 0xff;

	if (sig == (SIGTRAP | 0x80)) {
		/* A watched call's exit stop; without the filter, any call's entry or exit. */
		struct __ptrace_syscall_info info;
		bool entry = syscall_info(tid, &info) && info.op == PTRACE_SYSCALL_INFO_ENTRY;
		bool exit = !entry && info.op == PTRACE_SYSCALL_INFO_EXIT;
		if (entry)
			on_call(t, task, (int)info.entry.nr, info.entry.args);
		else if (exit && task->in_syscall)
			on_call_exit(t, task, info.exit.rval);
		if (entry && perturbed(t, (int)info.entry.nr) &&
		    trace_pct_step(t, task, (int)info.entry.nr, info.entry.args, false))
			return;
		if (exit && task->want_exit && trace_pct_call_exit(t, task, info.exit.rval))
			return;
		trace_resume(t, task, 0);
		return;
	}
	if (event == PTRACE_EVENT_STOP) {
		/* A group-stop, or else the first stop of a new task (or an interrupt). */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			trace_listen_stopped(task);
		else
			trace_resume(t, task, 0);
		return;
	}
	if (sig != SIGTRAP || !event) {
		/* A signal on its way to the process: pass it on. */
		trace_resume(t, task, sig);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP: {
		struct __ptrace_syscall_info info;
		if (!syscall_info(tid, &info) || info.op != PTRACE_SYSCALL_INFO_SECCOMP)
			break;
		on_call(t, task, (int)info.seccomp.nr, info.seccomp.args);
		if (perturbed(t, (int)info.seccomp.nr) &&
		    trace_pct_step(t, task, (int)info.seccomp.nr, info.seccomp.args, false))
			return;
		break;
	}
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_new_child(t, task);
		task = find_task(t, tid);
		break;
	case PTRACE_EVENT_EXEC:
		on_exec(t, task);
		task = find_task(t, tid);
		if (t->judging)
			note_pipe_writes(&t->procs[task->proc], tid);
		break;
	case PTRACE_EVENT_EXIT:
		if (t->procs[task->proc].threads == 1)
			trace_pct_gone(t, task->proc);
		if (!on_exit_stop(t, task))
			return;
		break;
	default:
		break;
	}
	trace_resume(t, task, 0);
}
