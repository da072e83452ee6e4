/*
 * trace: the ptrace side of a traced run (see trace.h for the protocol).
 *
 * State: one `struct task` per live traced thread (removed once reaped or
 * seen exiting for good), one `struct process` per thread group ever seen
 * (kept to the end: the report lists them, and a parent is judged against
 * its children).  Lookups are linear: a test has tens of processes, and a
 * loop of forks removes its tasks as fast as it makes them.
 *
 * Every stop is answered at once, except a parent's exit stop while one of
 * its children is still running (see trace.h): such a parent is `held`
 * until the child is reaped or its grace runs out; and, when the run is
 * perturbed, a perturbed call's entry: that task is `delayed` until its
 * resume_at.
 */
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagnose.h"
#include "seccomp.h"
#include "trace_internal.h"

#define PTRACE_OPTIONS                                                                          \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |                     \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | \
	 PTRACE_O_EXITKILL)

/* How long trace_finish waits for killed processes to be reaped. */
#define TRACE_FINISH_MS 2000
/* How long attaching may wait for the traced processes to stop, and for the child's answer. */
#define TRACE_PAUSE_MS 1000

struct task {
	pid_t tid;
	size_t proc;		/* its thread group in t->procs */
	bool in_syscall;	/* resumed with PTRACE_SYSCALL: the watched call's exit stop is due */
	bool restarting;	/* a signal interrupted the call, which the kernel restarts after it */
	bool pause;		/* kept stopped while a new process is attached (pause_all) */
	bool parked;		/* stopped for the pause: resumed by trace_attach_done */
	bool parked_listen;	/* then with PTRACE_LISTEN (it was in a group-stop) */
	int parked_sig;
	int nr;			/* that call */
	uint64_t args[6];
	size_t event;		/* its event in the record, SIZE_MAX when none was kept */
	char *exec_path;	/* the file its pending execve names (for "ran /bin/sh -c") */
	bool delayed;		/* kept stopped at a perturbed call until resume_at */
	double resume_at;
};

struct process {
	struct trace_process rec;	/* pid, ppid, argv, exit: what the report lists */
	size_t parent;		/* index of its parent in t->procs, SIZE_MAX when not traced */
	bool ours;		/* the runner's own child: its exit is only looked at (run.c reaps) */
	bool student;		/* runs the student's code: has exec'd, or descends from one that has */
	bool reaped;		/* reaped by the tracer: only its parent's wait can release it now */
	bool judged;		/* its parent's exit has decided whether it was left a zombie */
	size_t threads;		/* live threads that have not reached their exit stop */
	bool held;		/* kept in its exit stop while its children are judged */
	pid_t held_tid;
	double held_until;
	char *first_name;	/* the program it started as */
	uint64_t rng;		/* its stream of perturbation delays */
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
	bool perturbing;	/* perturbed calls are delayed; false once settled or killing */
	struct task *tasks;
	size_t ntasks, tasks_cap;
	struct process *procs;
	size_t nprocs, procs_cap;
};

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

static struct task *add_task(struct tracer *t, pid_t tid, size_t proc)
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

static void remove_task(struct tracer *t, struct task *task)
{
	free(task->exec_path);
	*task = t->tasks[--t->ntasks];
}

static size_t add_process(struct tracer *t, pid_t pid, pid_t ppid, size_t parent)
{
	t->procs = xgrow(t->procs, sizeof(*t->procs), t->nprocs + 1, &t->procs_cap);
	struct process *p = &t->procs[t->nprocs];
	memset(p, 0, sizeof(*p));
	p->rec.pid = pid;
	p->rec.ppid = ppid;
	strvec_init(&p->rec.argv);
	p->rng = trace_perturb_stream(t->req.seed, t->nprocs);
	p->parent = parent;
	p->threads = 1;
	return t->nprocs++;
}

static const char *process_name(const struct process *p)
{
	return p->rec.argv.n ? p->rec.argv.v[0] : p->first_name ? p->first_name : "?";
}

/* "wc (pid 2, started as ./dup2)" for messages. */
static char *process_label(const struct process *p, const char *role)
{
	const char *name = process_name(p);
	if (p->first_name && strcmp(p->first_name, name))
		return xasprintf("%s%s (pid %d, started as %s)", role, name, (int)p->rec.pid,
				 p->first_name);
	return xasprintf("%s%s (pid %d)", role, name, (int)p->rec.pid);
}

static void note_status(struct process *p, int code, int sig)
{
	p->rec.exited = true;
	p->rec.exit_code = code;
	p->rec.signal = sig;
}

/* ---- resuming ----------------------------------------------------------- */

/*
 * Lets a stopped task go on: to the watched call's exit stop, else to the
 * next stop the filter or an event makes (or, without the filter, to the
 * next system call).
 */
static void resume(const struct tracer *t, struct task *task, int sig)
{
	if (task->pause) {
		task->parked = true;
		task->parked_listen = false;
		task->parked_sig = sig;
		return;
	}
	/* ESRCH: killed meanwhile, which needs no answer. */
	ptrace(task->in_syscall || t->every_call ? PTRACE_SYSCALL : PTRACE_CONT, task->tid, NULL,
	       (void *)(long)sig);
}

/* A group-stop stays one (until SIGCONT), the tracer notified of its end. */
static void listen_stopped(struct task *task)
{
	if (task->pause) {
		task->parked = true;
		task->parked_listen = true;
		return;
	}
	ptrace(PTRACE_LISTEN, task->tid, NULL, NULL);
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

/* The name of a recorded call; NULL for a call stopped only to be delayed. */
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

/* Keeps a task stopped at a perturbed call's entry for its process's next delay. */
static void delay(struct tracer *t, struct task *task)
{
	long us = trace_perturb_delay_us(&t->procs[task->proc].rng);
	task->delayed = true;
	task->resume_at = now_seconds() + (double)us / 1e6;
}

/* Resumes the delayed tasks that are due, or with `every` all of them. */
static void resume_delayed(struct tracer *t, bool every)
{
	double now = now_seconds();
	for (size_t i = 0; i < t->ntasks; i++) {
		struct task *task = &t->tasks[i];
		if (task->delayed && (every || now >= task->resume_at)) {
			task->delayed = false;
			resume(t, task, 0);
		}
	}
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
static void on_call(struct tracer *t, struct task *task, int nr, const uint64_t *call_args)
{
	struct process *p = &t->procs[task->proc];
	const char *name = watched_name(t, nr);
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
	free(task->exec_path);
	task->exec_path = NULL;

	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	bool complete = trace_format_entry(task->tid, name, task->args, &text, &task->exec_path);
	uint64_t clone_flags = !strcmp(name, "clone")	 ? task->args[0]
			       : !strcmp(name, "clone3") ? trace_clone3_flags(task->tid, task->args[0])
							 : 0;
	char *kind = clone_flags & CLONE_THREAD ? xasprintf("%s%s", name, TRACE_THREAD_SUFFIX)
						: xstrdup(name);
	/* pipe's descriptors are known only at its exit: then the message names the call alone. */
	char *first = complete ? xasprintf("pid %d (%s) called %s(%s)", (int)p->rec.pid,
					   process_name(p), name, text.buf)
			       : xasprintf("pid %d (%s) called %s", (int)p->rec.pid,
					   process_name(p), name);
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
	free(task->exec_path);
	task->exec_path = NULL;
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
			return add_task(t, tid, proc);
		}
	}
	size_t parent = find_process(t, ppid);
	if (creator == SIZE_MAX)
		creator = parent;
	size_t proc = add_process(t, tid, ppid, parent);
	struct process *p = &t->procs[proc];
	/* Until it execs it runs its creator's program (and is the student's if that is). */
	p->student = true;
	if (creator != SIZE_MAX) {
		const struct process *c = &t->procs[creator];
		p->student = c->student;
		strvec_pushv(&p->rec.argv, (const char *const *)c->rec.argv.v);
		p->first_name = xstrdup(process_name(c));
	}
	return add_task(t, tid, proc);
}

static void on_new_child(struct tracer *t, struct task *task)
{
	pid_t child = (pid_t)event_message(task->tid);
	if (child > 0 && !find_task(t, child))
		register_task(t, child, task->proc);
}

static bool is_shell(const char *path)
{
	static const char *const shells[] = {"sh", "dash", "bash", "ash", "ksh", "zsh", NULL};
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (const char *const *s = shells; *s; s++)
		if (!strcmp(base, *s))
			return true;
	return false;
}

static void on_exec(struct tracer *t, struct task *task)
{
	/* A thread other than the leader exec'd: it has taken over the leader's tid. */
	pid_t former = (pid_t)event_message(task->tid);
	if (former > 0 && former != task->tid) {
		struct task *old = find_task(t, former);
		if (old) {
			free(task->exec_path);
			task->in_syscall = old->in_syscall;
			task->nr = old->nr;
			memcpy(task->args, old->args, sizeof(task->args));
			task->event = old->event;
			task->exec_path = old->exec_path;
			old->exec_path = NULL;
			pid_t tid = task->tid;
			remove_task(t, old);
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
		p->first_name = xstrdup(process_name(p));
	p->student = true;
	/* The other threads are gone: an exec leaves one. */
	p->threads = 1;

	char *exe = task->exec_path ? xstrdup(task->exec_path) : trace_proc_exe(task->tid);
	if (exe && is_shell(exe) && p->rec.argv.n >= 3 && !strcmp(p->rec.argv.v[1], "-c")) {
		char *first = xasprintf("pid %d ran %s -c '%s'", (int)p->rec.pid, exe,
					p->rec.argv.v[2]);
		note_call(t, TRACE_SYSTEM, first);
		free(first);
	}
	free(exe);
}

/* Whether /proc shows pid as a zombie whose parent is ppid. */
static bool still_zombie(pid_t pid, pid_t ppid)
{
	char state = 0;
	pid_t now_ppid = 0;
	return trace_proc_state(pid, &state, &now_ppid) == 0 && state == 'Z' && now_ppid == ppid;
}

/*
 * Judges the children of process `parent`, which is in its exit stop.  A
 * reaped child is a zombie when /proc still shows it as one; a running
 * child is left pending, or (final) left alone: it outlives its parent.
 * Returns whether some child is still pending.
 */
static bool judge_children(struct tracer *t, size_t parent, bool final)
{
	bool pending = false;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct process *c = &t->procs[i];
		if (c->parent != parent || c->judged)
			continue;
		if (c->reaped) {
			c->judged = true;
			if (still_zombie(c->rec.pid, t->procs[parent].rec.pid)) {
				char *who = process_label(&t->procs[parent], "parent ");
				char *whom = process_label(c, "child ");
				strvec_pushf(&t->out->zombies, "%s never waited for %s", who, whom);
				free(who);
				free(whom);
			}
		} else if (final) {
			c->judged = true;
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
		strvec_pushf(&t->out->fds, "pid %d (%s) exited holding %s", (int)p->rec.pid,
			     process_name(p), held.v[i]);
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
	if (task->tid == p->rec.pid)
		note_status(p, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
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
	if (t->req.zombies && judge_children(t, proc, false)) {
		p->held = true;
		p->held_tid = task->tid;
		p->held_until = now_seconds() + TRACE_ZOMBIE_GRACE_MS / 1000.0;
		return false;
	}
	return true;
}

static void release_held(struct tracer *t, size_t proc)
{
	struct process *p = &t->procs[proc];
	p->held = false;
	struct task *task = find_task(t, p->held_tid);
	if (task)
		resume(t, task, 0);
}

/* ---- the event loop's side ---------------------------------------------- */

static void on_stop(struct tracer *t, pid_t tid, int status)
{
	struct task *task = find_task(t, tid);
	if (!task)
		task = register_task(t, tid, SIZE_MAX);
	int sig = status & 0xff;
	int event = (status >> 8) & 0xff;

	if (sig == (SIGTRAP | 0x80)) {
		/* A watched call's exit stop; without the filter, any call's entry or exit. */
		struct __ptrace_syscall_info info;
		bool entry = syscall_info(tid, &info) && info.op == PTRACE_SYSCALL_INFO_ENTRY;
		if (entry)
			on_call(t, task, (int)info.entry.nr, info.entry.args);
		else if (info.op == PTRACE_SYSCALL_INFO_EXIT && task->in_syscall)
			on_call_exit(t, task, info.exit.rval);
		if (entry && perturbed(t, (int)info.entry.nr))
			delay(t, task);
		else
			resume(t, task, 0);
		return;
	}
	if (event == PTRACE_EVENT_STOP) {
		/* A group-stop, or else the first stop of a new task (or an interrupt). */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			listen_stopped(task);
		else
			resume(t, task, 0);
		return;
	}
	if (sig != SIGTRAP || !event) {
		/* A signal on its way to the process: pass it on. */
		resume(t, task, sig);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP: {
		struct __ptrace_syscall_info info;
		if (!syscall_info(tid, &info) || info.op != PTRACE_SYSCALL_INFO_SECCOMP)
			break;
		on_call(t, task, (int)info.seccomp.nr, info.seccomp.args);
		if (perturbed(t, (int)info.seccomp.nr)) {
			delay(t, task);
			return;
		}
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
		if (!on_exit_stop(t, task))
			return;
		break;
	default:
		break;
	}
	resume(t, task, 0);
}

/* Every stop reported so far (stops only: exits are collected per task). */
static void collect_stops(struct tracer *t)
{
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WSTOPPED | __WALL | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD: nobody is left */
		}
		if (si.si_pid == 0)
			return;
		/* CLD_STOPPED: an untraced child's job-control stop, nothing of ours. */
		if (si.si_code == CLD_TRAPPED)
			on_stop(t, si.si_pid, si.si_status);
	}
}

static bool is_exit(const siginfo_t *si)
{
	return si->si_code == CLD_EXITED || si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED;
}

/*
 * Reaps the tasks that have exited (as their tracer: only then can their
 * real parent wait for them), and looks at the runner's own children
 * without reaping them.  Returns whether a process was reaped.
 */
static bool collect_exits(struct tracer *t)
{
	bool reaped = false;
	for (size_t i = 0; i < t->ntasks;) {
		struct task *task = &t->tasks[i];
		struct process *p = &t->procs[task->proc];
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		/*
		 * A tracer is told of stops whatever the flags say: look first, and
		 * leave a stop to collect_stops (its SIGCHLD is on its way).
		 */
		int rc = waitid(P_PID, (id_t)task->tid, &si, WEXITED | __WALL | WNOHANG | WNOWAIT);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0 && (si.si_pid == 0 || !is_exit(&si))) {
			i++;
			continue;
		}
		/* Only the leader of a started process stays for run.c; its threads must go. */
		bool keep = p->ours && task->tid == p->rec.pid;
		if (rc == 0 && !keep) {
			siginfo_t gone;
			while (waitid(P_PID, (id_t)task->tid, &gone, WEXITED | __WALL | WNOHANG) < 0 &&
			       errno == EINTR)
				;
		}
		/* Exited, or (ECHILD) released without us: an exec's other threads. */
		if (rc == 0 && task->tid == p->rec.pid) {
			if (!p->rec.exited)
				note_status(p, si.si_code == CLD_EXITED ? si.si_status : 0,
					    si.si_code == CLD_EXITED ? 0 : si.si_status);
			if (!p->ours) {
				p->reaped = true;
				reaped = true;
			}
		}
		remove_task(t, task);
	}
	return reaped;
}

/* Resumes held parents whose children are settled or whose grace has run out. */
static void judge_held(struct tracer *t, bool final)
{
	double now = now_seconds();
	for (size_t i = 0; i < t->nprocs; i++) {
		if (!t->procs[i].held)
			continue;
		bool last = final || now >= t->procs[i].held_until;
		if (!t->judging || !judge_children(t, i, last))
			release_held(t, i);
	}
}

int trace_step(struct tracer *t)
{
	bool signalled = false;
	for (;;) {
		struct signalfd_siginfo ssi;
		ssize_t n = read(t->sigfd, &ssi, sizeof(ssi));
		if (n == (ssize_t)sizeof(ssi)) {
			signalled = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return error_errno("trace: read the signalfd");
		break;
	}
	if (signalled) {
		collect_stops(t);
		collect_exits(t);
	}
	judge_held(t, false);
	resume_delayed(t, false);
	return 0;
}

/* Lowers *wake to the milliseconds until `at` (rounded up: a wake-up must not come early). */
static void wake_at(double at, double now, long long *wake)
{
	double ms = (at - now) * 1000.0;
	long long w = ms <= 0 ? 0 : (long long)ms + 1;
	if (w < *wake)
		*wake = w;
}

long long trace_wake_ms(const struct tracer *t, double now)
{
	long long wake = LLONG_MAX;
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].held)
			wake_at(t->procs[i].held_until, now, &wake);
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].delayed)
			wake_at(t->tasks[i].resume_at, now, &wake);
	return wake;
}

int trace_settle(struct tracer *t)
{
	/* Children that ended just now are reaped first, so that they are judged as what they are. */
	int ret = trace_step(t);
	judge_held(t, true);
	t->judging = false;
	/* What is left are orphans, about to be killed: no point in holding them back. */
	t->perturbing = false;
	resume_delayed(t, true);
	return ret;
}

void trace_stop_judging(struct tracer *t)
{
	t->judging = false;
	judge_held(t, true);
	/* A stopped process would take its SIGTERM only once let go. */
	t->perturbing = false;
	resume_delayed(t, true);
}

/* ---- start and finish --------------------------------------------------- */

struct tracer *trace_start(const struct trace_request *req, double start,
			   struct trace_record *out)
{
	struct tracer *t = xcalloc(1, sizeof(*t));
	t->req = *req;
	t->out = out;
	t->start = start;
	t->sigfd = -1;
	t->judging = true;
	t->perturbing = req->perturb;
	out->traced = true;

	t->nwatched = trace_watch_list(req->calls, req->perturb, &t->watched);
	int *nrs = xcalloc(t->nwatched ? t->nwatched : 1, sizeof(*nrs));
	for (size_t i = 0; i < t->nwatched; i++)
		nrs[i] = t->watched[i].nr;
	t->filter = seccomp_trace_filter_new(nrs, t->nwatched);
	free(nrs);
	if (!t->filter) {
		error_prefix("trace");
		goto fail;
	}

	/* Stops arrive as SIGCHLD; blocked, it is read from the signalfd the runner polls. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &t->old_mask) < 0) {
		error_errno("trace: block SIGCHLD");
		goto fail;
	}
	t->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->sigfd < 0) {
		error_errno("trace: signalfd");
		sigprocmask(SIG_SETMASK, &t->old_mask, NULL);
		goto fail;
	}
	return t;
fail:
	seccomp_filter_free(t->filter);
	free(t->watched);
	free(t);
	return NULL;
}

const struct seccomp_filter *trace_filter(const struct tracer *t)
{
	return t->filter;
}

void trace_without_filter(struct tracer *t)
{
	t->every_call = true;
}

int trace_fd(const struct tracer *t)
{
	return t->sigfd;
}

/* Waits for the signalfd (a stop or an exit) until `until`; false when the time is up. */
static bool await_event(struct tracer *t, double until)
{
	double now = now_seconds();
	if (now >= until)
		return false;
	struct pollfd pfd = {t->sigfd, POLLIN, 0};
	if (poll(&pfd, 1, (int)((until - now) * 1000) + 1) < 0 && errno != EINTR)
		return false;
	struct signalfd_siginfo ssi;
	while (read(t->sigfd, &ssi, sizeof(ssi)) == (ssize_t)sizeof(ssi))
		;
	return true;
}

/*
 * Stops every traced task (PTRACE_INTERRUPT; a stop that comes meanwhile is
 * handled, then kept) until trace_attach_done.  False when some task did
 * not stop in time.
 */
static bool pause_all(struct tracer *t)
{
	t->pausing = true;
	for (size_t i = 0; i < t->ntasks; i++) {
		t->tasks[i].pause = true;
		/* A delayed task is stopped already; when due it is parked (resume). */
		if (!t->tasks[i].delayed)
			ptrace(PTRACE_INTERRUPT, t->tasks[i].tid, NULL, NULL);
	}
	double until = now_seconds() + TRACE_PAUSE_MS / 1000.0;
	for (;;) {
		collect_stops(t);
		collect_exits(t);
		bool all = true;
		for (size_t i = 0; i < t->ntasks; i++) {
			const struct task *task = &t->tasks[i];
			const struct process *p = &t->procs[task->proc];
			/* A held parent sits in its exit stop already, a delayed task in its call. */
			all &= task->parked || task->delayed || (p->held && p->held_tid == task->tid);
		}
		if (all)
			return true;
		if (!await_event(t, until))
			return false;
	}
}

void trace_attach_done(struct tracer *t)
{
	if (!t->pausing)
		return;
	t->pausing = false;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct task *task = &t->tasks[i];
		bool parked = task->parked;
		task->pause = task->parked = false;
		if (parked && task->parked_listen)
			listen_stopped(task);
		else if (parked)
			resume(t, task, task->parked_sig);
	}
}

/*
 * The child's memory is a copy of the runner's, which an ordinary user's
 * sandbox keeps non-dumpable (the test's processes run under the same
 * uid): the kernel refuses the seize, since that memory belongs to the
 * user namespace outside.  The child then becomes dumpable for the moment
 * of the seize — with every process of the test stopped, so that none can
 * open its memory meanwhile — and non-dumpable again on its go byte.
 */
static bool seize_dumpable(struct tracer *t, pid_t pid, int go_fd, int ack_fd)
{
	if (!pause_all(t)) {
		errno = ETIMEDOUT;
		return false;
	}
	char ask = 'D', ack = 0;
	struct pollfd pfd = {ack_fd, POLLIN, 0};
	if (write_all(go_fd, &ask, 1) < 0 || poll(&pfd, 1, TRACE_PAUSE_MS) <= 0 ||
	    recv(ack_fd, &ack, 1, 0) != 1 || ack != 'A') {
		errno = EPERM;
		return false;
	}
	return ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_OPTIONS) == 0;
}

int trace_attach(struct tracer *t, pid_t pid, char *const *argv, int go_fd, int ack_fd)
{
	bool traced = ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_OPTIONS) == 0;
	/* Once a process runs untraced, the others cannot be kept from its reach: no second try. */
	if (!traced && errno == EPERM && !t->out->unavailable)
		traced = seize_dumpable(t, pid, go_fd, ack_fd);
	if (traced) {
		size_t proc = add_process(t, pid, getpid(), SIZE_MAX);
		struct process *p = &t->procs[proc];
		p->ours = true;
		strvec_pushv(&p->rec.argv, (const char *const *)argv);
		p->first_name = xstrdup(argv[0]);
		/* Attached while the others are paused, it must run: it is not one of them. */
		add_task(t, pid, proc)->pause = false;
	} else if (!t->out->unavailable) {
		t->out->unavailable = xasprintf(
		    "ptrace(PTRACE_SEIZE): %s%s", strerror(errno),
		    errno == EPERM ? " (a container's seccomp profile or a security module forbids "
				     "the grader to trace)"
		    : errno == ETIMEDOUT ? " (the test's processes did not stop to let it attach)"
					 : "");
	}
	char go = traced ? 'T' : 'U';
	if (write_all(go_fd, &go, 1) < 0)
		return error_errno("trace: start the traced child");
	return 0;
}

void trace_finish(struct tracer *t)
{
	t->judging = false;
	judge_held(t, true);
	/* What is left was not the test's to keep: a SIGKILL ends even a stopped tracee. */
	for (size_t i = 0; i < t->ntasks; i++)
		if (!t->procs[t->tasks[i].proc].ours)
			kill(t->tasks[i].tid, SIGKILL);
	double until = now_seconds() + TRACE_FINISH_MS / 1000.0;
	for (;;) {
		collect_stops(t);
		collect_exits(t);
		bool left = false;
		for (size_t i = 0; i < t->ntasks; i++)
			left |= !t->procs[t->tasks[i].proc].ours;
		if (!left || now_seconds() >= until)
			break;
		usleep(1000);
	}
	close_fd(&t->sigfd);
	sigprocmask(SIG_SETMASK, &t->old_mask, NULL);

	struct trace_record *rec = t->out;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct process *p = &t->procs[i];
		if (rec->nprocs < TRACE_MAX_PROCESSES) {
			rec->procs = xrealloc(rec->procs, (rec->nprocs + 1) * sizeof(*rec->procs));
			rec->procs[rec->nprocs++] = p->rec;
		} else {
			rec->dropped_procs++;
			strvec_clear(&p->rec.argv);
		}
		free(p->first_name);
		free(p->wrote);
	}
	for (size_t i = 0; i < t->ntasks; i++)
		free(t->tasks[i].exec_path);
	free(t->tasks);
	free(t->procs);
	free(t->watched);
	seccomp_filter_free(t->filter);
	free(t);
}

void trace_add_gone(const struct tracer *t, struct diagnose_snapshot *snap)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct process *p = &t->procs[i];
		if (p->rec.exited && p->nwrote)
			diagnose_snapshot_add_gone(snap, p->rec.pid, process_name(p), p->wrote,
						   p->nwrote);
	}
}
