/*
 * Unit tests of util.c's tree copies: copy_tree makes new files, link_tree
 * hard-links them (the build cache's way of keeping a build without
 * writing it again), except files a link would keep setuid.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char *scratch;

static void setup(void)
{
	scratch = make_scratch_dir("grader-util-test");
	cr_assert_not_null(scratch, "%s", error_last());
}

static void teardown(void)
{
	remove_tree(scratch);
	free(scratch);
}

TestSuite(util, .init = setup, .fini = teardown, .timeout = 30);

static char *in_scratch(const char *rel)
{
	return path_join(scratch, rel);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char *path = in_scratch(rel);
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
	cr_assert_eq(chmod(path, mode), 0);
	free(path);
}

static ino_t inode_of(const char *rel)
{
	char *path = in_scratch(rel);
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "%s is missing", rel);
	free(path);
	return st.st_ino;
}

static mode_t mode_of(const char *rel)
{
	char *path = in_scratch(rel);
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "%s is missing", rel);
	free(path);
	return st.st_mode & 07777;
}

static void make_source_tree(void)
{
	char *sub = in_scratch("src/sub");
	cr_assert_eq(mkdir_p(sub, 0755), 0);
	free(sub);
	put("src/prog", "binary", 0755);
	put("src/sub/data.txt", "data", 0644);
	put("src/setuid", "suid", 04755);
}

Test(util, link_tree_links_plain_files_and_copies_setuid_ones)
{
	make_source_tree();
	char *src = in_scratch("src"), *dst = in_scratch("dst");
	cr_assert_eq(mkdir_p(dst, 0755), 0);
	cr_assert_eq(link_tree(src, dst), 0, "%s", error_last());
	cr_expect_eq(inode_of("dst/prog"), inode_of("src/prog"), "not linked");
	cr_expect_eq(inode_of("dst/sub/data.txt"), inode_of("src/sub/data.txt"), "not linked");
	cr_expect_neq(inode_of("dst/setuid"), inode_of("src/setuid"), "a setuid file was linked");
	cr_expect_eq(mode_of("dst/setuid"), 0755, "the copy kept its setuid bit");
	free(src);
	free(dst);
}

Test(util, copy_tree_makes_new_files)
{
	make_source_tree();
	char *src = in_scratch("src"), *dst = in_scratch("dst");
	cr_assert_eq(mkdir_p(dst, 0755), 0);
	cr_assert_eq(copy_tree(src, dst), 0, "%s", error_last());
	cr_expect_neq(inode_of("dst/prog"), inode_of("src/prog"));
	cr_expect_eq(mode_of("dst/prog"), 0755);
	cr_expect_neq(inode_of("dst/sub/data.txt"), inode_of("src/sub/data.txt"));
	free(src);
	free(dst);
}
