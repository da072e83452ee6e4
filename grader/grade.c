#include "grade.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "build.h"
#include "compare.h"
#include "diagnose.h"
#include "digest.h"
#include "grade_internal.h"
#include "lifecycle.h"
#include "reproduce.h"
#include "run.h"
#include "sandbox.h"
#include "trace.h"
#include "util.h"

/* The last part of path, trailing slashes dropped ("" for "/"). */
static char *last_part(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *start = path + len;
	while (start > path && start[-1] != '/')
		start--;
	return xstrndup(start, (size_t)(path + len - start));
}

char *grade_submission_name(const char *submission_dir)
{
	/*
	 * The folder's own name, a link's included: resolving it would name
	 * the student after what their folder points to.  Only "." and ".."
	 * need the real path to have a name at all.
	 */
	char *name = last_part(submission_dir);
	if (strcmp(name, ".") && strcmp(name, "..") && *name)
		return name;
	free(name);
	char resolved[PATH_MAX];
	return last_part(realpath(submission_dir, resolved) ? resolved : submission_dir);
}

const char *grade_signal_meaning(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "segmentation fault: the program touched memory it does not own "
		       "(a NULL or dangling pointer, or an index out of bounds)";
	case SIGBUS:
		return "bus error: an invalid memory access (often a mapping past the end of a file)";
	case SIGABRT:
		return "aborted: abort() was called, an assert failed, or the C library found its "
		       "memory corrupted (a buffer overflow, a double free)";
	case SIGFPE:
		return "arithmetic error, such as an integer division by zero";
	case SIGPIPE:
		return "it wrote to a pipe whose read end was closed by every process";
	case SIGILL:
		return "illegal instruction";
	case SIGKILL:
		return "killed (by another process, or for exceeding a limit)";
	case SIGXCPU:
		return "it used more CPU time than the limit allows";
	case SIGXFSZ:
		return "it wrote a file larger than the limit allows";
	default:
		return "killed by a signal";
	}
}

static void add_skipped(struct test_result *tr, const char *kind, const char *why)
{
	struct check *c = test_result_add_check(tr, kind, true, why, NULL);
	c->skipped = true;
}

static char *kind_for(const struct test_spec *t, const struct process_spec *ps, const char *what)
{
	return t->multi ? xasprintf("%s.%s", ps->name, what) : xstrdup(what);
}

static void add_kind_check(struct test_result *tr, const struct test_spec *t,
			   const struct process_spec *ps, const char *what, bool ok,
			   const char *message, char *diff)
{
	char *kind = kind_for(t, ps, what);
	test_result_add_check(tr, kind, ok, message, diff);
	free(kind);
}

/* Judges one process; sets *crash to it when it died of a signal nobody expected (the first). */
static void judge_process(const struct test_spec *t, const struct process_spec *ps,
			  const struct run_proc_result *pr, bool timed_out, struct test_result *tr,
			  const struct run_proc_result **crash)
{
	const struct expect_spec *ex = &ps->expect;
	char *msg = NULL;
	/* The grader's own SIGTERM/SIGKILL at the deadline is reported as the timeout. */
	bool killed_by_us = timed_out && (pr->signal == SIGTERM || pr->signal == SIGKILL);
	bool cpu_limit = pr->signal == SIGXCPU ||
			 (pr->signal == SIGKILL && pr->cpu_seconds * 1000 >= (double)t->limits.cpu_ms);
	bool file_limit = pr->signal == SIGXFSZ;

	if (!pr->started) {
		/* Not started for lack of room the test's other processes took: their limit, not an exit. */
		add_kind_check(tr, t, ps, pr->limited ? "limit" : "exit", false,
			       pr->start_error ? pr->start_error : "the program was never started", NULL);
	} else if (pr->signal && !killed_by_us && !cpu_limit && !file_limit) {
		bool expected = ex->signal_set && ex->signal == pr->signal;
		if (expected) {
			add_kind_check(tr, t, ps, "signal", true, "", NULL);
		} else {
			msg = xasprintf("killed by %s (%s)", signal_name(pr->signal),
					grade_signal_meaning(pr->signal));
			add_kind_check(tr, t, ps, "signal", false, msg, NULL);
			if (!*crash)
				*crash = pr;
		}
	} else if (ex->signal_set && ex->signal && !timed_out) {
		msg = pr->signal ? xasprintf("expected to be killed by %s, but it was killed by %s",
					     signal_name(ex->signal), signal_name(pr->signal))
				 : xasprintf("expected to be killed by %s, but it exited with status %d",
					     signal_name(ex->signal), pr->exit_code);
		add_kind_check(tr, t, ps, "signal", false, msg, NULL);
	} else if (ex->signal_set && !timed_out) {
		add_kind_check(tr, t, ps, "signal", true, "", NULL);
	}
	free(msg);
	msg = NULL;

	if (cpu_limit) {
		msg = xasprintf("used more than the CPU time limit of %.3gs (%.2fs) and was killed",
				(double)t->limits.cpu_ms / 1000.0, pr->cpu_seconds);
		add_kind_check(tr, t, ps, "limit", false, msg, NULL);
		free(msg);
		msg = NULL;
		grade_explain_cpu_exhausted(t, pr->pid, ps->argv.v[0], tr);
	}
	if (file_limit) {
		char *size = human_size((double)RUN_FILE_SIZE_LIMIT);
		msg = xasprintf("wrote a file larger than the file size limit of %s and was killed "
				"(SIGXFSZ)",
				size);
		add_kind_check(tr, t, ps, "limit", false, msg, NULL);
		free(size);
		free(msg);
		msg = NULL;
	}

	if (ex->exit_set && pr->started && !timed_out) {
		bool ok = pr->signal == 0 && (ex->exit_any || pr->exit_code == ex->exit_code);
		char *wanted = ex->exit_any ? xstrdup("a normal exit")
					    : xasprintf("exit status %d", ex->exit_code);
		if (!ok && pr->signal)
			msg = xasprintf("killed by %s, expected %s", signal_name(pr->signal), wanted);
		else if (!ok)
			msg = xasprintf("exit status %d, expected %s", pr->exit_code, wanted);
		add_kind_check(tr, t, ps, "exit", ok, msg, NULL);
		free(wanted);
		free(msg);
		msg = NULL;
	}

	const struct {
		const struct output_expect *want;
		const struct run_output *got;
		const char *what;
	} streams[] = {{&ex->out, &pr->out, "stdout"}, {&ex->err, &pr->err, "stderr"}};
	for (size_t i = 0; i < ARRAY_SIZE(streams); i++) {
		const struct run_output *got = streams[i].got;
		char *kind = kind_for(t, ps, streams[i].what);
		if (got->truncated) {
			char *wrote = human_size((double)got->total);
			char *cap = human_size((double)t->limits.output);
			msg = xasprintf("the program wrote %s to %s, more than the output limit of %s; "
					"only the first %s were kept",
					wrote, kind, cap, cap);
			free(wrote);
			free(cap);
			add_kind_check(tr, t, ps, "limit", false, msg, NULL);
			free(msg);
			msg = NULL;
		}
		if (streams[i].want->set) {
			struct match_result m;
			match_output(streams[i].want, got->data, got->len, kind, &m);
			test_result_add_check(tr, kind, m.ok, m.message, m.diff);
			m.diff = NULL;
			match_result_release(&m);
		}
		free(kind);
	}
}

/*
 * One check from a list of findings, passed when it is empty: "a; b; ...;
 * and 453,990 more" and then tail (NULL: none).  Every list a student can
 * make long goes through here: at most FINDINGS_MAX are listed, whatever
 * the list holds, and the rest (those kept and those a capped list only
 * counted, found->more) are counted.
 */
static void add_findings_check(struct test_result *tr, const char *kind,
			       const struct strvec *found, const char *tail)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_init(&msg);
	size_t listed = found->n < FINDINGS_MAX ? found->n : FINDINGS_MAX;
	for (size_t i = 0; i < listed; i++)
		strbuf_addf(&msg, "%s%s", i ? "; " : "", found->v[i]);
	unsigned long long rest = (unsigned long long)(found->n - listed) + found->more;
	if (rest) {
		char *count = human_count(rest);
		strbuf_addf(&msg, "; and %s more", count);
		free(count);
	}
	bool ok = found->n == 0 && found->more == 0;
	if (!ok && tail)
		strbuf_addstr(&msg, tail);
	test_result_add_check(tr, kind, ok, msg.buf, NULL);
	strbuf_release(&msg);
}

/*
 * The checks a trace answers.  Cleanup checks and trace.require need a test
 * that ran to its end (as cleanup.orphans does): after a timeout, an
 * unexpected crash or a program that could not be started, its processes
 * held what they held and had not yet called what they would have, and
 * that is already the verdict.  A forbidden call is one whenever it came.
 */
static void judge_trace(const struct test_spec *t, const struct run_result *rr, bool ended,
			struct test_result *tr)
{
	const struct trace_record *rec = &rr->trace;
	bool zombies = t->cleanup.zombies == CLEANUP_REQUIRED;
	bool fds = t->cleanup.fds == CLEANUP_REQUIRED;
	if (!rec->traced)
		return;
	if (rec->unavailable) {
		/* Never passed silently: the report says what could not be checked, and why. */
		char *why = xasprintf("not checked: the grader could not trace this test (%s)",
				      rec->unavailable);
		if (zombies)
			add_skipped(tr, "cleanup.zombies", why);
		if (fds)
			add_skipped(tr, "cleanup.fds", why);
		if (t->trace_require.n)
			add_skipped(tr, "trace.require", why);
		if (t->trace_forbid.n)
			add_skipped(tr, "trace.forbid", why);
		free(why);
		return;
	}
	if (zombies && ended)
		add_findings_check(tr, "cleanup.zombies", &rec->zombies,
				   ". A child that has exited stays a zombie until its parent waits for "
				   "it: call wait() or waitpid() for every child you fork");
	if (fds && ended)
		add_findings_check(tr, "cleanup.fds", &rec->fds,
				   ". Close every descriptor you no longer need, at the latest before the "
				   "process exits or calls exec");

	struct strvec found = STRVEC_INIT;
	strvec_init(&found);
	for (size_t i = 0; ended && i < t->trace_require.n; i++) {
		const char *name = trace_name_meaning(t->trace_require.v[i]);
		unsigned long want = t->trace_require_min[i];
		unsigned long calls = trace_record_count(rec, t->trace_require.v[i]);
		if (!calls && want == 1)
			strvec_pushf(&found, "never called %s", name);
		else if (calls < want)
			strvec_pushf(&found, "called %s %lu time%s, expected at least %lu", name,
				     calls, calls == 1 ? "" : "s", want);
	}
	if (t->trace_require.n && ended)
		add_findings_check(tr, "trace.require", &found, NULL);
	strvec_clear(&found);
	strvec_init(&found);
	for (size_t i = 0; i < t->trace_forbid.n; i++) {
		const char *name = t->trace_forbid.v[i];
		const struct trace_call *call = trace_record_find(rec, name);
		if (call)
			strvec_pushf(&found, "called %s%s: %s", name,
				     !strcmp(name, "system") ? "()" : "", call->first);
	}
	if (t->trace_forbid.n)
		add_findings_check(tr, "trace.forbid", &found, NULL);
	strvec_clear(&found);
}

/* The traced process with that pid, or NULL. */
static const struct trace_process *traced_process(const struct trace_record *rec, pid_t pid)
{
	for (size_t i = 0; i < rec->nprocs; i++)
		if (rec->procs[i].pid == pid)
			return &rec->procs[i];
	return NULL;
}

/* Which of the test's processes (the ones the spec starts) pid is, or descends from; -1: none. */
static long started_ancestor(const struct run_result *rr, pid_t pid)
{
	/* Bounded: a pid reused within the record must not loop forever. */
	for (size_t hops = 0; hops <= rr->trace.nprocs; hops++) {
		for (size_t i = 0; i < rr->nprocs; i++)
			if (rr->procs[i].started && rr->procs[i].pid == pid)
				return (long)i;
		const struct trace_process *p = traced_process(&rr->trace, pid);
		if (!p)
			return -1;
		pid = p->ppid;
	}
	return -1;
}

static const char *traced_command(const struct trace_process *p)
{
	return p && p->argv.n ? p->argv.v[0] : "?";
}

/*
 * The processes a test's programs start are seen only by the tracer.  One
 * killed by a limit fails a `limit` check, as a started process would (the
 * kind is that of the started process it descends from); the first one
 * killed by another signal explains a failure that would otherwise show
 * only as missing output (judge_run adds it once the verdict is known).
 * SIGKILL and SIGTERM are left out: the grader sends them itself at a
 * timeout and to orphans.
 */
static void judge_descendants(const struct test_spec *t, const struct run_result *rr,
			      struct test_result *tr, char **crash_note, int *crash_signal)
{
	const struct trace_record *rec = &rr->trace;
	if (!rec->traced || rec->unavailable)
		return;
	for (size_t i = 0; i < rec->nprocs; i++) {
		const struct trace_process *p = &rec->procs[i];
		int sig = p->signal;
		if (!p->exited || !sig || sig == SIGKILL || sig == SIGTERM)
			continue;
		long root = started_ancestor(rr, p->pid);
		if (root >= 0 && rr->procs[root].pid == p->pid)
			continue;	/* judged by judge_process */
		const struct process_spec *ps = &t->procs[root >= 0 ? root : 0];
		const struct trace_process *parent = traced_process(rec, p->ppid);
		char *who = xasprintf("pid %d (%s), a child of pid %d (%s),", (int)p->pid,
				      traced_command(p), (int)p->ppid, traced_command(parent));
		if (sig == SIGXCPU || sig == SIGXFSZ) {
			char *size = human_size((double)RUN_FILE_SIZE_LIMIT);
			char *msg = sig == SIGXCPU
					? xasprintf("%s used more than the CPU time limit of %.3gs and "
						    "was killed (SIGXCPU)",
						    who, (double)t->limits.cpu_ms / 1000.0)
					: xasprintf("%s wrote a file larger than the file size limit of "
						    "%s and was killed (SIGXFSZ)",
						    who, size);
			add_kind_check(tr, t, ps, "limit", false, msg, NULL);
			free(msg);
			free(size);
			if (sig == SIGXCPU)
				grade_explain_cpu_exhausted(t, p->pid, traced_command(p), tr);
		} else if (!*crash_note) {
			*crash_note = xasprintf("%s was killed by %s (%s).", who, signal_name(sig),
						grade_signal_meaning(sig));
			*crash_signal = sig;
		}
		free(who);
	}
}

static void judge_run(const struct test_spec *t, const struct run_result *rr,
		      struct test_result *tr)
{
	/* Nothing ran: the submission's files did not fit the test's working folder. */
	if (rr->setup_failure) {
		test_result_add_check(tr, "limit", false, rr->setup_failure, NULL);
		tr->status = STATUS_FAILED;
		return;
	}
	const struct run_proc_result *crash = NULL;
	for (size_t i = 0; i < t->nprocs; i++)
		judge_process(t, &t->procs[i], &rr->procs[i], rr->timed_out, tr, &crash);
	bool crashed = crash != NULL;

	if (rr->timed_out) {
		struct strbuf msg = STRBUF_INIT;
		if (rr->certain_timeout == DIAGNOSE_TIMEOUT_DEADLOCK)
			strbuf_addf(&msg, "would never finish: a deadlock was detected after %.0f ms "
					  "(every process was waiting for another one of them), so the "
					  "test was stopped before its %.3gs timeout",
				    rr->certain_after * 1000.0, (double)t->timeout_ms / 1000.0);
		else if (rr->certain_timeout == DIAGNOSE_TIMEOUT_SLEEP)
			strbuf_addf(&msg, "would not finish within its %.3gs timeout: %s, so the test "
					  "was stopped after %.0f ms",
				    (double)t->timeout_ms / 1000.0,
				    rr->sleep_past ? rr->sleep_past : "a process sleeps past it",
				    rr->certain_after * 1000.0);
		else
			strbuf_addf(&msg, "did not finish within %.3gs and was killed",
				    (double)t->timeout_ms / 1000.0);
		bool first = true;
		for (size_t i = 0; i < rr->nprocs; i++) {
			if (rr->procs[i].started && rr->procs[i].signal &&
			    (rr->procs[i].signal == SIGTERM || rr->procs[i].signal == SIGKILL)) {
				/* Named as the diagnosis names it: its command, not the spec's "main". */
				strbuf_addf(&msg, "%s pid %d (%s)", first ? ": still running:" : ",",
					    (int)rr->procs[i].pid, t->procs[i].argv.v[0]);
				first = false;
			}
		}
		test_result_add_check(tr, "timeout", false, msg.buf, NULL);
		strbuf_release(&msg);
		grade_explain_timeout(t, rr, tr);
	}

	if (t->cleanup.orphans == CLEANUP_REQUIRED && !rr->timed_out) {
		/* The tracer saw who left whom (trace.h); without it, what still ran at the end. */
		bool traced = rr->trace.traced && !rr->trace.unavailable;
		const struct strvec *found = traced ? &rr->trace.orphans : &rr->orphans;
		add_findings_check(
		    tr, "cleanup.orphans", found,
		    traced ? ": a parent must wait for each child it forks before it exits (the "
			     "orphans were killed at the end of the test)"
		    : found->n + found->more > 1
			? " were still running after the test's processes exited (killed): wait "
			  "for your children before exiting"
			: " was still running after the test's processes exited (killed): wait for "
			  "your children before exiting");
	}
	/* The runner has already removed them. */
	if (t->cleanup.ipc == CLEANUP_REQUIRED)
		add_findings_check(tr, "cleanup.ipc", &rr->ipc_leftovers,
				   ". Remove every IPC object once every process is done with it");
	/* Calls the seccomp filter refused: an assignment never needs them, so they fail the test. */
	if (rr->denied.n || rr->denied.more)
		add_findings_check(tr, "sandbox", &rr->denied,
				   ": the sandbox does not allow these calls, and they failed with "
				   "EPERM");

	bool all_started = true;
	for (size_t i = 0; i < rr->nprocs; i++)
		all_started &= rr->procs[i].started;
	judge_trace(t, rr, !rr->timed_out && !crashed && all_started, tr);
	char *crash_note = NULL;
	int crash_signal = 0;
	judge_descendants(t, rr, tr, &crash_note, &crash_signal);

	if (rr->timed_out)
		tr->status = STATUS_TIMEOUT;
	else if (crashed)
		tr->status = STATUS_CRASHED;
	else if (test_result_has_failure(tr))
		tr->status = STATUS_FAILED;
	else
		tr->status = STATUS_PASSED;
	/* A child's crash is worth telling only when something failed (a pipeline's SIGPIPE may not). */
	if (crash_note && tr->status != STATUS_PASSED)
		grade_explain_crash(tr, crash_note, crash_signal);
	free(crash_note);
	if (tr->status != STATUS_PASSED)
		grade_explain_failure(t, rr, crash, tr);
	test_result_cause_first(tr);
}

/* The names the trace must watch (the spec loader has checked that each is known). */
static void trace_calls_of(const struct test_spec *t, struct strvec *calls)
{
	strvec_pushv(calls, (const char *const *)t->trace_require.v);
	strvec_pushv(calls, (const char *const *)t->trace_forbid.v);
}

/*
 * Runs test t once in a fresh copy of the built files (and the test's
 * files), in a workdir that exists only for the run; -1 only on grader
 * failure.  A perturbed test runs with that seed; when the perturbation
 * could not be applied *why_not (owned) says why, when the run failed
 * *story (owned) tells the order the grader gave its processes, and the
 * order is added to *orders.
 */
static int run_once(const struct test_spec *t, const char *build_dir, const char *workdir,
		    struct sandbox *sandbox, unsigned long long seed, struct test_result *tr,
		    char **why_not, char **story, struct trace_orders *orders)
{
	struct strvec env = STRVEC_INIT;
	struct strvec calls = STRVEC_INIT;
	struct run_proc_spec *procs = xcalloc(t->nprocs, sizeof(*procs));
	struct run_result rr;
	bool have_run = false;
	int ret = -1;

	/*
	 * Traced only when the spec asks what a trace answers, or to perturb
	 * (the tracer holds the processes back): any other run costs nothing more.
	 */
	struct trace_request trace = {
		.zombies = t->cleanup.zombies == CLEANUP_REQUIRED,
		.orphans = t->cleanup.orphans == CLEANUP_REQUIRED,
		.fds = t->cleanup.fds == CLEANUP_REQUIRED,
		.perturb = t->perturb,
		.seed = seed,
	};
	bool checked = trace.zombies || trace.orphans || trace.fds || t->trace_require.n ||
		       t->trace_forbid.n;
	bool traced = checked || t->perturb;
	strvec_init(&calls);
	if (checked)
		trace_calls_of(t, &calls);
	trace.calls = (const char *const *)calls.v;

	strvec_init(&env);
	run_build_env(&env, workdir, t->env, t->nenv);
	const char *sources[] = {build_dir, t->files, NULL};
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct process_spec *ps = &t->procs[i];
		procs[i].name = ps->name;
		procs[i].argv = ps->argv.v;
		procs[i].stdin_data = ps->stdin_data;
		procs[i].stdin_len = ps->stdin_len;
		procs[i].stdin_file = ps->stdin_file;
		procs[i].tty = ps->tty;
		procs[i].ready = &ps->ready;
	}
	struct run_request req = {
		.workdir = workdir,
		.envp = env.v,
		.limits = t->limits,
		.timeout_ms = t->timeout_ms,
		.procs = procs,
		.nprocs = t->nprocs,
		.trace = traced ? &trace : NULL,
		/* The sandbox copies them straight into the test's own tmpfs. */
		.workdir_sources = sources,
	};
	have_run = true;
	if (sandbox_run(sandbox, &req, SANDBOX_WORKDIR_COPY, &rr) < 0) {
		error_prefix("test '%s'", t->name);
		goto out;
	}
	tr->seconds += rr.seconds;
	tr->cpu_wait_seconds += rr.cpu_wait_seconds;
	judge_run(t, &rr, tr);
	if (t->perturb && !rr.setup_failure && (!rr.trace.traced || rr.trace.unavailable))
		*why_not = xstrdup(rr.trace.unavailable ? rr.trace.unavailable : "not traced");
	if (t->perturb && tr->status != STATUS_PASSED)
		*story = trace_schedule_text(&rr.trace, seed);
	if (t->perturb)
		trace_orders_add(orders, &rr.trace);
	/* A trace made only to perturb answers nothing the spec asked: not shown. */
	if (rr.trace.traced && checked) {
		/* The report shows the trace of the run whose checks it shows. */
		tr->trace = xmalloc(sizeof(*tr->trace));
		*tr->trace = rr.trace;
		trace_record_init(&rr.trace);
	}
	ret = 0;
out:
	if (have_run)
		run_result_release(&rr);
	free(procs);
	strvec_clear(&env);
	strvec_clear(&calls);
	return ret;
}

/* A test that could not be carried out: the grader's trouble, reported on the test. */
static void mark_error(struct test_result *tr, const char *why)
{
	tr->status = STATUS_ERROR;
	test_result_add_check(tr, "error", false, why, NULL);
}

/*
 * The first seed of a perturbed test: --seed, else one drawn from the
 * submission's files and the test (content: their digest), so that grading
 * the same submission again explores the same schedules and gives the same
 * verdict.  Kept below 2^32 so that a reported seed is short to type, and
 * (plus the run index) far within GRADE_SEED_MAX.  Even, so that runs 1
 * and 2, 3 and 4, ... are the pairs of seeds that try opposite orders of
 * the processes (trace.h, "Perturbation").
 */
static unsigned long long base_seed(const struct grade_options *opts, uint64_t content,
				    const struct test_spec *t)
{
	if (opts->seeded)
		return opts->seed;
	struct digest d;
	digest_init(&d);
	digest_add(&d, &content, sizeof(content));
	digest_add_str(&d, t->name);
	return (d.h ^ (d.h >> 32)) & 0xfffffffeULL;
}

static void grade_test(const struct test_spec *t, const char *build_dir, const char *scratch,
		       size_t index, const struct grade_options *opts, uint64_t content,
		       struct test_result *tr)
{
	tr->name = xstrdup(t->name);
	tr->hidden = t->hidden;
	tr->max_score = t->points;
	tr->diagnosis = xstrdup("");

	unsigned long long base = t->perturb ? base_seed(opts, content, t) : 0;
	struct test_result first_failure = {0};
	bool failed = false;
	int failed_run = 0;
	/* Why some run could not be perturbed (the first reason), else NULL. */
	char *unperturbed = NULL;
	/* The order the failing run's processes ran in, when the grader chose it. */
	char *story = NULL;
	struct trace_orders orders;
	trace_orders_init(&orders);
	/* Every order of the processes tried: a further run would replay one (trace.h). */
	bool all_tried = false;
	/* A failed run has failed the test: the others only tell a pass rate (repeat_all). */
	for (int run = 0; run < t->repeat && (!failed || t->repeat_all) && !all_tried; run++) {
		struct test_result attempt = {0};
		attempt.diagnosis = xstrdup("");
		char *workdir = xasprintf("%s/test-%zu-run-%d", scratch, index + 1, run + 1);
		char *why_not = NULL, *told = NULL;
		if (run_once(t, build_dir, workdir, opts->sandbox, base + (unsigned)run, &attempt,
			     &why_not, &told, &orders) < 0)
			mark_error(&attempt, error_last());
		all_tried = !t->repeat_all && trace_orders_all_tried(&orders);
		if (why_not && !unperturbed)
			unperturbed = why_not;
		else
			free(why_not);
		free(workdir);
		tr->runs++;
		tr->seconds += attempt.seconds;
		tr->cpu_wait_seconds += attempt.cpu_wait_seconds;
		if (attempt.status == STATUS_PASSED) {
			tr->passed_runs++;
		} else if (!failed) {
			failed = true;
			failed_run = run;
			first_failure = attempt;
			story = told;
			continue;
		}
		free(told);
		if ((run + 1 == t->repeat || all_tried) && !failed) {
			first_failure = attempt; /* the last passing run's checks stand for all */
			continue;
		}
		test_result_release(&attempt);
	}

	/* The report shows the first failing run (or the last one when all passed). */
	tr->status = first_failure.status;
	tr->checks = first_failure.checks;
	tr->nchecks = first_failure.nchecks;
	tr->checks_cap = first_failure.checks_cap;
	tr->trace = first_failure.trace;
	free(tr->diagnosis);
	tr->diagnosis = first_failure.diagnosis;
	tr->hint = first_failure.hint;
	/*
	 * The order the processes ran in explains a failure no diagnosis
	 * explains, with its own hint: a check's general one could contradict it.
	 */
	if (story && !*tr->diagnosis) {
		free(tr->diagnosis);
		tr->diagnosis = story;
		story = NULL;
		free(tr->hint);
		tr->hint = xstrdup(trace_schedule_hint);
	}
	if (t->perturb) {
		tr->perturbed = true;
		tr->seed = base + (unsigned)failed_run;
	}
	if (t->repeat > 1) {
		struct strbuf msg = STRBUF_INIT;
		strbuf_init(&msg);
		if (failed)
			strbuf_addf(&msg, "passed %d of %d run%s: failed in run %d of %d",
				    tr->passed_runs, tr->runs, tr->runs == 1 ? "" : "s", failed_run + 1,
				    t->repeat);
		if (failed && t->perturb)
			strbuf_addf(&msg, " (seed %llu)", tr->seed);
		if (failed && tr->runs < t->repeat)
			strbuf_addf(&msg, "; the other %d run%s not made (repeat_all makes them)",
				    t->repeat - tr->runs, t->repeat - tr->runs == 1 ? " was" : "s were");
		if (failed && t->perturb)
			strbuf_addf(&msg, "; reproduce with --seed %llu, which makes it the first run",
				    tr->seed);
		/* A passing test stops early only once every order has been tried. */
		int rest = t->repeat - tr->runs;
		if (!failed && rest && orders.nprocs == 1)
			strbuf_addf(&msg, "its one process has one order, tried in run 1; the other %d "
					  "run%s would have replayed it (repeat_all makes them)",
				    rest, rest == 1 ? "" : "s");
		else if (!failed && rest)
			strbuf_addf(&msg, "every order of its %zu processes was tried in %d runs; the "
					  "other %d would have replayed one (repeat_all makes them)",
				    orders.nprocs, tr->runs, rest);
		if (story)
			strbuf_addf(&msg, ". %s", story);
		test_result_add_check(tr, "repeat", !failed, msg.buf, NULL);
		strbuf_release(&msg);
	} else if (story) {
		/* One run, explained otherwise (a timeout's diagnosis): the order is told after it. */
		char *both = xasprintf("%s\n\n%s", tr->diagnosis, story);
		free(tr->diagnosis);
		tr->diagnosis = both;
	}
	free(story);
	if (unperturbed) {
		char *why = xasprintf("perturb: not applied: the grader could not trace this test (%s)",
				      unperturbed);
		add_skipped(tr, "repeat", why);
		free(why);
		free(unperturbed);
	}
	tr->score = tr->status == STATUS_PASSED ? t->points : 0;
}

static void mark_build_failed(const struct test_spec *t, struct test_result *tr)
{
	tr->name = xstrdup(t->name);
	tr->hidden = t->hidden;
	tr->max_score = t->points;
	tr->status = STATUS_BUILD_FAILED;
	tr->diagnosis = xstrdup("");
	test_result_add_check(tr, "build", false,
			      "the submission did not build, so this test could not run (see the build output)",
			      NULL);
}

int grade_submission(const struct spec *spec, const char *submission_dir,
		     const struct grade_options *opts, struct grade_result *out)
{
	memset(out, 0, sizeof(*out));
	out->assignment = xstrdup(spec->assignment);
	out->submission = grade_submission_name(submission_dir);
	out->max_score = spec_max_score(spec);
	strvec_init(&out->isolation_missing);
	out->tests = xcalloc(spec->ntests, sizeof(*out->tests));
	out->ntests = spec->ntests;

	int lock = -1;
	char *scratch = lifecycle_make_scratch(&lock);
	if (!scratch)
		return -1;
	char *build_dir = path_join(scratch, "build");
	int ret = -1;

	if (build_submission_cached(spec, submission_dir, build_dir, opts->sandbox, opts->build_cache,
				    &out->build) < 0)
		goto out;
	/* What perturbed runs draw their seeds from: the same files, the same schedules. */
	struct digest content;
	digest_init(&content);
	digest_add_str(&content, spec->assignment);
	(void)digest_add_tree(&content, submission_dir);
	for (size_t i = 0; i < spec->ntests; i++) {
		if (!out->build.ok)
			mark_build_failed(&spec->tests[i], &out->tests[i]);
		else
			grade_test(&spec->tests[i], build_dir, scratch, i, opts, content.h,
				   &out->tests[i]);
		enum test_status st = out->tests[i].status;
		if (st == STATUS_FAILED || st == STATUS_TIMEOUT || st == STATUS_CRASHED)
			out->tests[i].reproduce = reproduce_new(&spec->tests[i], spec->dir);
		out->score += out->tests[i].score;
	}
	ret = 0;
out:
	/* Read at the end: a sandbox that could not be set up degrades at its first run. */
	out->isolation_full = sandbox_full(opts->sandbox);
	strvec_pushv(&out->isolation_missing, (const char *const *)sandbox_missing(opts->sandbox)->v);
	if (opts->keep_scratch)
		lifecycle_keep_scratch(scratch);
	else
		remove_tree(scratch);
	close(lock);
	free(build_dir);
	free(scratch);
	return ret;
}
