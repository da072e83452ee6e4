#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct shared {
  volatile int state;
  char msg[256];
};

int main(void)
{
  int shmid;
  struct shared *shm;

  /* IPC_PRIVATE is guaranteed to give a unique key */
  shmid = shmget(IPC_PRIVATE, sizeof(struct shared), 0666);
  if (shmid == -1) {
    perror("shmget");
    exit(1);
  }
  shm = shmat(shmid, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    exit(1);
  }

  printf("client read: %s\n", shm->msg);
  shm->state = 2;
  shmdt(shm);
  return 0;
}
