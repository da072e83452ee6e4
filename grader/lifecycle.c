#include "lifecycle.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"
#include "util.h"

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

int lifecycle_init(struct lifecycle *lc)
{
	lc->sigfd = -1;
	lc->self = getpid();
	sigset_t set;
	stop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, &lc->old_mask) < 0)
		return error_errno("cannot block the stop signals");
	lc->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (lc->sigfd < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		error_errno("cannot watch for the stop signals");
		lifecycle_release(lc);
		return -1;
	}
	return 0;
}

void lifecycle_release(struct lifecycle *lc)
{
	close_fd(&lc->sigfd);
	sigprocmask(SIG_SETMASK, &lc->old_mask, NULL);
}

int lifecycle_signal(struct lifecycle *lc)
{
	struct signalfd_siginfo ssi;
	ssize_t n;
	do
		n = read(lc->sigfd, &ssi, sizeof(ssi));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(ssi) ? (int)ssi.ssi_signo : 0;
}

pid_t lifecycle_fork(struct lifecycle *lc)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/*
	 * Killed with its parent, even by a SIGKILL no handler sees.  A parent
	 * that died before the request is noticed too: this process has been
	 * re-parented already.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != lc->self)
		_exit(EXIT_FAILURE);
	/*
	 * The stop signals stay blocked: a Ctrl-C reaches the whole process
	 * group, and a worker that died of it would be taken for one that
	 * crashed.  The watcher alone acts on them, and kills its children.
	 */
	close_fd(&lc->sigfd);
	return 0;
}

/* This process's children, from /proc; caller frees.  Kernels without CONFIG_PROC_CHILDREN give none. */
static size_t own_children(pid_t **out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	struct strbuf text = STRBUF_INIT;
	strbuf_init(&text);
	size_t n = 0;
	*out = NULL;
	if (read_file(path, &text) == 0) {
		for (char *p = text.buf, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = (pid_t)pid;
		}
	}
	strbuf_release(&text);
	return n;
}

static bool kept(pid_t pid, const pid_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == pid)
			return true;
	return false;
}

void lifecycle_reap_orphans(const pid_t *keep, size_t n)
{
	for (;;) {
		pid_t *kids;
		size_t nkids = own_children(&kids);
		size_t reaped = 0;
		for (size_t i = 0; i < nkids; i++) {
			if (kept(kids[i], keep, n))
				continue;
			kill(kids[i], SIGKILL);
			while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
				;
			reaped++;
		}
		free(kids);
		if (!reaped)
			break;
	}
}

int lifecycle_run(struct lifecycle *lc, int (*fn)(void *), void *arg, pid_t *child)
{
	/* The child's end comes as SIGCHLD, read here like the stop signals. */
	sigset_t chld, before;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &before);
	int chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	pid_t pid = chld_fd < 0 ? -1 : lifecycle_fork(lc);
	if (pid == 0) {
		close(chld_fd);
		exit(fn(arg));
	}
	*child = pid;
	int ret = -1;
	if (pid < 0) {
		error_errno("cannot start the grading process");
		goto out;
	}
	int status = 0, sig = 0;
	bool failed = false;
	while (!failed && waitpid(pid, &status, WNOHANG) != pid && !(sig = lifecycle_signal(lc))) {
		struct pollfd pfds[2] = {{lc->sigfd, POLLIN, 0}, {chld_fd, POLLIN, 0}};
		failed = poll(pfds, 2, -1) < 0 && errno != EINTR && error_errno("poll");
		struct signalfd_siginfo ssi;
		while (read(chld_fd, &ssi, sizeof(ssi)) == (ssize_t)sizeof(ssi))
			;
	}
	if (sig || failed) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	lifecycle_reap_orphans(NULL, 0);
	if (failed)
		ret = -1;
	else if (sig)
		ret = LIFECYCLE_STOPPED + sig;
	else if (WIFSIGNALED(status))
		ret = error("the grading process was killed by %s", signal_name(WTERMSIG(status)));
	else
		ret = WEXITSTATUS(status);
out:
	close_fd(&chld_fd);
	sigprocmask(SIG_SETMASK, &before, NULL);
	return ret;
}

_Noreturn void lifecycle_die(int sig)
{
	fflush(NULL);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(LIFECYCLE_STOPPED + sig);
}

/* ---- scratch folders ---------------------------------------------------- */

char *lifecycle_make_scratch(int *lock)
{
	char *prefix = xasprintf("grader-%d", (int)getpid());
	char *scratch = make_scratch_dir(prefix);
	free(prefix);
	*lock = scratch ? lock_dir(scratch, true) : -1;
	if (scratch && *lock < 0) {
		error_errno("cannot lock %s", scratch);
		remove_tree(scratch);
		free(scratch);
		return NULL;
	}
	return scratch;
}

void lifecycle_keep_scratch(const char *scratch)
{
	const char *base = strrchr(scratch, '/') + 1;
	char *kept = xasprintf("%.*sgrader-kept-%s", (int)(base - scratch), scratch,
			       base + strlen("grader-"));
	const char *shown = rename(scratch, kept) == 0 ? kept : scratch;
	fprintf(stderr, "grader: scratch folder kept: %s\n", shown);
	free(kept);
}

/*
 * Whether the grader pid (from a scratch folder's name) may still be making
 * that folder, between mkdtemp() and its lock.  A zombie is not: a worker
 * killed with its parent stays one until the machine's init reaps it, and
 * its folder would stay as long.  A pid of another PID namespace that
 * happens to live here only delays the sweep: the lock is what counts.
 */
static bool grader_alive(pid_t pid)
{
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, stat, sizeof(stat)) <= 0)
		return kill(pid, 0) == 0 || errno != ESRCH;
	const char *state = strrchr(stat, ')');
	return !state || (state[1] && state[2] != 'Z' && state[2] != 'X');
}

/*
 * Removes the grader-PID-XXXXXX folders in $TMPDIR of pid (> 0), or of
 * every grader that is gone and left its folder unlocked (0).
 */
static void remove_scratch(pid_t of)
{
	const char *tmp = scratch_parent();
	DIR *d = opendir(tmp);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char *end;
		/* Not grader-root-... (the sandbox's), nor grader-kept-... (--keep-scratch). */
		if (strncmp(de->d_name, "grader-", 7) || !isdigit((unsigned char)de->d_name[7]))
			continue;
		long pid = strtol(de->d_name + 7, &end, 10);
		if (*end != '-' || pid <= 0 || pid > INT_MAX || (of ? pid != of : grader_alive((pid_t)pid)))
			continue;
		char *path = path_join(tmp, de->d_name);
		int lock = of ? -1 : lock_dir(path, false);
		if (of || lock >= 0)
			remove_tree(path);
		close_fd(&lock);
		free(path);
	}
	if (d)
		closedir(d);
}

void lifecycle_sweep_scratch(void)
{
	remove_scratch(0);
}

void lifecycle_remove_scratch_of(pid_t pid)
{
	if (pid > 0)
		remove_scratch(pid);
}
