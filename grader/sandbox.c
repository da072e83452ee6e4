#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "cpu_idle.h"
#include "sandbox_cgroup.h"
#include "sandbox_fs.h"
#include "sandbox_wire.h"
#include "seccomp.h"

/* The unprivileged account a root grader runs student code as. */
#define SANDBOX_ROOT_UID 65534
#define SANDBOX_ROOT_GID 65534

/*
 * How long past the latest deadline its run can reach (the timeout and the
 * waits for a CPU it may be credited: run.h) init may take to answer before
 * it is killed.
 */
#define SANDBOX_WATCHDOG_MS 20000

/* What isolation_missing says when root's pids cgroup cannot be had. */
#define CGROUP_MISSING \
	"cgroup process limit (%s; RLIMIT_NPROC of uid %d, shared by all tests, is used instead)"

#define NAMESPACE_FLAGS (CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS)

struct sandbox {
	bool namespaces;	/* clone3 into fresh namespaces works here */
	bool root;		/* no user namespace: ids are switched instead */
	uint64_t clone_flags;
	uid_t uid;		/* who student code runs as, inside the namespaces */
	gid_t gid;
	struct seccomp_filter *seccomp;
	struct sandbox_cgroup *cgroup;	/* root's process limit (sandbox_cgroup.h), or NULL */
	pid_t owner;		/* the process that made it: batch workers share it, only it removes it */
	/* The previous run's init, answered but not yet reaped, and the process whose child it is. */
	pid_t exiting_init;
	pid_t exiting_init_parent;
	/*
	 * The empty folder each run's new root is mounted on, in the run's own
	 * mount namespace: one for all runs (a folder made and removed per run
	 * costs more than the run's mounts), batch workers' included.
	 */
	char *root_dir;
	int root_lock;		/* holds root_dir's flock: it is in use (-1: none) */
	struct strvec missing;
};

static pid_t clone3_fork(uint64_t flags)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* An ordinary user may map exactly its own ids, and must give up setgroups first. */
static int write_id_maps(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], map[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (write_text_file(path, "deny") < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_text_file(path, map) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_text_file(path, map);
}

/* Can this machine give a child all the namespaces?  The answer costs one short-lived process. */
static int probe_namespaces(struct sandbox *sb)
{
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return error_errno("sandbox: pipe");
	pid_t pid = clone3_fork(sb->clone_flags);
	if (pid < 0) {
		int err = errno;
		close(go[0]);
		close(go[1]);
		errno = err;
		return error_errno("clone3%s", err == ENOSYS ? " (Linux 5.3 and later)" : "");
	}
	if (pid == 0) {
		char c;
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	close(go[0]);
	int ret = 0;
	if (!sb->root && write_id_maps(pid, sb->uid, sb->gid) < 0)
		ret = -1;
	if (ret == 0)
		(void)!write(go[1], "g", 1);
	close(go[1]);
	waitpid(pid, NULL, 0);
	return ret;
}

/* Lists the cgroup limit as missing (error_last() says why). */
static void cgroup_missing(struct sandbox *sb)
{
	strvec_pushf(&sb->missing, CGROUP_MISSING, error_last(), SANDBOX_ROOT_UID);
}

/*
 * A new-root folder whose grader is gone.  Its pid alone cannot tell: a
 * grader in another PID namespace sharing this $TMPDIR may have the same
 * number.  A live grader holds a lock on its folder (make_root_dir).
 */
static void remove_unlocked_root_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		rmdir(dir);
	close(fd);
}

/*
 * The folder new roots are mounted on, grader-root-PID-XXXXXX in $TMPDIR,
 * locked (flock) for as long as the grader, or a fork of it, lives: *lock_fd.
 * Those of graders that were killed are removed first: always empty on the
 * host, rmdir() is enough and can remove nothing else.
 */
static char *make_root_dir(int *lock_fd)
{
	const char *tmp = scratch_parent();
	sandbox_sweep_dead(tmp, "grader-root-", false, remove_unlocked_root_dir);
	char *prefix = xasprintf("grader-root-%d", (int)getpid());
	char *dir = make_scratch_dir_in(tmp, prefix);
	free(prefix);
	*lock_fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dir && (*lock_fd < 0 || flock(*lock_fd, LOCK_EX) < 0)) {
		error_errno("sandbox: lock %s", dir);
		close_fd(lock_fd);
		rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static int probe_whole_sandbox(struct sandbox *sb);

struct sandbox *sandbox_new(bool enabled)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	strvec_init(&sb->missing);
	sb->owner = getpid();
	sb->root_lock = -1;
	sb->root = geteuid() == 0;
	sb->uid = sb->root ? SANDBOX_ROOT_UID : getuid();
	sb->gid = sb->root ? SANDBOX_ROOT_GID : getgid();
	sb->clone_flags = NAMESPACE_FLAGS | (sb->root ? 0 : CLONE_NEWUSER);
	/* The CPU quota is read here, while /sys/fs/cgroup is in view: each test's init inherits it. */
	cpu_usable();

	sb->seccomp = seccomp_filter_new();
	if (!sb->seccomp)
		strvec_pushf(&sb->missing, "seccomp (%s)", error_last());
	else if (!seccomp_filter_reports(sb->seccomp))
		strvec_push(&sb->missing,
			    "seccomp reports (the kernel has no user notification: denied calls fail unreported)");

	if (!enabled) {
		strvec_push(&sb->missing, "namespaces and file system isolation (--no-sandbox)");
		return sb;
	}
	if (probe_namespaces(sb) < 0) {
		strvec_pushf(&sb->missing, "namespaces (user, pid, ipc, net, mount, uts: %s)",
			     error_last());
		return sb;
	}
	sb->root_dir = make_root_dir(&sb->root_lock);
	if (!sb->root_dir) {
		strvec_pushf(&sb->missing, "namespaces and file system isolation (%s)", error_last());
		return sb;
	}
	sb->namespaces = true;
	if (probe_whole_sandbox(sb) < 0) {
		sb->namespaces = false;
		strvec_pushf(&sb->missing, "namespaces and file system isolation (%s)", error_last());
		return sb;
	}
	/* Tried once here: a limit the machine refuses is said now, and is not tried per run. */
	if (sb->root && (!(sb->cgroup = sandbox_cgroup_new()) ||
			 sandbox_cgroup_try(sb->cgroup) < 0)) {
		cgroup_missing(sb);
		sandbox_cgroup_free(sb->cgroup);
		sb->cgroup = NULL;
	}
	return sb;
}

static void reap_exiting_init(struct sandbox *sb)
{
	/* A batch worker's copy of the sandbox never saw its parent's init. */
	if (sb->exiting_init > 0 && sb->exiting_init_parent == getpid())
		waitpid(sb->exiting_init, NULL, 0);
	sb->exiting_init = 0;
}

void sandbox_free(struct sandbox *sb)
{
	if (!sb)
		return;
	reap_exiting_init(sb);
	sandbox_cgroup_free(sb->cgroup);
	if (sb->root_dir && getpid() == sb->owner)
		rmdir(sb->root_dir);
	close_fd(&sb->root_lock);
	free(sb->root_dir);
	seccomp_filter_free(sb->seccomp);
	strvec_clear(&sb->missing);
	free(sb);
}

bool sandbox_full(const struct sandbox *sb)
{
	return sb->missing.n == 0;
}

const struct strvec *sandbox_missing(const struct sandbox *sb)
{
	return &sb->missing;
}

/* ---- init: pid 1 of the test's namespaces ------------------------------- */

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid) < 0 ? -1 : 0;
}

/* Moves fd above the standard descriptors (init gives those to /dev/null). */
static int above_stdio(int fd)
{
	if (fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return moved < 0 ? fd : moved;
}

/*
 * Closes every inherited descriptor but the two init needs (both above 2),
 * and puts /dev/null on 0 and 1, and on 2 when it is a terminal: init keeps
 * nothing of the grader's terminal, which a student could otherwise reach
 * through /proc/1/fd.  A stderr that is a file or a pipe stays, for what
 * init itself has to say (a sanitizer's report in the test build).
 */
static void close_other_fds(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;
	if (lo > 3)
		compat_close_range(3U, (unsigned)lo - 1, 0U);
	if (hi > lo + 1)
		compat_close_range((unsigned)lo + 1, (unsigned)hi - 1, 0U);
	compat_close_range((unsigned)hi + 1, ~0U, 0U);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int last = isatty(2) ? 2 : 1;
	for (int fd = 0; fd <= last; fd++)
		if (null < 0 || dup2(null, fd) < 0)
			close(fd);
	if (null > 2)
		close(null);
}

/*
 * Init's answer: a tag, then a body.  'R' a result (sandbox_wire.h); 'E'
 * the machine refused part of the set-up (the test is an error); 'L' the
 * submission does not fit its working folder (the test fails).
 */
static void init_send(int fd, char tag, const struct strbuf *body)
{
	(void)!write_all(fd, &tag, 1);
	if (body)
		(void)!write_all(fd, body->buf, body->len);
}

_Noreturn static void init_fail(int fd, char tag, const char *step)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_init(&msg);
	strbuf_addf(&msg, "%s%s%s", step, *step ? ": " : "", error_last());
	init_send(fd, tag, &msg);
	strbuf_release(&msg);
	_exit(1);
}

/* What a working folder of this kind is called in messages. */
static const char *workdir_label(enum sandbox_workdir wd)
{
	return wd == SANDBOX_WORKDIR_BUILD ? "the build's working folder"
					   : "a test's working folder";
}

/*
 * Whether a footprint fits a working folder; if not, *why (owned) says so
 * in the student's terms.
 */
static bool footprint_fits(const struct sandbox_fs_footprint *fp, const char *what,
			   enum sandbox_workdir wd, char **why)
{
	if (fp->bytes > SANDBOX_DISK_SIZE) {
		char *size = human_size((double)fp->bytes);
		char *room = human_size((double)SANDBOX_DISK_SIZE);
		*why = xasprintf("%s take %s (sparse files count in full); %s holds %s", what, size,
				 workdir_label(wd), room);
		free(size);
		free(room);
		return false;
	}
	if (fp->files > SANDBOX_FS_FILES) {
		*why = xasprintf("%s are %lld files and folders; %s holds %d", what, fp->files,
				 workdir_label(wd), SANDBOX_FS_FILES);
		return false;
	}
	if (fp->too_deep) {
		*why = xasprintf("%s nest folders more than %d deep; %s holds at most %d levels",
				 what, TREE_DEPTH_MAX, workdir_label(wd), TREE_DEPTH_MAX);
		return false;
	}
	return true;
}

/*
 * A build's results go back to the host folder (host_fd, opened before the
 * new root hid it), if they fit: 0, or -1 with res->setup_failure set (the
 * build made too much) or, for a machine's failure, error_last().
 */
static int copy_back(const struct run_request *req, int host_fd, struct run_result *res)
{
	const char *const own[] = {req->workdir, NULL};
	struct sandbox_fs_footprint fp;
	if (sandbox_fs_footprint(own, &fp) < 0)
		return -1;
	char *why = NULL;
	if (!footprint_fits(&fp, "the files the build left", SANDBOX_WORKDIR_BUILD, &why)) {
		res->setup_failure = why;
		return 0;
	}
	char host[32];
	snprintf(host, sizeof(host), "/proc/self/fd/%d", host_fd);
	if (copy_tree(req->workdir, host) < 0) {
		error_prefix("sandbox: copy the build's files back");
		return -1;
	}
	return 0;
}

/*
 * /proc/1/cmdline is readable by every process of the test: it would show
 * the grader's whole command line (the spec's and the submissions' paths)
 * and, past it, its environment.  Init blanks the memory both are read
 * from (the arguments and the environment strings lie back to back from
 * argv[0] on) and calls itself "grader-init".
 */
static void hide_command_line(void)
{
	char *start = program_invocation_name;
	size_t len = 0;
	const char *const files[] = {"/proc/self/cmdline", "/proc/self/environ"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		char buf[4096];
		ssize_t n;
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			len += (size_t)n;
		if (fd >= 0)
			close(fd);
	}
	static const char name[] = "grader-init";
	if (!start || len < sizeof(name))
		return;
	memset(start, 0, len);
	memcpy(start, name, sizeof(name));
}

_Noreturn static void init_main(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir wd,
		      const char *const *sources, int go_fd, int result_fd)
{
	go_fd = above_stdio(go_fd);
	result_fd = above_stdio(result_fd);
	close_other_fds(go_fd, result_fd);
	/* The namespace, and every process in it, ends with the grader. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* No controlling terminal for anything of the test (each process also makes its own session). */
	setsid();
	char go;
	if (read(go_fd, &go, 1) != 1)
		_exit(1);
	close(go_fd);
	/*
	 * As an ordinary user, student code runs under init's own uid: keep it
	 * from reading init's memory or its environment (/proc/1/environ holds
	 * the grader's, CI secrets included).
	 */
	prctl(PR_SET_DUMPABLE, 0);
	hide_command_line();
	clearenv();

	/* stdin files live in the spec's folder, which the new root hides: open them first. */
	struct run_proc_spec *procs = xcalloc(req->nprocs, sizeof(*procs));
	char (*fd_paths)[32] = xcalloc(req->nprocs, sizeof(*fd_paths));
	for (size_t i = 0; i < req->nprocs; i++) {
		procs[i] = req->procs[i];
		if (!procs[i].stdin_file)
			continue;
		int fd = open(procs[i].stdin_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			error_errno("open %s", procs[i].stdin_file);
			init_fail(result_fd, 'E', "stdin_file");
		}
		snprintf(fd_paths[i], sizeof(fd_paths[i]), "/proc/self/fd/%d", fd);
		procs[i].stdin_file = fd_paths[i];
	}
	/* A build's host folder, where its results go back once the new root hides it. */
	int host_fd = -1;
	if (wd == SANDBOX_WORKDIR_BUILD &&
	    (host_fd = open(req->workdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		error_errno("open %s", req->workdir);
		init_fail(result_fd, 'E', "");
	}

	if (sethostname("sandbox", 7) < 0) {
		error_errno("sethostname");
		init_fail(result_fd, 'E', "");
	}
	struct sandbox_fs_config fs = {
		.workdir = req->workdir,
		.tmp_size = SANDBOX_DISK_SIZE,
		.scratch_root = sb->root_dir,
		.workdir_size = SANDBOX_DISK_SIZE,
		.workdir_sources = sources,
		.sandbox_uid = (unsigned)sb->uid,
		.sandbox_gid = (unsigned)sb->gid,
		.own_copies = sb->root,
	};
	int rc = sandbox_fs_setup(&fs);
	if (rc == SANDBOX_FS_FULL) {
		char *room = human_size((double)SANDBOX_DISK_SIZE);
		error("the submission and the files copied with it do not fit in %s (%s, %d files "
		      "and folders)",
		      workdir_label(wd), room, SANDBOX_FS_FILES);
		free(room);
		init_fail(result_fd, 'L', "");
	}
	if (rc < 0)
		init_fail(result_fd, 'E', "");

	struct run_confinement confine = {
		.switch_ids = sb->root,
		.uid = sb->uid,
		.gid = sb->gid,
		/* In a user namespace RLIMIT_NPROC counts only the namespace's processes (init included). */
		.nproc_rlimit = !sb->cgroup,
		.seccomp = sb->seccomp,
	};
	struct run_request inner = *req;
	inner.procs = procs;
	inner.confine = &confine;
	inner.ipc_scope = IPC_SCOPE_NAMESPACE;

	struct run_result res;
	if (run_processes(&inner, &res) < 0)
		init_fail(result_fd, 'E', "");
	if (host_fd >= 0 && copy_back(req, host_fd, &res) < 0)
		init_fail(result_fd, 'E', "");
	struct strbuf msg = STRBUF_INIT;
	strbuf_init(&msg);
	sandbox_wire_put_result(&msg, &res);
	init_send(result_fd, 'R', &msg);
	_exit(0);
}

/* ---- the grader's side -------------------------------------------------- */

long long sandbox_answer_wait_ms(long long timeout_ms)
{
	return run_latest_deadline_ms(timeout_ms) + SANDBOX_WATCHDOG_MS;
}

/* Reads init's whole answer, or gives up at the watchdog's deadline. */
static int read_answer(int fd, double deadline, struct strbuf *out)
{
	char chunk[65536];
	for (;;) {
		double now = now_seconds();
		if (now >= deadline)
			return error("sandbox: the test's init process did not answer in time");
		struct pollfd pfd = {fd, POLLIN, 0};
		int rc = poll(&pfd, 1, (int)((deadline - now) * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			return error_errno("sandbox: poll");
		if (rc <= 0)
			continue;
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_errno("sandbox: read");
		if (n == 0)
			return 0;
		strbuf_add(out, chunk, (size_t)n);
	}
}

/*
 * Where the machine gave no namespaces (said at start-up, sandbox_missing):
 * student code still never runs as root, and gets no_new_privs, seccomp,
 * rlimits and a session of its own.  A working folder made of sources is
 * made on the host, and a test's is removed after.
 */
static int run_unsandboxed(struct sandbox *sb, const struct run_request *req,
			   enum sandbox_workdir wd, struct run_result *res)
{
	struct run_confinement confine = {
		.switch_ids = sb->root,
		.uid = sb->uid,
		.gid = sb->gid,
		.nproc_rlimit = true,
		.seccomp = sb->seccomp,
	};
	struct run_request plain = *req;
	plain.confine = &confine;
	plain.ipc_scope = IPC_SCOPE_CREATORS;
	bool made = wd == SANDBOX_WORKDIR_COPY && req->workdir_sources;
	if (mkdir_p(req->workdir, 0755) < 0) {
		error_prefix("sandbox: create %s", req->workdir);
		return -1;
	}
	for (const char *const *src = req->workdir_sources; src && *src; src++) {
		if (copy_tree(*src, req->workdir) < 0) {
			error_prefix("sandbox: copy %s into %s", *src, req->workdir);
			if (made)
				remove_tree(req->workdir);
			return -1;
		}
	}
	if (sb->root) {
		chown_uid = sb->uid;
		chown_gid = sb->gid;
		if (nftw(req->workdir, chown_entry, 16, FTW_PHYS) < 0) {
			error_errno("sandbox: chown %s", req->workdir);
			if (made)
				remove_tree(req->workdir);
			return -1;
		}
	}
	run_result_release(res);
	int ret = run_processes(&plain, res);
	if (made)
		remove_tree(req->workdir);
	return ret;
}

/* Absolute paths of req's workdir sources (sandbox_fs wants them): a NULL-terminated strvec, or -1. */
static int absolute_sources(const struct run_request *req, struct strvec *out)
{
	for (const char *const *src = req->workdir_sources; src && *src; src++) {
		char *abs = realpath(*src, NULL);
		if (!abs)
			return error_errno("sandbox: %s", *src);
		strvec_push_owned(out, abs);
	}
	return 0;
}

/*
 * Whether what a run copies into its working folder fits there: checked
 * before anything is copied (or run), so that a submission that is too
 * large is the submission's failure (res->setup_failure), never a sandbox
 * that could not be set up.
 */
static void check_fits(const struct run_request *req, enum sandbox_workdir wd,
		       struct run_result *res)
{
	const char *const own[] = {req->workdir, NULL};
	const char *const *sources = req->workdir_sources ? req->workdir_sources : own;
	struct sandbox_fs_footprint fp;
	char *why = NULL;
	/* What cannot be read cannot be copied: a submission's own doing (modes, a dangling name). */
	if (sandbox_fs_footprint(sources, &fp) < 0)
		res->setup_failure = xasprintf("the submission cannot be copied: %s", error_last());
	else if (!footprint_fits(&fp, "the submission and the files copied with it", wd, &why))
		res->setup_failure = why;
}

int sandbox_run(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir wd,
		struct run_result *res)
{
	reap_exiting_init(sb);
	run_result_init(res, req);
	check_fits(req, wd, res);
	if (res->setup_failure)
		return 0;
	if (!sb->namespaces)
		return run_unsandboxed(sb, req, wd, res);

	struct strvec sources = STRVEC_INIT;
	strvec_init(&sources);
	int go[2] = {-1, -1}, result[2] = {-1, -1};
	struct strbuf answer = STRBUF_INIT;
	strbuf_init(&answer);
	pid_t pid = -1;
	int ret = -1;

	if (absolute_sources(req, &sources) < 0)
		goto out;
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(result, O_CLOEXEC) < 0) {
		error_errno("sandbox: pipe");
		goto out;
	}
	/*
	 * Root's process limit.  Where start-up found none, RLIMIT_NPROC, and
	 * the report says so; where it found one, a run it cannot limit is not
	 * run at all.
	 */
	if (sb->cgroup && sandbox_cgroup_limit(sb->cgroup, req->limits.processes) < 0)
		goto out;
	pid = clone3_fork(sb->clone_flags);
	if (pid < 0) {
		error_errno("sandbox: clone3");
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		close(result[0]);
		init_main(sb, req, wd, req->workdir_sources ? (const char *const *)sources.v : NULL,
			  go[0], result[1]);
	}
	close_fd(&go[0]);
	close_fd(&result[1]);
	if (!sb->root && write_id_maps(pid, sb->uid, sb->gid) < 0)
		goto out;
	if (write_all(go[1], "g", 1) < 0) {
		error_errno("sandbox: start init");
		goto out;
	}
	close_fd(&go[1]);

	double deadline = now_seconds() + (double)sandbox_answer_wait_ms(req->timeout_ms) / 1000.0;
	if (read_answer(result[0], deadline, &answer) < 0)
		goto out;
	if (answer.len == 0) {
		error("sandbox: the test's init process ended without an answer");
	} else if (answer.buf[0] == 'E') {
		/*
		 * The machine refused part of the set-up.  Never run the test with
		 * less isolation than was found at start-up: it is an error.
		 */
		error("the sandbox could not be set up: %.*s", (int)answer.len - 1, answer.buf + 1);
	} else if (answer.buf[0] == 'L') {
		res->setup_failure = xstrndup(answer.buf + 1, answer.len - 1);
		ret = 0;
	} else if (answer.buf[0] != 'R' ||
		   !sandbox_wire_get_result(answer.buf + 1, answer.len - 1, req->nprocs, res)) {
		error("sandbox: malformed answer from the test's init process");
	} else {
		ret = 0;
	}
out:
	if (pid > 0 && ret < 0) {
		/* Killing init tears down its whole PID namespace. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else if (pid > 0) {
		/*
		 * Init has answered and is on its way out, but its namespaces'
		 * teardown waits for RCU grace periods: it is reaped at the next
		 * run (before its pids could count against that run's limit)
		 * while the grader judges this one.
		 */
		sb->exiting_init = pid;
		sb->exiting_init_parent = getpid();
	}
	close_fd(&go[0]);
	close_fd(&go[1]);
	close_fd(&result[0]);
	close_fd(&result[1]);
	strvec_clear(&sources);
	strbuf_release(&answer);
	return ret;
}

/*
 * Sets up a whole sandbox once and runs /bin/true in it, before any student
 * code runs: what the machine refuses (a chroot whose / is no mount point,
 * a mount the kernel forbids) is then known, and said, from the start.
 */
static int probe_whole_sandbox(struct sandbox *sb)
{
	char *argv[] = {"/bin/true", NULL};
	char *envp[] = {"PATH=" "/usr/bin:/bin", NULL};
	const char *const no_sources[] = {NULL};
	struct run_proc_spec proc = {.name = "probe", .argv = argv};
	struct run_request req = {
		.workdir = "/sandbox-probe",
		.envp = envp,
		.limits = {.cpu_ms = 5000, .memory = 0, .processes = 0, .output = 4096,
			   .open_files = 64},
		.timeout_ms = 10000,
		.procs = &proc,
		.nprocs = 1,
		.workdir_sources = no_sources,
	};
	struct run_result res;
	int ret = sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &res);
	const struct run_proc_result *p = &res.procs[0];
	if (ret == 0 && !(p->started && p->exited && !p->signal && p->exit_code == 0))
		ret = error("/bin/true in it %s", p->start_error ? p->start_error : "failed");
	run_result_release(&res);
	return ret;
}
