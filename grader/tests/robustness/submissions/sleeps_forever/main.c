/* Prints nothing and sleeps 1000 s: the test ends by its timeout. */
#include <unistd.h>

int main(void)
{
	sleep(1000);
	return 0;
}
