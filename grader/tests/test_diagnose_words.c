/*
 * Unit tests of the hang diagnosis's words: hand-built snapshots, so that
 * diagnose_explain() is checked word for word, cases awkward to reproduce
 * included (another architecture's pause(), a FIFO, many processes).  The
 * same suite as test_diagnose.c, whose tests build the real processes.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "diagnose.h"
#include "diagnose_util.h"

static char *text; /* the diagnosis under test */
static struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;

static void snap_teardown(void)
{
	diagnose_snapshot_release(&snap);
	free(text);
	text = NULL;
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
	expect_has(text,
	    "pid 2 (./ring) is blocked reading pipe:[1] (fd 3), whose write end only pid 4 "
	    "(./ring, fd 4) holds; pid 4 is blocked reading pipe:[3] (fd 3), whose write end "
	    "only pid 3 (./ring, fd 4) holds; pid 3 is blocked reading pipe:[2] (fd 3), whose "
	    "write end only pid 2 (fd 4) holds: they wait for one another in a circle.");
	expect_has(text, "both sides read before they write");
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
	expect_has(text, "pid 2 (./sig) is waiting for a signal in pause(), and none has come.");
	expect_has(text, "pid 3 (./poller) is blocked in ppoll().");
}
#endif

Test(diagnose, words_stop_after_a_few_sentences, .fini = snap_teardown)
{
	add_grader();
	for (pid_t pid = 2; pid < 10; pid++)
		add(pid, 1, 'S', "./many", SYS_nanosleep, 0);
	explain();
	expect_has(text, "pid 6 (./many) is sleeping");
	expect_lacks(text, "pid 7");
	expect_has(text, "3 more processes are not described here.");
}

Test(diagnose, words_nothing_without_processes, .fini = snap_teardown)
{
	const char *hint;
	cr_expect_null(diagnose_explain(&snap, &hint));
	add_grader();
	cr_expect_null(diagnose_explain(&snap, &hint));
}
