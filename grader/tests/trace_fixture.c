#include "trace_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2e_util.h"

struct run_result fixture_result;
bool fixture_have_result;
char *fixture_scratch;
static struct strvec env;

void fixture_setup(void)
{
	fixture_scratch = make_scratch_dir("grader-trace-test");
	cr_assert_not_null(fixture_scratch, "%s", error_last());
	strvec_init(&env);
	run_build_env(&env, fixture_scratch, NULL, 0);
}

void fixture_teardown(void)
{
	if (fixture_have_result)
		run_result_release(&fixture_result);
	fixture_have_result = false;
	remove_tree(fixture_scratch);
	free(fixture_scratch);
	strvec_clear(&env);
}

struct run_request fixture_request(const struct run_proc_spec *proc,
				   const struct trace_request *trace, long long timeout_ms)
{
	/*
	 * No process limit (0): unsandboxed, an ordinary user's limit is
	 * RLIMIT_NPROC, which counts every thread of that user on the machine,
	 * and other tests' and users' come and go.  The limit is the sandbox
	 * tests' (test_sandbox.c, in a namespace of their own).
	 */
	struct run_request req = {
		.workdir = fixture_scratch,
		.envp = env.v,
		.limits = {.cpu_ms = 5000, .memory = 1LL << 30, .processes = 0, .output = 1 << 20,
			   .open_files = 64},
		.timeout_ms = timeout_ms,
		.procs = proc,
		.nprocs = 1,
		.trace = trace,
	};
	return req;
}

uint64_t fixture_seed_first_ahead(bool ahead, uint64_t from)
{
	uint64_t seed = from & ~1ULL;
	while ((trace_pct_priority(seed, 0) > trace_pct_priority(seed, 1)) != ahead)
		seed += 2;
	return seed;
}

void fixture_run_perturbed(struct run_proc_spec *procs, size_t nprocs, uint64_t seed)
{
	struct trace_request trace = {.perturb = true, .seed = seed};
	struct run_request req = fixture_request(procs, &trace, 20000);
	req.nprocs = nprocs;
	if (fixture_have_result)
		run_result_release(&fixture_result);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
}

char *fixture_compile(const char *name, const char *source)
{
	return e2e_compile(fixture_scratch, name, source);
}

void fixture_install(const char *path, const char *folder, const char *name)
{
	char *copy = path_join(folder, name);
	struct strbuf bytes = STRBUF_INIT;
	strbuf_init(&bytes);
	cr_assert_eq(read_file(path, &bytes), 0);
	cr_assert_eq(write_file_atomic(copy, bytes.buf, bytes.len), 0);
	cr_assert_eq(chmod(copy, 0755), 0);
	strbuf_release(&bytes);
	free(copy);
}

char *fixture_joined(const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < sv->n; i++)
		strbuf_addf(&sb, "%s\n", sv->v[i]);
	return strbuf_detach(&sb, NULL);
}

const struct trace_event *fixture_find_event(const char *call)
{
	for (size_t i = 0; i < fixture_result.trace.nevents; i++)
		if (!strcmp(fixture_result.trace.events[i].call, call))
			return &fixture_result.trace.events[i];
	return NULL;
}
