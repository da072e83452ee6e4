/*
 * compat: what the grader needs from the kernel that glibc 2.31 (Debian 11,
 * Ubuntu 20.04) and its kernel headers do not declare, and the fallbacks for
 * kernels that lack a call.
 *
 * Where glibc has no wrapper the kernel is called directly (syscall()), with
 * the numbers and structures of its ABI defined here when the headers are
 * older than the call.  Which kernel features the grader needs, and what it
 * does and says without each, is in docs/ci.md ("Kernel and C library").
 * `make check-portability` builds and tests the grader against glibc 2.31.
 */
#ifndef GRADER_COMPAT_H
#define GRADER_COMPAT_H

/* Included first, so that what they declare is never declared again here. */
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Numbers the generic syscall table gives every architecture but alpha. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* Linux 5.11 (linux/close_range.h). */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* waitid() on a pidfd, Linux 5.4 (linux/wait.h; glibc 2.36 declares it). */
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Linux 5.19 (linux/seccomp.h): seccomp.c asks for it, and does without where refused. */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* mount_setattr(2), Linux 5.12; glibc declares it and its structure from 2.36 (sys/mount.h). */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef MOUNT_ATTR_SIZE_VER0
#define MOUNT_ATTR_SIZE_VER0 32
struct mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};
#endif

/*
 * mount_setattr() through the kernel.  Fails with ENOSYS before Linux 5.12:
 * the sandbox's start-up probe then fails and the grader says, before it
 * grades anything, that it grades with partial isolation (sandbox.h).
 */
int compat_mount_setattr(int dirfd, const char *path, unsigned int flags,
			 const struct mount_attr *attr, size_t size);

/*
 * close_range(first, last, flags), flags 0 or CLOSE_RANGE_CLOEXEC.  Where
 * the kernel lacks the call (before 5.9) or the flag (before 5.11), the same
 * is done one descriptor at a time, those listed in /proc/self/fd (every one
 * up to the descriptor limit when /proc cannot be read): never fewer.
 * Async-signal-safe (between fork and exec).  0, or -1 with errno set.
 */
int compat_close_range(unsigned int first, unsigned int last, unsigned int flags);

/*
 * The name of an errno value ("ENOENT"), or NULL for an unknown one: what
 * strerrorname_np() (glibc 2.32) gives, on every glibc, so that a report
 * reads the same whatever glibc built the grader.
 */
const char *compat_errno_name(int err);

#endif
