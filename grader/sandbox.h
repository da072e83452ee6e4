/*
 * sandbox: runs a build or a test (run.h's request) where student code can
 * neither escape nor see anything it should not.
 *
 * Theory of operation
 *
 *   grader ──clone3(NEWPID|NEWIPC|NEWNET|NEWNS|NEWUTS [|NEWUSER])──► init
 *     │  writes init's uid/gid maps (ordinary user: its own ids, mapped
 *     │  to themselves), then lets it go.  As root the grader has joined,
 *     │  once, a pids cgroup of its own whose limit it sets per run, so
 *     │  init starts in it (moving each init there cost 3 ms a run)
 *     │                         init (pid 1 of the test's PID namespace):
 *     │                           dies with the grader (PDEATHSIG), builds
 *     │                           the file system (sandbox_fs.h) and runs
 *     │                           the request with run_processes(): each
 *     │                           student process drops to the sandbox
 *     │                           user (root: 65534), no_new_privs,
 *     │                           seccomp (seccomp.h), rlimits.
 *     │                           Then it lists the IPC objects of its
 *     │                           namespace, sends the whole result back
 *     │                           over a pipe and exits; the kernel kills
 *     │                           whatever is left in the namespace, and
 *     │                           the IPC and network namespaces vanish.
 *     └─ reads the result (a watchdog kills init if it never answers);
 *        init is reaped at the next run, its namespaces' teardown
 *        overlapping the judging
 *
 *   A test's workdir can be made of sources (run.h's workdir_sources):
 *   init copies them straight into the workdir's tmpfs, and nothing of the
 *   test is ever written to the host's disk.
 *
 * What the machine refuses is degraded to, never silently: sandbox_new()
 * probes once, and a sandbox that fails to set up at its first run falls
 * back to running confined as well as possible (no_new_privs, seccomp,
 * rlimits) and lists what was lost.  Every report carries that list.
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <stdbool.h>

#include "run.h"
#include "util.h"

struct sandbox;

/* What a run's working directory is inside the sandbox. */
enum sandbox_workdir {
	SANDBOX_WORKDIR_BIND,	/* the host folder itself (a build: the grader keeps its output) */
	SANDBOX_WORKDIR_COPY,	/* a size-limited tmpfs holding a copy (a test: cannot fill the disk) */
};

/* Probes this machine.  enabled=false runs everything unsandboxed (and says so). */
struct sandbox *sandbox_new(bool enabled);
void sandbox_free(struct sandbox *sb);

/* True when every layer is in place; else sandbox_missing() lists what is not. */
bool sandbox_full(const struct sandbox *sb);
const struct strvec *sandbox_missing(const struct sandbox *sb);

/*
 * Runs req as run_processes() would, inside a fresh sandbox.  Returns -1
 * only when the grader failed (error_last() says why); whatever the student
 * code does is in res (release with run_result_release).
 */
int sandbox_run(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir workdir,
		struct run_result *res);

/* Bytes of the tmpfs a test's working directory, /tmp and /dev/shm each get. */
#define SANDBOX_DISK_SIZE (128LL << 20)

#endif
