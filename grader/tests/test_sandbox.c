/*
 * Unit tests of the sandbox: each runs a small shell command through
 * sandbox_run() and asserts what the command could (not) see or do, and
 * what the machine looks like afterwards.  They pass as root and as an
 * ordinary user (`make test` runs them both ways).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"
#include "sandbox.h"
#include "util.h"

static struct sandbox *sb;
static struct run_result result;
static bool have_result;
static struct strvec env;
static char *scratch, *workdir;

static void setup(void)
{
	sb = sandbox_new(true);
	cr_assert_not_null(sb);
	scratch = make_scratch_dir("grader-sandbox-test");
	cr_assert_not_null(scratch, "%s", error_last());
	workdir = path_join(scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0, "%s", error_last());
	strvec_init(&env);
	run_build_env(&env, workdir, NULL, 0);
}

/* Idempotent: a test that skips calls it itself, as Criterion then runs no .fini. */
static void teardown(void)
{
	if (have_result)
		run_result_release(&result);
	have_result = false;
	sandbox_free(sb);
	sb = NULL;
	if (scratch)
		remove_tree(scratch);
	free(workdir);
	free(scratch);
	workdir = scratch = NULL;
	strvec_clear(&env);
}

TestSuite(sandbox, .init = setup, .fini = teardown, .timeout = 60);

/*
 * Runs `sh -c script` through box in dir, made of sources when not NULL;
 * returns its stdout.  Its process limit is 32, except without namespaces:
 * there it would be RLIMIT_NPROC, which counts every thread of the user on
 * the machine (other tests' and users' come and go), so it has none.
 */
static const char *run_sh_in(struct sandbox *box, const char *dir, const char *const *sources,
			     const char *script, enum sandbox_workdir wd)
{
	bool namespaces = true;
	for (size_t i = 0; i < sandbox_missing(box)->n; i++)
		namespaces &= strncmp(sandbox_missing(box)->v[i], "namespaces", 10) != 0;
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv};
	struct run_request req = {
		.workdir = dir,
		.envp = env.v,
		.limits = {.cpu_ms = 5000, .memory = 1LL << 30, .processes = namespaces ? 32 : 0,
			   .output = 1 << 20, .open_files = 64},
		.timeout_ms = 5000,
		.procs = &proc,
		.nprocs = 1,
		.workdir_sources = sources,
	};
	cr_assert_eq(sandbox_run(box, &req, wd, &result), 0, "sandbox_run: %s", error_last());
	have_result = true;
	cr_assert(result.procs[0].started, "%s", result.procs[0].start_error);
	return result.procs[0].out.data;
}

/* Runs `sh -c script` in the sandbox, in workdir; returns its stdout. */
static const char *run_sh(const char *script, enum sandbox_workdir wd)
{
	return run_sh_in(sb, workdir, NULL, script, wd);
}

/*
 * A loaded machine moves a run's deadline by up to RUN_CPU_WAIT_MAX_TIMES
 * its timeout: a 10 s test may run 40 s and must not be killed as a fault
 * of the sandbox at 30 s (the watchdog once waited 20 s past the timeout).
 */
Test(sandbox, the_watchdog_waits_past_every_deadline_a_run_can_reach)
{
	const long long timeouts[] = {1, 2000, 10000, 30000, 3600000};
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		long long t = timeouts[i];
		cr_assert_gt(sandbox_answer_wait_ms(t), run_latest_deadline_ms(t), "timeout %lld ms", t);
	}
}

Test(sandbox, this_machine_gives_full_isolation)
{
	/* The CI machines and the developers' ones allow everything; a regression shows here. */
	const struct strvec *missing = sandbox_missing(sb);
	cr_expect(sandbox_full(sb), "missing: %s", missing->n ? missing->v[0] : "");
}

Test(sandbox, the_test_has_its_own_pid_namespace)
{
	/*
	 * init is pid 1, the shell the first process it starts.  The shell
	 * expands the glob itself: no other process of the test exists, or is
	 * still starting, while /proc is read.
	 */
	cr_expect_str_eq(run_sh("echo $$; echo /proc/[0-9]*", SANDBOX_WORKDIR_COPY),
			 "2\n/proc/1 /proc/2\n");
}

Test(sandbox, hostname_and_network_are_the_sandboxs)
{
	const char *out = run_sh("uname -n; cat /proc/net/dev | grep -c ':'", SANDBOX_WORKDIR_COPY);
	/* Only the loopback device exists, and it is down. */
	cr_expect_str_eq(out, "sandbox\n1\n");
}

Test(sandbox, the_host_file_system_is_hidden)
{
	char *secret_dir = path_join(scratch, "testcases");
	char *secret = path_join(secret_dir, "spec.yaml");
	cr_assert_eq(mkdir_p(secret_dir, 0755), 0);
	cr_assert_eq(write_file_atomic(secret, "answers\n", 8), 0);
	char *script = xasprintf("cat %s 2>/dev/null || echo hidden; ls / | tr '\\n' ' '; echo; "
				 "test -e /etc/shadow && echo shadow; grep -c . /etc/passwd",
				 secret);
	const char *out = run_sh(script, SANDBOX_WORKDIR_COPY);
	cr_expect(!strstr(out, "answers"), "the spec's folder is visible: %s", out);
	cr_expect(strstr(out, "hidden\n"), "%s", out);
	cr_expect(!strstr(out, "home") && !strstr(out, "root ") && !strstr(out, "work ") &&
			  !strstr(out, "shadow"),
		  "host folders visible: %s", out);
	free(script);
	free(secret);
	free(secret_dir);
}

Test(sandbox, a_test_writes_to_a_copy_a_build_to_the_folder)
{
	char *marker = path_join(workdir, "made-inside");
	run_sh("echo x > made-inside && echo ok", SANDBOX_WORKDIR_COPY);
	cr_expect_str_eq(result.procs[0].out.data, "ok\n");
	cr_expect(!path_exists(marker), "a test's write reached the host folder");
	run_result_release(&result);
	have_result = false;
	run_sh("echo x > made-inside && echo ok", SANDBOX_WORKDIR_BUILD);
	cr_expect_str_eq(result.procs[0].out.data, "ok\n");
	cr_expect(path_exists(marker), "a build's output did not reach the host folder");
	free(marker);
}

/* Writes text to scratch/rel (its folders made); returns the path (caller frees). */
static char *scratch_file(const char *rel, const char *text)
{
	char *path = path_join(scratch, rel);
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
	free(dir);
	return path;
}

/*
 * A test's workdir made of sources (the built folder, the fixtures, a
 * single file), a later source's file replacing an earlier one's, run with
 * and without namespaces: in both it is there for the run and gone after.
 */
static void expect_workdir_made_of_sources(struct sandbox *box)
{
	free(scratch_file("built/prog.txt", "from the build\n"));
	free(scratch_file("built/same.txt", "the build's\n"));
	free(scratch_file("fixtures/same.txt", "the fixture's\n"));
	free(scratch_file("fixtures/sub/deep.txt", "deep\n"));
	char *single = scratch_file("single.txt", "single\n");
	char *built = path_join(scratch, "built"), *fixtures = path_join(scratch, "fixtures");
	const char *sources[] = {built, fixtures, single, NULL};
	char *dir = path_join(scratch, "test-1-run-1");
	const char *out = run_sh_in(box, dir, sources,
				    "pwd; cat prog.txt same.txt sub/deep.txt single.txt; echo x > new",
				    SANDBOX_WORKDIR_COPY);
	char *want = xasprintf("%s\nfrom the build\nthe fixture's\ndeep\nsingle\n", dir);
	cr_expect_str_eq(out, want);
	cr_expect(!path_exists(dir), "the test's workdir is left on the host");
	free(want);
	free(dir);
	free(built);
	free(fixtures);
	free(single);
}

Test(sandbox, a_workdir_made_of_sources_exists_only_for_the_run)
{
	expect_workdir_made_of_sources(sb);
}

Test(sandbox, without_namespaces_a_workdir_of_sources_is_made_and_removed)
{
	struct sandbox *off = sandbox_new(false);
	expect_workdir_made_of_sources(off);
	sandbox_free(off);
}

/*
 * A new segment of the host's, under a key nobody else on the machine uses
 * (other tests and users make segments beside this one): its id in *id.
 */
static key_t new_host_segment(int *id)
{
	for (key_t key = (key_t)(0x47000000 | ((unsigned)getpid() & 0xffff) << 8);; key++) {
		*id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
		if (*id >= 0)
			return key;
		cr_assert_eq(errno, EEXIST, "shmget(0x%08x): %s", (unsigned)key, strerror(errno));
	}
}

Test(sandbox, ipc_objects_are_private_and_removed)
{
	/* A segment on the host must not be what the test sees, nor one be left by it. */
	int host;
	key_t key = new_host_segment(&host);
	char *script = xasprintf("ipcs -m | grep -c 0x%08x; ipcmk -M 4096 >/dev/null && echo made",
				 (unsigned)key);
	const char *out = run_sh(script, SANDBOX_WORKDIR_COPY);
	shmctl(host, IPC_RMID, NULL);
	free(script);
	cr_expect_str_eq(out, "0\nmade\n");
	cr_expect_eq(result.ipc_leftovers.n, 1, "leftovers: %zu", result.ipc_leftovers.n);
	if (result.ipc_leftovers.n)
		cr_expect(strstr(result.ipc_leftovers.v[0], "shared memory segment"), "%s",
			  result.ipc_leftovers.v[0]);
}

/* Whether process pid has entry ("NAME=value") in its environment. */
static bool has_env(const char *pid, const void *entry)
{
	char *path = xasprintf("/proc/%s/environ", pid);
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	/* Another user's process cannot be read, and needs not: the escapee would be ours. */
	bool found = read_file(path, &text) == 0 &&
		     memmem(text.buf, text.len, entry, strlen(entry) + 1) != NULL;
	strbuf_release(&text);
	free(path);
	return found;
}

/*
 * The escapee carries a variable whose value no other process on the
 * machine has (this test's scratch folder's name, random): after the test,
 * no process may have it.  (The sandbox's root hides every host folder, so
 * there is no file for the escapee and the test to share.)
 */
Test(sandbox, a_setsid_escape_dies_with_the_test)
{
	struct env_var token = {"SETSID_ESCAPE_TOKEN", strrchr(scratch, '/') + 1};
	char *entry = xasprintf("%s=%s", token.name, token.value);
	strvec_clear(&env);
	strvec_init(&env);
	run_build_env(&env, workdir, &token, 1);
	const char *out = run_sh("setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo started",
				 SANDBOX_WORKDIR_COPY);
	cr_expect_str_eq(out, "started\n");
	cr_expect_eq(result.orphans.n, 1, "orphans: %zu", result.orphans.n);
	cr_expect_eq(e2e_count_processes(has_env, entry), 0, "a process of the test is still alive");
	free(entry);
}

Test(sandbox, denied_calls_fail_and_are_reported)
{
	const char *out = run_sh("unshare -U true 2>/dev/null || echo refused", SANDBOX_WORKDIR_COPY);
	cr_expect_str_eq(out, "refused\n");
	cr_assert_geq(result.denied.n, 1);
	cr_expect(strstr(result.denied.v[0], "unshare"), "%s", result.denied.v[0]);
}

Test(sandbox, a_fork_bomb_is_held_by_the_process_limit)
{
	/*
	 * dash gives up at the first fork that fails; until then it counts the
	 * sleeps it started.  They sleep past the test's end (killed then as
	 * orphans), so that none frees its place however slowly the loop runs.
	 */
	const char *out = run_sh("i=0; while [ $i -lt 100 ]; do sleep 1000 >/dev/null 2>&1 & "
				 "i=$((i+1)); echo $i; done",
				 SANDBOX_WORKDIR_COPY);
	const char *last = out;
	for (const char *p = out; *p; p++)
		if (p[0] == '\n' && p[1])
			last = p + 1;
	/* 32 processes allowed: the shell and 31 sleeps at most. */
	cr_expect(atoi(last) <= 31 && atoi(last) >= 20, "sleeps started: %s", last);
	cr_expect_neq(result.procs[0].exit_code, 0, "the shell's fork never failed");
}

/* A pid that no process has any more. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/*
 * The empty folder new roots are mounted on: a killed grader's is removed
 * by the next one, but not one still locked by a live grader whose pid
 * only looks gone (it lives in another PID namespace sharing $TMPDIR).
 */
Test(sandbox, a_killed_graders_root_folder_is_swept)
{
	const char *tmp = scratch_parent();
	pid_t gone = dead_pid();
	char *stale = xasprintf("%s/grader-root-%d-abcdef", tmp, (int)gone);
	char *elsewhere = xasprintf("%s/grader-root-%d-ghijkl", tmp, (int)gone);
	cr_assert_eq(mkdir_p(stale, 0700), 0, "%s", error_last());
	cr_assert_eq(mkdir_p(elsewhere, 0700), 0, "%s", error_last());
	int lock = open(elsewhere, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(lock, 0);
	cr_assert_eq(flock(lock, LOCK_EX), 0);
	struct sandbox *box = sandbox_new(true);
	cr_expect(!path_exists(stale), "%s was not swept", stale);
	cr_expect(path_exists(elsewhere), "a locked folder was swept: %s", elsewhere);
	sandbox_free(box);
	close(lock);
	rmdir(elsewhere);
	free(elsewhere);
	free(stale);
}

/*
 * As root, each grading process joins a pids cgroup of its own once
 * (sandbox.c): afterwards nothing of it is left, and the folders of a
 * grader that was killed are swept by the next one.  As an ordinary user
 * no cgroup is made at all.
 */
Test(sandbox, cgroups_are_left_behind_by_no_grader)
{
	const char *v1 = "/sys/fs/cgroup/pids", *v2 = "/sys/fs/cgroup";
	const char *hierarchy = path_is_dir(v1) ? v1 : v2;
	pid_t gone = dead_pid();
	char *stale = xasprintf("%s/grader-%d", hierarchy, (int)gone);
	char *stale_worker = xasprintf("%s/w%d", stale, (int)gone);
	bool root = geteuid() == 0;
	if (root) {
		cr_assert_eq(mkdir_p(stale_worker, 0755), 0, "%s", error_last());
	}
	struct sandbox *box = sandbox_new(true);
	char *mine = xasprintf("%s/grader-%d", hierarchy, (int)getpid());
	cr_expect_str_eq(run_sh_in(box, workdir, NULL, "echo ok", SANDBOX_WORKDIR_COPY), "ok\n");
	cr_expect_eq(path_is_dir(mine), root && sandbox_full(box),
		     "a root grader's cgroup should exist while it grades, and no other");
	sandbox_free(box);
	cr_expect(!path_exists(mine), "%s is left behind", mine);
	cr_expect(!path_exists(stale), "the killed grader's %s was not swept", stale);
	free(mine);
	free(stale);
	free(stale_worker);
}

Test(sandbox, disabled_sandbox_says_what_is_missing)
{
	struct sandbox *off = sandbox_new(false);
	cr_expect(!sandbox_full(off));
	cr_expect_geq(sandbox_missing(off)->n, 1);
	sandbox_free(off);
}

/*
 * A grader's cgroup folder is empty until its first run: another grader,
 * in a PID namespace where this one's pid looks dead, may sweep it then.
 * The first run makes it again instead of failing every test.
 */
Test(sandbox, a_swept_cgroup_folder_is_made_again)
{
	if (geteuid() != 0) {
		teardown();
		cr_skip_test("root only: an ordinary user's grader makes no cgroup");
	}
	const char *v1 = "/sys/fs/cgroup/pids", *v2 = "/sys/fs/cgroup";
	const char *hierarchy = path_is_dir(v1) ? v1 : v2;
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		/* A process of its own: the suite's sandbox already joined this one's cgroup. */
		struct sandbox *box = sandbox_new(true);
		char *mine = xasprintf("%s/grader-%d", hierarchy, (int)getpid());
		if (!sandbox_full(box) || rmdir(mine) != 0)
			_exit(2);
		char *argv[] = {"/bin/true", NULL};
		struct run_proc_spec proc = {.name = "true", .argv = argv};
		struct run_request req = {.workdir = workdir, .envp = env.v,
					  .limits = {.cpu_ms = 5000, .processes = 8, .output = 4096},
					  .timeout_ms = 5000, .procs = &proc, .nprocs = 1};
		struct run_result res;
		int rc = sandbox_run(box, &req, SANDBOX_WORKDIR_COPY, &res);
		bool ok = rc == 0 && res.procs[0].exited && res.procs[0].exit_code == 0;
		if (rc < 0)
			fprintf(stderr, "%s\n", error_last());
		run_result_release(&res);
		sandbox_free(box);
		_exit(ok ? 0 : 1);
	}
	int status;
	waitpid(child, &status, 0);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 2, "the cgroup folder could not be removed");
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the run after the sweep failed");
}
