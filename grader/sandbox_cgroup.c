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
#include <unistd.h>

#include "util.h"

struct sandbox_cgroup {
	char *base;		/* grader-PID, our folder in the pids hierarchy */
	char *home;		/* the cgroup.procs of the cgroup the grader started in */
	char *own;		/* the cgroup own_pid moved itself into, or NULL */
	pid_t own_pid;
	pid_t owner;		/* the process that made base: only it removes it */
};

/*
 * The cgroup.procs file of the cgroup this process is in, in the hierarchy
 * mounted at mount (v1: the line of `controller`; v2: the "0::" line).
 */
static char *own_cgroup_procs(const char *mount, const char *controller)
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
				bool match = controller ? strstr(c + 1, controller) != NULL
							: !strcmp(line, "0") && c[1] == '\0';
				if (match)
					found = xasprintf("%s%s/cgroup.procs", mount,
							  strcmp(path, "/") ? path : "");
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

/* The folder of our own (base) and where we started (home); -1 when the machine has neither. */
static int make_base(struct sandbox_cgroup *cg)
{
	char *base = NULL;
	if (path_is_dir("/sys/fs/cgroup/pids")) {
		cg->home = own_cgroup_procs("/sys/fs/cgroup/pids", "pids");
		sandbox_sweep_dead("/sys/fs/cgroup/pids", "grader-", true, remove_cgroup_tree);
		base = xasprintf("/sys/fs/cgroup/pids/grader-%d", (int)getpid());
		if (mkdir(base, 0755) < 0 && errno != EEXIST) {
			error_errno("cgroup: mkdir %s", base);
			free(base);
			return -1;
		}
	} else if (path_exists("/sys/fs/cgroup/cgroup.controllers")) {
		struct strbuf controllers = STRBUF_INIT;
		strbuf_init(&controllers);
		bool has_pids = read_file("/sys/fs/cgroup/cgroup.controllers", &controllers) == 0 &&
				strstr(controllers.buf, "pids");
		strbuf_release(&controllers);
		if (!has_pids)
			return error("cgroup: the v2 hierarchy has no pids controller");
		cg->home = own_cgroup_procs("/sys/fs/cgroup", NULL);
		sandbox_sweep_dead("/sys/fs/cgroup", "grader-", true, remove_cgroup_tree);
		base = xasprintf("/sys/fs/cgroup/grader-%d", (int)getpid());
		char *control = path_join(base, "cgroup.subtree_control");
		int rc = 0;
		if (write_text_file("/sys/fs/cgroup/cgroup.subtree_control", "+pids") < 0 ||
		    (mkdir(base, 0755) < 0 && errno != EEXIST && error_errno("cgroup: mkdir %s", base)) ||
		    write_text_file(control, "+pids") < 0)
			rc = -1;
		free(control);
		if (rc < 0) {
			rmdir(base);
			free(base);
			return -1;
		}
	} else {
		return error("cgroup: no cgroup file system at /sys/fs/cgroup");
	}
	if (!cg->home) {
		rmdir(base);
		free(base);
		return error("cgroup: /proc/self/cgroup does not say which cgroup the grader is in");
	}
	cg->base = base;
	return 0;
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
		/* "0" is the writer itself. */
		if ((mkdir(cg->own, 0755) < 0 && errno != EEXIST &&
		     error_errno("cgroup: mkdir %s", cg->own)) ||
		    write_text_at(cg->own, "cgroup.procs", "0") < 0) {
			rmdir(cg->own);
			free(cg->own);
			cg->own = NULL;
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
