/*
 * A certain deadlock ends a test at once (run.h, diagnose_deadlock.c); a
 * test that could still make progress is never ended early.  Each test
 * runs a small program in the sandbox with a timeout far longer than a
 * detection takes, and asserts only on what was decided, never on how
 * long it took: each shape of deadlock is detected, each near miss is not
 * (it finishes, or runs into its timeout or a limit as it would have).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnose.h"
#include "e2e_util.h"
#include "run.h"
#include "sandbox.h"
#include "seccomp.h"
#include "util.h"

static struct sandbox *sb;
static struct seccomp_filter *probe;
static struct run_result result;
static bool have_result;
static struct strvec env;
static char *scratch, *workdir;

static void setup(void)
{
	sb = sandbox_new(true);
	scratch = make_scratch_dir("grader-deadlock-test");
	cr_assert_not_null(scratch, "%s", error_last());
	chmod(scratch, 0755);
	workdir = path_join(scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0, "%s", error_last());
	strvec_init(&env);
	run_build_env(&env, workdir, NULL, 0);
	probe = seccomp_filter_new();
}

/* Idempotent: a test that skips calls it itself, as Criterion then runs no .fini. */
static void teardown(void)
{
	if (have_result)
		run_result_release(&result);
	have_result = false;
	sandbox_free(sb);
	sb = NULL;
	seccomp_filter_free(probe);
	probe = NULL;
	if (scratch)
		remove_tree(scratch);
	free(workdir);
	free(scratch);
	workdir = scratch = NULL;
	strvec_clear(&env);
}

TestSuite(deadlock, .init = setup, .fini = teardown, .timeout = 60);

/* Only a sandbox whose filter tells of every timer can be sure of a deadlock. */
static void require_detection(void)
{
	if (!sandbox_full(sb)) {
		static char missing[256];
		snprintf(missing, sizeof(missing), "%s", sandbox_missing(sb)->v[0]);
		teardown();
		cr_skip_test("the sandbox is incomplete here: %s", missing);
	}
	if (!probe || !seccomp_filter_sees_timers(probe)) {
		teardown();
		cr_skip_test("this kernel cannot tell the grader of timers (seccomp "
			     "SECCOMP_USER_NOTIF_FLAG_CONTINUE, 5.5): deadlocks run to their timeout");
	}
}

/* Compiles source into the working folder as ./name. */
static void compile(const char *name, const char *source)
{
	free(e2e_compile(workdir, name, source));
}

/* Runs the processes (argv lists, NULL-terminated each) in the sandbox with a 10 s timeout. */
static void run(struct run_proc_spec *procs, size_t n)
{
	struct run_request req = {
		.workdir = workdir,
		.envp = env.v,
		.limits = {.cpu_ms = 5000, .memory = 256LL << 20, .processes = 16,
			   .output = 1 << 16, .open_files = 64},
		.timeout_ms = 10000,
		.procs = procs,
		.nprocs = n,
	};
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &result), 0, "%s", error_last());
	have_result = true;
}

static void run_one(const char *name)
{
	char *path = xasprintf("./%s", name);
	char *argv[] = {path, NULL};
	struct run_proc_spec proc = {.name = name, .argv = argv};
	run(&proc, 1);
	free(path);
}

static void expect_deadlock(void)
{
	cr_expect(result.timed_out, "the test finished");
	cr_expect_eq(result.certain_timeout, DIAGNOSE_TIMEOUT_DEADLOCK, "no deadlock was detected (%d, ran %.2fs)",
		     (int)result.certain_timeout, result.seconds);
}

static void expect_no_deadlock(void)
{
	cr_expect_eq(result.certain_timeout, DIAGNOSE_TIMEOUT_UNCERTAIN, "a certain timeout (%d) was found after %.3fs",
		     (int)result.certain_timeout,
		     result.certain_after);
}

/* ---- shapes that can never end --------------------------------------- */

Test(deadlock, a_reader_holding_its_own_write_end)
{
	require_detection();
	compile("own_end", "#include <unistd.h>\nint main(void) { int p[2]; char c;\n"
			   "  if (pipe(p)) return 1; return read(p[0], &c, 1) < 0; }\n");
	run_one("own_end");
	expect_deadlock();
}

Test(deadlock, two_processes_each_reading_before_writing)
{
	require_detection();
	compile("both_read", "#include <unistd.h>\nint main(void) { int a[2], b[2]; char c;\n"
			     "  if (pipe(a) || pipe(b)) return 1;\n"
			     "  if (fork() == 0) { close(a[1]); close(b[0]); read(a[0], &c, 1);\n"
			     "    return write(b[1], \"x\", 1) != 1; }\n"
			     "  close(a[0]); close(b[1]); read(b[0], &c, 1);\n"
			     "  return write(a[1], \"x\", 1) != 1; }\n");
	run_one("both_read");
	expect_deadlock();
}

Test(deadlock, a_parent_waiting_for_a_child_that_reads_the_parents_pipe)
{
	require_detection();
	compile("waits_reader", "#include <unistd.h>\n#include <sys/wait.h>\n"
				"int main(void) { int p[2]; char c;\n  if (pipe(p)) return 1;\n"
				"  if (fork() == 0) { close(p[1]); while (read(p[0], &c, 1) > 0) ;\n"
				"    return 0; }\n"
				"  close(p[0]); wait(NULL); return 0; }\n");
	run_one("waits_reader");
	expect_deadlock();
}

Test(deadlock, a_writer_on_a_full_pipe_whose_reader_waits_for_it)
{
	require_detection();
	compile("full_pipe", "#include <unistd.h>\n#include <sys/wait.h>\n"
			     "int main(void) { int p[2]; static char buf[1 << 17];\n"
			     "  if (pipe(p)) return 1;\n"
			     "  if (fork() == 0) { close(p[0]); return write(p[1], buf, sizeof buf) < 0; }\n"
			     "  close(p[1]); wait(NULL); return read(p[0], buf, 1) < 0; }\n");
	run_one("full_pipe");
	expect_deadlock();
}

Test(deadlock, pause_with_no_timer)
{
	require_detection();
	compile("pauses", "#include <unistd.h>\nint main(void) { pause(); return 0; }\n");
	run_one("pauses");
	expect_deadlock();
}

/* ---- near misses: something could still happen ------------------------- */

Test(deadlock, a_sleep_is_no_deadlock)
{
	require_detection();
	char *argv[] = {"/bin/sh", "-c", "sleep 0.5; echo woke", NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv};
	run(&proc, 1);
	expect_no_deadlock();
	cr_expect_str_eq(result.procs[0].out.data, "woke\n");
}

Test(deadlock, an_alarm_can_end_any_wait)
{
	require_detection();
	/* Blocked for good, but for the alarm: it dies of SIGALRM, as it would anywhere. */
	compile("alarmed", "#include <unistd.h>\nint main(void) { int p[2]; char c;\n"
			   "  if (pipe(p)) return 1; alarm(1); return read(p[0], &c, 1) < 0; }\n");
	run_one("alarmed");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].signal, 14 /* SIGALRM */, "signal %d", result.procs[0].signal);
}

Test(deadlock, a_poll_with_a_timeout_ends_by_itself)
{
	require_detection();
	compile("polls", "#include <poll.h>\n#include <unistd.h>\n"
			 "int main(void) { int p[2]; if (pipe(p)) return 1;\n"
			 "  struct pollfd f = {p[0], POLLIN, 0};\n"
			 "  return poll(&f, 1, 300) == 0 ? 0 : 1; }\n");
	run_one("polls");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].exit_code, 0);
}

Test(deadlock, a_reader_whose_writer_sleeps_first)
{
	require_detection();
	compile("late_writer", "#include <unistd.h>\n#include <sys/wait.h>\n"
			       "int main(void) { int p[2]; char c;\n  if (pipe(p)) return 1;\n"
			       "  if (fork() == 0) { close(p[0]); usleep(300000);\n"
			       "    return write(p[1], \"x\", 1) != 1; }\n"
			       "  close(p[1]); return read(p[0], &c, 1) != 1; }\n");
	run_one("late_writer");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].exit_code, 0);
}

Test(deadlock, another_thread_may_still_write)
{
	require_detection();
	compile("threaded", "#include <pthread.h>\n#include <unistd.h>\nstatic int p[2];\n"
			    "static void *later(void *x) { usleep(300000);\n"
			    "  return write(p[1], \"x\", 1) == 1 ? x : NULL; }\n"
			    "int main(void) { char c; pthread_t t; if (pipe(p)) return 1;\n"
			    "  pthread_create(&t, NULL, later, &c); return read(p[0], &c, 1) != 1; }\n");
	run_one("threaded");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].exit_code, 0);
}

Test(deadlock, stdin_the_grader_still_feeds)
{
	require_detection();
	/* 256 KiB of stdin, read slowly: the grader holds the write end until it is all in. */
	size_t len = 256 * 1024;
	char *data = xmalloc(len);
	memset(data, 'x', len);
	char *argv[] = {"/bin/sh", "-c", "sleep 0.2; wc -c", NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv, .stdin_data = data,
				     .stdin_len = len};
	run(&proc, 1);
	expect_no_deadlock();
	cr_expect_str_eq(result.procs[0].out.data, "262144\n");
	free(data);
}

Test(deadlock, a_process_still_to_be_started_is_waited_for)
{
	require_detection();
	compile("own_end2", "#include <unistd.h>\nint main(void) { int p[2]; char c;\n"
			    "  if (pipe(p)) return 1; return read(p[0], &c, 1) < 0; }\n");
	char *first[] = {"./own_end2", NULL};
	char *second[] = {"/bin/echo", "started", NULL};
	struct ready_spec delay = {.kind = READY_DELAY, .delay_ms = 300};
	struct run_proc_spec procs[] = {{.name = "stuck", .argv = first, .ready = &delay},
					 {.name = "second", .argv = second}};
	run(procs, 2);
	/* The first is stuck from the start, but the test is not over until the second has run. */
	cr_expect(result.procs[1].started, "%s", result.procs[1].start_error);
	cr_expect_str_eq(result.procs[1].out.data, "started\n");
	expect_deadlock();
}

Test(deadlock, a_spinning_process_is_not_waiting)
{
	require_detection();
	compile("spins", "int main(void) { for (volatile int i = 0;; i++) ; }\n");
	char *argv[] = {"./spins", NULL};
	struct run_proc_spec proc = {.name = "spins", .argv = argv};
	struct run_request req = {
		.workdir = workdir,
		.envp = env.v,
		.limits = {.cpu_ms = 1000, .memory = 256LL << 20, .processes = 16,
			   .output = 1 << 16, .open_files = 64},
		.timeout_ms = 10000,
		.procs = &proc,
		.nprocs = 1,
	};
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &result), 0, "%s", error_last());
	have_result = true;
	expect_no_deadlock();
	cr_expect_eq(result.procs[0].signal, 24 /* SIGXCPU */, "signal %d", result.procs[0].signal);
}
