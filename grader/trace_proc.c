/*
 * trace_proc: what the tracer reads about a stopped process — its /proc
 * files and its memory — turned into the text of events and messages.
 *
 * Everything here tolerates a process that vanished meanwhile (a SIGKILL
 * needs no tracer's consent): a read that fails yields less text, never
 * an error, and never touches error_last().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"
#include "trace_internal.h"

/* Longest string argument shown, and most argv entries. */
#define SHOWN_STRING 96
#define SHOWN_ARGS 16

/* ---- reading ------------------------------------------------------------ */

size_t trace_proc_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n >= 0)
		return (size_t)n;
	/* Refused (a non-dumpable process of another user): word by word, as its tracer. */
	size_t done = 0;
	while (done < len) {
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)(addr + done), NULL);
		if (errno)
			break;
		size_t k = len - done < sizeof(word) ? len - done : sizeof(word);
		memcpy((char *)buf + done, &word, k);
		done += k;
	}
	return done;
}

bool trace_proc_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = {(void *)buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	/* Never PTRACE_POKEDATA: it would write through a read-only page, a const object. */
	return process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* A C string of the tracee, at most SHOWN_STRING bytes; *cut when it was longer. */
static char *read_string(pid_t tid, uint64_t addr, bool *cut)
{
	char buf[SHOWN_STRING + 1];
	*cut = false;
	if (!addr)
		return NULL;
	size_t n = trace_proc_read_mem(tid, addr, buf, sizeof(buf));
	char *nul = memchr(buf, '\0', n);
	if (!nul && n == 0)
		return NULL;
	if (!nul) {
		*cut = true;
		n = n > SHOWN_STRING ? SHOWN_STRING : n;
	} else {
		n = (size_t)(nul - buf);
	}
	return xmemdup0(buf, n);
}

/* ---- text --------------------------------------------------------------- */

static void add_quoted(struct strbuf *sb, const char *s, bool cut)
{
	strbuf_addch(sb, '"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			strbuf_addf(sb, "\\%c", *c);
		else if (*c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (*c < 0x20 || *c == 0x7f)
			strbuf_addf(sb, "\\x%02x", *c);
		else
			strbuf_addch(sb, (char)*c);
	}
	strbuf_addstr(sb, cut ? "\"..." : "\"");
}

static void add_string_at(struct strbuf *sb, pid_t tid, uint64_t addr)
{
	bool cut;
	char *s = read_string(tid, addr, &cut);
	if (!s) {
		strbuf_addstr(sb, addr ? "?" : "NULL");
		return;
	}
	add_quoted(sb, s, cut);
	free(s);
}

static void add_argv_at(struct strbuf *sb, pid_t tid, uint64_t addr)
{
	if (!addr) {
		strbuf_addstr(sb, "NULL");
		return;
	}
	uint64_t ptrs[SHOWN_ARGS + 1];
	size_t n = trace_proc_read_mem(tid, addr, ptrs, sizeof(ptrs)) / sizeof(ptrs[0]);
	strbuf_addch(sb, '[');
	size_t i;
	for (i = 0; i < n && ptrs[i]; i++) {
		if (i == SHOWN_ARGS) {
			strbuf_addstr(sb, ", ...");
			break;
		}
		if (i)
			strbuf_addstr(sb, ", ");
		add_string_at(sb, tid, ptrs[i]);
	}
	strbuf_addch(sb, ']');
}

struct flag_name {
	unsigned long long bit;
	const char *name;
};

/* "A|B|0x40", or "0" */
static void add_flags(struct strbuf *sb, unsigned long long value, const struct flag_name *names,
		      size_t n)
{
	size_t start = sb->len;
	for (size_t i = 0; i < n; i++) {
		if ((value & names[i].bit) == names[i].bit) {
			strbuf_addf(sb, "%s%s", sb->len > start ? "|" : "", names[i].name);
			value &= ~names[i].bit;
		}
	}
	if (value || sb->len == start)
		strbuf_addf(sb, "%s%#llx", sb->len > start ? "|" : "", value);
}

static void add_signal(struct strbuf *sb, int sig)
{
	if (sig > 0)
		strbuf_addstr(sb, signal_name(sig));
	else
		strbuf_addf(sb, "%d", sig);
}

/* clang-format off */
static const struct flag_name clone_flags[] = {
	{CLONE_VM, "CLONE_VM"}, {CLONE_FS, "CLONE_FS"}, {CLONE_FILES, "CLONE_FILES"},
	{CLONE_SIGHAND, "CLONE_SIGHAND"}, {CLONE_PIDFD, "CLONE_PIDFD"},
	{CLONE_PTRACE, "CLONE_PTRACE"}, {CLONE_VFORK, "CLONE_VFORK"},
	{CLONE_PARENT, "CLONE_PARENT"}, {CLONE_THREAD, "CLONE_THREAD"},
	{CLONE_NEWNS, "CLONE_NEWNS"}, {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
	{CLONE_SETTLS, "CLONE_SETTLS"}, {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
	{CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"}, {CLONE_UNTRACED, "CLONE_UNTRACED"},
	{CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"}, {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	{CLONE_NEWUTS, "CLONE_NEWUTS"}, {CLONE_NEWIPC, "CLONE_NEWIPC"},
	{CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWPID, "CLONE_NEWPID"},
	{CLONE_NEWNET, "CLONE_NEWNET"}, {CLONE_IO, "CLONE_IO"},
};
static const struct flag_name fd_flags[] = {
	{O_CLOEXEC, "O_CLOEXEC"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECT, "O_DIRECT"},
};
static const struct flag_name wait_flags[] = {
	{WNOHANG, "WNOHANG"}, {WUNTRACED, "WUNTRACED"}, {WEXITED, "WEXITED"},
	{WCONTINUED, "WCONTINUED"}, {WNOWAIT, "WNOWAIT"}, {__WNOTHREAD, "__WNOTHREAD"},
	{__WALL, "__WALL"}, {__WCLONE, "__WCLONE"},
};
static const struct flag_name ipc_flags[] = {
	{IPC_CREAT, "IPC_CREAT"}, {IPC_EXCL, "IPC_EXCL"},
};
static const struct flag_name shmat_flags[] = {
	{SHM_RDONLY, "SHM_RDONLY"}, {SHM_RND, "SHM_RND"}, {SHM_REMAP, "SHM_REMAP"},
	{SHM_EXEC, "SHM_EXEC"},
};
/* clang-format on */

static void add_key(struct strbuf *sb, uint64_t key)
{
	if ((key_t)key == IPC_PRIVATE)
		strbuf_addstr(sb, "IPC_PRIVATE");
	else
		strbuf_addf(sb, "%#x", (unsigned)(key_t)key);
}

/* IPC_CREAT|0666: flags, then the permission bits in octal. */
static void add_ipc_flags(struct strbuf *sb, uint64_t flags)
{
	unsigned long long named = flags & ~0777ULL;
	if (named)
		add_flags(sb, named, ipc_flags, ARRAY_SIZE(ipc_flags));
	strbuf_addf(sb, "%s%#llo", named ? "|" : "", (unsigned long long)(flags & 0777));
}

static void add_shmctl_cmd(struct strbuf *sb, int cmd)
{
	switch (cmd) {
	case IPC_RMID: strbuf_addstr(sb, "IPC_RMID"); break;
	case IPC_STAT: strbuf_addstr(sb, "IPC_STAT"); break;
	case IPC_SET: strbuf_addstr(sb, "IPC_SET"); break;
	case IPC_INFO: strbuf_addstr(sb, "IPC_INFO"); break;
	case SHM_LOCK: strbuf_addstr(sb, "SHM_LOCK"); break;
	case SHM_UNLOCK: strbuf_addstr(sb, "SHM_UNLOCK"); break;
	default: strbuf_addf(sb, "%d", cmd); break;
	}
}

static void add_idtype(struct strbuf *sb, int idtype)
{
	static const char *const names[] = {"P_ALL", "P_PID", "P_PGID", "P_PIDFD"};
	if (idtype >= 0 && (size_t)idtype < ARRAY_SIZE(names))
		strbuf_addstr(sb, names[idtype]);
	else
		strbuf_addf(sb, "%d", idtype);
}

/* A value of a call this file does not know: small numbers in decimal, the rest in hex. */
static void add_number(struct strbuf *sb, uint64_t v)
{
	long long s = (long long)v;
	if (s > -65536 && s < 65536)
		strbuf_addf(sb, "%lld", s);
	else
		strbuf_addf(sb, "%#llx", (unsigned long long)v);
}

bool trace_format_entry(pid_t tid, const char *name, const uint64_t *a, struct strbuf *out)
{
	if (!strcmp(name, "pipe") || !strcmp(name, "pipe2"))
		return false;
	if (!strcmp(name, "fork") || !strcmp(name, "vfork")) {
		/* no arguments */
	} else if (!strcmp(name, "dup")) {
		strbuf_addf(out, "%d", (int)a[0]);
	} else if (!strcmp(name, "dup2")) {
		strbuf_addf(out, "%d, %d", (int)a[0], (int)a[1]);
	} else if (!strcmp(name, "dup3")) {
		strbuf_addf(out, "%d, %d, ", (int)a[0], (int)a[1]);
		add_flags(out, a[2], fd_flags, ARRAY_SIZE(fd_flags));
	} else if (!strcmp(name, "clone")) {
		/* The low byte is the signal the parent gets when the child ends. */
		strbuf_addstr(out, "flags=");
		add_flags(out, a[0] & ~0xffULL, clone_flags, ARRAY_SIZE(clone_flags));
		if (a[0] & 0xff) {
			strbuf_addch(out, '|');
			add_signal(out, (int)(a[0] & 0xff));
		}
	} else if (!strcmp(name, "clone3")) {
		strbuf_addstr(out, "{flags=");
		add_flags(out, trace_clone3_flags(tid, a[0]), clone_flags, ARRAY_SIZE(clone_flags));
		strbuf_addstr(out, ", ...}");
	} else if (!strcmp(name, "execve")) {
		add_string_at(out, tid, a[0]);
		strbuf_addstr(out, ", ");
		add_argv_at(out, tid, a[1]);
	} else if (!strcmp(name, "execveat")) {
		if ((int)a[0] == AT_FDCWD)
			strbuf_addstr(out, "AT_FDCWD, ");
		else
			strbuf_addf(out, "%d, ", (int)a[0]);
		add_string_at(out, tid, a[1]);
		strbuf_addstr(out, ", ");
		add_argv_at(out, tid, a[2]);
	} else if (!strcmp(name, "wait4")) {
		strbuf_addf(out, "%d, ", (int)a[0]);
		add_flags(out, a[2], wait_flags, ARRAY_SIZE(wait_flags));
	} else if (!strcmp(name, "waitid")) {
		add_idtype(out, (int)a[0]);
		strbuf_addf(out, ", %d, ", (int)a[1]);
		add_flags(out, a[3], wait_flags, ARRAY_SIZE(wait_flags));
	} else if (!strcmp(name, "kill")) {
		strbuf_addf(out, "%d, ", (int)a[0]);
		add_signal(out, (int)a[1]);
	} else if (!strcmp(name, "shmget")) {
		add_key(out, a[0]);
		strbuf_addf(out, ", %llu, ", (unsigned long long)a[1]);
		add_ipc_flags(out, a[2]);
	} else if (!strcmp(name, "shmat")) {
		strbuf_addf(out, "%d, ", (int)a[0]);
		if (a[1])
			strbuf_addf(out, "%#llx, ", (unsigned long long)a[1]);
		else
			strbuf_addstr(out, "NULL, ");
		add_flags(out, a[2], shmat_flags, ARRAY_SIZE(shmat_flags));
	} else if (!strcmp(name, "shmdt")) {
		strbuf_addf(out, "%#llx", (unsigned long long)a[0]);
	} else if (!strcmp(name, "shmctl")) {
		strbuf_addf(out, "%d, ", (int)a[0]);
		add_shmctl_cmd(out, (int)a[1]);
	} else if (!strcmp(name, "semget")) {
		add_key(out, a[0]);
		strbuf_addf(out, ", %d, ", (int)a[1]);
		add_ipc_flags(out, a[2]);
	} else if (!strcmp(name, "msgget")) {
		add_key(out, a[0]);
		strbuf_addstr(out, ", ");
		add_ipc_flags(out, a[1]);
	} else {
		for (int i = 0; i < 3; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			add_number(out, a[i]);
		}
	}
	return true;
}

bool trace_format_exit(pid_t tid, const char *name, const uint64_t *a, struct strbuf *out)
{
	bool pipe2 = !strcmp(name, "pipe2");
	if (!pipe2 && strcmp(name, "pipe"))
		return false;
	int fds[2];
	if (trace_proc_read_mem(tid, a[0], fds, sizeof(fds)) != sizeof(fds))
		return false;
	strbuf_addf(out, "[%d, %d]", fds[0], fds[1]);
	if (pipe2) {
		strbuf_addstr(out, ", ");
		add_flags(out, a[1], fd_flags, ARRAY_SIZE(fd_flags));
	}
	return true;
}

uint64_t trace_clone3_flags(pid_t tid, uint64_t addr)
{
	/* struct clone_args begins with its flags. */
	uint64_t flags = 0;
	if (addr && trace_proc_read_mem(tid, addr, &flags, sizeof(flags)) != sizeof(flags))
		flags = 0;
	return flags;
}

bool trace_restarts(long long rval)
{
	/* ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK (kernel-internal). */
	return rval == -512 || rval == -513 || rval == -514 || rval == -516;
}

/* ---- /proc -------------------------------------------------------------- */

int trace_proc_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *t = strstr(buf, "\nTgid:");
	const char *p = strstr(buf, "\nPPid:");
	if (!t || !p)
		return -1;
	*tgid = (pid_t)atoi(t + 6);
	*ppid = (pid_t)atoi(p + 6);
	return 0;
}

int trace_proc_cmdline(pid_t tid, struct strvec *argv)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)tid);
	char *buf = xmalloc(65536);
	ssize_t len = read_small_file(path, buf, 65536);
	if (len < 0) {
		free(buf);
		return -1;
	}
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(buf + i) + 1)
		strvec_push(argv, buf + i);
	free(buf);
	return 0;
}

char *trace_proc_exe(pid_t tid)
{
	char path[64], target[4096];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	return xmemdup0(target, (size_t)n);
}

int trace_proc_state(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* The command name may hold spaces and parentheses: it ends at the last ')'. */
	const char *close_paren = strrchr(buf, ')');
	int parent;
	if (!close_paren || sscanf(close_paren + 1, " %c %d", state, &parent) != 2)
		return -1;
	*ppid = (pid_t)parent;
	return 0;
}

int trace_proc_sched(pid_t pid, char *state, unsigned long long *cpu_ticks)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *close_paren = strrchr(buf, ')');
	unsigned long long utime, stime;
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!close_paren || sscanf(close_paren + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				   state, &utime, &stime) != 3)
		return -1;
	*cpu_ticks = utime + stime;
	return 0;
}

int trace_proc_cpu_ns(pid_t tid, unsigned long long *ns)
{
	char path[64], buf[128];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)tid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0 || sscanf(buf, "%llu", ns) != 1)
		return -1;
	return 0;
}

/* "(read end)" or "(write end)" from a pipe descriptor's open mode. */
static const char *pipe_end(pid_t tid, int fd)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return "";
	const char *flags = strstr(buf, "flags:");
	if (!flags)
		return "";
	unsigned long mode = strtoul(flags + 6, NULL, 8) & O_ACCMODE;
	return mode == O_RDONLY ? " (read end)" : mode == O_WRONLY ? " (write end)" : "";
}

static int by_number(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The descriptors from min_fd up that tid has open, ascending; caller frees *fds. */
static size_t open_fds(pid_t tid, int min_fd, int **fds)
{
	*fds = NULL;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)tid);
	DIR *dir = opendir(path);
	if (!dir)
		return 0;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		int fd = atoi(de->d_name);
		if (fd < min_fd)
			continue;
		*fds = xgrow(*fds, sizeof(**fds), n + 1, &cap);
		(*fds)[n++] = fd;
	}
	closedir(dir);
	if (n)
		qsort(*fds, n, sizeof(**fds), by_number);
	return n;
}

size_t trace_proc_pipe_writes(pid_t tid, unsigned long long **inodes)
{
	*inodes = NULL;
	int *fds;
	size_t nfds = open_fds(tid, 0, &fds), n = 0, cap = 0;
	for (size_t i = 0; i < nfds; i++) {
		char link[96], target[64];
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, fds[i]);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		unsigned long long ino;
		if (sscanf(target, "pipe:[%llu]", &ino) != 1 ||
		    !strcmp(pipe_end(tid, fds[i]), " (read end)"))
			continue;
		*inodes = xgrow(*inodes, sizeof(**inodes), n + 1, &cap);
		(*inodes)[n++] = ino;
	}
	free(fds);
	return n;
}

void trace_proc_fds(pid_t tid, struct strvec *out)
{
	int *fds;
	size_t n = open_fds(tid, 3, &fds);
	for (size_t i = 0; i < n; i++) {
		char link[96], target[4096];
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, fds[i]);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		strvec_pushf(out, "fd %d -> %s%s", fds[i], target,
			     strncmp(target, "pipe:", 5) ? "" : pipe_end(tid, fds[i]));
	}
	free(fds);
}
