#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
  int pfd[2];
  int pid;

  if (pipe(pfd) == -1) {
    perror("pipe failed");
    exit(1);
  }

  if ((pid = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid == 0) {
    /* child 1: ls */
    close(pfd[0]);
    dup2(pfd[1], 1);
    close(pfd[1]);
    execlp("ls", "ls", argv[1], NULL);
    perror("ls failed");
    exit(3);
  }

  if ((pid = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid == 0) {
    /* child 2: wc */
    close(pfd[1]);
    dup2(pfd[0], 0);
    close(pfd[0]);
    execlp("wc", "wc", NULL);
    perror("wc failed");
    exit(4);
  }

  /* parent waits for both children */
  wait(NULL);
  wait(NULL);
  return 0;
}
