/*
 * Tries to reach the network: a student program could send the tests out,
 * fetch a solution, or attack hosts and services next to the grader.
 *
 * TCP connects (non-blocking, at most 500 ms each, so an unanswered SYN does
 * not hang the test) to 127.0.0.1:22 and :80 (the grader machine's ssh and
 * web server), 1.1.1.1:53 and 8.8.8.8:53 (the internet); a UDP datagram to
 * 8.8.8.8:53; and a listening socket on 0.0.0.0:8080 that connects to
 * itself (allowed: a test may use the loopback inside its own namespace).
 *
 * In an empty network namespace nothing is routable: the connects fail
 * (ENETUNREACH, or ECONNREFUSED if the sandbox brings lo up) and sendto
 * fails with ENETUNREACH.  "safe" only if no connect to another address
 * succeeded and the datagram could not be sent.  Errors go to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* 0 when a TCP connection to ip:port was established within 500 ms, else an errno. */
static int tcp_connect(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd p = { .events = POLLOUT };
	int err = 0, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	socklen_t len = sizeof(err);
	if (fd < 0)
		return errno;
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		err = errno;
	else if (p.fd = fd, poll(&p, 1, 500) != 1)
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	close(fd);
	fprintf(stderr, "connect %s:%d: %s\n", ip, port, err ? strerror(err) : "connected");
	return err;
}

int main(void)
{
	const char *ips[] = { "127.0.0.1", "127.0.0.1", "1.1.1.1", "8.8.8.8" };
	const int ports[] = { 22, 80, 53, 53 };
	struct sockaddr_in dns = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(8080) };
	int escaped = 0, fd;

	for (int i = 0; i < 4; i++)
		if (tcp_connect(ips[i], ports[i]) == 0 && (escaped = 1))
			printf("ESCAPED: TCP connect to %s:%d\n", ips[i], ports[i]);

	inet_pton(AF_INET, "8.8.8.8", &dns.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		fprintf(stderr, "UDP socket: %s\n", strerror(errno));
	else if (sendto(fd, "hi", 2, 0, (struct sockaddr *)&dns, sizeof(dns)) < 0)
		fprintf(stderr, "sendto 8.8.8.8:53: %s\n", strerror(errno));
	else
		escaped = printf("ESCAPED: UDP sendto 8.8.8.8:53\n");
	if (fd >= 0)
		close(fd);

	/* Self-connection: fine either way, only reported on stderr. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&any, sizeof(any)) == 0 && listen(fd, 1) == 0)
		tcp_connect("127.0.0.1", 8080);
	else
		fprintf(stderr, "bind 0.0.0.0:8080: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);

	if (!escaped)
		printf("safe\n");
	return 0;
}
