/*
 * Unit tests of cpu_idle.c: how many workers may grade at once as the CPUs
 * sit idle or fill (a pure function of what was measured), and a sample of
 * this machine's CPUs that is a share of them, never more.
 */
#include <criterion/criterion.h>
#include <sched.h>

#include "cpu_idle.h"

Test(cpu_idle, idle_cpus_let_one_more_worker_take_work_up_to_the_cap)
{
	cr_expect_eq(cpu_idle_workers(4, 1.5, 4, 8), 5);
	cr_expect_eq(cpu_idle_workers(4, CPU_IDLE_MORE, 4, 8), 5);
	cr_expect_eq(cpu_idle_workers(7, 2.0, 4, 8), 8);
	cr_expect_eq(cpu_idle_workers(8, 2.0, 4, 8), 8, "past the cap");
}

Test(cpu_idle, busy_cpus_let_one_fewer_take_work_never_below_j)
{
	cr_expect_eq(cpu_idle_workers(8, 0.0, 4, 8), 7);
	cr_expect_eq(cpu_idle_workers(5, 0.1, 4, 8), 4);
	cr_expect_eq(cpu_idle_workers(4, 0.0, 4, 8), 4, "below -j");
}

Test(cpu_idle, between_the_marks_or_unknown_nothing_changes)
{
	cr_expect_eq(cpu_idle_workers(6, 0.5, 4, 8), 6);
	cr_expect_eq(cpu_idle_workers(6, CPU_IDLE_FEWER, 4, 8), 6);
	cr_expect_eq(cpu_idle_workers(6, -1, 4, 8), 6, "unknown idleness");
	cr_expect_eq(cpu_idle_workers(1, -1, 1, 2), 1);
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
