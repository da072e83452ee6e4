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
  key_t key;
  int shmid;
  struct shared *shm;
  struct shared data;

  key = ftok(".", 'x');
  shmid = shmget(key, sizeof(struct shared), 0666);
  if (shmid == -1) {
    perror("shmget");
    exit(1);
  }
  shm = shmat(shmid, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    exit(1);
  }

  data = *shm;              /* take a copy to work with */
  printf("client read: %s\n", data.msg);
  data.state = 2;           /* tell the server we are done */

  shmdt(shm);
  return 0;
}
