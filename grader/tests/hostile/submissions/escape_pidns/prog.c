/*
 * Counts the processes it can see: every numeric entry of /proc.  Seeing the
 * host's processes means seeing their command lines (other students' tests,
 * the grader's arguments), and being able to signal or ptrace some of them.
 *
 * Inside a PID namespace with its own /proc only the test is visible: the
 * sandbox's init and this program, a handful at most.  "safe" when fewer
 * than 20 pids are visible, else "ESCAPED: ..."; the count, this program's
 * pid and the first few command names seen go to stderr.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int pids = 0;

	while (d && (e = readdir(d))) {
		char path[300], comm[64] = "?";
		FILE *f;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (++pids <= 10) {
			snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
			if ((f = fopen(path, "r")) != NULL) {
				if (fgets(comm, sizeof(comm), f))
					comm[strcspn(comm, "\n")] = '\0';
				fclose(f);
			}
			fprintf(stderr, "pid %s: %s\n", e->d_name, comm);
		}
	}
	if (d)
		closedir(d);
	fprintf(stderr, "%d pids visible in /proc; mine is %d\n", pids, (int)getpid());
	if (pids >= 20)
		printf("ESCAPED: sees %d processes in /proc\n", pids);
	else
		printf("safe\n");
	return 0;
}
