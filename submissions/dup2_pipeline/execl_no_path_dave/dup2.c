#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
  int pfd[2];
  int pid1, pid2;

  if (pipe(pfd) == -1) {
    perror("pipe failed");
    exit(1);
  }

  pid1 = fork();
  if (pid1 < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid1 == 0) {
    // ls side
    close(pfd[0]);
    dup2(pfd[1], 1);
    close(pfd[1]);
    execl("/bin/ls", "ls", argv[1], NULL);
    perror("ls failed");
    exit(3);
  }

  pid2 = fork();
  if (pid2 < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid2 == 0) {
    // wc side
    close(pfd[1]);
    dup2(pfd[0], 0);
    close(pfd[0]);
    execl("wc", "wc", NULL);
    perror("wc failed");
    exit(4);
  }

  close(pfd[0]);
  close(pfd[1]);
  waitpid(pid1, NULL, 0);
  waitpid(pid2, NULL, 0);
  return 0;
}
