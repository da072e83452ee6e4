/*
 * Unit tests of the yields of a perturbed run (trace_pct.c, "Yields"): a
 * polling loop ahead of a held process lets it take one step per poll
 * without sleeping its polls, and puts its request back; where time could
 * matter (a request it cannot write, another process that is not held),
 * every sleep is slept.  What is asserted needs no clock of ours: a sleep
 * the kernel carried out never returns before its time, so one that did
 * was skipped, and the program itself says which did.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"
#include "trace.h"
#include "trace_fixture.h"
#include "util.h"

TestSuite(trace_yield, .init = fixture_setup, .fini = fixture_teardown, .timeout = 60);

/*
 * Polls with nanosleep: 1 ms until ./started exists, then 300 ms (a
 * request in writable memory, or with "ro" a const one), until ./done
 * exists or, with "go", four times, and then writes a byte into the fifo ./go.
 * Says whether some slow poll returned before the time it asked for (a
 * 1 ms poll may, while the other starts: it is held at its first steps),
 * and what its writable request asks for at the end.
 */
static const char poller_source[] =
	"#include <fcntl.h>\n#include <stdio.h>\n#include <string.h>\n#include <time.h>\n"
	"#include <unistd.h>\n"
	"static struct timespec later;\n"
	"static const struct timespec later_ro = {0, 300000000};\n"
	"static long long now_ns(void) {\n"
	"  struct timespec t;\n  clock_gettime(CLOCK_MONOTONIC, &t);\n"
	"  return t.tv_sec * 1000000000LL + t.tv_nsec;\n}\n"
	"int main(int argc, char **argv) {\n"
	"  later.tv_nsec = 300000000;\n"
	"  const struct timespec short_ = {0, 1000000};\n"
	"  const struct timespec *slow = !strcmp(argv[1], \"ro\") ? &later_ro : &later;\n"
	"  int go = !strcmp(argv[2], \"go\"), early = 0, polls = 0, slow_polls = 0;\n"
	"  while (go ? slow_polls < 4 : access(\"done\", F_OK) != 0) {\n"
	"    if (polls++ == 2000) return 1;\n"
	"    const struct timespec *ask = access(\"started\", F_OK) == 0 ? slow : &short_;\n"
	"    slow_polls += ask == slow;\n"
	"    long long asked = ask->tv_sec * 1000000000LL + ask->tv_nsec, t0 = now_ns();\n"
	"    nanosleep(ask, NULL);\n"
	"    early += ask == slow && now_ns() - t0 < asked;\n"
	"  }\n"
	"  if (go && write(open(\"go\", O_WRONLY), \"x\", 1) != 1) return 1;\n"
	"  printf(\"%s early, asks %ld ms\\n\", early ? \"some\" : \"none\", later.tv_nsec / 1000000);\n"
	"  return 0;\n}\n";

/* Runs the poller (its arguments: a request, an end) ahead of `other`; returns the poller's line. */
static const char *poll_ahead_of(const char *request, const char *end, char **other_argv)
{
	char *poller = fixture_compile("poller", poller_source);
	char *poll_argv[] = {poller, (char *)request, (char *)end, NULL};
	struct run_proc_spec procs[] = {{.name = "poller", .argv = poll_argv},
					{.name = "other", .argv = other_argv}};
	fixture_run_perturbed(procs, 2, fixture_seed_first_ahead(true, 900));
	free(poller);
	cr_assert_not(fixture_result.timed_out);
	cr_assert_eq(fixture_result.procs[0].exit_code, 0, "%s", fixture_result.procs[0].err.data);
	return fixture_result.procs[0].out.data;
}

Test(trace_yield, a_poll_ahead_of_a_held_process_is_not_slept_and_its_request_is_put_back)
{
	/*
	 * Once `started` is there, the other is held at each of its steps (four
	 * writes, its exit) while the poller polls: each poll lets it take one
	 * step, and, the other held again, returns at once.  The first slow
	 * poll may be slept (the other may not be held yet when it begins):
	 * the second cannot.
	 */
	char *other[] = {"/bin/sh", "-c", ": > started; echo 1; echo 2; echo 3; echo 4; : > done",
			 NULL};
	cr_expect_str_eq(poll_ahead_of("rw", "done", other), "some early, asks 300 ms\n");
	cr_expect_str_eq(fixture_result.procs[1].out.data, "1\n2\n3\n4\n");
}

Test(trace_yield, a_request_the_grader_cannot_write_is_slept)
{
	/* A const request: nothing to make shorter, each poll sleeps its 300 ms. */
	char *other[] = {"/bin/sh", "-c", ": > started; echo 1; echo 2; : > done", NULL};
	cr_expect_str_eq(poll_ahead_of("ro", "done", other), "none early, asks 300 ms\n");
}

/* scratch/go, a fifo, and scratch/blocker, which makes `started` and blocks opening go. */
static char *make_blocker(void)
{
	char *fifo = path_join(fixture_scratch, "go");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	free(fifo);
	return fixture_compile("blocker", "#include <fcntl.h>\n#include <unistd.h>\n"
					  "int main(void) {\n"
					  "  close(open(\"started\", O_CREAT | O_WRONLY, 0644));\n"
					  "  char c;\n"
					  "  return read(open(\"go\", O_RDONLY), &c, 1) != 1;\n}\n");
}

Test(trace_yield, a_process_that_is_not_held_makes_every_poll_sleep)
{
	/*
	 * The other makes `started` and then blocks opening the fifo for
	 * reading, which is no step: it is never held while the poller polls,
	 * so no poll can be cut short (here nothing but the poller could end
	 * its wait, but the tracer does not know a fifo's other end).
	 */
	char *blocker = make_blocker();
	char *other[] = {blocker, NULL};
	cr_expect_str_eq(poll_ahead_of("rw", "go", other), "none early, asks 300 ms\n");
	cr_expect_eq(fixture_result.procs[1].exit_code, 0);
	free(blocker);
}

Test(trace_yield, one_process_held_and_one_not_make_every_poll_sleep)
{
	/*
	 * Three processes, the poller ahead of both others: the shell is held
	 * at each of its writes, but the blocker blocks where it is not held:
	 * time could still matter to it, so the poller's sleeps are slept
	 * although the shell waits.
	 */
	char *blocker = make_blocker();
	char *poller = fixture_compile("poller", poller_source);
	char *poll_argv[] = {poller, "rw", "go", NULL};
	char *shell_argv[] = {"/bin/sh", "-c",
			      "while [ ! -e started ]; do :; done; "
			      "echo 1; echo 2; echo 3; echo 4; echo 5; echo 6",
			      NULL};
	char *block_argv[] = {blocker, NULL};
	struct run_proc_spec procs[] = {{.name = "poller", .argv = poll_argv},
					{.name = "shell", .argv = shell_argv},
					{.name = "blocker", .argv = block_argv}};
	uint64_t seed = 900;
	while (trace_pct_priority(seed, 0) < trace_pct_priority(seed, 1) ||
	       trace_pct_priority(seed, 0) < trace_pct_priority(seed, 2))
		seed++;
	fixture_run_perturbed(procs, 3, seed);
	cr_assert_not(fixture_result.timed_out);
	cr_expect_str_eq(fixture_result.procs[0].out.data, "none early, asks 300 ms\n");
	cr_expect_str_eq(fixture_result.procs[1].out.data, "1\n2\n3\n4\n5\n6\n");
	cr_expect_eq(fixture_result.procs[2].exit_code, 0);
	free(poller);
	free(blocker);
}
