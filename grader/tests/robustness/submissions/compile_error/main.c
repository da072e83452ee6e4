/* Does not compile: a missing semicolon and an undeclared identifier. */
#include <stdio.h>

int main(void)
{
	printf("hello\n")
	return undeclared_variable;
}
