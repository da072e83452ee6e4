/*
 * run: the runner's loop (run.h; run_internal.h lists its other files) —
 * starting a test's processes one after another as each is ready, pumping
 * their pipes, noting exits, the deadline and the watch for a certain
 * timeout, and the end: killing what is left and collecting the leftovers.
 */
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "diagnose.h"
#include "seccomp.h"
#include "run_internal.h"
#include "util.h"

/* How often exits are looked for when the kernel has no pidfds. */
#define PIDFD_FALLBACK_POLL_MS 5

void run_build_env(struct strvec *env, const char *workdir, const struct env_var *extra,
		   size_t nextra)
{
	strvec_pushf(env, "PATH=%s", RUN_FIXED_PATH);
	strvec_pushf(env, "HOME=%s", workdir);
	strvec_push(env, "LANG=C");
	for (size_t i = 0; i < nextra; i++) {
		/* A test's own value replaces a fixed one rather than adding a twin. */
		size_t nlen = strlen(extra[i].name);
		bool replaced = false;
		for (size_t j = 0; j < env->n; j++) {
			if (!strncmp(env->v[j], extra[i].name, nlen) && env->v[j][nlen] == '=') {
				free(env->v[j]);
				env->v[j] = xasprintf("%s=%s", extra[i].name, extra[i].value);
				replaced = true;
			}
		}
		if (!replaced)
			strvec_pushf(env, "%s=%s", extra[i].name, extra[i].value);
	}
}

static void output_init(struct run_output *o)
{
	o->data = xmemdup0("", 0);
	o->len = 0;
	o->total = 0;
	o->truncated = false;
	o->open = true;
}

/* Reads what is available; returns false at EOF (or on a read error). */
static bool drain_fd(int fd, struct run_output *o, long long cap)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		o->total += (unsigned long long)n;
		size_t room = cap <= 0 ? (size_t)n : o->len < (size_t)cap ? (size_t)cap - o->len : 0;
		size_t keep = (size_t)n < room ? (size_t)n : room;
		if (keep) {
			o->data = xrealloc(o->data, o->len + keep + 1);
			memcpy(o->data + o->len, chunk, keep);
			o->len += keep;
			o->data[o->len] = '\0';
		}
		if (keep < (size_t)n)
			o->truncated = true;
	}
}

/* Observes an exit without reaping, so that the pid and its process group stay reserved. */
static void proc_note_exit(struct proc *p, double now)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int rc = p->pidfd >= 0
			 ? waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOWAIT | WNOHANG)
			 : waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOWAIT | WNOHANG);
	/* A traced process's stops are reported too (to its tracer, whatever the flags): not exits. */
	if (rc < 0 || si.si_pid == 0 ||
	    (si.si_code != CLD_EXITED && si.si_code != CLD_KILLED && si.si_code != CLD_DUMPED))
		return;
	p->res->exited = true;
	p->res->seconds = now - p->started_at;
	if (si.si_code == CLD_EXITED) {
		p->res->exit_code = si.si_status;
	} else {
		p->res->signal = si.si_status;
	}
	close_fd(&p->pidfd);
}

/* The test's processes as IPC creators; caller frees. */
static struct ipc_owner *ipc_owners(const struct proc *procs, size_t n)
{
	struct ipc_owner *owners = xcalloc(n ? n : 1, sizeof(*owners));
	for (size_t i = 0; i < n; i++) {
		owners[i].pid = procs[i].pid;
		/* Named as the student knows it, as the diagnosis names it. */
		owners[i].name = procs[i].spec->argv[0];
	}
	return owners;
}

static bool shm_created_by(const struct proc *procs, size_t n, time_t since)
{
	struct ipc_owner *owners = ipc_owners(procs, n);
	bool found = ipc_shm_created_by(owners, n, since);
	free(owners);
	return found;
}

static bool stdout_has_line_containing(const struct run_output *o, const char *text)
{
	const char *line = o->data;
	const char *end = o->data + o->len;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl) /* only complete lines count: a half-written "rea" is not "ready" yet */
			break;
		if (memmem(line, (size_t)(nl - line), text, strlen(text)))
			return true;
		line = nl + 1;
	}
	return false;
}

/* Whether process i lets the next one start now; *wake_ms bounds the next poll. */
static bool proc_is_ready(const struct loop *lp, size_t i, double now, long long *wake_ms)
{
	struct proc *procs = lp->procs;
	struct proc *p = &procs[i];
	const struct ready_spec *ready = p->spec->ready;
	if (p->ready || !ready || ready->kind == READY_NONE || p->res->exited || !p->res->started)
		return true;
	switch (ready->kind) {
	case READY_STDOUT:
		return stdout_has_line_containing(&p->res->out, ready->text);
	case READY_IPC_SHM:
		/* No event announces a new segment: look every few milliseconds. */
		*wake_ms = 5;
		return shm_created_by(procs, i + 1, lp->began);
	case READY_DELAY: {
		long long left = ready->delay_ms - (long long)((now - p->started_at) * 1000);
		if (left <= 0)
			return true;
		if (left < *wake_ms)
			*wake_ms = left;
		return false;
	}
	case READY_EXIT:
		return false; /* until its exit, seen above */
	default:
		return true;
	}
}

/*
 * At a timeout, a process whose `ready: {stdout: TEXT}` never came may
 * have printed TEXT into stdio's buffer, which a pipe leaves unwritten
 * until fflush or exit: its memory tells (the grader's kill would lose it).
 */
static void look_for_unflushed_ready(const struct loop *lp, size_t nprocs)
{
	if (!lp->started)
		return;
	struct proc *p = &lp->procs[lp->started - 1];
	const struct ready_spec *ready = p->spec->ready;
	if (!p->ready && ready && ready->kind == READY_STDOUT && p->res->started &&
	    !p->res->exited && lp->started < nprocs)
		p->res->ready_in_memory = diagnose_in_memory(p->pid, ready->text);
}

/* Answers one call the seccomp filter refused, and records who made it. */
static void answer_denied_call(struct loop *lp, int *fd)
{
	struct seccomp_denial d;
	int rc = seccomp_listener_answer(*fd, &d);
	if (rc < 0) {
		/* Every process under this filter is gone. */
		close_fd(fd);
		return;
	}
	if (rc == 0)
		return;
	/* A timer it armed could wake any process later: no deadlock is certain any more. */
	if (rc == 2) {
		lp->timers_armed = true;
		return;
	}
	char comm[64] = "";
	pid_t ppid, pgid;
	char state;
	if (!run_proc_stat(d.pid, &ppid, &pgid, &state, comm, sizeof(comm)))
		snprintf(comm, sizeof(comm), "?");
	strvec_pushf_capped(lp->denied, FINDINGS_MAX, "pid %d (%s) called %s", (int)d.pid, comm, d.syscall);
}

/* Reads every pending signal; true when there was one. */
static bool drain_signalfd(int fd)
{
	bool any = false;
	struct signalfd_siginfo ssi;
	ssize_t n;
	while ((n = read(fd, &ssi, sizeof(ssi))) == (ssize_t)sizeof(ssi) || (n < 0 && errno == EINTR))
		any |= n > 0;
	return any;
}

/*
 * An untraced run hears of its children's exits through a signalfd, so
 * that orphans re-parented to the runner are reaped as they exit (the
 * tracer does this for a traced one).  -1 when none could be made.
 */
static int sigchld_open(sigset_t *old)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, old) < 0)
		return error_errno("run: block SIGCHLD");
	int fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		error_errno("run: signalfd");
		sigprocmask(SIG_SETMASK, old, NULL);
	}
	return fd;
}

/*
 * Looking for a certain timeout (diagnose_certain_timeout: a deadlock, or
 * a sleep past the deadline) while the test runs: first soon, then ever
 * less often while none is found, so that a test that computes pays
 * little; one seen twice in a row, some milliseconds apart, ends the test.
 */
#define WATCH_FIRST_CHECK_MS 10
#define WATCH_MAX_INTERVAL_MS 160
#define WATCH_CONFIRM_MS 5
/*
 * How much later than the latest deadline a sleep must end.  The runner
 * notices the deadline when it next runs, a little after it on a loaded
 * machine; a sleeper that woke in between and waited for a CPU would be
 * credited that wait at that look (run_cpu.c) and could yet finish.
 * Half a second is far more than the runner is ever late on a machine
 * that can still grade.
 */
#define SLEEP_PAST_MARGIN_MS 500

struct timeout_watch {
	bool on;		/* the filter tells of every timer armed (seccomp.h) */
	bool suspected;		/* the last look found one */
	double interval;	/* seconds between looks */
	double next;		/* the next look */
};

/*
 * Whether the test certainly times out, and why; *sleep_past as
 * diagnose_certain_timeout's.
 *
 * A sleep must end after the latest deadline the test can still reach.
 * The deadline moves only by the time the test's processes wait for a CPU
 * (run_cpu.c), and a process waits only while it is runnable.  When
 * the look finds every process asleep for good or until after that
 * deadline, none becomes runnable before it: those asleep for good only
 * when another process of the test acts (no timer was armed, the grader
 * holds none of their pipes, every process is started), the sleepers not
 * before their end.  So no new wait accrues, and the deadline moves at
 * most by the waits they had before they fell asleep and that no sample
 * has credited yet (run_cpuwait_pending, read after the look for that
 * reason): that deadline is final.  Should the look be wrong (a process
 * woke meanwhile), so is everything it says, and the second look is there
 * for that.
 */
static enum diagnose_timeout certain_timeout(struct timeout_watch *w, const struct loop *lp,
					     struct run_cpuwait *cpuwait, double deadline,
					     double now, char **sleep_past)
{
	*sleep_past = NULL;
	if (!w->on || now < w->next)
		return DIAGNOSE_TIMEOUT_UNCERTAIN;
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	enum diagnose_timeout found = DIAGNOSE_TIMEOUT_UNCERTAIN;
	if (diagnose_snapshot_take(&snap) == 0) {
		double latest = deadline + run_cpuwait_pending(cpuwait, lp) +
				SLEEP_PAST_MARGIN_MS / 1000.0;
		found = diagnose_certain_timeout(&snap, lp->timers_armed, latest, sleep_past);
	}
	diagnose_snapshot_release(&snap);
	if (found != DIAGNOSE_TIMEOUT_UNCERTAIN && w->suspected)
		return found;
	free(*sleep_past);
	*sleep_past = NULL;
	w->suspected = found != DIAGNOSE_TIMEOUT_UNCERTAIN;
	if (w->suspected) {
		w->next = now + WATCH_CONFIRM_MS / 1000.0;
		return DIAGNOSE_TIMEOUT_UNCERTAIN;
	}
	if (w->interval * 2 <= WATCH_MAX_INTERVAL_MS / 1000.0)
		w->interval *= 2;
	w->next = now + w->interval;
	return DIAGNOSE_TIMEOUT_UNCERTAIN;
}

/*
 * Whether the processes left behind after the started ones exited, which
 * still hold the test's output open, can certainly not write to it before
 * the deadline: certain_timeout's look at them (asleep for good, or until
 * after the deadline, when they are killed), confirmed the same way.
 */
static bool output_held_for_good(struct timeout_watch *w, const struct loop *lp,
				 struct run_cpuwait *cpuwait, double deadline, double now)
{
	char *sleep_past = NULL;
	bool found = certain_timeout(w, lp, cpuwait, deadline, now, &sleep_past) !=
		     DIAGNOSE_TIMEOUT_UNCERTAIN;
	free(sleep_past);
	return found;
}

/* What each live process of the test is blocked on, in words, into res->diagnosis (and its hint). */
static void explain_blocked(const struct loop *lp, struct run_result *res)
{
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	if (diagnose_snapshot_take(&snap) == 0) {
		if (lp->tracer)
			trace_add_gone(lp->tracer, &snap);
		const char *hint;
		res->diagnosis = diagnose_explain(&snap, &hint);
		res->diagnosis_hint = hint ? xstrdup(hint) : NULL;
	}
	diagnose_snapshot_release(&snap);
}

/* One poll() round: pumps stdin, drains output, notes exits.  wait_ms bounds the sleep. */
static int loop_poll(struct loop *lp, long long wait_ms)
{
	size_t max = lp->started * 5 + 2;
	struct pollfd *pfds = xcalloc(max, sizeof(*pfds));
	struct slot {
		struct proc *p;
		int *fd;
	} *slots = xcalloc(max, sizeof(*slots));
	size_t k = 0;
	int ret = 0;

	for (size_t i = 0; i < lp->started; i++) {
		struct proc *p = &lp->procs[i];
		int *fds[5] = {&p->out_fd, &p->err_fd, &p->in_fd, &p->pidfd, &p->seccomp_fd};
		for (int w = 0; w < 5; w++) {
			if (*fds[w] < 0)
				continue;
			pfds[k].fd = *fds[w];
			pfds[k].events = fds[w] == &p->in_fd ? POLLOUT : POLLIN;
			slots[k].p = p;
			slots[k].fd = fds[w];
			k++;
		}
	}
	/* Stops of traced processes, signalled through the tracer's signalfd. */
	if (lp->tracer) {
		pfds[k].fd = trace_fd(lp->tracer);
		pfds[k].events = POLLIN;
		k++;
		long long wake = trace_wake_ms(lp->tracer, now_seconds());
		if (wake < wait_ms)
			wait_ms = wake;
	}
	if (lp->sigchld_fd >= 0) {
		pfds[k].fd = lp->sigchld_fd;
		pfds[k].events = POLLIN;
		k++;
	}
	bool exits_unwatched = false;
	for (size_t i = 0; i < lp->started; i++)
		exits_unwatched |= lp->procs[i].pid > 0 && lp->procs[i].pidfd < 0 &&
				   !lp->procs[i].res->exited;
	if (exits_unwatched && wait_ms > PIDFD_FALLBACK_POLL_MS)
		wait_ms = PIDFD_FALLBACK_POLL_MS;
	if (wait_ms < 0)
		wait_ms = 0;
	int rc = poll(pfds, k, (int)(wait_ms > INT_MAX ? INT_MAX : wait_ms));
	if (rc < 0 && errno != EINTR) {
		ret = error_errno("run: poll");
		goto out;
	}
	/* Every wake-up: a held parent's grace may have run out without any event. */
	if (lp->tracer && trace_step(lp->tracer) < 0) {
		ret = -1;
		goto out;
	}
	/* A traced run's SIGCHLD comes through the tracer's signalfd, handled just above. */
	if (lp->tracer || (lp->sigchld_fd >= 0 && drain_signalfd(lp->sigchld_fd)))
		run_reap_orphans(lp);
	double now = now_seconds();
	for (size_t i = 0; exits_unwatched && i < lp->started; i++)
		if (lp->procs[i].pid > 0 && lp->procs[i].pidfd < 0 && !lp->procs[i].res->exited)
			proc_note_exit(&lp->procs[i], now);
	for (size_t j = 0; rc > 0 && j < k; j++) {
		/* The tracer's slot has no proc: trace_step above has handled it. */
		if (!pfds[j].revents || !slots[j].p)
			continue;
		struct proc *p = slots[j].p;
		int *fd = slots[j].fd;
		if (fd == &p->out_fd || fd == &p->err_fd) {
			struct run_output *o = fd == &p->out_fd ? &p->res->out : &p->res->err;
			if (!drain_fd(*fd, o, lp->output_cap)) {
				close_fd(fd);
				o->open = false;
			}
		} else if (fd == &p->in_fd) {
			run_stdin_pump(p);
		} else if (fd == &p->seccomp_fd) {
			answer_denied_call(lp, fd);
		} else {
			proc_note_exit(p, now);
		}
	}
out:
	free(pfds);
	free(slots);
	return ret;
}

static bool all_exited(const struct loop *lp)
{
	/* One that could not be forked (pid 0) has nothing to wait for. */
	for (size_t i = 0; i < lp->started; i++)
		if (lp->procs[i].pid > 0 && !lp->procs[i].res->exited)
			return false;
	return true;
}

static bool all_output_closed(const struct loop *lp)
{
	for (size_t i = 0; i < lp->started; i++)
		if (lp->procs[i].out_fd >= 0 || lp->procs[i].err_fd >= 0)
			return false;
	return true;
}

static long long ms_until(double t, double now)
{
	double ms = (t - now) * 1000.0;
	return ms <= 0 ? 0 : (long long)ms + 1;
}

/* Polls until every started process has exited or `until` passes. */
static int loop_wait_exits(struct loop *lp, double until)
{
	while (!all_exited(lp)) {
		double now = now_seconds();
		if (now >= until)
			break;
		if (loop_poll(lp, ms_until(until, now)) < 0)
			return -1;
	}
	return 0;
}

/* SIGTERM, a grace period, then SIGKILL for whatever is left; returns once all have exited. */
static int loop_kill(struct loop *lp)
{
	run_signal_test(lp->procs, lp->started, SIGTERM);
	if (loop_wait_exits(lp, now_seconds() + RUN_TERM_GRACE_MS / 1000.0) < 0)
		return -1;
	run_signal_test(lp->procs, lp->started, SIGKILL);
	/* SIGKILL cannot be ignored; only a process stuck in the kernel delays its exit. */
	return loop_wait_exits(lp, now_seconds() + 5.0);
}

/* Reaps every started process (for its CPU time) and closes what is left open. */
static void loop_finish(struct loop *lp)
{
	for (size_t i = 0; i < lp->started; i++) {
		struct proc *p = &lp->procs[i];
		close_fd(&p->in_fd);
		free(p->in_data);
		p->in_data = NULL;
		close_fd(&p->out_fd);
		close_fd(&p->err_fd);
		p->res->out.open = p->res->err.open = false;
		if (p->pid > 0 && !p->reaped) {
			int status;
			struct rusage ru;
			pid_t r;
			/* A traced process may report a last stop before its death. */
			do
				r = wait4(p->pid, &status, 0, &ru);
			while ((r < 0 && errno == EINTR) || (r == p->pid && WIFSTOPPED(status)));
			if (r == p->pid) {
				p->reaped = true;
				p->res->cpu_seconds = (double)ru.ru_utime.tv_sec +
						      (double)ru.ru_utime.tv_usec / 1e6 +
						      (double)ru.ru_stime.tv_sec +
						      (double)ru.ru_stime.tv_usec / 1e6;
				if (!p->res->exited) {
					p->res->exited = true;
					p->res->seconds = now_seconds() - p->started_at;
					if (WIFEXITED(status))
						p->res->exit_code = WEXITSTATUS(status);
					else if (WIFSIGNALED(status))
						p->res->signal = WTERMSIG(status);
				}
			}
		}
		close_fd(&p->pidfd);
		close_fd(&p->seccomp_fd);
	}
}

void run_result_init(struct run_result *res, const struct run_request *req)
{
	memset(res, 0, sizeof(*res));
	strvec_init(&res->orphans);
	strvec_init(&res->ipc_leftovers);
	strvec_init(&res->denied);
	trace_record_init(&res->trace);
	res->nprocs = req->nprocs;
	res->procs = xcalloc(req->nprocs, sizeof(*res->procs));
	for (size_t i = 0; i < req->nprocs; i++) {
		res->procs[i].name = xstrdup(req->procs[i].name);
		output_init(&res->procs[i].out);
		output_init(&res->procs[i].err);
	}
}

long long run_latest_deadline_ms(long long timeout_ms)
{
	return (1 + RUN_CPU_WAIT_MAX_TIMES) * timeout_ms;
}

int run_processes(const struct run_request *req, struct run_result *res)
{
	run_result_init(res, req);
	struct loop lp = {xcalloc(req->nprocs, sizeof(struct proc)), 0, req->limits.output,
			  &res->denied, NULL, -1, false, time(NULL)};
	sigset_t old_mask;
	for (size_t i = 0; i < req->nprocs; i++) {
		struct proc *p = &lp.procs[i];
		p->spec = &req->procs[i];
		p->res = &res->procs[i];
		p->pidfd = p->in_fd = p->out_fd = p->err_fd = p->seccomp_fd = -1;
	}

	int ret = -1;
	rlim_t nproc = 0;
	if (!req->confine)
		nproc = run_nproc_limit(req->limits.processes, getuid());
	else if (req->confine->nproc_rlimit)
		nproc = run_nproc_limit(req->limits.processes,
				    req->confine->switch_ids ? req->confine->uid : getuid());
	double start = now_seconds();
	double deadline = start + (double)req->timeout_ms / 1000.0;
	pid_t *pgids = xcalloc(req->nprocs, sizeof(*pgids));
	size_t npgids = 0;
	struct run_cpuwait cpuwait;
	memset(&cpuwait, 0, sizeof(cpuwait));
	struct run_cpulimit cpulimit;
	run_cpulimit_init(&cpulimit, req->limits.cpu_ms, start);

	/* Orphaned descendants, escaped ones included, are re-parented to us, where we can find them. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		error_errno("run: prctl(PR_SET_CHILD_SUBREAPER)");
		goto out;
	}
	if (req->trace) {
		lp.tracer = trace_start(req->trace, start, &res->trace);
		if (!lp.tracer)
			goto out;
	} else if ((lp.sigchld_fd = sigchld_open(&old_mask)) < 0) {
		goto out;
	}

	/*
	 * The test runs until every process it started has exited, and then
	 * until every holder of their output has closed it: what a left-behind
	 * process still writes is part of the output, never cut off by killing
	 * it.  Only then are the leftovers killed; which they are is noted the
	 * moment the started processes are all gone.  Time spent waiting for a
	 * CPU moves the deadline (run_cpu.c).
	 */
	run_cpuwait_init(&cpuwait, start,
			 (double)(run_latest_deadline_ms(req->timeout_ms) - req->timeout_ms) / 1000.0);
	struct timeout_watch watch = {
		.on = req->confine && req->confine->seccomp &&
		      seccomp_filter_sees_timers(req->confine->seccomp),
		.interval = WATCH_FIRST_CHECK_MS / 1000.0,
		.next = start + WATCH_FIRST_CHECK_MS / 1000.0,
	};
	bool finished = false;
	for (;;) {
		double now = now_seconds();
		deadline += run_cpuwait_sample(&cpuwait, &lp, now, now >= deadline);
		run_cpulimit_check(&cpulimit, &lp, now);
		if (now >= deadline) {
			res->timed_out = !finished;
			break;
		}
		/*
		 * Not once every started process has exited: what they left asleep
		 * (paused orphans) is judged as orphans, and `finished` is set only
		 * further down this round.
		 */
		if (!finished && lp.started == req->nprocs && !all_exited(&lp))
			res->certain_timeout = certain_timeout(&watch, &lp, &cpuwait, deadline, now,
							       &res->sleep_past);
		if (res->certain_timeout != DIAGNOSE_TIMEOUT_UNCERTAIN) {
			res->timed_out = true;
			res->certain_after = now - start;
			break;
		}
		/*
		 * The same look at what the started processes left behind while
		 * they hold the output open: once none of them can write to it
		 * before the deadline, the output is whole, and waiting on adds
		 * nothing.
		 */
		if (finished && !all_output_closed(&lp) && output_held_for_good(&watch, &lp, &cpuwait,
										 deadline, now)) {
			res->output_held_after = now - start;
			break;
		}
		long long wait_ms = ms_until(deadline, now);
		/* Start the next process once the previous one is ready. */
		while (lp.started < req->nprocs &&
		       (lp.started == 0 || proc_is_ready(&lp, lp.started - 1, now, &wait_ms))) {
			if (lp.started > 0)
				lp.procs[lp.started - 1].ready = true;
			struct proc *p = &lp.procs[lp.started];
			/*
			 * Whether processes are left to start on `ready` changes only
			 * here; said before the start, which runs the tracer until the
			 * new process is attached.
			 */
			if (lp.tracer)
				trace_ready_pending(lp.tracer, lp.started + 1 < req->nprocs);
			if (run_proc_start(p, req, nproc, lp.tracer, lp.started > 0) < 0) {
				lp.started++;
				goto out;
			}
			lp.started++;
			wait_ms = ms_until(deadline, now_seconds());
		}
		if (!finished && lp.started == req->nprocs && all_exited(&lp)) {
			finished = true;
			/* Parents held for their children are judged and let go before orphans are looked for. */
			if (lp.tracer && trace_settle(lp.tracer) < 0)
				goto out;
			npgids = run_collect_pgids(lp.procs, lp.started, pgids);
			run_find_leftovers(&lp, pgids, npgids, &res->orphans);
		}
		if (finished && all_output_closed(&lp))
			break;
		if (watch.on && (!finished || !all_output_closed(&lp)) &&
		    ms_until(watch.next, now_seconds()) < wait_ms)
			wait_ms = ms_until(watch.next, now_seconds());
		if (cpulimit.next < deadline && ms_until(cpulimit.next, now_seconds()) < wait_ms)
			wait_ms = ms_until(cpulimit.next, now_seconds());
		if (loop_poll(&lp, wait_ms) < 0)
			goto out;
	}
	res->cpu_wait_seconds = cpuwait.credited;

	if (!finished)
		npgids = run_collect_pgids(lp.procs, lp.started, pgids);
	if (res->timed_out) {
		/* Nothing a process does from here on is its own doing. */
		if (lp.tracer)
			trace_stop_judging(lp.tracer);
		/* What each process is blocked on, while they still are (the next step kills them). */
		explain_blocked(&lp, res);
		look_for_unflushed_ready(&lp, req->nprocs);
		if (loop_kill(&lp) < 0)
			goto out;
	} else if (finished && !all_output_closed(&lp)) {
		/* What the ones left behind were doing with the output, before they are killed. */
		explain_blocked(&lp, res);
	}
	/* Orphans, or anything a killed process left behind. */
	run_kill_leftovers(&lp, pgids, npgids);

	/* The pipes reach EOF when the last holder is gone; one that left the group may linger. */
	double drain_until = now_seconds() + RUN_DRAIN_MS / 1000.0;
	while (!all_output_closed(&lp) && now_seconds() < drain_until)
		if (loop_poll(&lp, ms_until(drain_until, now_seconds())) < 0)
			goto out;
	struct ipc_owner *owners = ipc_owners(lp.procs, lp.started);
	ipc_collect_leftovers(req->ipc_scope, owners, lp.started, lp.began, &res->ipc_leftovers);
	free(owners);
	ret = 0;
out:
	if (ret < 0 && lp.started)
		run_signal_test(lp.procs, lp.started, SIGKILL);
	if (lp.tracer)
		trace_finish(lp.tracer);
	loop_finish(&lp);
	if (lp.sigchld_fd >= 0) {
		close_fd(&lp.sigchld_fd);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	}
	res->seconds = now_seconds() - start;
	run_cpuwait_release(&cpuwait);
	run_cpulimit_release(&cpulimit);
	free(lp.procs);
	free(pgids);
	return ret;
}

static void output_release(struct run_output *o)
{
	free(o->data);
	o->data = NULL;
}

void run_result_release(struct run_result *res)
{
	for (size_t i = 0; i < res->nprocs; i++) {
		free(res->procs[i].name);
		free(res->procs[i].start_error);
		output_release(&res->procs[i].out);
		output_release(&res->procs[i].err);
	}
	free(res->procs);
	strvec_clear(&res->orphans);
	strvec_clear(&res->ipc_leftovers);
	strvec_clear(&res->denied);
	trace_record_release(&res->trace);
	free(res->diagnosis);
	free(res->diagnosis_hint);
	free(res->sleep_past);
	free(res->setup_failure);
	memset(res, 0, sizeof(*res));
}
