/*
 * What a sandbox costs per test: the same trivial program started, captured
 * and reaped (a) by a bare fork/exec/wait with stdout and stderr pipes (the
 * floor), (b) by the runner without a sandbox, and (c) through sandbox_run()
 * with every namespace, the new root, the workdir copy and seccomp.
 * Rounds interleave a, b and c so that the machine's drift hits all alike;
 * medians are printed in milliseconds.
 *
 *   build/bench/sandbox_overhead [ROUNDS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "sandbox.h"
#include "util.h"

static const char program[] = "/bin/true";

static double floor_once(void)
{
	double start = now_seconds();
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execl(program, program, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	char buf[4096];
	while (read(out[0], buf, sizeof(buf)) > 0)
		;
	while (read(err[0], buf, sizeof(buf)) > 0)
		;
	close(out[0]);
	close(err[0]);
	waitpid(pid, NULL, 0);
	return now_seconds() - start;
}

static double runner_once(struct sandbox *sb, const char *workdir, char *const *envp)
{
	char *argv[] = {(char *)program, NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = {
		.workdir = workdir,
		.envp = envp,
		.limits = {.cpu_ms = 1000, .memory = 64LL << 20, .processes = 16, .output = 65536,
			   .open_files = 32},
		.timeout_ms = 2000,
		.procs = &proc,
		.nprocs = 1,
	};
	struct run_result res;
	double start = now_seconds();
	int rc = sb ? sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &res) : run_processes(&req, &res);
	double took = now_seconds() - start;
	if (rc < 0 || !res.procs[0].started || res.procs[0].exit_code != 0) {
		fprintf(stderr, "bench: run failed: %s\n", rc < 0 ? error_last() : "bad exit");
		exit(1);
	}
	run_result_release(&res);
	return took;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_ms(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) * 1000.0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	if (rounds < 1)
		rounds = 1;
	struct sandbox *sb = sandbox_new(true);
	if (!sandbox_full(sb))
		fprintf(stderr, "bench: warning: sandbox incomplete: %s\n", sandbox_missing(sb)->v[0]);
	char *scratch = make_scratch_dir("grader-bench");
	if (!scratch)
		return 1;
	/* A workdir like a test's: a built program of typical size to copy in. */
	char *workdir = path_join(scratch, "work");
	char *binary = path_join(workdir, "prog");
	mkdir_p(workdir, 0755);
	struct strbuf bytes = STRBUF_INIT;
	strbuf_init(&bytes);
	if (read_file(program, &bytes) < 0 || write_file_atomic(binary, bytes.buf, bytes.len) < 0)
		return 1;
	struct strvec env = STRVEC_INIT;
	strvec_init(&env);
	run_build_env(&env, workdir, NULL, 0);

	double *floor = xcalloc((size_t)rounds, sizeof(double));
	double *runner = xcalloc((size_t)rounds, sizeof(double));
	double *sandboxed = xcalloc((size_t)rounds, sizeof(double));
	for (int i = 0; i < rounds; i++) {
		floor[i] = floor_once();
		runner[i] = runner_once(NULL, workdir, env.v);
		sandboxed[i] = runner_once(sb, workdir, env.v);
	}
	double f = median_ms(floor, rounds), r = median_ms(runner, rounds),
	       s = median_ms(sandboxed, rounds);
	printf("per-test cost of %s, median of %d interleaved rounds (%s)\n", program, rounds,
	       sandbox_full(sb) ? "isolation full" : "isolation PARTIAL");
	printf("| way | ms per test | over the floor |\n|---|---|---|\n");
	printf("| fork/exec/wait with pipes (floor) | %.3f | - |\n", f);
	printf("| runner, no sandbox | %.3f | +%.3f ms |\n", r, r - f);
	printf("| runner in the sandbox | %.3f | +%.3f ms |\n", s, s - f);

	free(floor);
	free(runner);
	free(sandboxed);
	strvec_clear(&env);
	strbuf_release(&bytes);
	remove_tree(scratch);
	free(binary);
	free(workdir);
	free(scratch);
	sandbox_free(sb);
	return 0;
}
