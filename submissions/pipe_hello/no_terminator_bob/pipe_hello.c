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
  char buf[SIZE] = "hello world, hello mars, hello universe";

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
    close(pfd[1]);
    nread = read(pfd[0], buf, SIZE);
    if (nread > 0)
      printf("child read: %s\n", buf);
    close(pfd[0]);
    exit(0);
  } else {
    /* parent */
    close(pfd[0]);
    if (argc > 1)
      strcpy(buf, argv[1]);
    write(pfd[1], buf, strlen(buf));
    close(pfd[1]);
    wait(NULL);
  }
  exit(0);
}
