/*
 * Reads the command line and the environment of pid 1, the sandbox's init,
 * which the grader forked: /proc/1/cmdline is readable by anyone and would
 * name the spec's folder, the submissions' folder and the reports' folder,
 * and past it the grader's environment.  "safe" when it reads only
 * "grader-init" (and the environment is unreadable), else what leaked
 * (its length only; the bytes go to stderr).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size);
	close(fd);
	return n;
}

int main(void)
{
	char buf[65536];
	int escaped = 0;
	ssize_t n = slurp("/proc/1/cmdline", buf, sizeof(buf));
	if (n > 0 && strcmp(buf, "grader-init") != 0) {
		printf("ESCAPED: /proc/1/cmdline holds %zd bytes, not grader-init\n", n);
		fwrite(buf, 1, (size_t)n, stderr);
		escaped = 1;
	}
	for (ssize_t i = (ssize_t)strlen("grader-init") + 1; n > 0 && i < n; i++) {
		if (buf[i]) {
			printf("ESCAPED: /proc/1/cmdline goes on past its name\n");
			escaped = 1;
			break;
		}
	}
	n = slurp("/proc/1/environ", buf, sizeof(buf));
	if (n > 0) {
		printf("ESCAPED: read /proc/1/environ (%zd bytes)\n", n);
		escaped = 1;
	}
	if (!escaped)
		printf("safe\n");
	return 0;
}
