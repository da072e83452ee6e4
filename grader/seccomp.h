/*
 * seccomp: the system call filter of student programs (libseccomp).
 *
 * Installed in each child right before execve (after no_new_privs is set),
 * so it binds the student's program and everything it starts.  Default
 * allow; the calls an IPC assignment never needs and an attacker wants are
 * denied: ptrace, process_vm_readv/writev, pidfd_getfd, mount, umount2,
 * pivot_root, chroot, move_mount, open_tree, fsopen, fsmount, fsconfig,
 * fspick, mount_setattr, swapon/swapoff, reboot, kexec_load,
 * kexec_file_load, init_module, finit_module, delete_module, bpf,
 * perf_event_open, keyctl, add_key, request_key, unshare, setns, clone with
 * any CLONE_NEW* flag or CLONE_UNTRACED (clone3 fails with ENOSYS, as its flags cannot be
 * inspected, so the C library falls back to clone), userfaultfd,
 * open_by_handle_at, name_to_handle_at, acct, quotactl, quotactl_fd,
 * settimeofday, clock_settime, clock_adjtime, adjtimex, sethostname,
 * setdomainname, iopl, ioperm, syslog, lookup_dcookie, fanotify_init,
 * vhangup, kcmp, mbind, migrate_pages, move_pages, io_uring_setup,
 * io_uring_enter, io_uring_register (its operations would run outside this
 * filter's view, one call each), ioctl TIOCSTI and TIOCLINUX (typing into
 * a terminal) (and, on 32-bit architectures, umount, stime,
 * clock_settime64, clock_adjtime64).
 * Foreign architectures (x32 or i386 calls on x86-64) kill the process.
 *
 * A denied call fails with EPERM AND is reported: the filter sends it to a
 * user-notification listener (SECCOMP_RET_USER_NOTIF); the supervisor
 * answers EPERM and records who called what.  Where the kernel has no user
 * notification (before 5.0), the filter returns EPERM directly and the
 * call goes unreported (seccomp_filter_reports() says which).  The same
 * holds where the grader itself runs under a filter that has a listener
 * (some container runtimes): the kernel allows one per filter stack.
 * Once the listener is closed, denied calls fail with ENOSYS instead:
 * the kernel's answer when no supervisor is left.
 *
 * The filter is built once in the parent (seccomp_filter_new, which
 * allocates) and loaded in the child (seccomp_filter_load, async-signal-safe:
 * one seccomp() system call with a precomputed BPF program).
 */
#ifndef GRADER_SECCOMP_H
#define GRADER_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct seccomp_filter;

/* Builds the filter for the native architecture; NULL with error_last() on failure. */
struct seccomp_filter *seccomp_filter_new(void);
void seccomp_filter_free(struct seccomp_filter *f);

/* True when denied calls reach a listener (user notification is available). */
bool seccomp_filter_reports(const struct seccomp_filter *f);
/*
 * True when the listener also hears of every timer a program arms (alarm
 * with a non-zero time, setitimer, timer_settime), and lets the call go on
 * (kernel 5.5 and later): seccomp_listener_answer() returns 2 for those.
 */
bool seccomp_filter_sees_timers(const struct seccomp_filter *f);

/*
 * Loads the filter into the calling thread (no_new_privs must be set).
 * Async-signal-safe.  Returns the listener fd (close-on-exec, never 0) when
 * the filter reports, 0 when it does not, -errno on failure.  The caller
 * must hand the listener on (or close it) before it makes a denied call
 * itself: a process waiting on its own listener waits forever.
 */
int seccomp_filter_load(const struct seccomp_filter *f);

/* One denied call, as the listener saw it. */
struct seccomp_denial {
	pid_t pid;		/* in the listener's PID namespace */
	char syscall[32];	/* "mount", "ioctl(TIOCSTI)", or "syscall 999" */
};

/*
 * Takes one notification from a readable listener fd, answers it with
 * EPERM (or, for a timer call, lets it go on) and describes it in *out.
 * Never blocks.  Returns 1 when a call was denied, 2 when a timer was
 * armed, 0 when there was nothing to answer (the caller died or was
 * interrupted by a signal meanwhile), -1 with error_last() when the
 * listener is broken or done: POLLHUP, which comes once every filtered
 * process has exited (kernel 5.9 and later; some only once they have also
 * been reaped).
 */
int seccomp_listener_answer(int listener_fd, struct seccomp_denial *out);

/* The names of the denied calls, for docs and reports (NULL-terminated, static). */
const char *const *seccomp_denied_names(void);

/* The native number of a system call, or -1 when this architecture has no such call. */
int seccomp_syscall_nr(const char *name);

/*
 * A second, independent filter for traced tests (trace.h): the calls
 * numbered in nrs stop for the ptrace tracer (SECCOMP_RET_TRACE, a
 * PTRACE_EVENT_SECCOMP stop), every other call runs untouched.  Loaded with
 * seccomp_filter_load() on top of the deny filter; the kernel takes the
 * strictest answer, so a denied call stays denied.  Load it only into a
 * process that is already traced: without a tracer a RET_TRACE call fails
 * with ENOSYS.  NULL with error_last() on failure.
 */
struct seccomp_filter *seccomp_trace_filter_new(const int *nrs, size_t n);

#endif
