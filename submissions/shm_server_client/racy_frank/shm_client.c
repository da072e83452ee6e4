#include <stdio.h>
#include <stdlib.h>
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

  if ((key = ftok(".", 'x')) == -1) {
    perror("ftok");
    exit(1);
  }
  /* no IPC_CREAT: the server created the segment */
  if ((shmid = shmget(key, sizeof(struct shared), 0666)) == -1) {
    perror("shmget");
    exit(1);
  }
  if ((shm = shmat(shmid, NULL, 0)) == (void *) -1) {
    perror("shmat");
    exit(1);
  }

  /* BUG (on purpose): no look at state.  A pause "gives the server time"
   * to write the message instead -- which holds as long as the server is
   * never held up for 100 ms, that is, usually. */
  usleep(100000);
  printf("client read: %s\n", shm->msg);
  shm->state = 2;
  shmdt(shm);
  return 0;
}
