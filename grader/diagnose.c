#include "diagnose.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagnose_internal.h"
#include "util.h"

#define NONE ((size_t)-1)
/* More would bury the first, most telling sentence; the rest are only counted. */
#define MAX_SENTENCES 5

/* ------------------------------------------------------ what each one does */

/* The calls a student's program blocks in, named as the course names them. */
struct call {
	long nr;
	const char *name;
	enum activity act;
};

/*
 * Every 64-bit architecture has the first ones (the kernel's generic table);
 * the guarded ones exist on x86-64 only: aarch64 builds pause() on ppoll(),
 * sleep() on clock_nanosleep() and open() on openat().
 */
static const struct call calls[] = {
	{SYS_read, "read", ACT_READ},
	{SYS_readv, "readv", ACT_READ},
	{SYS_pread64, "pread", ACT_READ},
	{SYS_write, "write", ACT_WRITE},
	{SYS_writev, "writev", ACT_WRITE},
	{SYS_pwrite64, "pwrite", ACT_WRITE},
	{SYS_wait4, "wait4", ACT_WAIT},
	{SYS_waitid, "waitid", ACT_WAIT},
	{SYS_nanosleep, "nanosleep", ACT_SLEEP},
	{SYS_clock_nanosleep, "clock_nanosleep", ACT_SLEEP},
	{SYS_rt_sigsuspend, "sigsuspend", ACT_SIGNAL},
	{SYS_rt_sigtimedwait, "sigwait", ACT_SIGNAL},
	{SYS_ppoll, "ppoll", ACT_POLL},
	{SYS_pselect6, "pselect", ACT_POLL},
	{SYS_epoll_pwait, "epoll_wait", ACT_POLL},
	{SYS_openat, "open", ACT_OPEN},
	{SYS_semop, "semop", ACT_SEMOP},
	{SYS_semtimedop, "semop", ACT_SEMOP},
	{SYS_msgrcv, "msgrcv", ACT_MSGRCV},
	{SYS_msgsnd, "msgsnd", ACT_MSGSND},
	{SYS_futex, "futex", ACT_FUTEX},
	{SYS_accept, "accept", ACT_CALL},
	{SYS_accept4, "accept", ACT_CALL},
	{SYS_connect, "connect", ACT_CALL},
	{SYS_recvfrom, "recv", ACT_CALL},
	{SYS_flock, "flock", ACT_CALL},
	{SYS_fcntl, "fcntl", ACT_CALL},
#ifdef SYS_pause
	{SYS_pause, "pause", ACT_SIGNAL},
#endif
#ifdef SYS_poll
	{SYS_poll, "poll", ACT_POLL},
#endif
#ifdef SYS_select
	{SYS_select, "select", ACT_POLL},
#endif
#ifdef SYS_epoll_wait
	{SYS_epoll_wait, "epoll_wait", ACT_POLL},
#endif
#ifdef SYS_open
	{SYS_open, "open", ACT_OPEN},
#endif
};

/*
 * The calls the kernel resumes through restart_syscall after a signal (a
 * traced parent's sleep() is, at each SIGCHLD), told apart by where the
 * process sleeps in the kernel.
 */
static const struct {
	const char *wchan;	/* a part of the kernel function's name */
	const char *name;
	enum activity act;
} restarted[] = {
	{"nanosleep", "nanosleep", ACT_SLEEP},
	{"nsleep", "clock_nanosleep", ACT_SLEEP},
	{"futex", "futex", ACT_FUTEX},
	{"poll", "poll", ACT_POLL},
	{"select", "select", ACT_POLL},
};

/* The highest clock id (CLOCK_TAI) and the lowest address a pointer argument has. */
#define MAX_CLOCK_ID 11
#define MIN_POINTER 4096

/*
 * A restarted call, by p->wchan, else by its arguments, which the restart
 * leaves in their registers: clock_nanosleep(clock, flags, &req, &rem),
 * glibc's sleep() and usleep(), has a small clock id, flags 0 or
 * TIMER_ABSTIME and a pointer; a kernel whose wchan names only the
 * system-call entry leaves just these.  ACT_CALL with call
 * "restart_syscall" when neither tells.
 */
static void classify_restarted(const struct diagnose_proc *p, struct diagnose_doing *d)
{
	d->act = ACT_CALL;
	d->call = "restart_syscall";
	for (size_t k = 0; k < ARRAY_SIZE(restarted); k++) {
		if (strstr(p->wchan, restarted[k].wchan)) {
			d->act = restarted[k].act;
			d->call = restarted[k].name;
			return;
		}
	}
	if (p->args[0] <= MAX_CLOCK_ID && p->args[1] <= 1 && p->args[2] >= MIN_POINTER) {
		d->act = ACT_SLEEP;
		d->call = "clock_nanosleep";
	}
}



const struct diagnose_fd *diagnose_find_fd(const struct diagnose_proc *p, int fd)
{
	for (size_t k = 0; k < p->nfds; k++)
		if (p->fds[k].fd == fd)
			return &p->fds[k];
	return NULL;
}

struct diagnose_doing diagnose_classify(const struct diagnose_proc *p)
{
	struct diagnose_doing d = {ACT_UNKNOWN, NULL, -1, NULL};
	if (p->state == 'Z' || p->state == 'X')
		d.act = ACT_ZOMBIE;
	else if (p->state == 'T' || p->state == 't')
		d.act = ACT_STOPPED;
	else if (p->state == 'R')
		d.act = ACT_RUNNING;
	if (d.act != ACT_UNKNOWN || p->syscall < 0)
		return d;
	if (p->syscall == SYS_restart_syscall) {
		classify_restarted(p, &d);
		return d;
	}
	d.act = ACT_CALL;
	for (size_t k = 0; k < ARRAY_SIZE(calls); k++) {
		if (calls[k].nr == p->syscall) {
			d.act = calls[k].act;
			d.call = calls[k].name;
			break;
		}
	}
	if (d.act == ACT_READ || d.act == ACT_WRITE) {
		d.fdnum = (int)p->args[0];
		d.fd = diagnose_find_fd(p, d.fdnum);
	} else if (d.act == ACT_POLL && p->args[1] == 0 && p->args[2] == 0 && d.call &&
		   !strcmp(d.call, "ppoll")) {
		/* Polling nothing, for ever: glibc's pause() where there is no pause call. */
		d.act = ACT_SIGNAL;
		d.call = "pause";
	}
	return d;
}

static bool is_pipe_io(const struct diagnose_doing *d)
{
	return (d->act == ACT_READ || d->act == ACT_WRITE) && d->fd && d->fd->pipe;
}

/* -------------------------------------------------------------- the words */

/* Why the first chain is stuck, the most telling last: it picks the hint. */
enum cause {
	CAUSE_NONE,
	CAUSE_MSG,
	CAUSE_SEM,
	CAUSE_SIGNAL,
	CAUSE_FIFO,
	CAUSE_SLEEP,
	CAUSE_SLEEP_PARENT,	/* a parent sleeps where it should wait() for its child */
	CAUSE_SPIN,
	CAUSE_HELD,		/* a reader waits for other processes holding the write end */
	CAUSE_FULL_PIPE,	/* a writer waits for a reader that does not read */
	CAUSE_WAIT_READER,	/* a parent in wait() holds the write end its child reads */
	CAUSE_DEADLOCK,		/* two readers, each holding the other's write end */
	CAUSE_OWN_WRITE_END,	/* a reader holds the write end itself */
};

static const char *const hints[] = {
	[CAUSE_MSG] = "msgrcv() waits until a message of the requested type is on that queue: "
		      "check that the sender uses the same key and the same mtype.",
	[CAUSE_SEM] = "every semop() that waits (-1) needs a matching semop() that signals (+1) in "
		      "another process; check the initial value you give the semaphore with "
		      "semctl(SETVAL).",
	[CAUSE_SIGNAL] = "a signal sent before pause() is called is lost, and pause() then waits "
			 "forever: block the signal with sigprocmask() first and wait for it with "
			 "sigsuspend().",
	[CAUSE_FIFO] = "opening a FIFO for reading waits until another process opens it for "
		       "writing, and the other way round: both sides must open it, in two "
		       "processes that run at the same time.",
	[CAUSE_SLEEP] = "the test waits for your sleep() too; a read() from a pipe already waits "
			"until the data is there, so no sleep is needed to get the order right.",
	[CAUSE_SLEEP_PARENT] = "a parent that sleeps to give its child time to finish makes the "
			       "test wait for the sleep too: call wait() (or waitpid()) instead, "
			       "which returns as soon as the child has exited.",
	[CAUSE_SPIN] = "check each loop's exit condition: `while (read(...) != 0)` never ends when "
		       "read() fails and returns -1; test for `> 0` instead.",
	[CAUSE_HELD] = "a reader sees end-of-file only once every write end of the pipe is "
		       "closed, in every process that holds one: close the ends you do not use "
		       "right after fork(), and close the write end when you have finished "
		       "writing.",
	[CAUSE_FULL_PIPE] = "a pipe holds only 64 KiB, and its writer blocks until another process "
			    "reads from it: read the pipe before you wait() for the process that "
			    "writes it.",
	[CAUSE_WAIT_READER] = "the child sees end-of-file only when every write end is closed, "
			      "the parent's included: the parent must close its copies of the "
			      "pipe ends (after writing, if it writes) before it calls wait().",
	[CAUSE_DEADLOCK] = "when both sides read before they write, each waits for the other "
			   "forever: let one side write (and close its write end) before it "
			   "reads.",
	[CAUSE_OWN_WRITE_END] = "a process reading a pipe sees end-of-file only once every "
				"write end of it is closed, its own included: right after "
				"fork(), close the pipe ends each process does not use.",
};

struct render {
	const struct diagnose_snapshot *snap;
	struct strbuf *sb;
	bool *named;		/* its command has been given */
	bool *explained;	/* what it does has been said */
	bool first_chain;
	enum cause cause;	/* of the first chain */
	size_t *scratch;	/* snap->n slots for other_holders() */
};

static void note_cause(struct render *r, enum cause c)
{
	if (r->first_chain && c > r->cause)
		r->cause = c;
}

static const struct diagnose_proc *proc(const struct render *r, size_t i)
{
	return &r->snap->procs[i];
}

/* "pid 3 (./pipe_hello, fd 4)": the command at the first mention only, `extra` always. */
static void add_pid(struct render *r, size_t i, const char *extra)
{
	const struct diagnose_proc *p = proc(r, i);
	if (p->observer) {
		strbuf_addf(r->sb, "the grader (pid %d%s%s)", (int)p->pid, extra ? ", " : "",
			    extra ? extra : "");
		return;
	}
	bool cmd = !r->named[i];
	r->named[i] = true;
	strbuf_addf(r->sb, "pid %d", (int)p->pid);
	if (cmd || extra)
		strbuf_addf(r->sb, " (%s%s%s)", cmd ? p->cmd : "", cmd && extra ? ", " : "",
			    extra ? extra : "");
}

/* Process i as seen from `subject`: "pid 3 itself", "its parent pid 2", "its child pid 4". */
static void add_relative(struct render *r, size_t i, size_t subject, const char *extra)
{
	const struct diagnose_proc *p = proc(r, i), *s = proc(r, subject);
	if (i == subject) {
		strbuf_addf(r->sb, "pid %d itself", (int)p->pid);
		if (extra)
			strbuf_addf(r->sb, " (%s)", extra);
		return;
	}
	if (!p->observer && s->ppid == p->pid)
		strbuf_addstr(r->sb, "its parent ");
	else if (p->ppid == s->pid)
		strbuf_addstr(r->sb, "its child ");
	add_pid(r, i, extra);
}

/* Separator before item k of n: "", ", " or " and ". */
static const char *list_sep(size_t k, size_t n)
{
	return k == 0 ? "" : k + 1 == n ? " and " : ", ";
}

bool diagnose_holds_end(const struct diagnose_fd *f, unsigned long long ino, bool write_end)
{
	if (!f->pipe || f->ino != ino)
		return false;
	if (f->accmode < 0 || f->accmode == O_RDWR)
		return true; /* unknown, or a FIFO opened for both */
	return write_end ? f->accmode == O_WRONLY : f->accmode == O_RDONLY;
}

/* "fd 4", "fds 4 and 6": where p holds that end of the pipe; caller frees. */
static char *end_fds(const struct diagnose_proc *p, unsigned long long ino, bool write_end)
{
	size_t n = 0;
	for (size_t k = 0; k < p->nfds; k++)
		n += diagnose_holds_end(&p->fds[k], ino, write_end);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, n == 1 ? "fd " : "fds ");
	size_t seen = 0;
	for (size_t k = 0; k < p->nfds; k++)
		if (diagnose_holds_end(&p->fds[k], ino, write_end))
			strbuf_addf(&sb, "%s%d", list_sep(seen++, n), p->fds[k].fd);
	return strbuf_detach(&sb, NULL);
}

/*
 * The processes other than i holding that end of f's pipe, into r->scratch in
 * snapshot order; *self tells whether i holds one too.
 */
static size_t other_holders(struct render *r, size_t i, const struct diagnose_fd *f,
			    bool write_end, bool *self)
{
	size_t n = 0;
	*self = false;
	for (size_t k = 0; k < r->snap->n; k++) {
		const struct diagnose_proc *p = proc(r, k);
		for (size_t j = 0; j < p->nfds; j++) {
			if (diagnose_holds_end(&p->fds[j], f->ino, write_end)) {
				if (k == i)
					*self = true;
				else
					r->scratch[n++] = k;
				break;
			}
		}
	}
	return n;
}

/* "A (fd 4) and B (fd 3)", each seen from subject; `more` goes before all but the first. */
static void add_holders(struct render *r, const size_t *holders, size_t n, size_t subject,
			unsigned long long ino, bool write_end, const char *more)
{
	for (size_t k = 0; k < n; k++) {
		char *fds = end_fds(proc(r, holders[k]), ino, write_end);
		strbuf_addf(r->sb, "%s%s", list_sep(k, n), k ? more : "");
		add_relative(r, holders[k], subject, fds);
		free(fds);
	}
}

/* "pipe:[12345]" for a pipe, "the FIFO /tmp/f" for a named one. */
static void add_pipe_name(struct render *r, const struct diagnose_fd *f)
{
	strbuf_addf(r->sb, "%s%s", strncmp(f->target, "pipe:", 5) ? "the FIFO " : "", f->target);
}

/* Copies the holders but the grader to targets (it is never waited for); returns how many. */
static size_t others_of(struct render *r, const size_t *holders, size_t n, size_t *targets)
{
	size_t nt = 0;
	for (size_t k = 0; k < n; k++)
		if (!proc(r, holders[k])->observer)
			targets[nt++] = holders[k];
	return nt;
}

/*
 * " (pid 3 (ls), which held it too, has exited)": a writer that is gone
 * explains why nothing comes, and that only the holders left keep the
 * reader from its end-of-file.
 */
static void add_gone_writers(struct render *r, unsigned long long ino)
{
	size_t told = 0;
	for (size_t g = 0; g < r->snap->ngone; g++) {
		const struct diagnose_gone *gone = &r->snap->gone[g];
		bool wrote = false;
		for (size_t k = 0; k < gone->npipes && !wrote; k++)
			wrote = gone->pipes[k] == ino;
		if (!wrote)
			continue;
		strbuf_addf(r->sb, "%spid %d (%s)", told ? ", " : " (", (int)gone->pid, gone->cmd);
		told++;
	}
	if (told)
		strbuf_addstr(r->sb, told == 1 ? ", which held a write end too, has exited)"
						: ", which held write ends too, have exited)");
}

/*
 * Reading a pipe: who holds its write ends, which is who it waits for.  A
 * write end in the reader itself can never be closed while it waits.
 */
static size_t add_pipe_read(struct render *r, size_t i, const struct diagnose_doing *d, size_t *targets)
{
	const struct diagnose_fd *f = d->fd;
	bool self;
	size_t nothers = other_holders(r, i, f, true, &self);
	const size_t *others = r->scratch;
	strbuf_addstr(r->sb, " is blocked reading ");
	add_pipe_name(r, f);
	strbuf_addf(r->sb, " (fd %d)", f->fd);
	if (self) {
		strbuf_addstr(r->sb, " and never sees end-of-file because the write end of ");
		add_pipe_name(r, f);
		/* The reader itself first: its own end is the one a student overlooks. */
		strbuf_addstr(r->sb, " is still open in ");
		add_holders(r, &i, 1, i, f->ino, true, "");
		if (nothers) {
			strbuf_addstr(r->sb, nothers == 1 ? " and in " : ", in ");
			add_holders(r, others, nothers, i, f->ino, true, "in ");
		}
		note_cause(r, CAUSE_OWN_WRITE_END);
	} else if (nothers) {
		strbuf_addstr(r->sb, ", whose write end only ");
		add_holders(r, others, nothers, i, f->ino, true, "");
		strbuf_addstr(r->sb, nothers == 1 ? " holds" : " hold");
		note_cause(r, CAUSE_HELD);
	} else {
		strbuf_addstr(r->sb, ", although no process holds its write end any more");
	}
	add_gone_writers(r, f->ino);
	return others_of(r, others, nothers, targets);
}

/* Writing a pipe blocks only when it is full: the writer waits for the read end's holders. */
static size_t add_pipe_write(struct render *r, size_t i, const struct diagnose_doing *d, size_t *targets)
{
	const struct diagnose_fd *f = d->fd;
	bool self;
	size_t nothers = other_holders(r, i, f, false, &self);
	const size_t *holders = r->scratch;
	if (nothers && !others_of(r, holders, nothers, targets)) {
		/* Only the grader reads it (the output it captures), and it reads all: a flood. */
		strbuf_addstr(r->sb, " is writing to ");
		add_pipe_name(r, f);
		strbuf_addf(r->sb,
			    " (fd %d), which the grader reads, and was still writing when the "
			    "time ran out: it is probably stuck in a loop",
			    f->fd);
		note_cause(r, CAUSE_SPIN);
		return 0;
	}
	strbuf_addstr(r->sb, " is blocked writing to ");
	add_pipe_name(r, f);
	strbuf_addf(r->sb, " (fd %d) because the pipe is full", f->fd);
	if (nothers) {
		strbuf_addstr(r->sb, ", and only ");
		add_holders(r, holders, nothers, i, f->ino, false, "");
		strbuf_addstr(r->sb, nothers == 1 ? " holds its read end" : " hold its read end");
	} else {
		strbuf_addstr(r->sb, " and nobody else can read it");
	}
	if (self) {
		strbuf_addstr(r->sb, nothers ? " besides " : ": its read end is open only in ");
		add_holders(r, &i, 1, i, f->ino, false, "");
	}
	note_cause(r, CAUSE_FULL_PIPE);
	return others_of(r, holders, nothers, targets);
}

/* wait4(pid) / waitid(idtype, id): which children it waits for. */
static size_t add_wait(struct render *r, size_t i, const struct diagnose_doing *d, size_t *targets)
{
	const struct diagnose_proc *p = proc(r, i);
	bool waitid = !strcmp(d->call, "waitid");
	pid_t want = -1;
	if (!waitid && (int)p->args[0] > 0)
		want = (pid_t)(int)p->args[0];
	else if (waitid && p->args[0] == P_PID)
		want = (pid_t)(int)p->args[1];
	size_t n = 0;
	for (size_t k = 0; k < r->snap->n; k++) {
		const struct diagnose_proc *c = proc(r, k);
		if (c->ppid == p->pid && !c->observer && c->state != 'Z' &&
		    (want < 0 || c->pid == want))
			targets[n++] = k;
	}
	const char *name = waitid ? "waitid" : want > 0 ? "waitpid" : "wait";
	strbuf_addf(r->sb, " is blocked in %s()", name);
	if (n)
		strbuf_addstr(r->sb, n == 1 ? " for its child " : " for its children ");
	for (size_t k = 0; k < n; k++) {
		strbuf_addstr(r->sb, list_sep(k, n));
		add_pid(r, targets[k], NULL);
	}
	return n;
}

/* Whether process i has children in the snapshot, alive or zombies. */
static bool has_children(const struct render *r, size_t i)
{
	for (size_t k = 0; k < r->snap->n; k++)
		if (proc(r, k)->ppid == proc(r, i)->pid && !proc(r, k)->observer)
			return true;
	return false;
}

static const char *state_words(char state)
{
	switch (state) {
	case 'S':
		return "sleeping in the kernel";
	case 'D':
		return "waiting in the kernel, uninterruptibly";
	case 'I':
		return "idle in the kernel";
	default:
		return "in an unusual state";
	}
}

/* Appends what process i does (" is blocked reading ..."); whom it waits for goes to targets. */
static size_t add_predicate(struct render *r, size_t i, size_t *targets)
{
	const struct diagnose_proc *p = proc(r, i);
	struct diagnose_doing d = diagnose_classify(p);
	switch (d.act) {
	case ACT_READ:
	case ACT_WRITE:
		if (is_pipe_io(&d))
			return d.act == ACT_READ ? add_pipe_read(r, i, &d, targets)
						 : add_pipe_write(r, i, &d, targets);
		strbuf_addf(r->sb, " is blocked in %s() on fd %d", d.call, d.fdnum);
		if (d.fd)
			strbuf_addf(r->sb, " (%s)", d.fd->target);
		return 0;
	case ACT_WAIT:
		return add_wait(r, i, &d, targets);
	case ACT_SLEEP:
		strbuf_addstr(r->sb, " is sleeping (in sleep(), usleep() or nanosleep())");
		note_cause(r, has_children(r, i) ? CAUSE_SLEEP_PARENT : CAUSE_SLEEP);
		return 0;
	case ACT_SIGNAL:
		strbuf_addf(r->sb, " is waiting for a signal in %s(), and none has come", d.call);
		note_cause(r, CAUSE_SIGNAL);
		return 0;
	case ACT_OPEN:
		strbuf_addstr(r->sb, " is blocked in open(): opening a FIFO waits until another "
				     "process opens its other end");
		note_cause(r, CAUSE_FIFO);
		return 0;
	case ACT_SEMOP:
		strbuf_addf(r->sb,
			    " is blocked in semop() on System V semaphore set %d, waiting for "
			    "another process to signal it",
			    (int)p->args[0]);
		note_cause(r, CAUSE_SEM);
		return 0;
	case ACT_MSGRCV:
		strbuf_addf(r->sb,
			    " is blocked in msgrcv() on System V message queue %d, waiting for "
			    "a message",
			    (int)p->args[0]);
		if ((long)p->args[3])
			strbuf_addf(r->sb, " of type %ld", (long)p->args[3]);
		note_cause(r, CAUSE_MSG);
		return 0;
	case ACT_MSGSND:
		strbuf_addf(r->sb,
			    " is blocked in msgsnd() on System V message queue %d, which is full",
			    (int)p->args[0]);
		note_cause(r, CAUSE_MSG);
		return 0;
	case ACT_FUTEX:
		strbuf_addstr(r->sb, " is blocked in futex() (waiting for a mutex, a condition "
				     "variable or another thread)");
		return 0;
	case ACT_POLL:
	case ACT_CALL:
		if (d.call && !strcmp(d.call, "restart_syscall"))
			strbuf_addstr(r->sb, " is blocked in a call the kernel restarted after a "
					     "signal (restart_syscall: sleep(), poll() or a futex "
					     "wait)");
		else if (d.call)
			strbuf_addf(r->sb, " is blocked in %s()", d.call);
		else
			strbuf_addf(r->sb, " is blocked in system call %ld", p->syscall);
		return 0;
	case ACT_RUNNING:
		strbuf_addf(r->sb,
			    " is running, not waiting for anything (%.1f s of CPU time so far): "
			    "it is probably stuck in a loop",
			    p->cpu_seconds);
		note_cause(r, CAUSE_SPIN);
		return 0;
	case ACT_STOPPED:
		strbuf_addstr(r->sb, " is stopped (by SIGSTOP, SIGTSTP or a debugger) and does "
				     "nothing until it gets SIGCONT");
		return 0;
	case ACT_ZOMBIE:
		/* The grader keeps its children unreaped until the test ends (run.h): no zombie. */
		for (size_t k = 0; k < r->snap->n; k++) {
			if (proc(r, k)->observer && proc(r, k)->pid == p->ppid) {
				strbuf_addstr(r->sb, " has already exited");
				return 0;
			}
		}
		strbuf_addstr(r->sb,
			      " has exited, but its parent has not waited for it yet (a zombie)");
		return 0;
	case ACT_UNKNOWN:
		break;
	}
	strbuf_addf(r->sb, " is %s (state %c)", state_words(p->state), p->state);
	return 0;
}

/* Closes a chain that came back to members[0]: they wait for one another. */
static void add_cycle(struct render *r, const size_t *members, size_t n)
{
	strbuf_addstr(r->sb, n == 2 ? ": each waits for the other"
				    : ": they wait for one another in a circle");
	bool readers = true, waiter = false, writer = false;
	for (size_t k = 0; k < n; k++) {
		struct diagnose_doing d = diagnose_classify(proc(r, members[k]));
		readers &= is_pipe_io(&d) && d.act == ACT_READ;
		waiter |= d.act == ACT_WAIT;
		writer |= is_pipe_io(&d) && d.act == ACT_WRITE;
	}
	if (readers)
		note_cause(r, CAUSE_DEADLOCK);
	else if (waiter && !writer)
		note_cause(r, CAUSE_WAIT_READER);
}

/*
 * One sentence: process `start`, then whom it waits for, then whom that one
 * waits for..., until a process that waits for nobody, one said already, or
 * one on this very chain (a cycle).
 */
static void add_chain(struct render *r, size_t start)
{
	size_t n = r->snap->n;
	size_t *chain = xcalloc(n, sizeof(*chain));
	size_t *targets = xcalloc(n, sizeof(*targets));
	size_t len = 0, cur = start;
	add_pid(r, cur, NULL);
	for (;;) {
		chain[len++] = cur;
		r->explained[cur] = true;
		size_t nt = add_predicate(r, cur, targets);
		size_t back = NONE, next = NONE;
		for (size_t k = 0; k < nt && back == NONE; k++)
			for (size_t c = 0; c < len; c++)
				if (chain[c] == targets[k])
					back = c;
		if (back != NONE) {
			add_cycle(r, chain + back, len - back);
			break;
		}
		for (size_t k = 0; k < nt && next == NONE; k++)
			if (!r->explained[targets[k]])
				next = targets[k];
		if (next == NONE)
			break;
		/* After "wait() for its child pid 4", "which" can only mean that child. */
		if (diagnose_classify(proc(r, cur)).act == ACT_WAIT && nt == 1) {
			strbuf_addstr(r->sb, ", which");
		} else {
			strbuf_addstr(r->sb, "; ");
			add_pid(r, next, NULL);
		}
		cur = next;
	}
	strbuf_addch(r->sb, '.');
	free(chain);
	free(targets);
}

char *diagnose_explain(const struct diagnose_snapshot *snap, const char **hint)
{
	*hint = NULL;
	size_t n = snap->n, live = 0;
	for (size_t i = 0; i < n; i++)
		live += !snap->procs[i].observer;
	if (!live)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	struct render r = {
		.snap = snap,
		.sb = &sb,
		.named = xcalloc(n, sizeof(bool)),
		.explained = xcalloc(n, sizeof(bool)),
		.first_chain = true,
		.cause = CAUSE_NONE,
		.scratch = xcalloc(n, sizeof(size_t)),
	};
	size_t sentences = 0, untold = 0;
	/* Zombies last: they wait for nothing, and rarely are why a test hangs. */
	for (int zombies = 0; zombies < 2; zombies++) {
		for (size_t i = 0; i < n; i++) {
			const struct diagnose_proc *p = &snap->procs[i];
			if (p->observer || r.explained[i] || (p->state == 'Z') != zombies)
				continue;
			if (sentences == MAX_SENTENCES) {
				untold++;
				continue;
			}
			if (sentences++)
				strbuf_addch(&sb, ' ');
			add_chain(&r, i);
			r.first_chain = false;
		}
	}
	if (untold)
		strbuf_addf(&sb, " %zu more process%s not described here.", untold,
			    untold == 1 ? " is" : "es are");
	if (r.cause != CAUSE_NONE)
		*hint = hints[r.cause];
	free(r.named);
	free(r.explained);
	free(r.scratch);
	return strbuf_detach(&sb, NULL);
}

char *diagnose_hang(const char **hint)
{
	struct diagnose_snapshot snap = DIAGNOSE_SNAPSHOT_INIT;
	char *text = NULL;
	*hint = NULL;
	if (diagnose_snapshot_take(&snap) == 0)
		text = diagnose_explain(&snap, hint);
	diagnose_snapshot_release(&snap);
	return text;
}

char *diagnose_cpu_exhausted(pid_t pid, const char *cmd, double cpu_limit_seconds,
			     const char **hint)
{
	*hint = hints[CAUSE_SPIN];
	return xasprintf("pid %d (%s) ran for the whole CPU time limit of %.3gs without waiting "
			 "for anything, and was killed: it was probably stuck in a loop.",
			 (int)pid, cmd, cpu_limit_seconds);
}
