/* Correct, with a process more in one order than in the other: a client
 * that finds no segment yet (it ran ahead of the server) forks a child
 * that waits for the segment and reads the message; one that finds it
 * reads it itself.  Its runs see two processes or three, so its orders
 * are never all tried: a perturbed repeat makes every run. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

struct shared {
  volatile int state;   /* 0: empty, 1: message written, 2: client done */
  char msg[256];
};

static int read_message(int id)
{
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

int main(void)
{
  key_t key = ftok(".", 'x');
  int id = shmget(key, sizeof(struct shared), 0666);
  if (id != -1)
    return read_message(id);
  pid_t pid = fork();
  if (pid == -1) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    for (int i = 0; i < 500 && (id = shmget(key, sizeof(struct shared), 0666)) == -1; i++)
      usleep(1000);
    if (id == -1) {
      perror("shmget");
      return 1;
    }
    return read_message(id);
  }
  int status;
  if (waitpid(pid, &status, 0) == -1) {
    perror("waitpid");
    return 1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
