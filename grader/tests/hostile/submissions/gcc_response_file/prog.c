/*
 * Next to this file lies "@opts.c", whose content is "-DPWNED": to GCC, an
 * argument "@opts.c" is a response file of options, so a build command that
 * hands it the bare names of *.c would compile this program with PWNED
 * defined (and a "-wrapper" option in it would run a program of the
 * student's choice at build time).  The default build command names every
 * file "./NAME": @opts.c is then a source file like any other, one that
 * does not compile, and the build fails honestly.
 */
#include <stdio.h>

int main(void)
{
#ifdef PWNED
	printf("ESCAPED: a file name became compiler options\n");
#else
	printf("safe\n");
#endif
	return 0;
}
