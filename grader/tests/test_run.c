/* Unit tests of the runner: capture, stdin, caps, deadlines, exits, orphans, ready; and the same traced. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "run.h"
#include "util.h"

static struct run_result result;
static struct strvec env;

static void setup(void)
{
	strvec_init(&env);
	run_build_env(&env, "/tmp", NULL, 0);
}

static void teardown(void)
{
	run_result_release(&result);
	strvec_clear(&env);
}

TestSuite(run, .init = setup, .fini = teardown, .timeout = 30);

static struct run_request request(const struct run_proc_spec *procs, size_t n, long long timeout_ms)
{
	/*
	 * No process limit (0): unsandboxed, an ordinary user's limit is
	 * RLIMIT_NPROC, which counts every thread of that user on the machine,
	 * and other tests' and users' come and go.  The limit is the sandbox
	 * tests' (test_sandbox.c, in a namespace of their own).
	 */
	struct run_request req = {
		.workdir = "/tmp",
		.envp = env.v,
		.limits = {.cpu_ms = 5000, .memory = 1LL << 30, .processes = 0, .output = 1 << 20,
			   .open_files = 64},
		.timeout_ms = timeout_ms,
		.procs = procs,
		.nprocs = n,
	};
	return req;
}

static void run_sh(const char *script, long long timeout_ms, long long output_cap)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv};
	struct run_request req = request(&proc, 1, timeout_ms);
	req.limits.output = output_cap;
	cr_assert_eq(run_processes(&req, &result), 0, "%s", error_last());
}

Test(run, captures_stdout_stderr_and_exit_status)
{
	run_sh("echo out; echo err >&2; exit 3", 5000, 1 << 20);
	const struct run_proc_result *p = &result.procs[0];
	cr_assert(p->started);
	cr_assert_str_eq(p->out.data, "out\n");
	cr_assert_str_eq(p->err.data, "err\n");
	cr_assert_eq(p->exit_code, 3);
	cr_assert_eq(p->signal, 0);
	cr_assert_not(result.timed_out);
}

Test(run, death_by_signal_is_reported_by_number)
{
	run_sh("kill -SEGV $$", 5000, 1 << 20);
	cr_assert_eq(result.procs[0].signal, SIGSEGV);
}

Test(run, sigpipe_is_not_inherited_as_ignored)
{
	/* The grader ignores SIGPIPE; a student's program must still die of it. */
	run_sh("yes | head -c 1 >/dev/null; kill -PIPE $$", 5000, 1 << 20);
	cr_assert_eq(result.procs[0].signal, SIGPIPE);
}

Test(run, large_stdin_and_large_output_do_not_deadlock)
{
	size_t len = 4 << 20;
	char *data = xmalloc(len);
	memset(data, 'x', len);
	char *argv[] = {"cat", NULL};
	struct run_proc_spec proc = {.name = "cat", .argv = argv, .stdin_data = data, .stdin_len = len};
	struct run_request req = request(&proc, 1, 20000);
	req.limits.output = 8 << 20;
	cr_assert_eq(run_processes(&req, &result), 0, "%s", error_last());
	cr_assert_eq(result.procs[0].out.len, len);
	cr_assert_eq(memcmp(result.procs[0].out.data, data, len), 0);
	free(data);
}

Test(run, output_past_the_cap_is_counted_not_kept)
{
	run_sh("head -c 300000 /dev/zero; head -c 5 /dev/zero >&2", 5000, 1000);
	const struct run_proc_result *p = &result.procs[0];
	cr_assert_eq(p->out.len, 1000);
	cr_assert_eq(p->out.total, 300000);
	cr_assert(p->out.truncated);
	cr_assert_eq(p->err.len, 5);
	cr_assert_not(p->err.truncated);
	cr_assert_eq(p->exit_code, 0, "the writer was blocked or killed");
}

/*
 * What ran before the deadline is kept.  The deadline is a wall clock: the
 * shell has a second to print its line, hundreds of times what it needs.
 */
Test(run, timeout_kills_a_process_that_ignores_sigterm)
{
	run_sh("trap '' TERM; echo started; while :; do sleep 1; done", 1000, 1 << 20);
	cr_assert(result.timed_out);
	cr_assert_eq(result.procs[0].signal, SIGKILL);
	cr_assert_str_eq(result.procs[0].out.data, "started\n");
}


/* Runs `sh -c script` under a CPU limit of 300 ms and a deadline (60 s) far out of reach. */
static void run_sh_under_300ms_of_cpu(const char *script)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv};
	struct run_request req = request(&proc, 1, 60000);
	req.limits.cpu_ms = 300;
	cr_assert_eq(run_processes(&req, &result), 0, "%s", error_last());
	cr_assert_not(result.timed_out);
}

/*
 * RLIMIT_CPU counts whole seconds: a spin under a 300 ms limit would get
 * SIGXCPU from the kernel only at 1 s (its rusage then says 0.9 s and
 * more).  The runner's own look ends it near 300 ms.
 */
Test(run, a_cpu_limit_below_a_second_ends_a_spin_there)
{
	run_sh_under_300ms_of_cpu("while :; do :; done");
	cr_assert_eq(result.procs[0].signal, SIGXCPU);
	cr_assert(result.procs[0].cpu_seconds >= 0.3 && result.procs[0].cpu_seconds < 0.75,
		  "%.3f s of CPU", result.procs[0].cpu_seconds);
}

/*
 * The same for a process the test forks, which no PID namespace
 * gathers here: the shell prints how its child ended (SIGXCPU: 128 + 24)
 * and, with `times`, the CPU time its children used.
 */
Test(run, a_cpu_limit_below_a_second_ends_a_childs_spin_there)
{
	run_sh_under_300ms_of_cpu("sh -c 'while :; do :; done'; echo $?; times");
	int status = 0, min1, min2;
	double user, sys;
	cr_assert_eq(sscanf(result.procs[0].out.data, "%d %*dm%*fs %*dm%*fs %dm%lfs %dm%lfs", &status,
			    &min1, &user, &min2, &sys),
		     5, "%s", result.procs[0].out.data);
	cr_assert_eq(status, 128 + SIGXCPU);
	double cpu = min1 * 60 + user + min2 * 60 + sys;
	cr_assert(cpu >= 0.29 && cpu < 0.75, "%.3f s of CPU", cpu);
}

Test(run, exec_failure_is_a_result_not_an_error)
{
	char *argv[] = {"./no-such-program", NULL};
	struct run_proc_spec proc = {.name = "x", .argv = argv};
	struct run_request req = request(&proc, 1, 5000);
	cr_assert_eq(run_processes(&req, &result), 0);
	cr_assert_not(result.procs[0].started);
	cr_assert_not_null(strstr(result.procs[0].start_error, "No such file or directory"),
			   "%s", result.procs[0].start_error);
}

Test(run, stdin_file_and_default_empty_stdin)
{
	char *argv[] = {"cat", NULL};
	struct run_proc_spec proc = {.name = "cat", .argv = argv, .stdin_file = "/etc/hostname"};
	struct run_request req = request(&proc, 1, 5000);
	cr_assert_eq(run_processes(&req, &result), 0);
	cr_assert_gt(result.procs[0].out.len, 0);
	run_result_release(&result);

	struct run_proc_spec empty = {.name = "cat", .argv = argv};
	req = request(&empty, 1, 5000);
	cr_assert_eq(run_processes(&req, &result), 0);
	cr_assert_eq(result.procs[0].out.len, 0);
	cr_assert_not(result.timed_out, "cat waited for input: stdin was not at EOF");
}

/*
 * Nothing the test started is left, the orphans the result names included.
 * The test's process is the runner's subreaper (run.c), so whatever
 * outlived its parent -- a survivor, or a zombie nobody reaped -- is a
 * child of ours: waitpid() answers for exactly our own processes, never for
 * another one on the machine that happens to get a pid back.
 */
static void expect_nothing_left(void)
{
	for (size_t i = 0; i < result.orphans.n; i++) {
		int pid = 0;
		cr_assert_eq(sscanf(result.orphans.v[i], "pid %d", &pid), 1, "%s",
			     result.orphans.v[i]);
		errno = 0;
		cr_expect(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD,
			  "orphan %s survived the test", result.orphans.v[i]);
	}
	errno = 0;
	cr_expect(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		  "a process of the test is left, or was left unreaped");
}

/* The sleeps' output goes elsewhere: they are orphans, not writers the test waits for. */
#define TWO_ORPHANS "sleep 30 >/dev/null 2>&1 & setsid sleep 31 >/dev/null 2>&1 & echo done"

Test(run, orphans_are_found_and_killed_even_after_setsid)
{
	run_sh(TWO_ORPHANS, 5000, 1 << 20);
	cr_assert_not(result.timed_out);
	/* Both exist by then: `&` forks before the shell goes on. */
	cr_assert_eq(result.orphans.n, 2, "orphans found: %zu", result.orphans.n);
	expect_nothing_left();
}

/*
 * A child that writes only once its parent has exited: it waits until it is
 * re-parented (its ppid in /proc changes; dash builtins only, so that the
 * shell reading /proc/self is the child itself), whatever the load.
 */
#define WRITES_AFTER_ITS_PARENT                                                                   \
	"p=$$; (while read -r s </proc/self/stat; set -- $s; [ \"$4\" = \"$p\" ]; do :; done; " \
	"echo late) & echo early"

/* What a left-behind process writes after the test's first process exited is kept. */
Test(run, output_written_after_the_first_process_exits_is_kept)
{
	run_sh(WRITES_AFTER_ITS_PARENT, 5000, 1 << 20);
	cr_expect_not(result.timed_out);
	cr_expect_str_eq(result.procs[0].out.data, "early\nlate\n");
}

Test(run, closed_stdout_does_not_end_the_test_early)
{
	run_sh("exec >&- 2>&-; sleep 0.2; exit 7", 5000, 1 << 20);
	cr_assert_eq(result.procs[0].exit_code, 7);
	cr_assert_geq(result.procs[0].seconds, 0.15);
}

Test(run, next_process_starts_after_ready_line)
{
	char *server[] = {"/bin/sh", "-c", "sleep 0.2; echo ready; sleep 0.3; echo bye", NULL};
	char *client[] = {"/bin/sh", "-c", "echo client", NULL};
	struct ready_spec ready = {.kind = READY_STDOUT, .text = "ready"};
	struct run_proc_spec procs[] = {
		{.name = "server", .argv = server, .ready = &ready},
		{.name = "client", .argv = client},
	};
	struct run_request req = request(procs, 2, 5000);
	cr_assert_eq(run_processes(&req, &result), 0, "%s", error_last());
	cr_assert_str_eq(result.procs[0].out.data, "ready\nbye\n");
	cr_assert_str_eq(result.procs[1].out.data, "client\n");
	/* The client ran only after "ready": it cannot have been running for the whole test. */
	cr_assert_lt(result.procs[1].seconds, result.seconds - 0.15);
}

Test(run, ready_delay_and_environment)
{
	char *first[] = {"/bin/sh", "-c", "echo $HOME $LANG $EXTRA; sleep 0.4", NULL};
	char *second[] = {"/bin/true", NULL};
	struct ready_spec delay = {.kind = READY_DELAY, .delay_ms = 150};
	struct run_proc_spec procs[] = {
		{.name = "a", .argv = first, .ready = &delay},
		{.name = "b", .argv = second},
	};
	struct env_var extra = {"EXTRA", "yes"};
	strvec_clear(&env);
	strvec_init(&env);
	run_build_env(&env, "/tmp", &extra, 1);
	struct run_request req = request(procs, 2, 5000);
	cr_assert_eq(run_processes(&req, &result), 0);
	cr_assert_str_eq(result.procs[0].out.data, "/tmp C yes\n");
	/* b started 150 ms after a, so it lived at most the rest of a's 400 ms. */
	cr_assert_lt(result.procs[1].seconds, result.seconds - 0.1);
}

/* A traced run (trace.h) behaves as an untraced one: the same capture, exits, stdin and deadline. */
static void run_sh_traced(const char *script, long long timeout_ms, const char *stdin_data)
{
	static const char *const calls[] = {"pipe", "fork", "wait", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv, .stdin_data = stdin_data,
				     .stdin_len = stdin_data ? strlen(stdin_data) : 0};
	struct run_request req = request(&proc, 1, timeout_ms);
	req.trace = &trace;
	cr_assert_eq(run_processes(&req, &result), 0, "%s", error_last());
	cr_assert(result.trace.traced);
	cr_assert_null(result.trace.unavailable, "%s", result.trace.unavailable);
}

Test(run, traced_run_captures_output_stdin_and_exit_status)
{
	run_sh_traced("tr a-z A-Z | cat; echo err >&2; exit 5", 5000, "hello\n");
	const struct run_proc_result *p = &result.procs[0];
	cr_expect_str_eq(p->out.data, "HELLO\n");
	cr_expect_str_eq(p->err.data, "err\n");
	cr_expect_eq(p->exit_code, 5);
	cr_expect_not(result.timed_out);
	cr_expect_not_null(trace_record_find(&result.trace, "pipe"));
}

Test(run, traced_timeout_kills_a_process_that_ignores_sigterm)
{
	/* The grader's SIGTERM passes through the tracer; SIGKILL ends even a stopped tracee. */
	run_sh_traced("trap '' TERM; echo started; while :; do sleep 1; done", 1000, NULL);
	cr_assert(result.timed_out);
	cr_expect_eq(result.procs[0].signal, SIGKILL);
	cr_expect_str_eq(result.procs[0].out.data, "started\n");
}

Test(run, traced_orphans_are_found_and_killed)
{
	run_sh_traced(TWO_ORPHANS, 5000, NULL);
	cr_expect_not(result.timed_out);
	/* Both, the one that escaped with setsid included: the tracer hides neither. */
	cr_expect_eq(result.orphans.n, 2, "orphans found: %zu", result.orphans.n);
	expect_nothing_left();
}

/* The same traced, zombies judged: the parent's hold in its exit costs no output. */
Test(run, traced_output_written_after_the_first_process_exits_is_kept)
{
	run_sh_traced(WRITES_AFTER_ITS_PARENT, 5000, NULL);
	cr_expect_not(result.timed_out);
	cr_expect_str_eq(result.procs[0].out.data, "early\nlate\n");
}

Test(run, traced_signal_death_is_reported)
{
	run_sh_traced("kill -SEGV $$", 5000, NULL);
	cr_expect_eq(result.procs[0].signal, SIGSEGV);
	cr_assert_eq(result.trace.nprocs, 1);
	cr_expect_eq(result.trace.procs[0].signal, SIGSEGV);
}
