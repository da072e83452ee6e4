#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  char cmd[512];

  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 1;
  }
  /* the shell already knows how to build a pipeline */
  snprintf(cmd, sizeof cmd, "ls %s | wc", argv[1]);
  if (system(cmd) == -1) {
    perror("system");
    return 1;
  }
  return 0;
}
