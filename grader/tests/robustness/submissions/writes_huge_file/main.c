/*
 * Prints "hello", then writes a 1 GiB file in its working folder: the file
 * size limit stops it with SIGXFSZ long before the disk (or the sandbox's
 * tmpfs) fills up, and the grader reports a limit, not a crash.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char chunk[1 << 20];
	memset(chunk, 'x', sizeof(chunk));
	if (write(1, "hello\n", 6) != 6)
		return 1;
	int fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	for (int i = 0; i < 1024; i++)
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			return 2;
	return 0;
}
