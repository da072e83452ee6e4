/*
 * trace: the ptrace side of a traced run (see trace.h for the protocol):
 * starting and attaching, the event loop that collects stops and exits
 * (each stop is answered in trace_task.c), and the end.
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

/* ---- the event loop's side ---------------------------------------------- */

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
			trace_on_stop(t, si.si_pid, si.si_status);
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
				trace_note_status(p, si.si_code == CLD_EXITED ? si.si_status : 0,
					    si.si_code == CLD_EXITED ? 0 : si.si_status);
			if (!p->ours) {
				p->reaped = true;
				reaped = true;
			}
		}
		trace_remove_task(t, task);
	}
	return reaped;
}

/* Resumes held parents whose children have all exited or settled. */
static void judge_held(struct tracer *t, bool final)
{
	double now = now_seconds();
	for (size_t i = 0; i < t->nprocs; i++) {
		if (!t->procs[i].held)
			continue;
		if (!t->judging || !trace_judge_children(t, i, final, now))
			trace_release_held(t, i);
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
	trace_pct_schedule(t);
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
	/* A held parent's children are looked at again this often (trace_task.c, settle). */
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].held)
			wake_at(now + TRACE_SETTLE_SAMPLE_MS / 1000.0, now, &wake);
	long long pct = trace_pct_wake_ms(t);
	return pct < wake ? pct : wake;
}

int trace_settle(struct tracer *t)
{
	/* Children that ended just now are reaped first, so that they are judged as what they are. */
	int ret = trace_step(t);
	judge_held(t, true);
	t->judging = false;
	/* What is left are orphans, about to be killed: no point in holding them back. */
	t->perturbing = false;
	trace_pct_release_all(t);
	return ret;
}

void trace_stop_judging(struct tracer *t)
{
	t->judging = false;
	judge_held(t, true);
	/* A stopped process would take its SIGTERM only once let go. */
	t->perturbing = false;
	trace_pct_release_all(t);
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
	trace_pct_start(t);
	out->traced = true;

	for (const char *const *name = req->calls; name && *name; name++)
		t->watch_system |= !strcmp(*name, TRACE_SYSTEM);
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
	free(t->pct);
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
	/*
	 * The stops already there first: an interrupt sent to a task in a stop
	 * stays pending, and once the task is let go it makes a blocking
	 * semop (or epoll_wait...) fail with EINTR, which the program would be
	 * blamed for.  A task stopped at a step is held: it needs none.
	 */
	collect_stops(t);
	collect_exits(t);
	t->pausing = true;
	for (size_t i = 0; i < t->ntasks; i++) {
		t->tasks[i].pause = true;
		/* A held task is stopped already; once let go it is parked (trace_resume). */
		if (!t->tasks[i].hold)
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
			/* A held parent sits in its exit stop already, a held step in its call. */
			all &= task->parked || task->hold || (p->held && p->held_tid == task->tid);
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
			trace_listen_stopped(task);
		else if (parked)
			trace_resume(t, task, task->parked_sig);
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
		size_t proc = trace_add_process(t, pid, getpid(), SIZE_MAX);
		trace_pct_new_process(t, proc, SIZE_MAX, true);
		struct process *p = &t->procs[proc];
		p->ours = true;
		strvec_pushv(&p->rec.argv, (const char *const *)argv);
		p->first_name = xstrdup(argv[0]);
		/* Attached while the others are paused, it must run: it is not one of them. */
		trace_add_task(t, pid, proc)->pause = false;
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

bool trace_follows(const struct tracer *t, pid_t pid)
{
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].tid == pid)
			return true;
	return false;
}

void trace_finish(struct tracer *t)
{
	t->judging = false;
	judge_held(t, true);
	/* Its holds are told in the record; a held task must be let go to take its SIGKILL. */
	t->perturbing = false;
	trace_pct_finish(t);
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
	free(t->tasks);
	free(t->procs);
	free(t->watched);
	trace_shells_free(t->shells);
	seccomp_filter_free(t->filter);
	free(t);
}

void trace_add_gone(const struct tracer *t, struct diagnose_snapshot *snap)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct process *p = &t->procs[i];
		if (p->rec.exited && p->nwrote)
			diagnose_snapshot_add_gone(snap, p->rec.pid, trace_process_name(p), p->wrote,
						   p->nwrote);
	}
}
