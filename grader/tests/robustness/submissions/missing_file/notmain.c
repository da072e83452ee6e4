/*
 * A correct program in the wrong file: the spec's build.files requires
 * main.c, so the build fails with a message naming it, even though
 * "cc *.c" would have compiled this.
 */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 0;
}
