/*
 * diff: unified diffs of expected against actual output.
 *
 * Theory of operation.  Both inputs are split into lines (a line keeps its
 * '\n', so a last line without one differs from the same text with one).
 * The common leading and trailing lines are peeled off first: most wrong
 * outputs are right for a while, and this keeps the expensive part small.
 * The middle lines are numbered by content through a hash table, so the
 * core compares integers, and Myers' greedy O(ND) algorithm finds a
 * shortest edit script between the two middles.
 *
 * Myers' cost grows with the number of differences D (time O((N+M)D),
 * memory O(D^2) for the trace that recovers the path).  Two large outputs
 * that have nothing in common would make D huge, so the search gives up
 * past DIFF_MAX_EDITS edits or DIFF_MAX_WORK steps.  Only the first
 * DIFF_MAX_LINES lines are rendered, so what matters is that the start is
 * right: the search is run again on the first DIFF_WINDOW lines of each
 * middle, and what follows the window is reported as removed, then added.
 * Should even that fail, the whole middle is (the "coarse" diff), which
 * still starts at the first differing line.
 *
 * The result of either path is a pair of flag arrays (which expected lines
 * were removed, which actual lines were added), turned into change blocks,
 * grouped into hunks with DIFF_CONTEXT lines of context and rendered with
 * every line escaped.
 */
#include "diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* Longer lines are cut: one runaway line must not make the report unreadable. */
#define DIFF_LINE_MAX 500
/* Limits of the exact search; beyond them the coarse diff is used. */
#define DIFF_MAX_EDITS 2000
#define DIFF_MAX_WORK (16L * 1000 * 1000)
/* Lines per side searched exactly when the whole middle is too costly. */
#define DIFF_WINDOW 1000

struct lines {
	const char *data;
	size_t len;
	size_t n;
	size_t *start; /* n + 1 offsets: line i is data[start[i], start[i + 1]), '\n' included */
};

/* ---- lines ------------------------------------------------------------- */

static void lines_split(struct lines *l, const char *data, size_t len)
{
	size_t cap = 0;

	l->data = data;
	l->len = len;
	l->n = 0;
	l->start = NULL;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		l->start = xgrow(l->start, sizeof(*l->start), l->n + 2, &cap);
		l->start[l->n++] = pos;
		pos = nl ? (size_t)(nl - data) + 1 : len;
	}
	l->start = xgrow(l->start, sizeof(*l->start), l->n + 1, &cap);
	l->start[l->n] = len;
}

static const char *line_ptr(const struct lines *l, size_t i)
{
	return l->data + l->start[i];
}

/* Length with the '\n', so that "a" at the end of a file differs from "a\n". */
static size_t line_len(const struct lines *l, size_t i)
{
	return l->start[i + 1] - l->start[i];
}

static bool line_has_newline(const struct lines *l, size_t i)
{
	return l->data[l->start[i + 1] - 1] == '\n';
}

static bool lines_equal(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	size_t n = line_len(a, i);
	return n == line_len(b, j) && memcmp(line_ptr(a, i), line_ptr(b, j), n) == 0;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Gives each line of a[a0, a1) and b[b0, b1) a number, equal numbers for
 * equal lines, so that the search compares integers.
 */
static void lines_number(const struct lines *a, size_t a0, size_t a1, const struct lines *b,
			 size_t b0, size_t b1, uint32_t *ida, uint32_t *idb)
{
	struct cls {
		uint64_t hash;
		const char *p;
		size_t len;
	};
	size_t total = (a1 - a0) + (b1 - b0);
	size_t size = 16;
	while (size < 2 * total)
		size *= 2;
	uint32_t *slot = xcalloc(size, sizeof(*slot)); /* class + 1, 0 = free */
	struct cls *cls = xmalloc(total * sizeof(*cls));
	uint32_t ncls = 0;

	for (size_t t = 0; t < total; t++) {
		bool in_a = t < a1 - a0;
		const struct lines *l = in_a ? a : b;
		size_t i = in_a ? a0 + t : b0 + (t - (a1 - a0));
		const char *p = line_ptr(l, i);
		size_t n = line_len(l, i);
		uint64_t h = hash_bytes(p, n);
		size_t s = h & (size - 1);

		while (slot[s]) {
			struct cls *c = &cls[slot[s] - 1];
			if (c->hash == h && c->len == n && memcmp(c->p, p, n) == 0)
				break;
			s = (s + 1) & (size - 1);
		}
		if (!slot[s]) {
			cls[ncls] = (struct cls){h, p, n};
			slot[s] = ++ncls;
		}
		if (in_a)
			ida[i - a0] = slot[s] - 1;
		else
			idb[i - b0] = slot[s] - 1;
	}
	free(cls);
	free(slot);
}

/* ---- the search -------------------------------------------------------- */

/*
 * Myers' greedy algorithm on a[0, n) and b[0, m).  Marks removed lines in
 * del and added lines in ins.  Returns false, marking nothing, when the
 * edit script would need more than DIFF_MAX_EDITS edits or DIFF_MAX_WORK
 * steps.
 *
 * trace keeps, for every d, the furthest x reached on the diagonals
 * k = -d, -d + 2, ..., d (diagonal k holds the points with x - y = k), at
 * trace[d * (d + 1) / 2 + (k + d) / 2]: only the diagonals of d's parity
 * change at step d, which halves the trace.
 */
static bool myers(const uint32_t *a, long n, const uint32_t *b, long m, char *del, char *ins)
{
	long max_d = n + m < DIFF_MAX_EDITS ? n + m : DIFF_MAX_EDITS;
	long *v = xmalloc((2 * (size_t)max_d + 3) * sizeof(*v));
	long *vk = v + max_d + 1; /* vk[k] for k in [-max_d - 1, max_d + 1] */
	int32_t *trace = NULL;
	size_t trace_cap = 0;
	long work = 0, found = -1;

	vk[1] = 0;
	for (long d = 0; d <= max_d && found < 0; d++) {
		size_t base = (size_t)d * (d + 1) / 2;
		trace = xgrow(trace, sizeof(*trace), base + d + 1, &trace_cap);
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && vk[k - 1] < vk[k + 1])) ? vk[k + 1]
										: vk[k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && a[x] == b[y])
				x++, y++, work++;
			vk[k] = x;
			trace[base + (k + d) / 2] = (int32_t)x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		work += d + 1;
		if (work > DIFF_MAX_WORK)
			break;
	}

	if (found >= 0) {
		long x = n, y = m;
		for (long d = found; d > 0; d--) {
			const int32_t *prev = trace + (size_t)(d - 1) * d / 2;
			long k = x - y, pk;
#define PREV(kk) ((long)prev[((kk) + d - 1) / 2])
			if (k == -d || (k != d && PREV(k - 1) < PREV(k + 1)))
				pk = k + 1; /* reached by a step down: b[py] added */
			else
				pk = k - 1; /* reached by a step right: a[px] removed */
			long px = PREV(pk), py = px - pk;
#undef PREV
			if (pk == k + 1)
				ins[py] = 1;
			else
				del[px] = 1;
			x = px;
			y = py;
		}
	}
	free(trace);
	free(v);
	return found >= 0;
}

/* ---- rendering --------------------------------------------------------- */

struct block {
	size_t a0, a1; /* expected lines [a0, a1) removed */
	size_t b0, b1; /* actual lines [b0, b1) added */
};

struct render {
	struct strbuf out;
	size_t shown;  /* lines rendered so far */
	size_t hidden; /* lines past the cap, counted for the trailer */
};

static bool render_full(const struct render *r)
{
	return r->shown >= DIFF_MAX_LINES;
}

static void render_text(struct render *r, const char *text)
{
	if (render_full(r)) {
		r->hidden++;
		return;
	}
	strbuf_addstr(&r->out, text);
	strbuf_addch(&r->out, '\n');
	r->shown++;
}

static void render_line(struct render *r, char prefix, const struct lines *l, size_t i)
{
	bool nl = line_has_newline(l, i);

	if (render_full(r))
		r->hidden++;
	else {
		strbuf_addch(&r->out, prefix);
		escape_add(&r->out, line_ptr(l, i), line_len(l, i) - nl, DIFF_LINE_MAX, ESCAPE_BACKSLASH);
		strbuf_addch(&r->out, '\n');
		r->shown++;
	}
	if (!nl)
		render_text(r, "\\ No newline at end of file");
}

/* Lines render_line would produce for l[i0, i1), cut lines included. */
static size_t rendered_count(const struct lines *l, size_t i0, size_t i1)
{
	return (i1 - i0) + (i1 > i0 && !line_has_newline(l, i1 - 1));
}

/*
 * A change block bigger than the space left would show only removed
 * expected lines, never what the program printed; so the space left is
 * shared between the two sides, the skipped removed lines are counted on
 * a line of their own, and the rest is counted in the trailer.
 */
static void render_block(struct render *r, const struct lines *a, const struct lines *b,
			 const struct block *blk)
{
	size_t nd = rendered_count(a, blk->a0, blk->a1);
	size_t ni = rendered_count(b, blk->b0, blk->b1);
	size_t room = render_full(r) ? 0 : DIFF_MAX_LINES - r->shown;
	size_t show_d = blk->a1 - blk->a0;

	if (nd + ni > room && nd > 0 && ni > 0 && room >= 4) {
		size_t want_i = ni < room / 2 ? ni : room / 2;
		show_d = room - want_i - 1; /* 1: the "more expected lines" line */
		if (show_d > blk->a1 - blk->a0)
			show_d = blk->a1 - blk->a0;
	}
	for (size_t i = blk->a0; i < blk->a0 + show_d; i++)
		render_line(r, '-', a, i);
	if (show_d < blk->a1 - blk->a0) {
		size_t skipped = blk->a1 - blk->a0 - show_d;
		char *text = xasprintf("... %zu more expected line%s not shown", skipped,
				       skipped == 1 ? "" : "s");
		render_text(r, text);
		free(text);
	}
	for (size_t j = blk->b0; j < blk->b1; j++)
		render_line(r, '+', b, j);
}

/* "@@ -a,b +c,d @@": 1-based starts; an empty range names the line before it. */
static void render_hunk_header(struct render *r, size_t a0, size_t a1, size_t b0, size_t b1)
{
	char *text = xasprintf("@@ -%zu,%zu +%zu,%zu @@", a1 > a0 ? a0 + 1 : a0, a1 - a0,
			       b1 > b0 ? b0 + 1 : b0, b1 - b0);
	render_text(r, text);
	free(text);
}

/* Renders blocks[first, last], which lie close enough to share one hunk. */
static void render_hunk(struct render *r, const struct lines *a, const struct lines *b,
			const struct block *blocks, size_t first, size_t last)
{
	const struct block *f = &blocks[first], *l = &blocks[last];
	size_t lead = f->a0 < DIFF_CONTEXT ? f->a0 : DIFF_CONTEXT;
	size_t trail = a->n - l->a1 < DIFF_CONTEXT ? a->n - l->a1 : DIFF_CONTEXT;

	render_hunk_header(r, f->a0 - lead, l->a1 + trail, f->b0 - lead, l->b1 + trail);
	for (size_t i = f->a0 - lead; i < f->a0; i++)
		render_line(r, ' ', a, i);
	for (size_t k = first; k <= last; k++) {
		render_block(r, a, b, &blocks[k]);
		size_t end = k < last ? blocks[k + 1].a0 : blocks[k].a1 + trail;
		for (size_t i = blocks[k].a1; i < end; i++)
			render_line(r, ' ', a, i);
	}
}

static struct block *collect_blocks(const struct lines *a, const struct lines *b, const char *del,
				    const char *ins, size_t *nblocks)
{
	struct block *blocks = NULL;
	size_t n = 0, cap = 0, i = 0, j = 0;

	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && !del[i] && !ins[j]) {
			i++, j++;
			continue;
		}
		struct block blk = {i, i, j, j};
		while (i < a->n && del[i])
			i++;
		while (j < b->n && ins[j])
			j++;
		blk.a1 = i;
		blk.b1 = j;
		blocks = xgrow(blocks, sizeof(*blocks), n + 1, &cap);
		blocks[n++] = blk;
	}
	*nblocks = n;
	return blocks;
}

char *diff_unified(const char *expected, size_t expected_len, const char *actual, size_t actual_len)
{
	struct lines a, b;
	struct render r = {STRBUF_INIT, 0, 0};
	char *del, *ins;
	struct block *blocks;
	size_t nblocks, pre = 0, suf = 0;

	if (expected_len == actual_len &&
	    (expected_len == 0 || memcmp(expected, actual, expected_len) == 0))
		return NULL;

	lines_split(&a, expected, expected_len);
	lines_split(&b, actual, actual_len);
	del = xcalloc(a.n + 1, 1);
	ins = xcalloc(b.n + 1, 1);

	while (pre < a.n && pre < b.n && lines_equal(&a, pre, &b, pre))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre &&
	       lines_equal(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
		suf++;

	size_t na = a.n - pre - suf, nb = b.n - pre - suf;
	bool done = false;
	if (na > 0 && nb > 0 && na < INT32_MAX && nb < INT32_MAX) {
		uint32_t *ida = xmalloc(na * sizeof(*ida));
		uint32_t *idb = xmalloc(nb * sizeof(*idb));
		size_t wa = na < DIFF_WINDOW ? na : DIFF_WINDOW;
		size_t wb = nb < DIFF_WINDOW ? nb : DIFF_WINDOW;
		lines_number(&a, pre, pre + na, &b, pre, pre + nb, ida, idb);
		done = myers(ida, (long)na, idb, (long)nb, del + pre, ins + pre);
		if (!done && (wa < na || wb < nb) &&
		    myers(ida, (long)wa, idb, (long)wb, del + pre, ins + pre)) {
			memset(del + pre + wa, 1, na - wa);
			memset(ins + pre + wb, 1, nb - wb);
			done = true;
		}
		free(ida);
		free(idb);
	}
	if (!done) {
		memset(del + pre, 1, na);
		memset(ins + pre, 1, nb);
	}

	blocks = collect_blocks(&a, &b, del, ins, &nblocks);
	strbuf_init(&r.out);
	render_text(&r, "--- expected");
	render_text(&r, "+++ actual");
	for (size_t first = 0; first < nblocks;) {
		size_t last = first;
		while (last + 1 < nblocks &&
		       blocks[last + 1].a0 - blocks[last].a1 <= 2 * DIFF_CONTEXT)
			last++;
		render_hunk(&r, &a, &b, blocks, first, last);
		first = last + 1;
	}
	if (r.hidden)
		strbuf_addf(&r.out, "... %zu more line%s of diff\n", r.hidden,
			    r.hidden == 1 ? "" : "s");

	free(blocks);
	free(del);
	free(ins);
	free(a.start);
	free(b.start);
	return strbuf_detach(&r.out, NULL);
}
