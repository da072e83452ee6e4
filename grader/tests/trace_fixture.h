/*
 * trace_fixture: what the tests of the trace share (test_trace.c,
 * test_trace_pct.c, test_trace_yield.c): a scratch folder and an environment per test (the
 * suite's init and fini), the result of the test's last run, and small C
 * programs compiled into the scratch folder.
 */
#ifndef GRADER_TRACE_FIXTURE_H
#define GRADER_TRACE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "run.h"
#include "trace.h"
#include "util.h"

/* The last run's result (released by the next run's caller or by fixture_teardown). */
extern struct run_result fixture_result;
extern bool fixture_have_result;
/* A fresh folder per test, the runs' working directory. */
extern char *fixture_scratch;

void fixture_setup(void);
void fixture_teardown(void);
/* One process (nprocs 1), run in the scratch folder with generous limits and no process limit. */
struct run_request fixture_request(const struct run_proc_spec *proc,
				   const struct trace_request *trace, long long timeout_ms);
/* The first even seed from `from` under which the first process started runs ahead of the second, or not. */
uint64_t fixture_seed_first_ahead(bool ahead, uint64_t from);
/* Runs the nprocs processes procs, perturbed under seed, without a sandbox, into fixture_result. */
void fixture_run_perturbed(struct run_proc_spec *procs, size_t nprocs, uint64_t seed);
/* Compiles C source into scratch/name; returns the program's path (caller frees). */
char *fixture_compile(const char *name, const char *source);
/* Copies the compiled program at path into folder as name. */
void fixture_install(const char *path, const char *folder, const char *name);
/* The lines of sv, each ended by a newline; caller frees. */
char *fixture_joined(const struct strvec *sv);
/* The last run's first recorded call named call, or NULL. */
const struct trace_event *fixture_find_event(const char *call);

#endif
