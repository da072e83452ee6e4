#include "digest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

void digest_init(struct digest *d)
{
	d->h = FNV_OFFSET;
}

void digest_add(struct digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		d->h ^= p[i];
		d->h *= FNV_PRIME;
	}
}

void digest_add_str(struct digest *d, const char *s)
{
	uint64_t len = s ? strlen(s) : UINT64_MAX;
	digest_add(d, &len, sizeof(len));
	if (s)
		digest_add(d, s, (size_t)len);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads a regular file in chunks, each handed to fn, which stops the read
 * with a non-zero return (returned); -1 when the file cannot be read.
 */
static int read_chunks(const char *path, int (*fn)(void *arg, const char *buf, size_t n),
		       void *arg)
{
	/* lstat() said a regular file: a link put there meanwhile is not followed. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return error_errno("digest: open %s", path);
	char buf[65536];
	ssize_t n;
	int ret = 0;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = fn(arg, buf, (size_t)n);
	int err = errno;
	close(fd);
	if (!ret && n < 0) {
		errno = err;
		return error_errno("digest: read %s", path);
	}
	return ret;
}

struct bounded {
	struct strbuf *sb;
	size_t left;
};

static int append_chunk(void *arg, const char *buf, size_t n)
{
	struct bounded *b = arg;
	if (n > b->left)
		return 1;
	strbuf_add(b->sb, buf, n);
	b->left -= n;
	return 0;
}

int digest_read_file(const char *path, struct strbuf *sb, size_t max)
{
	struct bounded b = {sb, max};
	return read_chunks(path, append_chunk, &b);
}

static int digest_chunk(void *arg, const char *buf, size_t n)
{
	digest_add(arg, buf, n);
	return 0;
}

/* A file's bytes go into the digest as they are read: a large file is never held whole. */
static int add_file(struct digest *d, const char *rel, const char *path, void *arg)
{
	(void)rel;
	(void)arg;
	return read_chunks(path, digest_chunk, d);
}

/* rel is the path below the tree's root that the digest records. */
static int add_tree(struct digest *d, const char *dir, const char *rel, int depth,
		    digest_file_fn *fn, void *arg)
{
	if (depth > TREE_DEPTH_MAX)
		return error("digest: %s nests folders more than %d deep", dir, TREE_DEPTH_MAX);
	DIR *dh = opendir(dir);
	if (!dh)
		return error_errno("digest: open folder %s", dir);
	struct strvec names = STRVEC_INIT;
	strvec_init(&names);
	struct dirent *de;
	while ((de = readdir(dh)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push(&names, de->d_name);
	closedir(dh);
	qsort(names.v, names.n, sizeof(*names.v), by_name);
	int ret = 0;
	for (size_t i = 0; i < names.n && ret == 0; i++) {
		char *path = path_join(dir, names.v[i]);
		char *sub = *rel ? path_join(rel, names.v[i]) : xstrdup(names.v[i]);
		struct stat st;
		if (lstat(path, &st) < 0) {
			ret = error_errno("digest: stat %s", path);
		} else {
			digest_add_str(d, sub);
			uint32_t mode = (uint32_t)st.st_mode;
			digest_add(d, &mode, sizeof(mode));
			if (S_ISDIR(st.st_mode)) {
				ret = add_tree(d, path, sub, depth + 1, fn, arg);
			} else if (S_ISREG(st.st_mode)) {
				ret = fn(d, sub, path, arg);
			} else if (S_ISLNK(st.st_mode)) {
				char target[4096];
				ssize_t n = readlink(path, target, sizeof(target) - 1);
				if (n >= 0) {
					target[n] = '\0';
					digest_add_str(d, target);
				}
			}
		}
		free(path);
		free(sub);
	}
	strvec_clear(&names);
	return ret;
}

int digest_add_tree(struct digest *d, const char *dir)
{
	return add_tree(d, dir, "", 0, add_file, NULL);
}

int digest_add_tree_by(struct digest *d, const char *dir, digest_file_fn *fn, void *arg)
{
	return add_tree(d, dir, "", 0, fn, arg);
}

void digest_hex(const struct digest *d, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)d->h);
}
