/*
 * ipc: the System V and POSIX IPC objects a test left behind.
 *
 * Inside the test's own IPC namespace (and with its own /dev/shm and
 * /dev/mqueue) every object there is the test's: scope IPC_SCOPE_NAMESPACE.
 * Without namespaces only shared memory segments carry their creator's pid,
 * so scope IPC_SCOPE_CREATORS reports the segments that one of the given
 * processes created, since the test began, and nothing else: a segment
 * that existed before was another process's whose pid one of the test's
 * has since been given (the machine's, another test's), never to be
 * blamed on the test nor removed.
 *
 * Each leftover is described in one sentence naming the object (its name
 * escaped: a student chose it) and, where known, the process that created
 * it, and then removed, so that the next test and the machine never
 * inherit it.  Every leftover is removed, but only the first FINDINGS_MAX
 * are described: the others are counted (found->more), so that a program
 * leaving 450,000 objects costs a count, not a sentence each.
 */
#ifndef GRADER_IPC_H
#define GRADER_IPC_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

enum ipc_scope { IPC_SCOPE_CREATORS, IPC_SCOPE_NAMESPACE };

/* A process of the test, to name creators by. */
struct ipc_owner {
	pid_t pid;
	const char *name;
};

/*
 * Describes the leftover objects in *found (capped, as above) and removes
 * every one; since: when the test began (IPC_SCOPE_CREATORS).
 */
void ipc_collect_leftovers(enum ipc_scope scope, const struct ipc_owner *owners, size_t nowners,
			   time_t since, struct strvec *found);

/* Whether one of the owners has created, since then, a shared memory segment that still exists. */
bool ipc_shm_created_by(const struct ipc_owner *owners, size_t nowners, time_t since);

#endif
