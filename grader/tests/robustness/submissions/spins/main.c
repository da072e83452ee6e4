/* Prints hello, then loops without ever waiting: the CPU limit (1 s) kills it. */
#include <unistd.h>

int main(void)
{
	if (write(1, "hello\n", 6) != 6)
		return 1;
	for (volatile unsigned long i = 0;; i++)
		;
}
