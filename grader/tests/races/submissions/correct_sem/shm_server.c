/* Correct: two semaphores hand the segment over — 0: the message is in it,
 * 1: the client is done with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

struct shared {
  volatile int state;   /* unused: the semaphores say it all */
  char msg[256];
};

static int sem_change(int sems, unsigned short which, short by)
{
  struct sembuf op = {which, by, 0};
  return semop(sems, &op, 1);
}

int main(void)
{
  char line[256];
  if (fgets(line, sizeof line, stdin) == NULL)
    return 1;
  line[strcspn(line, "\n")] = '\0';

  /* Linux starts new semaphores at 0: nothing is ready, nobody is done. */
  int sems = semget(ftok(".", 's'), 2, 0666 | IPC_CREAT);
  if (sems == -1) {
    perror("semget");
    return 1;
  }
  int id = shmget(ftok(".", 'x'), sizeof(struct shared), 0666 | IPC_CREAT);
  if (id == -1) {
    perror("shmget");
    semctl(sems, 0, IPC_RMID);
    return 1;
  }
  struct shared *shm = shmat(id, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    shmctl(id, IPC_RMID, NULL);
    semctl(sems, 0, IPC_RMID);
    return 1;
  }
  strcpy(shm->msg, line);
  sem_change(sems, 0, 1);
  printf("ready\n");
  fflush(stdout);

  int done = sem_change(sems, 1, -1) == 0;
  shmdt(shm);
  shmctl(id, IPC_RMID, NULL);
  semctl(sems, 0, IPC_RMID);
  printf(done ? "server: done\n" : "server: the client did not answer\n");
  return done ? 0 : 1;
}
