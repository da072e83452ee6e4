/* Prints the right output but exits 42. */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 42;
}
