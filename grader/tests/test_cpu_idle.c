/*
 * Unit tests of cpu_idle.c: how many workers may grade at once as the CPUs
 * sit idle or fill (a pure function of what was measured), and a sample of
 * this machine's CPUs that is a share of them, never more; the CPUs a
 * process may use (its mask, the quotas of its cgroups).
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_idle.h"
#include "e2e_util.h"
#include "run.h"
#include "scratch_util.h"
#include "util.h"

/* cpu_idle_workers(limit, idle, busy, cpus, base, cap) on 2 CPUs, -j 4, ceiling 16. */
Test(cpu_idle, idle_cpus_start_as_many_as_would_fill_them_up_to_the_cap)
{
	/* 6 busy workers used half a CPU in all, 1.5 idle: each uses 1/12, floored at 1/8: 12 more. */
	cr_expect_eq(cpu_idle_workers(6, 1.5, 6, 2, 4, 16), 16, "capped at 18");
	/* 4 busy used 1 CPU, 1 idle: a quarter each, 4 more. */
	cr_expect_eq(cpu_idle_workers(4, 1.0, 4, 2, 4, 16), 8);
	/* 4 busy used 1.25 CPU, 0.75 idle: 0.3125 each, two fit. */
	cr_expect_eq(cpu_idle_workers(4, CPU_IDLE_MORE, 4, 2, 4, 16), 6);
	/* A busy worker that used more than the idle share still brings one more. */
	cr_expect_eq(cpu_idle_workers(4, 0.8, 1, 2, 4, 16), 5);
	cr_expect_eq(cpu_idle_workers(16, 2.0, 16, 2, 4, 16), 16, "past the cap");
	/* Nothing busy yet: sized as if each used a whole CPU. */
	cr_expect_eq(cpu_idle_workers(4, 2.0, 0, 2, 4, 16), 6);
}

Test(cpu_idle, busy_cpus_let_one_fewer_take_work_never_below_j)
{
	cr_expect_eq(cpu_idle_workers(8, 0.0, 8, 2, 4, 16), 7);
	cr_expect_eq(cpu_idle_workers(5, 0.1, 5, 2, 4, 16), 4);
	cr_expect_eq(cpu_idle_workers(4, 0.0, 4, 2, 4, 16), 4, "below -j");
}

Test(cpu_idle, between_the_marks_or_unknown_nothing_changes)
{
	cr_expect_eq(cpu_idle_workers(6, 0.5, 6, 2, 4, 16), 6);
	cr_expect_eq(cpu_idle_workers(6, CPU_IDLE_FEWER, 6, 2, 4, 16), 6);
	cr_expect_eq(cpu_idle_workers(6, -1, 6, 2, 4, 16), 6, "unknown idleness");
	cr_expect_eq(cpu_idle_workers(1, -1, 1, 1, 1, 8), 1);
}

/*
 * As many workers as the CPU-wait credit makes up for: 1 + 7 per CPU (a
 * test waits 7 s of each 8 when 8 share a CPU), or twice -j when more.
 */
Test(cpu_idle, the_ceiling_is_what_the_deadlines_credit_or_twice_j)
{
	cr_expect_eq(cpu_idle_ceiling(4, 2), (size_t)(1 + RUN_CPU_WAIT_MAX_TIMES) * 2);
	cr_expect_eq(cpu_idle_ceiling(1, 1), (size_t)(1 + RUN_CPU_WAIT_MAX_TIMES));
	cr_expect_eq(cpu_idle_ceiling(40, 2), 80);
}

/* Whatever the machine does meanwhile, idle CPUs are between none and all of ours. */
Test(cpu_idle, a_sample_is_a_share_of_our_cpus)
{
	struct cpu_idle c;
	cpu_idle_init(&c);
	cr_assert(c.known, "/proc/stat lists no CPU of ours");
	volatile unsigned long spin = 0;
	double idle = -1;
	/* Jiffies move every few milliseconds: spin until some did (no clock is asserted). */
	for (int round = 0; round < 1000 && idle < 0; round++) {
		for (unsigned long k = 0; k < 1000000; k++)
			spin += k;
		idle = cpu_idle_sample(&c);
	}
	cpu_set_t mine;
	cr_assert_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	cr_assert_geq(idle, 0, "no jiffies moved in 1000 rounds of spinning");
	cr_expect_leq(idle, CPU_COUNT(&mine) + 1e-9, "%.3f idle CPUs of %d", idle, CPU_COUNT(&mine));
}

/* A cgroup tree to read: files[i] is "relative/path=text". */
static char *cgroup_tree(const char *prefix, const char *const *files, size_t n)
{
	char *root = scratch_new(prefix);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(files[i], '=');
		char *rel = xstrndup(files[i], (size_t)(eq - files[i]));
		char *path = path_join(root, rel);
		char *folder = xstrdup(path);
		*strrchr(folder, '/') = '\0';
		cr_assert_eq(mkdir_p(folder, 0755), 0, "%s", error_last());
		cr_assert_eq(write_file_atomic(path, eq + 1, strlen(eq + 1)), 0, "%s", error_last());
		free(folder);
		free(path);
		free(rel);
	}
	return root;
}

/* cpu_quota_below(root, root/below, v1) */
static double quota_of(const char *root, const char *below, bool v1)
{
	char *dir = path_join(root, below);
	double q = cpu_quota_below(root, dir, v1);
	free(dir);
	return q;
}

/* v2: the least quota from the cgroup up to the root; "max" is none. */
Test(cpu_idle, the_least_v2_quota_above_a_cgroup_counts)
{
	const char *files[] = {"cpu.max=max 100000\n", "a/cpu.max=150000 100000\n",
			       "a/b/cpu.max=max 100000\n", "a/b/c/cpu.max=400000 100000\n"};
	char *root = cgroup_tree("cg2", files, sizeof(files) / sizeof(files[0]));
	cr_expect_float_eq(quota_of(root, "a/b/c", false), 1.5, 1e-9);
	cr_expect_float_eq(quota_of(root, "a/b", false), 1.5, 1e-9);
	cr_expect_float_eq(cpu_quota_below(root, root, false), 0, 1e-9, "max is no quota");
	char *c = path_join(root, "a/b/c");
	cr_expect_float_eq(cpu_quota_below(c, root, false), 0, 1e-9, "a folder outside the mount");
	free(c);
	scratch_remove(&root);
}

/*
 * v1: cfs_quota_us over cfs_period_us, -1 being none; folders that do not
 * exist are passed over (a container without a cgroup namespace sees its
 * own cgroup at the mount's root, and /proc/self/cgroup names the host's).
 */
Test(cpu_idle, a_v1_quota_counts_and_missing_folders_are_passed_over)
{
	const char *files[] = {"cpu.cfs_quota_us=250000\n", "cpu.cfs_period_us=100000\n",
			       "x/cpu.cfs_quota_us=-1\n", "x/cpu.cfs_period_us=100000\n"};
	char *root = cgroup_tree("cg1", files, sizeof(files) / sizeof(files[0]));
	cr_expect_float_eq(quota_of(root, "docker/0123abcd", true), 2.5, 1e-9);
	cr_expect_float_eq(quota_of(root, "x", true), 2.5, 1e-9);
	cr_expect_float_eq(quota_of(root, "x", false), 0, 1e-9, "v2 reads cpu.max only");
	scratch_remove(&root);
}

/* A process pinned to one CPU may use one, whatever the machine has. */
Test(cpu_idle, a_process_pinned_to_one_cpu_may_use_one)
{
	cpu_set_t mine;
	cr_assert_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	cr_expect_leq(cpu_usable(), CPU_COUNT(&mine));
	cr_expect_geq(cpu_usable(), 1);
	e2e_pin_to_one_cpu();
	cr_expect_eq(cpu_usable(), 1);
}
