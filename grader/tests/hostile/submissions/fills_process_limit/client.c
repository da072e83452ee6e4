/* The client: it should never get to run (see server.c). */
#include <unistd.h>

int main(void)
{
	return write(1, "ESCAPED: the client ran although the limit was used up\n", 56) == 56 ? 0 : 1;
}
