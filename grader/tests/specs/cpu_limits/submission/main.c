/*
 * Uses CPU time by its own CPU clock, never by a count of iterations: how
 * much it uses does not depend on how fast or loaded the machine is.
 *
 *   prog MS            the process uses MS milliseconds, then prints "done"
 *   prog child MS      a child it forks uses them; the parent waits for it
 *   prog threads MS    two threads use MS between them
 *   prog catch MS      the same as prog MS, but SIGXCPU is caught and
 *                      ignored
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void use(clockid_t clock, double seconds)
{
	volatile unsigned long spin = 0;
	while (cpu_seconds(clock) < seconds)
		spin++;
}

static double half;

static void ignore(int sig)
{
	(void)sig;
}

static void *worker(void *arg)
{
	(void)arg;
	use(CLOCK_THREAD_CPUTIME_ID, half);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 2) {
		use(CLOCK_PROCESS_CPUTIME_ID, atof(argv[1]) / 1000.0);
	} else if (argc == 3 && !strcmp(argv[1], "child")) {
		pid_t pid = fork();
		if (pid == 0) {
			use(CLOCK_PROCESS_CPUTIME_ID, atof(argv[2]) / 1000.0);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (argc == 3 && !strcmp(argv[1], "threads")) {
		pthread_t a, b;
		half = atof(argv[2]) / 2000.0;
		pthread_create(&a, NULL, worker, NULL);
		pthread_create(&b, NULL, worker, NULL);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
	} else if (argc == 3 && !strcmp(argv[1], "catch")) {
		signal(SIGXCPU, ignore);
		use(CLOCK_PROCESS_CPUTIME_ID, atof(argv[2]) / 1000.0);
	} else {
		return 2;
	}
	printf("done\n");
	return 0;
}
