/*
 * unzip.c: zip archives through libarchive (unzip.h).  Only the zip format
 * and no other is enabled: a file that is not a zip is refused, whatever
 * else libarchive could read.
 */
#include "unzip.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct unzip {
	struct archive *a;
	int fd;
	char *path;
	locale_t utf8; /* (locale_t)0 when the C library has no UTF-8 locale */
};

/*
 * libarchive converts an entry's name to the character set of the calling
 * thread's locale, which is ASCII in a grader run without one: a name in
 * UTF-8 (Moodle's full names, which zip flags as UTF-8) would be lost.  The
 * names are read under C.UTF-8, the thread's locale alone, and put back.
 */
static locale_t enter(const struct unzip *u)
{
	return u->utf8 ? uselocale(u->utf8) : (locale_t)0;
}

static void leave(locale_t old)
{
	if (old)
		uselocale(old);
}

struct unzip *unzip_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_errno("cannot open %s", path);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error("%s: not a file", path);
		close(fd);
		return NULL;
	}
	struct unzip *u = xcalloc(1, sizeof(*u));
	u->fd = fd;
	u->path = xstrdup(path);
	u->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	u->a = archive_read_new();
	/* The zip's central directory, read from its end: what unzip(1) and the LMSs' own readers
	 * use. */
	if (!u->a || archive_read_support_format_zip_seekable(u->a) != ARCHIVE_OK ||
	    archive_read_open_fd(u->a, fd, 65536) != ARCHIVE_OK) {
		error("%s: not a zip archive (%s)", path,
		      u->a && archive_error_string(u->a) ? archive_error_string(u->a)
							 : "libarchive");
		unzip_close(u);
		return NULL;
	}
	return u;
}

int unzip_next(struct unzip *u, struct unzip_entry *e)
{
	struct archive_entry *entry;
	locale_t old = enter(u);
	int rc = archive_read_next_header(u->a, &entry);
	const char *name = NULL;
	if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		name = archive_entry_pathname_utf8(entry);
		if (!name)
			name = archive_entry_pathname(entry);
	}
	leave(old);
	if (rc == ARCHIVE_EOF)
		return 0;
	/* A warning (a name in another character set) still gives the entry. */
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return error("%s: damaged archive: %s", u->path, archive_error_string(u->a));
	e->name = name ? name : "";
	mode_t type = archive_entry_filetype(entry);
	e->type = type == AE_IFREG   ? UNZIP_FILE
		  : type == AE_IFDIR ? UNZIP_DIR
		  : type == AE_IFLNK ? UNZIP_LINK
				     : UNZIP_OTHER;
	/* A hard link is an entry that names another's data: never made either. */
	if (archive_entry_hardlink(entry))
		e->type = UNZIP_LINK;
	return 1;
}

ssize_t unzip_read(struct unzip *u, void *buf, size_t n)
{
	la_ssize_t got = archive_read_data(u->a, buf, n);
	if (got < 0)
		return error("%s: damaged entry: %s", u->path, archive_error_string(u->a));
	return (ssize_t)got;
}

void unzip_close(struct unzip *u)
{
	if (!u)
		return;
	if (u->a)
		archive_read_free(u->a);
	if (u->fd >= 0)
		close(u->fd);
	if (u->utf8)
		freelocale(u->utf8);
	free(u->path);
	free(u);
}
