/*
 * spec_internal: what the files of the spec module share (spec.c loads the
 * file and the top level, spec_node.c reads typed values out of libyaml
 * nodes, spec_testcase.c reads tests and processes, spec_expect.c what a
 * process is expected to do).  Nothing
 * outside spec*.c includes this header: libyaml types stay in the module.
 *
 * Every reader below reports its own problems with spec_error() and returns
 * -1; the caller keeps going with the next key, so that one run of
 * `grader validate` lists every mistake in the file.
 */
#ifndef GRADER_SPEC_INTERNAL_H
#define GRADER_SPEC_INTERNAL_H

#include <yaml.h>

#include "spec.h"

struct spec_parser {
	yaml_document_t doc;
	const char *path; /* as the user gave it, for messages */
	const char *dir;  /* absolute folder of the spec, for fixture paths */
	struct strvec *errors;
	size_t nerrors;
};

/* Pushes "PATH:LINE:COL: message" at node's start (1:1 when node is NULL); returns -1. */
int spec_error(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same at a mark (a document start, a syntax error) rather than a node. */
int spec_error_mark(struct spec_parser *p, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Pushes "PATH:LINE:COL: warning: message" at node's start: something that
 * is allowed but cannot be what was meant.  The load still succeeds.
 */
void spec_warning(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

yaml_node_t *spec_node(struct spec_parser *p, int id);
int spec_line(const yaml_node_t *node);
/* The scalar's text, or NULL when node is not a scalar. */
const char *spec_scalar(const yaml_node_t *node);
/* A plain ~, null or empty scalar (quoted "null" is a string). */
bool spec_is_null(const yaml_node_t *node);
/* Appends "a mapping", "a sequence", "null" or the scalar in quotes (shortened). */
void spec_describe(const yaml_node_t *node, struct strbuf *sb);
/* "'limits' must be a mapping, got a sequence"; returns -1. */
int spec_type_error(struct spec_parser *p, const yaml_node_t *node, const char *key,
		    const char *want);

/*
 * Reads the mapping `map` whose keys must be among keys[0..nkeys): vals[i]
 * is set to the value of keys[i] or left NULL.  Reports duplicate keys and
 * unknown ones (with a did-you-mean), and follows YAML merge keys
 * (`<<: *anchor`), whose entries count only where the mapping has none.
 * Keys starting with "x-" are skipped: they are where a spec keeps anchors.
 * `where` names the mapping in messages ("test 'x'", "cleanup").
 */
int spec_map_fields(struct spec_parser *p, yaml_node_t *map, const char *where,
		    const char *const *keys, size_t nkeys, yaml_node_t **vals);
/* The value of key in map (no checks), or NULL. */
yaml_node_t *spec_map_get(struct spec_parser *p, yaml_node_t *map, const char *key);
/* Index of the candidate closest to word (Levenshtein <= 2), or n when none is. */
size_t spec_suggest(const char *word, const char *const *candidates, size_t n);

/* Typed readers: key names the value in messages ("timeout", "limits.cpu"). */
int spec_get_string(struct spec_parser *p, yaml_node_t *node, const char *key, char **out);
int spec_get_number(struct spec_parser *p, yaml_node_t *node, const char *key, double *out);
int spec_get_int(struct spec_parser *p, yaml_node_t *node, const char *key, long long min,
		 long long max, long long *out);
int spec_get_bool(struct spec_parser *p, yaml_node_t *node, const char *key, bool *out);
/* A duration in ms; zero is accepted only when allow_zero. */
int spec_get_duration(struct spec_parser *p, yaml_node_t *node, const char *key, bool allow_zero,
		      long long *ms);
int spec_get_size(struct spec_parser *p, yaml_node_t *node, const char *key, bool allow_zero,
		  long long *bytes);
/* A sequence of strings, or one string standing for a sequence of one; appended to out. */
int spec_get_string_list(struct spec_parser *p, yaml_node_t *node, const char *key,
			 struct strvec *out);
/*
 * A fixture path relative to the spec's folder that must exist (and be a
 * regular file when want_file); *abs is set to its absolute path.
 */
int spec_get_fixture(struct spec_parser *p, yaml_node_t *node, const char *key, bool want_file,
		     char **abs);

/*
 * Splits a command line into words as a POSIX shell would, without any
 * expansion.  Returns 0, or -1 with the reason appended to why, phrased to
 * follow "'run' " (unterminated quote, an operator that needs a shell, no
 * words).
 */
int spec_split_words(const char *line, struct strvec *words, struct strbuf *why);

/*
 * Settings a test can inherit from `defaults`; "unset" is -1 (or false
 * for the *_set flags) so that merging can tell "not given" from a value.
 */
enum setting_key {
	SET_TIMEOUT,
	SET_LIMITS,
	SET_CLEANUP,
	SET_POINTS,
	SET_HIDDEN,
	SET_ENV,
	SET_TRACE,
	SET_REPEAT,
	SET_PERTURB,
	SET_REPEAT_ALL,
	SET_NKEYS,
};

struct spec_settings {
	long long timeout_ms;
	struct limits_spec limits;
	int cleanup[4]; /* enum cleanup_value, in the order ipc, zombies, orphans, fds */
	double points;
	bool points_set;
	int hidden;
	int perturb;
	int repeat;
	int repeat_all;
	struct env_var *env;
	size_t nenv;
	bool require_set, forbid_set;
	struct strvec require, forbid;
	unsigned long *require_min; /* parallel to require: at least this many calls */
};

/* The key names of spec_settings, indexed by enum setting_key. */
extern const char *const spec_setting_keys[SET_NKEYS];

void spec_settings_init(struct spec_settings *s);
void spec_settings_release(struct spec_settings *s);
/* Reads the setting keys of vals (indexed by enum setting_key) into s. */
int spec_read_settings(struct spec_parser *p, yaml_node_t *const *vals, struct spec_settings *s);

/* Reads one entry of `tests:` (index is 0-based) into t, merging defaults. */
/* The keys of `expect` (of one process), for suggestions. */
#define SPEC_EXPECT_NKEYS 4
extern const char *const spec_expect_keys[SPEC_EXPECT_NKEYS];

/* Reads `expect` (of one process) into e: exit, signal, stdout, stderr. */
int spec_read_expect(struct spec_parser *p, yaml_node_t *node, struct expect_spec *e);

int spec_read_test(struct spec_parser *p, yaml_node_t *node, size_t index,
		   const struct spec_settings *defaults, struct test_spec *t);
void spec_test_release(struct test_spec *t);

#endif
