/*
 * Tries to eat the machine's memory: allocates 1 MiB chunks and touches
 * every byte (memset) so that the pages are really used, until malloc fails.
 *
 * With limits.memory (64M of address space) malloc returns NULL after about
 * 60 chunks; the program frees everything and prints "safe" (with write(),
 * since stdio may need memory it cannot get).  Without a memory limit it
 * would run until the kernel's OOM killer picks a victim, possibly not this
 * program; it then prints "ESCAPED" after 1 GiB, to stop by itself.  The
 * number of chunks goes to stderr.
 *
 * NEVER run this outside the sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	const size_t chunk = 1 << 20;
	void **list = NULL, **block;
	int chunks = 0;

	while (chunks < 1024 && (block = malloc(chunk)) != NULL) {
		memset(block, 0x5a, chunk);
		*block = list;	/* each chunk points to the previous one */
		list = block;
		chunks++;
	}
	while (list) {
		block = *list;
		free(list);
		list = block;
	}
	fprintf(stderr, "allocated and touched %d MiB\n", chunks);
	if (chunks < 1024) {
		if (write(1, "safe\n", 5) != 5)
			return 1;
	} else {
		printf("ESCAPED: allocated %d MiB\n", chunks);
	}
	return 0;
}
