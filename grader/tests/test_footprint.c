/*
 * Unit tests of what the grader measures of a submission's tree before it
 * copies it (sandbox_fs_footprint) and of the digest's walk of it: sparse
 * files count in full, and the depth bound (TREE_DEPTH_MAX) holds exactly.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "sandbox_fs.h"
#include "scratch_util.h"
#include "util.h"

static char *root;

static void setup(void)
{
	root = scratch_new("grader-footprint");
}

static void teardown(void)
{
	scratch_remove(&root);
}

TestSuite(footprint, .init = setup, .fini = teardown, .timeout = 30);

/* Makes `levels` folders, each inside the last, under root/tree; returns root/tree. */
static char *nest(int levels)
{
	char *tree = path_join(root, "tree");
	cr_assert_eq(mkdir(tree, 0755), 0, "%s", strerror(errno));
	int fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < levels; i++) {
		cr_assert_eq(mkdirat(fd, "d", 0755), 0, "level %d: %s", i, strerror(errno));
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
		cr_assert_geq(fd, 0, "%s", strerror(errno));
	}
	close(fd);
	return tree;
}

static struct sandbox_fs_footprint footprint_of(const char *tree)
{
	const char *const sources[] = {tree, NULL};
	struct sandbox_fs_footprint fp;
	cr_assert_eq(sandbox_fs_footprint(sources, &fp), 0, "%s", error_last());
	return fp;
}

Test(footprint, folders_as_deep_as_the_bound_are_walked)
{
	char *tree = nest(TREE_DEPTH_MAX);
	struct sandbox_fs_footprint fp = footprint_of(tree);
	cr_expect(!fp.too_deep);
	/* The tree's root and its TREE_DEPTH_MAX folders. */
	cr_expect_eq(fp.files, TREE_DEPTH_MAX + 1);
	struct digest d;
	digest_init(&d);
	cr_expect_eq(digest_add_tree(&d, tree), 0, "%s", error_last());
	free(tree);
}

Test(footprint, one_folder_deeper_is_too_deep_and_not_walked_below)
{
	char *tree = nest(TREE_DEPTH_MAX + 10);
	struct sandbox_fs_footprint fp = footprint_of(tree);
	cr_expect(fp.too_deep);
	cr_expect_eq(fp.files, TREE_DEPTH_MAX + 1, "walked below the bound: %lld", fp.files);
	struct digest d;
	digest_init(&d);
	cr_expect_eq(digest_add_tree(&d, tree), -1);
	cr_expect(strstr(error_last(), "more than 64 deep"), "%s", error_last());
	free(tree);
}

Test(footprint, a_sparse_file_counts_in_full)
{
	char *tree = path_join(root, "tree");
	cr_assert_eq(mkdir(tree, 0755), 0);
	char *file = path_join(tree, "sparse");
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 10 << 20), 0);
	close(fd);
	struct sandbox_fs_footprint fp = footprint_of(tree);
	cr_expect_geq(fp.bytes, 10 << 20);
	cr_expect_eq(fp.files, 2);
	free(file);
	free(tree);
}
