/*
 * Unit tests of the seccomp filter.  Each test forks a child that sets
 * no_new_privs, loads the filter and hands the listener to the test over a
 * socket (as run_start.c does); the test is the supervisor.  The child makes
 * calls and sends back what each returned (a `struct record` per call on a
 * pipe), while the test answers the notifications and keeps the denials.
 * No root needed: no_new_privs is what allows an ordinary user a filter.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp.h"
#include "util.h"

#define MAX_RECORDS 64

/* What one call in the child returned. */
struct record {
	char what[24];
	long ret;
	int err;
	int pid;
};

/* A filtered child, seen from the test. */
struct filtered {
	pid_t pid;
	int listener; /* -1: none (not reporting, or the body loads the filter itself) */
	int results;  /* read end of the records pipe */
	int control;  /* write end: closing it lets the child go on */
	struct record recs[MAX_RECORDS];
	size_t nrecs;
	struct seccomp_denial denials[MAX_RECORDS];
	size_t ndenials;
	int status;
};

static struct seccomp_filter *filter;
/* In the child: where note() writes, and what the test's go-ahead arrives on. */
static int report_fd = -1;
static int control_fd = -1;
/*
 * The child of the running test, until reaped.  It leads a process group,
 * so that a failed test takes its whole family down: a process that holds
 * its own listener and makes a denied call would wait forever.
 */
static pid_t live_child;

static void setup(void)
{
	filter = seccomp_filter_new();
	cr_assert_not_null(filter, "%s", error_last());
}

static void teardown(void)
{
	if (live_child > 0) {
		kill(-live_child, SIGKILL);
		waitpid(live_child, NULL, 0);
	}
	seccomp_filter_free(filter);
}

TestSuite(seccomp, .init = setup, .fini = teardown, .timeout = 20);

static void require_reports(void)
{
	if (!seccomp_filter_reports(filter))
		cr_skip_test("denied calls are not reported here: the kernel has no seccomp user "
			     "notification, or the tests run under a filter that has a listener");
}

/* In the child: records a call's result (a pipe write of this size is atomic). */
static void note(const char *what, long ret)
{
	struct record r;
	memset(&r, 0, sizeof(r));
	snprintf(r.what, sizeof(r.what), "%s", what);
	r.ret = ret;
	r.err = ret < 0 ? errno : 0;
	r.pid = (int)getpid();
	(void)!write(report_fd, &r, sizeof(r));
}

static void send_fd(int sock, int fd)
{
	char byte = 'L';
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		_exit(120);
}

/* -1 when the child sent nothing (it failed before, or its filter does not report). */
static int receive_fd(int sock)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * Forks a child that runs body() under the filter (loaded first when load
 * is true; a body that loads it itself gets it unloaded).
 */
static void start(struct filtered *fc, void (*body)(void), bool load)
{
	memset(fc, 0, sizeof(*fc));
	int sock[2], results[2], control[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
	cr_assert_eq(pipe2(results, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(control, O_CLOEXEC), 0);
	fc->pid = fork();
	cr_assert_geq(fc->pid, 0, "fork: %s", strerror(errno));
	if (fc->pid == 0) {
		setpgid(0, 0);
		close(sock[0]);
		close(results[0]);
		close(control[1]);
		report_fd = results[1];
		control_fd = control[0];
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(121);
		if (load) {
			int listener = seccomp_filter_load(filter);
			if (listener < 0) {
				errno = -listener;
				note("load", -1);
				_exit(122);
			}
			if (listener > 0) {
				send_fd(sock[1], listener);
				close(listener);
			}
		}
		close(sock[1]);
		body();
		_exit(0);
	}
	setpgid(fc->pid, fc->pid);
	live_child = fc->pid;
	close(sock[1]);
	close(results[1]);
	close(control[0]);
	fc->listener = load ? receive_fd(sock[0]) : -1;
	close(sock[0]);
	fc->results = results[0];
	fc->control = control[1];
	if (load && seccomp_filter_reports(filter))
		cr_assert_geq(fc->listener, 0, "the child sent no listener");
}

/* Reads one record; false at EOF. */
static bool read_record(struct filtered *fc)
{
	cr_assert_lt(fc->nrecs, MAX_RECORDS);
	ssize_t n;
	do
		n = read(fc->results, &fc->recs[fc->nrecs], sizeof(struct record));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return false;
	cr_assert_eq(n, (ssize_t)sizeof(struct record), "read a record: %zd", n);
	fc->nrecs++;
	return true;
}

static void answer(struct filtered *fc)
{
	cr_assert_lt(fc->ndenials, MAX_RECORDS);
	int rc = seccomp_listener_answer(fc->listener, &fc->denials[fc->ndenials]);
	if (rc < 0)
		close_fd(&fc->listener);
	else
		fc->ndenials += (size_t)rc;
}

/* Supervises until the child (and all that share its records pipe) is done, then reaps it. */
static void finish(struct filtered *fc)
{
	close_fd(&fc->control);
	bool open = true;
	while (open) {
		struct pollfd pfds[2] = {{fc->results, POLLIN, 0}, {fc->listener, POLLIN, 0}};
		int n = poll(pfds, fc->listener >= 0 ? 2 : 1, 10000);
		if (n < 0 && errno == EINTR)
			continue;
		cr_assert_gt(n, 0, "the child neither reported nor called anything for 10 s");
		if (fc->listener >= 0 && pfds[1].revents)
			answer(fc);
		if (pfds[0].revents)
			open = read_record(fc);
	}
	close_fd(&fc->results);
	cr_assert_eq(waitpid(fc->pid, &fc->status, 0), fc->pid);
	live_child = 0;
	close_fd(&fc->listener);
}

static const struct record *find(const struct filtered *fc, const char *what)
{
	for (size_t i = 0; i < fc->nrecs; i++)
		if (!strcmp(fc->recs[i].what, what))
			return &fc->recs[i];
	cr_assert_fail("the child recorded no '%s'", what);
	return NULL;
}

static void assert_clean_exit(const struct filtered *fc)
{
	cr_assert(WIFEXITED(fc->status) && WEXITSTATUS(fc->status) == 0,
		  "the child ended with status 0x%x", fc->status);
}

/* ---- bodies, run in the filtered child ---- */

static void denied_body(void)
{
	note("mount", mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL));
	note("umount2", umount2("/nonexistent-grader-test", 0));
	note("unshare", unshare(CLONE_NEWUSER));
	note("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	note("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
	note("bpf", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0));
	long pid = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	note("clone", pid);
	note("setns", setns(0, CLONE_NEWNET));
	note("chroot", chroot("/"));
	note("sethostname", sethostname("grader", 6));
	char byte;
	struct iovec local = {&byte, 1}, remote = {&byte, 1};
	note("process_vm_readv", process_vm_readv(getppid(), &local, 1, &remote, 1, 0));
	char params[120] = {0};
	note("io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
	/* A terminal of its own, to type into: denied whatever terminal it is. */
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int tty = master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0
			  ? open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC)
			  : -1;
	char c = 'x';
	note("ioctl(TIOCSTI)", ioctl(tty, TIOCSTI, &c));
	char sub = 12; /* TIOCL_GETSHIFTSTATE */
	note("ioctl(TIOCLINUX)", ioctl(tty, TIOCLINUX, &sub));
}

static void clone3_body(void)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	note("clone3", pid);
	args.flags = CLONE_NEWNET;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	note("clone3 newnet", pid);
}

static void *thread_main(void *arg)
{
	return arg;
}

static void allowed_body(void)
{
	note("getpid", getpid());
	int p[2];
	note("pipe", pipe(p));
	note("dup2", dup2(p[0], 50));
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int status = 0;
	if (pid > 0)
		waitpid(pid, &status, 0);
	note("fork", pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	long id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	note("shmget", id);
	if (id >= 0)
		shmctl((int)id, IPC_RMID, NULL);
	/* Both go through clone3 first in glibc 2.34 and later. */
	pthread_t t;
	int rc = pthread_create(&t, NULL, thread_main, &status);
	void *back = NULL;
	if (rc == 0)
		pthread_join(t, &back);
	errno = rc;
	note("pthread_create", rc == 0 && back == &status ? 0 : -1);
	char *argv[] = {"true", NULL};
	char *envp[] = {NULL};
	rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, envp);
	if (rc == 0)
		waitpid(pid, &status, 0);
	errno = rc;
	note("posix_spawn", rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1);
	long raw = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (raw == 0)
		_exit(0);
	if (raw > 0)
		waitpid((pid_t)raw, NULL, 0);
	note("clone", raw);
	/* Other terminal requests are allowed: isatty() is an ioctl. */
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int tty = master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0
			  ? open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC)
			  : -1;
	note("isatty", isatty(tty) ? 0 : -1);
}

static void grandchild_body(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		note("grandchild mount",
		     mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL));
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	note("child mount", mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL));
}

/* A grandchild blocks in a denied call until the test kills it; the child reaps it. */
static void dying_grandchild_body(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL);
		_exit(0);
	}
	note("grandchild", pid);
	int status = 0;
	waitpid(pid, &status, 0);
	note("reaped", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	char c;
	(void)!read(control_fd, &c, 1);
}

static void second_load_body(void)
{
	note("second load", seccomp_filter_load(filter));
	note("mount", mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL));
}

static void closed_listener_body(void)
{
	int listener = seccomp_filter_load(filter);
	note("load", listener);
	note("cloexec", listener > 0 ? fcntl(listener, F_GETFD) & FD_CLOEXEC : -1);
	if (listener > 0)
		close(listener);
	note("mount", mount("none", "/nonexistent-grader-test", "tmpfs", 0, NULL));
}

static void fd0_body(void)
{
	close(0);
	int listener = seccomp_filter_load(filter);
	note("load", listener);
	note("fd 0", fcntl(0, F_GETFD));
	note("cloexec", listener > 0 ? fcntl(listener, F_GETFD) & FD_CLOEXEC : -1);
}

/* ---- tests ---- */

Test(seccomp, denied_calls_fail_with_eperm_and_are_reported)
{
	require_reports();
	struct filtered fc;
	start(&fc, denied_body, true);
	finish(&fc);
	assert_clean_exit(&fc);
	cr_assert_eq(fc.nrecs, 14);
	cr_assert_eq(fc.ndenials, fc.nrecs, "%zu calls, %zu denials", fc.nrecs, fc.ndenials);
	for (size_t i = 0; i < fc.nrecs; i++) {
		const struct record *r = &fc.recs[i];
		cr_expect(r->ret == -1 && r->err == EPERM, "%s returned %ld (%s), not EPERM",
			  r->what, r->ret, strerror(r->err));
		cr_expect_str_eq(fc.denials[i].syscall, r->what);
		cr_expect_eq(fc.denials[i].pid, fc.pid);
	}
}

Test(seccomp, clone3_fails_with_enosys_unreported)
{
	struct filtered fc;
	start(&fc, clone3_body, true);
	finish(&fc);
	assert_clean_exit(&fc);
	for (size_t i = 0; i < 2; i++) {
		const struct record *r = find(&fc, i ? "clone3 newnet" : "clone3");
		cr_expect(r->ret == -1 && r->err == ENOSYS, "%s returned %ld (%s)", r->what, r->ret,
			  strerror(r->err));
	}
	cr_expect_eq(fc.ndenials, 0);
}

Test(seccomp, allowed_calls_work)
{
	struct filtered fc;
	start(&fc, allowed_body, true);
	finish(&fc);
	assert_clean_exit(&fc);
	cr_expect_eq(find(&fc, "getpid")->ret, fc.pid);
	cr_expect_eq(find(&fc, "pipe")->ret, 0);
	cr_expect_eq(find(&fc, "dup2")->ret, 50);
	cr_expect_eq(find(&fc, "fork")->ret, 7);
	const char *rest[] = {"shmget", "pthread_create", "posix_spawn", "clone", "isatty"};
	for (size_t i = 0; i < ARRAY_SIZE(rest); i++) {
		const struct record *r = find(&fc, rest[i]);
		cr_expect_geq(r->ret, 0, "%s failed: %s", r->what, strerror(r->err));
	}
	cr_expect_eq(fc.ndenials, 0, "denied: %s", fc.ndenials ? fc.denials[0].syscall : "");
}

Test(seccomp, grandchild_calls_are_reported_with_their_pid)
{
	require_reports();
	struct filtered fc;
	start(&fc, grandchild_body, true);
	finish(&fc);
	assert_clean_exit(&fc);
	const struct record *gc = find(&fc, "grandchild mount");
	const struct record *c = find(&fc, "child mount");
	cr_expect(gc->ret == -1 && gc->err == EPERM);
	cr_expect(c->ret == -1 && c->err == EPERM);
	cr_assert_neq(gc->pid, c->pid);
	cr_assert_eq(fc.ndenials, 2);
	cr_expect_eq(fc.denials[0].pid, gc->pid);
	cr_expect_eq(fc.denials[1].pid, fc.pid);
	cr_expect_str_eq(fc.denials[0].syscall, "mount");
}

Test(seccomp, dead_caller_leaves_nothing_to_answer_and_last_exit_hangs_up)
{
	require_reports();
	struct filtered fc;
	start(&fc, dying_grandchild_body, true);
	cr_assert(read_record(&fc));
	pid_t gc = (pid_t)find(&fc, "grandchild")->ret;
	cr_assert_gt(gc, 0);

	struct pollfd pfd = {fc.listener, POLLIN, 0};
	cr_assert_eq(poll(&pfd, 1, 10000), 1, "the grandchild's mount was not notified");
	cr_assert(pfd.revents & POLLIN);
	cr_assert_eq(kill(gc, SIGKILL), 0);
	cr_assert(read_record(&fc));
	cr_assert_eq(find(&fc, "reaped")->ret, SIGKILL);

	struct seccomp_denial d;
	cr_expect_eq(seccomp_listener_answer(fc.listener, &d), 0, "%s", error_last());

	/* The child exits and is reaped: no process is left under the filter. */
	close_fd(&fc.control);
	cr_assert_not(read_record(&fc));
	cr_assert_eq(waitpid(fc.pid, &fc.status, 0), fc.pid);
	live_child = 0;
	assert_clean_exit(&fc);
	pfd.revents = 0;
	cr_assert_eq(poll(&pfd, 1, 5000), 1);
	cr_expect(pfd.revents & POLLHUP, "revents 0x%x", pfd.revents);
	cr_expect_eq(seccomp_listener_answer(fc.listener, &d), -1);
	cr_expect(strstr(error_last(), "every filtered process has exited"), "%s", error_last());
	close_fd(&fc.listener);
	close_fd(&fc.results);
}

Test(seccomp, under_a_listener_already_loads_unreported_and_still_denies)
{
	require_reports();
	struct filtered fc;
	start(&fc, second_load_body, true);
	finish(&fc);
	assert_clean_exit(&fc);
	/* The kernel allows one listener per filter stack: the second load falls back. */
	cr_expect_eq(find(&fc, "second load")->ret, 0);
	const struct record *r = find(&fc, "mount");
	cr_expect(r->ret == -1 && r->err == EPERM, "mount: %ld (%s)", r->ret, strerror(r->err));
	/* EPERM outranks a notification when stacked filters disagree. */
	cr_expect_eq(fc.ndenials, 0);
}

Test(seccomp, listener_is_close_on_exec_and_denied_calls_fail_with_enosys_once_it_is_closed)
{
	require_reports();
	struct filtered fc;
	start(&fc, closed_listener_body, false);
	finish(&fc);
	assert_clean_exit(&fc);
	cr_assert_gt(find(&fc, "load")->ret, 0);
	cr_expect_eq(find(&fc, "cloexec")->ret, FD_CLOEXEC,
		     "the program would inherit its listener");
	const struct record *r = find(&fc, "mount");
	cr_expect(r->ret == -1 && r->err == ENOSYS, "mount: %ld (%s)", r->ret, strerror(r->err));
}

Test(seccomp, listener_is_close_on_exec_and_never_fd_0)
{
	require_reports();
	struct filtered fc;
	start(&fc, fd0_body, false);
	finish(&fc);
	assert_clean_exit(&fc);
	cr_expect_geq(find(&fc, "load")->ret, 3);
	const struct record *fd0 = find(&fc, "fd 0");
	cr_expect(fd0->ret == -1 && fd0->err == EBADF, "fd 0 was left open");
	cr_expect_eq(find(&fc, "cloexec")->ret, FD_CLOEXEC);
}

Test(seccomp, answer_with_nothing_pending_does_not_block)
{
	require_reports();
	struct filtered fc;
	start(&fc, dying_grandchild_body, true);
	cr_assert(read_record(&fc));
	pid_t gc = (pid_t)find(&fc, "grandchild")->ret;
	struct pollfd pfd = {fc.listener, POLLIN, 0};
	cr_assert_eq(poll(&pfd, 1, 10000), 1);
	/* Answer the pending one, then ask again while the processes live on. */
	struct seccomp_denial d;
	cr_assert_eq(seccomp_listener_answer(fc.listener, &d), 1, "%s", error_last());
	cr_expect_eq(d.pid, gc);
	cr_expect_str_eq(d.syscall, "mount");
	cr_assert(read_record(&fc));
	cr_assert_eq(find(&fc, "reaped")->ret, -1, "the grandchild was killed");
	cr_expect_eq(seccomp_listener_answer(fc.listener, &d), 0, "%s", error_last());
	finish(&fc);
	assert_clean_exit(&fc);
}

#if defined(__x86_64__)
/* Runs a call the way a foreign ABI would; returns the wait status. */
static int run_foreign(bool filtered, int abi)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (filtered) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
				_exit(121);
			int listener = seccomp_filter_load(filter);
			if (listener < 0)
				_exit(122);
			if (listener > 0)
				close(listener);
		}
		long ret;
		if (abi == 32) {
			/* i386's getpid is 20. */
			__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		} else {
			ret = syscall(0x40000000L | SYS_getpid); /* x32 */
		}
		(void)ret;
		_exit(0);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

Test(seccomp, foreign_architecture_calls_kill_the_process)
{
	int status = run_foreign(true, 0);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "x32: status 0x%x", status);
	/* Kernels may be built or booted without i386 emulation. */
	status = run_foreign(false, 32);
	if (!WIFEXITED(status))
		cr_skip_test("this kernel runs no i386 code (status 0x%x without a filter)",
			     status);
	status = run_foreign(true, 32);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "i386: status 0x%x", status);
}
#endif

Test(seccomp, denied_names_list_the_filter)
{
	const char *const *names = seccomp_denied_names();
	size_t n = 0;
	bool mount = false, clone = false, clone3 = false, getpid = false;
	for (; names[n]; n++) {
		mount |= !strcmp(names[n], "mount");
		clone |= !strcmp(names[n], "clone");
		clone3 |= !strcmp(names[n], "clone3");
		getpid |= !strcmp(names[n], "getpid");
		for (size_t j = 0; j < n; j++)
			cr_expect_str_neq(names[j], names[n], "listed twice");
	}
	cr_expect_geq(n, 40);
	cr_expect(mount && clone);
	cr_expect_not(clone3, "clone3 fails with ENOSYS, it is not reported");
	cr_expect_not(getpid);
}
