#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
  int pfd[2];
  int pid;

  if (argc < 2) {
    printf("usage: ./dup2 DIR\n");
    exit(1);
  }
  if (pipe(pfd) == -1) {
    perror("pipe failed");
    exit(1);
  }

  if ((pid = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid == 0) {
    /* ls: its output goes into the pipe */
    close(pfd[0]);
    dup2(pfd[1], 0);
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
    /* wc: reads the pipe */
    close(pfd[1]);
    dup2(pfd[0], 0);
    close(pfd[0]);
    execlp("wc", "wc", NULL);
    perror("wc failed");
    exit(4);
  }

  close(pfd[0]);
  close(pfd[1]);
  wait(NULL);
  wait(NULL);
  exit(0);
}
