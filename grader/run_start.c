/*
 * run_start: the runner's side of starting one of a test's processes
 * (run_internal.h) — its pipes and status socket, the fork, the hand-over
 * to the tracer, and what the child reports until its exec: a failed
 * set-up step, or the seccomp listener.  The child's side is run_child.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run_internal.h"
#include "util.h"

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_errno("run: pipe");
	return 0;
}

/*
 * Until sock is readable.  A traced child stops in its own execve, so the
 * tracer's events are handled meanwhile, and its timed looks at held
 * processes (a perturbed run holds that very execve) are kept.
 */
static int await_status(int sock, struct tracer *tracer)
{
	for (;;) {
		struct pollfd pfds[2] = {{sock, POLLIN, 0}, {trace_fd(tracer), POLLIN, 0}};
		long long wake = trace_wake_ms(tracer, now_seconds());
		int rc = poll(pfds, 2, wake > INT_MAX ? -1 : (int)wake);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return error_errno("run: poll");
		/* The socket first: a 'F' must be read before the exec stop it concerns is handled. */
		if (pfds[0].revents)
			return 0;
		if (trace_step(tracer) < 0)
			return -1;
	}
}

/*
 * Reads the child's status socket until exec closes it: a failure record, or
 * the seccomp listener (kept in *listener) followed by EOF.  Returns the
 * size of the last message, 0 at EOF; -2 when the tracer (non-NULL for a
 * traced child) failed.
 */
static ssize_t receive_status(int sock, struct tracer *tracer, struct child_failure *failure,
			      int *listener)
{
	for (;;) {
		if (tracer && await_status(sock, tracer) < 0)
			return -2;
		char data[sizeof(*failure)];
		union {
			struct cmsghdr hdr;
			char buf[CMSG_SPACE(sizeof(int))];
		} control;
		struct iovec iov = {data, sizeof(data)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf)};
		ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			close_fd(listener);
			memcpy(listener, CMSG_DATA(cm), sizeof(int));
			continue;
		}
		if (tracer && n == 1 && data[0] == 'F') {
			trace_without_filter(tracer);
			continue;
		}
		if (n == (ssize_t)sizeof(*failure)) {
			memcpy(failure, data, sizeof(*failure));
			return n;
		}
	}
}

/* The processes of the test's PID namespace, zombies included, init (this process) excluded. */
static long long test_processes(void)
{
	long long n = 0;
	DIR *dir = opendir("/proc");
	struct dirent *de;
	while (dir && (de = readdir(dir)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	if (dir)
		closedir(dir);
	return n > 0 ? n - 1 : 0;
}

int run_proc_start(struct proc *p, const struct run_request *req, rlim_t nproc,
		   struct tracer *tracer, bool not_first)
{
	const struct run_proc_spec *spec = p->spec;
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	int status_pipe[2] = {-1, -1};
	int go_pipe[2] = {-1, -1};
	struct run_stdin in;
	int ret = -1;
	char *path = run_resolve_program(spec->argv[0]);

	if (run_stdin_open(spec, &in) < 0) {
		free(path);
		return -1;
	}
	/* A terminal is stdout too: no pipe for it. */
	if ((in.child_out < 0 && make_pipe(out_pipe) < 0) || make_pipe(err_pipe) < 0)
		goto out;
	/* A socket, not a pipe: the seccomp listener travels over it. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, status_pipe) < 0) {
		error_errno("run: socketpair");
		goto out;
	}
	if (tracer && make_pipe(go_pipe) < 0)
		goto out;
	struct child_trace trace = {go_pipe[0], go_pipe[1], tracer ? trace_filter(tracer) : NULL};

	p->started_at = now_seconds();
	/*
	 * In a sandbox the PID namespace is the test's: when its processes fill
	 * the limit, the next one has no room, whichever limit enforces it (the
	 * cgroup's would refuse the fork; RLIMIT_NPROC, an ordinary user's, binds
	 * only the student's processes, and would let this one in).
	 */
	bool full = not_first && req->limits.processes > 0 && getpid() == 1 &&
		    test_processes() >= req->limits.processes;
	pid_t pid = full ? -1 : fork();
	if (full)
		errno = EAGAIN;
	if (pid < 0 && errno == EAGAIN && not_first) {
		p->res->start_error = xasprintf(
		    "cannot run '%s': the test's other processes had used up its process limit "
		    "(%lld), so it could not be started",
		    spec->argv[0], req->limits.processes);
		p->res->limited = true;
		ret = 0;
		goto out;
	}
	if (pid < 0) {
		error_errno("run: fork");
		goto out;
	}
	if (pid == 0) {
		struct run_child_setup setup = {
			.path = path,
			.argv = spec->argv,
			.envp = req->envp,
			.workdir = req->workdir,
			.stdin_fd = in.child_in,
			.out_fd = in.child_out >= 0 ? in.child_out : out_pipe[1],
			.err_fd = err_pipe[1],
			.limits = &req->limits,
			.nproc = nproc,
			.confine = req->confine,
			.trace = tracer ? &trace : NULL,
			.status_fd = status_pipe[1],
		};
		run_child_exec(&setup);
	}

	p->pid = pid;
	p->res->pid = pid;
	close_fd(&status_pipe[1]);
	/* Seized before it runs a single instruction of the program (or told it runs untraced). */
	if (tracer && trace_attach(tracer, pid, spec->argv, go_pipe[1], status_pipe[0]) < 0)
		goto out;
	close_fd(&go_pipe[1]);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[1]);
	run_stdin_close_child(&in);

	struct child_failure failure;
	ssize_t n = receive_status(status_pipe[0], tracer, &failure, &p->seccomp_fd);
	/* Its copy of the runner's memory is gone: the processes paused to attach it go on. */
	if (tracer)
		trace_attach_done(tracer);
	if (n == -2)
		goto out;
	if (n == (ssize_t)sizeof(failure)) {
		p->res->start_error = xasprintf("cannot run '%s': %s failed: %s", spec->argv[0],
						run_child_step_name(failure.step),
						strerror(failure.err));
		close_fd(&in.feed);
	} else {
		p->res->started = true;
	}

	/* Without pidfds (kernels before 5.3, valgrind) the loop polls for exits instead. */
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0 && errno != ENOSYS) {
		error_errno("run: pidfd_open");
		goto out;
	}
	p->out_fd = in.master >= 0 ? in.master : out_pipe[0];
	p->err_fd = err_pipe[0];
	in.master = out_pipe[0] = err_pipe[0] = -1;
	if (set_nonblocking(p->out_fd) < 0 || set_nonblocking(p->err_fd) < 0)
		goto out;
	if (in.feed >= 0) {
		p->in_fd = in.feed;
		p->in_data = in.data;
		p->in_len = in.len;
		in.feed = -1;
		in.data = NULL;
		if (set_nonblocking(p->in_fd) < 0)
			goto out;
	}
	ret = 0;
out:
	run_stdin_release(&in);
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[0]);
	close_fd(&err_pipe[1]);
	close_fd(&status_pipe[0]);
	close_fd(&status_pipe[1]);
	close_fd(&go_pipe[0]);
	close_fd(&go_pipe[1]);
	free(path);
	return ret;
}
