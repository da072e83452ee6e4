/* bench_util: what the C benchmarks share — medians and a checked sandbox. */
#ifndef GRADER_BENCH_UTIL_H
#define GRADER_BENCH_UTIL_H

#include "sandbox.h"

/* Median of v[0..n) seconds, in milliseconds; sorts v. */
double bench_median_ms(double *v, int n);
/* A sandbox, with a warning on stderr when it is not complete (the numbers would not be comparable). */
struct sandbox *bench_sandbox_new(void);

#endif
