/* Correct: two named pipes hand the segment over — a byte on go.fifo once
 * the message is in it, a byte back on done.fifo once the client is done. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

struct shared {
  volatile int state;   /* unused: the pipes say it all */
  char msg[256];
};

int main(void)
{
  char line[256], byte = 'x';
  if (fgets(line, sizeof line, stdin) == NULL)
    return 1;
  line[strcspn(line, "\n")] = '\0';

  /* done.fifo first: a client that sees go.fifo finds done.fifo too. */
  if ((mkfifo("done.fifo", 0600) == -1 && errno != EEXIST) ||
      (mkfifo("go.fifo", 0600) == -1 && errno != EEXIST)) {
    perror("mkfifo");
    return 1;
  }
  int id = shmget(ftok(".", 'x'), sizeof(struct shared), 0666 | IPC_CREAT);
  if (id == -1) {
    perror("shmget");
    return 1;
  }
  struct shared *shm = shmat(id, NULL, 0);
  if (shm == (void *) -1) {
    perror("shmat");
    shmctl(id, IPC_RMID, NULL);
    return 1;
  }
  strcpy(shm->msg, line);
  printf("ready\n");
  fflush(stdout);

  /* Each open waits for the client's end of the pipe. */
  int go = open("go.fifo", O_WRONLY);
  int ok = go != -1 && write(go, &byte, 1) == 1;
  if (go != -1)
    close(go);
  int back = ok ? open("done.fifo", O_RDONLY) : -1;
  int done = back != -1 && read(back, &byte, 1) == 1;
  if (back != -1)
    close(back);
  shmdt(shm);
  shmctl(id, IPC_RMID, NULL);
  unlink("go.fifo");
  unlink("done.fifo");
  printf(done ? "server: done\n" : "server: the client did not answer\n");
  return done ? 0 : 1;
}
