/*
 * Unit tests of sandbox_fs.  Each test arranges the namespaces the sandbox's
 * init process runs in, calls sandbox_fs_setup() in a process that is pid 1
 * there, and checks the result as student code would see it: from a child
 * that has become the sandbox user and dropped every capability.
 *
 *   test ──fork──► child: unshare(user?, mount, pid, ipc) ──fork──► init (pid 1):
 *     │               waits until the test has written          sandbox_fs_setup(),
 *     │               its id maps                               then ──fork──► student:
 *     │                                                                       the checks
 *     └─ reads every failed check (one line each) until the last writer is gone
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <mqueue.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_fs.h"
#include "util.h"

/* The namespaces the sandbox's init may run in. */
enum ns_mode {
	NS_OWN_IDS,	 /* an ordinary user: a user namespace mapping its own ids to themselves */
	NS_SANDBOX_ONLY, /* root: a user namespace mapping only the sandbox user, 1000 -> 65534 */
	NS_NO_USER,	 /* root: no user namespace at all */
};

#define SANDBOX_ONLY_ID 1000
#define OUTSIDE_SANDBOX_ID 65534
#define TMP_SIZE (4LL << 20)
#define WORKDIR_SIZE (1LL << 20)
/* ipc/mqueue.c's; <linux/magic.h> does not have it. */
#define MQUEUE_MAGIC 0x19800202

static struct {
	char *base;	       /* the host folder holding all of the below */
	char *workdir;	       /* hello.txt, prog (a script), link -> hello.txt, sub/inner.txt */
	char *secret;	       /* a sibling of the workdir the sandbox must not show */
	char *root;	       /* the scratch root */
	char *exe;	       /* this test program, a host file the sandbox must not show */
	bool has_mqueue;       /* the kernel has POSIX message queues */
	struct strbuf cmdline; /* ours, which pid 1 inside must have */
} fx;

struct outcome {
	int status;	      /* the namespace child's exit status */
	struct strbuf report; /* one line per failed check */
};
static struct outcome outcome;

typedef void check_fn(const struct sandbox_fs_config *cfg);

static enum ns_mode default_mode(void)
{
	return geteuid() == 0 ? NS_SANDBOX_ONLY : NS_OWN_IDS;
}

static void write_host_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *path = path_join(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write_all(fd, text, strlen(text)), 0);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
	free(path);
}

/* Root's sandbox user is 65534 outside, which must be able to write in a bound workdir. */
static void give_to_sandbox_user(const char *dir)
{
	static const char *const names[] = {"",	    "hello.txt", "prog",
					    "link", "sub",	 "sub/inner.txt"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = path_join(dir, names[i]);
		cr_assert_eq(lchown(path, OUTSIDE_SANDBOX_ID, OUTSIDE_SANDBOX_ID), 0, "%s", path);
		free(path);
	}
}

static void setup(void)
{
	fx.base = make_scratch_dir("sandbox-fs-test");
	cr_assert(fx.base, "%s", error_last());
	fx.workdir = path_join(fx.base, "work");
	fx.root = path_join(fx.base, "root");
	char *testcases = path_join(fx.base, "testcases/x");
	cr_assert_eq(mkdir_p(fx.workdir, 0755), 0, "%s", error_last());
	cr_assert_eq(mkdir_p(fx.root, 0700), 0, "%s", error_last());
	cr_assert_eq(mkdir_p(testcases, 0755), 0, "%s", error_last());
	fx.secret = path_join(testcases, "spec.yaml");
	write_host_file(testcases, "spec.yaml", "secret: expected outputs\n", 0644);
	free(testcases);

	char *sub = path_join(fx.workdir, "sub");
	cr_assert_eq(mkdir(sub, 0755), 0);
	write_host_file(sub, "inner.txt", "inner\n", 0644);
	free(sub);
	write_host_file(fx.workdir, "hello.txt", "hi\n", 0644);
	write_host_file(fx.workdir, "prog", "#!/bin/sh\necho prog ran\n", 0755);
	char *link = path_join(fx.workdir, "link");
	cr_assert_eq(symlink("hello.txt", link), 0);
	free(link);
	if (geteuid() == 0)
		give_to_sandbox_user(fx.workdir);

	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert(n > 0);
	fx.exe = xmemdup0(exe, (size_t)n);
	strbuf_init(&fx.cmdline);
	cr_assert_eq(read_file("/proc/self/cmdline", &fx.cmdline), 0, "%s", error_last());
	struct strbuf filesystems = STRBUF_INIT;
	strbuf_init(&filesystems);
	cr_assert_eq(read_file("/proc/filesystems", &filesystems), 0, "%s", error_last());
	fx.has_mqueue = strstr(filesystems.buf, "\tmqueue\n") != NULL;
	strbuf_release(&filesystems);
	strbuf_init(&outcome.report);
}

/* Idempotent: a test that skips calls it itself, as Criterion then runs no .fini. */
static void teardown(void)
{
	if (fx.base)
		remove_tree(fx.base);
	free(fx.base);
	free(fx.workdir);
	free(fx.secret);
	free(fx.root);
	free(fx.exe);
	strbuf_release(&fx.cmdline);
	strbuf_release(&outcome.report);
	memset(&fx, 0, sizeof(fx));
}

TestSuite(sandbox_fs, .init = setup, .fini = teardown, .timeout = 30);

static struct sandbox_fs_config config(enum ns_mode mode, long long workdir_size)
{
	struct sandbox_fs_config cfg = {
	    .workdir = fx.workdir,
	    .tmp_size = TMP_SIZE,
	    .scratch_root = fx.root,
	    .workdir_size = workdir_size,
	    .sandbox_uid = (unsigned)getuid(),
	    .sandbox_gid = (unsigned)getgid(),
	};
	if (mode == NS_SANDBOX_ONLY)
		cfg.sandbox_uid = cfg.sandbox_gid = SANDBOX_ONLY_ID;
	else if (mode == NS_NO_USER)
		cfg.sandbox_uid = cfg.sandbox_gid = OUTSIDE_SANDBOX_ID;
	return cfg;
}

/* ---- inside: init and the student ------------------------------------------ */

static int report_fd = -1;
static int failures;

__attribute__((format(printf, 2, 3))) static void fail(int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "line %d: ", line);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	(void)!write_all(report_fd, sb.buf, sb.len);
	strbuf_release(&sb);
	failures++;
}

#define expect(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail(__LINE__, __VA_ARGS__);                                               \
	} while (0)

static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* The Uid: and Gid: lines of /proc/self/status: real, effective, saved and file system ids. */
static char *read_ids(void)
{
	struct strbuf status = STRBUF_INIT, ids = STRBUF_INIT;
	strbuf_init(&status);
	strbuf_init(&ids);
	if (read_file("/proc/self/status", &status) == 0)
		for (char *line = strtok(status.buf, "\n"); line; line = strtok(NULL, "\n"))
			if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4))
				strbuf_addf(&ids, "%s\n", line);
	strbuf_release(&status);
	return strbuf_detach(&ids, NULL);
}

/* What the sandbox's runner does before exec: the sandbox user, and no capabilities. */
static void become_student(const struct sandbox_fs_config *cfg)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct caps[2];
	memset(caps, 0, sizeof(caps));
	/* An ordinary user's namespace denies setgroups(): it has no groups to drop then. */
	if ((setgroups(0, NULL) < 0 && errno != EPERM) ||
	    setresgid(cfg->sandbox_gid, cfg->sandbox_gid, cfg->sandbox_gid) < 0 ||
	    setresuid(cfg->sandbox_uid, cfg->sandbox_uid, cfg->sandbox_uid) < 0 ||
	    syscall(SYS_capset, &hdr, caps) < 0) {
		fail(__LINE__, "cannot become the sandbox user %u: %s", cfg->sandbox_uid,
		     strerror(errno));
		_exit(1);
	}
}

/* Runs argv with its stdout captured; returns the exit status (-1: could not run). */
static int run_capture(char *const argv[], struct strbuf *out)
{
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipe_fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipe_fds[1]);
	char chunk[256];
	ssize_t n;
	while ((n = read(pipe_fds[0], chunk, sizeof(chunk))) > 0)
		strbuf_add(out, chunk, (size_t)n);
	close(pipe_fds[0]);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_file(int line, const char *path, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	if (read_file(path, &sb) < 0)
		fail(line, "%s", error_last());
	else if (strcmp(sb.buf, text))
		fail(line, "%s holds \"%s\", not \"%s\"", path, sb.buf, text);
	strbuf_release(&sb);
}

static void expect_absent(int line, const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 || errno != ENOENT)
		fail(line, "%s is visible inside (%s)", path, strerror(errno));
}

/* Every entry of folder dir is one of allowed (a NULL-terminated list). */
static void expect_only(int line, const char *dir, const char *const *allowed)
{
	DIR *d = opendir(dir);
	if (!d) {
		fail(line, "%s: %s", dir, strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		const char *const *a = allowed;
		while (*a && strcmp(*a, de->d_name))
			a++;
		if (!*a)
			fail(line, "%s holds an unexpected %s", dir, de->d_name);
	}
	closedir(d);
}

static void expect_errno(int line, int rc, int want, const char *what)
{
	if (rc >= 0)
		fail(line, "%s succeeded", what);
	else if (errno != want)
		fail(line, "%s: %s, not %s", what, strerror(errno), strerror(want));
}

static char *in_workdir(const struct sandbox_fs_config *cfg, const char *name)
{
	return path_join(cfg->workdir, name);
}

/* pid 1: builds the file system, then lets a student process check it. */
_Noreturn static void init_main(const struct sandbox_fs_config *cfg, check_fn *check)
{
	expect(getpid() == 1, "init is pid %d, not 1", (int)getpid());
	int fds = count_fds();
	char *ids = read_ids();
	umask(027);
	if (sandbox_fs_setup(cfg) < 0) {
		(void)!write_all(report_fd, error_last(), strlen(error_last()));
		_exit(2);
	}
	expect(count_fds() == fds, "%d descriptors open before the set-up, %d after", fds,
	       count_fds());
	expect(umask(027) == 027, "the caller's umask was changed");
	char *ids_after = read_ids();
	expect(!strcmp(ids, ids_after), "the caller's ids were\n%sand are\n%s", ids, ids_after);
	free(ids);
	free(ids_after);
	char cwd[PATH_MAX] = "";
	expect(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"), "the set-up ended in %s, not /", cwd);

	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		become_student(cfg);
		if (check)
			check(cfg);
		_exit(failures ? 1 : 0);
	}
	int status = 1;
	expect(pid > 0 && waitpid(pid, &status, 0) == pid, "fork: %s", strerror(errno));
	_exit(failures || !WIFEXITED(status) || WEXITSTATUS(status) ? 1 : 0);
}

/* ---- the test's side -------------------------------------------------------- */

static void write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write_all(fd, text, strlen(text)), 0, "%s: %s", path, strerror(errno));
	close(fd);
}

static void write_id_maps(enum ns_mode mode, pid_t pid)
{
	char map[64];
	if (mode == NS_OWN_IDS) {
		write_proc(pid, "setgroups", "deny");
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
		write_proc(pid, "uid_map", map);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
		write_proc(pid, "gid_map", map);
	} else if (mode == NS_SANDBOX_ONLY) {
		snprintf(map, sizeof(map), "%d %d 1\n", SANDBOX_ONLY_ID, OUTSIDE_SANDBOX_ID);
		write_proc(pid, "uid_map", map);
		write_proc(pid, "gid_map", map);
	}
}

/* The namespace child: unshares, waits for its maps, then starts pid 1 and waits for it. */
_Noreturn static void ns_child_main(enum ns_mode mode, const struct sandbox_fs_config *cfg,
				    check_fn *check, int ready_fd, int go_fd)
{
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;
	if (mode != NS_NO_USER)
		flags |= CLONE_NEWUSER;
	if (unshare(flags) < 0) {
		fail(__LINE__, "unshare: %s", strerror(errno));
		_exit(1);
	}
	char c;
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(1);
	pid_t pid = fork();
	if (pid == 0)
		init_main(cfg, check);
	close(report_fd);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		_exit(1);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static void run_sandboxed(enum ns_mode mode, const struct sandbox_fs_config *cfg, check_fn *check)
{
	int ready[2], go[2], report[2];
	cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(report, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		close(report[0]);
		report_fd = report[1];
		ns_child_main(mode, cfg, check, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	close(report[1]);
	char c;
	if (read(ready[0], &c, 1) == 1) {
		write_id_maps(mode, pid);
		cr_assert_eq(write(go[1], "g", 1), 1);
	}
	close(ready[0]);
	close(go[1]);
	char chunk[4096];
	ssize_t n;
	while ((n = read(report[0], chunk, sizeof(chunk))) > 0)
		strbuf_add(&outcome.report, chunk, (size_t)n);
	close(report[0]);
	cr_assert_eq(waitpid(pid, &outcome.status, 0), pid);
}

static void expect_clean_run(void)
{
	cr_assert(WIFEXITED(outcome.status) && WEXITSTATUS(outcome.status) == 0,
		  "inside the sandbox (status %#x):\n%s", outcome.status, outcome.report.buf);
}

static void assert_host_file(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_assert_eq(read_file(path, &sb), 0, "%s", error_last());
	cr_assert_str_eq(sb.buf, text, "%s", path);
	strbuf_release(&sb);
	free(path);
}

/* ---- the checks, run as the student ------------------------------------------ */

static void check_copy(const struct sandbox_fs_config *cfg)
{
	char *hello = in_workdir(cfg, "hello.txt"), *inner = in_workdir(cfg, "sub/inner.txt");
	char *link = in_workdir(cfg, "link"), *prog = in_workdir(cfg, "prog");
	char *fresh = in_workdir(cfg, "new.txt"), *big = in_workdir(cfg, "big.bin");

	expect_file(__LINE__, hello, "hi\n");
	expect_file(__LINE__, inner, "inner\n");
	char target[64] = "";
	expect(readlink(link, target, sizeof(target) - 1) > 0 && !strcmp(target, "hello.txt"),
	       "link points to \"%s\", not to hello.txt", target);
	struct stat st;
	expect(stat(hello, &st) == 0 && st.st_uid == cfg->sandbox_uid,
	       "the copy belongs to uid %u, not to the sandbox user", (unsigned)st.st_uid);
	struct strbuf out = STRBUF_INIT;
	strbuf_init(&out);
	char *argv[] = {prog, NULL};
	int rc = run_capture(argv, &out);
	expect(rc == 0 && !strcmp(out.buf, "prog ran\n"), "prog: status %d, output \"%s\"", rc,
	       out.buf);
	strbuf_release(&out);

	int fd = open(hello, O_WRONLY | O_TRUNC | O_CLOEXEC);
	expect(fd >= 0 && write(fd, "changed\n", 8) == 8, "write %s: %s", hello, strerror(errno));
	close(fd);
	fd = open(fresh, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	expect(fd >= 0, "create %s: %s", fresh, strerror(errno));
	close(fd);

	/* Twice the tmpfs's size must not fit. */
	fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	expect(fd >= 0, "create %s: %s", big, strerror(errno));
	static char chunk[64 << 10];
	int err = 0;
	for (long long done = 0; fd >= 0 && done < 2 * WORKDIR_SIZE;) {
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n < 0) {
			err = errno;
			break;
		}
		done += n;
	}
	expect(err == ENOSPC, "filling the workdir ended with \"%s\", not ENOSPC",
	       err ? strerror(err) : "no error");
	close(fd);
	free(hello);
	free(inner);
	free(link);
	free(prog);
	free(fresh);
	free(big);
}

static void check_bind(const struct sandbox_fs_config *cfg)
{
	char *hello = in_workdir(cfg, "hello.txt"), *out = in_workdir(cfg, "out.txt");
	expect_file(__LINE__, hello, "hi\n");
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	expect(fd >= 0 && write(fd, "written inside\n", 15) == 15, "write %s: %s", out,
	       strerror(errno));
	close(fd);
	free(hello);
	free(out);
}

static void check_hidden(const struct sandbox_fs_config *cfg)
{
	struct strbuf passwd = STRBUF_INIT;
	strbuf_init(&passwd);
	expect(read_file("/etc/passwd", &passwd) == 0, "%s", error_last());
	expect(!strstr(passwd.buf, "daemon:") && !strstr(passwd.buf, "sys:"),
	       "/etc/passwd has the host's users:\n%s", passwd.buf);
	char *student = xasprintf("student:x:%u:%u:student:%s:/bin/sh\n", cfg->sandbox_uid,
				  cfg->sandbox_gid, cfg->workdir);
	expect(strstr(passwd.buf, student), "/etc/passwd has no \"%s\":\n%s", student, passwd.buf);
	free(student);
	strbuf_release(&passwd);

	static const char *const etc[] = {"alternatives", "ld.so.cache", "ld.so.conf",
					  "ld.so.conf.d", "localtime",	 "nsswitch.conf",
					  "passwd",	  "group",	 NULL};
	expect_only(__LINE__, "/etc", etc);
	expect_absent(__LINE__, "/etc/shadow");
	expect_absent(__LINE__, fx.secret);
	expect_absent(__LINE__, fx.root);
	expect_absent(__LINE__, fx.exe);
	/* Host folders, unless the workdir's own path leads through them. */
	static const char *const host_only[] = {"/home", "/root", "/var"};
	for (size_t i = 0; i < ARRAY_SIZE(host_only); i++) {
		size_t len = strlen(host_only[i]);
		if (strncmp(cfg->workdir, host_only[i], len) || cfg->workdir[len] != '/')
			expect_absent(__LINE__, host_only[i]);
	}

	/* pivot_root() leaves the host's root stacked on the new one until it is detached. */
	struct strbuf mountinfo = STRBUF_INIT;
	strbuf_init(&mountinfo);
	expect(read_file("/proc/self/mountinfo", &mountinfo) == 0, "%s", error_last());
	int roots = 0;
	for (char *line = strtok(mountinfo.buf, "\n"); line; line = strtok(NULL, "\n")) {
		char mount_point[PATH_MAX];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) == 1 &&
		    !strcmp(mount_point, "/"))
			roots++;
	}
	expect(roots == 1, "%d mounts on / (the host's root is still attached)", roots);
	strbuf_release(&mountinfo);
}

static void check_proc(const struct sandbox_fs_config *cfg)
{
	(void)cfg;
	struct strbuf cmdline = STRBUF_INIT;
	strbuf_init(&cmdline);
	expect(read_file("/proc/1/cmdline", &cmdline) == 0, "%s", error_last());
	expect(cmdline.len == fx.cmdline.len && !memcmp(cmdline.buf, fx.cmdline.buf, cmdline.len),
	       "/proc/1 is not the sandbox's init but \"%s\"", cmdline.buf);
	strbuf_release(&cmdline);
	char self[32] = "", want[32];
	snprintf(want, sizeof(want), "%d", (int)getpid());
	expect(readlink("/proc/self", self, sizeof(self) - 1) > 0 && !strcmp(self, want),
	       "/proc/self is %s, not %s", self, want);
	expect(getppid() == 1, "the student's parent is %d, not init", (int)getppid());
}

static void check_tmp(const struct sandbox_fs_config *cfg)
{
	/* Only the path down to the workdir, when the workdir is under /tmp. */
	char first[PATH_MAX] = "";
	if (!strncmp(cfg->workdir, "/tmp/", 5))
		sscanf(cfg->workdir + 5, "%4095[^/]", first);
	const char *const allowed[] = {first, NULL};
	expect_only(__LINE__, "/tmp", allowed);

	struct statvfs vfs;
	expect(statvfs("/tmp", &vfs) == 0 && (long long)(vfs.f_blocks * vfs.f_frsize) == TMP_SIZE,
	       "/tmp is not the sandbox's %lld-byte tmpfs", TMP_SIZE);
	int fd = open("/tmp/scratch", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	expect(fd >= 0 && write(fd, "x", 1) == 1, "write /tmp/scratch: %s", strerror(errno));
	close(fd);
	fd = shm_open("/sandbox-fs-test", O_RDWR | O_CREAT | O_EXCL, 0600);
	expect(fd >= 0, "shm_open: %s", strerror(errno));
	close(fd);
	expect(shm_unlink("/sandbox-fs-test") == 0, "shm_unlink: %s", strerror(errno));
}

static void check_read_only(const struct sandbox_fs_config *cfg)
{
	(void)cfg;
	expect_errno(__LINE__, open("/usr/sandbox-probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0644),
		     EROFS, "create /usr/sandbox-probe");
	expect_errno(__LINE__, open("/etc/sandbox-probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0644),
		     EROFS, "create /etc/sandbox-probe");
	expect_errno(__LINE__, mkdir("/sandbox-probe", 0755), EROFS, "mkdir /sandbox-probe");
	expect_errno(__LINE__, mkdir("/dev/sandbox-probe", 0755), EROFS,
		     "mkdir /dev/sandbox-probe");
	struct statvfs vfs;
	unsigned long want = ST_RDONLY | ST_NOSUID | ST_NODEV;
	expect(statvfs("/usr", &vfs) == 0 && (vfs.f_flag & want) == want,
	       "/usr is not read-only, nosuid and nodev");

	struct strbuf out = STRBUF_INIT;
	strbuf_init(&out);
	char *argv[] = {"/bin/sh", "-c", "echo ok", NULL};
	int rc = run_capture(argv, &out);
	expect(rc == 0 && !strcmp(out.buf, "ok\n"), "/bin/sh: status %d, output \"%s\"", rc,
	       out.buf);
	strbuf_release(&out);
}

static void check_dev(const struct sandbox_fs_config *cfg)
{
	(void)cfg;
	static const char *const dev[] = {"null", "zero",   "full",  "random", "urandom",
					  "tty",  "fd",	    "stdin", "stdout", "stderr",
					  "shm",  "mqueue", "pts",   "ptmx",   NULL};
	expect_only(__LINE__, "/dev", dev);
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	char buf[16];
	expect(fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0, "/dev/null: %s",
	       strerror(errno));
	close(fd);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	memset(buf, 'x', sizeof(buf));
	expect(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[15],
	       "/dev/zero: %s", strerror(errno));
	close(fd);
	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	expect_errno(__LINE__, fd >= 0 ? (int)write(fd, "x", 1) : fd, ENOSPC, "write /dev/full");
	close(fd);
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	expect(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf), "/dev/urandom: %s",
	       strerror(errno));
	close(fd);
	char target[64] = "";
	expect(readlink("/dev/stdout", target, sizeof(target) - 1) > 0 &&
		   !strcmp(target, "/proc/self/fd/1"),
	       "/dev/stdout points to \"%s\"", target);

	struct statfs sfs;
	expect(statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC, "/dev/shm is no tmpfs");
	/* tty: true: a devpts of the sandbox's own, where no terminal of the host is. */
	expect(statfs("/dev/pts", &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC,
	       "/dev/pts is no devpts");
	static const char *const pts[] = {"ptmx", NULL};
	expect_only(__LINE__, "/dev/pts", pts);
	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	expect(fd >= 0 && unlockpt(fd) == 0, "/dev/ptmx: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (!fx.has_mqueue)
		return;
	expect(statfs("/dev/mqueue", &sfs) == 0 && sfs.f_type == MQUEUE_MAGIC,
	       "/dev/mqueue is no mqueue file system");
	mqd_t mq = mq_open("/sandbox-fs-test", O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	expect(mq != (mqd_t)-1, "mq_open: %s", strerror(errno));
	mq_close(mq);
	expect(access("/dev/mqueue/sandbox-fs-test", F_OK) == 0,
	       "/dev/mqueue does not list the queue");
	mq_unlink("/sandbox-fs-test");
}

/* ---- the tests ------------------------------------------------------------------ */

Test(sandbox_fs, copies_the_workdir_into_a_size_limited_tmpfs)
{
	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_copy);
	expect_clean_run();
	assert_host_file(fx.workdir, "hello.txt", "hi\n");
	char *fresh = path_join(fx.workdir, "new.txt"), *big = path_join(fx.workdir, "big.bin");
	cr_assert_not(path_exists(fresh), "a file written in the copy reached the host");
	cr_assert_not(path_exists(big), "a file written in the copy reached the host");
	free(fresh);
	free(big);
}

Test(sandbox_fs, binds_the_workdir_when_it_has_no_size)
{
	struct sandbox_fs_config cfg = config(default_mode(), 0);
	run_sandboxed(default_mode(), &cfg, check_bind);
	expect_clean_run();
	assert_host_file(fx.workdir, "out.txt", "written inside\n");
}

Test(sandbox_fs, hides_the_host)
{
	/* Without these on the host, the checks inside could not fail. */
	struct strbuf passwd = STRBUF_INIT;
	strbuf_init(&passwd);
	cr_assert_eq(read_file("/etc/passwd", &passwd), 0);
	cr_assert(strstr(passwd.buf, "daemon:"), "the host's /etc/passwd has no daemon user");
	strbuf_release(&passwd);
	cr_assert(path_exists("/etc/shadow") && path_exists("/home") && path_exists("/root") &&
		  path_exists("/var"));

	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_hidden);
	expect_clean_run();
}

Test(sandbox_fs, mounts_a_proc_of_the_new_pid_namespace)
{
	struct strbuf host_init = STRBUF_INIT;
	strbuf_init(&host_init);
	cr_assert_eq(read_file("/proc/1/cmdline", &host_init), 0, "%s", error_last());
	cr_assert(host_init.len != fx.cmdline.len ||
		      memcmp(host_init.buf, fx.cmdline.buf, host_init.len),
		  "the host's pid 1 looks like this test");
	strbuf_release(&host_init);

	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_proc);
	expect_clean_run();
}

Test(sandbox_fs, gives_a_fresh_writable_tmp_and_dev_shm)
{
	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_tmp);
	expect_clean_run();
}

Test(sandbox_fs, keeps_the_system_read_only_and_runnable)
{
	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_read_only);
	expect_clean_run();
}

Test(sandbox_fs, gives_the_usual_devices_and_a_message_queue_mount)
{
	if (!fx.has_mqueue) {
		teardown();
		cr_skip_test("this kernel has no POSIX message queues (CONFIG_POSIX_MQUEUE)");
	}

	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	run_sandboxed(default_mode(), &cfg, check_dev);
	expect_clean_run();
}

static void check_all_but_the_copy(const struct sandbox_fs_config *cfg)
{
	check_bind(cfg);
	check_hidden(cfg);
	check_proc(cfg);
	check_tmp(cfg);
	check_read_only(cfg);
	check_dev(cfg);
}

Test(sandbox_fs, works_as_root_without_a_user_namespace)
{
	if (geteuid() != 0) {
		teardown();
		cr_skip_test("needs root: an ordinary user has no mount namespace of its own "
			     "without a user namespace");
	}
	struct sandbox_fs_config cfg = config(NS_NO_USER, 0);
	run_sandboxed(NS_NO_USER, &cfg, check_all_but_the_copy);
	expect_clean_run();
	assert_host_file(fx.workdir, "out.txt", "written inside\n");
}

/* A root grader's copy is the sandbox user's, every file and folder of it, or student code could not change it. */
Test(sandbox_fs, gives_a_root_graders_copy_to_the_sandbox_user)
{
	if (geteuid() != 0) {
		teardown();
		cr_skip_test("needs root: only root gives files away");
	}
	struct sandbox_fs_config cfg = config(NS_NO_USER, WORKDIR_SIZE);
	cfg.own_copies = true;
	run_sandboxed(NS_NO_USER, &cfg, check_copy);
	expect_clean_run();
	assert_host_file(fx.workdir, "hello.txt", "hi\n");
}

Test(sandbox_fs, names_the_failing_step)
{
	char *missing = path_join(fx.base, "missing");
	struct sandbox_fs_config cfg = config(default_mode(), WORKDIR_SIZE);
	cfg.scratch_root = missing;
	run_sandboxed(default_mode(), &cfg, NULL);
	cr_assert(WIFEXITED(outcome.status) && WEXITSTATUS(outcome.status) == 2,
		  "the set-up did not fail (status %#x): %s", outcome.status, outcome.report.buf);
	char *want = xasprintf("sandbox: mount tmpfs on %s: No such file or directory", missing);
	cr_assert_str_eq(outcome.report.buf, want);
	free(want);
	free(missing);
}
