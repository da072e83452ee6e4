#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"
#include "util.h"

/* Compilers need room that student programs do not: these are the build's own limits. */
static const struct limits_spec build_limits = {
	.cpu_ms = 0, /* set from the build timeout */
	.memory = 4LL << 30,
	.processes = 64,
	.output = BUILD_OUTPUT_CAP,
	.open_files = 256,
};

static void missing_files(const struct spec *spec, const char *build_dir, struct strbuf *msg)
{
	for (size_t i = 0; i < spec->build.files.n; i++) {
		char *path = path_join(build_dir, spec->build.files.v[i]);
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			strbuf_addf(msg, "%s'%s'", msg->len ? ", " : "", spec->build.files.v[i]);
		free(path);
	}
}

static void append_stream(struct strbuf *sb, const struct run_output *o, const char *name)
{
	strbuf_add(sb, o->data, o->len);
	if (o->truncated)
		strbuf_addf(sb, "\n[%s cut at %d bytes; %llu bytes were written]\n", name,
			    BUILD_OUTPUT_CAP, o->total);
}

int build_submission(const struct spec *spec, const char *submission_dir, const char *build_dir,
		     struct sandbox *sandbox, struct build_result *out)
{
	struct strbuf msg = STRBUF_INIT;
	struct strvec env = STRVEC_INIT;
	struct run_result rr;
	bool have_run = false;
	double start = now_seconds();
	int ret = -1;

	memset(out, 0, sizeof(*out));
	strbuf_init(&msg);
	if (mkdir_p(build_dir, 0700) < 0)
		goto out;
	if (copy_tree(submission_dir, build_dir) < 0) {
		/* An unreadable submission is the submission's problem, not the grader's. */
		strbuf_addf(&msg, "cannot copy the submission: %s\n", error_last());
		ret = 0;
		goto out;
	}

	struct strbuf missing = STRBUF_INIT;
	strbuf_init(&missing);
	missing_files(spec, build_dir, &missing);
	if (missing.len) {
		strbuf_addf(&msg, "missing required file%s: %s (the spec's build.files)\n",
			    strchr(missing.buf, ',') ? "s" : "", missing.buf);
		strbuf_release(&missing);
		ret = 0;
		goto out;
	}
	strbuf_release(&missing);

	char *argv[] = {"/bin/sh", "-c", spec->build.command, NULL};
	struct run_proc_spec proc = {.name = "build", .argv = argv};
	struct run_request req = {
		.workdir = build_dir,
		.limits = build_limits,
		.timeout_ms = spec->build.timeout_ms,
		.procs = &proc,
		.nprocs = 1,
	};
	req.limits.cpu_ms = spec->build.timeout_ms;
	strvec_init(&env);
	run_build_env(&env, build_dir, NULL, 0);
	req.envp = env.v;

	have_run = true;
	if (sandbox_run(sandbox, &req, SANDBOX_WORKDIR_BIND, &rr) < 0) {
		error_prefix("build");
		goto out;
	}
	const struct run_proc_result *pr = &rr.procs[0];
	append_stream(&msg, &pr->out, "stdout");
	append_stream(&msg, &pr->err, "stderr");
	if (rr.timed_out) {
		strbuf_addf(&msg, "\nthe build did not finish within %.3gs and was stopped\n",
			    (double)spec->build.timeout_ms / 1000.0);
	} else if (!pr->started) {
		strbuf_addf(&msg, "%s\n", pr->start_error);
	} else if (pr->signal) {
		strbuf_addf(&msg, "\nthe build was killed by %s\n", signal_name(pr->signal));
	} else if (pr->exit_code != 0) {
		strbuf_addf(&msg, "\nthe build command failed with exit status %d\n", pr->exit_code);
	} else {
		out->ok = true;
	}
	ret = 0;
out:
	if (have_run)
		run_result_release(&rr);
	strvec_clear(&env);
	out->seconds = now_seconds() - start;
	out->output = strbuf_detach(&msg, NULL);
	return ret;
}
