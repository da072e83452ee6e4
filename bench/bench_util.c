#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median_ms(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) * 1000.0;
}

struct sandbox *bench_sandbox_new(void)
{
	struct sandbox *sb = sandbox_new(true);
	if (!sandbox_full(sb))
		fprintf(stderr, "bench: warning: sandbox incomplete: %s\n", sandbox_missing(sb)->v[0]);
	return sb;
}
