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
  char *msg = argv[1];
  int len = strlen(msg) + 1;   /* +1 for the null terminator */

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
    int total = 0, nread;
    close(pfd[1]);
    while ((nread = read(pfd[0], buf + total, SIZE - total)) > 0)
      total += nread;
    printf("child read: %s\n", buf);
    close(pfd[0]);
    exit(0);
  }
  /* parent */
  close(pfd[0]);
  write(pfd[1], msg, len);
  close(pfd[1]);
  wait(NULL);
  return 0;
}
