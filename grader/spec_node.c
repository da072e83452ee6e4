/*
 * spec_node: typed reads out of libyaml's document tree, each reporting its
 * own mistakes as "PATH:LINE:COL: message" (see spec_internal.h).
 *
 * libyaml resolves no tags for us: every scalar arrives as text with a
 * style.  Numbers are therefore accepted from plain and quoted scalars
 * alike (an instructor who writes points: "10" means 10), while null is
 * recognised only in plain style, so that "~" in quotes stays a string.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "spec_internal.h"

/* Errors count against the load; a warning (SPEC_WARNING in front of fmt's text) does not. */
static void vreport(struct spec_parser *p, yaml_mark_t mark, bool warning, const char *fmt,
		    va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s:%zu:%zu: %s", p->path, mark.line + 1, mark.column + 1,
		    warning ? SPEC_WARNING : "");
	strbuf_vaddf(&sb, fmt, ap);
	if (!warning)
		p->nerrors++;
	/* A mapping merged into several places (<<: *anchor) would repeat its mistakes. */
	if (strvec_contains(p->errors, sb.buf))
		strbuf_release(&sb);
	else
		strvec_push_owned(p->errors, strbuf_detach(&sb, NULL));
}

static const yaml_mark_t no_mark = {0, 0, 0};

int spec_error(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, node ? node->start_mark : no_mark, false, fmt, ap);
	va_end(ap);
	return -1;
}

int spec_error_mark(struct spec_parser *p, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, mark, false, fmt, ap);
	va_end(ap);
	return -1;
}

void spec_warning(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, node ? node->start_mark : no_mark, true, fmt, ap);
	va_end(ap);
}

yaml_node_t *spec_node(struct spec_parser *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

int spec_line(const yaml_node_t *node)
{
	return (int)node->start_mark.line + 1;
}

const char *spec_scalar(const yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
						      : NULL;
}

bool spec_is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *text = spec_scalar(node);

	if (!text || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++) {
		if (!strcmp(text, nulls[i]))
			return true;
	}
	return false;
}

void spec_describe(const yaml_node_t *node, struct strbuf *sb)
{
	const char *text = spec_scalar(node);
	size_t len;

	if (!node)
		strbuf_addstr(sb, "nothing");
	else if (node->type == YAML_MAPPING_NODE)
		strbuf_addstr(sb, "a mapping");
	else if (node->type == YAML_SEQUENCE_NODE)
		strbuf_addstr(sb, "a sequence");
	else if (spec_is_null(node))
		strbuf_addstr(sb, "null");
	else {
		len = strcspn(text, "\n");
		strbuf_addch(sb, '\'');
		strbuf_add(sb, text, len > 40 ? 40 : len);
		strbuf_addstr(sb, len > 40 || text[len] ? "...'" : "'");
	}
}

int spec_type_error(struct spec_parser *p, const yaml_node_t *node, const char *key,
		    const char *want)
{
	struct strbuf got = STRBUF_INIT;

	spec_describe(node, &got);
	spec_error(p, node, "'%s' must be %s, got %s", key, want, got.buf);
	strbuf_release(&got);
	return -1;
}

/* Case-insensitive edit distance: "Stdout" is one typo away from nothing. */
static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof(*row));
	size_t result;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

size_t spec_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t best = n, best_distance = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = levenshtein(word, candidates[i]);
		/* d < strlen(word): two edits turn any two-letter word into any other. */
		if (d < best_distance && d < strlen(word)) {
			best = i;
			best_distance = d;
		}
	}
	return best;
}

static bool in_list(const char *word, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(word, list[i]))
			return true;
	}
	return false;
}

static void unknown_key(struct spec_parser *p, yaml_node_t *key_node, const char *where,
			const char *const *keys, size_t nkeys)
{
	const char *key = spec_scalar(key_node);
	size_t near = spec_suggest(key, keys, nkeys);
	struct strbuf known = STRBUF_INIT;

	/* The most common slip of all: expectations written next to `run:`. */
	static const char *const expect_keys[] = {"exit", "signal", "stdout", "stderr"};
	if (in_list(key, expect_keys, ARRAY_SIZE(expect_keys)) && in_list("expect", keys, nkeys)) {
		spec_error(p, key_node, "unknown key '%s' in %s: it belongs under 'expect:'", key,
			   where);
		return;
	}
	if (near < nkeys) {
		spec_error(p, key_node, "unknown key '%s' — did you mean '%s'?", key, keys[near]);
		return;
	}
	for (size_t i = 0; i < nkeys; i++)
		strbuf_addf(&known, "%s%s", i ? ", " : "", keys[i]);
	spec_error(p, key_node, "unknown key '%s' in %s (known keys: %s)", key, where, known.buf);
	strbuf_release(&known);
}

static bool is_merge_key(const yaml_node_t *key)
{
	const char *text = spec_scalar(key);
	return text && !strcmp(text, "<<") && key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int map_fields(struct spec_parser *p, yaml_node_t *map, const char *where,
		      const char *const *keys, size_t nkeys, yaml_node_t **vals, int depth)
{
	yaml_node_t **first = xcalloc(nkeys, sizeof(*first));
	yaml_node_pair_t *pair;
	int ret = 0;

	/* Own keys first: they take precedence over anything merged in below. */
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = spec_node(p, pair->key);
		const char *text = spec_scalar(key);
		size_t i;

		if (is_merge_key(key) || (text && !strncmp(text, "x-", 2)))
			continue;
		if (!text) {
			ret = spec_error(p, key, "keys in %s must be plain names", where);
			continue;
		}
		for (i = 0; i < nkeys && strcmp(text, keys[i]); i++)
			;
		if (i == nkeys) {
			unknown_key(p, key, where, keys, nkeys);
			ret = -1;
		} else if (first[i]) {
			ret = spec_error(p, key, "duplicate key '%s' (first at line %d)", text,
					 spec_line(first[i]));
		} else {
			first[i] = key;
			if (!vals[i])
				vals[i] = spec_node(p, pair->value);
		}
	}
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = spec_node(p, pair->key);
		yaml_node_t *value = spec_node(p, pair->value);
		size_t nsources = 1;
		yaml_node_item_t *items = &pair->value;

		if (!is_merge_key(key))
			continue;
		if (depth > 8) {
			ret = spec_error(p, key, "merge keys (<<) nested too deep (a cycle?)");
			continue;
		}
		if (value->type == YAML_SEQUENCE_NODE) {
			items = value->data.sequence.items.start;
			nsources = (size_t)(value->data.sequence.items.top - items);
		}
		for (size_t k = 0; k < nsources; k++) {
			yaml_node_t *source = spec_node(p, items[k]);
			if (source->type != YAML_MAPPING_NODE) {
				ret = spec_type_error(p, source, "<<",
						      "a mapping (an alias such as *common)");
				continue;
			}
			if (map_fields(p, source, where, keys, nkeys, vals, depth + 1) < 0)
				ret = -1;
		}
	}
	free(first);
	return ret;
}

int spec_map_fields(struct spec_parser *p, yaml_node_t *map, const char *where,
		    const char *const *keys, size_t nkeys, yaml_node_t **vals)
{
	return map_fields(p, map, where, keys, nkeys, vals, 0);
}

yaml_node_t *spec_map_get(struct spec_parser *p, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		const char *text = spec_scalar(spec_node(p, pair->key));
		if (text && !strcmp(text, key))
			return spec_node(p, pair->value);
	}
	return NULL;
}

int spec_get_string(struct spec_parser *p, yaml_node_t *node, const char *key, char **out)
{
	if (!spec_scalar(node) || spec_is_null(node))
		return spec_type_error(p, node, key, "a string");
	free(*out);
	*out = xstrdup(spec_scalar(node));
	return 0;
}

int spec_get_number(struct spec_parser *p, yaml_node_t *node, const char *key, double *out)
{
	const char *text = spec_scalar(node);
	char *end;
	double value;

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, key, "a number");
	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end || errno || !isfinite(value))
		return spec_type_error(p, node, key, "a number");
	*out = value;
	return 0;
}

int spec_get_int(struct spec_parser *p, yaml_node_t *node, const char *key, long long min,
		 long long max, long long *out)
{
	const char *text = spec_scalar(node);
	char *end;
	long long value;

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, key, "an integer");
	errno = 0;
	value = strtoll(text, &end, 10);
	if (end == text || *end)
		return spec_type_error(p, node, key, "an integer");
	if (errno || value < min || value > max) {
		if (max >= INT_MAX)
			return spec_error(p, node, "'%s' must be at least %lld, got '%s'", key, min,
					  text);
		return spec_error(p, node, "'%s' must be between %lld and %lld, got '%s'", key, min,
				  max, text);
	}
	*out = value;
	return 0;
}

int spec_get_bool(struct spec_parser *p, yaml_node_t *node, const char *key, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const char *text = spec_scalar(node);

	for (size_t i = 0; text && i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(text, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*out = false;
			return 0;
		}
	}
	return spec_type_error(p, node, key, "true or false");
}

int spec_get_duration(struct spec_parser *p, yaml_node_t *node, const char *key, bool allow_zero,
		      long long *ms)
{
	const char *text = spec_scalar(node);
	long long value;

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, key, "a duration such as 2s");
	if (parse_duration_ms(text, &value) < 0)
		return spec_error(p, node,
				  "bad duration '%s' for '%s': use e.g. 250ms, 2s, 1.5s or 1m",
				  text, key);
	if (!value && !allow_zero)
		return spec_error(p, node, "'%s' must be more than 0, got '%s'", key, text);
	*ms = value;
	return 0;
}

int spec_get_size(struct spec_parser *p, yaml_node_t *node, const char *key, bool allow_zero,
		  long long *bytes)
{
	const char *text = spec_scalar(node);
	long long value;

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, key, "a size such as 64M");
	if (parse_size(text, &value) < 0)
		return spec_error(
		    p, node, "bad size '%s' for '%s': use e.g. 512K, 64M, 1G or a number of bytes",
		    text, key);
	if (!value && !allow_zero)
		return spec_error(p, node, "'%s' must be more than 0, got '%s'", key, text);
	*bytes = value;
	return 0;
}

int spec_get_string_list(struct spec_parser *p, yaml_node_t *node, const char *key,
			 struct strvec *out)
{
	int ret = 0;

	if (spec_scalar(node) && !spec_is_null(node)) {
		strvec_push(out, spec_scalar(node));
		return 0;
	}
	if (!node || node->type != YAML_SEQUENCE_NODE)
		return spec_type_error(p, node, key, "a list of strings");
	for (yaml_node_item_t *item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *entry = spec_node(p, *item);
		if (!spec_scalar(entry) || spec_is_null(entry)) {
			struct strbuf got = STRBUF_INIT;
			spec_describe(entry, &got);
			ret = spec_error(p, entry, "'%s' entries must be strings, got %s", key,
					 got.buf);
			strbuf_release(&got);
			continue;
		}
		strvec_push(out, spec_scalar(entry));
	}
	return ret;
}

int spec_get_fixture(struct spec_parser *p, yaml_node_t *node, const char *key, bool want_file,
		     char **abs)
{
	char *rel = NULL, *joined = NULL, *real = NULL;
	struct stat st;
	int ret = -1;

	if (spec_get_string(p, node, key, &rel) < 0)
		goto out;
	if (!*rel) {
		spec_error(p, node, "'%s' is empty: name a file next to the spec", key);
		goto out;
	}
	joined = rel[0] == '/' ? xstrdup(rel) : path_join(p->dir, rel);
	if (stat(joined, &st) < 0) {
		spec_error(p, node, "fixture '%s' does not exist (looked for %s)", rel, joined);
		goto out;
	}
	if (want_file && !S_ISREG(st.st_mode)) {
		spec_error(p, node, "fixture '%s' for '%s' must be a file (%s is not)", rel, key,
			   joined);
		goto out;
	}
	real = realpath(joined, NULL);
	free(*abs);
	*abs = xstrdup(real ? real : joined);
	ret = 0;
out:
	free(real);
	free(joined);
	free(rel);
	return ret;
}
