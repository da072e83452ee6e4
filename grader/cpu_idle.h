/*
 * cpu_idle: how many CPUs this process may use, and how much of them sat
 * idle lately, from /proc/stat, so that `batch` can start more workers
 * while its tests wait (a sleep, a timeout, a server polling for a client)
 * and the CPUs would otherwise do nothing.
 *
 * Only the CPUs of the process's affinity mask count (a Slurm job's
 * cpuset, taskset): another job's idle CPUs are not ours to fill.  Load
 * changes how many submissions run at once, never a verdict: a test's
 * deadline counts only the time it could run (run_cpu.c).
 */
#ifndef GRADER_CPU_IDLE_H
#define GRADER_CPU_IDLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * How many CPUs this process may keep busy at once: those of its affinity
 * mask (taskset, a Slurm job's cpuset), or fewer where a CPU quota of its
 * cgroup or of one above it allows less (v2 cpu.max, v1 cpu.cfs_quota_us:
 * docker --cpus, a Kubernetes limit), rounded up; at least 1.  The quota is
 * read once per process (the first call; before the sandbox hides
 * /sys/fs/cgroup), the mask at each call.  The machine's count of online
 * CPUs is none of these: on a 64-CPU node a job given 2 must count 2, or
 * twice 64 workers crowd its 2 CPUs past what the deadlines' CPU-wait
 * credit can make up for (run.h).
 */
int cpu_usable(void);

/*
 * The smallest CPU quota, in CPUs, set on the cgroup folder dir or on any
 * folder above it up to mount (a cgroup file system's root), in v1's files
 * or v2's; 0 when none is set (or none can be read).
 */
double cpu_quota_below(const char *mount, const char *dir, bool v1);

struct cpu_idle {
	bool known;			/* /proc/stat was read last time */
	unsigned long long idle, total;	/* jiffies of our CPUs at the last sample */
};

/* Takes the first sample; later ones measure from it. */
void cpu_idle_init(struct cpu_idle *c);
/*
 * How many of our CPUs sat idle since the last sample, on average (1.5: one
 * and a half CPUs did nothing); -1 when unknown (no /proc/stat, or no time
 * passed).  Takes a new sample.
 */
double cpu_idle_sample(struct cpu_idle *c);

/* Idle CPUs at or above which more workers start, below which one fewer takes work. */
#define CPU_IDLE_MORE 0.75
#define CPU_IDLE_FEWER 0.25
/* The least CPU a busy worker is taken to use when more are sized from it. */
#define CPU_IDLE_WORKER_MIN 0.125

/*
 * How many workers may grade at once from now on, given how many may now
 * (limit), how many grade now (busy), how many CPUs we may use (cpus) and
 * how many of them sat idle (idle, as cpu_idle_sample).  When at least
 * CPU_IDLE_MORE of a CPU did nothing, as many more as would fill the idle
 * CPUs if each used what a busy worker used on average (at least
 * CPU_IDLE_WORKER_MIN of a CPU, and at least one more): a class whose
 * tests sleep fills the CPUs in a few samples, not one worker at a time.
 * One fewer when less than CPU_IDLE_FEWER sat idle.  Never fewer than base
 * (-j) nor more than cap.  Unknown idleness changes nothing.
 */
size_t cpu_idle_workers(size_t limit, double idle, size_t busy, double cpus, size_t base,
			size_t cap);

/*
 * The most workers batch lets grade at once while the CPUs sit idle:
 * (1 + RUN_CPU_WAIT_MAX_TIMES) times the CPUs it may use, as many as the
 * CPU-wait credit of the tests' deadlines (run.h) makes up for should every
 * one of them turn to the CPUs at once; never fewer than twice jobs (-j).
 */
size_t cpu_idle_ceiling(size_t jobs, int cpus);

#endif
