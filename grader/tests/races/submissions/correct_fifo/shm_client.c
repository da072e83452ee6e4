/* Correct: waits for the server's byte on go.fifo before it looks at the
 * segment, and answers on done.fifo once it is done with it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct shared {
  volatile int state;
  char msg[256];
};

int main(void)
{
  char byte;
  int go = -1;
  /* The server may not have made the pipe yet. */
  for (int i = 0; i < 500 && (go = open("go.fifo", O_RDONLY)) == -1 && errno == ENOENT; i++)
    usleep(1000);
  if (go == -1 || read(go, &byte, 1) != 1) {
    perror("go.fifo");
    return 1;
  }
  close(go);
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
  fflush(stdout);
  shmdt(shm);
  int back = open("done.fifo", O_WRONLY);
  if (back == -1 || write(back, &byte, 1) != 1) {
    perror("done.fifo");
    return 1;
  }
  close(back);
  return 0;
}
