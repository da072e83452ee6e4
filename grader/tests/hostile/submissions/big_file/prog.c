/*
 * Tries to fill the disk: writes a 10 GiB file into its working folder in
 * 1 MiB chunks.  SIGXFSZ is ignored so that a file size limit (RLIMIT_FSIZE)
 * shows as EFBIG from write() instead of killing the program.
 *
 * In a sandbox the working folder is a small tmpfs (or a file size limit
 * applies): a write fails (ENOSPC, EFBIG, EDQUOT) long before 10 GiB, and
 * the program prints "safe" and exits 0.  If all 10 GiB were written it
 * prints "ESCAPED: ..."; the byte count and errno go to stderr.  The file is
 * removed at the end either way.  A grader without any of these limits
 * would see the program killed by its CPU limit or timeout, with the host's
 * disk filling up meanwhile.
 *
 * NEVER run this outside the sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char chunk[1 << 20];
	const long long goal = 10LL << 30;
	long long total = 0;
	int err = 0, fd;

	signal(SIGXFSZ, SIG_IGN);
	memset(chunk, 'x', sizeof(chunk));
	fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		err = errno;
	while (fd >= 0 && total < goal) {
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n <= 0) {
			err = n < 0 ? errno : ENOSPC;
			break;
		}
		total += n;	/* a short write is followed by a failing one */
	}
	fprintf(stderr, "wrote %lld bytes: %s\n", total, err ? strerror(err) : "no error");
	if (fd >= 0)
		close(fd);
	unlink("big.bin");
	if (total >= goal)
		printf("ESCAPED: wrote %lld bytes to %s\n", total, "big.bin");
	else
		printf("safe\n");
	return 0;
}
