/*
 * diagnose_internal: what the diagnosis modules share — what a process of a
 * snapshot is doing (diagnose.c classifies it), for the words
 * (diagnose.c) and for deciding that a test can never finish
 * (diagnose_deadlock.c).
 */
#ifndef GRADER_DIAGNOSE_INTERNAL_H
#define GRADER_DIAGNOSE_INTERNAL_H

#include <stdbool.h>

#include "diagnose.h"

enum activity {
	ACT_UNKNOWN,
	ACT_RUNNING,
	ACT_STOPPED,
	ACT_ZOMBIE,
	ACT_READ,
	ACT_WRITE,
	ACT_WAIT,
	ACT_SLEEP,
	ACT_SIGNAL,
	ACT_POLL,
	ACT_OPEN,
	ACT_SEMOP,
	ACT_MSGRCV,
	ACT_MSGSND,
	ACT_FUTEX,
	ACT_CALL, /* some other system call */
};

/* What a process is doing, from its state and its system call. */
struct diagnose_doing {
	enum activity act;
	const char *call;		/* the call's name as students know it; NULL when unknown */
	int fdnum;			/* ACT_READ, ACT_WRITE: the descriptor */
	const struct diagnose_fd *fd;	/* ...and what it is, when known */
};

/* What p is doing, from its state and the call it is blocked in. */
struct diagnose_doing diagnose_classify(const struct diagnose_proc *p);
/* p's descriptor fd, or NULL. */
const struct diagnose_fd *diagnose_find_fd(const struct diagnose_proc *p, int fd);
/* Whether f is that end (write_end, else the read end) of the pipe ino. */
bool diagnose_holds_end(const struct diagnose_fd *f, unsigned long long ino, bool write_end);

#endif
