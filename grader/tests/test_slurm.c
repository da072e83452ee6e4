/*
 * The shards of a class under a real Slurm: grader/tests/slurm/slurm_shards.sh
 * starts a one-node cluster of its own, runs docs/slurm/shard.sbatch as a
 * job array and docs/slurm/report.sbatch after it, and compares the
 * gradebook with one batch's (grader/tests/slurm/README.md).
 *
 * Slurm needs root.  The suite's second run as uid 65534 skips this test,
 * visibly.  Anywhere else a machine that cannot run Slurm is said loudly
 * on stderr and skipped, except in CI (CI=true), where it fails: a CI job
 * must not pass without the cluster test having run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"
#include "util.h"

/* The script's exit status when Slurm cannot run here. */
#define SLURM_UNAVAILABLE 77

TestSuite(slurm, .timeout = 900);

Test(slurm, a_job_array_of_shards_and_a_dependent_report_equal_one_batch)
{
	if (geteuid() == 65534) {
		fprintf(stderr, "slurm: SKIPPED as uid 65534 (the suite's unprivileged run): Slurm "
				"needs root; the run as root has the cluster test\n");
		cr_skip_test("Slurm needs root: skipped in the run as uid 65534");
	}
	char *log = path_join(e2e_tmpdir(), "slurm.log");
	/* Its own bound is 600 s; timeout(1) is the last resort, under Criterion's 900. */
	char *cmd = xasprintf("timeout -k 10 800 grader/tests/slurm/slurm_shards.sh '%s' "
			      "testcases/pipe_hello submissions/pipe_hello >'%s' 2>&1",
			      e2e_grader(), log);
	int status = system(cmd);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	free(cmd);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	(void)read_file(log, &sb);
	free(log);
	/* On the stack: the skip and the assertions leave the test at once, with nothing to free. */
	char out[16384];
	size_t from = sb.len > sizeof(out) - 1 ? sb.len - (sizeof(out) - 1) : 0;
	snprintf(out, sizeof(out), "%s", sb.buf + from);
	strbuf_release(&sb);
	if (rc == SLURM_UNAVAILABLE) {
		const char *ci = getenv("CI");
		fprintf(stderr, "\nslurm: SLURM CANNOT RUN ON THIS MACHINE: the cluster test did not "
				"run\n%s\n",
			out);
		if (ci && !strcmp(ci, "true"))
			cr_assert_fail("CI=true and Slurm cannot run here:\n%s", out);
		cr_skip_test("Slurm cannot run here (see stderr)");
	}
	cr_expect_eq(rc, 0, "slurm_shards.sh exited %d:\n%s", rc, out);
	cr_expect(strstr(out, "gradebook equal to one batch's"), "%s", out);
}
