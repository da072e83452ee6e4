/*
 * trace_record: the names a trace speaks (kernel names and the spec's
 * conveniences), which calls the filter stops, the record a traced run
 * leaves for the judge and the report, and what a perturbed test's records
 * tell together: whether its runs have tried every order of its processes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp.h"
#include "trace.h"
#include "trace_internal.h"

/* Always watched: what IPC assignments are about, so that every trace shows it. */
static const char *const base_calls[] = {
	"pipe",	 "pipe2",  "dup",      "dup2",  "dup3",   "clone", "clone3",
	"fork",	 "vfork",  "execve",   "execveat", "wait4", "waitid", "kill",
	"shmget", "shmat", "shmdt",    "shmctl", "semget", "msgget", NULL,
};

/*
 * The steps of a perturbed run's schedule (trace_pct.c): where processes
 * sharing memory hand over work — System V IPC, sleeping, yielding,
 * reading and writing — and where they start and end.  Holding one there
 * lets the others run ahead, which is what an unsynchronized program does
 * not survive.  The others are not recorded (a trace shows the same with
 * or without perturbation).
 */
static const char *const perturb_calls[] = {
	"shmget", "shmat",   "shmdt",  "shmctl", "semget",	"semop", "semtimedop",
	"semctl", "msgget",  "msgsnd", "msgrcv", "msgctl",	"read",	 "write",
	"nanosleep", "clock_nanosleep", "sched_yield", "fork", "vfork", "clone", "clone3",
	"execve", "exit_group", "wait4", NULL,
};

/* A spec name that stands for more than one kernel name (docs/spec.md, "trace"). */
struct convenience {
	const char *name;
	const char *meaning;	/* for messages: "never called dup2 (or dup3)" */
	const char *accepts[5];	/* recorded kinds it is satisfied by, NULL-terminated */
};

static const struct convenience conveniences[] = {
	{"pipe", "pipe (or pipe2)", {"pipe", "pipe2", NULL}},
	{"dup2", "dup2 (or dup3)", {"dup2", "dup3", NULL}},
	/* Not a thread: those are recorded as "clone(thread)". */
	{"fork", "fork (or vfork, or clone making a process)", {"fork", "vfork", "clone", "clone3", NULL}},
	{"wait", "wait (wait4 or waitid)", {"wait4", "waitid", NULL}},
	{"system", "system() or popen() (a shell run by the program)", {TRACE_SYSTEM, NULL}},
};

static const struct convenience *convenience_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(conveniences); i++)
		if (!strcmp(conveniences[i].name, name))
			return &conveniences[i];
	return NULL;
}

bool trace_name_known(const char *name)
{
	return convenience_of(name) || seccomp_syscall_nr(name) >= 0;
}

const char *trace_name_meaning(const char *name)
{
	const struct convenience *c = convenience_of(name);
	return c ? c->meaning : name;
}

/* The recorded kinds name accepts: its convenience's, or name itself and its thread form. */
static void accepted_kinds(const char *name, struct strvec *kinds)
{
	const struct convenience *c = convenience_of(name);

	if (c) {
		strvec_pushv(kinds, c->accepts);
		return;
	}
	/* Literally, clone is any clone: the one that made a thread too. */
	strvec_push(kinds, name);
	strvec_pushf(kinds, "%s%s", name, TRACE_THREAD_SUFFIX);
}

const struct trace_call *trace_record_find(const struct trace_record *rec, const char *name)
{
	struct strvec accepts = STRVEC_INIT;
	const struct trace_call *found = NULL;

	strvec_init(&accepts);
	accepted_kinds(name, &accepts);
	/* Calls are kept in the order of their first occurrence: the first match is the earliest. */
	for (size_t i = 0; i < rec->ncalls && !found; i++)
		if (strvec_contains(&accepts, rec->calls[i].name))
			found = &rec->calls[i];
	strvec_clear(&accepts);
	return found;
}

unsigned long trace_record_count(const struct trace_record *rec, const char *name)
{
	struct strvec accepts = STRVEC_INIT;
	unsigned long count = 0;

	strvec_init(&accepts);
	accepted_kinds(name, &accepts);
	for (size_t i = 0; i < rec->ncalls; i++)
		if (strvec_contains(&accepts, rec->calls[i].name))
			count += rec->calls[i].count;
	strvec_clear(&accepts);
	return count;
}

/* Adds name (or, when it is there already, what this watch adds to it). */
static void watch(const char *name, bool recorded, bool perturbed, struct trace_watch **out,
		  size_t *n)
{
	int nr = seccomp_syscall_nr(name);
	if (nr < 0)
		return;
	for (size_t i = 0; i < *n; i++) {
		if ((*out)[i].nr == nr) {
			(*out)[i].recorded |= recorded;
			(*out)[i].perturbed |= perturbed;
			return;
		}
	}
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[(*n)++] = (struct trace_watch){nr, name, recorded, perturbed};
}

size_t trace_watch_list(const char *const *names, bool perturb, struct trace_watch **out)
{
	size_t n = 0;
	*out = NULL;
	for (const char *const *name = base_calls; *name; name++)
		watch(*name, true, false, out, &n);
	for (const char *const *name = names; name && *name; name++) {
		const struct convenience *c = convenience_of(*name);
		if (!c) {
			watch(*name, true, false, out, &n);
			continue;
		}
		/* The pseudo kind system has no number and is skipped. */
		for (const char *const *a = c->accepts; *a; a++)
			watch(*a, true, false, out, &n);
	}
	for (const char *const *name = perturb_calls; perturb && *name; name++)
		watch(*name, false, true, out, &n);
	return n;
}

void trace_record_init(struct trace_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	strvec_init(&rec->zombies);
	strvec_init(&rec->orphans);
	strvec_init(&rec->fds);
	strvec_init(&rec->schedule);
}

void trace_record_release(struct trace_record *rec)
{
	free(rec->unavailable);
	for (size_t i = 0; i < rec->nprocs; i++)
		strvec_clear(&rec->procs[i].argv);
	free(rec->procs);
	for (size_t i = 0; i < rec->nevents; i++) {
		free(rec->events[i].call);
		free(rec->events[i].args);
	}
	free(rec->events);
	for (size_t i = 0; i < rec->ncalls; i++) {
		free(rec->calls[i].name);
		free(rec->calls[i].first);
	}
	free(rec->calls);
	strvec_clear(&rec->zombies);
	strvec_clear(&rec->orphans);
	strvec_clear(&rec->fds);
	strvec_clear(&rec->schedule);
	free(rec->schedule_order);
	/* Zeroed, not re-initialised (that allocates): release it again or init it anew. */
	memset(rec, 0, sizeof(*rec));
}

/* ---- the orders a test's runs tried (trace.h) ---------------------------- */

_Static_assert(TRACE_ORDERS_MAX == 720 && TRACE_ORDER_MAX == 6,
	       "TRACE_ORDERS_MAX is TRACE_ORDER_MAX!");

void trace_orders_init(struct trace_orders *o)
{
	memset(o, 0, sizeof(*o));
}

/* n! for n <= TRACE_ORDER_MAX: the orders of n processes. */
static size_t orders_of(size_t n)
{
	size_t f = 1;
	for (size_t i = 2; i <= n; i++)
		f *= i;
	return f;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The rank of an order of n distinct keys among the n! orders of the
 * same keys: its Lehmer code (for each key, how many smaller ones follow
 * it) read as a number in the factorial base.
 */
static size_t rank_of(const uint64_t *order, size_t n)
{
	size_t rank = 0;
	for (size_t i = 0; i < n; i++) {
		size_t smaller_after = 0;
		for (size_t j = i + 1; j < n; j++)
			smaller_after += order[j] < order[i];
		rank += smaller_after * orders_of(n - 1 - i);
	}
	return rank;
}

void trace_orders_add(struct trace_orders *o, const struct trace_record *rec)
{
	size_t n = rec->order_procs;
	bool first = o->runs++ == 0;
	if (o->open)
		return;
	/* Not perturbed, or too many processes to try their every order. */
	if (!rec->traced || rec->unavailable || n == 0 || n > TRACE_ORDER_MAX) {
		o->open = true;
		return;
	}
	uint64_t set[TRACE_ORDER_MAX];
	memcpy(set, rec->order, n * sizeof(*set));
	qsort(set, n, sizeof(*set), by_key);
	for (size_t i = 1; i < n; i++)
		/* Two processes with one key share a priority: the order between them is not the seed's. */
		if (set[i] == set[i - 1]) {
			o->open = true;
			return;
		}
	if (first) {
		o->nprocs = n;
		memcpy(o->keys, set, n * sizeof(*set));
	} else if (n != o->nprocs || memcmp(set, o->keys, n * sizeof(*set))) {
		o->open = true;
		return;
	}
	size_t rank = rank_of(rec->order, n);
	if (!o->tried[rank]) {
		o->tried[rank] = true;
		o->ntried++;
	}
}

bool trace_orders_all_tried(const struct trace_orders *o)
{
	return o->runs > 0 && !o->open && o->ntried == orders_of(o->nprocs);
}
