#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
  int pfd[2];
  int pid_ls, pid_wc;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    exit(1);
  }
  if (pipe(pfd) == -1) {
    perror("pipe failed");
    exit(1);
  }

  if ((pid_ls = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid_ls == 0) {
    /* first child: ls writes into the pipe */
    close(pfd[0]);            /* close read end */
    dup2(pfd[1], 1);          /* stdout is now the write end */
    close(pfd[1]);            /* close og write end */
    execlp("ls", "ls", argv[1], NULL);
    perror("ls failed");
    exit(3);
  }

  /* BUG (on purpose): ls is waited for before wc even exists.  Fine while
     ls writes less than the pipe holds (64 KiB); with more, ls blocks
     writing, nobody reads, and the parent waits for ls forever. */
  waitpid(pid_ls, NULL, 0);

  if ((pid_wc = fork()) < 0) {
    perror("fork failed");
    exit(2);
  }
  if (pid_wc == 0) {
    /* second child: wc reads from the pipe */
    close(pfd[1]);            /* close write end */
    dup2(pfd[0], 0);          /* stdin is now the read end */
    close(pfd[0]);            /* close og read end */
    execlp("wc", "wc", NULL);
    perror("wc failed");
    exit(4);
  }

  /* parent: not part of the pipeline, so it closes both ends,
     otherwise wc never sees end of file */
  close(pfd[0]);
  close(pfd[1]);
  waitpid(pid_wc, NULL, 0);
  exit(0);
}
