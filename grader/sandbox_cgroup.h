/*
 * sandbox_cgroup: root's process limit for sandboxed runs, a pids cgroup.
 *
 * Theory of operation
 *
 *   sandbox_cgroup_new() makes a folder of our own, grader-PID, in the pids
 *   hierarchy (v1's, or v2's with the pids controller enabled for it),
 *   below the cgroup the grader was started in, so that an operator's or a
 *   CI runner's task limit there still binds it; graders that were killed
 *   left folders there, which it removes first.
 *
 *   The first sandbox_cgroup_limit() of each process moves that process,
 *   once, into a cgroup of its own below it, wPID; every sandbox init it
 *   forks afterwards starts there.  Moving a process into a cgroup waits
 *   for an RCU grace period (3 ms a run on v1, more than the rest of the
 *   sandbox); forking within one's own does not.  Batch workers are forks
 *   sharing the folder: each joins its own wPID.  Each run then sets
 *   pids.max to its limit plus the two processes the cgroup also counts,
 *   the grader and init.  One run at a time per process: the limit is the
 *   run's.
 *
 *   sandbox_cgroup_free() moves the process back to the cgroup the grader
 *   started in, and the process that made the folder removes it with the
 *   workers' cgroups.
 */
#ifndef GRADER_SANDBOX_CGROUP_H
#define GRADER_SANDBOX_CGROUP_H

#include <stdbool.h>

struct sandbox_cgroup;

/*
 * The folder of the cgroup this process is in, in the hierarchy mounted at
 * mount: v1's line that lists controller, or with controller NULL v2's
 * "0::" line; NULL when /proc/self/cgroup has no such line.
 */
char *sandbox_cgroup_own_dir(const char *mount, const char *controller);

/* NULL when this machine has no pids cgroup for us (error_last() says why). */
struct sandbox_cgroup *sandbox_cgroup_new(void);
/* Limits the next run of this process to `processes` (<= 0: no limit); -1 when it cannot. */
int sandbox_cgroup_limit(struct sandbox_cgroup *cg, long long processes);
/* Whether a process can join a cgroup of its own and be limited there: tried in a child. */
int sandbox_cgroup_try(struct sandbox_cgroup *cg);
void sandbox_cgroup_free(struct sandbox_cgroup *cg);

/*
 * What graders that were killed left in parent: each entry named prefix +
 * PID (exactly, or followed by '-' and more) whose PID is gone is handed
 * to remove(), which must make sure itself that nothing alive uses it.
 */
void sandbox_sweep_dead(const char *parent, const char *prefix, bool exact,
			void (*remove)(const char *path));

#endif
