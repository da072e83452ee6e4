/* Correct: waits for the segment to exist, then for the server's flag. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct shared {
  volatile int state;   /* 0: empty, 1: message written, 2: client done */
  char msg[256];
};

int main(void)
{
  key_t key = ftok(".", 'x');
  int id = -1;
  for (int i = 0; i < 500 && (id = shmget(key, sizeof(struct shared), 0666)) == -1; i++)
    usleep(1000);
  if (id == -1) {
    perror("shmget");
    return 1;
  }
  struct shared *shm = shmat(id, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    return 1;
  }
  for (int i = 0; i < 500 && shm->state != 1; i++)
    usleep(1000);
  printf("client read: %s\n", shm->msg);
  shm->state = 2;
  shmdt(shm);
  return 0;
}
