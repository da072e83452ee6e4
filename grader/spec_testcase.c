/*
 * spec_testcase: one entry of `tests:` — its settings (merged with
 * `defaults`), its processes and their command lines; what each is
 * expected to do is read by spec_expect.c.
 *
 * A single-program test becomes one process named "main" so that the
 * runner has one shape to deal with; `multi` remembers which form was
 * written, because check names differ ("stdout" vs "server.stdout").
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "trace.h"

#define SETTING_KEY_NAMES                                                                          \
	[SET_TIMEOUT] = "timeout", [SET_LIMITS] = "limits", [SET_CLEANUP] = "cleanup",             \
	[SET_POINTS] = "points", [SET_HIDDEN] = "hidden", [SET_ENV] = "env",                       \
	[SET_TRACE] = "trace", [SET_REPEAT] = "repeat", [SET_PERTURB] = "perturb",               \
	[SET_REPEAT_ALL] = "repeat_all"

const char *const spec_setting_keys[SET_NKEYS] = {SETTING_KEY_NAMES};

/* A test's keys: its settings (same indices as enum setting_key), then its own. */
enum test_key {
	T_NAME = SET_NKEYS,
	T_RUN,
	T_ARGS,
	T_STDIN,
	T_STDIN_FILE,
	T_FILES,
	T_EXPECT,
	T_PROCESSES,
	T_TTY,
	T_NKEYS,
};

static const char *const test_keys[T_NKEYS] = {
    [T_NAME] = "name",	 SETTING_KEY_NAMES,	[T_RUN] = "run",
    [T_ARGS] = "args",	 [T_STDIN] = "stdin",	[T_STDIN_FILE] = "stdin_file",
    [T_FILES] = "files", [T_EXPECT] = "expect", [T_PROCESSES] = "processes",
    [T_TTY] = "tty",
};

enum process_key { P_NAME, P_RUN, P_ARGS, P_STDIN, P_STDIN_FILE, P_READY, P_TTY, P_NKEYS };
static const char *const process_keys[P_NKEYS] = {"name",  "run",	 "args", "stdin",
						  "stdin_file", "ready", "tty"};

enum limit_key { L_CPU, L_MEMORY, L_PROCESSES, L_OUTPUT, L_OPEN_FILES, L_NKEYS };
static const char *const limit_keys[L_NKEYS] = {"cpu", "memory", "processes", "output",
						"open_files"};

static const char *const cleanup_keys[4] = {"ipc", "zombies", "orphans", "fds"};
/* What each cleanup key calls its CLEANUP_REQUIRED value. */
static const char *const cleanup_required[4] = {"removed", "none", "none", "closed"};

static const char *const trace_keys[2] = {"require", "forbid"};
static const char *const ready_keys[4] = {"stdout", "ipc", "delay", "exit"};

static bool all_chars_in(const char *s, const char *accept)
{
	return *s && strspn(s, accept) == strlen(s);
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define NAME_CHARS LOWER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-"

void spec_settings_init(struct spec_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->timeout_ms = -1;
	s->limits = (struct limits_spec){-1, -1, -1, -1, -1};
	for (size_t i = 0; i < ARRAY_SIZE(s->cleanup); i++)
		s->cleanup[i] = -1;
	s->hidden = s->perturb = s->repeat = s->repeat_all = -1;
	strvec_init(&s->require);
	strvec_init(&s->forbid);
}

static void env_free(struct env_var *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(env[i].name);
		free(env[i].value);
	}
	free(env);
}

void spec_settings_release(struct spec_settings *s)
{
	env_free(s->env, s->nenv);
	strvec_clear(&s->require);
	free(s->require_min);
	s->require_min = NULL;
	strvec_clear(&s->forbid);
	s->env = NULL;
	s->nenv = 0;
}

static int read_limits(struct spec_parser *p, yaml_node_t *node, struct limits_spec *l)
{
	yaml_node_t *vals[L_NKEYS] = {NULL};
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "limits", "a mapping");
	ret = spec_map_fields(p, node, "limits", limit_keys, L_NKEYS, vals);
	if (vals[L_CPU] && spec_get_duration(p, vals[L_CPU], "limits.cpu", false, &l->cpu_ms) < 0)
		ret = -1;
	if (vals[L_MEMORY] &&
	    spec_get_size(p, vals[L_MEMORY], "limits.memory", false, &l->memory) < 0)
		ret = -1;
	if (vals[L_PROCESSES] &&
	    spec_get_int(p, vals[L_PROCESSES], "limits.processes", 1, INT_MAX, &l->processes) < 0)
		ret = -1;
	/* output: 0 is meaningful: capture nothing, so any output at all fails the test. */
	if (vals[L_OUTPUT] &&
	    spec_get_size(p, vals[L_OUTPUT], "limits.output", true, &l->output) < 0)
		ret = -1;
	if (vals[L_OPEN_FILES] && spec_get_int(p, vals[L_OPEN_FILES], "limits.open_files", 1,
					       INT_MAX, &l->open_files) < 0)
		ret = -1;
	return ret;
}

static int read_cleanup(struct spec_parser *p, yaml_node_t *node, int *cleanup)
{
	yaml_node_t *vals[4] = {NULL};
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "cleanup", "a mapping");
	ret = spec_map_fields(p, node, "cleanup", cleanup_keys, 4, vals);
	for (size_t i = 0; i < 4; i++) {
		const char *text = spec_scalar(vals[i]);
		if (!vals[i])
			continue;
		if (text && !strcmp(text, cleanup_required[i]))
			cleanup[i] = CLEANUP_REQUIRED;
		else if (text && !strcmp(text, "ignore"))
			cleanup[i] = CLEANUP_IGNORE;
		else
			ret = spec_error(
			    p, vals[i], "bad value '%s' for cleanup.%s: use '%s' or 'ignore'",
			    text ? text : "(not a word)", cleanup_keys[i], cleanup_required[i]);
	}
	return ret;
}

/* Environment values are taken as written, so PORT: 8080 gives "8080". */
static int read_env(struct spec_parser *p, yaml_node_t *node, struct spec_settings *s)
{
	int ret = 0;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "env", "a mapping of names to values");
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = spec_node(p, pair->key), *value = spec_node(p, pair->value);
		const char *name = spec_scalar(key);
		size_t i;

		if (!name || !all_chars_in(name, NAME_CHARS) || strchr("0123456789", name[0]) ||
		    strchr(name, '-')) {
			ret = spec_error(
			    p, key,
			    "bad environment variable name in 'env': use letters, digits and _");
			continue;
		}
		if (!spec_scalar(value)) {
			ret = spec_type_error(p, value, "env", "a mapping of names to strings");
			continue;
		}
		for (i = 0; i < s->nenv && strcmp(s->env[i].name, name); i++)
			;
		if (i < s->nenv) {
			ret = spec_error(p, key, "duplicate key '%s' in 'env'", name);
			continue;
		}
		s->env = xrealloc(s->env, (s->nenv + 1) * sizeof(*s->env));
		s->env[s->nenv].name = xstrdup(name);
		s->env[s->nenv++].value = xstrdup(spec_scalar(value));
	}
	return ret;
}

static int check_trace_name(struct spec_parser *p, yaml_node_t *node, const char *key,
			    const char *name)
{
	if (!all_chars_in(name, LOWER_DIGITS "_") || !trace_name_known(name))
		return spec_error(
		    p, node, "unknown system call '%s' in '%s': use names such as pipe, fork, execve",
		    name, key);
	return 0;
}

static int read_trace_names(struct spec_parser *p, yaml_node_t *node, const char *key,
			    struct strvec *names)
{
	size_t first = names->n;
	int ret = spec_get_string_list(p, node, key, names);

	for (size_t i = first; i < names->n; i++)
		if (check_trace_name(p, node, key, names->v[i]) < 0)
			ret = -1;
	return ret;
}

static void add_required(struct spec_settings *s, const char *name, unsigned long count)
{
	strvec_push(&s->require, name);
	s->require_min = xrealloc(s->require_min, s->require.n * sizeof(*s->require_min));
	s->require_min[s->require.n - 1] = count;
}

/* An entry {name: count} of trace.require (one mapping may name several). */
static int read_trace_counts(struct spec_parser *p, yaml_node_t *map, struct spec_settings *s)
{
	int ret = 0;

	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = spec_node(p, pair->key), *value = spec_node(p, pair->value);
		const char *name = spec_scalar(key);
		long long count;

		if (!name || spec_is_null(key)) {
			ret = spec_type_error(p, key, "trace.require",
					      "a list of names or {name: count}");
			continue;
		}
		char *where = xasprintf("trace.require.%s", name);
		if (check_trace_name(p, key, "trace.require", name) < 0 ||
		    spec_get_int(p, value, where, 1, INT_MAX, &count) < 0)
			ret = -1;
		else
			add_required(s, name, (unsigned long)count);
		free(where);
	}
	return ret;
}

/*
 * trace.require: a name, or a list whose entries are names (called at
 * least once) or {name: count} (called at least count times).
 */
static int read_trace_require(struct spec_parser *p, yaml_node_t *node, struct spec_settings *s)
{
	const char *name = spec_scalar(node);
	int ret = 0;

	if (name && !spec_is_null(node)) {
		if (check_trace_name(p, node, "trace.require", name) < 0)
			return -1;
		add_required(s, name, 1);
		return 0;
	}
	if (node->type != YAML_SEQUENCE_NODE)
		return spec_type_error(p, node, "trace.require", "a list of names or {name: count}");
	for (yaml_node_item_t *item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *entry = spec_node(p, *item);
		name = spec_scalar(entry);
		if (entry->type == YAML_MAPPING_NODE) {
			if (read_trace_counts(p, entry, s) < 0)
				ret = -1;
		} else if (!name || spec_is_null(entry)) {
			struct strbuf got = STRBUF_INIT;
			spec_describe(entry, &got);
			ret = spec_error(p, entry,
					 "'trace.require' entries must be names or {name: count}, "
					 "got %s",
					 got.buf);
			strbuf_release(&got);
		} else if (check_trace_name(p, node, "trace.require", name) < 0) {
			ret = -1;
		} else {
			add_required(s, name, 1);
		}
	}
	return ret;
}

static int read_trace(struct spec_parser *p, yaml_node_t *node, struct spec_settings *s)
{
	yaml_node_t *vals[2] = {NULL};
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "trace",
				       "a mapping {require: [...], forbid: [...]}");
	ret = spec_map_fields(p, node, "trace", trace_keys, 2, vals);
	if (vals[0]) {
		s->require_set = true;
		if (read_trace_require(p, vals[0], s) < 0)
			ret = -1;
	}
	if (vals[1]) {
		s->forbid_set = true;
		if (read_trace_names(p, vals[1], "trace.forbid", &s->forbid) < 0)
			ret = -1;
	}
	return ret;
}

int spec_read_settings(struct spec_parser *p, yaml_node_t *const *vals, struct spec_settings *s)
{
	size_t before = p->nerrors;
	bool flag;
	long long n;

	if (vals[SET_TIMEOUT])
		spec_get_duration(p, vals[SET_TIMEOUT], "timeout", false, &s->timeout_ms);
	if (vals[SET_LIMITS])
		read_limits(p, vals[SET_LIMITS], &s->limits);
	if (vals[SET_CLEANUP])
		read_cleanup(p, vals[SET_CLEANUP], s->cleanup);
	if (vals[SET_POINTS] && spec_get_number(p, vals[SET_POINTS], "points", &s->points) == 0) {
		if (s->points < 0)
			spec_error(p, vals[SET_POINTS], "'points' must not be negative, got '%s'",
				   spec_scalar(vals[SET_POINTS]));
		s->points_set = true;
	}
	if (vals[SET_HIDDEN] && spec_get_bool(p, vals[SET_HIDDEN], "hidden", &flag) == 0)
		s->hidden = flag;
	if (vals[SET_PERTURB] && spec_get_bool(p, vals[SET_PERTURB], "perturb", &flag) == 0)
		s->perturb = flag;
	if (vals[SET_REPEAT] && spec_get_int(p, vals[SET_REPEAT], "repeat", 1, INT_MAX, &n) == 0)
		s->repeat = (int)n;
	if (vals[SET_REPEAT_ALL] &&
	    spec_get_bool(p, vals[SET_REPEAT_ALL], "repeat_all", &flag) == 0)
		s->repeat_all = flag;
	if (vals[SET_ENV])
		read_env(p, vals[SET_ENV], s);
	if (vals[SET_TRACE])
		read_trace(p, vals[SET_TRACE], s);
	return p->nerrors > before ? -1 : 0;
}

/* Takes the test's own value, else the default, else the built-in value. */
#define PICK(own, def, builtin) ((own) >= 0 ? (own) : (def) >= 0 ? (def) : (builtin))

static void merge_env(struct test_spec *t, const struct spec_settings *from)
{
	for (size_t i = 0; i < from->nenv; i++) {
		size_t j;
		for (j = 0; j < t->nenv && strcmp(t->env[j].name, from->env[i].name); j++)
			;
		if (j == t->nenv) {
			t->env = xrealloc(t->env, (t->nenv + 1) * sizeof(*t->env));
			t->env[t->nenv++].name = xstrdup(from->env[i].name);
		} else {
			free(t->env[j].value);
		}
		t->env[j].value = xstrdup(from->env[i].value);
	}
}

static void merge_settings(struct test_spec *t, const struct spec_settings *own,
			   const struct spec_settings *def)
{
	t->timeout_ms = PICK(own->timeout_ms, def->timeout_ms, SPEC_DEFAULT_TIMEOUT_MS);
	t->limits.cpu_ms = PICK(own->limits.cpu_ms, def->limits.cpu_ms, SPEC_DEFAULT_CPU_MS);
	t->limits.memory = PICK(own->limits.memory, def->limits.memory, SPEC_DEFAULT_MEMORY);
	t->limits.processes =
	    PICK(own->limits.processes, def->limits.processes, SPEC_DEFAULT_PROCESSES);
	t->limits.output = PICK(own->limits.output, def->limits.output, SPEC_DEFAULT_OUTPUT);
	t->limits.open_files =
	    PICK(own->limits.open_files, def->limits.open_files, SPEC_DEFAULT_OPEN_FILES);
	t->cleanup.ipc = PICK(own->cleanup[0], def->cleanup[0], CLEANUP_IGNORE);
	t->cleanup.zombies = PICK(own->cleanup[1], def->cleanup[1], CLEANUP_IGNORE);
	t->cleanup.orphans = PICK(own->cleanup[2], def->cleanup[2], CLEANUP_IGNORE);
	t->cleanup.fds = PICK(own->cleanup[3], def->cleanup[3], CLEANUP_IGNORE);
	t->points = own->points_set ? own->points : def->points_set ? def->points : 1;
	t->hidden = PICK(own->hidden, def->hidden, 0);
	t->perturb = PICK(own->perturb, def->perturb, 0);
	t->repeat = PICK(own->repeat, def->repeat, 1);
	t->repeat_all = PICK(own->repeat_all, def->repeat_all, 0);
	merge_env(t, def);
	merge_env(t, own);
	/* require and forbid are replaced, not joined, so that a test can lift a default. */
	const struct spec_settings *require = own->require_set ? own : def;
	strvec_pushv(&t->trace_require, (const char *const *)require->require.v);
	t->trace_require_min = xcalloc(require->require.n + 1, sizeof(*t->trace_require_min));
	if (require->require.n)
		memcpy(t->trace_require_min, require->require_min,
		       require->require.n * sizeof(*t->trace_require_min));
	strvec_pushv(&t->trace_forbid,
		     (const char *const *)(own->forbid_set ? own->forbid.v : def->forbid.v));
}

int spec_split_words(const char *s, struct strvec *words, struct strbuf *why)
{
	struct strbuf word = STRBUF_INIT;
	bool in_word = false;
	int ret = -1;
	char c;

	while ((c = *s++)) {
		if (strchr(" \t\n", c)) {
			if (in_word)
				strvec_push(words, word.buf);
			strbuf_reset(&word);
			in_word = false;
		} else if (c == '\\') {
			if (!*s) {
				strbuf_addstr(why, "ends with a lone backslash");
				goto out;
			}
			/* Backslash-newline joins lines and is not itself part of a word. */
			if (*s != '\n') {
				strbuf_addch(&word, *s);
				in_word = true;
			}
			s++;
		} else if (c == '\'') {
			const char *end = strchr(s, '\'');
			if (!end) {
				strbuf_addstr(why, "has an unterminated single quote");
				goto out;
			}
			strbuf_add(&word, s, (size_t)(end - s));
			s = end + 1;
			in_word = true;
		} else if (c == '"') {
			for (in_word = true; (c = *s++) != '"';) {
				if (!c) {
					strbuf_addstr(why, "has an unterminated double quote");
					goto out;
				}
				if (c == '$' || c == '`')
					goto needs_shell;
				/* POSIX: inside "...", backslash escapes only $ ` " \ and newline.
				 */
				if (c == '\\' && *s && strchr("$`\"\\\n", *s)) {
					if (*s != '\n')
						strbuf_addch(&word, *s);
					s++;
					continue;
				}
				strbuf_addch(&word, c);
			}
		} else if (strchr("|&;<>()$`", c)) {
			goto needs_shell;
		} else {
			strbuf_addch(&word, c);
			in_word = true;
		}
	}
	if (in_word)
		strvec_push(words, word.buf);
	if (!words->n) {
		strbuf_addstr(why, "has no command in it");
		goto out;
	}
	ret = 0;
	goto out;
needs_shell:
	strbuf_addf(why,
		    "uses '%c', which needs a shell, but no shell runs the command: quote or "
		    "backslash it to pass it literally, or write run: [sh, -c, \"...\"]",
		    c);
out:
	strbuf_release(&word);
	return ret;
}

/* run (a string split like a shell would, or a list) followed by args. */
static int read_command(struct spec_parser *p, yaml_node_t *run, yaml_node_t *args,
			struct strvec *argv)
{
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (spec_scalar(run) && !spec_is_null(run)) {
		if (spec_split_words(spec_scalar(run), argv, &why) < 0)
			ret = spec_error(p, run, "'run' %s", why.buf);
	} else if (run->type == YAML_SEQUENCE_NODE) {
		ret = spec_get_string_list(p, run, "run", argv);
		if (!ret && !argv->n)
			ret = spec_error(p, run, "'run' is an empty list: name the program to run");
	} else {
		ret = spec_type_error(p, run, "run", "a command line or a list of words");
	}
	if (args && args->type != YAML_SEQUENCE_NODE)
		ret = spec_type_error(p, args, "args", "a list of strings");
	else if (args && spec_get_string_list(p, args, "args", argv) < 0)
		ret = -1;
	strbuf_release(&why);
	return ret;
}

static int read_stdin(struct spec_parser *p, yaml_node_t *data, yaml_node_t *file,
		      struct process_spec *proc)
{
	if (data && file)
		return spec_error(p, file, "give 'stdin' or 'stdin_file', not both");
	if (data) {
		if (!spec_scalar(data) || spec_is_null(data))
			return spec_type_error(p, data, "stdin", "a string");
		/* The length, not strlen: YAML's "\0" escape can put NUL bytes in it. */
		proc->stdin_len = data->data.scalar.length;
		proc->stdin_data = xmemdup0(data->data.scalar.value, proc->stdin_len);
	}
	if (file)
		return spec_get_fixture(p, file, "stdin_file", true, &proc->stdin_file);
	return 0;
}

static int read_ready(struct spec_parser *p, yaml_node_t *node, struct ready_spec *r)
{
	yaml_node_t *vals[4] = {NULL};
	const char *text;
	bool flag;
	int given;

	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "ready", "a mapping such as {stdout: \"ready\"}");
	if (spec_map_fields(p, node, "ready", ready_keys, 4, vals) < 0)
		return -1;
	given = !!vals[0] + !!vals[1] + !!vals[2] + !!vals[3];
	if (given != 1)
		return spec_error(
		    p, node, "'ready' takes exactly one of stdout, ipc, delay or exit, got %d", given);
	if (vals[0]) {
		r->kind = READY_STDOUT;
		if (spec_get_string(p, vals[0], "ready.stdout", &r->text) < 0)
			return -1;
		if (!*r->text)
			return spec_error(p, vals[0],
					  "'ready.stdout' is empty: give the text to wait for");
	} else if (vals[1]) {
		text = spec_scalar(vals[1]);
		if (!text || strcmp(text, "shm"))
			return spec_error(p, vals[1], "bad value '%s' for ready.ipc: use 'shm'",
					  text ? text : "(not a word)");
		r->kind = READY_IPC_SHM;
	} else if (vals[2]) {
		r->kind = READY_DELAY;
		return spec_get_duration(p, vals[2], "ready.delay", true, &r->delay_ms);
	} else {
		if (spec_get_bool(p, vals[3], "ready.exit", &flag) < 0)
			return -1;
		if (!flag)
			return spec_error(p, vals[3],
					  "'ready.exit' can only be true: leave 'ready' out to start "
					  "the next process at once");
		r->kind = READY_EXIT;
	}
	return 0;
}

static void process_release(struct process_spec *proc)
{
	free(proc->name);
	strvec_clear(&proc->argv);
	free(proc->stdin_data);
	free(proc->stdin_file);
	free(proc->ready.text);
	free(proc->expect.out.text);
	free(proc->expect.out.file);
	free(proc->expect.err.text);
	free(proc->expect.err.file);
}

static int read_process(struct spec_parser *p, yaml_node_t *node, size_t index,
			struct process_spec *proc)
{
	yaml_node_t *vals[P_NKEYS] = {NULL};
	size_t before = p->nerrors;

	proc->line = spec_line(node);
	if (node->type != YAML_MAPPING_NODE)
		return spec_type_error(p, node, "processes", "a list of mappings {name, run, ...}");
	spec_map_fields(p, node, "a process", process_keys, P_NKEYS, vals);
	if (!vals[P_NAME])
		spec_error(p, node, "process %zu has no 'name'", index + 1);
	else if (spec_get_string(p, vals[P_NAME], "name", &proc->name) == 0 &&
		 !all_chars_in(proc->name, NAME_CHARS))
		spec_error(p, vals[P_NAME], "bad process name '%s': use letters, digits, _ and -",
			   proc->name);
	if (!vals[P_RUN])
		spec_error(p, node, "process %zu has no 'run'", index + 1);
	else
		read_command(p, vals[P_RUN], vals[P_ARGS], &proc->argv);
	read_stdin(p, vals[P_STDIN], vals[P_STDIN_FILE], proc);
	if (vals[P_READY])
		read_ready(p, vals[P_READY], &proc->ready);
	if (vals[P_TTY])
		spec_get_bool(p, vals[P_TTY], "tty", &proc->tty);
	return p->nerrors > before ? -1 : 0;
}

static int read_processes(struct spec_parser *p, yaml_node_t *node, struct test_spec *t)
{
	size_t n, before = p->nerrors;

	if (node->type != YAML_SEQUENCE_NODE)
		return spec_type_error(p, node, "processes", "a list of mappings {name, run, ...}");
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (!n)
		return spec_error(p, node, "'processes' is empty: list at least one");
	t->procs = xcalloc(n, sizeof(*t->procs));
	for (t->nprocs = 0; t->nprocs < n; t->nprocs++) {
		struct process_spec *proc = &t->procs[t->nprocs];
		yaml_node_t *entry = spec_node(p, node->data.sequence.items.start[t->nprocs]);

		strvec_init(&proc->argv);
		if (read_process(p, entry, t->nprocs, proc) < 0 || !proc->name)
			continue;
		for (size_t j = 0; j < t->nprocs; j++) {
			if (t->procs[j].name && !strcmp(t->procs[j].name, proc->name)) {
				spec_error(p, entry,
					   "duplicate process name '%s' (first defined at line %d)",
					   proc->name, t->procs[j].line);
				break;
			}
		}
	}
	return p->nerrors > before ? -1 : 0;
}

/* expect: of a `processes:` test is keyed by process name. */
static int read_multi_expect(struct spec_parser *p, yaml_node_t *node, struct test_spec *t)
{
	const char **names = xcalloc(t->nprocs + 1, sizeof(*names));
	yaml_node_t **seen = xcalloc(t->nprocs, sizeof(*seen));
	struct strbuf list = STRBUF_INIT;
	size_t before = p->nerrors;

	if (node->type != YAML_MAPPING_NODE) {
		spec_type_error(p, node, "expect", "a mapping keyed by process name");
		goto out;
	}
	for (size_t i = 0; i < t->nprocs; i++) {
		names[i] = t->procs[i].name ? t->procs[i].name : "";
		bool listed = false;
		for (size_t j = 0; j < i; j++)
			listed |= !strcmp(names[i], names[j]);
		if (!listed && *names[i])
			strbuf_addf(&list, "%s%s", list.len ? ", " : "", names[i]);
	}
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = spec_node(p, pair->key);
		const char *name = spec_scalar(key);
		size_t i = t->nprocs, near;

		for (i = 0; name && i < t->nprocs && strcmp(name, names[i]); i++)
			;
		if (!name) {
			spec_type_error(p, key, "expect", "keyed by process name");
		} else if (i < t->nprocs && seen[i]) {
			spec_error(p, key, "duplicate key '%s' (first at line %d)", name,
				   spec_line(seen[i]));
		} else if (i < t->nprocs) {
			seen[i] = key;
			spec_read_expect(p, spec_node(p, pair->value), &t->procs[i].expect);
		} else if (spec_suggest(name, spec_expect_keys, SPEC_EXPECT_NKEYS) < SPEC_EXPECT_NKEYS &&
			   spec_suggest(name, names, t->nprocs) == t->nprocs) {
			spec_error(p, key,
				   "'expect' of a test with 'processes' is keyed by process name "
				   "(%s), got '%s'",
				   list.buf, name);
		} else if ((near = spec_suggest(name, names, t->nprocs)) < t->nprocs) {
			spec_error(p, key, "unknown process '%s' in 'expect' — did you mean '%s'?",
				   name, names[near]);
		} else {
			spec_error(p, key, "unknown process '%s' in 'expect' (processes: %s)", name,
				   list.buf);
		}
	}
out:
	strbuf_release(&list);
	free(seen);
	free(names);
	return p->nerrors > before ? -1 : 0;
}

static void read_single(struct spec_parser *p, yaml_node_t *node, yaml_node_t **vals,
			struct test_spec *t)
{
	struct process_spec *proc;

	t->procs = xcalloc(1, sizeof(*t->procs));
	t->nprocs = 1;
	proc = &t->procs[0];
	strvec_init(&proc->argv);
	proc->name = xstrdup("main");
	proc->line = spec_line(node);
	read_command(p, vals[T_RUN], vals[T_ARGS], &proc->argv);
	read_stdin(p, vals[T_STDIN], vals[T_STDIN_FILE], proc);
	if (vals[T_TTY])
		spec_get_bool(p, vals[T_TTY], "tty", &proc->tty);
	if (vals[T_EXPECT])
		spec_read_expect(p, vals[T_EXPECT], &proc->expect);
}

static void read_multi(struct spec_parser *p, yaml_node_t **vals, struct test_spec *t)
{
	static const int per_process[] = {T_ARGS, T_STDIN, T_STDIN_FILE, T_TTY};

	t->multi = true;
	for (size_t i = 0; i < ARRAY_SIZE(per_process); i++) {
		if (vals[per_process[i]])
			spec_error(p, vals[per_process[i]],
				   "'%s' belongs to each process in a test with 'processes': move "
				   "it under the process",
				   test_keys[per_process[i]]);
	}
	read_processes(p, vals[T_PROCESSES], t);
	if (t->nprocs && vals[T_EXPECT])
		read_multi_expect(p, vals[T_EXPECT], t);
}

int spec_read_test(struct spec_parser *p, yaml_node_t *node, size_t index,
		   const struct spec_settings *defaults, struct test_spec *t)
{
	yaml_node_t *vals[T_NKEYS] = {NULL};
	struct spec_settings own;
	size_t before = p->nerrors;
	const char *name = spec_scalar(spec_map_get(p, node, "name"));
	char *where = name ? xasprintf("test '%s'", name) : xasprintf("test %zu", index + 1);

	spec_settings_init(&own);
	strvec_init(&t->trace_require);
	strvec_init(&t->trace_forbid);
	t->line = spec_line(node);
	if (node->type != YAML_MAPPING_NODE) {
		spec_type_error(p, node, "tests", "a list of mappings {name, run, expect, ...}");
		goto out;
	}
	spec_map_fields(p, node, where, test_keys, T_NKEYS, vals);
	if (!vals[T_NAME])
		spec_error(p, node, "test %zu has no 'name'", index + 1);
	else if (spec_get_string(p, vals[T_NAME], "name", &t->name) == 0 && !*t->name)
		spec_error(p, vals[T_NAME], "test %zu has an empty 'name'", index + 1);
	spec_read_settings(p, vals, &own);
	merge_settings(t, &own, defaults);
	/*
	 * A test's own repeat_all asks for a pass rate, which one run cannot
	 * give; in `defaults` it is a policy, and a test run once has no rate.
	 */
	if (own.repeat_all > 0 && t->repeat < 2)
		spec_warning(p, vals[SET_REPEAT_ALL],
			     "'repeat_all' does nothing: %s runs once (give it 'repeat' of 2 or "
			     "more for a pass rate)",
			     where);
	if (vals[T_FILES])
		spec_get_fixture(p, vals[T_FILES], "files", false, &t->files);
	if (vals[T_RUN] && vals[T_PROCESSES])
		spec_error(p, vals[T_PROCESSES], "%s has both 'run' and 'processes': use one",
			   where);
	else if (vals[T_RUN])
		read_single(p, node, vals, t);
	else if (vals[T_PROCESSES])
		read_multi(p, vals, t);
	else
		spec_error(p, node, "%s has neither 'run' nor 'processes': say what to run", where);
out:
	spec_settings_release(&own);
	free(where);
	return p->nerrors > before ? -1 : 0;
}

void spec_test_release(struct test_spec *t)
{
	free(t->name);
	env_free(t->env, t->nenv);
	free(t->files);
	strvec_clear(&t->trace_require);
	free(t->trace_require_min);
	strvec_clear(&t->trace_forbid);
	for (size_t i = 0; i < t->nprocs; i++)
		process_release(&t->procs[i]);
	free(t->procs);
	memset(t, 0, sizeof(*t));
}
