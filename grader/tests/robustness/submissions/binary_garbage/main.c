/*
 * Writes 4 KiB of hostile bytes to stdout and 4 KiB to stderr, then exits 0:
 * NUL bytes, terminal escape sequences (clear screen, cursor moves, colour,
 * an OSC title change), invalid UTF-8 (lone continuation bytes, overlong
 * forms, surrogates, 0xFE/0xFF) and a deterministic pseudo-random filler from
 * a fixed LCG.  A report must show these escaped, never raw.
 */
#include <string.h>
#include <unistd.h>

#define CHUNK 4096

static const char hostile[] =
	"\x1b[2J\x1b[H"			/* clear screen, cursor home */
	"\x1b[31;1mRED\x1b[0m"		/* colour */
	"\x1b]0;pwned\x07"		/* set the terminal title */
	"\x1b[999;999H\x1b[6n"		/* move far away, ask for the cursor position */
	"\0\0\0"			/* NUL bytes */
	"\x80\xbf"			/* lone continuation bytes */
	"\xc0\xaf\xe0\x80\xaf"		/* overlong encodings of '/' */
	"\xed\xa0\x80"			/* UTF-16 surrogate */
	"\xf8\x88\x80\x80\x80\xfe\xff"	/* 5-byte form, bytes never valid */
	"\r\b\b\b\t\v\f\x7f";

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	unsigned int x = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;	/* fixed LCG: same bytes every run */
		buf[i] = (unsigned char)(x >> 16);
	}
	/* sprinkle the hand-made sequences at a few places */
	for (i = 0; i + sizeof(hostile) < len; i += 1000)
		memcpy(buf + i, hostile, sizeof(hostile));	/* includes the final NUL */
}

static void write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

int main(void)
{
	static unsigned char out[CHUNK], err[CHUNK];

	fill(out, sizeof(out), 42);
	fill(err, sizeof(err), 4242);
	write_all(1, out, sizeof(out));
	write_all(2, err, sizeof(err));
	return 0;
}
