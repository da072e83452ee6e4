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
  size_t len = 0;
  char c;
  int i;
  int done;

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

  /* BUG (on purpose): "ready" and state = 1 come before the message is in
   * the segment.  The message is read straight into shared memory, one
   * character at a time, while the client may already be reading it (the
   * client's pause makes up for it, unless this takes 100 ms). */
  shm->state = 1;
  printf("ready\n");
  fflush(stdout);
  while (len < sizeof shm->msg - 1 && read(0, &c, 1) == 1 && c != '\n')
    shm->msg[len++] = c;
  shm->msg[len] = '\0';

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
