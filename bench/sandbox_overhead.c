/*
 * What a sandbox costs per test: the same trivial program started, captured
 * and reaped (a) by a bare fork/exec/wait with stdout and stderr pipes (the
 * floor), (r) by the runner without a sandbox, (b) through sandbox_run()
 * with every namespace, the new root, the workdir copy and seccomp, (c) the
 * same with a trace as pipe_hello's tests ask for (pipe, fork and wait,
 * zombies and descriptors judged at exit), and (d) under bubblewrap with
 * comparable namespaces, driven as a careful script would: fork/exec of
 * bwrap with stdout and stderr pipes, then wait.
 * Rounds interleave a, r, b, c and d so that the machine's drift hits all
 * alike; medians are printed in milliseconds, with the ratio to the floor.
 *
 *   build/bench/sandbox_overhead [ROUNDS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "run.h"
#include "sandbox.h"
#include "trace.h"
#include "util.h"

static const char program[] = "/bin/true";

/* fork/exec/wait of argv with stdout and stderr read through pipes. */
static double spawn_once(char *const *argv)
{
	double start = now_seconds();
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], argv);
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
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: %s failed\n", argv[0]);
		exit(1);
	}
	return now_seconds() - start;
}

static double runner_once(struct sandbox *sb, const char *workdir, char *const *envp,
			  const struct trace_request *trace)
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
		.trace = trace,
	};
	struct run_result res;
	double start = now_seconds();
	int rc = sb ? sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &res) : run_processes(&req, &res);
	double took = now_seconds() - start;
	if (rc < 0 || !res.procs[0].started || res.procs[0].exit_code != 0) {
		fprintf(stderr, "bench: run failed: %s\n", rc < 0 ? error_last() : "bad exit");
		exit(1);
	}
	if (trace && res.trace.unavailable) {
		fprintf(stderr, "bench: the run was not traced: %s\n", res.trace.unavailable);
		exit(1);
	}
	run_result_release(&res);
	return took;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	if (rounds < 1)
		rounds = 1;
	struct sandbox *sb = bench_sandbox_new();
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

	/* The trace pipe_hello's tests ask for. */
	static const char *const calls[] = {"pipe", "fork", "wait", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	/* bubblewrap with namespaces comparable to the sandbox's. */
	char *floor_argv[] = {(char *)program, NULL};
	char *bwrap_argv[] = {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent",
			      "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
			      "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
			      "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
			      "--bind", workdir, "/work", "--chdir", "/work",
			      (char *)program, NULL};
	bool have_bwrap = access(bwrap_argv[0], X_OK) == 0;
	if (!have_bwrap)
		fprintf(stderr, "bench: warning: %s not found, no bubblewrap row\n", bwrap_argv[0]);

	double *floor = xcalloc((size_t)rounds, sizeof(double));
	double *runner = xcalloc((size_t)rounds, sizeof(double));
	double *sandboxed = xcalloc((size_t)rounds, sizeof(double));
	double *traced = xcalloc((size_t)rounds, sizeof(double));
	double *bwrap = xcalloc((size_t)rounds, sizeof(double));
	for (int i = 0; i < rounds; i++) {
		floor[i] = spawn_once(floor_argv);
		runner[i] = runner_once(NULL, workdir, env.v, NULL);
		sandboxed[i] = runner_once(sb, workdir, env.v, NULL);
		traced[i] = runner_once(sb, workdir, env.v, &trace);
		if (have_bwrap)
			bwrap[i] = spawn_once(bwrap_argv);
	}
	double f = bench_median_ms(floor, rounds), r = bench_median_ms(runner, rounds),
	       s = bench_median_ms(sandboxed, rounds), t = bench_median_ms(traced, rounds),
	       w = bench_median_ms(bwrap, rounds);
	printf("per-test cost of %s, median of %d interleaved rounds (%s)\n\n", program, rounds,
	       sandbox_full(sb) ? "isolation full" : "isolation PARTIAL");
	printf("| way | ms per test | over the floor | ratio to the floor |\n|---|---|---|---|\n");
	printf("| (a) fork/exec/wait with pipes (floor) | %.3f | - | 1.00x |\n", f);
	printf("| runner, no sandbox | %.3f | +%.3f ms | %.2fx |\n", r, r - f, r / f);
	printf("| (b) sandbox_run, full isolation | %.3f | +%.3f ms | %.2fx |\n", s, s - f, s / f);
	printf("| (c) sandbox_run, full isolation + trace (pipe, fork, wait, zombies, fds) | %.3f | "
	       "+%.3f ms | %.2fx |\n",
	       t, t - f, t / f);
	if (have_bwrap)
		printf("| (d) bwrap --unshare-all, fork/exec/wait with pipes | %.3f | +%.3f ms | "
		       "%.2fx |\n",
		       w, w - f, w / f);
	printf("\nfull isolation over the floor: +%.3f ms (target <= 3 ms: %s); traced / untraced "
	       "sandbox: %.2fx",
	       s - f, s - f <= 3.0 ? "met" : "MISSED", t / s);
	if (have_bwrap)
		printf("; sandbox / bwrap: %.2fx", s / w);
	printf("\n");

	free(floor);
	free(runner);
	free(sandboxed);
	free(traced);
	free(bwrap);
	strvec_clear(&env);
	strbuf_release(&bytes);
	remove_tree(scratch);
	free(binary);
	free(workdir);
	free(scratch);
	sandbox_free(sb);
	return 0;
}
