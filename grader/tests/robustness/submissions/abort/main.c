/* Calls abort() before printing anything: dies of SIGABRT. */
#include <stdlib.h>

int main(void)
{
	abort();
}
