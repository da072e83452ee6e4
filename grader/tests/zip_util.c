/*
 * zip_util.c: zip archives for the tests (zip_util.h).
 */
#include "zip_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <string.h>

void zip_write(const char *path, const struct zip_entry *entries, size_t n)
{
	struct archive *a = archive_write_new();
	cr_assert_not_null(a);
	cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	cr_assert_eq(archive_write_set_options(a, "zip:compression=deflate"), ARCHIVE_OK);
	cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK, "%s",
		     archive_error_string(a));
	static const char zeros[65536];
	for (size_t i = 0; i < n; i++) {
		const struct zip_entry *e = &entries[i];
		struct archive_entry *entry = archive_entry_new();
		archive_entry_copy_pathname(entry, e->name);
		size_t size = e->data ? strlen(e->data) : e->zeros;
		switch (e->kind) {
		case ZIP_FILE:
			archive_entry_set_filetype(entry, AE_IFREG);
			archive_entry_set_size(entry, (la_int64_t)size);
			break;
		case ZIP_DIR:
			archive_entry_set_filetype(entry, AE_IFDIR);
			break;
		case ZIP_SYMLINK:
			archive_entry_set_filetype(entry, AE_IFLNK);
			archive_entry_copy_symlink(entry, e->data);
			break;
		case ZIP_HARDLINK:
			archive_entry_set_filetype(entry, AE_IFREG);
			archive_entry_copy_hardlink(entry, e->data);
			break;
		}
		archive_entry_set_perm(entry, 0644);
		cr_assert_eq(archive_write_header(a, entry), ARCHIVE_OK, "%s: %s", e->name,
			     archive_error_string(a));
		if (e->kind == ZIP_FILE && e->data)
			cr_assert_eq(archive_write_data(a, e->data, size), (la_ssize_t)size);
		for (size_t left = e->kind == ZIP_FILE && !e->data ? size : 0; left;) {
			size_t chunk = left < sizeof(zeros) ? left : sizeof(zeros);
			cr_assert_eq(archive_write_data(a, zeros, chunk), (la_ssize_t)chunk);
			left -= chunk;
		}
		archive_entry_free(entry);
	}
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
	archive_write_free(a);
}
