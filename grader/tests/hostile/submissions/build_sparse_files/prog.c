/* Built, but its build's folder must never come back to the host. */
#include <stdio.h>

int main(void)
{
	printf("ESCAPED: the build's sparse files were kept\n");
	return 0;
}
