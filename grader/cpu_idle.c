/* cpu_idle: idle CPUs, for batch's workers (cpu_idle.h). */
#include "cpu_idle.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "sandbox_cgroup.h"
#include "util.h"

/* The numbers at the start of dir/name, up to 2 ("max" or a missing file: none). */
static int numbers_at(const char *dir, const char *name, long long *a, long long *b)
{
	char *path = path_join(dir, name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	int n = read_file(path, &sb) == 0 ? sscanf(sb.buf, "%lld %lld", a, b) : 0;
	strbuf_release(&sb);
	free(path);
	return n < 0 ? 0 : n;
}

/*
 * The quota set on one cgroup folder, in CPUs; 0: none.  v2: cpu.max is
 * "150000 100000" or "max 100000"; v1: cpu.cfs_quota_us (-1: none) over
 * cpu.cfs_period_us.
 */
static double quota_at(const char *dir, bool v1)
{
	long long q = 0, period = 0, unused;
	bool read = v1 ? numbers_at(dir, "cpu.cfs_quota_us", &q, &unused) >= 1 &&
				 numbers_at(dir, "cpu.cfs_period_us", &period, &unused) >= 1
		       : numbers_at(dir, "cpu.max", &q, &period) == 2;
	return read && q > 0 && period > 0 ? (double)q / (double)period : 0;
}

double cpu_quota_below(const char *mount, const char *dir, bool v1)
{
	size_t root = strlen(mount);
	if (strncmp(dir, mount, root) || (dir[root] && dir[root] != '/'))
		return 0;
	double least = 0;
	char *at = xstrdup(dir);
	/* Folders that do not exist (a v1 container sees its own cgroup at the root) are skipped. */
	for (;;) {
		double q = quota_at(at, v1);
		if (q > 0 && (least == 0 || q < least))
			least = q;
		if (strlen(at) <= root)
			break;
		/* at is mount followed by "/...": its last slash is at mount's end or past it. */
		*strrchr(at, '/') = '\0';
	}
	free(at);
	return least;
}

/* The quota of the cgroups this process is in, v2's and v1's cpu controller's; 0: none. */
static double own_quota(void)
{
	double least = 0;
	const struct {
		const char *mount, *controller;
		bool v1;
	} where[] = {
		{"/sys/fs/cgroup", NULL, false},
		{"/sys/fs/cgroup/cpu", "cpu", true},
		{"/sys/fs/cgroup/cpu,cpuacct", "cpu", true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		char *dir = sandbox_cgroup_own_dir(where[i].mount, where[i].controller);
		double q = dir ? cpu_quota_below(where[i].mount, dir, where[i].v1) : 0;
		if (q > 0 && (least == 0 || q < least))
			least = q;
		free(dir);
	}
	return least;
}

int cpu_usable(void)
{
	static double quota = -1;
	if (quota < 0)
		quota = own_quota();
	cpu_set_t mine;
	int n = sched_getaffinity(0, sizeof(mine), &mine) == 0 ? CPU_COUNT(&mine) : 0;
	if (n <= 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);
		n = online > 0 ? (int)online : 1;
	}
	if (quota > 0 && quota < n)
		n = (int)quota + (quota > (int)quota);
	return n > 0 ? n : 1;
}

/*
 * Sums the idle (idle + iowait) and total jiffies of the CPUs in our
 * affinity mask: /proc/stat's "cpuN user nice system idle iowait irq
 * softirq steal guest guest_nice" lines (guest time is already counted in
 * user), and counts those CPUs in *ncpus.  false when nothing could be read.
 */
static bool read_jiffies(unsigned long long *idle, unsigned long long *total, int *ncpus)
{
	cpu_set_t mine;
	bool masked = sched_getaffinity(0, sizeof(mine), &mine) == 0;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	*idle = *total = 0;
	*ncpus = 0;
	if (read_file("/proc/stat", &sb) == 0) {
		for (const char *line = sb.buf; line && *line;) {
			int cpu, n = 0;
			unsigned long long f[8] = {0};
			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu%n", &cpu, &f[0],
				   &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &n) == 9 &&
			    cpu >= 0 && (!masked || (cpu < CPU_SETSIZE && CPU_ISSET(cpu, &mine)))) {
				for (int k = 0; k < 8; k++)
					*total += f[k];
				*idle += f[3] + f[4];
				++*ncpus;
			}
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	}
	strbuf_release(&sb);
	return *ncpus > 0;
}

void cpu_idle_init(struct cpu_idle *c)
{
	int ncpus;
	c->known = read_jiffies(&c->idle, &c->total, &ncpus);
}

double cpu_idle_sample(struct cpu_idle *c)
{
	unsigned long long idle, total;
	int ncpus;
	bool known = read_jiffies(&idle, &total, &ncpus);
	double share = -1;
	/* Jiffies of all our CPUs listed: their idle share times their number is CPUs' worth. */
	if (known && c->known && total > c->total && idle >= c->idle)
		share = (double)(idle - c->idle) / (double)(total - c->total) * ncpus;
	c->known = known;
	c->idle = idle;
	c->total = total;
	return share;
}

size_t cpu_idle_workers(size_t limit, double idle, size_t busy, double cpus, size_t base,
			size_t cap)
{
	if (idle >= CPU_IDLE_MORE && limit < cap) {
		double used = cpus > idle ? cpus - idle : 0;
		double each = busy ? used / (double)busy : 1;
		if (each < CPU_IDLE_WORKER_MIN)
			each = CPU_IDLE_WORKER_MIN;
		size_t more = (size_t)(idle / each);
		limit = (limit > busy ? limit : busy) + (more > 1 ? more : 1);
	} else if (idle >= 0 && idle < CPU_IDLE_FEWER && limit > base) {
		limit--;
	}
	if (limit < base)
		limit = base;
	return limit > cap ? cap : limit;
}

size_t cpu_idle_ceiling(size_t jobs, int cpus)
{
	size_t twice = 2 * jobs;
	size_t credited = (size_t)(1 + RUN_CPU_WAIT_MAX_TIMES) * (size_t)(cpus > 0 ? cpus : 1);
	return credited > twice ? credited : twice;
}
