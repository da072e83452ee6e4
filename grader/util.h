/*
 * util: allocation that cannot fail, growable strings and string vectors,
 * the error channel every module reports through, and file/fd helpers.
 *
 * Error protocol (after git's error()): a function that can fail calls
 * `return error("...")`, which records the message and returns -1 (or use
 * error_null() from functions returning pointers).  Only the top level
 * (cli) prints error_last() and decides the exit status.  Messages carry
 * their context, e.g. "build: cannot copy 'a.c': Permission denied".
 */
#ifndef GRADER_UTIL_H
#define GRADER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: out of memory aborts with a message; these never return NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Copies len bytes and appends a NUL, so binary data can be used as a string. */
char *xmemdup0(const void *data, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grows *array (of *cap elements of elem_size) so that it holds at least need. */
void *xgrow(void *array, size_t elem_size, size_t need, size_t *cap);

/* Records a formatted message as the last error and returns -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like error() with ": strerror(errno)" appended. */
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Returns the last recorded error message ("" when none). */
const char *error_last(void);
/* Prefixes the last error with "prefix: " (adds context while unwinding). */
void error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated (buf is never NULL after init). */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
#define STRBUF_INIT {NULL, 0, 0}
void strbuf_init(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
/* Hands the buffer to the caller (who frees it) and re-initialises sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);

/*
 * A NULL-terminated vector of owned strings (v[n] == NULL; v is never NULL
 * after init).  A list a student can make as long as they like (findings:
 * leftover objects, orphans, denied calls) is filled with
 * strvec_pushf_capped: it keeps the first strings and counts the others in
 * `more`, so that neither memory nor a report grows with what they create.
 */
struct strvec {
	char **v;
	size_t n;
	size_t cap;
	size_t more;	/* strings left out by strvec_pushf_capped */
};
#define STRVEC_INIT {NULL, 0, 0, 0}
/* Findings of one kind kept, and listed in a report; the rest are counted ("and 12 more"). */
#define FINDINGS_MAX 10
void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* strvec_pushf while sv holds fewer than max strings; past that only sv->more grows. */
void strvec_pushf_capped(struct strvec *sv, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Takes ownership of s. */
void strvec_push_owned(struct strvec *sv, char *s);
void strvec_pushv(struct strvec *sv, const char *const *v);
bool strvec_contains(const struct strvec *sv, const char *s);
void strvec_clear(struct strvec *sv);

/* Reads a whole file into sb (appending). Fails with "PATH: strerror". */
int read_file(const char *path, struct strbuf *sb);
/*
 * Up to size - 1 bytes of a small file (a /proc entry) into buf,
 * NUL-terminated; the length, or -1.  Records no error: a process that
 * exits meanwhile is expected, not a failure.
 */
ssize_t read_small_file(const char *path, char *buf, size_t size);
/*
 * Writes data to path atomically: a temporary file in the same folder
 * (".tmp-XXXXXX": its name fits NAME_MAX whatever path's), mode 0644, then
 * rename.  A killed writer leaves the old file or the new one, never half
 * of one.  No fsync: a power failure may leave an empty file, which every
 * reader of these files (--resume, the build cache) takes for a missing
 * one, while a sync per student made batch grading wait for the disk.
 */
int write_file_atomic(const char *path, const void *data, size_t len);
/* Writes text to a file that exists (a /proc or cgroup control file) in one go. */
int write_text_file(const char *path, const char *text);
/* mkdir -p; mode applies to the folders it creates.  An empty path is an error. */
int mkdir_p(const char *path, mode_t mode);
/*
 * Folders nested below a tree's root that the grader walks in a
 * submission: deeper trees are refused before any copy (sandbox_fs.h), and
 * a walk of them would recurse as deep, and build paths as long, as their
 * author pleased.
 */
#define TREE_DEPTH_MAX 64
/*
 * Copies the contents of folder src into existing folder dst (or, when src is
 * a regular file, that file into dst).  Regular files, folders and symbolic
 * links (copied as links, never followed) are copied; anything else is
 * skipped.  Modes are kept (minus setuid/setgid).  src itself is the
 * caller's path and is followed; nothing below it is.
 */
int copy_tree(const char *src, const char *dst);
/*
 * copy_tree, and everything it makes (not dst itself) belongs to uid:gid as
 * it is made: a root grader's copy for the sandbox user, with no second
 * walk of the tree to chown it.
 */
int copy_tree_owned(const char *src, const char *dst, uid_t uid, gid_t gid);
/*
 * copy_tree, but a regular file is hard-linked where the file system allows
 * it (same file system, our own file or CAP_FOWNER), which creates no new
 * file: for trees neither side changes afterwards.  Files with setuid or
 * setgid bits are copied.
 */
int link_tree(const char *src, const char *dst);
/* rm -rf that never follows symbolic links; succeeds when path is absent. */
int remove_tree(const char *path);
/*
 * Opens folder dir and takes an exclusive flock on it, waiting for it or
 * (wait false) failing at once when another holds it: the lock says the
 * folder is in use, and goes with the last descriptor of its holder, even
 * one killed by SIGKILL.  The descriptor, or -1 with errno.
 */
int lock_dir(const char *dir, bool wait);
/* Where scratch folders go: $TMPDIR, or /tmp. */
const char *scratch_parent(void);
/* Creates a fresh private folder under $TMPDIR (or /tmp) named prefix-XXXXXX. */
char *make_scratch_dir(const char *prefix);
/* The same under parent. */
char *make_scratch_dir_in(const char *parent, const char *prefix);
/* Joins two path parts with one '/' ("" and b give b, never "/b"). Caller frees. */
char *path_join(const char *a, const char *b);
bool path_is_dir(const char *path);
bool path_exists(const char *path);
/*
 * lstat() of rel below root, following no symbolic link on the way: a link
 * anywhere in rel fails (ENOTDIR) or, as its last part, is what *st shows.
 * root itself is the caller's and is followed.  For paths below a folder a
 * submission made: following its links on the host would tell whether a
 * file the grader may read and the student may not exists.  -1 with errno.
 */
int path_lstat_below(const char *root, const char *rel, struct stat *st);

/* close() that ignores -1 and sets *fd to -1 afterwards. */
void close_fd(int *fd);
int set_nonblocking(int fd);
/* write() until done, retrying on EINTR. */
int write_all(int fd, const void *data, size_t len);

/* "64 KiB", "100.0 MiB", "12 bytes"; caller frees. */
char *human_size(double bytes);
/* "453,990": a count with thousands separators (whatever the locale); caller frees. */
char *human_count(unsigned long long n);

/* Monotonic clock in seconds. */
double now_seconds(void);

#endif
