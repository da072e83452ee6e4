/*
 * Unit tests of util.c: tree copies (copy_tree makes new files,
 * copy_tree_owned gives them to the sandbox user as it makes them,
 * link_tree hard-links them, the build cache's way of keeping a build
 * without writing it again, except files a link would keep setuid; links
 * below a submission's folder are never followed), atomic writes whatever the
 * length of the name, paths that are empty, capped lists and counts.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Below a submission's folder, no link is followed: a link is seen as one, or stops the path. */
Test(util, path_lstat_below_follows_no_link)
{
	make_source_tree();
	char *outside = in_scratch("outside");
	cr_assert_eq(mkdir_p(outside, 0700), 0);
	put("outside/secret", "secret", 0600);
	char *secret = in_scratch("outside/secret");
	char *file_link = in_scratch("src/prog.c"), *dir_link = in_scratch("src/up");
	cr_assert_eq(symlink(secret, file_link), 0);
	cr_assert_eq(symlink(outside, dir_link), 0);
	char *src = in_scratch("src");
	struct stat st;
	cr_assert_eq(path_lstat_below(src, "sub/data.txt", &st), 0, "%s", strerror(errno));
	cr_expect(S_ISREG(st.st_mode));
	cr_assert_eq(path_lstat_below(src, "prog.c", &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link was followed");
	errno = 0;
	cr_expect_eq(path_lstat_below(src, "up/secret", &st), -1, "a linked folder was followed");
	cr_expect_eq(errno, ENOTDIR, "%s", strerror(errno));
	cr_expect_eq(path_lstat_below(src, "sub/none", &st), -1);
	cr_expect_eq(errno, ENOENT);
	/* The root is the caller's own and is followed. */
	cr_assert_eq(path_lstat_below(dir_link, "secret", &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	free(src);
	free(file_link);
	free(dir_link);
	free(secret);
	free(outside);
}

/* Copies keep a link a link: its target is looked up in the sandbox, where the host is absent. */
/* The source tree with a link rel -> target added, and an empty dst to copy it into. */
static void tree_with_link(const char *rel, const char *target, char **src, char **dst)
{
	make_source_tree();
	char *link = in_scratch(rel);
	cr_assert_eq(symlink(target, link), 0);
	free(link);
	*src = in_scratch("src");
	*dst = in_scratch("dst");
	cr_assert_eq(mkdir_p(*dst, 0755), 0);
}

Test(util, copy_tree_copies_a_link_as_a_link)
{
	char *src, *dst;
	tree_with_link("src/prog.c", "/etc/shadow", &src, &dst);
	cr_assert_eq(copy_tree(src, dst), 0, "%s", error_last());
	char *copied = in_scratch("dst/prog.c");
	char target[64] = "";
	cr_expect_eq(readlink(copied, target, sizeof(target) - 1), (ssize_t)strlen("/etc/shadow"));
	cr_expect_str_eq(target, "/etc/shadow");
	free(copied);
	free(src);
	free(dst);
}

static void expect_owner(const char *rel, uid_t uid, gid_t gid)
{
	char *path = in_scratch(rel);
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "%s is missing", rel);
	cr_expect_eq(st.st_uid, uid, "%s belongs to uid %u", rel, (unsigned)st.st_uid);
	cr_expect_eq(st.st_gid, gid, "%s belongs to gid %u", rel, (unsigned)st.st_gid);
	free(path);
}

/*
 * What a root grader copies for the sandbox user is that user's as it is
 * made, files, folders and links alike; dst itself is the caller's.  An
 * ordinary user can give files only to itself: the copy then keeps them so.
 */
Test(util, copy_tree_owned_gives_everything_it_makes_to_the_owner)
{
	char *src, *dst;
	tree_with_link("src/sub/up", "..", &src, &dst);
	uid_t uid = geteuid() == 0 ? 65534 : geteuid();
	gid_t gid = geteuid() == 0 ? 65534 : getegid();
	cr_assert_eq(copy_tree_owned(src, dst, uid, gid), 0, "%s", error_last());
	/* A single file goes into the folder by its own name. */
	put("lone.txt", "alone", 0640);
	char *lone = in_scratch("lone.txt");
	cr_assert_eq(copy_tree_owned(lone, dst, uid, gid), 0, "%s", error_last());
	expect_owner("dst/lone.txt", uid, gid);
	cr_expect_eq(mode_of("dst/lone.txt"), 0640);
	free(lone);
	expect_owner("dst/prog", uid, gid);
	expect_owner("dst/sub", uid, gid);
	expect_owner("dst/sub/data.txt", uid, gid);
	expect_owner("dst/sub/up", uid, gid);
	expect_owner("dst/setuid", uid, gid);
	expect_owner("dst", geteuid(), getegid());
	cr_expect_eq(mode_of("dst/prog"), 0755);
	cr_expect_eq(mode_of("dst/sub/data.txt"), 0644);
	cr_expect_eq(mode_of("dst/setuid"), 0755, "the copy kept its setuid bit");
	free(src);
	free(dst);
}

/* A name that fills NAME_MAX: "<name>.tmp-PID" could not exist, a short temporary name can. */
Test(util, atomic_write_of_a_name_that_fills_name_max)
{
	char name[NAME_MAX + 1];
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	char *path = in_scratch(name);
	cr_assert_eq(write_file_atomic(path, "whole", 5), 0, "%s", error_last());
	/* Readable by the TA's web server, as a report must be. */
	cr_expect_eq(mode_of(name), 0644);
	/* Written again: replaced, and no temporary file stays. */
	cr_assert_eq(write_file_atomic(path, "again", 5), 0, "%s", error_last());
	DIR *d = opendir(scratch);
	cr_assert_not_null(d);
	struct dirent *de;
	size_t entries = 0;
	while ((de = readdir(d)))
		entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	cr_expect_eq(entries, 1);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_expect_eq(read_file(path, &sb), 0);
	cr_expect_str_eq(sb.buf, "again");
	strbuf_release(&sb);
	free(path);
}

Test(util, empty_paths_are_refused_not_read_past)
{
	cr_expect_eq(mkdir_p("", 0755), -1);
	cr_expect_not_null(strstr(error_last(), "empty"), "%s", error_last());
	/* Joined to "", a name stays relative: "" and ".grader" is never "/.grader". */
	char *joined = path_join("", ".grader");
	cr_expect_str_eq(joined, ".grader");
	free(joined);
	joined = path_join("/", "x");
	cr_expect_str_eq(joined, "/x");
	free(joined);
}

Test(util, capped_list_keeps_the_first_and_counts_the_rest)
{
	struct strvec sv = STRVEC_INIT;
	strvec_init(&sv);
	for (int i = 0; i < 25; i++)
		strvec_pushf_capped(&sv, FINDINGS_MAX, "item %d", i);
	cr_expect_eq(sv.n, FINDINGS_MAX);
	cr_expect_eq(sv.more, 25 - FINDINGS_MAX);
	cr_expect_str_eq(sv.v[0], "item 0");
	cr_expect_str_eq(sv.v[FINDINGS_MAX - 1], "item 9");
	cr_expect_null(sv.v[sv.n]);
	strvec_clear(&sv);
	cr_expect_eq(sv.more, 0);
}

Test(util, counts_have_thousands_separators)
{
	const struct {
		unsigned long long n;
		const char *text;
	} cases[] = {{0, "0"}, {999, "999"}, {1000, "1,000"}, {24090, "24,090"},
		     {453990, "453,990"}, {1234567, "1,234,567"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = human_count(cases[i].n);
		cr_expect_str_eq(text, cases[i].text);
		free(text);
	}
}
