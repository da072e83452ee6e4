/* Prints "hello" (unbuffered, so it is not lost), then dereferences NULL: SIGSEGV. */
#include <stddef.h>
#include <unistd.h>

int main(void)
{
	/* Both volatile: the compiler can neither see that p is NULL (and turn the
	 * store into a trap instruction, SIGILL) nor drop the store as dead. */
	volatile int *volatile p = NULL;

	if (write(1, "hello\n", 6) != 6)
		return 1;
	*p = 42;
	return 0;
}
