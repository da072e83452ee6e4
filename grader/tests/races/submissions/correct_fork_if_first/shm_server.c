/* Correct: the message is in the segment before the flag is raised, and the
 * server waits for the client's answer before it removes the segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct shared {
  volatile int state;   /* 0: empty, 1: message written, 2: client done */
  char msg[256];
};

int main(void)
{
  char line[256];
  if (fgets(line, sizeof line, stdin) == NULL)
    return 1;
  line[strcspn(line, "\n")] = '\0';

  key_t key = ftok(".", 'x');
  int id = shmget(key, sizeof(struct shared), 0666 | IPC_CREAT);
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
  shm->state = 1;
  printf("ready\n");
  fflush(stdout);

  for (int i = 0; i < 500 && shm->state != 2; i++)
    usleep(1000);
  int done = shm->state == 2;
  shmdt(shm);
  shmctl(id, IPC_RMID, NULL);
  printf(done ? "server: done\n" : "server: the client did not answer\n");
  return done ? 0 : 1;
}
