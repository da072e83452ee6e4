/* Prints "hello" without the trailing newline: an exact match fails, with a diff. */
#include <stdio.h>

int main(void)
{
	printf("hello");
	return 0;
}
