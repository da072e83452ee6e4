/*
 * Hunts for the answers: the instructor's spec.yaml files hold every expected
 * output, hidden tests included.  A sandboxed test may see its working folder
 * and the system folders of / it needs (etc tmp usr bin sbin lib* proc dev),
 * nothing else of the host.  One "ESCAPED: ..." line on stdout per finding:
 *  - an inherited directory descriptor (openat(fd, "..") leaves any chroot);
 *  - a readable spec.yaml at well-known paths (glob), or found 3 levels down
 *    from the 3 folders above the working folder, /, $HOME, /home, /root,
 *    /work, $GRADER_ROOT and /proc/1/cwd (init's working folder, possibly a
 *    detached copy of the host's tree);
 *  - an entry of those folders that is neither on the path to the working
 *    folder nor a system folder of / (the names go to stderr, for debugging).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int escaped;
static long budget = 50000;	/* entries visited at most: far below 1 s of CPU */
static char cwd[PATH_MAX];

static int in_set(const char *set, const char *name)
{
	char padded[NAME_MAX + 3];
	snprintf(padded, sizeof(padded), " %s ", name);
	return strstr(set, padded) != NULL;
}

static void escape(const char *what, const char *path)
{
	printf("ESCAPED: %s %s\n", what, path);
	escaped = 1;
}

static void try_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd >= 0 && read(fd, &c, 1) == 1)
		escape("read", path);
	if (fd >= 0)
		close(fd);
}

/* Is name expected in dir: inside cwd, on the path to cwd, or a system folder of /? */
static int expected(const char *dir, const char *name)
{
	size_t n = strcmp(dir, "/") ? strlen(dir) : 0, c = strlen(cwd), len = strlen(name);
	if ((!strncmp(dir, cwd, c) && (dir[c] == '\0' || dir[c] == '/')) ||
	    (n == 0 && in_set(" etc tmp usr bin sbin lib lib32 lib64 libx32 proc dev ", name)))
		return 1;
	if (strncmp(cwd, dir, n) || cwd[n] != '/' || strncmp(cwd + n + 1, name, len))
		return 0;
	return cwd[n + 1 + len] == '/' || cwd[n + 1 + len] == '\0';
}

/* Looks for spec.yaml depth levels down from dir; judges dir's entries when check is set. */
static void walk(const char *dir, int depth, int check)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && budget-- > 0) {
		char path[PATH_MAX];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (check && fprintf(stderr, "seen %s\n", path) && !expected(dir, e->d_name))
			escape("sees", path);
		if (!strcmp(e->d_name, "spec.yaml"))
			try_read(path);
		else if (depth > 1 && e->d_type == DT_DIR && !(!strcmp(dir, "/") &&
			 in_set(" usr bin sbin lib lib32 lib64 libx32 proc dev sys ", e->d_name)))
			walk(path, depth - 1, 0);
	}
	if (d)
		closedir(d);
}

int main(void)
{
	const char *roots[] = { "..", "../..", "../../..", "/", getenv("HOME"), "/home", "/root",
				"/work", getenv("GRADER_ROOT"), "/proc/1/cwd" };
	const char *globs[] = { "../*/spec.yaml", "../../testcases/*/spec.yaml",
				"../../../testcases/*/spec.yaml", "../../../../testcases/*/spec.yaml",
				"/work/main/testcases/*/spec.yaml", "/work/main/grader/tests/*/spec.yaml",
				"/work/*/testcases/*/spec.yaml", "/home/*/*/testcases/*/spec.yaml" };
	static char done[10][PATH_MAX];
	struct stat st;

	for (int fd = 3; fd < 1024; fd++)
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && sprintf(done[0], "%d", fd))
			escape("inherited a directory descriptor", done[0]);
	if (!getcwd(cwd, sizeof(cwd)))
		return 1;
	for (size_t i = 0; i < sizeof(globs) / sizeof(globs[0]); i++) {
		glob_t g;
		if (glob(globs[i], 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			try_read(g.gl_pathv[k]);
		globfree(&g);
	}
	for (size_t i = 0, n = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		int again = 0;
		if (roots[i] && !strncmp(roots[i], "/proc", 5))
			walk(roots[i], 3, 0);	/* a magic link: walk it as it is, never resolve it */
		else if (roots[i] && realpath(roots[i], done[n])) {
			for (size_t k = 0; k < n; k++)
				again |= !strcmp(done[k], done[n]);
			if (!again)
				walk(done[n++], 3, 1);
		}
	}
	if (!escaped)
		printf("safe\n");
	return 0;
}
