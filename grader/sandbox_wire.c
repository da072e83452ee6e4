#include "sandbox_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_u64(struct strbuf *sb, uint64_t v)
{
	strbuf_add(sb, &v, sizeof(v));
}

static void put_f64(struct strbuf *sb, double v)
{
	strbuf_add(sb, &v, sizeof(v));
}

/* A NULL string travels as length UINT64_MAX. */
static void put_bytes(struct strbuf *sb, const char *data, size_t len)
{
	put_u64(sb, data ? (uint64_t)len : UINT64_MAX);
	if (data)
		strbuf_add(sb, data, len);
}

static void put_str(struct strbuf *sb, const char *s)
{
	put_bytes(sb, s, s ? strlen(s) : 0);
}

static void put_strvec(struct strbuf *sb, const struct strvec *sv)
{
	put_u64(sb, sv->n);
	for (size_t i = 0; i < sv->n; i++)
		put_str(sb, sv->v[i]);
	put_u64(sb, sv->more);
}

static void put_output(struct strbuf *sb, const struct run_output *o)
{
	put_bytes(sb, o->data, o->len);
	put_u64(sb, o->total);
	put_u64(sb, o->truncated);
}

static void put_trace(struct strbuf *sb, const struct trace_record *t)
{
	put_u64(sb, t->traced);
	put_str(sb, t->unavailable);
	put_u64(sb, t->nprocs);
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct trace_process *p = &t->procs[i];
		put_u64(sb, (uint64_t)p->pid);
		put_u64(sb, (uint64_t)p->ppid);
		put_strvec(sb, &p->argv);
		put_u64(sb, p->exited);
		put_u64(sb, (uint64_t)(int64_t)p->exit_code);
		put_u64(sb, (uint64_t)(int64_t)p->signal);
	}
	put_u64(sb, t->dropped_procs);
	put_u64(sb, t->nevents);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct trace_event *e = &t->events[i];
		put_f64(sb, e->seconds);
		put_u64(sb, (uint64_t)e->pid);
		put_str(sb, e->call);
		put_str(sb, e->args);
		put_u64(sb, e->finished);
		put_u64(sb, (uint64_t)(int64_t)e->result);
	}
	put_u64(sb, t->dropped_events);
	put_u64(sb, t->ncalls);
	for (size_t i = 0; i < t->ncalls; i++) {
		put_str(sb, t->calls[i].name);
		put_u64(sb, t->calls[i].count);
		put_str(sb, t->calls[i].first);
	}
	put_strvec(sb, &t->zombies);
	put_strvec(sb, &t->orphans);
	put_strvec(sb, &t->fds);
	put_strvec(sb, &t->schedule);
	put_u64(sb, t->schedule_more);
	put_str(sb, t->schedule_order);
	put_u64(sb, t->order_procs);
	for (size_t i = 0; t->order_procs <= TRACE_ORDER_MAX && i < t->order_procs; i++)
		put_u64(sb, t->order[i]);
}

void sandbox_wire_put_result(struct strbuf *sb, const struct run_result *r)
{
	put_u64(sb, r->timed_out);
	put_f64(sb, r->seconds);
	put_f64(sb, r->cpu_wait_seconds);
	put_u64(sb, r->certain_timeout);
	put_f64(sb, r->certain_after);
	put_str(sb, r->sleep_past);
	put_strvec(sb, &r->orphans);
	put_strvec(sb, &r->ipc_leftovers);
	put_strvec(sb, &r->denied);
	put_trace(sb, &r->trace);
	put_str(sb, r->diagnosis);
	put_str(sb, r->diagnosis_hint);
	put_f64(sb, r->output_held_after);
	put_str(sb, r->setup_failure);
	put_u64(sb, r->nprocs);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct run_proc_result *p = &r->procs[i];
		put_str(sb, p->name);
		put_u64(sb, (uint64_t)p->pid);
		put_u64(sb, p->started);
		put_str(sb, p->start_error);
		put_u64(sb, p->limited);
		put_u64(sb, p->exited);
		put_u64(sb, (uint64_t)(int64_t)p->exit_code);
		put_u64(sb, (uint64_t)(int64_t)p->signal);
		put_f64(sb, p->cpu_seconds);
		put_f64(sb, p->seconds);
		put_u64(sb, p->ready_in_memory);
		put_output(sb, &p->out);
		put_output(sb, &p->err);
	}
}

struct reader {
	const char *p, *end;
	bool bad;
};

static void get_raw(struct reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t v;
	get_raw(r, &v, sizeof(v));
	return v;
}

static double get_f64(struct reader *r)
{
	double v;
	get_raw(r, &v, sizeof(v));
	return v;
}

/* NUL-terminated copy, or NULL; *len gets the length. */
static char *get_bytes(struct reader *r, size_t *len)
{
	uint64_t n = get_u64(r);
	*len = 0;
	if (r->bad || n == UINT64_MAX)
		return NULL;
	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	char *s = xmemdup0(r->p, (size_t)n);
	r->p += n;
	*len = (size_t)n;
	return s;
}

static char *get_str(struct reader *r)
{
	size_t len;
	return get_bytes(r, &len);
}

static void get_strvec(struct reader *r, struct strvec *sv)
{
	uint64_t n = get_u64(r);
	for (uint64_t i = 0; i < n && !r->bad; i++) {
		char *s = get_str(r);
		if (s)
			strvec_push_owned(sv, s);
	}
	sv->more = (size_t)get_u64(r);
}

static void get_output(struct reader *r, struct run_output *o)
{
	free(o->data);
	o->data = get_bytes(r, &o->len);
	if (!o->data)
		o->data = xmemdup0("", 0);
	o->total = get_u64(r);
	o->truncated = get_u64(r) != 0;
}

/* A string that is never NULL (a malformed message may say NULL where it may not). */
static char *get_text(struct reader *r)
{
	char *s = get_str(r);
	return s ? s : xstrdup("");
}

/* A count of items of at least min_size bytes each: more than the message holds is malformed. */
static size_t get_count(struct reader *r, size_t min_size)
{
	uint64_t n = get_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p) / min_size) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

static void get_trace(struct reader *r, struct trace_record *t)
{
	t->traced = get_u64(r) != 0;
	t->unavailable = get_str(r);
	size_t n = get_count(r, 6 * sizeof(uint64_t));
	t->procs = xcalloc(n ? n : 1, sizeof(*t->procs));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_process *p = &t->procs[t->nprocs++];
		p->pid = (pid_t)get_u64(r);
		p->ppid = (pid_t)get_u64(r);
		strvec_init(&p->argv);
		get_strvec(r, &p->argv);
		p->exited = get_u64(r) != 0;
		p->exit_code = (int)(int64_t)get_u64(r);
		p->signal = (int)(int64_t)get_u64(r);
	}
	t->dropped_procs = get_u64(r);
	n = get_count(r, 6 * sizeof(uint64_t));
	t->events = xcalloc(n ? n : 1, sizeof(*t->events));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_event *e = &t->events[t->nevents++];
		e->seconds = get_f64(r);
		e->pid = (pid_t)get_u64(r);
		e->call = get_text(r);
		e->args = get_text(r);
		e->finished = get_u64(r) != 0;
		e->result = (long long)(int64_t)get_u64(r);
	}
	t->dropped_events = get_u64(r);
	n = get_count(r, 3 * sizeof(uint64_t));
	t->calls = xcalloc(n ? n : 1, sizeof(*t->calls));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_call *c = &t->calls[t->ncalls++];
		c->name = get_text(r);
		c->count = (unsigned long)get_u64(r);
		c->first = get_text(r);
	}
	get_strvec(r, &t->zombies);
	get_strvec(r, &t->orphans);
	get_strvec(r, &t->fds);
	get_strvec(r, &t->schedule);
	t->schedule_more = get_u64(r);
	t->schedule_order = get_str(r);
	/* Keys only for as many processes as a record holds (trace.h); a larger count comes alone. */
	t->order_procs = (size_t)get_u64(r);
	for (size_t i = 0; t->order_procs <= TRACE_ORDER_MAX && i < t->order_procs; i++)
		t->order[i] = get_u64(r);
}

static bool get_result(struct reader *r, size_t nprocs, struct run_result *res)
{
	res->timed_out = get_u64(r) != 0;
	res->seconds = get_f64(r);
	res->cpu_wait_seconds = get_f64(r);
	uint64_t certain = get_u64(r);
	/* A kind this grader does not know (a message from elsewhere) is refused. */
	if (certain > DIAGNOSE_TIMEOUT_SLEEP)
		r->bad = true;
	res->certain_timeout = r->bad ? DIAGNOSE_TIMEOUT_UNCERTAIN : (enum diagnose_timeout)certain;
	res->certain_after = get_f64(r);
	res->sleep_past = get_str(r);
	get_strvec(r, &res->orphans);
	get_strvec(r, &res->ipc_leftovers);
	get_strvec(r, &res->denied);
	get_trace(r, &res->trace);
	res->diagnosis = get_str(r);
	res->diagnosis_hint = get_str(r);
	res->output_held_after = get_f64(r);
	res->setup_failure = get_str(r);
	if (get_u64(r) != nprocs)
		return false;
	for (size_t i = 0; i < nprocs && !r->bad; i++) {
		struct run_proc_result *p = &res->procs[i];
		free(p->name);
		p->name = get_str(r);
		if (!p->name)
			p->name = xstrdup("?");
		p->pid = (pid_t)get_u64(r);
		p->started = get_u64(r) != 0;
		p->start_error = get_str(r);
		p->limited = get_u64(r) != 0;
		p->exited = get_u64(r) != 0;
		p->exit_code = (int)(int64_t)get_u64(r);
		p->signal = (int)(int64_t)get_u64(r);
		p->cpu_seconds = get_f64(r);
		p->seconds = get_f64(r);
		p->ready_in_memory = get_u64(r) != 0;
		get_output(r, &p->out);
		get_output(r, &p->err);
	}
	return !r->bad && r->p == r->end;
}

bool sandbox_wire_get_result(const char *data, size_t len, size_t nprocs, struct run_result *res)
{
	struct reader r = {data, data + len, false};
	return get_result(&r, nprocs, res);
}
