#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#define SIZE 1024

int main(int argc, char **argv)
{
  int pfd1[2];
  int pfd2[2];
  int nread;
  int total;
  int pid;
  char question[SIZE];
  char buf[SIZE];

  if (fgets(question, SIZE, stdin) == NULL)
    exit(1);
  question[strcspn(question, "\n")] = '\0';

  if (pipe(pfd1) == -1 || pipe(pfd2) == -1) {
    perror("pipe failed");
    exit(1);
  }
  if ((pid = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid == 0) {
    /* child */
    close(pfd1[1]);
    close(pfd2[0]);
    total = 0;
    while ((nread = read(pfd1[0], buf + total, SIZE - total)) > 0)
      total += nread;
    close(pfd1[0]);
    printf("child read: %s\n", buf);
    strcpy(buf, "I am fine thank you");
    write(pfd2[1], buf, strlen(buf) + 1);
    close(pfd2[1]);
    exit(0);
  } else {
    /* parent */
    close(pfd1[0]);
    close(pfd2[1]);
    printf("parent asks: %s\n", question);
    write(pfd1[1], question, strlen(question) + 1);
    close(pfd1[1]);
    total = 0;
    while ((nread = read(pfd2[0], buf + total, SIZE - total)) > 0)
      total += nread;
    close(pfd2[0]);
    wait(NULL);
    printf("parent read: %s\n", buf);
  }
  exit(0);
}
