/*
 * Tries to read (and so copy) other students' work: the bundled submission
 * folders, relative and absolute, and every folder next to its own working
 * folder (a grader that gives each student or test a folder side by side
 * under one scratch folder would show them all).
 *
 * In a sandbox the working folder's parent holds nothing but the working
 * folder, and no submissions folder exists.  Each folder that can be listed
 * is an "ESCAPED: lists ..." line, each readable file found in it (3 levels
 * down at most, the first one only) an "ESCAPED: read ..." line; "safe" if
 * none.  Names go to stderr, for debugging.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int escaped;

/* Returns 1 once a readable regular file was found under dir (depth levels down). */
static int peek(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && !found && (e = readdir(d))) {
		char path[PATH_MAX], c;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fprintf(stderr, "seen %s\n", path);
		if (e->d_type == DT_DIR && depth > 1) {
			found = peek(path, depth - 1);
		} else if (e->d_type == DT_REG) {
			int fd = open(path, O_RDONLY | O_NONBLOCK);
			if (fd >= 0 && read(fd, &c, 1) == 1 && (found = 1))
				printf("ESCAPED: read %s\n", path);
			if (fd >= 0)
				close(fd);
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void try_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int entries = 0;
	while (d && (e = readdir(d)))
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	if (entries > 0) {
		printf("ESCAPED: lists %s (%d entries)\n", dir, entries);
		escaped = 1;
		peek(dir, 3);
	}
}

int main(void)
{
	const char *dirs[] = { "../submissions", "../../submissions", "../../../submissions",
			       "../../../../submissions", "/work/main/submissions",
			       "/work/main/grader/tests/hostile/submissions",
			       "/work/main/grader/tests/robustness/submissions" };
	char cwd[PATH_MAX], path[PATH_MAX + 3];
	DIR *d;
	struct dirent *e;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		try_dir(dirs[i]);
	/* Siblings: every entry of ".." but our own folder. */
	d = getcwd(cwd, sizeof(cwd)) ? opendir("..") : NULL;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, strrchr(cwd, '/') + 1)) {
			snprintf(path, sizeof(path), "../%s", e->d_name);
			printf("ESCAPED: sibling %s\n", path);
			escaped = 1;
			peek(path, 3);
		}
	if (d)
		closedir(d);
	if (!escaped)
		printf("safe\n");
	return 0;
}
