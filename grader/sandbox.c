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

#include "sandbox_cgroup.h"
#include "sandbox_fs.h"
#include "seccomp.h"

/* The unprivileged account a root grader runs student code as. */
#define SANDBOX_ROOT_UID 65534
#define SANDBOX_ROOT_GID 65534

/* How long past its own deadline init may take to answer before it is killed. */
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
	bool cgroup_limits;	/* this run's pids.max is set: no RLIMIT_NPROC needed */
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
		return error_errno("clone3");
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

/* Lists the cgroup limit as missing (error_last() says why), once: each run may fail alike. */
static void cgroup_missing(struct sandbox *sb)
{
	char *what = xasprintf(CGROUP_MISSING, error_last(), SANDBOX_ROOT_UID);
	for (size_t i = 0; i < sb->missing.n; i++) {
		if (!strcmp(sb->missing.v[i], what)) {
			free(what);
			return;
		}
	}
	strvec_push_owned(&sb->missing, what);
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
	if (sb->root && !(sb->cgroup = sandbox_cgroup_new()))
		cgroup_missing(sb);
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

/* ---- the result, across the pipe from init ------------------------------ */

static void put_u64(struct strbuf *sb, uint64_t v)
{
	strbuf_add(sb, &v, sizeof(v));
}

static void put_f64(struct strbuf *sb, double v)
{
	strbuf_add(sb, &v, sizeof(v));
}

/* A NULL string travels as length UINT64_MAX. */
static void put_bytes(struct strbuf *sb, const char *data, size_t len)
{
	put_u64(sb, data ? (uint64_t)len : UINT64_MAX);
	if (data)
		strbuf_add(sb, data, len);
}

static void put_str(struct strbuf *sb, const char *s)
{
	put_bytes(sb, s, s ? strlen(s) : 0);
}

static void put_strvec(struct strbuf *sb, const struct strvec *sv)
{
	put_u64(sb, sv->n);
	for (size_t i = 0; i < sv->n; i++)
		put_str(sb, sv->v[i]);
}

static void put_output(struct strbuf *sb, const struct run_output *o)
{
	put_bytes(sb, o->data, o->len);
	put_u64(sb, o->total);
	put_u64(sb, o->truncated);
}

static void put_trace(struct strbuf *sb, const struct trace_record *t)
{
	put_u64(sb, t->traced);
	put_str(sb, t->unavailable);
	put_u64(sb, t->nprocs);
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct trace_process *p = &t->procs[i];
		put_u64(sb, (uint64_t)p->pid);
		put_u64(sb, (uint64_t)p->ppid);
		put_strvec(sb, &p->argv);
		put_u64(sb, p->exited);
		put_u64(sb, (uint64_t)(int64_t)p->exit_code);
		put_u64(sb, (uint64_t)(int64_t)p->signal);
	}
	put_u64(sb, t->dropped_procs);
	put_u64(sb, t->nevents);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct trace_event *e = &t->events[i];
		put_f64(sb, e->seconds);
		put_u64(sb, (uint64_t)e->pid);
		put_str(sb, e->call);
		put_str(sb, e->args);
		put_u64(sb, e->finished);
		put_u64(sb, (uint64_t)(int64_t)e->result);
	}
	put_u64(sb, t->dropped_events);
	put_u64(sb, t->ncalls);
	for (size_t i = 0; i < t->ncalls; i++) {
		put_str(sb, t->calls[i].name);
		put_u64(sb, t->calls[i].count);
		put_str(sb, t->calls[i].first);
	}
	put_strvec(sb, &t->zombies);
	put_strvec(sb, &t->fds);
}

static void put_result(struct strbuf *sb, const struct run_result *r)
{
	put_u64(sb, r->timed_out);
	put_f64(sb, r->seconds);
	put_strvec(sb, &r->orphans);
	put_strvec(sb, &r->ipc_leftovers);
	put_strvec(sb, &r->denied);
	put_trace(sb, &r->trace);
	put_str(sb, r->diagnosis);
	put_u64(sb, r->nprocs);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct run_proc_result *p = &r->procs[i];
		put_str(sb, p->name);
		put_u64(sb, (uint64_t)p->pid);
		put_u64(sb, p->started);
		put_str(sb, p->start_error);
		put_u64(sb, p->exited);
		put_u64(sb, (uint64_t)(int64_t)p->exit_code);
		put_u64(sb, (uint64_t)(int64_t)p->signal);
		put_f64(sb, p->cpu_seconds);
		put_f64(sb, p->seconds);
		put_output(sb, &p->out);
		put_output(sb, &p->err);
	}
}

struct reader {
	const char *p, *end;
	bool bad;
};

static void get_raw(struct reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t v;
	get_raw(r, &v, sizeof(v));
	return v;
}

static double get_f64(struct reader *r)
{
	double v;
	get_raw(r, &v, sizeof(v));
	return v;
}

/* NUL-terminated copy, or NULL; *len gets the length. */
static char *get_bytes(struct reader *r, size_t *len)
{
	uint64_t n = get_u64(r);
	*len = 0;
	if (r->bad || n == UINT64_MAX)
		return NULL;
	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	char *s = xmemdup0(r->p, (size_t)n);
	r->p += n;
	*len = (size_t)n;
	return s;
}

static char *get_str(struct reader *r)
{
	size_t len;
	return get_bytes(r, &len);
}

static void get_strvec(struct reader *r, struct strvec *sv)
{
	uint64_t n = get_u64(r);
	for (uint64_t i = 0; i < n && !r->bad; i++) {
		char *s = get_str(r);
		if (s)
			strvec_push_owned(sv, s);
	}
}

static void get_output(struct reader *r, struct run_output *o)
{
	free(o->data);
	o->data = get_bytes(r, &o->len);
	if (!o->data)
		o->data = xmemdup0("", 0);
	o->total = get_u64(r);
	o->truncated = get_u64(r) != 0;
}

/* A string that is never NULL (a malformed message may say NULL where it may not). */
static char *get_text(struct reader *r)
{
	char *s = get_str(r);
	return s ? s : xstrdup("");
}

/* A count of items of at least min_size bytes each: more than the message holds is malformed. */
static size_t get_count(struct reader *r, size_t min_size)
{
	uint64_t n = get_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p) / min_size) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

static void get_trace(struct reader *r, struct trace_record *t)
{
	t->traced = get_u64(r) != 0;
	t->unavailable = get_str(r);
	size_t n = get_count(r, 6 * sizeof(uint64_t));
	t->procs = xcalloc(n ? n : 1, sizeof(*t->procs));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_process *p = &t->procs[t->nprocs++];
		p->pid = (pid_t)get_u64(r);
		p->ppid = (pid_t)get_u64(r);
		strvec_init(&p->argv);
		get_strvec(r, &p->argv);
		p->exited = get_u64(r) != 0;
		p->exit_code = (int)(int64_t)get_u64(r);
		p->signal = (int)(int64_t)get_u64(r);
	}
	t->dropped_procs = get_u64(r);
	n = get_count(r, 6 * sizeof(uint64_t));
	t->events = xcalloc(n ? n : 1, sizeof(*t->events));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_event *e = &t->events[t->nevents++];
		e->seconds = get_f64(r);
		e->pid = (pid_t)get_u64(r);
		e->call = get_text(r);
		e->args = get_text(r);
		e->finished = get_u64(r) != 0;
		e->result = (long long)(int64_t)get_u64(r);
	}
	t->dropped_events = get_u64(r);
	n = get_count(r, 3 * sizeof(uint64_t));
	t->calls = xcalloc(n ? n : 1, sizeof(*t->calls));
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct trace_call *c = &t->calls[t->ncalls++];
		c->name = get_text(r);
		c->count = (unsigned long)get_u64(r);
		c->first = get_text(r);
	}
	get_strvec(r, &t->zombies);
	get_strvec(r, &t->fds);
}

/* Fills res from init's message; false when it is malformed. */
static bool get_result(struct reader *r, size_t nprocs, struct run_result *res)
{
	res->timed_out = get_u64(r) != 0;
	res->seconds = get_f64(r);
	get_strvec(r, &res->orphans);
	get_strvec(r, &res->ipc_leftovers);
	get_strvec(r, &res->denied);
	get_trace(r, &res->trace);
	res->diagnosis = get_str(r);
	if (get_u64(r) != nprocs)
		return false;
	for (size_t i = 0; i < nprocs && !r->bad; i++) {
		struct run_proc_result *p = &res->procs[i];
		free(p->name);
		p->name = get_str(r);
		if (!p->name)
			p->name = xstrdup("?");
		p->pid = (pid_t)get_u64(r);
		p->started = get_u64(r) != 0;
		p->start_error = get_str(r);
		p->exited = get_u64(r) != 0;
		p->exit_code = (int)(int64_t)get_u64(r);
		p->signal = (int)(int64_t)get_u64(r);
		p->cpu_seconds = get_f64(r);
		p->seconds = get_f64(r);
		get_output(r, &p->out);
		get_output(r, &p->err);
	}
	return !r->bad && r->p == r->end;
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

/* Closes every inherited descriptor but the two init needs. */
static void close_other_fds(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;
	if (lo > 3)
		syscall(SYS_close_range, 3U, (unsigned)lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);
}

static void init_send(int fd, char tag, const struct strbuf *body)
{
	(void)!write_all(fd, &tag, 1);
	if (body)
		(void)!write_all(fd, body->buf, body->len);
}

static void init_fail(int fd, const char *step)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_init(&msg);
	strbuf_addf(&msg, "%s%s%s", step, *step ? ": " : "", error_last());
	init_send(fd, 'E', &msg);
	strbuf_release(&msg);
	_exit(1);
}

_Noreturn static void init_main(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir wd,
		      const char *const *sources, int go_fd, int result_fd)
{
	close_other_fds(go_fd, result_fd);
	/* The namespace, and every process in it, ends with the grader. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
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
			init_fail(result_fd, "stdin_file");
		}
		snprintf(fd_paths[i], sizeof(fd_paths[i]), "/proc/self/fd/%d", fd);
		procs[i].stdin_file = fd_paths[i];
	}

	if (sethostname("sandbox", 7) < 0) {
		error_errno("sethostname");
		init_fail(result_fd, "");
	}
	struct sandbox_fs_config fs = {
		.workdir = req->workdir,
		.tmp_size = SANDBOX_DISK_SIZE,
		.scratch_root = sb->root_dir,
		.workdir_size = wd == SANDBOX_WORKDIR_COPY ? SANDBOX_DISK_SIZE : 0,
		.workdir_sources = sources,
		.sandbox_uid = (unsigned)sb->uid,
		.sandbox_gid = (unsigned)sb->gid,
	};
	if (sandbox_fs_setup(&fs) < 0)
		init_fail(result_fd, "");
	if (sb->root) {
		chown_uid = sb->uid;
		chown_gid = sb->gid;
		if (nftw(req->workdir, chown_entry, 16, FTW_PHYS) < 0) {
			error_errno("sandbox: chown %s", req->workdir);
			init_fail(result_fd, "");
		}
	}

	struct run_confinement confine = {
		.switch_ids = sb->root,
		.uid = sb->uid,
		.gid = sb->gid,
		/* In a user namespace RLIMIT_NPROC counts only the namespace's processes (init included). */
		.nproc_rlimit = !sb->cgroup_limits,
		.seccomp = sb->seccomp,
	};
	struct run_request inner = *req;
	inner.procs = procs;
	inner.confine = &confine;
	inner.ipc_scope = IPC_SCOPE_NAMESPACE;

	struct run_result res;
	if (run_processes(&inner, &res) < 0)
		init_fail(result_fd, "");
	struct strbuf msg = STRBUF_INIT;
	strbuf_init(&msg);
	put_result(&msg, &res);
	init_send(result_fd, 'R', &msg);
	_exit(0);
}

/* ---- the grader's side -------------------------------------------------- */

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

static int run_unsandboxed(struct sandbox *sb, const struct run_request *req,
			   enum sandbox_workdir wd, struct run_result *res)
{
	struct run_confinement confine = {
		.nproc_rlimit = true,
		.seccomp = sb->seccomp,
	};
	struct run_request plain = *req;
	plain.confine = &confine;
	plain.ipc_scope = IPC_SCOPE_CREATORS;
	/* Without a tmpfs of its own, a workdir made of sources is made on the host, and removed after. */
	bool made = wd == SANDBOX_WORKDIR_COPY && req->workdir_sources;
	if (made) {
		if (mkdir_p(req->workdir, 0755) < 0) {
			error_prefix("sandbox: create %s", req->workdir);
			return -1;
		}
		for (const char *const *src = req->workdir_sources; *src; src++) {
			if (copy_tree(*src, req->workdir) < 0) {
				error_prefix("sandbox: copy %s into %s", *src, req->workdir);
				remove_tree(req->workdir);
				return -1;
			}
		}
	}
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

int sandbox_run(struct sandbox *sb, const struct run_request *req, enum sandbox_workdir wd,
		struct run_result *res)
{
	reap_exiting_init(sb);
	if (!sb->namespaces)
		return run_unsandboxed(sb, req, wd, res);

	run_result_init(res, req);
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
	/* Root's process limit; when it cannot be set, RLIMIT_NPROC instead, and the report says so. */
	sb->cgroup_limits = sb->cgroup && sandbox_cgroup_limit(sb->cgroup, req->limits.processes) == 0;
	if (sb->cgroup && !sb->cgroup_limits)
		cgroup_missing(sb);
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

	double deadline = now_seconds() + (double)(req->timeout_ms + SANDBOX_WATCHDOG_MS) / 1000.0;
	if (read_answer(result[0], deadline, &answer) < 0)
		goto out;
	struct reader r = {answer.buf + 1, answer.buf + answer.len, false};
	if (answer.len == 0) {
		error("sandbox: the test's init process ended without an answer");
	} else if (answer.buf[0] == 'E') {
		/* The machine refused part of the set-up: say so, and carry on without it. */
		strvec_pushf(&sb->missing, "namespaces and file system isolation (set-up failed: %.*s)",
			     (int)answer.len - 1, answer.buf + 1);
		sb->namespaces = false;
		waitpid(pid, NULL, 0);
		pid = -1;
		run_result_release(res);
		ret = run_unsandboxed(sb, req, wd, res);
		goto out;
	} else if (answer.buf[0] != 'R' || !get_result(&r, req->nprocs, res)) {
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
