/*
 * trace_pct_tell: how a perturbed run's schedule is told (trace_pct.c,
 * "The telling"): what the other processes did during each hold, the holds
 * during which they did the most, the order the seed gave the processes,
 * and the words the report shows for a failed run.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>

#include "trace.h"
#include "trace_pct_internal.h"
#include "util.h"

/* Bytes of a write looked at for its lines. */
#define WRITE_LOOKED_AT 4096
/* Calls of the others told per hold; more are "...". */
#define SEEN_TOLD 12
/* Processes named in the order; more are counted. */
#define ORDER_TOLD 4

static int by_score(const void *a, const void *b)
{
	const struct pct_told *x = *(const struct pct_told *const *)a;
	const struct pct_told *y = *(const struct pct_told *const *)b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x < y ? -1 : x > y;
}

static int by_time(const void *a, const void *b)
{
	const struct pct_told *x = *(const struct pct_told *const *)a;
	const struct pct_told *y = *(const struct pct_told *const *)b;
	return x < y ? -1 : x > y;
}

_Static_assert(ORDER_TOLD <= TRACE_ORDER_MAX, "the order told is the head of the one recorded");

/*
 * The first (at most TRACE_ORDER_MAX) processes by priority, the highest
 * first, into top; returns how many.  Bounded whatever the number of
 * processes: a program may fork thousands.
 */
static size_t top_by_priority(const struct tracer *t, size_t top[TRACE_ORDER_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		size_t k = n < TRACE_ORDER_MAX ? n++ : TRACE_ORDER_MAX;
		for (; k > 0 && t->procs[top[k - 1]].prio < t->procs[i].prio; k--)
			if (k < TRACE_ORDER_MAX)
				top[k] = top[k - 1];
		if (k < TRACE_ORDER_MAX)
			top[k] = i;
	}
	return n;
}

/* "pid 3 (./client) ahead of pid 2 (./server)": the order the seed gave the processes (top). */
static char *order_text(const struct tracer *t, const size_t *top, size_t ntop)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (size_t i = 0; i < ntop && i < ORDER_TOLD; i++) {
		const struct process *p = &t->procs[top[i]];
		strbuf_addf(&sb, "%spid %d (%s)", i ? " ahead of " : "", (int)p->rec.pid,
			    trace_process_name(p));
	}
	if (t->nprocs > ORDER_TOLD)
		strbuf_addf(&sb, " and %zu more", t->nprocs - ORDER_TOLD);
	return strbuf_detach(&sb, NULL);
}

void pct_tell_finish(struct tracer *t)
{
	struct pct *pct = t->pct;
	/* The holds during which the others did the most, told in the order they ended. */
	struct pct_told **order = xcalloc(pct->ntold ? pct->ntold : 1, sizeof(*order));
	for (size_t i = 0; i < pct->ntold; i++)
		order[i] = &pct->told[i];
	qsort(order, pct->ntold, sizeof(*order), by_score);
	size_t shown = pct->ntold < TRACE_PCT_SHOWN ? pct->ntold : TRACE_PCT_SHOWN;
	qsort(order, shown, sizeof(*order), by_time);
	for (size_t i = 0; i < shown; i++)
		strvec_push(&t->out->schedule, order[i]->text);
	t->out->schedule_more = pct->ntold - shown;
	size_t top[TRACE_ORDER_MAX];
	size_t ntop = top_by_priority(t, top);
	/* The order that decided the run, whole or not at all: a part is no order to have tried. */
	t->out->order_procs = t->nprocs;
	for (size_t i = 0; t->nprocs <= TRACE_ORDER_MAX && i < ntop; i++)
		t->out->order[i] = t->procs[top[i]].key;
	if (t->nprocs > 1)
		t->out->schedule_order = order_text(t, top, ntop);
	for (size_t i = 0; i < pct->ntold; i++)
		free(pct->told[i].text);
	free(order);
	free(pct->told);
	pct->told = NULL;
	pct->ntold = 0;
}

static unsigned long long lines_written(pid_t tid, const uint64_t *args)
{
	char buf[WRITE_LOOKED_AT];
	size_t n = trace_proc_read_mem(tid, args[1], buf,
				       args[2] < sizeof(buf) ? (size_t)args[2] : sizeof(buf));
	unsigned long long lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/* ---- what the others did ------------------------------------------------ */

static void see(struct pct_hold *h, const struct pct_seen *s)
{
	struct pct_seen *last = h->nseen ? &h->seen[h->nseen - 1] : NULL;
	if (last && last->proc == s->proc && last->nr == s->nr && last->rmid == s->rmid) {
		last->count++;
		last->lines += s->lines;
		/* An unknown time (LONG_MAX) added to anything stays unknown. */
		last->sleep_ms = last->sleep_ms > LONG_MAX - s->sleep_ms ? LONG_MAX
									: last->sleep_ms + s->sleep_ms;
		return;
	}
	h->seen = xgrow(h->seen, sizeof(*h->seen), h->nseen + 1, &h->seen_cap);
	h->seen[h->nseen++] = *s;
}

void pct_tell_holds(struct tracer *t, size_t proc, pid_t tid, int nr, const uint64_t *args)
{
	struct pct_seen s = {.proc = proc, .nr = nr, .count = 1};
	bool looked = false;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct pct_hold *h = t->tasks[i].hold;
		if (!h || t->tasks[i].proc == proc)
			continue;
		if (!looked && args) {
			if (pct_is_call(t, nr, "write"))
				s.lines = lines_written(tid, args);
			else if (pct_is_sleep(t, nr))
				s.sleep_ms = pct_sleep_ms_of(t, tid, nr, args);
			else if (pct_is_call(t, nr, "shmctl"))
				s.rmid = (args[1] & 0xff) == IPC_RMID;
			looked = true;
		}
		see(h, &s);
	}
}

void trace_pct_gone(struct tracer *t, size_t proc)
{
	if (t->pct && t->perturbing)
		pct_tell_holds(t, proc, 0, -1, NULL);
}

/* "wrote 2 lines (write)", "read 3 times (read)": what one run of steps at a call did. */
static void add_deed(struct strbuf *sb, const struct tracer *t, const struct pct_seen *s,
		     const char *call)
{
	const char *verb = "called";
	bool counted = s->count > 1;
	if (s->nr < 0) {
		strbuf_addstr(sb, "exited");
		return;
	}
	if (!strcmp(call, "write") && s->lines) {
		strbuf_addf(sb, "wrote %llu line%s (write)", s->lines, s->lines == 1 ? "" : "s");
		return;
	}
	if (pct_is_sleep(t, s->nr) && s->sleep_ms < LONG_MAX / 2) {
		strbuf_addf(sb, "slept %ld ms (%s)", s->sleep_ms, call);
		return;
	}
	if (!strcmp(call, "write"))
		verb = "wrote";
	else if (!strcmp(call, "read"))
		verb = "read";
	else if (pct_is_sleep(t, s->nr))
		verb = "slept";
	else if (!strcmp(call, "shmget"))
		verb = "got the segment";
	else if (!strcmp(call, "shmat"))
		verb = "attached it";
	else if (!strcmp(call, "shmdt"))
		verb = "detached it";
	else if (!strcmp(call, "shmctl") && s->rmid)
		verb = "removed the segment";
	else if (!strcmp(call, "execve"))
		verb = "started its program";
	else if (!strcmp(call, "fork") || !strcmp(call, "vfork") || !strncmp(call, "clone", 5))
		verb = "forked";
	else if (!strcmp(call, "wait4"))
		verb = "waited for a child";
	if (!strcmp(verb, "called"))
		strbuf_addf(sb, "called %s", call);
	else
		strbuf_addstr(sb, verb);
	if (counted)
		strbuf_addf(sb, " %u times", s->count);
	if (strcmp(verb, "called"))
		strbuf_addf(sb, " (%s%s)", call, s->rmid ? " IPC_RMID" : "");
}

void pct_tell_hold(struct tracer *t, const struct task *task, double now)
{
	const struct pct_hold *h = task->hold;
	struct pct *pct = t->pct;
	if (!h->nseen)
		return;
	const struct process *p = &t->procs[task->proc];
	const char *name = pct_call_name(t, task->step_nr);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_addf(&sb, "pid %d (%s) was held ", (int)p->rec.pid, trace_process_name(p));
	if (!strcmp(name, "execve"))
		strbuf_addstr(&sb, "before its program started (execve)");
	else if (!strcmp(name, "exit_group"))
		strbuf_addstr(&sb, "at its exit (exit_group)");
	else
		strbuf_addf(&sb, "%s %s()", h->exit ? "after" : "at", name);
	strbuf_addf(&sb, " for %.0f ms; meanwhile", (now - h->since) * 1000.0);
	for (size_t i = 0; i < h->nseen && i < SEEN_TOLD; i++) {
		const struct pct_seen *s = &h->seen[i];
		bool first_of_proc = i == 0 || h->seen[i - 1].proc != s->proc;
		bool last_of_proc = i + 1 == h->nseen || h->seen[i + 1].proc != s->proc;
		if (first_of_proc) {
			const struct process *o = &t->procs[s->proc];
			strbuf_addf(&sb, "%s pid %d (%s)", i ? ", then" : "", (int)o->rec.pid,
				    trace_process_name(o));
		} else {
			strbuf_addstr(&sb, last_of_proc ? " and" : ",");
		}
		const char *call = s->nr >= 0 ? pct_call_name(t, s->nr) : "";
		strbuf_addch(&sb, ' ');
		add_deed(&sb, t, s, call);
	}
	if (h->nseen > SEEN_TOLD)
		strbuf_addstr(&sb, ", ...");
	/* The others' steps: how much the hold reordered. */
	unsigned long long score = 0;
	for (size_t i = 0; i < h->nseen; i++)
		score += h->seen[i].count;
	pct->told = xgrow(pct->told, sizeof(*pct->told), pct->ntold + 1, &pct->told_cap);
	pct->told[pct->ntold++] = (struct pct_told){strbuf_detach(&sb, NULL), score};
}

/* ---- the report's words ------------------------------------------------- */

char *trace_schedule_text(const struct trace_record *rec, unsigned long long seed)
{
	if (!rec->schedule.n && !rec->schedule_order)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	strbuf_addstr(&sb, "This run failed in an order of the grader's choosing (perturb)");
	if (rec->schedule_order)
		strbuf_addf(&sb, ": it ran %s", rec->schedule_order);
	for (size_t i = 0; i < rec->schedule.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ". Later, " : rec->schedule_order ? ". " : ": ",
			    rec->schedule.v[i]);
	if (rec->schedule_more)
		strbuf_addf(&sb, " (and %llu more hold%s)", rec->schedule_more,
			    rec->schedule_more == 1 ? "" : "s");
	strbuf_addf(&sb, ". Replay this order with --seed %llu.", seed);
	return strbuf_detach(&sb, NULL);
}

const char trace_schedule_hint[] =
	"a correct program gives the same result in any order of its processes: wait for "
	"the other process (a flag it sets, a semaphore, a pipe) before you use what it "
	"provides, and until it is done with what you remove.";
