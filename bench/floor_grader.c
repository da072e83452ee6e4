/*
 * The naive floor a class-scale benchmark compares `grader batch` with:
 * what a TA's script does for one student, for any spec.  Copy the
 * submission to a scratch folder, build it with the spec's command (sh -c,
 * no sandbox), then run each test once: its processes started in order
 * (each next one after a fixed 100 ms when the spec asks to wait for a
 * `ready`), killed at the test's timeout, stdout and stderr compared with
 * the spec's matchers (the grader's own compare.c), the exit status
 * checked.  No sandbox, no trace, no cleanup checks, no repeat, no
 * perturbation, no diagnosis: only what a script can do cheaply.
 *
 *   build/bench/floor_grader SPEC SUBMISSION_DIR   prints "student,score,max"
 *
 * The class benchmark runs it under xargs -P, one process per student.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "spec.h"
#include "util.h"

struct child {
	pid_t pid;
	int out, err;
	struct strbuf o, e;
	int status;
	bool done;
};

static int sh(const char *cmd, const char *dir)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(127);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void start(struct child *c, const struct process_spec *ps, const char *dir)
{
	int in[2], out[2], err[2];
	if (pipe(in) || pipe(out) || pipe(err))
		exit(3);
	c->pid = fork();
	if (c->pid == 0) {
		if (chdir(dir) < 0)
			_exit(127);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		setpgid(0, 0);
		execvp(ps->argv.v[0], ps->argv.v);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (ps->stdin_data)
		(void)!write(in[1], ps->stdin_data, ps->stdin_len);
	close(in[1]);
	c->out = out[0];
	c->err = err[0];
	strbuf_init(&c->o);
	strbuf_init(&c->e);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads every child's output until all have exited and closed them, or the deadline. */
static void collect(struct child *c, size_t n, double deadline)
{
	for (;;) {
		struct pollfd pfd[16];
		size_t k = 0;
		for (size_t i = 0; i < n && k + 2 <= 16; i++) {
			if (c[i].out >= 0)
				pfd[k++] = (struct pollfd){c[i].out, POLLIN, 0};
			if (c[i].err >= 0)
				pfd[k++] = (struct pollfd){c[i].err, POLLIN, 0};
		}
		if (!k || now() >= deadline)
			break;
		poll(pfd, k, (int)((deadline - now()) * 1000) + 1);
		for (size_t i = 0; i < n; i++) {
			int *fds[2] = {&c[i].out, &c[i].err};
			struct strbuf *bufs[2] = {&c[i].o, &c[i].e};
			for (int w = 0; w < 2; w++) {
				if (*fds[w] < 0)
					continue;
				struct pollfd one = {*fds[w], POLLIN, 0};
				if (poll(&one, 1, 0) <= 0)
					continue;
				char chunk[65536];
				ssize_t got = read(*fds[w], chunk, sizeof(chunk));
				if (got <= 0) {
					close(*fds[w]);
					*fds[w] = -1;
				} else {
					strbuf_add(bufs[w], chunk, (size_t)got);
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		kill(-c[i].pid, SIGKILL);
		waitpid(c[i].pid, &c[i].status, 0);
		if (c[i].out >= 0)
			close(c[i].out);
		if (c[i].err >= 0)
			close(c[i].err);
	}
}

static bool run_test(const struct test_spec *t, const char *dir)
{
	struct child c[8];
	size_t n = t->nprocs < 8 ? t->nprocs : 8;
	memset(c, 0, sizeof(c));
	double deadline = now() + (double)t->timeout_ms / 1000.0;
	for (size_t i = 0; i < n; i++) {
		start(&c[i], &t->procs[i], dir);
		if (i + 1 < n && t->procs[i].ready.kind != READY_NONE)
			usleep(100 * 1000);
	}
	collect(c, n, deadline);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		const struct expect_spec *ex = &t->procs[i].expect;
		if (ex->exit_set && !ex->exit_any &&
		    !(WIFEXITED(c[i].status) && WEXITSTATUS(c[i].status) == ex->exit_code))
			ok = false;
		struct match_result m;
		match_output(&ex->out, c[i].o.buf, c[i].o.len, "stdout", &m);
		ok &= m.ok;
		match_result_release(&m);
		match_output(&ex->err, c[i].e.buf, c[i].e.len, "stderr", &m);
		ok &= m.ok;
		match_result_release(&m);
		strbuf_release(&c[i].o);
		strbuf_release(&c[i].e);
	}
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor_grader SPEC SUBMISSION_DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct strvec errors = STRVEC_INIT;
	strvec_init(&errors);
	struct spec *spec = spec_load(argv[1], &errors);
	if (!spec) {
		fprintf(stderr, "%s\n", errors.n ? errors.v[0] : "cannot load the spec");
		return 2;
	}
	char *dir = make_scratch_dir("floor");
	if (!dir || copy_tree(argv[2], dir) < 0)
		return 3;
	double score = 0;
	bool built = sh(spec->build.command, dir) == 0;
	for (size_t i = 0; built && i < spec->ntests; i++) {
		const struct test_spec *t = &spec->tests[i];
		/* Each test in a fresh copy of the built folder, as the grader does. */
		char *work = xasprintf("%s-t%zu", dir, i);
		if (mkdir_p(work, 0755) == 0 && copy_tree(dir, work) == 0 &&
		    (!t->files || copy_tree(t->files, work) == 0) && run_test(t, work))
			score += t->points;
		remove_tree(work);
		free(work);
	}
	const char *slash = strrchr(argv[2], '/');
	printf("%s,%g,%g\n", slash && slash[1] ? slash + 1 : argv[2], score, spec_max_score(spec));
	remove_tree(dir);
	free(dir);
	spec_free(spec);
	strvec_clear(&errors);
	return 0;
}
