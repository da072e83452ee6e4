#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die_oom(size_t size)
{
	fprintf(stderr, "grader: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		die_oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		die_oom(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xmemdup0(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	return xmemdup0(s, strnlen(s, n));
}

char *xmemdup0(const void *data, size_t len)
{
	char *p = xmalloc(len + 1);
	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

void *xgrow(void *array, size_t elem_size, size_t need, size_t *cap)
{
	if (need <= *cap)
		return array;
	size_t new_cap = *cap ? *cap : 8;
	while (new_cap < need)
		new_cap *= 2;
	array = xrealloc(array, new_cap * elem_size);
	*cap = new_cap;
	return array;
}

/*
 * One process grades one submission at a time and never runs modules on
 * several threads, so a single last-error slot is enough.
 */
static struct strbuf last_error = STRBUF_INIT;

static void error_vset(const char *fmt, va_list ap, int errnum)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	if (errnum)
		strbuf_addf(&sb, ": %s", strerror(errnum));
	strbuf_release(&last_error);
	last_error = sb;
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(fmt, ap, 0);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	error_vset(fmt, ap, saved);
	va_end(ap);
	errno = saved;
	return -1;
}

const char *error_last(void)
{
	return last_error.buf ? last_error.buf : "";
}

void error_prefix(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, ": %s", error_last());
	strbuf_release(&last_error);
	last_error = sb;
}

void strbuf_init(struct strbuf *sb)
{
	sb->cap = 64;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
	sb->len = 0;
}

static void strbuf_reserve(struct strbuf *sb, size_t extra)
{
	if (!sb->buf)
		strbuf_init(sb);
	if (sb->len + extra + 1 > sb->cap)
		sb->buf = xgrow(sb->buf, 1, sb->len + extra + 1, &sb->cap);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_reserve(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	strbuf_reserve(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
	if (!sb->buf)
		return;
	sb->len = 0;
	sb->buf[0] = '\0';
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	if (!sb->buf)
		strbuf_init(sb);
	char *buf = sb->buf;
	if (len)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return buf;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void strvec_init(struct strvec *sv)
{
	sv->cap = 8;
	sv->v = xcalloc(sv->cap, sizeof(*sv->v));
	sv->n = 0;
	sv->more = 0;
}

void strvec_push_owned(struct strvec *sv, char *s)
{
	if (!sv->v)
		strvec_init(sv);
	sv->v = xgrow(sv->v, sizeof(*sv->v), sv->n + 2, &sv->cap);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_owned(sv, xstrdup(s));
}

static void strvec_vpushf(struct strvec *sv, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	strvec_push_owned(sv, strbuf_detach(&sb, NULL));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strvec_vpushf(sv, fmt, ap);
	va_end(ap);
}

void strvec_pushf_capped(struct strvec *sv, size_t max, const char *fmt, ...)
{
	if (sv->n >= max) {
		sv->more++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	strvec_vpushf(sv, fmt, ap);
	va_end(ap);
}

void strvec_pushv(struct strvec *sv, const char *const *v)
{
	for (; *v; v++)
		strvec_push(sv, *v);
}

bool strvec_contains(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = sv->more = 0;
}

int read_file(const char *path, struct strbuf *sb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("%s", path);
	int ret = 0;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_errno("%s", path);
			break;
		}
		if (n == 0)
			break;
		strbuf_add(sb, chunk, (size_t)n);
	}
	close(fd);
	return ret;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	/* Beside path, but named without its last part: that may already fill NAME_MAX. */
	const char *slash = strrchr(path, '/');
	char *tmp = slash ? xasprintf("%.*s/.tmp-XXXXXX", (int)(slash - path), path)
			  : xstrdup(".tmp-XXXXXX");
	int ret = -1;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		error_errno("cannot create a temporary file for %s", path);
		goto out;
	}
	/* mkostemp makes 0600; reports are for TAs and web servers to read. */
	if (fchmod(fd, 0644) < 0 || write_all(fd, data, len) < 0) {
		error_errno("cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		error_errno("cannot write %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		error_errno("cannot rename %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

int write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot open %s", path);
	int ret = write_all(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	if (ret < 0) {
		errno = saved;
		return error_errno("cannot write %s", path);
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	if (!*path)
		return error("cannot create a folder with an empty name");
	char *copy = xstrdup(path);
	int ret = 0;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			ret = error_errno("cannot create folder %s", copy);
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	if (!ret && !path_is_dir(path))
		ret = error("%s exists and is not a folder", path);
	return ret;
}

/*
 * How a tree is copied: link_files hard-links plain files where it can
 * (link_tree); uid/gid, unless (uid_t)-1, own everything made.  Every call
 * works from the folders' descriptors (the *at() calls): a tree of a
 * thousand files in a deep folder would otherwise walk each path again.
 */
struct copy_how {
	bool link_files;
	uid_t uid;
	gid_t gid;
};

/* Names for messages: where an entry comes from and goes to. */
struct copy_names {
	const char *src, *dst;
};

static int copy_own(int fd, const char *dst, const struct copy_how *how)
{
	if (how->uid != (uid_t)-1 && fchown(fd, how->uid, how->gid) < 0)
		return error_errno("cannot chown %s", dst);
	return 0;
}

static int copy_file_at(int sdir, const char *sname, int ddir, const char *dname, mode_t mode,
			const struct copy_names *names, const struct copy_how *how)
{
	int ret = -1;
	int out = -1;
	int in = openat(sdir, sname, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		error_errno("cannot read %s", names->src);
		goto out;
	}
	out = openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode & 0777);
	if (out < 0) {
		error_errno("cannot create %s", names->dst);
		goto out;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_errno("cannot read %s", names->src);
			goto out;
		}
		if (n == 0)
			break;
		if (write_all(out, chunk, (size_t)n) < 0) {
			error_errno("cannot write %s", names->dst);
			goto out;
		}
	}
	/* open() applied the umask; the copy keeps the source's permissions. */
	if (fchmod(out, mode & 0777) < 0) {
		error_errno("cannot chmod %s", names->dst);
		goto out;
	}
	ret = copy_own(out, names->dst, how);
out:
	close_fd(&in);
	close_fd(&out);
	return ret;
}

static int copy_dir_at(int sfd, int dfd, const struct copy_names *names,
		       const struct copy_how *how);

/* Entry sname of folder sdir becomes dname of folder ddir. */
static int copy_entry_at(int sdir, const char *sname, int ddir, const char *dname,
			 const struct copy_names *names, const struct copy_how *how)
{
	struct stat st;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return error_errno("cannot read %s", names->src);
	if (S_ISREG(st.st_mode)) {
		/* A link would keep setuid/setgid bits, which a copy drops. */
		if (how->link_files && !(st.st_mode & 07000) && linkat(sdir, sname, ddir, dname, 0) == 0)
			return 0;
		return copy_file_at(sdir, sname, ddir, dname, st.st_mode, names, how);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);
		if (n < 0)
			return error_errno("cannot read link %s", names->src);
		target[n] = '\0';
		if (symlinkat(target, ddir, dname) < 0)
			return error_errno("cannot create link %s", names->dst);
		if (how->uid != (uid_t)-1 &&
		    fchownat(ddir, dname, how->uid, how->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return error_errno("cannot chown %s", names->dst);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* devices, fifos, sockets: nothing a submission legitimately needs */
	if (mkdirat(ddir, dname, (st.st_mode & 0777) | 0700) < 0 && errno != EEXIST)
		return error_errno("cannot create folder %s", names->dst);
	int ret = -1;
	int dfd = -1;
	int sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		error_errno("cannot read folder %s", names->src);
		goto out;
	}
	dfd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		error_errno("cannot open folder %s", names->dst);
		goto out;
	}
	if (copy_own(dfd, names->dst, how) == 0)
		ret = copy_dir_at(sfd, dfd, names, how);
out:
	close_fd(&sfd);
	close_fd(&dfd);
	return ret;
}

/* The entries of folder sfd into folder dfd (sfd is consumed by its listing, never closed here). */
static int copy_dir_at(int sfd, int dfd, const struct copy_names *names,
		       const struct copy_how *how)
{
	int list = fcntl(sfd, F_DUPFD_CLOEXEC, 0);
	DIR *dir = list < 0 ? NULL : fdopendir(list);
	if (!dir) {
		int saved = errno;
		close_fd(&list);
		errno = saved;
		return error_errno("cannot read folder %s", names->src);
	}
	int ret = 0;
	struct dirent *de;
	while (!ret && (errno = 0, de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *from = path_join(names->src, de->d_name);
		char *to = path_join(names->dst, de->d_name);
		struct copy_names below = {from, to};
		ret = copy_entry_at(sfd, de->d_name, dfd, de->d_name, &below, how);
		free(from);
		free(to);
	}
	if (!ret && errno)
		ret = error_errno("cannot read folder %s", names->src);
	closedir(dir);
	return ret;
}

static int copy_tree_how(const char *src, const char *dst, const struct copy_how *how)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return error_errno("cannot read %s", src);
	int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return error_errno("cannot open folder %s", dst);
	int ret;
	if (!S_ISDIR(st.st_mode)) {
		const char *base = strrchr(src, '/');
		base = base ? base + 1 : src;
		char *target = path_join(dst, base);
		struct copy_names names = {src, target};
		ret = copy_entry_at(AT_FDCWD, src, dfd, base, &names, how);
		free(target);
	} else {
		struct copy_names names = {src, dst};
		/* src itself is followed (the caller's path); nothing below it is. */
		int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0)
			ret = error_errno("cannot read folder %s", src);
		else
			ret = copy_dir_at(sfd, dfd, &names, how);
		close_fd(&sfd);
	}
	close_fd(&dfd);
	return ret;
}

int copy_tree(const char *src, const char *dst)
{
	const struct copy_how how = {false, (uid_t)-1, (gid_t)-1};
	return copy_tree_how(src, dst, &how);
}

int copy_tree_owned(const char *src, const char *dst, uid_t uid, gid_t gid)
{
	const struct copy_how how = {false, uid, gid};
	return copy_tree_how(src, dst, &how);
}

int link_tree(const char *src, const char *dst)
{
	const struct copy_how how = {true, (uid_t)-1, (gid_t)-1};
	return copy_tree_how(src, dst, &how);
}

int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_errno("cannot remove %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return error_errno("cannot remove %s", path);
		return 0;
	}
	/* A student's program may have made its folders unreadable. */
	if ((st.st_mode & 0700) != 0700)
		chmod(path, 0700);
	DIR *dir = opendir(path);
	if (!dir)
		return error_errno("cannot read folder %s", path);
	int ret = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *child = path_join(path, de->d_name);
		if (remove_tree(child) < 0)
			ret = -1;
		free(child);
	}
	closedir(dir);
	if (rmdir(path) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove %s", path);
	return ret;
}

int lock_dir(const char *dir, bool wait)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		fd = -1;
	}
	return fd;
}

char *make_scratch_dir_in(const char *parent, const char *prefix)
{
	char *templ = xasprintf("%s/%s-XXXXXX", parent, prefix);
	if (!mkdtemp(templ)) {
		error_errno("cannot create a scratch folder in %s", parent);
		free(templ);
		return NULL;
	}
	return templ;
}

const char *scratch_parent(void)
{
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

char *make_scratch_dir(const char *prefix)
{
	return make_scratch_dir_in(scratch_parent(), prefix);
}

char *path_join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)la, a, b);
}

bool path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int path_lstat_below(const char *root, const char *rel, struct stat *st)
{
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *copy = xstrdup(rel);
	char *save = NULL;
	char *part = strtok_r(copy, "/", &save);
	int ret = -1;
	while (dir >= 0) {
		char *next = part ? strtok_r(NULL, "/", &save) : NULL;
		if (!next) {
			ret = part ? fstatat(dir, part, st, AT_SYMLINK_NOFOLLOW) : fstat(dir, st);
			break;
		}
		/* O_NOFOLLOW with O_PATH opens a link itself, which O_DIRECTORY then refuses. */
		int sub = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(dir);
		errno = err;
		dir = sub;
		part = next;
	}
	int err = errno;
	if (dir >= 0)
		close(dir);
	free(copy);
	errno = err;
	return ret;
}

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return error_errno("fcntl(O_NONBLOCK)");
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *human_size(double bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	if (bytes < 1024)
		return xasprintf("%.0f byte%s", bytes, bytes == 1 ? "" : "s");
	size_t u = 0;
	bytes /= 1024;
	while (bytes >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		bytes /= 1024;
		u++;
	}
	/* Whole numbers (the usual limits: 64 KiB, 1 MiB) print without decimals. */
	return bytes == (double)(long long)bytes ? xasprintf("%.0f %s", bytes, units[u])
						 : xasprintf("%.1f %s", bytes, units[u]);
}

char *human_count(unsigned long long n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%llu", n);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			strbuf_addch(&sb, ',');
		strbuf_addch(&sb, digits[i]);
	}
	return strbuf_detach(&sb, NULL);
}

ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}
