#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SHMSZ 256

struct shared {
  volatile int state;
  char msg[SHMSZ];
};

int main(void)
{
  key_t key;
  int shmid;
  struct shared *shm;
  int i;

  key = ftok(".", 'x');
  shmid = shmget(key, sizeof(struct shared), 0666 | IPC_CREAT);
  if (shmid < 0) {
    perror("shmget");
    exit(1);
  }
  shm = shmat(shmid, NULL, 0);
  if (shm == (struct shared *) -1) {
    perror("shmat");
    exit(1);
  }

  fgets(shm->msg, SHMSZ, stdin);
  shm->msg[strcspn(shm->msg, "\n")] = '\0';
  shm->state = 1;
  printf("ready\n");
  fflush(stdout);

  for (i = 0; i < 100; i++) {
    if (shm->state == 2)
      break;
    usleep(10000);
  }
  if (shm->state == 2) {
    printf("server: client finished\n");
  } else {
    printf("server: client did not answer\n");
  }

  /* detach so the memory is given back */
  shmdt(shm);
  printf("server: segment removed\n");
  return 0;
}
