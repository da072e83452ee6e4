/*
 * Unit tests of the schedule of a perturbed run (trace_pct.c): the orders a
 * seed gives, how the failing order is told, and traced runs of shell
 * commands and small C programs in which a process is held, let go when
 * the one ahead blocks, spins, stops or vforks, and in which a seed
 * replays its order.  No timing is assumed: each outcome follows from the
 * order alone.  They pass as root and as an ordinary user.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "sandbox.h"
#include "trace.h"
#include "trace_pct_internal.h"
#include "trace_fixture.h"
#include "util.h"

TestSuite(trace_pct, .init = fixture_setup, .fini = fixture_teardown, .timeout = 60);

Test(trace_pct, a_seed_gives_one_order_and_its_pair_the_other)
{
	int first_ahead = 0;
	for (uint64_t seed = 1000; seed < 1400; seed += 2) {
		int64_t a0 = trace_pct_priority(seed, 0), a1 = trace_pct_priority(seed, 1);
		int64_t a2 = trace_pct_priority(seed, 2);
		cr_assert_eq(a0, trace_pct_priority(seed, 0), "seed %llu: not a function of the seed",
			     (unsigned long long)seed);
		cr_assert_neq(a0, a1);
		/* Its pair flips every order, among three processes too. */
		int64_t b0 = trace_pct_priority(seed + 1, 0), b1 = trace_pct_priority(seed + 1, 1);
		int64_t b2 = trace_pct_priority(seed + 1, 2);
		cr_assert_neq(a0 > a1, b0 > b1, "seeds %llu and %llu give the same order",
			      (unsigned long long)seed, (unsigned long long)seed + 1);
		cr_assert_neq(a1 > a2, b1 > b2);
		cr_assert_neq(a0 > a2, b0 > b2);
		first_ahead += a0 > a1;
	}
	/* Over 200 pairs, either order leads in some (a draw, not a rule). */
	cr_expect(first_ahead > 60 && first_ahead < 140, "the first runs ahead in %d of 200 pairs",
		  first_ahead);
}

Test(trace_pct, the_schedule_is_told_with_its_seed)
{
	struct trace_record rec;
	trace_record_init(&rec);
	cr_expect_null(trace_schedule_text(&rec, 42), "no hold, nothing to tell");
	strvec_push(&rec.schedule, "pid 2 (./server) was held after shmat() for 14 ms; meanwhile "
				   "pid 3 (./client) wrote 1 line (write)");
	strvec_push(&rec.schedule, "pid 3 (./client) was held at write() for 1 ms; meanwhile pid 2 "
				   "(./server) exited");
	rec.schedule_more = 2;
	char *text = trace_schedule_text(&rec, 42);
	cr_assert_not_null(text);
	cr_expect(strstr(text, "pid 2 (./server) was held after shmat() for 14 ms; meanwhile pid 3 "
			       "(./client) wrote 1 line (write). Later, pid 3 (./client) was held"),
		  "%s", text);
	cr_expect(strstr(text, "(and 2 more holds)"), "%s", text);
	cr_expect(strstr(text, "Replay this order with --seed 42."), "%s", text);
	free(text);
	/* The order alone tells the run where no hold was needed (the one ahead simply went first). */
	strvec_clear(&rec.schedule);
	rec.schedule_more = 0;
	rec.schedule_order = xstrdup("pid 3 (./client) ahead of pid 2 (./server)");
	text = trace_schedule_text(&rec, 7);
	cr_assert_not_null(text);
	cr_expect_str_eq(text, "This run failed in an order of the grader's choosing (perturb): it "
			       "ran pid 3 (./client) ahead of pid 2 (./server). Replay this order "
			       "with --seed 7.");
	free(text);
	trace_record_release(&rec);
}

Test(trace_pct, a_lone_perturbed_process_runs_on_and_its_record_is_unchanged)
{
	/* dash writes each echo at once: 40 write()s, each a step, with nobody to hold it for. */
	char *argv[] = {"/bin/sh", "-c", "i=0; while [ $i -lt 40 ]; do echo $i; i=$((i+1)); done",
			NULL};
	struct trace_request trace = {.perturb = true, .seed = 7};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, &trace, 20000);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
	cr_expect_not(fixture_result.timed_out);
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	cr_expect_eq(fixture_result.procs[0].out.total, 110, "the output is not whole: %s",
		     fixture_result.procs[0].out.data);
	/* Stopped only as steps: not recorded, the record is that of an unperturbed run. */
	cr_expect_null(fixture_find_event("write"));
	/* Held for no one: nothing to tell. */
	cr_expect_eq(fixture_result.trace.schedule.n, 0, "%s",
		     fixture_result.trace.schedule.n ? fixture_result.trace.schedule.v[0] : "");
}

/* Runs the reader and the writer of scratch/fifo under seed; returns what they appended to scratch/log. */
static char *fifo_run(uint64_t seed)
{
	char *log = path_join(fixture_scratch, "log");
	unlink(log);
	char *reader[] = {"/bin/sh", "-c", "echo h1 >> log; read x < fifo; echo \"got $x\" >> log",
			  NULL};
	char *writer[] = {"/bin/sh", "-c", "echo l1 >> log; echo hi > fifo", NULL};
	struct run_proc_spec procs[] = {{.name = "reader", .argv = reader},
					{.name = "writer", .argv = writer}};
	fixture_run_perturbed(procs, 2, seed);
	cr_assert_not(fixture_result.timed_out, "seed %llu: a process was kept back while the one ahead "
					"of it waited for it",
		      (unsigned long long)seed);
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	cr_assert_eq(read_file(log, &text), 0, "%s", error_last());
	free(log);
	return strbuf_detach(&text, NULL);
}

Test(trace_pct, the_one_ahead_runs_until_it_blocks_and_a_seed_replays_the_order)
{
	/*
	 * Whichever runs ahead appends its first line first and then blocks
	 * on the fifo, which only the other can open or feed: the one held
	 * must then be let go, or the test hangs until its timeout.  Which
	 * one is ahead is the seed's choice, every time.
	 */
	char *fifo = path_join(fixture_scratch, "fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	free(fifo);
	uint64_t seed = fixture_seed_first_ahead(true, 100);
	for (int i = 0; i < 3; i++) {
		char *log = fifo_run(seed);
		cr_expect_str_eq(log, "h1\nl1\ngot hi\n", "seed %llu: the reader runs ahead",
				 (unsigned long long)seed);
		free(log);
		log = fifo_run(seed + 1);
		cr_expect_str_eq(log, "l1\nh1\ngot hi\n", "seed %llu: the writer runs ahead",
				 (unsigned long long)seed + 1);
		free(log);
	}
}

Test(trace_pct, a_stopped_process_ahead_does_not_hold_the_other)
{
	/*
	 * The one ahead stops itself (SIGSTOP) until the other continues it:
	 * a job-control stop waits for somebody, and the other must run.
	 */
	char *stopper[] = {"/bin/sh", "-c", "echo $$ > pid.tmp; mv pid.tmp pid; kill -STOP $$; "
					    "echo resumed",
			   NULL};
	char *waker[] = {"/bin/sh", "-c", "while [ ! -e pid ]; do sleep 0.01; done; "
					  "kill -CONT $(cat pid)",
			 NULL};
	struct run_proc_spec procs[] = {{.name = "stopper", .argv = stopper},
					{.name = "waker", .argv = waker}};
	fixture_run_perturbed(procs, 2, fixture_seed_first_ahead(true, 500));
	cr_expect_not(fixture_result.timed_out, "the waker was held while the stopper waited for it");
	cr_expect_str_eq(fixture_result.procs[0].out.data, "resumed\n");
	cr_expect_eq(fixture_result.procs[1].exit_code, 0);
}

Test(trace_pct, a_vfork_parent_ahead_does_not_hold_its_child)
{
	/*
	 * vfork's caller sleeps (D, as a disk sleep would) until its child
	 * has exec'd: it waits for the child.  Each seed pair flips every
	 * order, so one seed of each pair puts the child behind its parent.
	 */
	char *prog = fixture_compile("vforks", "#include <stdio.h>\n#include <sys/wait.h>\n"
				       "#include <unistd.h>\n"
				       "int main(void) {\n"
				       "  pid_t pid = vfork();\n"
				       "  if (pid == 0) { execl(\"/bin/true\", \"true\", (char *)0); _exit(1); }\n"
				       "  int status;\n  waitpid(pid, &status, 0);\n"
				       "  printf(\"child %d\\n\", WEXITSTATUS(status));\n  return 0;\n}\n");
	char *argv[] = {prog, NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	for (uint64_t seed = 600; seed < 604; seed++) {
		struct trace_request trace = {.perturb = true, .seed = seed};
		struct run_request req = fixture_request(&proc, &trace, 20000);
		if (fixture_have_result)
			run_result_release(&fixture_result);
		cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
		fixture_have_result = true;
		cr_expect_not(fixture_result.timed_out, "seed %llu: the child was held while its parent "
						"waited for it",
			      (unsigned long long)seed);
		cr_expect_str_eq(fixture_result.procs[0].out.data, "child 0\n");
	}
	free(prog);
}

Test(trace_pct, a_sleep_interrupted_and_restarted_still_holds_the_other)
{
	/*
	 * The one ahead sleeps 300 ms; a signal it ignores (a traced process
	 * is woken by it all the same) interrupts the sleep after 50 ms, and
	 * the kernel restarts it: it sleeps on, and the other stays held
	 * until it has written its line.
	 */
	char *sleeper = fixture_compile("sleeper",
					"#include <signal.h>\n#include <stdio.h>\n"
					"#include <sys/time.h>\n#include <unistd.h>\n"
					"int main(void) {\n"
					"  signal(SIGALRM, SIG_IGN);\n"
					"  struct itimerval in50ms = {{0, 0}, {0, 50000}};\n"
					"  setitimer(ITIMER_REAL, &in50ms, 0);\n"
					"  usleep(300000);\n"
					"  FILE *log = fopen(\"log\", \"a\");\n"
					"  fputs(\"first\\n\", log);\n  fclose(log);\n  return 0;\n}\n");
	char *sleep_argv[] = {sleeper, NULL};
	char *other[] = {"/bin/sh", "-c", "echo second >> log", NULL};
	struct run_proc_spec procs[] = {{.name = "sleeper", .argv = sleep_argv},
					{.name = "other", .argv = other}};
	fixture_run_perturbed(procs, 2, fixture_seed_first_ahead(true, 700));
	cr_expect_not(fixture_result.timed_out);
	char *log = path_join(fixture_scratch, "log");
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	cr_assert_eq(read_file(log, &text), 0, "%s", error_last());
	cr_expect_str_eq(text.buf, "first\nsecond\n", "the other ran during the restarted sleep");
	strbuf_release(&text);
	free(log);
	free(sleeper);
}

Test(trace_pct, a_process_spinning_ahead_cannot_hold_the_other_forever)
{
	/*
	 * The spinner runs ahead and waits for the setter's flag in a loop
	 * without a single system call: it never blocks.  The setter, held
	 * at its steps, is let go once the spinner has used TRACE_PCT_SPIN_MS
	 * of CPU time, or the test would hang.
	 */
	char *spinner = fixture_compile("spinner", "#include <fcntl.h>\n#include <stdio.h>\n"
					   "#include <sys/mman.h>\n"
					   "int main(void) {\n"
					   "  int fd = open(\"flag\", O_RDWR);\n"
					   "  volatile char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, "
					   "MAP_SHARED, fd, 0);\n"
					   "  while (!p[0]) ;\n"
					   "  puts(\"seen\");\n  return 0;\n}\n");
	char *setter = fixture_compile("setter", "#include <fcntl.h>\n#include <stdio.h>\n"
					 "#include <sys/mman.h>\n"
					 "int main(void) {\n"
					 "  int fd = open(\"flag\", O_RDWR);\n"
					 "  char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);\n"
					 "  printf(\"setting\\n\");\n  fflush(stdout);\n"
					 "  p[0] = 1;\n  return 0;\n}\n");
	char *flag = path_join(fixture_scratch, "flag");
	char zeros[4096] = {0};
	cr_assert_eq(write_file_atomic(flag, zeros, sizeof(zeros)), 0);
	free(flag);
	char *spin_argv[] = {spinner, NULL}, *set_argv[] = {setter, NULL};
	struct run_proc_spec procs[] = {{.name = "spinner", .argv = spin_argv},
					{.name = "setter", .argv = set_argv}};
	fixture_run_perturbed(procs, 2, fixture_seed_first_ahead(true, 200));
	cr_expect_not(fixture_result.timed_out, "the setter was held for as long as the spinner spun");
	cr_expect_str_eq(fixture_result.procs[0].out.data, "seen\n");
	cr_expect_str_eq(fixture_result.procs[1].out.data, "setting\n");
	/*
	 * The setter was held until the spinner had spun its due (unheld, it
	 * sets the flag within a few ms): a lower bound in CPU time, which no
	 * load breaks.
	 */
	cr_expect_geq(fixture_result.procs[0].cpu_seconds, TRACE_PCT_SPIN_MS / 1000.0,
		      "the spinner used %.3fs", fixture_result.procs[0].cpu_seconds);
	free(spinner);
	free(setter);
}

/*
 * Compiles the server and the client of grader/tests/races/submissions/<submission>
 * into scratch/work, the runs' working folder, as ./shm_server and ./shm_client;
 * returns that folder (caller frees).
 */
static char *race_workdir(const char *submission)
{
	const char *root = getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
	char *workdir = path_join(fixture_scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0);
	const char *names[] = {"shm_server", "shm_client"};
	for (size_t i = 0; i < 2; i++) {
		char *src = xasprintf("%s/grader/tests/races/submissions/%s/%s.c", root, submission,
				      names[i]);
		struct strbuf text = STRBUF_INIT;
		strbuf_init(&text);
		cr_assert_eq(read_file(src, &text), 0, "%s", error_last());
		char *prog = fixture_compile(names[i], text.buf);
		fixture_install(prog, workdir, names[i]);
		free(prog);
		strbuf_release(&text);
		free(src);
	}
	return workdir;
}

/*
 * One sandboxed run of the pair in workdir under seed, the client started
 * on ready (NULL: at once): whether the client read the message.
 */
static bool race_run(struct sandbox *sb, const char *workdir, const struct ready_spec *ready,
		     uint64_t seed)
{
	char *server[] = {"./shm_server", NULL}, *client[] = {"./shm_client", NULL};
	struct run_proc_spec procs[] = {
		{.name = "server", .argv = server, .stdin_data = "hello\n", .stdin_len = 6,
		 .ready = ready},
		{.name = "client", .argv = client},
	};
	struct trace_request trace = {.perturb = true, .seed = seed};
	struct run_request req = fixture_request(procs, &trace, 10000);
	req.nprocs = 2;
	req.workdir = workdir;
	if (fixture_have_result)
		run_result_release(&fixture_result);
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
	cr_assert_not(fixture_result.timed_out);
	return !strcmp(fixture_result.procs[1].out.data, "client read: hello\n");
}

Test(trace_pct, a_seed_replays_its_order_and_its_pair_the_other, .timeout = 120)
{
	/*
	 * The client reads the segment without waiting for the server's flag:
	 * it reads the message only when the server runs ahead.  A seed picks
	 * one order, every time; the other seed of its pair, the other order.
	 */
	struct sandbox *sb = sandbox_new(true);
	char *workdir = race_workdir("racy_no_flag_wait");
	struct ready_spec ready = {.kind = READY_IPC_SHM};
	uint64_t seed = fixture_seed_first_ahead(true, 300);
	for (int i = 0; i < 3; i++) {
		cr_expect(race_run(sb, workdir, &ready, seed),
			  "seed %llu: the server runs ahead, the message is there when read",
			  (unsigned long long)seed);
		cr_expect_not(race_run(sb, workdir, &ready, seed + 1),
			      "seed %llu: the client runs ahead, the message is not there yet",
			      (unsigned long long)seed + 1);
		char *told = fixture_joined(&fixture_result.trace.schedule);
		cr_expect(strstr(told, "(./shm_server) was held after shmget() for "), "%s", told);
		free(told);
	}
	free(workdir);
	sandbox_free(sb);
}

/* The schedule without the times a run's pace changes (" for 14 ms"). */
static char *schedule_untimed(void)
{
	char *told = fixture_joined(&fixture_result.trace.schedule);
	char *from;
	while ((from = strstr(told, " for ")) && strstr(from, " ms;")) {
		char *to = strstr(from, " ms;") + strlen(" ms");
		memmove(from, to, strlen(to) + 1);
	}
	return told;
}

Test(trace_pct, a_seed_reproduces_the_same_holds)
{
	/*
	 * The first process prints "ready", which starts the second: the
	 * first is then held right after that write (whatever the machine's
	 * scheduler would have let it do next), the second ahead of it.  The
	 * second never blocks, so the first is held until it has exited:
	 * the same holds, the same steps meanwhile, every time.
	 */
	char *first[] = {"/bin/sh", "-c", "echo ready; echo two; echo three", NULL};
	char *second[] = {"/bin/sh", "-c", "echo a; echo b; echo c; echo d; echo e", NULL};
	struct ready_spec ready = {.kind = READY_STDOUT, .text = "ready"};
	struct run_proc_spec procs[] = {{.name = "first", .argv = first, .ready = &ready},
					{.name = "second", .argv = second}};
	for (int i = 0; i < 3; i++) {
		fixture_run_perturbed(procs, 2, fixture_seed_first_ahead(false, 400));
		cr_expect_str_eq(fixture_result.procs[0].out.data, "ready\ntwo\nthree\n");
		char *told = schedule_untimed();
		char *want = xasprintf("pid %d (/bin/sh) was held after write(); meanwhile pid %d "
				       "(/bin/sh) started its program (execve), read (read), wrote "
				       "5 lines (write) and exited\n",
				       (int)fixture_result.procs[0].pid, (int)fixture_result.procs[1].pid);
		cr_expect_str_eq(told, want, "run %d:\n%s\nwanted:\n%s", i + 1, told, want);
		free(want);
		free(told);
	}
}

/* ---- the orders a test's runs have tried (trace_orders_*) ---------------- */

/* The record of a perturbed run that saw n processes, keys the highest priority first (none past TRACE_ORDER_MAX). */
static struct trace_record order_run(size_t n, const uint64_t *keys)
{
	struct trace_record rec;
	/* All trace_orders_add reads: no strvec to set up. */
	memset(&rec, 0, sizeof(rec));
	rec.traced = true;
	rec.order_procs = n;
	for (size_t i = 0; n <= TRACE_ORDER_MAX && i < n; i++)
		rec.order[i] = keys[i];
	return rec;
}

static void add_order(struct trace_orders *o, size_t n, const uint64_t *keys)
{
	struct trace_record rec = order_run(n, keys);
	trace_orders_add(o, &rec);
}

/* A child's key has its top bit set (trace_pct.c): any such number stands for one. */
#define CHILD (1ULL << 63 | 12345)

Test(trace_orders, nothing_is_tried_before_the_first_run)
{
	struct trace_orders o;
	trace_orders_init(&o);
	cr_expect_not(trace_orders_all_tried(&o));
}

Test(trace_orders, one_process_has_one_order_tried_by_its_first_run)
{
	struct trace_orders o;
	trace_orders_init(&o);
	add_order(&o, 1, (uint64_t[]){1});
	cr_expect(trace_orders_all_tried(&o));
}

Test(trace_orders, two_processes_are_all_tried_once_both_orders_ran)
{
	struct trace_orders o;
	trace_orders_init(&o);
	add_order(&o, 2, (uint64_t[]){2, 1});
	cr_expect_not(trace_orders_all_tried(&o));
	/* A replay tries nothing new. */
	add_order(&o, 2, (uint64_t[]){2, 1});
	cr_expect_not(trace_orders_all_tried(&o));
	add_order(&o, 2, (uint64_t[]){1, 2});
	cr_expect(trace_orders_all_tried(&o));
	cr_expect_eq(o.nprocs, 2);
}

/* The next order of keys in lexicographic order; false after the last. */
static bool next_order(uint64_t *keys, size_t n)
{
	size_t i = n - 1;
	while (i > 0 && keys[i - 1] >= keys[i])
		i--;
	if (i == 0)
		return false;
	size_t j = n - 1;
	while (keys[j] <= keys[i - 1])
		j--;
	uint64_t swap = keys[i - 1];
	keys[i - 1] = keys[j];
	keys[j] = swap;
	for (size_t a = i, b = n - 1; a < b; a++, b--) {
		swap = keys[a];
		keys[a] = keys[b];
		keys[b] = swap;
	}
	return true;
}

Test(trace_orders, k_processes_need_every_one_of_their_k_factorial_orders)
{
	/* Each order once, each replayed too: all tried with the last new one, not before. */
	for (size_t n = 2; n <= TRACE_ORDER_MAX; n++) {
		uint64_t keys[TRACE_ORDER_MAX] = {1, 2, 3, 4, CHILD, CHILD + 1};
		struct trace_orders o;
		trace_orders_init(&o);
		size_t orders = 0;
		do {
			cr_assert_not(trace_orders_all_tried(&o), "%zu processes: all tried after %zu orders",
				      n, orders);
			add_order(&o, n, keys);
			add_order(&o, n, keys);
			orders++;
		} while (next_order(keys, n));
		cr_expect(trace_orders_all_tried(&o), "%zu processes: not all tried after %zu orders", n,
			  orders);
		cr_expect_eq(o.ntried, orders);
	}
}

Test(trace_orders, runs_that_saw_other_processes_keep_the_orders_open)
{
	/* A child in some runs only (an order made the fork): never comparable, never all tried. */
	struct trace_orders o;
	trace_orders_init(&o);
	add_order(&o, 2, (uint64_t[]){1, 2});
	add_order(&o, 3, (uint64_t[]){CHILD, 2, 1});
	add_order(&o, 2, (uint64_t[]){2, 1});
	cr_expect_not(trace_orders_all_tried(&o));
	/* As many processes, not the same ones. */
	trace_orders_init(&o);
	add_order(&o, 2, (uint64_t[]){1, 2});
	add_order(&o, 2, (uint64_t[]){CHILD, 1});
	add_order(&o, 2, (uint64_t[]){2, 1});
	cr_expect_not(trace_orders_all_tried(&o));
}

Test(trace_orders, a_run_that_was_not_perturbed_keeps_the_orders_open)
{
	struct trace_record unperturbed[3];
	unperturbed[0] = order_run(2, (uint64_t[]){1, 2});
	unperturbed[0].unavailable = "ptrace(PTRACE_SEIZE): Operation not permitted";
	unperturbed[1] = order_run(2, (uint64_t[]){1, 2});
	unperturbed[1].traced = false;
	unperturbed[2] = order_run(0, NULL);
	for (size_t i = 0; i < 3; i++) {
		struct trace_orders o;
		trace_orders_init(&o);
		trace_orders_add(&o, &unperturbed[i]);
		add_order(&o, 2, (uint64_t[]){1, 2});
		add_order(&o, 2, (uint64_t[]){2, 1});
		cr_expect_not(trace_orders_all_tried(&o), "case %zu, first", i);
		/* Between two runs that tried both orders as well. */
		trace_orders_init(&o);
		add_order(&o, 2, (uint64_t[]){1, 2});
		trace_orders_add(&o, &unperturbed[i]);
		add_order(&o, 2, (uint64_t[]){2, 1});
		cr_expect_not(trace_orders_all_tried(&o), "case %zu, between", i);
	}
}

Test(trace_orders, too_many_processes_or_a_shared_key_keep_the_orders_open)
{
	struct trace_orders o;
	trace_orders_init(&o);
	/* Only counted past TRACE_ORDER_MAX: 7! orders, more than any repeat tries. */
	add_order(&o, TRACE_ORDER_MAX + 1, NULL);
	cr_expect_not(trace_orders_all_tried(&o));
	/* Two processes with one key share a priority: their order is not the seed's. */
	trace_orders_init(&o);
	add_order(&o, 2, (uint64_t[]){CHILD, CHILD});
	add_order(&o, 2, (uint64_t[]){CHILD, CHILD});
	cr_expect_not(trace_orders_all_tried(&o));
}

/* ---- the order a run records ---------------------------------------------- */

/* The record's order of the last run as text: "1 2", a child's key as "c". */
static char *recorded_order(void)
{
	const struct trace_record *rec = &fixture_result.trace;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < rec->order_procs && i < TRACE_ORDER_MAX; i++) {
		if (rec->order[i] >> 63)
			strbuf_addf(&sb, "%sc", i ? " " : "");
		else
			strbuf_addf(&sb, "%s%llu", i ? " " : "", (unsigned long long)rec->order[i]);
	}
	return strbuf_detach(&sb, NULL);
}

Test(trace_pct, a_run_records_its_order_and_the_other_seed_of_its_pair_the_other)
{
	/* The started processes are keyed 1, 2, ...; a child by its parent and its rank. */
	char *first[] = {"/bin/sh", "-c", "echo a", NULL};
	char *second[] = {"/bin/sh", "-c", "/bin/true; echo b", NULL};
	struct run_proc_spec procs[] = {{.name = "first", .argv = first},
					{.name = "second", .argv = second}};
	uint64_t seed = fixture_seed_first_ahead(true, 800);
	fixture_run_perturbed(procs, 2, seed);
	cr_assert_eq(fixture_result.trace.order_procs, 3, "the two and the second's child");
	char *ahead = recorded_order();
	uint64_t child = 0;
	for (size_t i = 0; i < 3; i++)
		child |= fixture_result.trace.order[i] >> 63 ? fixture_result.trace.order[i] : 0;
	cr_expect_neq(child, 0, "no child's key: %s", ahead);
	cr_expect(strstr(ahead, "1") < strstr(ahead, "2"), "seed %llu: %s",
		  (unsigned long long)seed, ahead);
	/* Its pair: every order flipped, the keys the same. */
	fixture_run_perturbed(procs, 2, seed + 1);
	cr_assert_eq(fixture_result.trace.order_procs, 3);
	char *flipped = recorded_order();
	char want[16];
	cr_assert_eq(strlen(ahead), 5);
	snprintf(want, sizeof(want), "%c %c %c", ahead[4], ahead[2], ahead[0]);
	cr_expect_str_eq(flipped, want);
	for (size_t i = 0; i < 3; i++)
		if (fixture_result.trace.order[i] >> 63)
			cr_expect_eq(fixture_result.trace.order[i], child, "the child's key changed");
	free(ahead);
	free(flipped);
}

Test(trace_pct, more_processes_than_a_record_orders_are_only_counted)
{
	char *argv[] = {"/bin/sh", "-c",
			"/bin/true; /bin/true; /bin/true; /bin/true; /bin/true; /bin/true; "
			"/bin/true; echo done",
			NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct trace_request trace = {.perturb = true, .seed = 9};
	struct run_request req = fixture_request(&proc, &trace, 20000);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
	cr_expect_str_eq(fixture_result.procs[0].out.data, "done\n");
	cr_expect_eq(fixture_result.trace.order_procs, 8, "the shell and its 7 children");
	for (size_t i = 0; i < TRACE_ORDER_MAX; i++)
		cr_expect_eq(fixture_result.trace.order[i], 0, "a part of the order kept");
	struct trace_orders o;
	trace_orders_init(&o);
	trace_orders_add(&o, &fixture_result.trace);
	cr_expect_not(trace_orders_all_tried(&o));
}

Test(trace_pct, a_fork_one_order_makes_keeps_the_orders_open, .timeout = 120)
{
	/*
	 * correct_fork_if_first's client, started at once: behind the server
	 * it finds the segment and reads it itself (two processes); ahead of
	 * it, it finds none and forks a child that waits for it (three).  The
	 * record crosses the sandbox's wire, its order with it.
	 */
	struct sandbox *sb = sandbox_new(true);
	char *workdir = race_workdir("correct_fork_if_first");
	uint64_t seed = fixture_seed_first_ahead(true, 900);
	struct trace_orders o;
	trace_orders_init(&o);
	for (int i = 0; i < 2; i++) {
		cr_expect(race_run(sb, workdir, NULL, seed), "seed %llu: the server ahead",
			  (unsigned long long)seed);
		char *order = recorded_order();
		cr_expect_str_eq(order, "1 2", "seed %llu", (unsigned long long)seed);
		free(order);
		trace_orders_add(&o, &fixture_result.trace);
		cr_expect(race_run(sb, workdir, NULL, seed + 1), "seed %llu: the client ahead",
			  (unsigned long long)seed + 1);
		cr_expect_eq(fixture_result.trace.order_procs, 3, "seed %llu: the client forked no child",
			     (unsigned long long)seed + 1);
		order = recorded_order();
		cr_expect(strstr(order, "2") < strstr(order, "1"), "seed %llu: %s",
			  (unsigned long long)seed + 1, order);
		free(order);
		trace_orders_add(&o, &fixture_result.trace);
	}
	/* Both orders of the server and the client tried, twice: still not every order of a set. */
	cr_expect_not(trace_orders_all_tried(&o));
	free(workdir);
	sandbox_free(sb);
}

/*
 * A hold adds up the time the polls it sees in a row ask for.  A request
 * that cannot be read (a bad pointer: here address 8 of this very process)
 * asks for an unknown time, LONG_MAX: two of them in a row stay unknown
 * rather than overflow (which the sanitizers of `make test` abort on).
 */
Test(trace_pct_tell, polls_of_unknown_length_in_a_row_stay_unknown)
{
	struct trace_watch watched[] = {{.nr = 35, .name = "nanosleep"}};
	struct pct_hold hold = {0};
	struct task held = {.proc = 1, .hold = &hold};
	struct tracer t = {.watched = watched, .nwatched = 1, .tasks = &held, .ntasks = 1};
	const uint64_t bad_request[] = {8, 0};
	pct_tell_holds(&t, 0, getpid(), 35, bad_request);
	pct_tell_holds(&t, 0, getpid(), 35, bad_request);
	cr_assert_eq(hold.nseen, 1);
	cr_expect_eq(hold.seen[0].count, 2);
	cr_expect_eq(hold.seen[0].sleep_ms, LONG_MAX);
	free(hold.seen);
}
