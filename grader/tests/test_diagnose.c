/*
 * Unit tests of the hang diagnosis.
 *
 * Two levels.  Real processes: each test builds a small family the way a
 * student's program would (the test is the grader; its child plays the
 * student's main process, which forks one child), waits until both are
 * blocked where the case needs them, calls diagnose_hang() and checks that
 * the text names the right pids, descriptors and pipe inodes.  Hand-built
 * snapshots: the wording of diagnose_explain(), including cases that are
 * awkward to reproduce (another architecture's pause(), a FIFO, many
 * processes).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagnose.h"
#include "util.h"

/* ---------------------------------------------------------------- fixture */

/* A student-like program: `parent` (the test's child) and its `child`, sharing two pipes. */
struct family {
	int a_read, a_write; /* pipe a: parent -> child in most cases */
	int b_read, b_write; /* pipe b: child -> parent */
	unsigned long long a_ino, b_ino;
	pid_t parent, child;
};

typedef void role_fn(const struct family *f);

static struct family fam = {-1, -1, -1, -1, 0, 0, 0, 0};
static int ipc_id = -1; /* a System V object the test made */
static bool ipc_is_queue;
static char *text; /* the diagnosis under test */

static void teardown(void)
{
	/* SIGKILL first, then reap: the child is ours too (we are its subreaper). */
	if (fam.child > 0)
		kill(fam.child, SIGKILL);
	if (fam.parent > 0)
		kill(fam.parent, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	if (ipc_id >= 0) {
		if (ipc_is_queue)
			msgctl(ipc_id, IPC_RMID, NULL);
		else
			semctl(ipc_id, 0, IPC_RMID);
	}
	ipc_id = -1;
	fam.parent = fam.child = 0;
	free(text);
	text = NULL;
}

TestSuite(diagnose, .fini = teardown, .timeout = 30);

static unsigned long long inode_of(int fd)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	return (unsigned long long)st.st_ino;
}

/* fork() for a process that must not outlive its parent, even if a test dies half-way. */
static pid_t fork_tied(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
		_exit(1);
	return pid;
}

/*
 * Starts the family: two pipes, the parent, and the child it forks; each
 * runs its role and then exits.  The test keeps no pipe end: it is the
 * grader, which holds none of the student's pipes.
 */
static void start(role_fn *parent_role, role_fn *child_role)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int a[2], b[2], report[2];
	cr_assert_eq(pipe(a), 0);
	cr_assert_eq(pipe(b), 0);
	cr_assert_eq(pipe2(report, O_CLOEXEC), 0);
	fam.a_read = a[0];
	fam.a_write = a[1];
	fam.b_read = b[0];
	fam.b_write = b[1];
	fam.a_ino = inode_of(a[0]);
	fam.b_ino = inode_of(b[0]);

	fam.parent = fork_tied();
	cr_assert_geq(fam.parent, 0);
	if (fam.parent == 0) {
		close(report[0]);
		pid_t child = fork_tied();
		if (child == 0) {
			close(report[1]);
			child_role(&fam);
			_exit(0);
		}
		/* The child's pid, for the test to look for in the text. */
		if (write(report[1], &child, sizeof(child)) != (ssize_t)sizeof(child))
			_exit(1);
		close(report[1]);
		parent_role(&fam);
		_exit(0);
	}
	close(report[1]);
	cr_assert_eq(read(report[0], &fam.child, sizeof(fam.child)), (ssize_t)sizeof(fam.child));
	close(report[0]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

#define ANY_ARG (~0ULL - 1)
/* System call numbers, -1 terminated: glibc may implement a function with either. */
#define NRS(...) ((const long[]){__VA_ARGS__, -1})

static bool one_of(long nr, const long *nrs)
{
	for (; *nrs >= 0; nrs++)
		if (*nrs == nr)
			return true;
	return false;
}

/* Waits until pid is blocked in one of the calls nrs, with first argument arg0 (or ANY_ARG). */
static void wait_blocked(pid_t pid, const long *nrs, unsigned long long arg0)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	double until = now_seconds() + 10;
	while (now_seconds() < until) {
		FILE *f = fopen(path, "r");
		cr_assert_not_null(f, "pid %d is gone", (int)pid);
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		char *end;
		long got = strtol(buf, &end, 10);
		/* Compared as int: the kernel shows an int argument's register, upper half zero. */
		if (end != buf && one_of(got, nrs) &&
		    (arg0 == ANY_ARG || (int)strtoull(end, NULL, 0) == (int)arg0))
			return;
		usleep(5000);
	}
	cr_assert_fail("pid %d never blocked in system call %ld... (last: %s)", (int)pid, nrs[0],
		       buf);
}

static void wait_state(pid_t pid, char state)
{
	double until = now_seconds() + 10;
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	while (now_seconds() < until) {
		cr_assert_eq(diagnose_snapshot_take(&snap), 0, "%s", error_last());
		for (size_t i = 0; i < snap.n; i++) {
			if (snap.procs[i].pid == pid && snap.procs[i].state == state) {
				diagnose_snapshot_release(&snap);
				return;
			}
		}
		diagnose_snapshot_release(&snap);
		usleep(5000);
	}
	cr_assert_fail("pid %d never reached state %c", (int)pid, state);
}

/* The words as a report shows them: the text, then " Hint: " and the hint when there is one. */
static char *with_hint(char *words, const char *hint)
{
	if (!words || !hint)
		return words;
	char *both = xasprintf("%s Hint: %s", words, hint);
	free(words);
	return both;
}

static void diagnose_now(void)
{
	const char *hint;
	text = diagnose_hang(&hint);
	text = with_hint(text, hint);
	cr_assert_not_null(text, "no diagnosis although processes are blocked");
}

/* Asserts the diagnosis contains the formatted string. */
__attribute__((format(printf, 1, 2))) static void expect_has(const char *fmt, ...)
{
	struct strbuf want = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&want, fmt, ap);
	va_end(ap);
	bool found = strstr(text, want.buf) != NULL;
	cr_expect(found, "diagnosis lacks \"%s\":\n%s", want.buf, text);
	strbuf_release(&want);
}

__attribute__((format(printf, 1, 2))) static void expect_lacks(const char *fmt, ...)
{
	struct strbuf unwanted = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&unwanted, fmt, ap);
	va_end(ap);
	cr_expect_null(strstr(text, unwanted.buf), "diagnosis has \"%s\":\n%s", unwanted.buf, text);
	strbuf_release(&unwanted);
}

/* ------------------------------------------------------------------ roles */

static void drain(int fd)
{
	char buf[256];
	while (read(fd, buf, sizeof(buf)) != 0)
		;
}

/* The lecture's child, minus close(pfd[1]). */
static void child_reads_keeping_write_end(const struct family *f)
{
	drain(f->a_read);
}

static void child_reads(const struct family *f)
{
	close(f->a_write);
	drain(f->a_read);
}

static void parent_writes_then_waits(const struct family *f)
{
	close(f->a_read);
	if (write(f->a_write, "hello", 6) < 0)
		_exit(1);
	close(f->a_write);
	wait(NULL);
}

static void parent_waits_keeping_write_end(const struct family *f)
{
	close(f->a_read);
	wait(NULL);
}

/* wait() first, write after: the child never gets its end-of-file. */
static void parent_waits_before_writing(const struct family *f)
{
	close(f->a_read);
	wait(NULL);
	if (write(f->a_write, "hello", 6) < 0)
		_exit(1);
	close(f->a_write);
}

/* The writer exits without a word; the parent still holds a write end and waits for the reader. */
static void parent_with_silent_writer(const struct family *f)
{
	pid_t writer = fork_tied();
	if (writer == 0)
		_exit(0);
	close(f->a_read);
	waitpid(writer, NULL, 0);
	wait(NULL);
}

/* Both read first: parent reads b (answer) before writing a (question); the child reads a. */
static void parent_reads_first(const struct family *f)
{
	close(f->a_read);
	close(f->b_write);
	drain(f->b_read);
}

static void child_reads_first(const struct family *f)
{
	close(f->a_write);
	close(f->b_read);
	drain(f->a_read);
}

/* The child fills pipe a (128 KiB, twice what it holds) while the parent waits before reading. */
static void child_writes_a_lot(const struct family *f)
{
	close(f->a_read);
	static char block[128 << 10];
	if (write(f->a_write, block, sizeof(block)) < 0)
		_exit(1);
}

static void child_writes_a_lot_keeping_read_end(const struct family *f)
{
	static char block[128 << 10];
	if (write(f->a_write, block, sizeof(block)) < 0)
		_exit(1);
}

static void parent_waits_then_reads(const struct family *f)
{
	close(f->a_write);
	wait(NULL);
	drain(f->a_read);
}

static void parent_closes_all_then_waits(const struct family *f)
{
	close(f->a_read);
	close(f->a_write);
	wait(NULL);
}

static void child_sleeps(const struct family *f)
{
	(void)f;
	sleep(60);
}

static void child_spins(const struct family *f)
{
	(void)f;
	for (volatile unsigned long n = 0;; n++)
		;
}

static void child_pauses(const struct family *f)
{
	(void)f;
	pause();
}

static void child_closes_everything_and_pauses(const struct family *f)
{
	(void)f;
	/* close_range (Linux 5.9) where there is one, else every descriptor the limit allows. */
	bool closed = false;
#ifdef SYS_close_range
	closed = syscall(SYS_close_range, 0U, ~0U, 0U) == 0;
#endif
	for (long fd = sysconf(_SC_OPEN_MAX) - 1; !closed && fd >= 0; fd--)
		close((int)fd);
	pause();
}

static void child_stops(const struct family *f)
{
	(void)f;
	raise(SIGSTOP);
}

static void child_waits_on_semaphore(const struct family *f)
{
	(void)f;
	struct sembuf down = {0, -1, 0};
	semop(ipc_id, &down, 1);
}

static void child_waits_for_message(const struct family *f)
{
	(void)f;
	struct {
		long mtype;
		char text[64];
	} msg;
	msgrcv(ipc_id, &msg, sizeof(msg.text), 7, 0);
}

/* ------------------------------------------------------- real processes */

Test(diagnose, snapshot_reads_state_syscall_and_pipe_ends)
{
	start(parent_writes_then_waits, child_reads_keeping_write_end);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);

	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	cr_assert_eq(diagnose_snapshot_take(&snap), 0, "%s", error_last());
	cr_assert_geq(snap.n, 3);
	cr_expect(snap.procs[0].observer);
	cr_expect_eq(snap.procs[0].pid, getpid());
	const struct diagnose_proc *parent = NULL, *child = NULL;
	for (size_t i = 1; i < snap.n; i++) {
		cr_expect_not(snap.procs[i].observer);
		if (snap.procs[i].pid == fam.parent)
			parent = &snap.procs[i];
		if (snap.procs[i].pid == fam.child) {
			cr_expect(parent, "the child comes before its parent");
			child = &snap.procs[i];
		}
	}
	cr_assert(parent && child);
	cr_expect_eq(child->ppid, fam.parent);
	cr_expect_eq(child->state, 'S');
	cr_expect_eq(child->syscall, SYS_read);
	cr_expect_eq(child->args[0], (unsigned long long)fam.a_read);
	cr_expect_eq(parent->syscall, SYS_wait4);
	cr_expect_eq((int)parent->args[0], -1);
	cr_expect_gt(strlen(child->cmd), 0);
	bool saw_read_end = false, saw_write_end = false;
	for (size_t k = 0; k < child->nfds; k++) {
		const struct diagnose_fd *f = &child->fds[k];
		if (k)
			cr_expect_lt(child->fds[k - 1].fd, f->fd, "descriptors sorted");
		if (f->fd == fam.a_read || f->fd == fam.a_write) {
			cr_expect(f->pipe);
			cr_expect_eq(f->ino, fam.a_ino);
			char name[64];
			snprintf(name, sizeof(name), "pipe:[%llu]", fam.a_ino);
			cr_expect_str_eq(f->target, name);
		}
		saw_read_end |= f->fd == fam.a_read && f->accmode == O_RDONLY;
		saw_write_end |= f->fd == fam.a_write && f->accmode == O_WRONLY;
	}
	cr_expect(saw_read_end && saw_write_end, "the child's two ends of pipe a, by access mode");
	diagnose_snapshot_release(&snap);
}

Test(diagnose, nothing_to_say_without_descendants)
{
	const char *hint = "unset";
	cr_expect_null(diagnose_hang(&hint));
	cr_expect_null(hint);
}

/* Case 1: reader_keeps_write_end (the lecture's child without close(pfd[1])). */
Test(diagnose, reader_keeping_its_own_write_end)
{
	start(parent_writes_then_waits, child_reads_keeping_write_end);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("pid %d (", fam.parent);
	expect_has("is blocked in wait() for its child pid %d (", fam.child);
	expect_has(
	    "which is blocked reading pipe:[%llu] (fd %d) and never sees end-of-file because "
	    "the write end of pipe:[%llu] is still open in pid %d itself (fd %d).",
	    fam.a_ino, fam.a_read, fam.a_ino, fam.child, fam.a_write);
	expect_has("its own included");
	expect_lacks("each waits for the other");
}

Test(diagnose, reader_and_its_parent_keeping_write_ends)
{
	start(parent_waits_keeping_write_end, child_reads_keeping_write_end);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("is still open in pid %d itself (fd %d) and in its parent pid %d (fd %d): each "
		   "waits for the other.",
		   fam.child, fam.a_write, fam.parent, fam.a_write);
}

/* Case 2: both sides read first. */
Test(diagnose, two_readers_waiting_for_each_other)
{
	start(parent_reads_first, child_reads_first);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_read), (unsigned long long)fam.b_read);
	diagnose_now();
	expect_has("pid %d (", fam.parent);
	expect_has(
	    " is blocked reading pipe:[%llu] (fd %d), whose write end only its child pid %d (",
	    fam.b_ino, fam.b_read, fam.child);
	expect_has("fd %d) holds; pid %d is blocked reading pipe:[%llu] (fd %d), whose write end "
		   "only its parent pid %d (fd %d) holds: each waits for the other.",
		   fam.b_write, fam.child, fam.a_ino, fam.a_read, fam.parent, fam.a_write);
	expect_has("both sides read before they write");
}

/* Case 3: the writer is gone; the only write end left is in the parent, which waits. */
Test(diagnose, reader_whose_writer_exited)
{
	start(parent_with_silent_writer, child_reads);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), (unsigned long long)-1);
	/* What a tracer adds (run.c): the silent writer (its pid is the parent's business). */
	struct diagnose_snapshot live = DIAGNOSE_SNAPSHOT_INIT;
	cr_assert_eq(diagnose_snapshot_take(&live), 0, "%s", error_last());
	diagnose_snapshot_add_gone(&live, 99999, "./writer", &fam.a_ino, 1);
	const char *hint;
	text = diagnose_explain(&live, &hint);
	text = with_hint(text, hint);
	diagnose_snapshot_release(&live);
	cr_assert_not_null(text, "no diagnosis although processes are blocked");
	expect_has("is blocked in wait() for its child pid %d (", fam.child);
	expect_has(
	    "which is blocked reading pipe:[%llu] (fd %d), whose write end only its parent pid "
	    "%d (fd %d) holds (pid 99999 (./writer), which held a write end too, has exited): "
	    "each waits for the other.",
	    fam.a_ino, fam.a_read, fam.parent, fam.a_write);
	expect_has("before it calls wait()");
}

/* Case 4: wait() before writing. */
Test(diagnose, parent_waiting_before_it_writes)
{
	start(parent_waits_before_writing, child_reads);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	cr_expect_eq(strncmp(text, "pid ", 4), 0, "starts with the parent: %s", text);
	expect_has("pid %d (", fam.parent);
	expect_has("is blocked in wait() for its child pid %d (", fam.child);
	expect_has(
	    "which is blocked reading pipe:[%llu] (fd %d), whose write end only its parent pid "
	    "%d (fd %d) holds: each waits for the other.",
	    fam.a_ino, fam.a_read, fam.parent, fam.a_write);
}

/* Case 5: a full pipe, read only after wait(). */
Test(diagnose, writer_blocked_on_a_full_pipe)
{
	start(parent_waits_then_reads, child_writes_a_lot);
	wait_blocked(fam.child, NRS(SYS_write), (unsigned long long)fam.a_write);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("is blocked in wait() for its child pid %d (", fam.child);
	expect_has("which is blocked writing to pipe:[%llu] (fd %d) because the pipe is full, and "
		   "only its parent pid %d (fd %d) holds its read end: each waits for the other.",
		   fam.a_ino, fam.a_write, fam.parent, fam.a_read);
	expect_has("64 KiB");
}

Test(diagnose, writer_blocked_on_a_pipe_nobody_else_reads)
{
	start(parent_closes_all_then_waits, child_writes_a_lot_keeping_read_end);
	wait_blocked(fam.child, NRS(SYS_write), (unsigned long long)fam.a_write);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("which is blocked writing to pipe:[%llu] (fd %d) because the pipe is full and "
		   "nobody else can read it: its read end is open only in pid %d itself (fd %d).",
		   fam.a_ino, fam.a_write, fam.child, fam.a_read);
}

/* Case 6: sleeping, spinning, pausing. */
Test(diagnose, sleeping_child)
{
	start(parent_closes_all_then_waits, child_sleeps);
	wait_blocked(fam.child, NRS(SYS_clock_nanosleep, SYS_nanosleep), ANY_ARG);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("is blocked in wait() for its child pid %d (", fam.child);
	expect_has("which is sleeping (in sleep(), usleep() or nanosleep()).");
	expect_has("no sleep is needed");
}

Test(diagnose, spinning_child)
{
	start(parent_closes_all_then_waits, child_spins);
	wait_state(fam.child, 'R');
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("for its child pid %d (", fam.child);
	expect_has("which is running, not waiting for anything (");
	expect_has("`while (read(...) != 0)`");
}

/* pause() is its own call on x86-64 and ppoll() elsewhere: both read the same. */
static void wait_paused(pid_t pid)
{
#ifdef SYS_pause
	wait_blocked(pid, NRS(SYS_pause, SYS_ppoll), ANY_ARG);
#else
	wait_blocked(pid, NRS(SYS_ppoll), ANY_ARG);
#endif
}

Test(diagnose, pausing_child)
{
	start(parent_closes_all_then_waits, child_pauses);
	wait_paused(fam.child);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("which is waiting for a signal in pause(), and none has come.");
	expect_has("sigsuspend()");
}

/* A process holding no descriptor at all: nothing to sort (qsort must not get NULL, as UBSan says). */
Test(diagnose, snapshot_of_a_process_holding_no_descriptor)
{
	start(parent_closes_all_then_waits, child_closes_everything_and_pauses);
	wait_paused(fam.child);
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	cr_assert_eq(diagnose_snapshot_take(&snap), 0, "%s", error_last());
	const struct diagnose_proc *child = NULL;
	for (size_t i = 0; i < snap.n; i++)
		if (snap.procs[i].pid == fam.child)
			child = &snap.procs[i];
	cr_assert_not_null(child, "the child is not in the snapshot");
	cr_expect_eq(child->nfds, 0);
	diagnose_snapshot_release(&snap);
}

/* System V: a semaphore nobody signals, a message nobody sends. */
Test(diagnose, child_blocked_on_a_semaphore)
{
	ipc_is_queue = false;
	ipc_id = semget(IPC_PRIVATE, 1, 0600);
	cr_assert_geq(ipc_id, 0);
	start(parent_closes_all_then_waits, child_waits_on_semaphore);
	wait_blocked(fam.child, NRS(SYS_semtimedop, SYS_semop), (unsigned long long)ipc_id);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("which is blocked in semop() on System V semaphore set %d", ipc_id);
	expect_has("semctl(SETVAL)");
}

Test(diagnose, child_blocked_on_a_message_queue)
{
	ipc_is_queue = true;
	ipc_id = msgget(IPC_PRIVATE, 0600);
	cr_assert_geq(ipc_id, 0);
	start(parent_closes_all_then_waits, child_waits_for_message);
	wait_blocked(fam.child, NRS(SYS_msgrcv), (unsigned long long)ipc_id);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has(
	    "which is blocked in msgrcv() on System V message queue %d, waiting for a message "
	    "of type 7.",
	    ipc_id);
}

/* Case 7, the fallback: a state with no pipe and no call to follow. */
Test(diagnose, stopped_child)
{
	start(parent_closes_all_then_waits, child_stops);
	wait_state(fam.child, 'T');
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has("for its child pid %d (", fam.child);
	expect_has("which is stopped (by SIGSTOP");
	expect_lacks("Hint:");
}

/* ------------------------------------------------------ hand-built snapshots */

static struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;

static void snap_teardown(void)
{
	diagnose_snapshot_release(&snap);
	teardown();
}

static struct diagnose_proc *add(pid_t pid, pid_t ppid, char state, const char *cmd, long nr,
				 unsigned long long arg0)
{
	struct diagnose_proc *p = diagnose_snapshot_add(&snap, pid, ppid, state, cmd);
	p->syscall = nr;
	p->args[0] = arg0;
	return p;
}

static struct diagnose_proc *add_grader(void)
{
	struct diagnose_proc *p = add(1, 0, 'S', "grader", -1, 0);
	p->observer = true;
	return p;
}

static void add_pipe_end(struct diagnose_proc *p, int fd, unsigned long long ino, int accmode)
{
	char name[64];
	snprintf(name, sizeof(name), "pipe:[%llu]", ino);
	diagnose_proc_add_fd(p, fd, name, true, ino, accmode);
}

static void explain(void)
{
	const char *hint;
	text = diagnose_explain(&snap, &hint);
	text = with_hint(text, hint);
	cr_assert_not_null(text);
}

Test(diagnose, words_for_a_reader_keeping_its_write_end, .fini = snap_teardown)
{
	add_grader();
	add(2, 1, 'S', "./pipe_hello", SYS_wait4, (unsigned long long)-1);
	struct diagnose_proc *child = add(3, 2, 'S', "./pipe_hello", SYS_read, 3);
	diagnose_proc_add_fd(child, 1, "pipe:[900]", true, 900, O_WRONLY);
	add_pipe_end(child, 3, 77, O_RDONLY);
	add_pipe_end(child, 4, 77, O_WRONLY);
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./pipe_hello) is blocked in wait() for its child pid 3 "
		  "(./pipe_hello), which is blocked reading pipe:[77] (fd 3) and never sees "
		  "end-of-file because the write end of pipe:[77] is still open in pid 3 itself "
		  "(fd 4). Hint: a process reading a pipe sees end-of-file only once every "
		  "write end of it is closed, its own included: right after fork(), close the "
		  "pipe ends each process does not use.");
}

/* A writer that has exited (known to the tracer) is named next to the holders left. */
Test(diagnose, words_for_a_reader_whose_writers_have_exited, .fini = snap_teardown)
{
	add_grader();
	struct diagnose_proc *parent = add(2, 1, 'S', "./dup2", SYS_wait4, 4);
	add_pipe_end(parent, 4, 50, O_WRONLY);
	struct diagnose_proc *wc = add(4, 2, 'S', "wc", SYS_read, 0);
	add_pipe_end(wc, 0, 50, O_RDONLY);
	const unsigned long long ls_pipes[] = {50}, other_pipes[] = {51, 52};
	diagnose_snapshot_add_gone(&snap, 3, "ls", ls_pipes, 1);
	diagnose_snapshot_add_gone(&snap, 5, "echo", other_pipes, 2);
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./dup2) is blocked in waitpid() for its child pid 4 (wc), which is "
		  "blocked reading pipe:[50] (fd 0), whose write end only its parent pid 2 (fd "
		  "4) holds (pid 3 (ls), which held a write end too, has exited): each waits for "
		  "the other. Hint: the child sees end-of-file only when every write end is "
		  "closed, the parent's included: the parent must close its copies of the pipe "
		  "ends (after writing, if it writes) before it calls wait().");
	/* Two of them, and the reader itself holding a write end. */
	diagnose_snapshot_release(&snap);
	free(text);
	text = NULL;
	add_grader();
	struct diagnose_proc *reader = add(2, 1, 'S', "./prog", SYS_read, 3);
	add_pipe_end(reader, 3, 60, O_RDONLY);
	add_pipe_end(reader, 4, 60, O_WRONLY);
	const unsigned long long both[] = {60};
	diagnose_snapshot_add_gone(&snap, 3, "./prog", both, 1);
	diagnose_snapshot_add_gone(&snap, 4, "./prog", both, 1);
	explain();
	cr_expect(strstr(text, "is still open in pid 2 itself (fd 4) (pid 3 (./prog), pid 4 "
			       "(./prog), which held write ends too, have exited)"),
		  "%s", text);
}

Test(diagnose, words_for_two_readers_deadlocked, .fini = snap_teardown)
{
	add_grader();
	struct diagnose_proc *parent = add(2, 1, 'S', "./two_pipes", SYS_read, 5);
	add_pipe_end(parent, 4, 10, O_WRONLY);
	add_pipe_end(parent, 5, 11, O_RDONLY);
	struct diagnose_proc *child = add(3, 2, 'S', "./two_pipes", SYS_read, 3);
	add_pipe_end(child, 3, 10, O_RDONLY);
	add_pipe_end(child, 6, 11, O_WRONLY);
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./two_pipes) is blocked reading pipe:[11] (fd 5), whose write end "
		  "only its child pid 3 (./two_pipes, fd 6) holds; pid 3 is blocked reading "
		  "pipe:[10] (fd 3), whose write end only its parent pid 2 (fd 4) holds: each "
		  "waits for the other. Hint: when both sides read before they write, each "
		  "waits for the other forever: let one side write (and close its write end) "
		  "before it reads.");
}

Test(diagnose, words_for_many_holders_and_the_grader, .fini = snap_teardown)
{
	struct diagnose_proc *grader = add_grader();
	add_pipe_end(grader, 9, 50, O_WRONLY);
	struct diagnose_proc *parent = add(2, 1, 'S', "./dup2", SYS_wait4, (unsigned long long)-1);
	add_pipe_end(parent, 3, 50, O_RDONLY);
	add_pipe_end(parent, 4, 50, O_WRONLY);
	add_pipe_end(parent, 6, 50, O_WRONLY);
	struct diagnose_proc *wc = add(4, 2, 'S', "wc", SYS_read, 0);
	add_pipe_end(wc, 0, 50, O_RDONLY);
	add_pipe_end(wc, 5, 50, O_WRONLY);
	struct diagnose_proc *ls = add(5, 2, 'S', "ls", SYS_nanosleep, 0);
	add_pipe_end(ls, 1, 50, O_WRONLY);
	explain();
	/* pid 4 reads while its own write end, its parent's two and the grader's are open. */
	cr_expect_str_eq(
	    text, "pid 2 (./dup2) is blocked in wait() for its children pid 4 (wc) and pid 5 "
		  "(ls); pid 4 is blocked reading pipe:[50] (fd 0) and never sees end-of-file "
		  "because the write end of pipe:[50] is still open in pid 4 itself (fd 5), in "
		  "the grader (pid 1, fd 9), in its parent pid 2 (fds 4 and 6) and in pid 5 "
		  "(fd 1): each waits for the other. pid 5 is sleeping (in sleep(), usleep() or "
		  "nanosleep()). Hint: a process reading a pipe sees end-of-file only once every "
		  "write end of it is closed, its own included: right after fork(), close the "
		  "pipe ends each process does not use.");
}

/* The grader drains what it captures: a writer blocked on that pipe is a flood, not a deadlock. */
Test(diagnose, words_for_a_writer_flooding_the_grader, .fini = snap_teardown)
{
	struct diagnose_proc *grader = add_grader();
	add_pipe_end(grader, 5, 60, O_RDONLY);
	struct diagnose_proc *p = add(2, 1, 'S', "./prog", SYS_write, 1);
	add_pipe_end(p, 1, 60, O_WRONLY);
	explain();
	cr_expect_str_eq(text,
			 "pid 2 (./prog) is writing to pipe:[60] (fd 1), which the grader reads, "
			 "and was still writing when the time ran out: it is probably stuck in a "
			 "loop. Hint: check each loop's exit condition: `while (read(...) != 0)` "
			 "never ends when read() fails and returns -1; test for `> 0` instead.");
}

Test(diagnose, words_for_a_chain_of_three_in_a_circle, .fini = snap_teardown)
{
	add_grader();
	struct diagnose_proc *p;
	p = add(2, 1, 'S', "./ring", SYS_read, 3);
	add_pipe_end(p, 3, 1, O_RDONLY);
	add_pipe_end(p, 4, 2, O_WRONLY);
	p = add(3, 1, 'S', "./ring", SYS_read, 3);
	add_pipe_end(p, 3, 2, O_RDONLY);
	add_pipe_end(p, 4, 3, O_WRONLY);
	p = add(4, 1, 'S', "./ring", SYS_read, 3);
	add_pipe_end(p, 3, 3, O_RDONLY);
	add_pipe_end(p, 4, 1, O_WRONLY);
	explain();
	expect_has(
	    "pid 2 (./ring) is blocked reading pipe:[1] (fd 3), whose write end only pid 4 "
	    "(./ring, fd 4) holds; pid 4 is blocked reading pipe:[3] (fd 3), whose write end "
	    "only pid 3 (./ring, fd 4) holds; pid 3 is blocked reading pipe:[2] (fd 3), whose "
	    "write end only pid 2 (fd 4) holds: they wait for one another in a circle.");
	expect_has("both sides read before they write");
}

Test(diagnose, words_for_a_fifo_and_a_non_pipe_descriptor, .fini = snap_teardown)
{
	add_grader();
	struct diagnose_proc *p = add(2, 1, 'S', "./server", SYS_read, 3);
	diagnose_proc_add_fd(p, 3, "/tmp/requests", true, 42, O_RDWR);
	struct diagnose_proc *q = add(3, 1, 'S', "./client", SYS_read, 0);
	diagnose_proc_add_fd(q, 0, "/dev/pts/3", false, 0, O_RDWR);
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./server) is blocked reading the FIFO /tmp/requests (fd 3) and never "
		  "sees end-of-file because the write end of the FIFO /tmp/requests is still "
		  "open in pid 2 itself (fd 3). pid 3 (./client) is blocked in read() on fd 0 "
		  "(/dev/pts/3). Hint: a process reading a pipe sees end-of-file only once every "
		  "write end of it is closed, its own included: right after fork(), close the "
		  "pipe ends each process does not use.");
}

Test(diagnose, words_for_waitpid_of_one_child_and_a_zombie, .fini = snap_teardown)
{
	add_grader();
	add(2, 1, 'S', "./prog", SYS_wait4, 4);
	add(3, 2, 'Z', "prog", -1, 0);
	add(4, 2, 'S', "./prog", SYS_wait4, (unsigned long long)-1);
	add(5, 4, 'R', "./prog", -1, 0)->cpu_seconds = 1.94;
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./prog) is blocked in waitpid() for its child pid 4 (./prog), which "
		  "is blocked in wait() for its child pid 5 (./prog), which is running, not "
		  "waiting for anything (1.9 s of CPU time so far): it is probably stuck in a "
		  "loop. pid 3 (prog) has exited, but its parent has not waited for it yet (a "
		  "zombie). Hint: check each loop's exit condition: `while (read(...) != 0)` "
		  "never ends when read() fails and returns -1; test for `> 0` instead.");
}

Test(diagnose, words_for_calls_with_no_pipe, .fini = snap_teardown)
{
	add_grader();
	add(2, 1, 'S', "./a", 999999, 0);
	add(3, 1, 'D', "./b", -1, 0);
	add(4, 1, 'S', "./c", SYS_futex, 0);
	add(5, 1, 'S', "./d", SYS_msgsnd, 12);
	add(6, 1, 'S', "./e", SYS_rt_sigsuspend, 0);
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./a) is blocked in system call 999999. pid 3 (./b) is waiting in the "
		  "kernel, uninterruptibly (state D). pid 4 (./c) is blocked in futex() (waiting "
		  "for a mutex, a condition variable or another thread). pid 5 (./d) is blocked "
		  "in msgsnd() on System V message queue 12, which is full. pid 6 (./e) is "
		  "waiting for a signal in sigsuspend(), and none has come.");
}

/*
 * A call the kernel restarted after a signal (a traced parent's sleep() at
 * SIGCHLD) is named by where it sleeps, else by its arguments: a sleep
 * stays a sleep, never "system call 219".
 */
Test(diagnose, words_for_calls_restarted_after_a_signal, .fini = snap_teardown)
{
	add_grader();
	/* clock_nanosleep(CLOCK_REALTIME, 0, &req, &rem): glibc's sleep(). */
	struct diagnose_proc *sleeper = add(2, 1, 'S', "./prog", SYS_restart_syscall, 0);
	sleeper->args[2] = sleeper->args[3] = 0x7ffd1000;
	snprintf(sleeper->wchan, sizeof(sleeper->wchan), "do_syscall_64");
	add(3, 2, 'Z', "prog", -1, 0);
	struct diagnose_proc *futex = add(4, 1, 'S', "./threads", SYS_restart_syscall, 0x5000);
	snprintf(futex->wchan, sizeof(futex->wchan), "futex_wait_queue");
	struct diagnose_proc *other = add(5, 1, 'S', "./poller", SYS_restart_syscall, 0x5000);
	other->args[1] = 0x6000;
	explain();
	cr_expect_str_eq(
	    text, "pid 2 (./prog) is sleeping (in sleep(), usleep() or nanosleep()). pid 4 "
		  "(./threads) is blocked in futex() (waiting for a mutex, a condition variable "
		  "or another thread). pid 5 (./poller) is blocked in a call the kernel "
		  "restarted after a signal (restart_syscall: sleep(), poll() or a futex wait). "
		  "pid 3 (prog) has exited, but its parent has not waited for it yet (a zombie). "
		  "Hint: a parent that sleeps to give its child time to finish makes the test "
		  "wait for the sleep too: call wait() (or waitpid()) instead, which returns as "
		  "soon as the child has exited.");
}

/* A multi-process test: the grader holds the server's exit (run.h), the client still waits. */
Test(diagnose, words_for_a_process_the_grader_has_not_reaped, .fini = snap_teardown)
{
	add_grader();
	add(2, 1, 'Z', "shm_server", -1, 0);
	add(3, 1, 'S', "./shm_client", SYS_msgrcv, 5);
	explain();
	cr_expect_str_eq(
	    text, "pid 3 (./shm_client) is blocked in msgrcv() on System V message queue 5, "
		  "waiting for a message. pid 2 (shm_server) has already exited. Hint: msgrcv() "
		  "waits until a message of the requested type is on that queue: check that the "
		  "sender uses the same key and the same mtype.");
}

#ifdef SYS_ppoll
Test(diagnose, words_for_pause_made_of_ppoll, .fini = snap_teardown)
{
	add_grader();
	add(2, 1, 'S', "./sig", SYS_ppoll, 0);
	struct diagnose_proc *waiting = add(3, 1, 'S', "./poller", SYS_ppoll, 0x1000);
	waiting->args[1] = 2;
	explain();
	expect_has("pid 2 (./sig) is waiting for a signal in pause(), and none has come.");
	expect_has("pid 3 (./poller) is blocked in ppoll().");
}
#endif

Test(diagnose, words_stop_after_a_few_sentences, .fini = snap_teardown)
{
	add_grader();
	for (pid_t pid = 2; pid < 10; pid++)
		add(pid, 1, 'S', "./many", SYS_nanosleep, 0);
	explain();
	expect_has("pid 6 (./many) is sleeping");
	expect_lacks("pid 7");
	expect_has("3 more processes are not described here.");
}

Test(diagnose, words_nothing_without_processes, .fini = snap_teardown)
{
	const char *hint;
	cr_expect_null(diagnose_explain(&snap, &hint));
	add_grader();
	cr_expect_null(diagnose_explain(&snap, &hint));
}
