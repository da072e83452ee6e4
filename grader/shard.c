#include "shard.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "util.h"

int shard_parse(const char *text, struct shard *out)
{
	unsigned long v[2];
	const char *p = text;
	for (int i = 0; i < 2; i++) {
		/* strtoul would take " 2", "+2" and "-2" (as a huge number): digits only. */
		if (*p < '0' || *p > '9')
			goto bad;
		char *end;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || v[i] > SHARD_MAX || *end != (i == 0 ? '/' : '\0'))
			goto bad;
		p = end + 1;
	}
	if (v[0] < 1 || v[0] > v[1])
		goto bad;
	out->k = (unsigned)v[0];
	out->n = (unsigned)v[1];
	return 0;
bad:
	return error("--shard wants K/N, the K-th of N parts of the class (1 <= K <= N <= %d), "
		     "not '%s'",
		     SHARD_MAX, text);
}

unsigned shard_index(const char *name, unsigned n)
{
	/* FNV-1a: the same on every host and every version, which the split relies on. */
	uint64_t h = 0xcbf29ce484222325u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3u;
	}
	/* FNV's low bits follow the last byte closely: names differing there would alternate. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebu;
	h ^= h >> 31;
	return (unsigned)(h % n);
}

bool shard_contains(const struct shard *s, const char *name)
{
	return shard_index(name, s->n) == s->k - 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void shard_sort_names(struct strvec *names)
{
	qsort(names->v, names->n, sizeof(*names->v), by_name);
	size_t kept = 0;
	for (size_t i = 0; i < names->n; i++) {
		if (kept && !strcmp(names->v[kept - 1], names->v[i]))
			free(names->v[i]);
		else
			names->v[kept++] = names->v[i];
	}
	names->n = kept;
	names->v[kept] = NULL;
}

/* Why an entry of the root is no student folder; NULL when it is one. */
static const char *not_a_student(const char *path, const char *name)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return "it vanished while the folder was read";
	if (S_ISLNK(st.st_mode))
		return "a symbolic link, not a student folder";
	if (!S_ISDIR(st.st_mode))
		return "not a folder";
	if (name[0] == '.')
		return "a hidden folder (its name begins with a dot)";
	return NULL;
}

int shard_list_class(const char *root, const char *who, struct strvec *dirs)
{
	DIR *d = opendir(root);
	if (!d)
		return error_errno("cannot open %s", root);
	struct dirent *de;
	size_t skipped = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = path_join(root, de->d_name);
		const char *why = not_a_student(path, de->d_name);
		if (why) {
			escape_line(stderr, "grader: %s: skipped %s: %s", who, path, why);
			skipped++;
			free(path);
		} else {
			strvec_push_owned(dirs, path);
		}
	}
	closedir(d);
	if (skipped)
		escape_line(stderr, "grader: %s: skipped %zu entr%s of %s that %s no student folder%s "
				    "(named above)",
			    who, skipped, skipped == 1 ? "y" : "ies", root, skipped == 1 ? "is" : "are",
			    skipped == 1 ? "" : "s");
	/* root/a and root/b share their prefix: sorted paths are sorted names. */
	qsort(dirs->v, dirs->n, sizeof(*dirs->v), by_name);
	return 0;
}

const char *shard_student_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');
	return slash ? slash + 1 : dir;
}

static char *class_dir(const char *report_dir)
{
	return path_join(report_dir, ".grader/class");
}

/* The file name of a class list, "K-of-N"; false for anything else in the folder. */
static bool parse_list_name(const char *name, struct shard *s)
{
	int end = 0;
	return sscanf(name, "%u-of-%u%n", &s->k, &s->n, &end) == 2 && name[end] == '\0';
}

int shard_class_write(const char *report_dir, const struct shard *s, const struct strvec *dirs)
{
	char *dir = class_dir(report_dir);
	char *name = xasprintf("%u-of-%u", s->k, s->n);
	char *path = path_join(dir, name);
	struct strbuf list = STRBUF_INIT;
	strbuf_init(&list);
	int ret = -1;
	for (size_t i = 0; i < dirs->n; i++)
		strbuf_add(&list, shard_student_name(dirs->v[i]),
			   strlen(shard_student_name(dirs->v[i])) + 1);
	if (mkdir_p(dir, 0755) < 0 || write_file_atomic(path, list.buf, list.len) < 0)
		goto out;
	/* Another split's lists would name students of a class that has changed since. */
	DIR *d = opendir(dir);
	if (!d) {
		error_errno("batch: cannot read %s", dir);
		goto out;
	}
	struct dirent *de;
	struct shard other;
	while ((de = readdir(d))) {
		if (!parse_list_name(de->d_name, &other) || other.n == s->n)
			continue;
		char *old = path_join(dir, de->d_name);
		/* Another shard of that split may have removed it first. */
		if (unlink(old) < 0 && errno != ENOENT)
			escape_line(stderr, "grader: batch: cannot remove the old class list %s: %s", old,
				    strerror(errno));
		free(old);
	}
	closedir(d);
	ret = 0;
out:
	strbuf_release(&list);
	free(path);
	free(name);
	free(dir);
	return ret;
}

/* Whether a name read from a class list may name a report file in the folder. */
static bool valid_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int shard_class_read(const char *report_dir, struct strvec *names)
{
	char *dir = class_dir(report_dir);
	int ret = 0;
	DIR *d = opendir(dir);
	if (!d) {
		ret = errno == ENOENT ? 0 : error_errno("cannot read %s", dir);
		free(dir);
		return ret;
	}
	struct dirent *de;
	struct shard s;
	while ((de = readdir(d)) && ret >= 0) {
		/* Not .tmp-XXXXXX: a list being written. */
		if (!parse_list_name(de->d_name, &s))
			continue;
		char *path = path_join(dir, de->d_name);
		struct strbuf sb = STRBUF_INIT;
		strbuf_init(&sb);
		if (read_file(path, &sb) < 0) {
			/* Removed by a batch of another split since the folder was listed: no error. */
			if (path_exists(path))
				ret = -1;
		} else {
			ret++;
			for (size_t at = 0; at < sb.len; at += strlen(sb.buf + at) + 1)
				if (valid_name(sb.buf + at))
					strvec_push(names, sb.buf + at);
		}
		strbuf_release(&sb);
		free(path);
	}
	closedir(d);
	free(dir);
	shard_sort_names(names);
	return ret;
}
