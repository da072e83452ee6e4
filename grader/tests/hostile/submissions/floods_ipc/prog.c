/*
 * Floods the report: leaves 20,000 POSIX shared memory objects in /dev/shm,
 * 100 POSIX message queues, 2,000 System V message queues, 1,000 shared
 * memory segments and 1,000 semaphore sets behind, then prints "safe".
 *
 * Why: cleanup.ipc describes every leftover object in a sentence.  Listed
 * whole, a program like this one (with 450,000 files) made one student's
 * report, junit.xml and results.json 122 MB each and the grader 590 MB.
 * The grader must still remove every object, list at most 10 of them and
 * count the rest ("and 23,090 more"), and keep the report under 1 MiB.
 * Its output is right (safe, exit 0): the test fails with cleanup.ipc only.
 * Objects are created with open(2) and raw system calls, not shm_open and
 * mq_open, which glibc before 2.34 keeps in librt (the build does not link it).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

struct mq_attributes {
	long flags, maxmsg, msgsize, curmsgs, reserved[4];
};

int main(void)
{
	unsigned created = 0;
	char name[64];
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "/dev/shm/flood-%05d", i);
		int fd = open(name, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			created++;
		}
	}
	/* The smallest queues: the per-user byte limit (RLIMIT_MSGQUEUE) then allows hundreds. */
	struct mq_attributes attr = {.maxmsg = 1, .msgsize = 1};
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "flood-%03d", i);
		long fd = syscall(SYS_mq_open, name, O_CREAT | O_RDWR | O_CLOEXEC, 0600, &attr);
		if (fd >= 0) {
			close((int)fd);
			created++;
		}
	}
	for (int i = 0; i < 2000; i++)
		created += msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0;
	for (int i = 0; i < 1000; i++)
		created += shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600) >= 0;
	for (int i = 0; i < 1000; i++)
		created += semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) >= 0;
	fprintf(stderr, "left %u IPC objects behind\n", created);
	printf("safe\n");
	return 0;
}
