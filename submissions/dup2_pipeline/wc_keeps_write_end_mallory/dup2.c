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
    close(pfd[0]);       // close read end
    dup2(pfd[1], 1);     // dupe write end
    close(pfd[1]);       // close og write end
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
    dup2(pfd[0], 0);     // dupe read end
    close(pfd[0]);       // close og read end
    execlp("wc", "wc", NULL);
    perror("wc failed");
    exit(4);
  }

  /* parent */
  close(pfd[0]);
  close(pfd[1]);
  wait(NULL);
  wait(NULL);
  exit(0);
}
