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
 * Fail closed.  How strong the sandbox is is decided once, by
 * sandbox_new(), before any student code runs: it sets up a whole sandbox
 * and runs /bin/true in it.  Where the machine refuses part of it, the
 * sandbox degrades to running confined as well as it can (no_new_privs,
 * seccomp, rlimits, a session of its own, and never as root: a root
 * grader's student code runs as uid 65534 whatever is missing), and
 * sandbox_missing() lists what was lost; every report carries that list.
 * It never weakens afterwards: a set-up that fails later is an error of
 * that run (sandbox_run returns -1), and one the submission causes (too
 * large for its working folder) is the run's setup_failure.
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <stdbool.h>

#include "run.h"
#include "util.h"

struct sandbox;

/*
 * What a run's working directory is inside the sandbox: always a tmpfs of
 * SANDBOX_DISK_SIZE (and SANDBOX_FS_FILES files) holding a copy of the
 * request's workdir_sources (or of the host folder), so that nothing a
 * program writes reaches the host's disk unbounded.
 */
enum sandbox_workdir {
	SANDBOX_WORKDIR_COPY,	/* a test: what it writes is lost */
	SANDBOX_WORKDIR_BUILD,	/* a build: what the folder holds at the end is copied back to
				   the host folder, if it fits SANDBOX_DISK_SIZE at full size */
};

/* Probes this machine.  enabled=false runs everything unsandboxed (and says so). */
struct sandbox *sandbox_new(bool enabled);
void sandbox_free(struct sandbox *sb);

/* True when every layer is in place; else sandbox_missing() lists what is not. */
bool sandbox_full(const struct sandbox *sb);
const struct strvec *sandbox_missing(const struct sandbox *sb);

/*
 * How long the grader waits for the answer of a sandboxed run of
 * timeout_ms before it kills it as a fault of the sandbox: past the
 * latest deadline the run may reach on a loaded machine (run.h).
 */
long long sandbox_answer_wait_ms(long long timeout_ms);

/*
 * Runs req as run_processes() would, inside a fresh sandbox.  Returns -1
 * when the grader or the machine failed (error_last() says why); whatever
 * the student code does is in res (release with run_result_release), and a
 * submission too large for its working folder is res->setup_failure with
 * nothing run.
 */
int sandbox_run(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir workdir,
		struct run_result *res);

/* Bytes of the tmpfs a test's working directory, /tmp and /dev/shm each get. */
#define SANDBOX_DISK_SIZE (128LL << 20)

#endif
