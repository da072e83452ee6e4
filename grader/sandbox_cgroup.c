#include "sandbox_cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct sandbox_cgroup {
	char *base;		/* grader-PID, our folder in the pids hierarchy */
	char *home;		/* the cgroup.procs of the cgroup the grader started in */
	char *own;		/* the cgroup own_pid moved itself into, or NULL */
	pid_t own_pid;
	pid_t owner;		/* the process that made base: only it removes it */
	bool v2;		/* the unified hierarchy: base hands the pids controller down */
};

/*
 * Creates base (again: see sandbox_cgroup_limit) and, on v2, hands the
 * pids controller down to the cgroups below it.
 */
static int create_base(const struct sandbox_cgroup *cg, const char *base)
{
	if (mkdir(base, 0755) < 0 && errno != EEXIST)
		return error_errno("cgroup: mkdir %s", base);
	if (!cg->v2)
		return 0;
	char *control = path_join(base, "cgroup.subtree_control");
	int rc = write_text_file(control, "+pids");
	free(control);
	if (rc < 0)
		rmdir(base);
	return rc;
}

/* Whether the comma-separated list names controller itself (not "cpuset" for "cpu"). */
static bool lists_controller(const char *list, const char *controller)
{
	size_t len = strlen(controller);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && !strncmp(p, controller, len))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

char *sandbox_cgroup_own_dir(const char *mount, const char *controller)
{
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	char *found = NULL;
	if (read_file("/proc/self/cgroup", &text) == 0) {
		for (char *line = text.buf; line && *line && !found;) {
			char *end = strchr(line, '\n');
			if (end)
				*end = '\0';
			/* "N:controllers:/path" */
			char *c = strchr(line, ':');
			char *path = c ? strchr(c + 1, ':') : NULL;
			if (path) {
				*path++ = '\0';
				bool match = controller ? lists_controller(c + 1, controller)
							: !strcmp(line, "0") && c[1] == '\0';
				if (match)
					found = xasprintf("%s%s", mount, strcmp(path, "/") ? path : "");
			}
			line = end ? end + 1 : NULL;
		}
	}
	strbuf_release(&text);
	return found;
}

/* Removes the cgroup dir and the cgroups in it; those with a process in them stay. */
static void remove_cgroup_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char *sub = path_join(dir, de->d_name);
		rmdir(sub);
		free(sub);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void sandbox_sweep_dead(const char *parent, const char *prefix, bool exact,
			void (*remove)(const char *path))
{
	DIR *d = opendir(parent);
	struct dirent *de;
	size_t len = strlen(prefix);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, len) || !isdigit((unsigned char)de->d_name[len]))
			continue;
		char *end;
		long pid = strtol(de->d_name + len, &end, 10);
		if (pid <= 0 || pid > INT_MAX || (exact ? *end != '\0' : *end != '-'))
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *path = path_join(parent, de->d_name);
		remove(path);
		free(path);
	}
	if (d)
		closedir(d);
}

/*
 * The folder of our own (base), made below the cgroup the grader was
 * started in (home): whatever limit an operator or a CI runner set there
 * binds the grader and every test too.  -1 when the machine has no pids
 * cgroup for us.
 */
static int make_base(struct sandbox_cgroup *cg)
{
	char *home_dir = NULL;
	bool v2 = false;
	if (path_is_dir("/sys/fs/cgroup/pids")) {
		home_dir = sandbox_cgroup_own_dir("/sys/fs/cgroup/pids", "pids");
	} else if (path_exists("/sys/fs/cgroup/cgroup.controllers")) {
		v2 = true;
		home_dir = sandbox_cgroup_own_dir("/sys/fs/cgroup", NULL);
	} else {
		return error("cgroup: no cgroup file system at /sys/fs/cgroup");
	}
	if (!home_dir)
		return error("cgroup: /proc/self/cgroup does not say which cgroup the grader is in");
	int ret = -1;
	char *base = xasprintf("%s/grader-%d", home_dir, (int)getpid());
	if (v2) {
		/*
		 * v2 hands a controller to children only from a cgroup without
		 * processes of its own (the root excepted): where the grader was
		 * started among other processes, this fails, and says so.
		 */
		struct strbuf controllers = STRBUF_INIT;
		strbuf_init(&controllers);
		char *available = path_join(home_dir, "cgroup.controllers");
		bool has_pids = read_file(available, &controllers) == 0 &&
				strstr(controllers.buf, "pids");
		strbuf_release(&controllers);
		free(available);
		char *subtree = path_join(home_dir, "cgroup.subtree_control");
		int rc = !has_pids ? error("cgroup: %s has no pids controller", home_dir)
				   : write_text_file(subtree, "+pids");
		free(subtree);
		if (rc < 0)
			goto out;
	}
	sandbox_sweep_dead(home_dir, "grader-", true, remove_cgroup_tree);
	cg->v2 = v2;
	if (create_base(cg, base) < 0)
		goto out;
	cg->home = path_join(home_dir, "cgroup.procs");
	cg->base = base;
	base = NULL;
	ret = 0;
out:
	free(base);
	free(home_dir);
	return ret;
}

struct sandbox_cgroup *sandbox_cgroup_new(void)
{
	struct sandbox_cgroup *cg = xcalloc(1, sizeof(*cg));
	cg->owner = getpid();
	if (make_base(cg) < 0) {
		free(cg->home);
		free(cg);
		return NULL;
	}
	return cg;
}

static int write_text_at(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	int ret = write_text_file(path, text);
	free(path);
	return ret;
}

int sandbox_cgroup_limit(struct sandbox_cgroup *cg, long long processes)
{
	if (cg->own_pid != getpid()) {
		cg->own_pid = getpid();
		free(cg->own);
		cg->own = xasprintf("%s/w%d", cg->base, (int)getpid());
		/*
		 * base is empty until the first process joins: a grader in another
		 * PID namespace, to which our pid looks dead, may have swept it as a
		 * killed grader's.  It is made again then.
		 */
		int rc = mkdir(cg->own, 0755);
		if (rc < 0 && errno == ENOENT && create_base(cg, cg->base) == 0)
			rc = mkdir(cg->own, 0755);
		/* "0" is the writer itself. */
		if ((rc < 0 && errno != EEXIST && error_errno("cgroup: mkdir %s", cg->own)) ||
		    write_text_at(cg->own, "cgroup.procs", "0") < 0) {
			error_prefix("cgroup: this process could not join its own cgroup");
			rmdir(cg->own);
			free(cg->own);
			cg->own = NULL;
			return -1;
		}
	}
	if (!cg->own)
		return error("cgroup: this process could not join its own cgroup");
	char value[32];
	if (processes > 0)
		snprintf(value, sizeof(value), "%lld", processes + 2);
	else
		snprintf(value, sizeof(value), "max");
	return write_text_at(cg->own, "pids.max", value);
}

int sandbox_cgroup_try(struct sandbox_cgroup *cg)
{
	/* In a child: the grader itself stays where it is until its first run. */
	pid_t pid = fork();
	if (pid < 0)
		return error_errno("cgroup: fork");
	if (pid == 0)
		_exit(sandbox_cgroup_limit(cg, 1) == 0 ? 0 : 1);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char *own = xasprintf("%s/w%d", cg->base, (int)pid);
	rmdir(own);
	free(own);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error("cgroup: a process cannot join a cgroup of its own in %s and limit it",
			     cg->base);
	return 0;
}

void sandbox_cgroup_free(struct sandbox_cgroup *cg)
{
	if (!cg)
		return;
	/* Back where it came from: a cgroup with a process in it cannot be removed. */
	if (cg->own && cg->own_pid == getpid() && write_text_file(cg->home, "0") == 0)
		rmdir(cg->own);
	/* With the cgroups of batch workers, which exited without leaving theirs. */
	if (getpid() == cg->owner)
		remove_cgroup_tree(cg->base);
	free(cg->own);
	free(cg->home);
	free(cg->base);
	free(cg);
}
