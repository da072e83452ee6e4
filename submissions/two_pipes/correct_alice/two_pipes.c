#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#define SIZE 1024

/* reads fd until end of file into buf (at most size-1 bytes), returns the byte count */
static int read_all(int fd, char *buf, int size)
{
  int total = 0;
  int nread;

  while (total < size - 1 && (nread = read(fd, buf + total, size - 1 - total)) > 0)
    total += nread;
  buf[total] = '\0';
  return total;
}

int main(void)
{
  int pfd1[2];  /* parent -> child */
  int pfd2[2];  /* child -> parent */
  int pid;
  char question[SIZE];
  char buf[SIZE];

  if (fgets(question, sizeof question, stdin) == NULL) {
    fprintf(stderr, "no question on stdin\n");
    exit(1);
  }
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
    read_all(pfd1[0], buf, SIZE);
    close(pfd1[0]);
    printf("child read: %s\n", buf);
    strcpy(buf, "I am fine thank you");
    write(pfd2[1], buf, strlen(buf) + 1);
    close(pfd2[1]);
    exit(0);
  }

  /* parent */
  close(pfd1[0]);
  close(pfd2[1]);
  printf("parent asks: %s\n", question);
  fflush(stdout);   /* stdout may be a pipe: get this line out before the child talks */
  /* include null terminator in write */
  write(pfd1[1], question, strlen(question) + 1);
  close(pfd1[1]);
  read_all(pfd2[0], buf, SIZE);
  close(pfd2[0]);
  wait(NULL);
  printf("parent read: %s\n", buf);
  exit(0);
}
