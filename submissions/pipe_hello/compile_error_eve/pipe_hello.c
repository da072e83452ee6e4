#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#define SIZE 1024

int main(int argc, char **argv)
{
  int pfd[2];
  int nread;
  int pid;
  char buf[SIZE];
  char *msg = "hello world, hello mars, hello universe";

  if (argc > 1)
    msg = argv[1];
  if (pipe(pfd) == -1) {
    perror("pipe failed");
    exit(1);
  }
  if ((pid = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid == 0) {
    /* child */
    close(fd[1]);
    int total = 0;
    while ((nread = read(fd[0], buf + total, SIZE - total)) > 0)
      total += nread;
    printf("child read: %s\n", buf);
    close(fd[0]);
    exit(0);
  } else {
    /* parent */
    close(fd[0]);
    write(fd[1], msg, strlen(msg) + 1);
    close(fd[1]);
    wait(NULL);
  }
  exit(0);
}
