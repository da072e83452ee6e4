/*
 * Unit tests of lifecycle.c's scratch folders: what the start-up sweep
 * removes (the folders of graders that are gone and hold no lock) and what
 * it must never touch.  The signals and the workers' deaths are tested end
 * to end in test_batch.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "util.h"

static char *tmpdir;

static void setup(void)
{
	tmpdir = make_scratch_dir("lifecycle-test");
	cr_assert_not_null(tmpdir, "%s", error_last());
	/* Every scratch folder of these tests goes here, and the sweep looks only here. */
	setenv("TMPDIR", tmpdir, 1);
}

static void teardown(void)
{
	remove_tree(tmpdir);
	free(tmpdir);
}

TestSuite(lifecycle, .init = setup, .fini = teardown, .timeout = 30);

/* A pid that was just in use and is free now (its process reaped). */
static pid_t gone_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* Makes tmpdir/name with a file in it; its path. */
static char *folder(const char *name)
{
	char *path = path_join(tmpdir, name);
	cr_assert_eq(mkdir_p(path, 0755), 0, "%s", error_last());
	char *file = path_join(path, "prog.c");
	cr_assert_eq(write_file_atomic(file, "x", 1), 0, "%s", error_last());
	free(file);
	return path;
}

Test(lifecycle, the_sweep_removes_only_unlocked_folders_of_graders_that_are_gone)
{
	pid_t gone = gone_pid();
	char *name = xasprintf("grader-%d-dead01", (int)gone);
	char *dead = folder(name);
	free(name);
	/* A live grader in another PID namespace whose number is free here: its lock protects it. */
	name = xasprintf("grader-%d-other1", (int)gone);
	char *locked = folder(name);
	free(name);
	int lock = lock_dir(locked, true);
	cr_assert_geq(lock, 0, "%s", strerror(errno));
	/* Ours, between mkdtemp() and its lock: the pid is alive. */
	name = xasprintf("grader-%d-fresh1", (int)getpid());
	char *fresh = folder(name);
	free(name);
	name = xasprintf("grader-kept-%d-kept01", (int)gone);
	char *kept = folder(name);
	free(name);
	name = xasprintf("grader-root-%d-root01", (int)gone);
	char *root = folder(name);
	free(name);

	lifecycle_sweep_scratch();
	cr_expect_not(path_exists(dead), "%s was not swept", dead);
	cr_expect(path_exists(locked), "a locked folder was swept");
	cr_expect(path_exists(fresh), "a live grader's folder was swept");
	cr_expect(path_exists(kept), "a --keep-scratch folder was swept");
	cr_expect(path_exists(root), "the sandbox's folder is not this sweep's");
	close(lock);
	lifecycle_sweep_scratch();
	cr_expect_not(path_exists(locked), "unlocked, it is swept");
	free(dead);
	free(locked);
	free(fresh);
	free(kept);
	free(root);
}

Test(lifecycle, a_scratch_folder_is_locked_while_in_use_and_kept_under_another_name)
{
	int lock = -1;
	char *scratch = lifecycle_make_scratch(&lock);
	cr_assert_not_null(scratch, "%s", error_last());
	char *expected = xasprintf("%s/grader-%d-", tmpdir, (int)getpid());
	cr_expect_eq(strncmp(scratch, expected, strlen(expected)), 0, "%s", scratch);
	cr_expect_lt(lock_dir(scratch, false), 0, "the folder is not locked");
	cr_expect_eq(errno, EWOULDBLOCK);
	lifecycle_keep_scratch(scratch);
	cr_expect_not(path_exists(scratch));
	char *kept = xasprintf("%s/grader-kept-%s", tmpdir, scratch + strlen(tmpdir) + 8);
	cr_expect(path_exists(kept), "%s is not there", kept);
	close(lock);
	free(kept);
	free(expected);
	free(scratch);
}
