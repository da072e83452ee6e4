#include "e2e_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "sandbox.h"
#include "util.h"

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int e2e_rows_load(const char *path, struct e2e_rows *rows)
{
	rows->v = NULL;
	rows->n = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[2048];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *fields[6] = {0};
		char *save = NULL;
		size_t k = 0;
		for (char *p = strtok_r(line, "\t", &save); p && k < 6; p = strtok_r(NULL, "\t", &save))
			fields[k++] = p;
		if (k < 5)
			continue;
		rows->v = realloc(rows->v, (rows->n + 1) * sizeof(*rows->v));
		struct e2e_row *r = &rows->v[rows->n++];
		copy_field(r->spec, sizeof(r->spec), fields[0]);
		copy_field(r->submission, sizeof(r->submission), fields[1]);
		copy_field(r->test, sizeof(r->test), fields[2]);
		copy_field(r->status, sizeof(r->status), fields[3]);
		copy_field(r->kinds, sizeof(r->kinds), fields[4]);
		copy_field(r->pending, sizeof(r->pending), fields[5] ? fields[5] : "-");
	}
	fclose(f);
	return 0;
}

void e2e_rows_free(struct e2e_rows *rows)
{
	free(rows->v);
	rows->v = NULL;
	rows->n = 0;
}

const char *e2e_grader(void)
{
	const char *bin = getenv("GRADER_BIN");
	return bin && *bin ? bin : "build/san/grader";
}

static char *tmpdir;

static void remove_tmpdir(void)
{
	remove_tree(tmpdir);
	free(tmpdir);
}

const char *e2e_tmpdir(void)
{
	if (!tmpdir) {
		tmpdir = make_scratch_dir("grader-e2e");
		cr_assert_not_null(tmpdir, "%s", error_last());
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

void e2e_require_full_sandbox(void)
{
	struct sandbox *sb = sandbox_new(true);
	bool full = sandbox_full(sb);
	char *missing = xstrdup(sandbox_missing(sb)->n ? sandbox_missing(sb)->v[0] : "");
	sandbox_free(sb);
	cr_assert(full, "the sandbox is incomplete on this machine (%s): hostile submissions not run",
		  missing);
	free(missing);
}

char *e2e_report_path(const char *submission)
{
	return xasprintf("%s/%s.json", e2e_tmpdir(), submission ? submission : "?");
}

json_t *e2e_load_report(const char *dir, const char *student)
{
	char *path = xasprintf("%s/%s.json", dir, student);
	json_error_t jerr;
	json_t *r = json_load_file(path, 0, &jerr);
	cr_assert_not_null(r, "%s: %s", path, jerr.text);
	free(path);
	return r;
}

void e2e_run_grader(const char *const *argv, struct e2e_run *run)
{
	e2e_run_grader_in(getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".", argv, run);
}

void e2e_run_grader_in(const char *dir, const char *const *argv, struct e2e_run *run)
{
	struct strvec env = STRVEC_INIT;
	strvec_init(&env);
	const char *pass[] = {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "TMPDIR", "HOME"};
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		if (getenv(pass[i]))
			strvec_pushf(&env, "%s=%s", pass[i], getenv(pass[i]));
	strvec_push(&env, "LANG=C");

	struct run_proc_spec proc = {.name = "grader", .argv = (char *const *)argv};
	/* The grader under test needs no limits of ours (ASan reserves terabytes of address space). */
	struct run_request req = {
		.workdir = dir,
		.envp = env.v,
		.timeout_ms = 110000,
		.procs = &proc,
		.nprocs = 1,
	};
	struct run_result rr;
	int rc = run_processes(&req, &rr);
	cr_assert_eq(rc, 0, "cannot run %s: %s", argv[0], error_last());
	cr_assert(rr.procs[0].started, "%s", rr.procs[0].start_error);
	cr_assert(!rr.timed_out, "%s did not finish", argv[0]);
	run->signal = rr.procs[0].signal;
	run->exit_code = rr.procs[0].signal ? -1 : rr.procs[0].exit_code;
	run->out = xmemdup0(rr.procs[0].out.data, rr.procs[0].out.len);
	run->out_len = rr.procs[0].out.len;
	run->err = xmemdup0(rr.procs[0].err.data, rr.procs[0].err.len);
	run->err_len = rr.procs[0].err.len;
	run_result_release(&rr);
	strvec_clear(&env);
}

/* Safe to call twice: a test may release its run before the suite's teardown does. */
void e2e_run_release(struct e2e_run *run)
{
	free(run->out);
	free(run->err);
	run->out = run->err = NULL;
}

void e2e_release_and_run(const char *const *argv, struct e2e_run *run)
{
	e2e_run_release(run);
	e2e_run_grader(argv, run);
}

char *e2e_spec_copy(const char *spec_path)
{
	bool is_dir = path_is_dir(spec_path);
	char *folder = xstrdup(spec_path);
	const char *file = "spec.yaml";
	char *slash = strrchr(folder, '/');
	if (!is_dir && slash) {
		*slash = '\0';
		file = spec_path + (slash - folder) + 1;
	} else if (!is_dir) {
		free(folder);
		folder = xstrdup(".");
		file = spec_path;
	}
	char *copy = make_scratch_dir_in(e2e_tmpdir(), "spec");
	cr_assert_not_null(copy, "%s", error_last());
	cr_assert_eq(copy_tree(folder, copy), 0, "%s", error_last());
	char *yaml = path_join(copy, file);
	free(copy);
	free(folder);
	return yaml;
}

char *e2e_spec_with_timeouts(const char *spec_path, const char *timeout)
{
	char *yaml = e2e_spec_copy(spec_path);
	struct strbuf text = STRBUF_INIT, edited = STRBUF_INIT;
	strbuf_init(&text);
	strbuf_init(&edited);
	cr_assert_eq(read_file(yaml, &text), 0, "%s", error_last());
	size_t changed = 0;
	for (char *line = text.buf, *next; *line; line = next) {
		char *end = strchr(line, '\n');
		next = end ? end + 1 : line + strlen(line);
		const char *key = line + strspn(line, " -");
		if (!strncmp(key, "timeout:", 8)) {
			/* The value is replaced; the indentation (and any "- ") kept. */
			strbuf_add(&edited, line, (size_t)(key - line));
			strbuf_addf(&edited, "timeout: %s\n", timeout);
			changed++;
		} else {
			strbuf_add(&edited, line, (size_t)(next - line));
		}
	}
	cr_assert_gt(changed, 0, "%s has no timeout: to change", yaml);
	cr_assert_eq(write_file_atomic(yaml, edited.buf, edited.len), 0, "%s", error_last());
	strbuf_release(&text);
	strbuf_release(&edited);
	return yaml;
}

char *e2e_compile(const char *dir, const char *name, const char *source)
{
	char *src = xasprintf("%s/%s.c", dir, name);
	char *prog = path_join(dir, name);
	cr_assert_eq(write_file_atomic(src, source, strlen(source)), 0, "%s", error_last());
	char *cmd = xasprintf("cc -std=gnu11 -pthread -o '%s' '%s'", prog, src);
	cr_assert_eq(system(cmd), 0, "cannot compile %s", name);
	free(cmd);
	free(src);
	return prog;
}

size_t e2e_count_processes(bool (*match)(const char *pid, const void *arg), const void *arg)
{
	size_t n = 0;
	DIR *proc = opendir("/proc");
	cr_assert_not_null(proc);
	struct dirent *de;
	while ((de = readdir(proc)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			n += match(de->d_name, arg);
	closedir(proc);
	return n;
}

json_t *e2e_find_test(json_t *report, const char *name)
{
	size_t i;
	json_t *test;
	json_array_foreach(json_object_get(report, "tests"), i, test)
	{
		const char *n = json_string_value(json_object_get(test, "name"));
		if (n && !strcmp(n, name))
			return test;
	}
	return NULL;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *e2e_failing_kinds(json_t *test)
{
	struct strvec kinds = STRVEC_INIT;
	strvec_init(&kinds);
	size_t i;
	json_t *check;
	json_array_foreach(json_object_get(test, "checks"), i, check)
	{
		const char *kind = json_string_value(json_object_get(check, "kind"));
		if (!json_is_true(json_object_get(check, "ok")) && kind && !strvec_contains(&kinds, kind))
			strvec_push(&kinds, kind);
	}
	qsort(kinds.v, kinds.n, sizeof(*kinds.v), compare_strings);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (i = 0; i < kinds.n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", kinds.v[i]);
	if (!kinds.n)
		strbuf_addstr(&sb, "-");
	strvec_clear(&kinds);
	return strbuf_detach(&sb, NULL);
}

bool e2e_kinds_subset(const char *actual, const char *expected)
{
	if (!strcmp(actual, "-"))
		return true;
	char *copy = xstrdup(actual);
	bool ok = true;
	char *save = NULL;
	for (char *k = strtok_r(copy, ",", &save); k && ok; k = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(k);
		const char *p = expected;
		bool found = false;
		while (!found && (p = strstr(p, k))) {
			found = (p == expected || p[-1] == ',') && (p[len] == ',' || p[len] == '\0');
			p += len;
		}
		ok = found;
	}
	free(copy);
	return ok;
}

void e2e_pin_to_one_cpu(void)
{
	cpu_set_t mine, one;
	cr_assert_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	int first = 0;
	while (first < CPU_SETSIZE && !CPU_ISSET(first, &mine))
		first++;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
}
