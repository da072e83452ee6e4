#include "build.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "run.h"
#include "source_norm.h"
#include "util.h"

/* Compilers need room that student programs do not: these are the build's own limits. */
static const struct limits_spec build_limits = {
	.cpu_ms = 0, /* set from the build timeout */
	.memory = 4LL << 30,
	.processes = 64,
	.output = BUILD_OUTPUT_CAP,
	.open_files = 256,
};

/*
 * The required files that are not regular files of the submission.  A link
 * does not count, wherever it points, and is not followed: as root, looking
 * through it on the host would tell the student whether a file they may
 * not read exists (prog.c -> /root/notes.txt).  The build in the sandbox
 * sees the same link, where the host is absent.
 */
static void missing_files(const struct spec *spec, const char *build_dir, struct strbuf *msg)
{
	for (size_t i = 0; i < spec->build.files.n; i++) {
		struct stat st;
		if (path_lstat_below(build_dir, spec->build.files.v[i], &st) < 0 ||
		    !S_ISREG(st.st_mode))
			strbuf_addf(msg, "%s'%s'", msg->len ? ", " : "", spec->build.files.v[i]);
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

	struct strbuf missing = STRBUF_INIT;
	strbuf_init(&missing);
	missing_files(spec, submission_dir, &missing);
	if (missing.len) {
		strbuf_addf(&msg,
			    "missing required file%s: %s (the spec's build.files: each must be a "
			    "regular file of the submission; a symbolic link does not count)\n",
			    strchr(missing.buf, ',') ? "s" : "", missing.buf);
		strbuf_release(&missing);
		ret = 0;
		goto out;
	}
	strbuf_release(&missing);

	char *argv[] = {"/bin/sh", "-c", spec->build.command, NULL};
	struct run_proc_spec proc = {.name = "build", .argv = argv};
	/* The sandbox copies the submission into the build's own tmpfs, and the results back. */
	const char *sources[] = {submission_dir, NULL};
	struct run_request req = {
		.workdir = build_dir,
		.limits = build_limits,
		.timeout_ms = spec->build.timeout_ms,
		.procs = &proc,
		.nprocs = 1,
		.workdir_sources = sources,
	};
	req.limits.cpu_ms = spec->build.timeout_ms;
	strvec_init(&env);
	run_build_env(&env, build_dir, NULL, 0);
	req.envp = env.v;

	have_run = true;
	if (sandbox_run(sandbox, &req, SANDBOX_WORKDIR_BUILD, &rr) < 0) {
		error_prefix("build");
		goto out;
	}
	const struct run_proc_result *pr = &rr.procs[0];
	append_stream(&msg, &pr->out, "stdout");
	append_stream(&msg, &pr->err, "stderr");
	if (rr.setup_failure) {
		strbuf_addf(&msg, "%s%s\n", msg.len ? "\n" : "", rr.setup_failure);
	} else if (rr.timed_out) {
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
	out->output = strbuf_detach(&msg, &out->output_len);
	return ret;
}

/* The build command, the required files and the timeout: what both keys start from. */
static void key_start(struct digest *d, const struct spec *spec)
{
	digest_init(d);
	digest_add_str(d, spec->build.command);
	for (size_t i = 0; i < spec->build.files.n; i++)
		digest_add_str(d, spec->build.files.v[i]);
	long long timeout = spec->build.timeout_ms;
	digest_add(d, &timeout, sizeof(timeout));
}

static char *key_hex(const struct digest *d)
{
	char hex[17];
	digest_hex(d, hex);
	return xstrdup(hex);
}

static char *cache_key(const struct spec *spec, const char *submission_dir)
{
	struct digest d;
	key_start(&d, spec);
	/* An unreadable submission is not cached: its build result explains it each time. */
	if (digest_add_tree(&d, submission_dir) < 0)
		return NULL;
	return key_hex(&d);
}

/*
 * The comment-blind key (source_norm.h), with the paths of the sources it
 * normalised in sources; NULL when refused or unreadable.
 */
static char *cache_key_normalised(const struct spec *spec, const char *submission_dir,
				  struct strvec *sources)
{
	struct digest d;
	key_start(&d, spec);
	const char *why = source_norm_other(spec->build.command, strlen(spec->build.command));
	if (why || source_norm_digest_tree(&d, submission_dir, sources, &why) != 0)
		return NULL;
	/* Named apart from exact keys: a folder of the cache says which key it is. */
	char *hex = key_hex(&d);
	char *key = xasprintf("n-%s", hex);
	free(hex);
	return key;
}

/* Fills out from entry/result.json and copies entry/files into build_dir; -1 when unusable. */
static int cache_load(const char *entry, const char *build_dir, struct build_result *out)
{
	char *result_path = path_join(entry, "result.json");
	char *files = path_join(entry, "files");
	json_error_t jerr;
	json_t *j = path_is_dir(entry) ? json_load_file(result_path, JSON_ALLOW_NUL, &jerr) : NULL;
	int ret = -1;
	json_t *output = j ? json_object_get(j, "output") : NULL;
	if (json_is_string(output) && mkdir_p(build_dir, 0700) == 0 &&
	    link_tree(files, build_dir) == 0) {
		out->ok = json_is_true(json_object_get(j, "ok"));
		out->seconds = json_number_value(json_object_get(j, "seconds"));
		out->output_len = json_string_length(output);
		out->output = xmemdup0(json_string_value(output), out->output_len);
		ret = 0;
	}
	json_decref(j);
	free(result_path);
	free(files);
	return ret;
}

/* Stores a build under entry, atomically: a half-written entry is never seen. */
static void cache_store(const char *cache_dir, const char *entry, const char *build_dir,
			const struct build_result *b)
{
	char *tmp = make_scratch_dir_in(cache_dir, "tmp");
	if (!tmp)
		return;
	char *files = path_join(tmp, "files");
	char *result_path = path_join(tmp, "result.json");
	json_t *j = json_pack("{s:b, s:f, s:s%}", "ok", b->ok, "seconds", b->seconds, "output",
			      b->output ? b->output : "", b->output ? b->output_len : 0);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	/* Linked: the build folder is removed with its scratch, and nothing writes either again. */
	if (text && mkdir_p(files, 0700) == 0 && link_tree(build_dir, files) == 0 &&
	    write_file_atomic(result_path, text, strlen(text)) == 0 && rename(tmp, entry) == 0) {
		free(tmp);
		tmp = NULL;
	}
	/* Another grader stored the same build first, or the store failed: nothing lost. */
	if (tmp)
		remove_tree(tmp);
	free(text);
	json_decref(j);
	free(files);
	free(result_path);
	free(tmp);
}

/*
 * The build of another submission with the same code but other comments,
 * made this student's: the entry's files, then this student's own sources
 * over them (the entry holds the other student's, which the build left
 * untouched: see store_normalised).  Only a build that succeeded in
 * silence: a message may quote a line, comment included, and what it says
 * could differ.  -1 (and build_dir gone) when unusable.
 */
static int cache_load_normalised(const char *entry, const char *submission_dir,
				 const struct strvec *sources, const char *build_dir,
				 struct build_result *out)
{
	int ret = cache_load(entry, build_dir, out);
	if (ret == 0 && (!out->ok || out->output_len))
		ret = -1;
	for (size_t i = 0; i < sources->n && ret == 0; i++) {
		char *mine = path_join(submission_dir, sources->v[i]);
		char *theirs = path_join(build_dir, sources->v[i]);
		char *folder = xstrdup(theirs);
		*strrchr(folder, '/') = '\0';
		struct stat st;
		/* Unlinked first: the entry's files are hard links, which a copy would write through. */
		if (path_lstat_below(build_dir, sources->v[i], &st) < 0 || !S_ISREG(st.st_mode) ||
		    unlink(theirs) < 0 || copy_tree(mine, folder) < 0)
			ret = -1;
		free(folder);
		free(theirs);
		free(mine);
	}
	if (ret < 0) {
		free(out->output);
		memset(out, 0, sizeof(*out));
		remove_tree(build_dir);
	}
	return ret;
}

/*
 * Stores a build under the comment-blind key too when another student may
 * take it as theirs: it succeeded in silence, and the build changed no C
 * source and made none (else the entry could carry this student's text
 * where the other's sources do not replace it).
 */
static void store_normalised(const char *cache_dir, const char *entry, const char *build_dir,
			     const char *submission_dir, const struct strvec *sources,
			     const struct build_result *b)
{
	if (b->ok && !b->output_len &&
	    source_norm_sources_untouched(build_dir, submission_dir, sources))
		cache_store(cache_dir, entry, build_dir, b);
}

int build_submission_cached(const struct spec *spec, const char *submission_dir,
			    const char *build_dir, struct sandbox *sandbox, const char *cache_dir,
			    struct build_result *out)
{
	char *key = cache_dir ? cache_key(spec, submission_dir) : NULL;
	if (!key)
		return build_submission(spec, submission_dir, build_dir, sandbox, out);
	char *entry = path_join(cache_dir, key);
	struct strvec sources = STRVEC_INIT;
	strvec_init(&sources);
	char *norm_key = NULL, *norm_entry = NULL;
	int ret = 0;
	memset(out, 0, sizeof(*out));
	if (cache_load(entry, build_dir, out) == 0) {
		out->cached = true;
		goto out;
	}
	free(out->output);
	norm_key = cache_key_normalised(spec, submission_dir, &sources);
	norm_entry = norm_key ? path_join(cache_dir, norm_key) : NULL;
	if (norm_entry &&
	    cache_load_normalised(norm_entry, submission_dir, &sources, build_dir, out) == 0) {
		out->cached = true;
		goto out;
	}
	ret = build_submission(spec, submission_dir, build_dir, sandbox, out);
	if (ret == 0 && mkdir_p(cache_dir, 0700) == 0) {
		cache_store(cache_dir, entry, build_dir, out);
		if (norm_entry)
			store_normalised(cache_dir, norm_entry, build_dir, submission_dir, &sources,
					 out);
	}
out:
	strvec_clear(&sources);
	free(norm_entry);
	free(norm_key);
	free(entry);
	free(key);
	return ret;
}
