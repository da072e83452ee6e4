/*
 * What tracing costs a test: a pipe-heavy program (a parent writes 200,000
 * small messages through a pipe to its child, which reads them all) run
 * through sandbox_run() without a trace and with a trace of pipe, fork,
 * dup2 and execve (plus the calls every trace watches).  Only those calls
 * stop for the tracer, so the writes and reads must cost what they cost
 * untraced.  Rounds interleave the two ways so that the machine's drift
 * hits both alike; medians are printed in milliseconds, with their ratio.
 *
 *   build/bench/trace_overhead [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "run.h"
#include "sandbox.h"
#include "trace.h"
#include "util.h"

#define WRITES 200000
#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

static const char program[] =
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <unistd.h>\n"
	"#include <sys/wait.h>\n"
	"int main(void) {\n"
	"  int p[2];\n"
	"  char msg[16] = \"0123456789abcde\";\n"
	"  if (pipe(p)) return 1;\n"
	"  pid_t pid = fork();\n"
	"  if (pid == 0) {\n"
	"    char buf[4096]; long total = 0; ssize_t n;\n"
	"    close(p[1]);\n"
	"    while ((n = read(p[0], buf, sizeof buf)) > 0) total += n;\n"
	"    close(p[0]);\n"
	"    printf(\"%ld\\n\", total);\n"
	"    return 0;\n"
	"  }\n"
	"  close(p[0]);\n"
	"  for (int i = 0; i < " NUMBER(WRITES) "; i++)\n"
	"    if (write(p[1], msg, sizeof msg) != sizeof msg) return 2;\n"
	"  close(p[1]);\n"
	"  waitpid(pid, NULL, 0);\n"
	"  return 0;\n"
	"}\n";

static double run_once(struct sandbox *sb, const char *workdir, char *const *envp,
		       const struct trace_request *trace)
{
	char *argv[] = {"./pipe_heavy", NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = {
		.workdir = workdir,
		.envp = envp,
		.limits = {.cpu_ms = 10000, .memory = 256LL << 20, .processes = 16,
			   .output = 65536, .open_files = 32},
		.timeout_ms = 20000,
		.procs = &proc,
		.nprocs = 1,
		.trace = trace,
	};
	struct run_result res;
	double start = now_seconds();
	int rc = sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &res);
	double took = now_seconds() - start;
	char expected[32];
	snprintf(expected, sizeof(expected), "%d\n", WRITES * 16);
	if (rc < 0 || !res.procs[0].started || res.procs[0].exit_code != 0 ||
	    strcmp(res.procs[0].out.data, expected)) {
		fprintf(stderr, "bench: run failed: %s\n",
			rc < 0 ? error_last() : res.procs[0].start_error ? res.procs[0].start_error
									 : "wrong output");
		exit(1);
	}
	if (trace && (res.trace.unavailable || !trace_record_find(&res.trace, "pipe"))) {
		fprintf(stderr, "bench: the run was not traced: %s\n",
			res.trace.unavailable ? res.trace.unavailable : "no pipe call recorded");
		exit(1);
	}
	run_result_release(&res);
	return took;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21;
	if (rounds < 1)
		rounds = 1;
	struct sandbox *sb = bench_sandbox_new();
	char *scratch = make_scratch_dir("grader-bench");
	if (!scratch)
		return 1;
	char *workdir = path_join(scratch, "work");
	char *source = path_join(scratch, "pipe_heavy.c");
	char *binary = path_join(workdir, "pipe_heavy");
	mkdir_p(workdir, 0755);
	if (write_file_atomic(source, program, strlen(program)) < 0) {
		fprintf(stderr, "bench: %s\n", error_last());
		return 1;
	}
	char *cc = xasprintf("cc -O2 -o '%s' '%s'", binary, source);
	if (system(cc) != 0) {
		fprintf(stderr, "bench: cannot compile the pipe-heavy program\n");
		return 1;
	}
	struct strvec env = STRVEC_INIT;
	strvec_init(&env);
	run_build_env(&env, workdir, NULL, 0);

	static const char *const calls[] = {"pipe", "fork", "dup2", "execve", NULL};
	struct trace_request trace = {.calls = calls};
	double *plain = xcalloc((size_t)rounds, sizeof(double));
	double *traced = xcalloc((size_t)rounds, sizeof(double));
	for (int i = 0; i < rounds; i++) {
		plain[i] = run_once(sb, workdir, env.v, NULL);
		traced[i] = run_once(sb, workdir, env.v, &trace);
	}
	double p = bench_median_ms(plain, rounds), t = bench_median_ms(traced, rounds);
	printf("cost of tracing %d pipe writes between two processes, median of %d interleaved "
	       "rounds (%s)\n\n",
	       WRITES, rounds, sandbox_full(sb) ? "isolation full" : "isolation PARTIAL");
	printf("| way | ms per test |\n|---|---|\n");
	printf("| sandbox, untraced | %.3f |\n", p);
	printf("| sandbox, traced (pipe, fork, dup2, execve) | %.3f |\n", t);
	printf("traced / untraced: %.3f\n", t / p);

	free(plain);
	free(traced);
	strvec_clear(&env);
	remove_tree(scratch);
	free(cc);
	free(binary);
	free(source);
	free(workdir);
	free(scratch);
	sandbox_free(sb);
	return 0;
}
