/* Built only if the Makefile's writes all succeeded (they must not). */
#include <stdio.h>

int main(void)
{
	printf("ESCAPED: the build wrote 1 GiB\n");
	return 0;
}
