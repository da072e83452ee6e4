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
  int pid;
  char buf[SIZE];
  char question[SIZE];

  if (fgets(question, SIZE, stdin) == NULL)
    exit(1);
  question[strcspn(question, "\n")] = '\0';

  if (pipe(pfd1) == -1) {
    perror("pipe failed");
    exit(1);
  }
  if (pipe(pfd2) == -1) {
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
    while ((nread = read(pfd1[0], buf, SIZE)) != 0) {
      printf("child read: %s\n", buf);
    }
    close(pfd1[0]);
    strcpy(buf, "I am fine thank you");
    write(pfd2[1], buf, strlen(buf) + 1);
    close(pfd2[1]);
    exit(0);
  } else {
    /* parent */
    close(pfd1[0]);
    close(pfd2[1]);
    printf("parent asks: %s\n", question);
    fflush(stdout);
    /* blocking receive: wait until the child says something */
    while ((nread = read(pfd2[0], buf, SIZE)) != 0) {
      printf("parent read: %s\n", buf);
    }
    /* include null terminator in write */
    write(pfd1[1], question, strlen(question) + 1);
    close(pfd1[1]);
    close(pfd2[0]);
    wait(NULL);
  }
  exit(0);
}
