/*
 * A certain timeout ends a test at once (run.h, diagnose_deadlock.c): a
 * deadlock, or a sleep that ends after the deadline while every other
 * process waits for good; a test that could still make progress is never
 * ended early.  Each test runs a small program in the sandbox with a
 * timeout far longer than a detection takes, and asserts only on what was
 * decided, never on how long it took: each shape is detected as its kind,
 * each near miss is not (it finishes, or runs into its timeout or a limit
 * as it would have).  A sleep "past the deadline" sleeps 100 s against a
 * 1 s timeout (at most 8 s with the credit for CPU waits), one "before"
 * ends a second in against 10 s: neither side is close on any machine.
 * Hand-built snapshots, last, try the rule at its edges.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* Runs the processes (argv lists, NULL-terminated each) in the sandbox. */
static void run_limited(struct run_proc_spec *procs, size_t n, long long timeout_ms,
			long long cpu_ms)
{
	struct run_request req = {
		.workdir = workdir,
		.envp = env.v,
		.limits = {.cpu_ms = cpu_ms, .memory = 256LL << 20, .processes = 16,
			   .output = 1 << 16, .open_files = 64},
		.timeout_ms = timeout_ms,
		.procs = procs,
		.nprocs = n,
	};
	if (have_result)
		run_result_release(&result);
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &result), 0, "%s", error_last());
	have_result = true;
}

/* With a 10 s timeout. */
static void run(struct run_proc_spec *procs, size_t n)
{
	run_limited(procs, n, 10000, 5000);
}

/* ./name alone, with timeout_ms. */
static void run_one_for(const char *name, long long timeout_ms)
{
	char *path = xasprintf("./%s", name);
	char *argv[] = {path, NULL};
	struct run_proc_spec proc = {.name = name, .argv = argv};
	run_limited(&proc, 1, timeout_ms, 5000);
	free(path);
}

static void run_one(const char *name)
{
	run_one_for(name, 10000);
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
	run_limited(&proc, 1, 10000, 1000);
	expect_no_deadlock();
	cr_expect_eq(result.procs[0].signal, 24 /* SIGXCPU */, "signal %d", result.procs[0].signal);
}

/* ---- output held by processes left behind ---------------------------- */

/*
 * ./left prints "parent done", forks, and exits at once, leaving its child
 * (source: the child's body, which holds stdout) behind.
 */
static void run_left_behind(const char *child)
{
	char *source = xasprintf("#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n"
				 "#include <unistd.h>\n"
				 "int main(void) { int p[2]; char c; (void)c; if (pipe(p)) return 1;\n"
				 "  if (fork() == 0) { %s exit(0); }\n"
				 "  printf(\"parent done\\n\"); return 0; }\n",
				 child);
	compile("left", source);
	free(source);
	run_one_for("left", 20000);
	cr_expect_not(result.timed_out, "the started process exited");
}

Test(deadlock, a_child_left_reading_its_own_pipe_ends_the_wait_for_the_output)
{
	require_detection();
	run_left_behind("read(p[0], &c, 1); printf(\"never\\n\");");
	cr_expect_str_eq(result.procs[0].out.data, "parent done\n");
	cr_expect_gt(result.output_held_after, 0, "waited for the output until the deadline");
	cr_assert_not_null(result.diagnosis, "what the one left behind was doing");
	cr_expect(strstr(result.diagnosis, "read"), "%s", result.diagnosis);
}

Test(deadlock, a_child_left_sleeping_or_polling_a_while_is_waited_for)
{
	require_detection();
	/* Asleep, but not for good nor past the deadline: its line is part of the output. */
	const char *children[] = {
		"usleep(300000); printf(\"late line\\n\"); fflush(stdout);",
		"for (int i = 0; i < 20; i++) usleep(10000); printf(\"late line\\n\");",
	};
	for (size_t i = 0; i < sizeof(children) / sizeof(*children); i++) {
		run_left_behind(children[i]);
		cr_expect_eq(result.output_held_after, 0, "%s: stopped waiting after %.3fs",
			     children[i], result.output_held_after);
		cr_expect_str_eq(result.procs[0].out.data, "parent done\nlate line\n", "%s",
				 children[i]);
		cr_expect_null(result.diagnosis, "%s: the output was closed in the end: %s",
			       children[i], result.diagnosis);
	}
}

Test(deadlock, a_child_left_sleeping_past_the_timeout_ends_the_wait)
{
	require_detection();
	run_left_behind("sleep(100); printf(\"too late\\n\");");
	cr_expect_str_eq(result.procs[0].out.data, "parent done\n");
	cr_expect_gt(result.output_held_after, 0, "waited for the output until the deadline");
	cr_assert_not_null(result.diagnosis);
}

/* ---- a sleep that ends after the deadline ------------------------------ */

static void expect_sleep_past(const char *what)
{
	cr_expect(result.timed_out, "the test finished");
	cr_expect_eq(result.certain_timeout, DIAGNOSE_TIMEOUT_SLEEP,
		     "no sleep past the deadline was found (%d, ran %.2fs)",
		     (int)result.certain_timeout, result.seconds);
	cr_assert_not_null(result.sleep_past);
	cr_expect(strstr(result.sleep_past, "sleeps past the deadline ("), "%s", result.sleep_past);
	cr_expect(strstr(result.sleep_past, what), "%s: no \"%s\"", result.sleep_past, what);
}

Test(deadlock, a_lone_process_sleeping_past_the_timeout)
{
	require_detection();
	compile("sleeper", "#include <unistd.h>\nint main(void) { sleep(100); return 0; }\n");
	run_one_for("sleeper", 1000);
	expect_sleep_past("of 100s)");
	cr_expect_not(strstr(result.sleep_past, "every other"), "%s", result.sleep_past);
	cr_expect_not_null(result.diagnosis, "the timeout's diagnosis");
}

Test(deadlock, nanosleep_itself_past_the_timeout)
{
	require_detection();
	compile("nanosleeper", "#include <time.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n"
			       "int main(void) { struct timespec ts = {100, 0};\n"
			       "  return syscall(SYS_nanosleep, &ts, NULL) != 0; }\n");
	run_one_for("nanosleeper", 1000);
	expect_sleep_past("(nanosleep of 100s)");
}

Test(deadlock, a_parent_sleeping_past_the_timeout_while_its_child_reads_its_pipe)
{
	require_detection();
	compile("parent_sleeps", "#include <unistd.h>\nint main(void) { int p[2]; char c;\n"
				 "  if (pipe(p)) return 1;\n"
				 "  if (fork() == 0) { close(p[1]); return read(p[0], &c, 1) != 1; }\n"
				 "  close(p[0]); sleep(100); return write(p[1], \"x\", 1) != 1; }\n");
	run_one_for("parent_sleeps", 1000);
	expect_sleep_past(", and every other process waits for another one of them");
	cr_expect(strstr(result.sleep_past, "of 100s)"), "%s", result.sleep_past);
}

Test(deadlock, a_child_sleeping_past_the_timeout_while_its_parent_waits)
{
	require_detection();
	compile("child_sleeps", "#include <unistd.h>\n#include <sys/wait.h>\n"
				"int main(void) { if (fork() == 0) { sleep(100); return 0; }\n"
				"  wait(NULL); return 0; }\n");
	run_one_for("child_sleeps", 1000);
	expect_sleep_past(", and every other process waits for another one of them");
}

/* An absolute sleep on `clock` to 100 s from now, or `ahead` seconds. */
static void compile_absolute(const char *name, const char *clock, int ahead)
{
	char *source = xasprintf("#include <time.h>\nint main(void) { struct timespec t;\n"
				 "  clock_gettime(%s, &t); t.tv_sec += %d;\n"
				 "  return clock_nanosleep(%s, TIMER_ABSTIME, &t, NULL) != 0; }\n",
				 clock, ahead, clock);
	compile(name, source);
	free(source);
}

Test(deadlock, an_absolute_sleep_past_the_timeout)
{
	require_detection();
	compile_absolute("monotonic", "CLOCK_MONOTONIC", 100);
	run_one_for("monotonic", 1000);
	expect_sleep_past("(clock_nanosleep to a time ");
	compile_absolute("realtime", "CLOCK_REALTIME", 100);
	run_one_for("realtime", 1000);
	expect_sleep_past("s ahead)");
}

/* The bundled submission whose child sleeps 5 s in each 2 s test, graded by the grader. */
Test(deadlock, the_grader_ends_the_bundled_sleeper_at_once_as_a_timeout)
{
	require_detection();
	const char *argv[] = {e2e_grader(), "grade", "testcases/pipe_hello",
			      "submissions/pipe_hello/child_sleeps_judy", "-o", e2e_tmpdir(),
			      "--test", "default message", NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 1, "grader exited %d; stderr:\n%s", run.exit_code, run.err);
	e2e_run_release(&run);
	char *path = e2e_report_path("child_sleeps_judy");
	json_error_t jerr;
	json_t *report = json_load_file(path, 0, &jerr);
	cr_assert_not_null(report, "%s: %s", path, jerr.text);
	free(path);
	json_t *test = e2e_find_test(report, "default message");
	cr_assert_not_null(test);
	cr_expect_str_eq(json_string_value(json_object_get(test, "status")), "timeout");
	const char *message = NULL;
	size_t i;
	json_t *check;
	json_array_foreach(json_object_get(test, "checks"), i, check)
		if (!strcmp(json_string_value(json_object_get(check, "kind")), "timeout"))
			message = json_string_value(json_object_get(check, "message"));
	cr_assert_not_null(message, "no timeout check");
	cr_expect(strstr(message, "would not finish within its 2s timeout: pid "), "%s", message);
	/* sleep() is clock_nanosleep in today's C library, nanosleep in older ones. */
	cr_expect(strstr(message, ") sleeps past the deadline ("), "%s", message);
	cr_expect(strstr(message, "nanosleep of 5s), and every other process waits for another one "
				  "of them, so the test was stopped after "),
		  "%s", message);
	cr_expect_not(strstr(message, "deadlock"), "%s", message);
	/* The diagnosis the timeout gives. */
	const char *diagnosis = json_string_value(json_object_get(test, "diagnosis"));
	cr_expect(diagnosis && strstr(diagnosis, "which is sleeping (in sleep(), usleep() or "
						"nanosleep())"),
		  "%s", diagnosis);
	json_decref(report);
}

/* ---- near misses: a sleep that may yet end in time --------------------- */

Test(deadlock, an_absolute_sleep_ending_before_the_deadline)
{
	require_detection();
	compile_absolute("monotonic_soon", "CLOCK_MONOTONIC", 1);
	run_one("monotonic_soon");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].exit_code, 0);
}

Test(deadlock, a_sleep_past_the_timeout_beside_a_spinning_process)
{
	require_detection();
	compile("sleeps_beside_spin", "#include <unistd.h>\n"
				      "int main(void) { if (fork() == 0) for (volatile int i = 0;; i++) ;\n"
				      "  sleep(100); return 0; }\n");
	run_one_for("sleeps_beside_spin", 1000);
	expect_no_deadlock();
	cr_expect(result.timed_out, "the test finished");
}

Test(deadlock, a_sleep_past_the_timeout_beside_an_alarm)
{
	require_detection();
	/* The parent's alarm ends the test long before its timeout: it dies of SIGALRM. */
	compile("sleeps_beside_alarm", "#include <unistd.h>\n#include <sys/wait.h>\n"
				       "int main(void) { if (fork() == 0) { sleep(100); return 0; }\n"
				       "  alarm(1); wait(NULL); return 0; }\n");
	run_one("sleeps_beside_alarm");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].signal, 14 /* SIGALRM */, "signal %d", result.procs[0].signal);
}

Test(deadlock, a_thread_may_end_a_sleeping_process)
{
	require_detection();
	/* The main thread sleeps past the timeout; the other one ends the process soon. */
	compile("thread_exits", "#include <pthread.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
				"static void *later(void *x) { usleep(300000); exit(0); return x; }\n"
				"int main(void) { pthread_t t; pthread_create(&t, NULL, later, NULL);\n"
				"  sleep(100); return 1; }\n");
	run_one("thread_exits");
	expect_no_deadlock();
	cr_expect_not(result.timed_out);
	cr_expect_eq(result.procs[0].exit_code, 0);
}

Test(deadlock, a_loop_of_short_sleeps_runs_to_its_timeout)
{
	require_detection();
	compile("naps", "#include <unistd.h>\nint main(void) { for (;;) usleep(200000); }\n");
	run_one_for("naps", 1000);
	expect_no_deadlock();
	cr_expect(result.timed_out, "the test finished");
}

Test(deadlock, a_sleep_asked_for_in_shared_memory_runs_to_its_timeout)
{
	require_detection();
	/* Another process could have rewritten the request since the kernel read it. */
	compile("shared_request", "#include <sys/mman.h>\n#include <time.h>\n"
				  "int main(void) { struct timespec *ts = mmap(NULL, sizeof *ts,\n"
				  "    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n"
				  "  if (ts == MAP_FAILED) return 1;\n"
				  "  ts->tv_sec = 100; ts->tv_nsec = 0; return nanosleep(ts, NULL) != 0; }\n");
	run_one_for("shared_request", 1000);
	expect_no_deadlock();
	cr_expect(result.timed_out, "the test finished");
}

/* ---- the rule, on hand-built snapshots ---------------------------------- */

static struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
static char *words;

static void snap_teardown(void)
{
	diagnose_snapshot_release(&snap);
	free(words);
	words = NULL;
	teardown();
}

/* The grader, as every snapshot has it first. */
static void add_observer(void)
{
	diagnose_snapshot_add(&snap, 1, 0, 'S', "grader")->observer = true;
}

/* A process of one thread in clock_nanosleep for 5 s, which ends at `until` at the earliest. */
static struct diagnose_proc *add_sleeper(pid_t pid, pid_t ppid, double until)
{
	struct diagnose_proc *p = diagnose_snapshot_add(&snap, pid, ppid, 'S', "./sleeper");
	p->syscall = SYS_clock_nanosleep;
	p->threads = 1;
	p->sleep = (struct diagnose_sleep){true, false, 5, until};
	return p;
}

static enum diagnose_timeout decide(bool timers_armed, double deadline)
{
	free(words);
	return diagnose_certain_timeout(&snap, timers_armed, deadline, &words);
}

Test(deadlock, rule_a_sleep_must_end_after_the_deadline, .fini = snap_teardown)
{
	add_observer();
	add_sleeper(4, 1, 10.5);
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_SLEEP);
	cr_expect_str_eq(words, "pid 4 (./sleeper) sleeps past the deadline (clock_nanosleep of 5s)");
	cr_expect_eq(decide(false, 10.5), DIAGNOSE_TIMEOUT_UNCERTAIN, "it ends just then");
	cr_expect_null(words);
	cr_expect_eq(decide(false, 11), DIAGNOSE_TIMEOUT_UNCERTAIN);
	cr_expect_eq(decide(true, 10), DIAGNOSE_TIMEOUT_UNCERTAIN, "a timer could end it");
	snap.procs[1].sleep.known = false;
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_UNCERTAIN, "its end is not known");
	snap.procs[1].sleep.known = true;
	snap.procs[1].threads = 2;
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_UNCERTAIN, "another thread may run");
}

Test(deadlock, rule_the_others_must_wait_for_good, .fini = snap_teardown)
{
	add_observer();
	struct diagnose_proc *parent = diagnose_snapshot_add(&snap, 3, 1, 'S', "./parent");
	parent->syscall = SYS_wait4;
	add_sleeper(4, 3, 100);
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_SLEEP);
	cr_expect_str_eq(words, "pid 4 (./sleeper) sleeps past the deadline (clock_nanosleep of "
				"5s), and every other process waits for another one of them");
	snap.procs[1].state = 'R';
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_UNCERTAIN, "the parent runs");
	snap.procs[1].state = 'S';
	snap.procs[1].syscall = SYS_clock_nanosleep;
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_UNCERTAIN, "the parent's sleep is not known");
}

Test(deadlock, rule_names_the_sleeper_that_wakes_first, .fini = snap_teardown)
{
	add_observer();
	add_sleeper(4, 1, 200);
	struct diagnose_proc *p = add_sleeper(5, 4, 50);
	p->sleep = (struct diagnose_sleep){true, true, 1234.5, 50};
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_SLEEP);
	cr_expect_str_eq(words, "pid 5 (./sleeper) sleeps past the deadline (clock_nanosleep to a "
				"time 1234s ahead), and every other process sleeps past it too or "
				"waits for another one of them");
	cr_expect_eq(decide(false, 60), DIAGNOSE_TIMEOUT_UNCERTAIN, "pid 5 wakes in time");
}

Test(deadlock, rule_a_deadlock_stays_a_deadlock, .fini = snap_teardown)
{
	add_observer();
	struct diagnose_proc *p = diagnose_snapshot_add(&snap, 3, 1, 'S', "./pauses");
#ifdef SYS_pause
	p->syscall = SYS_pause;
#else
	p->syscall = SYS_ppoll;
#endif
	p->threads = 1;
	cr_expect_eq(decide(false, 10), DIAGNOSE_TIMEOUT_DEADLOCK);
	cr_expect_null(words);
}
