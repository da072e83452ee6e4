/*
 * Unit tests of the hang diagnosis.
 *
 * Two levels.  Real processes (here): each test builds a small family the
 * way a student's program would (the test is the grader; its child plays
 * the student's main process, which forks one child), waits until both
 * are blocked where the case needs them, calls diagnose_hang() and checks
 * that the text names the right pids, descriptors and pipe inodes.
 * Hand-built snapshots (test_diagnose_words.c, the same suite): the wording
 * of diagnose_explain(), including cases that are awkward to reproduce
 * (another architecture's pause(), a FIFO, many processes).
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
#include "diagnose_util.h"
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

static void diagnose_now(void)
{
	const char *hint;
	text = diagnose_hang(&hint);
	text = with_hint(text, hint);
	cr_assert_not_null(text, "no diagnosis although processes are blocked");
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
	expect_has(text, "pid %d (", fam.parent);
	expect_has(text, "is blocked in wait() for its child pid %d (", fam.child);
	expect_has(text,
	    "which is blocked reading pipe:[%llu] (fd %d) and never sees end-of-file because "
	    "the write end of pipe:[%llu] is still open in pid %d itself (fd %d).",
	    fam.a_ino, fam.a_read, fam.a_ino, fam.child, fam.a_write);
	expect_has(text, "its own included");
	expect_lacks(text, "each waits for the other");
}

Test(diagnose, reader_and_its_parent_keeping_write_ends)
{
	start(parent_waits_keeping_write_end, child_reads_keeping_write_end);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has(text, "is still open in pid %d itself (fd %d) and in its parent pid %d (fd %d): each "
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
	expect_has(text, "pid %d (", fam.parent);
	expect_has(text,
	    " is blocked reading pipe:[%llu] (fd %d), whose write end only its child pid %d (",
	    fam.b_ino, fam.b_read, fam.child);
	expect_has(text, "fd %d) holds; pid %d is blocked reading pipe:[%llu] (fd %d), whose write end "
		   "only its parent pid %d (fd %d) holds: each waits for the other.",
		   fam.b_write, fam.child, fam.a_ino, fam.a_read, fam.parent, fam.a_write);
	expect_has(text, "both sides read before they write");
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
	expect_has(text, "is blocked in wait() for its child pid %d (", fam.child);
	expect_has(text,
	    "which is blocked reading pipe:[%llu] (fd %d), whose write end only its parent pid "
	    "%d (fd %d) holds (pid 99999 (./writer), which held a write end too, has exited): "
	    "each waits for the other.",
	    fam.a_ino, fam.a_read, fam.parent, fam.a_write);
	expect_has(text, "before it calls wait()");
}

/* Case 4: wait() before writing. */
Test(diagnose, parent_waiting_before_it_writes)
{
	start(parent_waits_before_writing, child_reads);
	wait_blocked(fam.child, NRS(SYS_read), (unsigned long long)fam.a_read);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	cr_expect_eq(strncmp(text, "pid ", 4), 0, "starts with the parent: %s", text);
	expect_has(text, "pid %d (", fam.parent);
	expect_has(text, "is blocked in wait() for its child pid %d (", fam.child);
	expect_has(text,
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
	expect_has(text, "is blocked in wait() for its child pid %d (", fam.child);
	expect_has(text, "which is blocked writing to pipe:[%llu] (fd %d) because the pipe is full, and "
		   "only its parent pid %d (fd %d) holds its read end: each waits for the other.",
		   fam.a_ino, fam.a_write, fam.parent, fam.a_read);
	expect_has(text, "64 KiB");
}

Test(diagnose, writer_blocked_on_a_pipe_nobody_else_reads)
{
	start(parent_closes_all_then_waits, child_writes_a_lot_keeping_read_end);
	wait_blocked(fam.child, NRS(SYS_write), (unsigned long long)fam.a_write);
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has(text, "which is blocked writing to pipe:[%llu] (fd %d) because the pipe is full and "
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
	expect_has(text, "is blocked in wait() for its child pid %d (", fam.child);
	expect_has(text, "which is sleeping (in sleep(), usleep() or nanosleep()).");
	expect_has(text, "no sleep is needed");
}

/* pid in a snapshot taken now (release snap). */
static const struct diagnose_proc *snapshot_of(struct diagnose_snapshot *snap, pid_t pid)
{
	cr_assert_eq(diagnose_snapshot_take(snap), 0, "%s", error_last());
	for (size_t i = 0; i < snap->n; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	cr_assert_fail("pid %d is not in the snapshot", (int)pid);
	return NULL;
}

Test(diagnose, snapshot_reads_how_long_a_sleep_lasts)
{
	start(parent_closes_all_then_waits, child_sleeps);
	wait_blocked(fam.child, NRS(SYS_clock_nanosleep, SYS_nanosleep), ANY_ARG);
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	const struct diagnose_proc *child = snapshot_of(&snap, fam.child);
	cr_expect(child->sleep.known);
	cr_expect_not(child->sleep.absolute);
	cr_expect_eq(child->sleep.asked, 60);
	/* 60 s from its start, at most, and it started within the suite's 30 s timeout. */
	cr_expect_leq(child->sleep.until, now_seconds() + 60);
	cr_expect_gt(child->sleep.until, now_seconds() + 60 - 30);
	diagnose_snapshot_release(&snap);
}

Test(diagnose, a_sleep_resumed_after_a_stop_has_no_known_end)
{
	start(parent_closes_all_then_waits, child_sleeps);
	wait_blocked(fam.child, NRS(SYS_clock_nanosleep, SYS_nanosleep), ANY_ARG);
	/* A stop ends the call; after the continue the kernel resumes it as restart_syscall. */
	cr_assert_eq(kill(fam.child, SIGSTOP), 0);
	wait_state(fam.child, 'T');
	cr_assert_eq(kill(fam.child, SIGCONT), 0);
	wait_blocked(fam.child, NRS(SYS_restart_syscall), ANY_ARG);
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	cr_expect_not(snapshot_of(&snap, fam.child)->sleep.known);
	diagnose_snapshot_release(&snap);
}

Test(diagnose, spinning_child)
{
	start(parent_closes_all_then_waits, child_spins);
	wait_state(fam.child, 'R');
	wait_blocked(fam.parent, NRS(SYS_wait4), ANY_ARG);
	diagnose_now();
	expect_has(text, "for its child pid %d (", fam.child);
	expect_has(text, "which is running, not waiting for anything (");
	expect_has(text, "`while (read(...) != 0)`");
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
	expect_has(text, "which is waiting for a signal in pause(), and none has come.");
	expect_has(text, "sigsuspend()");
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
	expect_has(text, "which is blocked in semop() on System V semaphore set %d", ipc_id);
	expect_has(text, "semctl(SETVAL)");
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
	expect_has(text,
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
	expect_has(text, "for its child pid %d (", fam.child);
	expect_has(text, "which is stopped (by SIGSTOP");
	expect_lacks(text, "Hint:");
}
