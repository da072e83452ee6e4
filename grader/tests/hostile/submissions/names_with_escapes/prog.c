/*
 * Names things with terminal escape sequences: its own process name
 * (PR_SET_NAME) clears the screen and sets the window title, a child left
 * running under a name that holds a C1 CSI (U+009B), and a /dev/shm object
 * whose name turns the terminal red, reverses the line (U+202E) and holds a
 * newline.  Then prints "safe" and exits 0, leaving both behind.
 *
 * Why: these names reach the TA's terminal inside the grader's messages
 * (cleanup.orphans names the process, cleanup.ipc the object), and the
 * class reports.  The grader must fail cleanup.ipc and cleanup.orphans,
 * and show every name escaped ("\x1b[2J"): not one raw control byte may
 * reach a terminal, the JSON report or the class reports.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
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
		close(ready[0]);
		prctl(PR_SET_NAME, "\302\2332J\033[5m", 0, 0, 0);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char byte;
	/* End of file once the child has its new name: the grader then sees that name. */
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
