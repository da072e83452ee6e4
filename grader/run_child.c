/*
 * run_child: a test's process between fork and exec (run_internal.h).
 * Async-signal-safe calls only from fork on: every argument was prepared by
 * the parent.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compat.h"
#include "run_internal.h"
#include "seccomp.h"
#include "util.h"

const char *run_child_step_name(int step)
{
	switch (step) {
	case STEP_STDIN: return "open stdin";
	case STEP_FDS: return "set up descriptors";
	case STEP_IDS: return "switch to the sandbox user";
	case STEP_NO_NEW_PRIVS: return "set no_new_privs";
	case STEP_SECCOMP: return "load the seccomp filter";
	case STEP_TRACE: return "load the trace filter";
	case STEP_SESSION: return "setsid";
	case STEP_CHDIR: return "chdir";
	case STEP_RLIMIT: return "setrlimit";
	default: return "execve";
	}
}

/* Resolves a command without '/' through the fixed PATH, as a shell would. */
char *run_resolve_program(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	char *dirs = xstrdup(RUN_FIXED_PATH);
	char *found = NULL;
	for (char *save, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = path_join(dir, name);
		if (access(candidate, X_OK) == 0) {
			found = candidate;
			break;
		}
		free(candidate);
	}
	free(dirs);
	return found ? found : xstrdup(name);
}

static void set_limit(int resource, rlim_t soft, rlim_t hard, int status_fd)
{
	struct rlimit rl = {soft, hard};
	struct rlimit now;
	/*
	 * Without privilege a hard limit cannot be raised, and valgrind refuses
	 * any change to it: then the soft limit alone enforces the spec's value,
	 * or the existing, stricter hard limit stays.
	 */
	if (setrlimit(resource, &rl) == 0)
		return;
	if (errno == EPERM && getrlimit(resource, &now) == 0) {
		rl.rlim_max = now.rlim_max;
		rl.rlim_cur = now.rlim_max != RLIM_INFINITY && soft > now.rlim_max ? now.rlim_max : soft;
	}
	if (setrlimit(resource, &rl) < 0) {
		struct child_failure f = {STEP_RLIMIT, errno};
		(void)!write(status_fd, &f, sizeof(f));
		_exit(127);
	}
}

_Noreturn static void child_fail(int status_fd, int step)
{
	struct child_failure f = {step, errno};
	(void)!write(status_fd, &f, sizeof(f));
	_exit(127);
}

/*
 * Runs in the child between fork and exec: async-signal-safe calls only.
 * Every argument was prepared by the parent.
 */
/* Hands the seccomp listener to the parent over the status socket (SCM_RIGHTS). */
static void child_send_listener(int status_fd, int listener)
{
	char byte = 'L';
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	if (sendmsg(status_fd, &msg, MSG_NOSIGNAL) < 0)
		child_fail(status_fd, STEP_SECCOMP);
	close(listener);
}

/* The last steps before exec: the sandbox user, no_new_privs and the seccomp filter. */
static void child_confine(const struct run_confinement *c, int status_fd)
{
	if (c->switch_ids &&
	    (setgroups(0, NULL) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
	     setresuid(c->uid, c->uid, c->uid) < 0))
		child_fail(status_fd, STEP_IDS);
	/* No setuid binary or file capability can give the test back what it lost. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(status_fd, STEP_NO_NEW_PRIVS);
	if (c->seccomp) {
		int listener = seccomp_filter_load(c->seccomp);
		if (listener < 0) {
			errno = -listener;
			child_fail(status_fd, STEP_SECCOMP);
		}
		if (listener > 0)
			child_send_listener(status_fd, listener);
	}
}

/*
 * Waits until the parent has tried to seize this process: 'T' means it is
 * traced, so the trace filter may be loaded (without a tracer its calls
 * would fail with ENOSYS).  'D' asks it to be dumpable for the seize
 * (trace_attach), acknowledged on the status socket; it is not any longer
 * than that.
 */
static bool child_await_tracer(const struct child_trace *trace, int status_fd)
{
	/* Its own copy of the runner's end closed, the runner's death reads as end of file. */
	close(trace->go_write_fd);
	bool made_dumpable = false;
	for (;;) {
		char go = 0;
		ssize_t n;
		do
			n = read(trace->go_fd, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1 && go == 'D' && !made_dumpable) {
			char ack = 'A';
			made_dumpable = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0;
			if (made_dumpable)
				(void)!send(status_fd, &ack, 1, MSG_NOSIGNAL);
			continue;
		}
		if (made_dumpable)
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		/* 'U': the runner could not seize it, and says so.  Anything else: the runner is gone. */
		if (n != 1 || (go != 'T' && go != 'U'))
			_exit(127);
		return go == 'T';
	}
}

void run_child_exec(const struct run_child_setup *s)
{
	bool traced = s->trace && child_await_tracer(s->trace, s->status_fd);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* The grader ignores SIGPIPE; ignored dispositions survive execve, defaults must not. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);

	/*
	 * A session of its own, without a controlling terminal: nothing the
	 * program does can reach the terminal the grader was started from
	 * (TIOCSTI, /dev/tty, job-control signals).  Its process group is its
	 * pid, which the runner signals and searches for leftovers.
	 */
	if (setsid() < 0)
		child_fail(s->status_fd, STEP_SESSION);

	/* Move the pipe ends clear of 0-2 first so that no dup2 clobbers another. */
	if (dup2(s->stdin_fd, 0) < 0 || dup2(s->out_fd, 1) < 0 || dup2(s->err_fd, 2) < 0)
		child_fail(s->status_fd, STEP_FDS);
	/* Everything from 3 up, the exec-status pipe included, closes at exec. */
	if (compat_close_range(3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(s->status_fd, STEP_FDS);

	if (chdir(s->workdir) < 0)
		child_fail(s->status_fd, STEP_CHDIR);

	if (s->limits->cpu_ms > 0) {
		rlim_t cpu = (rlim_t)((s->limits->cpu_ms + 999) / 1000);
		/* The soft limit sends SIGXCPU, which the judge reports as a limit, not a crash. */
		set_limit(RLIMIT_CPU, cpu, cpu + 1, s->status_fd);
	}
	if (s->limits->memory > 0)
		set_limit(RLIMIT_AS, (rlim_t)s->limits->memory, (rlim_t)s->limits->memory, s->status_fd);
	if (s->limits->open_files > 0)
		set_limit(RLIMIT_NOFILE, (rlim_t)s->limits->open_files, (rlim_t)s->limits->open_files,
			  s->status_fd);
	if (s->nproc > 0)
		set_limit(RLIMIT_NPROC, s->nproc, s->nproc, s->status_fd);
	set_limit(RLIMIT_CORE, 0, 0, s->status_fd);
	set_limit(RLIMIT_FSIZE, (rlim_t)RUN_FILE_SIZE_LIMIT, (rlim_t)RUN_FILE_SIZE_LIMIT, s->status_fd);
	umask(022);
	if (s->confine)
		child_confine(s->confine, s->status_fd);
	/*
	 * Last, so that only the program's calls stop.  Loading a filter needs
	 * no_new_privs (set again here for an unconfined run).  Where seccomp
	 * is missing (valgrind, old kernels) the tracer is told ('F') and stops
	 * at every call instead: the machine's lack is not the program's fault.
	 */
	if (traced) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			child_fail(s->status_fd, STEP_NO_NEW_PRIVS);
		if (seccomp_filter_load(s->trace->filter) < 0) {
			char no_filter = 'F';
			if (send(s->status_fd, &no_filter, 1, MSG_NOSIGNAL) < 0)
				child_fail(s->status_fd, STEP_TRACE);
		}
	}

	execve(s->path, s->argv, s->envp);
	child_fail(s->status_fd, STEP_EXEC);
}

/*
 * RLIMIT_NPROC counts every process of the real uid that /proc shows (in a
 * sandbox: the test's user namespace).  Root is exempt; for any other user
 * the limit is what that user already runs plus the test's allowance.
 */
rlim_t run_nproc_limit(long long allowed, uid_t uid)
{
	if (allowed <= 0)
		return 0;
	if (uid == 0)
		return (rlim_t)allowed;
	long long running = 0;
	DIR *dir = opendir("/proc");
	if (dir) {
		struct dirent *de;
		while ((de = readdir(dir))) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			struct stat st;
			if (fstatat(dirfd(dir), de->d_name, &st, 0) == 0 && st.st_uid == uid)
				running++;
		}
		closedir(dir);
	}
	return (rlim_t)(running + allowed);
}
