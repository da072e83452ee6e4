/*
 * Unit tests of the sandbox: each runs a small shell command through
 * sandbox_run() and asserts what the command could (not) see or do, and
 * what the machine looks like afterwards.  They pass as root and as an
 * ordinary user (`make test` runs them both ways).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

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

static void teardown(void)
{
	if (have_result)
		run_result_release(&result);
	have_result = false;
	sandbox_free(sb);
	remove_tree(scratch);
	free(workdir);
	free(scratch);
	strvec_clear(&env);
}

TestSuite(sandbox, .init = setup, .fini = teardown, .timeout = 60);

/* Runs `sh -c script` in the sandbox; returns its stdout. */
static const char *run_sh(const char *script, enum sandbox_workdir wd)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct run_proc_spec proc = {.name = "sh", .argv = argv};
	struct run_request req = {
		.workdir = workdir,
		.envp = env.v,
		.limits = {.cpu_ms = 5000, .memory = 1LL << 30, .processes = 32,
			   .output = 1 << 20, .open_files = 64},
		.timeout_ms = 5000,
		.procs = &proc,
		.nprocs = 1,
	};
	cr_assert_eq(sandbox_run(sb, &req, wd, &result), 0, "sandbox_run: %s", error_last());
	have_result = true;
	cr_assert(result.procs[0].started, "%s", result.procs[0].start_error);
	return result.procs[0].out.data;
}

Test(sandbox, this_machine_gives_full_isolation)
{
	/* The CI machines and the developers' ones allow everything; a regression shows here. */
	const struct strvec *missing = sandbox_missing(sb);
	cr_expect(sandbox_full(sb), "missing: %s", missing->n ? missing->v[0] : "");
}

Test(sandbox, the_test_has_its_own_pid_namespace)
{
	/* init is pid 1, the shell the first process it starts, then ls and grep. */
	cr_expect_str_eq(run_sh("echo $$; ls /proc | grep -c '^[0-9]'", SANDBOX_WORKDIR_COPY),
			 "2\n4\n");
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
	run_sh("echo x > made-inside && echo ok", SANDBOX_WORKDIR_BIND);
	cr_expect_str_eq(result.procs[0].out.data, "ok\n");
	cr_expect(path_exists(marker), "a build's output did not reach the host folder");
	free(marker);
}

Test(sandbox, ipc_objects_are_private_and_removed)
{
	/* Key 0x1234 on the host must not be what the test sees, nor be left by it. */
	int host = shmget(0x1234, 4096, IPC_CREAT | IPC_EXCL | 0600);
	cr_assert(host >= 0, "cannot make the host's segment (is key 0x1234 in use?)");
	const char *out = run_sh("ipcs -m | grep -c 0x00001234; ipcmk -M 4096 >/dev/null && echo made",
				 SANDBOX_WORKDIR_COPY);
	shmctl(host, IPC_RMID, NULL);
	cr_expect_str_eq(out, "0\nmade\n");
	cr_expect_eq(result.ipc_leftovers.n, 1, "leftovers: %zu", result.ipc_leftovers.n);
	if (result.ipc_leftovers.n)
		cr_expect(strstr(result.ipc_leftovers.v[0], "shared memory segment"), "%s",
			  result.ipc_leftovers.v[0]);
}

Test(sandbox, a_setsid_escape_dies_with_the_test)
{
	/* An argument no other process on the machine has, to look for it afterwards. */
	const char *out = run_sh("setsid sleep 4242.5 </dev/null >/dev/null 2>&1 & echo started",
				 SANDBOX_WORKDIR_COPY);
	cr_expect_str_eq(out, "started\n");
	cr_expect_eq(result.orphans.n, 1, "orphans: %zu", result.orphans.n);
	struct strbuf ps = STRBUF_INIT;
	strbuf_init(&ps);
	/* The brackets keep pgrep's own shell from matching. */
	FILE *p = popen("pgrep -f 'sleep 424[2].5'", "r");
	cr_assert_not_null(p);
	char line[64];
	while (fgets(line, sizeof(line), p))
		strbuf_addstr(&ps, line);
	pclose(p);
	cr_expect_eq(ps.len, 0, "still alive on the host: %s", ps.buf);
	strbuf_release(&ps);
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
	/* dash gives up at the first fork that fails; until then it counts the sleeps it started. */
	const char *out = run_sh("i=0; while [ $i -lt 100 ]; do sleep 5 & i=$((i+1)); echo $i; done",
				 SANDBOX_WORKDIR_COPY);
	const char *last = out;
	for (const char *p = out; *p; p++)
		if (p[0] == '\n' && p[1])
			last = p + 1;
	/* 32 processes allowed: the shell and 31 sleeps at most. */
	cr_expect(atoi(last) <= 31 && atoi(last) >= 20, "sleeps started: %s", last);
	cr_expect_neq(result.procs[0].exit_code, 0, "the shell's fork never failed");
}

Test(sandbox, disabled_sandbox_says_what_is_missing)
{
	struct sandbox *off = sandbox_new(false);
	cr_expect(!sandbox_full(off));
	cr_expect_geq(sandbox_missing(off)->n, 1);
	sandbox_free(off);
}
