/*
 * run_stdin: what a test's process reads (run_internal.h) — the text the
 * spec gives, fed through a pipe; a file; /dev/null when it gives none —
 * and, for a process the spec runs with `tty: true`, the pseudo-terminal
 * that is its stdin and stdout, so that its stdio behaves as at the
 * student's terminal: stdout line-buffered, isatty() true.
 *
 * A pseudo-terminal's master stays with the runner: it reads the process's output from it and
 * writes its stdin into it.  The process gets the slave as fd 0 and fd 1
 * (stderr stays the capture pipe, apart).  The slave is not made the
 * process's controlling terminal: a session leader's exit would then hang
 * up its foreground process group, killing with SIGHUP the children a
 * parent leaves behind, which never happens at the student's terminal
 * (there the shell leads the session); and job control has nothing to do
 * in a test.  The process has no controlling terminal at all (its own
 * session, run_child.c), so nothing reaches the grader's.
 *
 * The line discipline is set so that what passes through is the bytes:
 *   output  no OPOST: '\n' stays '\n' (a terminal would send "\r\n");
 *   input   canonical (ICANON): the process reads lines and sees
 *           end-of-file as at a terminal, when the runner sends VEOF
 *           (Ctrl-D) after the text; no echo (the text would otherwise
 *           come back as output), no signals (a 0x03 in the text is no
 *           Ctrl-C), no flow control, no erase or kill characters; the
 *           two bytes still special, VEOF and VLNEXT, are sent quoted by
 *           VLNEXT, so that any text arrives whole.  As at a terminal, a
 *           line longer than the line discipline's 4095 bytes is cut.
 * A sandbox has a devpts of its own (sandbox_fs.c): no terminal of the
 * host is reachable through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "run_internal.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define CTRL_D 0x04
#define CTRL_V 0x16

/* The slave's line discipline: bytes through, lines and end-of-file in. */
static int set_line_discipline(int slave)
{
	struct termios tio;
	if (tcgetattr(slave, &tio) < 0)
		return error_errno("run: tcgetattr on a pseudo-terminal");
	tio.c_iflag = 0;
	tio.c_oflag = 0;
	tio.c_lflag = ICANON | IEXTEN;
	tio.c_cflag = (tio.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8 | CREAD;
	for (size_t i = 0; i < NCCS; i++)
		tio.c_cc[i] = _POSIX_VDISABLE;
	tio.c_cc[VEOF] = CTRL_D;
	tio.c_cc[VLNEXT] = CTRL_V;
	tio.c_cc[VMIN] = 1;
	if (tcsetattr(slave, TCSANOW, &tio) < 0)
		return error_errno("run: tcsetattr on a pseudo-terminal");
	/* A terminal's usual size, the same for every run: a program may print to fit it. */
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
		return error_errno("run: TIOCSWINSZ on a pseudo-terminal");
	return 0;
}

/* A master and its slave, the slave's line discipline set; -1 with error(). */
static int pty_open(int *master, int *slave)
{
	*master = *slave = -1;
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return error_errno("run: cannot open a pseudo-terminal for `tty: true` (/dev/ptmx)");
	if (unlockpt(*master) < 0) {
		error_errno("run: unlockpt");
		goto fail;
	}
	/* The master's own peer, never looked up by a name a process could swap. */
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 && (errno == EINVAL || errno == ENOTTY)) {
		/* Kernels before 4.13: by its name, in the devpts the master came from. */
		char name[64];
		if (ptsname_r(*master, name, sizeof(name)) == 0)
			*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (*slave < 0) {
		error_errno("run: cannot open the pseudo-terminal's slave");
		goto fail;
	}
	if (set_line_discipline(*slave) < 0)
		goto fail;
	return 0;
fail:
	close_fd(master);
	close_fd(slave);
	return -1;
}

/* What to write into the master for stdin text: VEOF and VLNEXT quoted, then end-of-file. */
static char *pty_input(const char *data, size_t len, size_t *out_len)
{
	/* Each byte at most quoted, then two VEOFs. */
	char *out = xmalloc(2 * len + 2);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == CTRL_D || data[i] == CTRL_V)
			out[n++] = CTRL_V;
		out[n++] = data[i];
	}
	/* A VEOF after a partial line only hands that line over; the next one is end-of-file. */
	if (len && data[len - 1] != '\n')
		out[n++] = CTRL_D;
	out[n++] = CTRL_D;
	*out_len = n;
	return out;
}

/* A terminal's stdin text: the spec's text, or its file's contents, or nothing. */
static int tty_text(const struct run_proc_spec *spec, struct run_stdin *in)
{
	if (!spec->stdin_file) {
		in->data = pty_input(spec->stdin_data, spec->stdin_data ? spec->stdin_len : 0,
				     &in->len);
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	int ret = read_file(spec->stdin_file, &sb);
	if (ret == 0)
		in->data = pty_input(sb.buf, sb.len, &in->len);
	else
		error_prefix("run: stdin file");
	strbuf_release(&sb);
	return ret;
}

int run_stdin_open(const struct run_proc_spec *spec, struct run_stdin *in)
{
	*in = (struct run_stdin){-1, -1, -1, -1, NULL, 0};
	if (spec->tty) {
		if (pty_open(&in->master, &in->child_in) < 0 || tty_text(spec, in) < 0)
			goto fail;
		in->child_out = in->child_in;
		if ((in->feed = fcntl(in->master, F_DUPFD_CLOEXEC, 3)) < 0) {
			error_errno("run: dup");
			goto fail;
		}
		return 0;
	}
	if (spec->stdin_data) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0)
			return error_errno("run: pipe");
		in->child_in = fds[0];
		in->feed = fds[1];
		in->data = xmemdup0(spec->stdin_data, spec->stdin_len);
		in->len = spec->stdin_len;
		return 0;
	}
	const char *file = spec->stdin_file ? spec->stdin_file : "/dev/null";
	in->child_in = open(file, O_RDONLY | O_CLOEXEC);
	if (in->child_in < 0)
		return error_errno("run: cannot open stdin file %s", file);
	return 0;
fail:
	run_stdin_release(in);
	return -1;
}

void run_stdin_close_child(struct run_stdin *in)
{
	close_fd(&in->child_in);
	in->child_out = -1; /* the same descriptor when a terminal, else none */
}

void run_stdin_release(struct run_stdin *in)
{
	run_stdin_close_child(in);
	close_fd(&in->feed);
	close_fd(&in->master);
	free(in->data);
	in->data = NULL;
}

void run_stdin_pump(struct proc *p)
{
	while (p->in_off < p->in_len) {
		ssize_t n = write(p->in_fd, p->in_data + p->in_off, p->in_len - p->in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EPIPE, or EIO from a terminal nobody holds: the program has let its stdin go. */
		if (n < 0)
			break;
		p->in_off += (size_t)n;
	}
	close_fd(&p->in_fd);
}
