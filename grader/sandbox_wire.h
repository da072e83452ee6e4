/*
 * sandbox_wire: a run's result as init sends it to the grader over a pipe
 * (sandbox.h): fixed-size integers in the machine's own byte order, and
 * byte strings with their length, so output with NUL bytes in it travels
 * whole.  Both ends are the same binary.
 */
#ifndef GRADER_SANDBOX_WIRE_H
#define GRADER_SANDBOX_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "util.h"

/* Appends r to sb. */
void sandbox_wire_put_result(struct strbuf *sb, const struct run_result *r);
/*
 * Fills res (made by run_result_init for the same nprocs processes) from
 * data; false when the message is malformed (res then holds what was read,
 * and is released as usual).
 */
bool sandbox_wire_get_result(const char *data, size_t len, size_t nprocs, struct run_result *res);

#endif
