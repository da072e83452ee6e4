/*
 * End-to-end tests: run the built grader (GRADER_BIN, the ASan/UBSan build
 * under `make test`) on real submissions and assert on its JSON report.
 *
 * The expectations live in tables (grader/tests/e2e/, one .tsv per group), one row per
 * (submission, test): the status and the exact set of failing check kinds.
 * A row with a `pending` column names a capability a later issue brings; for
 * it only "nothing fails that the row does not expect" is asserted, and a
 * warning says so — it never passes silently.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "report_json.h"
#include "util.h"

struct submission_case {
	char table[128];
	char spec[256];
	char submission[256];
};

static const char *const tables[] = {
	"grader/tests/e2e/expected.tsv",
	"grader/tests/e2e/robustness.tsv",
	"grader/tests/e2e/matchers.tsv",
	"grader/tests/e2e/limits.tsv",
};

/* Attacks on the sandbox: run only once the sandbox is known to be complete. */
static const char *const hostile_tables[] = {
	"grader/tests/hostile/expected-sandboxed.tsv",
};

static void free_cases(struct criterion_test_params *params)
{
	cr_free(params->params);
}

/* One case per distinct (spec, submission) pair of every table. */
static struct criterion_test_params cases_of(const char *const *tables, size_t ntables)
{
	size_t cap = 256, n = 0;
	struct submission_case *cases = cr_malloc(cap * sizeof(*cases));
	for (size_t t = 0; t < ntables; t++) {
		struct e2e_rows rows;
		if (e2e_rows_load(tables[t], &rows) < 0)
			continue; /* the test for that table reports the problem */
		for (size_t i = 0; i < rows.n; i++) {
			bool seen = false;
			for (size_t j = 0; j < n && !seen; j++)
				seen = !strcmp(cases[j].spec, rows.v[i].spec) &&
				       !strcmp(cases[j].submission, rows.v[i].submission);
			if (seen || n == cap)
				continue;
			snprintf(cases[n].table, sizeof(cases[n].table), "%s", tables[t]);
			snprintf(cases[n].spec, sizeof(cases[n].spec), "%s", rows.v[i].spec);
			snprintf(cases[n].submission, sizeof(cases[n].submission), "%s",
				 rows.v[i].submission);
			n++;
		}
		e2e_rows_free(&rows);
	}
	return cr_make_param_array(struct submission_case, cases, n, free_cases);
}

ParameterizedTestParameters(e2e, submission)
{
	return cases_of(tables, sizeof(tables) / sizeof(tables[0]));
}

ParameterizedTestParameters(hostile, submission)
{
	return cases_of(hostile_tables, sizeof(hostile_tables) / sizeof(hostile_tables[0]));
}

/*
 * Grades c's submission (through the program `wrapper` when not NULL, given
 * the grader's command line) and asserts every row of its table on the JSON
 * report; returns what the grader wrote on stderr (caller frees).
 */
static char *check_submission(const struct submission_case *c, const char *wrapper)
{
	struct e2e_rows rows;
	cr_assert_eq(e2e_rows_load(c->table, &rows), 0, "cannot read %s", c->table);

	const char *grade[] = {wrapper, e2e_grader(), "grade", c->spec, c->submission, "--format",
			       "json", "-o", e2e_tmpdir(), NULL};
	const char *const *argv = wrapper ? grade : grade + 1;
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert(run.exit_code == 0 || run.exit_code == 1,
		  "%s: grader exited %d (signal %d); stderr:\n%s", c->submission, run.exit_code,
		  run.signal, run.err);
	json_error_t jerr;
	json_t *report = json_loads(run.out, JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(report, "%s: stdout is not JSON (%s): %.500s", c->submission, jerr.text,
			   run.out);

	size_t checked = 0;
	bool any_failed = false;
	for (size_t i = 0; i < rows.n; i++) {
		const struct e2e_row *row = &rows.v[i];
		if (strcmp(row->spec, c->spec) || strcmp(row->submission, c->submission))
			continue;
		checked++;
		json_t *test = e2e_find_test(report, row->test);
		cr_expect_not_null(test, "%s: no test named '%s' in the report", c->submission, row->test);
		if (!test)
			continue;
		const char *status = json_string_value(json_object_get(test, "status"));
		char *kinds = e2e_failing_kinds(test);
		any_failed |= strcmp(status, "passed") != 0;
		if (row->pending[0] && strcmp(row->pending, "-")) {
			/* Not cr_log_warn: Criterion 2.4 turns any warning into exit status 1. */
			fprintf(stderr,
				"[PENDING] %s: %s / %s expects %s [%s]; got %s [%s]; asserting only "
				"that nothing unexpected fails\n",
				row->pending, c->submission, row->test, row->status, row->kinds, status,
				kinds);
			cr_expect(e2e_kinds_subset(kinds, row->kinds),
				  "%s / %s: failing checks [%s] are not within the expected [%s]",
				  c->submission, row->test, kinds, row->kinds);
		} else {
			cr_expect_str_eq(status, row->status, "%s / %s: status %s, expected %s (checks [%s])",
					 c->submission, row->test, status, row->status, kinds);
			cr_expect_str_eq(kinds, row->kinds, "%s / %s: failing checks [%s], expected [%s]",
					 c->submission, row->test, kinds, row->kinds);
		}
		free(kinds);
	}
	cr_expect_gt(checked, 0, "no rows for %s", c->submission);
	/* The exit status agrees with the verdicts: 1 when any test did not pass. */
	cr_expect_eq(run.exit_code, any_failed ? 1 : 0, "%s: exit status %d", c->submission,
		     run.exit_code);
	/* Whatever the student's program printed, the report file is there and is the same JSON. */
	char *path = e2e_report_path(json_string_value(json_object_get(report, "submission")));
	json_t *on_disk = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	cr_expect_not_null(on_disk, "report file %s: %s", path, jerr.text);
	cr_expect(on_disk && json_equal(on_disk, report), "%s differs from stdout", path);
	json_decref(on_disk);
	free(path);
	/* Nothing a program does makes its reports large (docs/reports.md, "Bounds"). */
	char *files[] = {
		xasprintf("%s.json", json_string_value(json_object_get(report, "submission"))),
		xstrdup("junit.xml"),
		xstrdup("results.json"),
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *file = path_join(e2e_tmpdir(), files[i]);
		struct stat st = {0};
		cr_expect(stat(file, &st) == 0 && st.st_size < REPORT_JSON_MAX,
			  "%s: %s is missing or weighs %lld bytes", c->submission, files[i],
			  (long long)st.st_size);
		free(file);
		free(files[i]);
	}
	json_decref(report);
	char *err = xstrdup(run.err);
	e2e_run_release(&run);
	e2e_rows_free(&rows);
	return err;
}

ParameterizedTest(struct submission_case *c, e2e, submission, .timeout = 120)
{
	free(check_submission(c, NULL));
}

/* Whether process pid works in a folder under dir (only this test's processes work there). */
static bool works_under(const char *pid, const void *dir)
{
	char link[300], cwd[4096];
	snprintf(link, sizeof(link), "/proc/%s/cwd", pid);
	ssize_t len = readlink(link, cwd, sizeof(cwd) - 1);
	if (len <= 0)
		return false;
	cwd[len] = '\0';
	return !strncmp(cwd, dir, strlen(dir));
}

/*
 * Runs argv[1..] in an IPC namespace of its own, waits for it and exits with
 * its status; last on stderr, "ipc_ns: N segments left": what the command
 * left in that namespace, which it had to itself.  A System V object the
 * grader's sandbox lets out lands there, where no other test, session or
 * user of the machine adds or removes any.  An ordinary user needs a user
 * namespace for it: its own ids are mapped to themselves, so that the
 * command still runs as that same ordinary user.  (A separate program: a
 * test's process has threads, and a threaded process cannot unshare a user
 * namespace.)
 */
static const char ipc_ns_source[] =
	"#define _GNU_SOURCE\n#include <fcntl.h>\n#include <sched.h>\n#include <stdio.h>\n"
	"#include <string.h>\n#include <sys/shm.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
	"static int put(const char *file, const char *text) {\n"
	"  int fd = open(file, O_WRONLY | O_CLOEXEC);\n"
	"  int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);\n"
	"  if (fd >= 0) close(fd);\n"
	"  if (!ok) perror(file);\n"
	"  return ok ? 0 : -1; }\n"
	"int main(int argc, char **argv) {\n"
	"  unsigned uid = geteuid(), gid = getegid(); char umap[64], gmap[64]; int st;\n"
	"  if (argc < 2) return 125;\n"
	"  snprintf(umap, sizeof(umap), \"%u %u 1\\n\", uid, uid);\n"
	"  snprintf(gmap, sizeof(gmap), \"%u %u 1\\n\", gid, gid);\n"
	"  if (unshare(uid ? CLONE_NEWUSER | CLONE_NEWIPC : CLONE_NEWIPC) < 0) {\n"
	"    perror(\"ipc_ns: unshare\"); return 125; }\n"
	"  if (uid && (put(\"/proc/self/setgroups\", \"deny\") || put(\"/proc/self/uid_map\", umap) ||\n"
	"              put(\"/proc/self/gid_map\", gmap))) return 125;\n"
	"  pid_t pid = fork();\n"
	"  if (pid == 0) { execv(argv[1], argv + 1); perror(argv[1]); _exit(127); }\n"
	"  if (pid < 0 || waitpid(pid, &st, 0) != pid) return 125;\n"
	"  struct shm_info info;\n"
	"  int rc = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);\n"
	"  fprintf(stderr, \"ipc_ns: %d segments left\\n\", rc < 0 ? -1 : info.used_ids);\n"
	"  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }\n";

ParameterizedTest(struct submission_case *c, hostile, submission, .timeout = 120)
{
	e2e_require_full_sandbox();

	/* The grader's scratch folders go under this test's own folder, to find its processes by. */
	const char *tmpdir = e2e_tmpdir();
	setenv("TMPDIR", tmpdir, 1);
	char *ipc_ns = e2e_compile(tmpdir, "ipc_ns", ipc_ns_source);
	char *err = check_submission(c, ipc_ns);
	/* The machine afterwards: nothing of the attack survives, no segment of it remains. */
	cr_expect_eq(e2e_count_processes(works_under, tmpdir), 0, "%s: a process of the test survived it",
		     c->submission);
	cr_expect(strstr(err, "ipc_ns: 0 segments left\n"),
		  "%s: a System V segment of the test is left outside its sandbox:\n%s",
		  c->submission, err);
	free(err);
	free(ipc_ns);
}
