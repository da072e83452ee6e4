/*
 * spec: loads an assignment spec (docs/spec.md).
 *
 * The file is read whole and handed to libyaml's document loader, so that
 * anchors and aliases are resolved for us and every node keeps its
 * line/column.  Then, in order:
 *
 *   1. the top level: assignment, title, build, defaults, tests;
 *   2. `defaults` into a spec_settings with "unset" markers;
 *   3. every test (spec_testcase.c), merged with those defaults key by key and
 *      then with the built-in SPEC_DEFAULT_* values;
 *   4. checks across tests (unique names).
 *
 * Nothing stops at the first mistake: each reader records its errors and
 * the load fails at the end if any was recorded, so an instructor sees the
 * whole list at once.  The files of the module share spec_internal.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"

enum top_key { TOP_ASSIGNMENT, TOP_TITLE, TOP_BUILD, TOP_DEFAULTS, TOP_TESTS, TOP_NKEYS };
static const char *const top_keys[TOP_NKEYS] = {"assignment", "title", "build", "defaults",
						"tests"};

enum build_key { B_FILES, B_COMMAND, B_TIMEOUT, B_NKEYS };
static const char *const build_keys[B_NKEYS] = {"files", "command", "timeout"};

/* libyaml gives a reader error (bad UTF-8, say) as a byte offset, not a mark. */
static yaml_mark_t mark_at_offset(const struct strbuf *text, size_t offset)
{
	yaml_mark_t mark = {offset, 0, 0};

	for (size_t i = 0; i < offset && i < text->len; i++) {
		if (text->buf[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else {
			mark.column++;
		}
	}
	return mark;
}

static void syntax_error(struct spec_parser *p, const yaml_parser_t *parser,
			 const struct strbuf *text)
{
	yaml_mark_t mark = parser->problem_mark;
	const char *problem = parser->problem ? parser->problem : "out of memory";

	if (parser->error == YAML_READER_ERROR)
		mark = mark_at_offset(text, parser->problem_offset);
	if (parser->context)
		spec_error_mark(p, mark, "YAML syntax error: %s (%s)", problem, parser->context);
	else
		spec_error_mark(p, mark, "YAML syntax error: %s", problem);
}

/* A second document would be silently ignored by a reader that stops after one. */
static void check_single_document(struct spec_parser *p, yaml_parser_t *parser,
				  const struct strbuf *text)
{
	yaml_document_t next;

	if (!yaml_parser_load(parser, &next)) {
		syntax_error(p, parser, text);
		return;
	}
	if (yaml_document_get_root_node(&next))
		spec_error_mark(p, next.start_mark,
				"a second YAML document starts here: a spec is one document "
				"(remove this '---' and what follows, or merge it into the first)");
	yaml_document_delete(&next);
}

static bool is_id(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

/* build.files are names inside the submission: nothing absolute, nothing above it. */
static int check_build_file(struct spec_parser *p, yaml_node_t *node, const char *name)
{
	size_t len = strlen(name);

	if (!len || name[0] == '/' || !strcmp(name, "..") || !strncmp(name, "../", 3) ||
	    strstr(name, "/../") || (len >= 3 && !strcmp(name + len - 3, "/..")))
		return spec_error(
		    p, node, "bad entry '%s' in 'build.files': name a file inside the submission",
		    name);
	return 0;
}

static void read_build(struct spec_parser *p, yaml_node_t *node, struct build_spec *b)
{
	yaml_node_t *vals[B_NKEYS] = {NULL};

	if (node->type != YAML_MAPPING_NODE) {
		spec_type_error(p, node, "build", "a mapping");
		return;
	}
	spec_map_fields(p, node, "build", build_keys, B_NKEYS, vals);
	if (vals[B_FILES] &&
	    spec_get_string_list(p, vals[B_FILES], "build.files", &b->files) == 0) {
		for (size_t i = 0; i < b->files.n; i++)
			check_build_file(p, vals[B_FILES], b->files.v[i]);
	}
	if (vals[B_COMMAND] &&
	    spec_get_string(p, vals[B_COMMAND], "build.command", &b->command) == 0 &&
	    !b->command[strspn(b->command, " \t\n")])
		spec_error(p, vals[B_COMMAND], "'build.command' is empty");
	if (vals[B_TIMEOUT])
		spec_get_duration(p, vals[B_TIMEOUT], "build.timeout", false, &b->timeout_ms);
}

static void read_defaults(struct spec_parser *p, yaml_node_t *node, struct spec_settings *def)
{
	yaml_node_t *vals[SET_NKEYS] = {NULL};

	if (node->type != YAML_MAPPING_NODE) {
		spec_type_error(p, node, "defaults", "a mapping");
		return;
	}
	spec_map_fields(p, node, "defaults", spec_setting_keys, SET_NKEYS, vals);
	spec_read_settings(p, vals, def);
}

static void check_unique_names(struct spec_parser *p, yaml_node_t *tests, struct spec *spec)
{
	for (size_t i = 1; i < spec->ntests; i++) {
		for (size_t j = 0; j < i && spec->tests[i].name; j++) {
			if (!spec->tests[j].name ||
			    strcmp(spec->tests[i].name, spec->tests[j].name))
				continue;
			yaml_node_t *node = spec_node(p, tests->data.sequence.items.start[i]);
			spec_error(p, spec_map_get(p, node, "name"),
				   "duplicate test name '%s' (first defined at line %d)",
				   spec->tests[i].name, spec->tests[j].line);
			break;
		}
	}
}

static void read_tests(struct spec_parser *p, yaml_node_t *node, const struct spec_settings *def,
		       struct spec *spec)
{
	size_t n;

	if (node->type != YAML_SEQUENCE_NODE) {
		spec_type_error(p, node, "tests", "a list of tests");
		return;
	}
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (!n) {
		spec_error(p, node, "'tests' is empty: add at least one test");
		return;
	}
	spec->tests = xcalloc(n, sizeof(*spec->tests));
	for (spec->ntests = 0; spec->ntests < n; spec->ntests++)
		spec_read_test(p, spec_node(p, node->data.sequence.items.start[spec->ntests]),
			       spec->ntests, def, &spec->tests[spec->ntests]);
	check_unique_names(p, node, spec);
}

static void read_top(struct spec_parser *p, yaml_node_t *root, struct spec *spec)
{
	yaml_node_t *vals[TOP_NKEYS] = {NULL};
	struct spec_settings def;

	spec_settings_init(&def);
	spec_map_fields(p, root, "the spec", top_keys, TOP_NKEYS, vals);
	if (!vals[TOP_ASSIGNMENT])
		spec_error(p, root, "missing required key 'assignment'");
	else if (spec_get_string(p, vals[TOP_ASSIGNMENT], "assignment", &spec->assignment) == 0 &&
		 !is_id(spec->assignment))
		spec_error(p, vals[TOP_ASSIGNMENT],
			   "bad assignment id '%s': use lowercase letters, digits, _ and -",
			   spec->assignment);
	if (vals[TOP_TITLE])
		spec_get_string(p, vals[TOP_TITLE], "title", &spec->title);
	if (vals[TOP_BUILD])
		read_build(p, vals[TOP_BUILD], &spec->build);
	if (!spec->build.command)
		spec->build.command = xstrdup(SPEC_DEFAULT_BUILD_COMMAND);
	if (vals[TOP_DEFAULTS])
		read_defaults(p, vals[TOP_DEFAULTS], &def);
	if (!vals[TOP_TESTS])
		spec_error(p, root, "missing required key 'tests'");
	else
		read_tests(p, vals[TOP_TESTS], &def, spec);
	spec_settings_release(&def);
}

/* "PATH:LINE:COL: ..." -> LINE * 2^20 + COL, for ordering; every message here has a mark. */
static long long position(const char *message, size_t path_len)
{
	char *end;
	long long line = strtoll(message + path_len + 1, &end, 10);
	long long col = strtoll(end + 1, NULL, 10);

	return (line << 20) + col;
}

/*
 * The readers report key by key in the order they look at things; the
 * instructor reads the file top to bottom.  Insertion sort: stable (two
 * complaints about one node keep their order) and the list is short.
 */
static void sort_errors(struct strvec *errors, size_t from, const char *path)
{
	size_t path_len = strlen(path);

	for (size_t i = from + 1; i < errors->n; i++) {
		char *message = errors->v[i];
		long long key = position(message, path_len);
		size_t j = i;

		for (; j > from && position(errors->v[j - 1], path_len) > key; j--)
			errors->v[j] = errors->v[j - 1];
		errors->v[j] = message;
	}
}

static void empty_or_not_a_mapping(struct spec_parser *p, yaml_node_t *root)
{
	struct strbuf got = STRBUF_INIT;

	if (!root || spec_is_null(root)) {
		spec_error(p, NULL, "the spec is empty");
		return;
	}
	spec_describe(root, &got);
	spec_error(
	    p, root,
	    "the spec must be a mapping of keys (assignment, build, defaults, tests), got %s",
	    got.buf);
	strbuf_release(&got);
}

/* Parses text (the whole file) into a spec; NULL when any error was recorded. */
static struct spec *parse_spec(struct spec_parser *p, const struct strbuf *text)
{
	struct spec *spec = NULL;
	yaml_parser_t parser;
	yaml_node_t *root;
	bool parser_ready, loaded = false;

	parser_ready = yaml_parser_initialize(&parser);
	if (!parser_ready) {
		spec_error(p, NULL, "cannot start the YAML parser: out of memory");
		goto out;
	}
	/* An empty file leaves text->buf NULL, which libyaml asserts against. */
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text->buf ? text->buf : ""),
				     text->len);
	if (!yaml_parser_load(&parser, &p->doc)) {
		syntax_error(p, &parser, text);
		goto out;
	}
	loaded = true;
	root = yaml_document_get_root_node(&p->doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		empty_or_not_a_mapping(p, root);
		if (root && !spec_is_null(root))
			check_single_document(p, &parser, text);
		goto out;
	}
	check_single_document(p, &parser, text);

	spec = xcalloc(1, sizeof(*spec));
	spec->path = xstrdup(p->path);
	spec->dir = xstrdup(p->dir);
	strvec_init(&spec->build.files);
	spec->build.timeout_ms = -1;
	read_top(p, root, spec);
	if (spec->build.timeout_ms < 0)
		spec->build.timeout_ms = SPEC_DEFAULT_BUILD_TIMEOUT_MS;
	if (p->nerrors) {
		spec_free(spec);
		spec = NULL;
	}
out:
	if (loaded)
		yaml_document_delete(&p->doc);
	if (parser_ready)
		yaml_parser_delete(&parser);
	return spec;
}

struct spec *spec_load(const char *path, struct strvec *errors)
{
	struct spec_parser p = {.errors = errors};
	struct strbuf text = STRBUF_INIT;
	struct spec *spec = NULL;
	char *file, *dir = NULL, *slash;
	size_t first_error = errors->n;

	/* A folder stands for its spec.yaml, and messages name that file. */
	file = path_is_dir(path) ? path_join(path, "spec.yaml") : xstrdup(path);
	p.path = file;
	if (read_file(file, &text) < 0) {
		strvec_push(errors, error_last());
		goto out;
	}
	dir = realpath(file, NULL);
	if (!dir) {
		strvec_pushf(errors, "%s: %s", file, strerror(errno));
		goto out;
	}
	slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	p.dir = dir;
	spec = parse_spec(&p, &text);
	sort_errors(errors, first_error, file);
out:
	strbuf_release(&text);
	free(dir);
	free(file);
	return spec;
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	for (size_t i = 0; i < spec->ntests; i++)
		spec_test_release(&spec->tests[i]);
	free(spec->tests);
	strvec_clear(&spec->build.files);
	free(spec->build.command);
	free(spec->assignment);
	free(spec->title);
	free(spec->dir);
	free(spec->path);
	free(spec);
}

int spec_keep_tests(struct spec *spec, const struct strvec *names)
{
	if (names->n == 0)
		return 0;
	bool *keep = xcalloc(spec->ntests, sizeof(*keep));
	for (size_t n = 0; n < names->n; n++) {
		size_t i = 0;
		while (i < spec->ntests && strcmp(spec->tests[i].name, names->v[n]))
			i++;
		if (i == spec->ntests) {
			free(keep);
			return error("no test named \"%s\"", names->v[n]);
		}
		keep[i] = true;
	}
	size_t kept = 0;
	for (size_t i = 0; i < spec->ntests; i++) {
		if (keep[i])
			spec->tests[kept++] = spec->tests[i];
		else
			spec_test_release(&spec->tests[i]);
	}
	spec->ntests = kept;
	free(keep);
	return 0;
}

double spec_max_score(const struct spec *spec)
{
	double total = 0;

	for (size_t i = 0; i < spec->ntests; i++)
		total += spec->tests[i].points;
	return total;
}
