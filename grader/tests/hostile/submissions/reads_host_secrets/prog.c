/*
 * Reads what the host keeps to itself:
 *   /etc/shadow       password hashes: must not be readable at all
 *   /etc/passwd       the host's accounts: a sandbox generates a minimal one
 *                     (root, nobody, the sandbox user), so a "daemon:" line
 *                     means the host's file shows through
 *   /root             root's home: must not be listable (or be empty)
 *   /proc/1/environ   in a PID namespace pid 1 is the sandbox's init, which
 *                     inherited the grader's (the TA's) environment: tokens,
 *                     paths, ...; it must not be readable, or be empty
 * One "ESCAPED: ..." line per leak, "safe" if none.  The host name (uname;
 * a sandbox sets its own) and details go to stderr.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int escaped;

/* Reads up to size-1 bytes of path into buf; returns the count, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "%s: %zd bytes\n", path, n);
	return n;
}

int main(void)
{
	static char buf[1 << 16];
	struct utsname u;
	struct dirent *e;
	DIR *d;
	int entries = 0;
	ssize_t n;

	if (slurp("/etc/shadow", buf, sizeof(buf)) >= 0)
		escaped = printf("ESCAPED: read /etc/shadow\n");
	if (slurp("/etc/passwd", buf, sizeof(buf)) > 0 && strstr(buf, "daemon:"))
		escaped = printf("ESCAPED: /etc/passwd is the host's (it has daemon:)\n");
	d = opendir("/root");
	while (d && (e = readdir(d)))
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	if (entries > 0)
		escaped = printf("ESCAPED: lists /root (%d entries)\n", entries);
	/* Only the size is printed: the contents are what must not leak into a report. */
	if ((n = slurp("/proc/1/environ", buf, sizeof(buf))) > 0)
		escaped = printf("ESCAPED: read /proc/1/environ (%zd bytes)\n", n);
	if (uname(&u) == 0)
		fprintf(stderr, "hostname: %s\n", u.nodename);
	if (!escaped)
		printf("safe\n");
	return 0;
}
