/*
 * Writes 100 MiB to stdout and 100 MiB to stderr, alternating 64 KiB writes
 * between the two streams, then exits 0.  A grader that drains both pipes
 * (and discards what is over limits.output) sees it finish in well under a
 * second; one that stops reading one stream deadlocks it until the timeout.
 */
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define TOTAL (100L * 1024 * 1024)

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(void)
{
	static char out[CHUNK], err[CHUNK];
	long done;

	memset(out, 'o', sizeof(out));
	memset(err, 'e', sizeof(err));
	out[CHUNK - 1] = '\n';
	err[CHUNK - 1] = '\n';
	for (done = 0; done < TOTAL; done += CHUNK) {
		if (write_all(1, out, CHUNK) < 0 || write_all(2, err, CHUNK) < 0)
			break;	/* the reader went away: stop, still exit 0 */
	}
	return 0;
}
