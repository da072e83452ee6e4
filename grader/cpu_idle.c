/* cpu_idle: idle CPUs, for batch's workers (cpu_idle.h). */
#include "cpu_idle.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

size_t cpu_idle_workers(size_t limit, double idle, size_t base, size_t cap)
{
	if (idle >= CPU_IDLE_MORE && limit < cap)
		limit++;
	else if (idle >= 0 && idle < CPU_IDLE_FEWER && limit > base)
		limit--;
	if (limit < base)
		limit = base;
	return limit > cap ? cap : limit;
}
