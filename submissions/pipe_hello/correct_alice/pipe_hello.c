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
  int total = 0;
  int pid;
  char buf[SIZE];
  const char *msg = "hello world, hello mars, hello universe";

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
    /* child: reader */
    close(pfd[1]);
    while ((nread = read(pfd[0], buf + total, SIZE - 1 - total)) > 0)
      total += nread;
    buf[total] = '\0';
    printf("child read: %s\n", buf);
    close(pfd[0]);
    exit(0);
  } else {
    /* parent: writer */
    close(pfd[0]);
    /* include null terminator in write */
    write(pfd[1], msg, strlen(msg) + 1);
    close(pfd[1]);
    wait(NULL);
  }
  exit(0);
}
