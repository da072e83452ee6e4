/*
 * compat: errno names as glibc gives them, close_range() and its fallback,
 * and the grader on a kernel that lacks the newer calls.  An older kernel is
 * simulated with a seccomp filter that makes those calls fail with ENOSYS
 * (or EINVAL, as 5.9 and 5.10 refuse CLOSE_RANGE_CLOEXEC): what the grader
 * does then is what it does on such a kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "e2e_util.h"
#include "util.h"

TestSuite(compat, .timeout = 240);

Test(compat, errno_names_are_glibcs)
{
	cr_expect_str_eq(compat_errno_name(ENOENT), "ENOENT");
	cr_expect_str_eq(compat_errno_name(EAGAIN), "EAGAIN");
	cr_expect_str_eq(compat_errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	cr_expect_str_eq(compat_errno_name(EHWPOISON), "EHWPOISON");
	cr_expect_null(compat_errno_name(0));
	cr_expect_null(compat_errno_name(-1));
	cr_expect_null(compat_errno_name(100000));
#if __GLIBC_PREREQ(2, 32)
	/* Every value glibc names, named the same (aliases such as EWOULDBLOCK included). */
	for (int e = 1; e < 1000; e++) {
		const char *glibc = strerrorname_np(e), *ours = compat_errno_name(e);
		cr_expect((!glibc && !ours) || (glibc && ours && !strcmp(glibc, ours)),
			  "errno %d: glibc %s, ours %s", e, glibc ? glibc : "(none)",
			  ours ? ours : "(none)");
	}
#endif
}

/* Makes calls nr_a and nr_b fail with err_a and err_b in this process (and what it execs). */
static void refuse_calls(long nr_a, int err_a, long nr_b, int err_b)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr_a, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err_a),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr_b, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err_b),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(f), .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("seccomp");
		_exit(99);
	}
}

enum close_outcome { CLOSED = 1, CLOEXEC = 2 };

/*
 * In a child whose kernel calls are refused as given (nr -1: none), opens
 * descriptors 3..9 free of FD_CLOEXEC, closes (or marks) 5 and up with
 * compat_close_range(), and says in its exit status whether 3 and 4 are
 * untouched and every one from 5 up is closed (or close-on-exec).
 */
static int close_range_in_child(long nr_a, int err_a, long nr_b, int err_b, unsigned flags)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		for (int fd = 3; fd <= 9; fd++)
			if (dup2(0, fd) < 0)
				_exit(98);
		if (nr_a >= 0)
			refuse_calls(nr_a, err_a, nr_b, err_b);
		if (compat_close_range(5, ~0U, flags) < 0)
			_exit(97);
		bool kept = fcntl(3, F_GETFD) == 0 && fcntl(4, F_GETFD) == 0;
		bool closed = true, cloexec = true;
		for (int fd = 5; fd <= 9; fd++) {
			int fdflags = fcntl(fd, F_GETFD);
			closed = closed && fdflags < 0 && errno == EBADF;
			cloexec = cloexec && fdflags == FD_CLOEXEC;
		}
		_exit(!kept ? 96 : closed ? CLOSED : cloexec ? CLOEXEC : 95);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "status %#x", status);
	return WEXITSTATUS(status);
}

Test(compat, close_range_closes_or_marks_from_first_up)
{
	cr_expect_eq(close_range_in_child(-1, 0, -1, 0, 0), CLOSED);
	cr_expect_eq(close_range_in_child(-1, 0, -1, 0, CLOSE_RANGE_CLOEXEC), CLOEXEC);
}

Test(compat, close_range_without_the_kernel_call_does_the_same)
{
	/* Before 5.9: no close_range at all; /proc/self/fd is listed. */
	cr_expect_eq(close_range_in_child(SYS_close_range, ENOSYS, -1, 0, 0), CLOSED);
	cr_expect_eq(close_range_in_child(SYS_close_range, ENOSYS, -1, 0, CLOSE_RANGE_CLOEXEC),
		     CLOEXEC);
	/* 5.9 and 5.10: close_range without CLOSE_RANGE_CLOEXEC. */
	cr_expect_eq(close_range_in_child(SYS_close_range, EINVAL, -1, 0, CLOSE_RANGE_CLOEXEC),
		     CLOEXEC);
	/* ... and no /proc to list: every descriptor up to the limit. */
	cr_expect_eq(close_range_in_child(SYS_close_range, ENOSYS, SYS_openat, ENOENT, 0), CLOSED);
	cr_expect_eq(close_range_in_child(SYS_close_range, ENOSYS, SYS_openat, ENOENT,
					  CLOSE_RANGE_CLOEXEC),
		     CLOEXEC);
}

/*
 * The grader on a kernel older than 5.12 (no mount_setattr) and 5.9 (no
 * close_range): it grades with partial isolation, says so before it grades
 * (stderr's first line) and in the report, and grades as before: no
 * descriptor of its own reaches the program (cleanup.fds passes).
 */
Test(compat, a_kernel_without_mount_setattr_grades_with_partial_isolation_and_says_so)
{
	char *out = path_join(e2e_tmpdir(), "old-kernel");
	char *err_path = path_join(e2e_tmpdir(), "old-kernel.err");
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (err < 0 || null < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
			_exit(99);
		refuse_calls(SYS_mount_setattr, ENOSYS, SYS_close_range, ENOSYS);
		execl(e2e_grader(), e2e_grader(), "grade", "testcases/pipe_hello",
		      "submissions/pipe_hello/correct_alice", "-o", out, (char *)NULL);
		_exit(98);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	struct strbuf err = STRBUF_INIT;
	strbuf_init(&err);
	cr_assert_eq(read_file(err_path, &err), 0, "%s", error_last());
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x: %s", status, err.buf);
	const char *first_line = "grader: warning: isolation partial, missing: namespaces and file "
				 "system isolation (";
	cr_expect(!strncmp(err.buf, first_line, strlen(first_line)), "%s", err.buf);
	cr_expect(strstr(err.buf, "mount_setattr, Linux 5.12"), "%s", err.buf);

	char *report = path_join(out, "correct_alice.json");
	json_error_t jerr;
	json_t *r = json_load_file(report, 0, &jerr);
	cr_assert_not_null(r, "%s: %s", report, jerr.text);
	cr_expect_str_eq(json_string_value(json_object_get(r, "isolation")), "partial");
	const char *missing = json_string_value(json_array_get(json_object_get(r, "isolation_missing"), 0));
	cr_expect(missing && strstr(missing, "mount_setattr"), "%s", missing ? missing : "(none)");
	cr_expect_eq(json_integer_value(json_object_get(r, "score")), 10);
	json_decref(r);
	free(report);
	strbuf_release(&err);
	free(err_path);
	free(out);
}
