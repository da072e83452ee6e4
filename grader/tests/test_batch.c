/*
 * End-to-end tests of `grader batch`: the class reports, crash safety and
 * --resume, and the build cache.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"
#include "util.h"

#define SPEC "testcases/pipe_hello"
#define CLASS "submissions/pipe_hello"

static struct e2e_run run;

static void teardown(void)
{
	e2e_run_release(&run);
}

TestSuite(batch, .fini = teardown, .timeout = 240);

static void batch(const char *spec, const char *root, const char *out, const char *extra)
{
	const char *argv[] = {e2e_grader(), "batch", spec, root, "-o", out, "-j", "2", extra, NULL};
	e2e_release_and_run(argv, &run);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	return strbuf_detach(&sb, NULL);
}

/* The number of student folders in the class (other work adds students to it). */
static size_t class_size(void)
{
	DIR *d = opendir(CLASS);
	cr_assert_not_null(d);
	struct dirent *de;
	size_t n = 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

/* "student,score" pairs of a gradebook, one per line, for comparing runs. */
static char *scores_of(const char *gradebook_path)
{
	char *csv = slurp(gradebook_path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (char *line = strtok(csv, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		char *second_comma = strchr(line, ',');
		second_comma = second_comma ? strchr(second_comma + 1, ',') : NULL;
		strbuf_add(&sb, line, second_comma ? (size_t)(second_comma - line) : strlen(line));
		strbuf_addch(&sb, '\n');
	}
	free(csv);
	return strbuf_detach(&sb, NULL);
}

Test(batch, grades_the_class_and_writes_every_report)
{
	char *out = path_join(e2e_tmpdir(), "class");
	batch(SPEC, CLASS, out, NULL);
	cr_assert_eq(run.exit_code, 0, "exit %d; stderr:\n%s", run.exit_code, run.err);

	const char *students[] = {"compile_error_eve", "correct_alice", "no_terminator_bob",
				  "reader_keeps_write_end_carol"};
	for (size_t i = 0; i < sizeof(students) / sizeof(students[0]); i++) {
		char *name = xasprintf("%s.json", students[i]);
		char *path = path_join(out, name);
		json_error_t jerr;
		json_t *r = json_load_file(path, 0, &jerr);
		cr_expect_not_null(r, "%s: %s", path, jerr.text);
		json_decref(r);
		free(path);
		free(name);
	}
	char *gradebook = path_join(out, "gradebook.csv");
	char *csv = slurp(gradebook);
	cr_expect_eq(count_lines(csv), 1 + class_size(), "%s", csv);
	cr_expect(strstr(csv, "correct_alice,10,10"), "%s", csv);
	cr_expect(strstr(csv, "compile_error_eve,0,10"), "%s", csv);
	free(csv);
	char *junit_path = path_join(out, "junit.xml");
	char *junit = slurp(junit_path);
	cr_expect(strstr(junit, "<testsuite name=\"reader_keeps_write_end_carol\""), "%.400s", junit);
	free(junit);
	char *html = path_join(out, "index.html");
	cr_expect(path_exists(html));
	free(html);
	free(junit_path);
	free(gradebook);
	free(out);
}

/* ---- graders the test runs, watches, stops and kills ---------------------- */

/* How long a condition that must come is waited for before the test fails. */
#define STOP_DEADLINE_S 60.0

/* The grader, run by this test with TMPDIR=tmpdir and its output in a file; its pid (and process group). */
static pid_t spawn_grader(const char *const *args, const char *tmpdir)
{
	char *out = path_join(tmpdir, "..");
	char *log = xasprintf("%s/grader-output-%d.txt", out, (int)getpid());
	const char *argv[16] = {e2e_grader()};
	for (size_t i = 0; args[i] && i + 2 < ARRAY_SIZE(argv); i++)
		argv[i + 1] = args[i];
	/* Made before fork(): the test's process has threads, its child may call only what is async-signal-safe. */
	struct strvec env = STRVEC_INIT;
	strvec_init(&env);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "TMPDIR=", 7))
			strvec_push(&env, *e);
	strvec_pushf(&env, "TMPDIR=%s", tmpdir);
	pid_t pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* A process group of its own, as a shell's job: a Ctrl-C reaches all of it. */
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || setpgid(0, 0) < 0)
			_exit(127);
		execve(argv[0], (char *const *)argv, env.v);
		_exit(127);
	}
	strvec_clear(&env);
	free(log);
	free(out);
	return pid;
}

/* The pids of the grader-PID-XXXXXX scratch folders in tmpdir, and whether any grader-* is there. */
static size_t scratch_owners(const char *tmpdir, pid_t *owners, size_t max, bool *any)
{
	DIR *d = opendir(tmpdir);
	cr_assert_not_null(d, "%s: %s", tmpdir, strerror(errno));
	struct dirent *de;
	size_t n = 0;
	*any = false;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "grader-", 7))
			continue;
		*any = true;
		if (de->d_name[7] >= '1' && de->d_name[7] <= '9' && n < max)
			owners[n++] = (pid_t)atoi(de->d_name + 7);
	}
	closedir(d);
	return n;
}

/* Waits until `want` graders have a scratch folder in tmpdir (each is grading); their pids. */
static void await_scratch(const char *tmpdir, size_t want, pid_t *owners)
{
	double until = now_seconds() + STOP_DEADLINE_S;
	bool any;
	while (scratch_owners(tmpdir, owners, want, &any) < want) {
		cr_assert_lt(now_seconds(), until, "%zu graders never had a scratch folder", want);
		usleep(10 * 1000);
	}
}

/* The children of pid, from /proc. */
static bool is_child_of(pid_t pid, pid_t child)
{
	char *path = xasprintf("/proc/%d/task/%d/children", (int)pid, (int)pid);
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	cr_assert_eq(read_file(path, &text), 0, "%s", error_last());
	bool found = false;
	for (char *p = text.buf, *end; *p && !found; p = end) {
		long k = strtol(p, &end, 10);
		if (end == p)
			break;
		found = k == child;
	}
	strbuf_release(&text);
	free(path);
	return found;
}

/*
 * Reaps every process that came back to this test (a subreaper) until none
 * is left, failing when one is still alive at the deadline; returns how
 * many there were.
 */
static size_t reap_all_children(void)
{
	double until = now_seconds() + STOP_DEADLINE_S;
	size_t n = 0;
	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);
		if (pid < 0 && errno == ECHILD)
			return n;
		if (pid > 0) {
			n++;
			continue;
		}
		cr_assert_lt(now_seconds(), until, "a process of the grader outlived it");
		usleep(10 * 1000);
	}
}

static char *private_tmpdir(const char *name)
{
	char *dir = path_join(e2e_tmpdir(), name);
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	return dir;
}

/* How many students a batch has finished in out: their fingerprints come after their reports. */
static size_t finished(const char *out)
{
	char *dir = path_join(out, ".grader/fingerprints");
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.' && !strstr(de->d_name, ".tmp-");
	if (d)
		closedir(d);
	free(dir);
	return n;
}

Test(batch, a_killed_batch_resumes_to_the_same_scores)
{
	char *whole = path_join(e2e_tmpdir(), "whole");
	char *killed = path_join(e2e_tmpdir(), "killed");
	batch(SPEC, CLASS, whole, NULL);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	e2e_run_release(&run);

	/*
	 * Killed with everything it started, as a machine crash would, once it
	 * has finished a student (usually some, not all: the class has hanging
	 * submissions; the assertions hold whichever).
	 */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	/* Its own TMPDIR: a grader killed with SIGKILL leaves its scratch folders there. */
	char *tmpdir = private_tmpdir("killed-tmp");
	const char *args[] = {"batch", SPEC, CLASS, "-o", killed, "-j", "1", NULL};
	pid_t pid = spawn_grader(args, tmpdir);
	int wstatus;
	bool ended = false;
	while (finished(killed) == 0 && !(ended = waitpid(pid, &wstatus, WNOHANG) != 0))
		usleep(5 * 1000);
	/* Once reaped, its pid (and process group id) may be another process's. */
	if (!ended)
		kill(-pid, SIGKILL);
	reap_all_children();
	free(tmpdir);
	size_t done = finished(killed);
	cr_assert_gt(done, 0, "the batch ended without finishing a student");

	batch(SPEC, CLASS, killed, "--resume");
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	/* Exactly the students finished before the kill are skipped, the others graded. */
	char *skipped = xasprintf("%zu/%zu done (%zu up to date)", class_size(), class_size(), done);
	cr_expect(strstr(run.err, skipped), "expected \"%s\" in:\n%s", skipped, run.err);
	free(skipped);
	char *a_path = path_join(whole, "gradebook.csv"), *b_path = path_join(killed, "gradebook.csv");
	char *a = scores_of(a_path), *b = scores_of(b_path);
	cr_expect_str_eq(b, a);
	free(a);
	free(b);
	free(a_path);
	free(b_path);
	e2e_run_release(&run);

	/* Nothing changed: a second resume re-grades nobody. */
	batch(SPEC, CLASS, killed, "--resume");
	char *all_done = xasprintf("%zu/%zu done (%zu up to date)", class_size(), class_size(),
				   class_size());
	cr_expect(strstr(run.err, all_done), "%s", run.err);
	free(all_done);
	free(whole);
	free(killed);
}

/* Copies robustness submission `from` into class/name. */
static void enrol(const char *class, const char *name, const char *from)
{
	char *dst = path_join(class, name);
	char *src = xasprintf("grader/tests/robustness/submissions/%s", from);
	cr_assert_eq(mkdir_p(dst, 0755), 0, "%s", error_last());
	cr_assert_eq(copy_tree(src, dst), 0, "%s", error_last());
	free(src);
	free(dst);
}

/* The status and first check message of the only test in report_dir/student.json. */
static void only_test(const char *report_dir, const char *student, char **status, char **message)
{
	json_t *r = e2e_load_report(report_dir, student);
	json_t *test = json_array_get(json_object_get(r, "tests"), 0);
	json_t *check = json_array_get(json_object_get(test, "checks"), 0);
	*status = xstrdup(json_string_value(json_object_get(test, "status")));
	*message = xstrdup(check ? json_string_value(json_object_get(check, "message")) : "");
	json_decref(r);
}

/*
 * Workers live as long as the batch: one killed in the middle of a student
 * costs that student an error report (never the report itself), and a new
 * worker grades the students after it.
 */
Test(batch, a_worker_killed_mid_student_is_replaced)
{
	char *class = path_join(e2e_tmpdir(), "pool-class");
	char *out = path_join(e2e_tmpdir(), "pool");
	enrol(class, "a_hangs", "sleeps_forever");
	enrol(class, "b_hello", "hello");
	enrol(class, "c_hello", "hello");
	/* A minute to hang in: the worker is found grading a_hangs however slowly the test looks. */
	char *spec = e2e_spec_with_timeouts("grader/tests/robustness", "60s");
	/* Its own TMPDIR: a worker is known by the scratch folder it grades in, grader-PID-*. */
	char *tmp = private_tmpdir("pool-tmp");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	const char *args[] = {"batch", spec, class, "-o", out, "-j", "1", NULL};
	pid_t batch_pid = spawn_grader(args, tmp);

	/* The first scratch folder is a_hangs's (one worker, students in order). */
	pid_t worker;
	await_scratch(tmp, 1, &worker);
	cr_assert(is_child_of(batch_pid, worker), "pid %d is no worker", (int)worker);
	cr_assert_eq(kill(worker, SIGKILL), 0, "kill: %s", strerror(errno));
	cr_assert_eq(waitpid(batch_pid, NULL, 0), batch_pid);
	reap_all_children();

	char *status, *message;
	only_test(out, "a_hangs", &status, &message);
	cr_expect_str_eq(status, "error");
	cr_expect(strstr(message, "the grader crashed (SIGKILL)"), "%s", message);
	free(status);
	free(message);
	const char *after[] = {"b_hello", "c_hello"};
	for (size_t i = 0; i < 2; i++) {
		only_test(out, after[i], &status, &message);
		cr_expect_str_eq(status, "passed", "%s: %s", after[i], message);
		free(status);
		free(message);
	}
	/* What the killed worker was building is removed with it. */
	char *left = xasprintf("grader-%d-", (int)worker);
	DIR *d = opendir(tmp);
	cr_assert_not_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		cr_expect(strncmp(de->d_name, left, strlen(left)), "left behind: %s/%s", tmp,
			  de->d_name);
	closedir(d);
	free(left);
	char *gradebook_path = path_join(out, "gradebook.csv");
	char *csv = slurp(gradebook_path);
	cr_expect_eq(count_lines(csv), 4, "%s", csv);
	free(csv);
	free(gradebook_path);
	free(spec);
	free(tmp);
	free(out);
	free(class);
}

static char *build_output(const char *report_dir, const char *student)
{
	json_t *r = e2e_load_report(report_dir, student);
	char *output = xstrdup(json_string_value(json_object_get(json_object_get(r, "build"), "output")));
	json_decref(r);
	return output;
}

/*
 * The host never looks through a submission's links: a required file that
 * links to a file only the grader may read gets the same answer as one
 * that links to nothing (no existence oracle), and a student folder that
 * is a link is skipped, named on stderr.
 */
Test(batch, a_submission_s_links_are_never_followed_on_the_host)
{
	char *class = path_join(e2e_tmpdir(), "links-class");
	char *out = path_join(e2e_tmpdir(), "links");
	char *vault = path_join(e2e_tmpdir(), "vault");
	char *secret = path_join(vault, "secret");
	char *nothing = path_join(vault, "nothing");
	cr_assert_eq(mkdir_p(vault, 0700), 0);
	cr_assert_eq(write_file_atomic(secret, "int main(void) { return 0; }\n", 29), 0);
	cr_assert_eq(chmod(secret, 0600), 0);
	enrol(class, "dave", "hello");
	char *alice = path_join(class, "alice"), *bob = path_join(class, "bob");
	cr_assert_eq(mkdir_p(alice, 0755), 0);
	cr_assert_eq(mkdir_p(bob, 0755), 0);
	char *alice_main = path_join(alice, "main.c"), *bob_main = path_join(bob, "main.c");
	cr_assert_eq(symlink(secret, alice_main), 0);
	cr_assert_eq(symlink(nothing, bob_main), 0);
	enrol(e2e_tmpdir(), "elsewhere", "hello");
	char *elsewhere = path_join(e2e_tmpdir(), "elsewhere");
	char *carol = path_join(class, "carol");
	cr_assert_eq(symlink(elsewhere, carol), 0);

	batch("grader/tests/robustness", class, out, NULL);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	char *skipped = xasprintf("skipped %s: a symbolic link, not a student folder", carol);
	cr_expect(strstr(run.err, skipped), "%s", run.err);
	char *carol_report = path_join(out, "carol.json");
	cr_expect_not(path_exists(carol_report), "the linked folder was graded");
	char *a = build_output(out, "alice"), *b = build_output(out, "bob");
	cr_expect_str_eq(a, b, "the existence of a file the student may not read shows");
	cr_expect(strstr(a, "missing required file: 'main.c'") && strstr(a, "symbolic link"), "%s", a);
	char *status, *message;
	only_test(out, "dave", &status, &message);
	cr_expect_str_eq(status, "passed", "%s", message);
	free(status);
	free(message);
	free(a);
	free(b);
	free(carol_report);
	free(skipped);
	free(carol);
	free(elsewhere);
	free(alice_main);
	free(bob_main);
	free(alice);
	free(bob);
	free(nothing);
	free(secret);
	free(vault);
	free(out);
	free(class);
}

/* A copy of the spec folder whose tests changed but whose build did not. */
static char *spec_with_new_points(void)
{
	char *file = e2e_spec_copy(SPEC);
	char *text = slurp(file);
	char *at = strstr(text, "points: 4");
	cr_assert_not_null(at);
	at[8] = '5';
	cr_assert_eq(write_file_atomic(file, text, strlen(text)), 0);
	free(text);
	return file;
}

static double build_seconds(const char *report_dir, const char *student)
{
	json_t *r = e2e_load_report(report_dir, student);
	double s = json_number_value(json_object_get(json_object_get(r, "build"), "seconds"));
	json_decref(r);
	return s;
}

Test(batch, a_spec_change_that_keeps_the_build_reuses_it)
{
	char *out = path_join(e2e_tmpdir(), "cached");
	batch(SPEC, CLASS, out, NULL);
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	double first = build_seconds(out, "correct_alice");
	e2e_run_release(&run);

	char *spec = spec_with_new_points();
	batch(spec, CLASS, out, "--resume");
	cr_assert_eq(run.exit_code, 0, "%s", run.err);
	/* The spec changed, so nobody is up to date: every student was graded again... */
	cr_expect(strstr(run.err, "(0 up to date)"), "%s", run.err);
	/* ...but from the cached build, whose recorded time is the first build's, to the bit. */
	cr_expect_eq(build_seconds(out, "correct_alice"), first);
	char *gradebook = path_join(out, "gradebook.csv");
	char *csv = slurp(gradebook);
	cr_expect(strstr(csv, "correct_alice,11,11"), "%s", csv);
	free(csv);
	free(gradebook);
	free(spec);
	free(out);
}

/*
 * The default -j counts the CPUs the batch may use (its affinity mask: a
 * Slurm job's cpuset, taskset), not the machine's: twice 64 workers on the
 * 2 CPUs of a job would crowd them past what the deadlines make up for.
 */
Test(batch, the_default_workers_count_the_cpus_it_may_use)
{
	/* The grader this test starts inherits the mask. */
	e2e_pin_to_one_cpu();
	char *out = path_join(e2e_tmpdir(), "one_cpu");
	const char *argv[] = {e2e_grader(), "batch", SPEC, CLASS, "-o", out, NULL};
	e2e_release_and_run(argv, &run);
	cr_assert_eq(run.exit_code, 0, "exit %d; stderr:\n%s", run.exit_code, run.err);
	cr_expect(strstr(run.err, "batch: 2 workers (twice the 1 CPU it may use"), "%s", run.err);
	free(out);
}

Test(batch, usage_errors)
{
	const char *argv[] = {e2e_grader(), "batch", SPEC, NULL};
	e2e_release_and_run(argv, &run);
	cr_expect_eq(run.exit_code, 2);
	const char *argv2[] = {e2e_grader(), "batch", SPEC, "no/such/root", NULL};
	e2e_release_and_run(argv2, &run);
	cr_expect_eq(run.exit_code, 2);
	cr_expect(strstr(run.err, "no/such/root"), "%s", run.err);
	const char *argv3[] = {e2e_grader(), "batch", SPEC, CLASS, "-j", "0", NULL};
	e2e_release_and_run(argv3, &run);
	cr_expect_eq(run.exit_code, 2);
}

/* ---- stop signals and killed graders (lifecycle.h) ---------------------- */

/* A batch run by the test (a subreaper: what outlives the grader comes back to it). */
struct watched_batch {
	char *class, *tmpdir, *out;
	pid_t parent;
	pid_t workers[2];
};

/*
 * Starts a batch (-j 2) of two students who hang and one who passes, with
 * a private TMPDIR, and returns once both workers are grading a hanging
 * student (each has its scratch folder).
 */
static void start_hanging_batch(const char *name, struct watched_batch *b)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *class_name = xasprintf("%s-class", name), *tmp_name = xasprintf("%s-tmp", name);
	b->class = path_join(e2e_tmpdir(), class_name);
	enrol(b->class, "a_hangs", "sleeps_forever");
	enrol(b->class, "b_hangs", "sleeps_forever");
	enrol(b->class, "c_hello", "hello");
	b->tmpdir = private_tmpdir(tmp_name);
	b->out = path_join(e2e_tmpdir(), name);
	const char *args[] = {"batch", "grader/tests/robustness", b->class, "-o", b->out, "-j", "2",
			      NULL};
	b->parent = spawn_grader(args, b->tmpdir);
	await_scratch(b->tmpdir, 2, b->workers);
	for (size_t i = 0; i < 2; i++)
		cr_assert(is_child_of(b->parent, b->workers[i]), "pid %d is no worker",
			  (int)b->workers[i]);
	free(class_name);
	free(tmp_name);
}

static void watched_batch_free(struct watched_batch *b)
{
	free(b->class);
	free(b->tmpdir);
	free(b->out);
}

/* Whether a grader-* folder is in tmpdir. */
static bool scratch_left(const char *tmpdir)
{
	bool any;
	pid_t owners[4];
	scratch_owners(tmpdir, owners, 4, &any);
	return any;
}

/*
 * A stop signal in the middle of a class: the batch kills its workers,
 * reaps them and what they left, removes every scratch folder, and ends
 * killed by that signal.  The test is a subreaper: a process of the
 * grader that outlived it would come back here.
 */
Test(batch, a_stop_signal_leaves_no_worker_and_no_scratch_folder)
{
	struct watched_batch b;
	start_hanging_batch("term", &b);
	cr_assert_eq(kill(b.parent, SIGTERM), 0);
	int status = 0;
	cr_assert_eq(waitpid(b.parent, &status, 0), b.parent);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "wait status %#x", status);
	cr_expect_not(scratch_left(b.tmpdir), "a grader-* folder is left in %s", b.tmpdir);
	for (size_t i = 0; i < 2; i++)
		cr_expect(kill(b.workers[i], 0) < 0 && errno == ESRCH, "worker %d outlived the batch",
			  (int)b.workers[i]);
	cr_expect_eq(reap_all_children(), 0, "processes of the batch outlived it");
	watched_batch_free(&b);
}

/*
 * Ctrl-C on a terminal: SIGINT to the whole process group, workers
 * included.  They leave it to their parent (it stays blocked in them): a
 * worker that died of it would have been taken for a crash, and its
 * student given an error report.
 */
Test(batch, a_ctrl_c_stops_the_batch_without_blaming_a_student)
{
	struct watched_batch b;
	start_hanging_batch("int", &b);
	cr_assert_eq(kill(-b.parent, SIGINT), 0);
	int status = 0;
	cr_assert_eq(waitpid(b.parent, &status, 0), b.parent);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT, "wait status %#x", status);
	const char *hanging[] = {"a_hangs.json", "b_hangs.json"};
	for (size_t i = 0; i < 2; i++) {
		char *report = path_join(b.out, hanging[i]);
		cr_expect_not(path_exists(report), "%s was written for a stopped batch", report);
		free(report);
	}
	cr_expect_not(scratch_left(b.tmpdir), "a grader-* folder is left in %s", b.tmpdir);
	cr_expect_eq(reap_all_children(), 0, "processes of the batch outlived it");
	watched_batch_free(&b);
}

/*
 * SIGKILL, which nothing can catch: the workers die with their parent
 * (PR_SET_PDEATHSIG), and the next grader removes the scratch folders they
 * could not (nobody holds their locks).
 */
Test(batch, a_killed_batch_s_workers_die_and_the_next_run_sweeps_their_folders)
{
	struct watched_batch b;
	start_hanging_batch("kill", &b);
	cr_assert_eq(kill(b.parent, SIGKILL), 0);
	cr_assert_eq(waitpid(b.parent, NULL, 0), b.parent);
	/* Orphaned, they come back to this test: each must die (and so must what they ran). */
	cr_expect_geq(reap_all_children(), 2, "the workers did not come back here");
	for (size_t i = 0; i < 2; i++)
		cr_expect(kill(b.workers[i], 0) < 0 && errno == ESRCH, "worker %d outlived the batch",
			  (int)b.workers[i]);
	bool any;
	pid_t left[4];
	cr_assert_geq(scratch_owners(b.tmpdir, left, 4, &any), 2,
		      "no folder for the next run to sweep");

	setenv("TMPDIR", b.tmpdir, 1);
	batch("grader/tests/robustness", b.class, b.out, "--resume");
	cr_expect_eq(run.exit_code, 0, "%s", run.err);
	cr_expect_not(scratch_left(b.tmpdir), "the killed batch's folders are still in %s", b.tmpdir);
	watched_batch_free(&b);
}

/* grade and check clean up after a stop signal as batch does. */
Test(batch, a_stopped_grade_leaves_no_scratch_folder)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *tmpdir = private_tmpdir("grade-tmp");
	char *out = path_join(e2e_tmpdir(), "grade");
	const char *args[] = {"grade", "grader/tests/robustness",
			      "grader/tests/robustness/submissions/sleeps_forever", "-o", out, NULL};
	pid_t grade = spawn_grader(args, tmpdir);
	pid_t grading;
	await_scratch(tmpdir, 1, &grading);
	cr_assert_eq(kill(grade, SIGINT), 0);
	int status = 0;
	cr_assert_eq(waitpid(grade, &status, 0), grade);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT, "wait status %#x", status);
	cr_expect_not(scratch_left(tmpdir), "a grader-* folder is left in %s", tmpdir);
	cr_expect_eq(reap_all_children(), 0, "processes of the grader outlived it");
	free(out);
	free(tmpdir);
}
