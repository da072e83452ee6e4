/*
 * Looks for System V shared memory another test or student left behind:
 * the fixed key 1234 and ftok(".", 'a'), both without IPC_CREAT (so it
 * creates nothing).  Run after leaves_segment, it shows whether segments
 * leak from one test into the next.
 *
 * In a sandbox every test has its own IPC namespace, so both lookups fail
 * with ENOENT and the program prints "safe".  Any other outcome means a
 * segment with that key exists: found (it could be read), or EACCES
 * (it exists but is someone else's): "ESCAPED: ...".  errno goes to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static int exists(const char *name, key_t key)
{
	int id = shmget(key, 0, 0);
	int err = errno;
	fprintf(stderr, "%s (key 0x%x): %s\n", name, (unsigned)key, id >= 0 ? "found" : strerror(err));
	if (id >= 0 || err != ENOENT) {
		printf("ESCAPED: a segment with key %s exists (%s)\n", name,
		       id >= 0 ? "found" : strerror(err));
		return 1;
	}
	return 0;
}

int main(void)
{
	key_t mine = ftok(".", 'a');
	int found;

	if (mine == -1) {
		perror("ftok");
		return 1;
	}
	found = exists("1234", 1234);
	found |= exists("ftok(\".\", 'a')", mine);
	if (!found)
		printf("safe\n");
	return 0;
}
