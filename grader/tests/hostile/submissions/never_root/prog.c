/*
 * Says whether it runs as root.  A root grader runs student code as uid
 * 65534 whatever part of the sandbox the machine lacks (the e2e test also
 * grades it with --no-sandbox, as root).  "safe" unless any of its ids is 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	if (!r || !e || !s || !rg || !eg || !sg)
		printf("ESCAPED: runs with uid %d/%d/%d gid %d/%d/%d\n", (int)r, (int)e, (int)s,
		       (int)rg, (int)eg, (int)sg);
	else
		printf("safe\n");
	return 0;
}
