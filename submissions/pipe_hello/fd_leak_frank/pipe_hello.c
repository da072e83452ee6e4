#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#define SIZE 1024

int main(int argc, char **argv)
{
  int pfd[2];
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
    /* child: one read is enough, the parent sends one message */
    if (read(pfd[0], buf, SIZE) > 0)
      printf("child read: %s\n", buf);
    exit(0);
  }
  /* parent */
  close(pfd[0]);
  write(pfd[1], msg, strlen(msg) + 1);
  close(pfd[1]);
  wait(NULL);
  exit(0);
}
