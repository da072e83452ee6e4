#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#define SIZE 1024

/* BUG (on purpose): the pipe's ends are swapped everywhere -- pfd[0] is
 * taken for the write end and pfd[1] for the read end.  The parent's write
 * fails (unchecked) and the child's read() returns -1 at once, every time:
 * its `!= 0` loop never ends, so the child spins until the CPU limit kills
 * it, while the parent waits for it. */
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
    close(pfd[0]);
    while ((nread = read(pfd[1], buf + total, SIZE - 1 - total)) != 0)
      if (nread > 0)
        total += nread;
    buf[total] = '\0';
    printf("child read: %s\n", buf);
    close(pfd[1]);
    exit(0);
  } else {
    /* parent: writer */
    close(pfd[1]);
    write(pfd[0], msg, strlen(msg) + 1);
    close(pfd[0]);
    wait(NULL);
  }
  exit(0);
}
