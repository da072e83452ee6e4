/*
 * spec_expect: what one process is expected to do — its exit status or
 * signal, and what its stdout and stderr must hold (docs/spec.md, "Output
 * matchers").  The matchers themselves live in compare.c; this file checks
 * that the keys given make sense together, compiles regexes once to report
 * them at their line, and warns about the ones that cannot match.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compare.h"
#include "spec_internal.h"

const char *const spec_expect_keys[SPEC_EXPECT_NKEYS] = {"exit", "signal", "stdout", "stderr"};

enum output_key { O_MATCH, O_TEXT, O_FILE, O_SEARCH, O_TOLERANCE, O_NKEYS };
static const char *const output_keys[O_NKEYS] = {"match", "text", "file", "search", "tolerance"};

static int read_match_kind(struct spec_parser *p, yaml_node_t *node, const char *key,
			   enum match_kind *kind)
{
	const char *text = spec_scalar(node);
	size_t count;
	const char *const *names = match_kind_names(&count);

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, key, "a match kind such as exact");
	int found = match_kind_from_name(text);
	if (found >= 0) {
		*kind = (enum match_kind)found;
		return 0;
	}
	size_t near = spec_suggest(text, names, count);
	if (near < count)
		return spec_error(p, node, "unknown match '%s' for '%s' — did you mean '%s'?", text,
				  key, names[near]);
	return spec_error(p, node,
			  "unknown match '%s' for '%s': use exact, trim, whitespace, "
			  "lines_unordered, lines_include, numbers, contains, regex or empty",
			  text, key);
}

static int check_regex(struct spec_parser *p, yaml_node_t *node, const char *key,
		       const struct output_expect *out)
{
	struct strbuf why = STRBUF_INIT;
	char message[256];
	regex_t re;
	int rc;

	if (memchr(out->text, '\0', out->text_len))
		return spec_error(p, node, "the regex for '%s' contains a NUL byte", key);
	rc = regcomp(&re, out->text, REG_EXTENDED | REG_NOSUB | (out->search ? REG_NEWLINE : 0));
	if (rc) {
		regerror(rc, &re, message, sizeof(message));
		return spec_error(p, node, "bad regex for '%s': %s", key, message);
	}
	regfree(&re);
	strbuf_init(&why);
	if (match_regex_lint(out->text, out->text_len, out->search, &why))
		spec_warning(p, node, "the regex for '%s' %s", key, why.buf);
	strbuf_release(&why);
	return 0;
}

/*
 * tolerance: a number (how far a number may be off) or a percentage of
 * the expected number ("2%").  Written out in digits: no sign, no
 * exponent, no inf or nan, so that what the instructor reads is what is
 * applied.
 */
static int read_tolerance(struct spec_parser *p, yaml_node_t *node, const char *key,
			  struct output_expect *out)
{
	const char *text = spec_scalar(node);
	size_t len = text ? strlen(text) : 0;
	bool percent = len && text[len - 1] == '%';
	size_t digits = len - percent;
	char *number, *end;
	double value;

	if (!text || spec_is_null(node))
		return spec_type_error(p, node, "tolerance",
				       "a number such as 0.5 or a percentage such as 2%");
	if (text[0] == '-')
		return spec_error(p, node, "'tolerance' for '%s' must not be negative, got '%s'",
				  key, text);
	number = xmemdup0(text, digits);
	errno = 0;
	value = strtod(number, &end);
	bool bad = !digits || strspn(number, "0123456789.") != digits ||
		   !strpbrk(number, "0123456789") || *end || errno || !isfinite(value);
	free(number);
	if (bad)
		return spec_error(p, node,
				  "bad tolerance '%s' for '%s': use a number such as 0.5 (how far "
				  "each number may be off) or a percentage such as 2%%",
				  text, key);
	out->tolerance = percent ? value / 100 : value;
	out->tolerance_relative = percent;
	return 0;
}

/* search and tolerance belong to one matcher each. */
static int read_options(struct spec_parser *p, yaml_node_t *const *vals, const char *key,
			struct output_expect *out)
{
	int ret = 0;

	if (vals[O_SEARCH] && out->match != MATCH_REGEX)
		ret = spec_error(p, vals[O_SEARCH],
				 "'search' for '%s' works only with match: regex (got match: %s)",
				 key, match_kind_name(out->match));
	else if (vals[O_SEARCH] && spec_get_bool(p, vals[O_SEARCH], "search", &out->search) < 0)
		ret = -1;
	if (vals[O_TOLERANCE] && out->match != MATCH_NUMBERS)
		ret = spec_error(p, vals[O_TOLERANCE],
				 "'tolerance' for '%s' works only with match: numbers (got match: "
				 "%s)",
				 key, match_kind_name(out->match));
	else if (vals[O_TOLERANCE] && read_tolerance(p, vals[O_TOLERANCE], key, out) < 0)
		ret = -1;
	return ret;
}

/* stdout / stderr: a string (exact text) or {match, text | file, search, tolerance}. */
static int read_output(struct spec_parser *p, yaml_node_t *node, const char *key,
		       struct output_expect *out)
{
	yaml_node_t *vals[O_NKEYS] = {NULL};
	yaml_node_t *text;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	out->match = MATCH_EXACT;
	text = node;
	if (node->type == YAML_MAPPING_NODE) {
		if (spec_map_fields(p, node, key, output_keys, O_NKEYS, vals) < 0)
			goto out;
		if (vals[O_MATCH] && read_match_kind(p, vals[O_MATCH], key, &out->match) < 0)
			goto out;
		if (read_options(p, vals, key, out) < 0)
			goto out;
		text = vals[O_TEXT];
		if (out->match == MATCH_EMPTY) {
			if (vals[O_TEXT] || vals[O_FILE]) {
				spec_error(p, vals[O_TEXT] ? vals[O_TEXT] : vals[O_FILE],
					   "match 'empty' for '%s' takes no text or file", key);
				goto out;
			}
			out->set = true;
			ret = 0;
			goto out;
		}
		if (vals[O_TEXT] && vals[O_FILE]) {
			spec_error(p, vals[O_FILE], "give 'text' or 'file' for '%s', not both",
				   key);
			goto out;
		}
		if (!vals[O_TEXT] && !vals[O_FILE]) {
			spec_error(p, node, "match '%s' for '%s' needs 'text' or 'file'",
				   match_kind_name(out->match), key);
			goto out;
		}
	} else if (!spec_scalar(node) || spec_is_null(node)) {
		spec_type_error(p, node, key, "a string or a mapping {match, text}");
		goto out;
	}
	if (text) {
		if (!spec_scalar(text) || spec_is_null(text)) {
			spec_type_error(p, text, "text", "a string");
			goto out;
		}
		out->text_len = text->data.scalar.length;
		out->text = xmemdup0(text->data.scalar.value, out->text_len);
	} else {
		text = vals[O_FILE];
		if (spec_get_fixture(p, text, "file", true, &out->file) < 0)
			goto out;
		if (read_file(out->file, &sb) < 0) {
			spec_error(p, text, "%s", error_last());
			goto out;
		}
		out->text = strbuf_detach(&sb, &out->text_len);
	}
	if (out->match == MATCH_REGEX && check_regex(p, text, key, out) < 0)
		goto out;
	out->set = true;
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

int spec_read_expect(struct spec_parser *p, yaml_node_t *node, struct expect_spec *e)
{
	yaml_node_t *vals[SPEC_EXPECT_NKEYS] = {NULL};
	size_t before = p->nerrors;
	const char *text;
	long long n;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "expect", "a mapping");
	spec_map_fields(p, node, "expect", spec_expect_keys, SPEC_EXPECT_NKEYS, vals);
	if ((text = spec_scalar(vals[0])) && !strcasecmp(text, "any")) {
		e->exit_set = e->exit_any = true;
	} else if (vals[0] && spec_get_int(p, vals[0], "exit", 0, 255, &n) == 0) {
		e->exit_set = true;
		e->exit_code = (int)n;
	}
	if (vals[1] && spec_is_null(vals[1])) {
		e->signal_set = true;
	} else if ((text = spec_scalar(vals[1]))) {
		char *end;
		long number = strtol(text, &end, 10);
		e->signal = *end || end == text ? signal_from_name(text) : (int)number;
		if (e->signal <= 0 || e->signal > SIGRTMAX)
			spec_error(
			    p, vals[1],
			    "unknown signal '%s': use a name such as SIGPIPE, SIGSEGV or SIGKILL",
			    text);
		e->signal_set = true;
		/* `exit: any` means "any normal exit", which a signal death is not either. */
		if (e->exit_set)
			spec_error(p, vals[1],
				   "'exit: %s' and 'signal: %s' contradict: a process killed by a "
				   "signal has no exit status",
				   spec_scalar(vals[0]), text);
	} else if (vals[1]) {
		spec_type_error(p, vals[1], "signal", "a signal name such as SIGPIPE, or null");
	}
	if (vals[2])
		read_output(p, vals[2], "stdout", &e->out);
	if (vals[3])
		read_output(p, vals[3], "stderr", &e->err);
	return p->nerrors > before ? -1 : 0;
}
