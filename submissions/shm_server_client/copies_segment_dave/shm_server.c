#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct shared {
  volatile int state;   /* 0: empty, 1: message written, 2: client done */
  char msg[256];
};

int main(void)
{
  key_t key;
  int shmid;
  struct shared *shm;
  char line[256];
  int i;
  int done;

  if (fgets(line, sizeof line, stdin) == NULL) {
    fprintf(stderr, "server: no message on stdin\n");
    exit(1);
  }
  line[strcspn(line, "\n")] = '\0';

  if ((key = ftok(".", 'x')) == -1) {
    perror("ftok");
    exit(1);
  }
  if ((shmid = shmget(key, sizeof(struct shared), 0666 | IPC_CREAT)) == -1) {
    perror("shmget");
    exit(1);
  }
  if ((shm = shmat(shmid, NULL, 0)) == (void *) -1) {
    perror("shmat");
    shmctl(shmid, IPC_RMID, NULL);
    exit(1);
  }

  strcpy(shm->msg, line);
  shm->state = 1;
  printf("ready\n");
  fflush(stdout);

  /* wait for the client, at most 100 x 10 ms */
  for (i = 0; i < 100 && shm->state != 2; i++)
    usleep(10000);
  done = (shm->state == 2);
  if (done)
    printf("server: client finished\n");
  else
    printf("server: client did not answer\n");

  shmdt(shm);
  if (shmctl(shmid, IPC_RMID, NULL) == -1) {
    perror("shmctl");
    exit(1);
  }
  printf("server: segment removed\n");
  return done ? 0 : 1;
}
