/* Correct: waits for the semaphores to exist, then for the server's post. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

struct shared {
  volatile int state;
  char msg[256];
};

static int sem_change(int sems, unsigned short which, short by)
{
  struct sembuf op = {which, by, 0};
  return semop(sems, &op, 1);
}

int main(void)
{
  int sems = -1;
  for (int i = 0; i < 500 && (sems = semget(ftok(".", 's'), 2, 0666)) == -1; i++)
    usleep(1000);
  if (sems == -1 || sem_change(sems, 0, -1) == -1) {
    perror("semaphores");
    return 1;
  }
  int id = shmget(ftok(".", 'x'), sizeof(struct shared), 0666);
  if (id == -1) {
    perror("shmget");
    return 1;
  }
  struct shared *shm = shmat(id, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    return 1;
  }
  printf("client read: %s\n", shm->msg);
  shmdt(shm);
  sem_change(sems, 1, 1);
  return 0;
}
