/*
 * seccomp: builds the filter with libseccomp, loads it with a bare system call.
 *
 * seccomp_filter_new() compiles two BPF programs once, in the parent: one
 * that sends denied calls to a user-notification listener and a plain one
 * that fails them with EPERM.  The plain one is the fallback for kernels
 * without user notification and for a grader that itself runs under a
 * filter that already has a listener (a container runtime's): the kernel
 * allows one listener per filter stack and refuses a second with EBUSY.
 * A throwaway child then loads the programs, so that a kernel refusal is
 * reported here, with its reason, and not as a failed step in every test,
 * and so that seccomp_filter_reports() tells the truth.
 *
 * Nothing of libseccomp is needed after that: seccomp_filter_load() is one
 * seccomp() call on a ready program, and the listener side speaks the
 * kernel's ioctl protocol directly.
 */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

/*
 * Everything denied, in the order of the header's list.  Names this
 * architecture does not have (umount and the *64 time calls exist only on
 * 32-bit ones) are skipped when the filter is built.  "clone" is denied
 * only with a namespace flag or CLONE_UNTRACED; see add_clone_rules().
 */
/* clang-format off */
static const char *const denied_names[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
	"mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
	"swapon", "swapoff", "reboot", "kexec_load", "kexec_file_load",
	"init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
	"keyctl", "add_key", "request_key", "unshare", "setns", "clone",
	"userfaultfd", "open_by_handle_at", "name_to_handle_at", "acct",
	"quotactl", "quotactl_fd", "settimeofday", "stime", "clock_settime",
	"clock_settime64", "clock_adjtime", "clock_adjtime64", "adjtimex",
	"sethostname", "setdomainname", "iopl", "ioperm", "syslog", "lookup_dcookie",
	"fanotify_init", "vhangup", "kcmp", "mbind", "migrate_pages", "move_pages",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	NULL,
};

/*
 * ioctl requests that reach beyond the process: TIOCSTI types into a
 * terminal's input queue (a shell the TA uses later runs it), TIOCLINUX
 * does the same and more on a virtual console.  A test has no terminal of
 * its own (sandbox.h), so only one leaked to it could be reached; these
 * rules are the second wall.
 */
static const struct {
	unsigned long request;
	const char *name;
} denied_ioctls[] = {
	{TIOCSTI, "ioctl(TIOCSTI)"},
	{TIOCLINUX, "ioctl(TIOCLINUX)"},
};

/*
 * CLONE_NEWTIME is left out: in clone() its bit lies inside CSIGNAL, the
 * exit-signal byte, so a rule on it would test the exit signal.  clone()
 * cannot ask for a time namespace at all; clone3 and unshare can, and both
 * are refused.  CLONE_UNTRACED makes a child the grader's tracer does not
 * follow (trace.h): no program needs it, and a traced test must see every
 * process.
 */
static const uint64_t clone_denied_flags[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_UNTRACED,
};
/* clang-format on */

/* s390 swapped clone's first two arguments (stack, then flags). */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/*
 * Calls that arm a timer.  With user notification the supervisor hears of
 * each (and lets it go on, SECCOMP_USER_NOTIF_FLAG_CONTINUE): a test whose
 * processes are all blocked for good could still be woken by a timer, and
 * nothing in /proc says whether an alarm() is pending (run.h: deadlocks).
 */
static const char *const timer_names[] = {"alarm", "setitimer", "timer_settime", NULL};

struct seccomp_filter {
	struct sock_fprog notify;   /* .filter NULL: no user notification here */
	struct sock_fprog plain;    /* denied calls fail with EPERM, unreported */
	unsigned long notify_flags; /* seccomp() flags that load .notify */
	bool reports;
	bool sees_timers;           /* .notify also tells of timer calls */
};

static int lib_error(const char *what, int rc)
{
	return error("seccomp: %s: %s", what, strerror(-rc));
}

static int add_clone_rules(scmp_filter_ctx ctx, uint32_t deny, int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(clone_denied_flags); i++) {
		uint64_t flag = clone_denied_flags[i];
		int rc = seccomp_rule_add(
		    ctx, deny, nr, 1, SCMP_CMP(CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ, flag, flag));
		if (rc < 0)
			return lib_error("rule for clone", rc);
	}
	return 0;
}

/* libseccomp 2.5 exports only to an fd; a memfd turns that into memory. */
static int export_program(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int ret = -1;
	int fd = memfd_create("grader-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return error_errno("seccomp: memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		lib_error("export the BPF program", rc);
		goto out;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		error_errno("seccomp: lseek");
		goto out;
	}
	size_t n = (size_t)size / sizeof(struct sock_filter);
	if (size == 0 || (size_t)size % sizeof(struct sock_filter) || n > BPF_MAXINSNS) {
		error("seccomp: libseccomp exported a BPF program of %lld bytes", (long long)size);
		goto out;
	}
	struct sock_filter *insns = xmalloc((size_t)size);
	size_t done = 0;
	while (done < (size_t)size) {
		ssize_t got = pread(fd, (char *)insns + done, (size_t)size - done, (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			got < 0 ? error_errno("seccomp: read the BPF program")
				: error("seccomp: the BPF program is shorter than announced");
			free(insns);
			goto out;
		}
		done += (size_t)got;
	}
	prog->len = (unsigned short)n;
	prog->filter = insns;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Lets the supervisor hear of every call that arms a timer (alarm(0) disarms: not told). */
static int add_timer_rules(scmp_filter_ctx ctx)
{
	for (const char *const *name = timer_names; *name; name++) {
		int nr = seccomp_syscall_resolve_name(*name);
		if (nr < 0)
			continue;
		int rc = strcmp(*name, "alarm")
			     ? seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0)
			     : seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1, SCMP_A0(SCMP_CMP_NE, 0));
		if (rc < 0)
			return error("seccomp: rule for %s: %s", *name, strerror(-rc));
	}
	return 0;
}

/* timers: also notify the timer calls (only with deny = SCMP_ACT_NOTIFY). */
static int build_program(uint32_t deny, bool timers, struct sock_fprog *prog)
{
	int ret = -1, rc;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return error("seccomp: libseccomp cannot create a filter");

	/* x32 and i386 calls would reach other numbers than the rules name. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc < 0) /* kernels before 4.14 kill only the calling thread */
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_THREAD);
	if (rc < 0) {
		lib_error("bad-architecture action", rc);
		goto out;
	}
	/*
	 * Every allowed call runs the whole program; a binary tree keeps that
	 * to a handful of comparisons instead of one per denied call.
	 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0) {
		lib_error("optimisation level", rc);
		goto out;
	}

	int clone_nr = seccomp_syscall_resolve_name("clone");
	for (const char *const *name = denied_names; *name; name++) {
		int nr = seccomp_syscall_resolve_name(*name);
		/* Negative: none (or a libseccomp pseudo-number) on this architecture. */
		if (nr < 0)
			continue;
		if (nr == clone_nr) {
			if (add_clone_rules(ctx, deny, nr) < 0)
				goto out;
			continue;
		}
		rc = seccomp_rule_add(ctx, deny, nr, 0);
		if (rc < 0) {
			error("seccomp: rule for %s: %s", *name, strerror(-rc));
			goto out;
		}
	}
	int ioctl_nr = seccomp_syscall_resolve_name("ioctl");
	for (size_t i = 0; i < ARRAY_SIZE(denied_ioctls); i++) {
		/* The kernel takes the request as an unsigned int: the upper half is ignored. */
		rc = seccomp_rule_add(ctx, deny, ioctl_nr, 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					      denied_ioctls[i].request));
		if (rc < 0) {
			error("seccomp: rule for %s: %s", denied_ioctls[i].name, strerror(-rc));
			goto out;
		}
	}
	/*
	 * clone3 passes its flags in memory, out of the filter's reach.  ENOSYS
	 * (not EPERM) makes the C library fall back to clone, which is
	 * checked; it is no attack, so it is not reported.
	 */
	if (timers && add_timer_rules(ctx) < 0)
		goto out;
	int clone3_nr = seccomp_syscall_resolve_name("clone3");
	if (clone3_nr >= 0) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3_nr, 0);
		if (rc < 0) {
			lib_error("rule for clone3", rc);
			goto out;
		}
	}
	ret = export_program(ctx, prog);
out:
	seccomp_release(ctx);
	return ret;
}

/* What the probe child found; errno values, 0 for success. */
struct probe_result {
	int notify_err;
	unsigned long notify_flags;
	int plain_err;
	int continue_err;	/* answering a notification with "go on" (kernel 5.5) */
};

static long load_program(const struct sock_fprog *prog, unsigned long flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

/* Runs in the probe child: async-signal-safe calls only. */
__attribute__((noreturn)) static void probe_child(const struct seccomp_filter *f, int result_fd)
{
	struct probe_result r;
	/* Padding included: the whole struct goes through the pipe. */
	memset(&r, 0, sizeof(r));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r.notify_err = r.plain_err = errno;
		goto out;
	}
	if (f->notify.filter) {
		/*
		 * Once the listener has taken a notification, a caller that
		 * catches a signal keeps waiting for the answer (6.0 and later)
		 * instead of withdrawing it, restarting the call and being
		 * reported twice.
		 */
		r.notify_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		long fd = load_program(&f->notify, r.notify_flags);
		if (fd < 0 && errno == EINVAL &&
		    r.notify_flags != SECCOMP_FILTER_FLAG_NEW_LISTENER) {
			r.notify_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
			fd = load_program(&f->notify, r.notify_flags);
		}
		r.notify_err = fd < 0 ? errno : 0;
		/*
		 * A kernel that knows SECCOMP_USER_NOTIF_FLAG_CONTINUE looks for
		 * the (unknown) id and says ENOENT; an older one refuses the flag.
		 */
		struct seccomp_notif_resp resp;
		memset(&resp, 0, sizeof(resp));
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (fd >= 0 && ioctl((int)fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
			r.continue_err = errno == ENOENT ? 0 : errno;
	}
	/* Filters stack, so the plain one can be tried on top. */
	if (load_program(&f->plain, 0) < 0)
		r.plain_err = errno;
out:
	(void)!write(result_fd, &r, sizeof(r));
	_exit(0);
}

static int probe(struct seccomp_filter *f)
{
	int result_pipe[2];
	if (pipe2(result_pipe, O_CLOEXEC) < 0)
		return error_errno("seccomp: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(result_pipe[0]);
		close(result_pipe[1]);
		return error_errno("seccomp: fork");
	}
	if (pid == 0) {
		close(result_pipe[0]);
		probe_child(f, result_pipe[1]);
	}
	close(result_pipe[1]);
	struct probe_result r;
	ssize_t got;
	do
		got = read(result_pipe[0], &r, sizeof(r));
	while (got < 0 && errno == EINTR);
	int read_errno = errno;
	close(result_pipe[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(r)) {
		errno = read_errno;
		return got < 0 ? error_errno("seccomp: probe") : error("seccomp: the probe died");
	}
	if (r.plain_err) {
		errno = r.plain_err;
		return error_errno("seccomp: the kernel refuses the filter");
	}
	if (f->notify.filter && r.notify_err == 0) {
		f->reports = true;
		f->notify_flags = r.notify_flags;
		/* Without "go on" a timer call could only be denied: the filter leaves them be. */
		if (r.continue_err) {
			free(f->notify.filter);
			f->notify.filter = NULL;
			if (build_program(SCMP_ACT_NOTIFY, false, &f->notify) < 0)
				return -1;
			f->sees_timers = false;
		}
	}
	return 0;
}

struct seccomp_filter *seccomp_filter_new(void)
{
	struct seccomp_filter *f = xcalloc(1, sizeof(*f));
	if (build_program(SCMP_ACT_ERRNO(EPERM), false, &f->plain) < 0)
		goto fail;
	/* Level 5: the kernel and libseccomp both know user notification. */
	if (seccomp_api_get() >= 5) {
		if (build_program(SCMP_ACT_NOTIFY, true, &f->notify) < 0)
			goto fail;
		f->sees_timers = true;
	}
	if (probe(f) < 0)
		goto fail;
	return f;
fail:
	seccomp_filter_free(f);
	return NULL;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	if (!f)
		return;
	free(f->notify.filter);
	free(f->plain.filter);
	free(f);
}

bool seccomp_filter_reports(const struct seccomp_filter *f)
{
	return f->reports;
}

bool seccomp_filter_sees_timers(const struct seccomp_filter *f)
{
	return f->reports && f->sees_timers;
}

int seccomp_filter_load(const struct seccomp_filter *f)
{
	if (f->reports) {
		long fd = load_program(&f->notify, f->notify_flags);
		if (fd >= 0) {
			/* 0 means "no listener" to the caller; an fd 0 must move. */
			if (fd == 0) {
				int moved = fcntl(0, F_DUPFD_CLOEXEC, 3);
				int err = errno;
				close(0);
				return moved < 0 ? -err : moved;
			}
			/*
			 * Already close-on-exec (the kernel's promise in seccomp(2),
			 * pinned by a test): the program must never inherit its own
			 * listener, or it could let its own denied calls through.
			 */
			return (int)fd;
		}
		/* A listener appeared further up the stack since the probe. */
		if (errno != EBUSY)
			return -errno;
	}
	if (load_program(&f->plain, 0) < 0)
		return -errno;
	return 0;
}

/*
 * The kernel's notification structs may grow; it says how big they are
 * and insists that the receive buffer be zeroed.  The stack holds today's
 * sizes with room to spare, so a denial costs no allocation.
 */
union notif_buf {
	struct seccomp_notif notif;
	unsigned char raw[256];
};
union resp_buf {
	struct seccomp_notif_resp resp;
	unsigned char raw[256];
};

static bool is_timer_call(int nr)
{
	for (const char *const *name = timer_names; *name; name++)
		if (seccomp_syscall_resolve_name(*name) == nr)
			return true;
	return false;
}

static void describe(int nr, const __u64 *args, struct seccomp_denial *out)
{
	if (nr == seccomp_syscall_resolve_name("ioctl")) {
		for (size_t i = 0; i < ARRAY_SIZE(denied_ioctls); i++) {
			if ((args[1] & 0xffffffffUL) == denied_ioctls[i].request) {
				snprintf(out->syscall, sizeof(out->syscall), "%s", denied_ioctls[i].name);
				return;
			}
		}
	}
	for (const char *const *name = denied_names; *name; name++) {
		if (seccomp_syscall_resolve_name(*name) == nr) {
			snprintf(out->syscall, sizeof(out->syscall), "%s", *name);
			return;
		}
	}
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	if (name)
		snprintf(out->syscall, sizeof(out->syscall), "%s", name);
	else
		snprintf(out->syscall, sizeof(out->syscall), "syscall %d", nr);
	free(name);
}

int seccomp_listener_answer(int listener_fd, struct seccomp_denial *out)
{
	/* Receiving blocks while nothing is pending: look first. */
	struct pollfd pfd = {.fd = listener_fd, .events = POLLIN};
	int n;
	do
		n = poll(&pfd, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_errno("seccomp: poll the listener");
	if (!(pfd.revents & POLLIN)) {
		if (pfd.revents & POLLNVAL)
			return error("seccomp: the listener fd %d is not open", listener_fd);
		/* POLLHUP: no process is left under the filter (5.9 and later). */
		if (pfd.revents & (POLLHUP | POLLERR))
			return error("seccomp: every filtered process has exited");
		return 0;
	}

	struct seccomp_notif_sizes sizes;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return error_errno("seccomp: SECCOMP_GET_NOTIF_SIZES");

	int ret = -1;
	union notif_buf notif_stack;
	union resp_buf resp_stack;
	void *notif_heap = NULL, *resp_heap = NULL;
	size_t notif_size =
	    sizes.seccomp_notif > sizeof(notif_stack) ? sizes.seccomp_notif : sizeof(notif_stack);
	size_t resp_size = sizes.seccomp_notif_resp > sizeof(resp_stack) ? sizes.seccomp_notif_resp
									 : sizeof(resp_stack);
	struct seccomp_notif *req = &notif_stack.notif;
	struct seccomp_notif_resp *resp = &resp_stack.resp;
	if (notif_size > sizeof(notif_stack))
		req = notif_heap = xmalloc(notif_size);
	if (resp_size > sizeof(resp_stack))
		resp = resp_heap = xmalloc(resp_size);

	memset(req, 0, notif_size);
	while (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		if (errno == EINTR) {
			memset(req, 0, notif_size);
			continue;
		}
		/* The caller was killed (or interrupted) between poll and receive. */
		if (errno == ENOENT) {
			ret = 0;
			goto out;
		}
		error_errno("seccomp: receive a notification");
		goto out;
	}

	bool timer = is_timer_call(req->data.nr);
	memset(resp, 0, resp_size);
	resp->id = req->id;
	/* A timer call goes on as if allowed: the supervisor only wanted to know. */
	resp->error = timer ? 0 : -EPERM;
	resp->val = 0;
	resp->flags = timer ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	while (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0) {
		if (errno == EINTR)
			continue;
		/*
		 * The caller died, or a signal made it withdraw the call (which
		 * it may then retry: that is reported when it arrives).
		 */
		if (errno == ENOENT) {
			ret = 0;
			goto out;
		}
		error_errno("seccomp: answer the notification");
		goto out;
	}
	out->pid = (pid_t)req->pid;
	describe(req->data.nr, req->data.args, out);
	ret = timer ? 2 : 1;
out:
	free(notif_heap);
	free(resp_heap);
	return ret;
}

const char *const *seccomp_denied_names(void)
{
	return denied_names;
}

int seccomp_syscall_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	/* libseccomp gives negative pseudo-numbers for calls of other architectures. */
	return nr < 0 ? -1 : nr;
}

struct seccomp_filter *seccomp_trace_filter_new(const int *nrs, size_t n)
{
	struct seccomp_filter *f = xcalloc(1, sizeof(*f));
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		error("seccomp: libseccomp cannot create a filter");
		goto fail;
	}
	/* The deny filter below it already kills foreign calls: this one lets them reach it. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (rc < 0) {
		lib_error("bad-architecture action", rc);
		goto fail;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0) {
		lib_error("optimisation level", rc);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nrs[i], 0);
		/* -EEXIST: the same call listed twice. */
		if (rc < 0 && rc != -EEXIST) {
			error("seccomp: trace rule for call %d: %s", nrs[i], strerror(-rc));
			goto fail;
		}
	}
	if (export_program(ctx, &f->plain) < 0)
		goto fail;
	seccomp_release(ctx);
	return f;
fail:
	if (ctx)
		seccomp_release(ctx);
	seccomp_filter_free(f);
	return NULL;
}
