/*
 * Leaves System V shared memory behind: one segment with the fixed key 1234
 * and one with ftok(".", 'a') (the key the shm assignments use), each with a
 * marker written in it, attached and then detached, never IPC_RMID'd.
 *
 * Why: leftover segments pile up on a shared machine until shmget fails for
 * everybody, and a later test (or student) could read what this one left:
 * finds_segment tries.  The program's output is right ("safe", exit 0); the
 * grader must fail cleanup.ipc, naming the segments, and make sure they are
 * gone (with an IPC namespace they vanish with it).  Failures go to stderr
 * (and make the program exit 1).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static int leave(key_t key)
{
	int id = shmget(key, 4096, IPC_CREAT | 0666);
	char *p = id < 0 ? (char *)-1 : shmat(id, NULL, 0);
	if (p == (char *)-1) {
		perror("shmget/shmat");
		return 1;
	}
	strcpy(p, "left behind by leaves_segment");
	shmdt(p);
	fprintf(stderr, "key 0x%x: shmid %d\n", (unsigned)key, id);
	return 0;
}

int main(void)
{
	key_t mine = ftok(".", 'a');
	if (mine == -1) {
		perror("ftok");
		return 1;
	}
	if (leave(1234) | leave(mine))
		return 1;
	printf("safe\n");
	return 0;
}
