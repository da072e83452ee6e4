/*
 * Names things with terminal escape sequences: a child that re-executes
 * itself under an argv[0] holding a C1 CSI (U+009B) and ESC, names itself so
 * (PR_SET_NAME) and is left running; a /dev/shm object whose name turns the
 * terminal red, reverses the line (U+202E) and holds a newline; its own
 * process name clears the screen and sets the window title.  Then prints
 * "safe" and exits 0, leaving the child and the object behind.
 *
 * Why: these names reach the TA's terminal inside the grader's messages
 * (cleanup.orphans names the process, cleanup.ipc the object), and the
 * class reports.  The grader must fail cleanup.ipc and cleanup.orphans,
 * and show every name escaped ("\x1b[2J"): not one raw control byte may
 * reach a terminal, the JSON report or the class reports.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define NASTY_NAME "\302\2332J\033[5m"

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "child")) {
		prctl(PR_SET_NAME, NASTY_NAME, 0, 0, 0);
		/* End of file for the parent: it exits once this one runs under its new name. */
		close(atoi(argv[2]));
		for (;;)
			pause();
	}
	int ready[2];
	if (pipe(ready) < 0) {
		perror("pipe");
		return 1;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		char fd[16];
		snprintf(fd, sizeof(fd), "%d", ready[1]);
		close(ready[0]);
		execl("/proc/self/exe", NASTY_NAME, "child", fd, (char *)NULL);
		perror("exec");
		_exit(1);
	}
	close(ready[1]);
	char byte;
	if (read(ready[0], &byte, 1) != 0)
		return 1;
	prctl(PR_SET_NAME, "\033[2J\033]0;x\007", 0, 0, 0);
	int fd = open("/dev/shm/\033[31mred\342\200\256evil\nname", O_CREAT | O_RDWR, 0600);
	if (fd < 0) {
		perror("/dev/shm");
		return 1;
	}
	close(fd);
	printf("safe\n");
	return 0;
}
