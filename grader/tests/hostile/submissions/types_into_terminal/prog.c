/*
 * Tries to reach the terminal the grader was started from: to type a
 * command into it with TIOCSTI (the TA's shell would run it after the
 * grader exits) and to write to it past the output capture.  It tries
 * /dev/tty, its own descriptors 0-2, its parent's and init's descriptors
 * through /proc, and its controlling terminal's name (ctermid).
 *
 * In a sandbox the test has no controlling terminal, /dev/tty does not
 * exist, no descriptor leads to a terminal, and TIOCSTI is denied anyway.
 * Prints "safe" when nothing led to a terminal, else one "ESCAPED: ..."
 * line per way (the e2e test also reads the terminal it gave the grader,
 * and fails if the marker below reached it).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static const char marker[] = "HOSTILE-TTY-MARKER\n";
static int escaped;

/* Types a harmless command into fd's terminal, and writes the marker to it. */
static void attack(int fd, const char *via)
{
	if (fd < 0 || !isatty(fd))
		return;
	printf("ESCAPED: %s is a terminal\n", via);
	escaped = 1;
	const char *cmd = "true HOSTILE-TIOCSTI\n";
	for (const char *c = cmd; *c; c++)
		if (ioctl(fd, TIOCSTI, c) < 0)
			break;
	(void)!write(fd, marker, sizeof(marker) - 1);
}

int main(void)
{
	attack(open("/dev/tty", O_RDWR | O_NOCTTY), "/dev/tty");
	for (int fd = 0; fd <= 2; fd++) {
		char via[16];
		snprintf(via, sizeof(via), "fd %d", fd);
		attack(fd, via);
	}
	const char *others[] = {"/proc/1/fd/0", "/proc/1/fd/1", "/proc/1/fd/2",
				"/proc/self/fd/0", "/dev/console"};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		attack(open(others[i], O_RDWR | O_NOCTTY), others[i]);
	char parent[64];
	for (int fd = 0; fd <= 2; fd++) {
		snprintf(parent, sizeof(parent), "/proc/%d/fd/%d", (int)getppid(), fd);
		attack(open(parent, O_RDWR | O_NOCTTY), parent);
	}
	char name[L_ctermid];
	attack(open(ctermid(name), O_RDWR | O_NOCTTY), "ctermid()");
	if (getsid(0) == getpgrp() && tcgetpgrp(0) >= 0) {
		printf("ESCAPED: it has a controlling terminal\n");
		escaped = 1;
	}
	if (!escaped)
		printf("safe\n");
	return 0;
}
