#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>
#include <string.h>

#include "spec.h"

static long long duration(const char *text)
{
	long long ms = -42;
	cr_assert_eq(parse_duration_ms(text, &ms), 0, "'%s' should parse as a duration", text);
	return ms;
}

static long long size(const char *text)
{
	long long bytes = -42;
	cr_assert_eq(parse_size(text, &bytes), 0, "'%s' should parse as a size", text);
	return bytes;
}

static void assert_bad_duration(const char *text)
{
	long long ms = -42;
	cr_assert_eq(parse_duration_ms(text, &ms), -1, "'%s' should be rejected", text);
	cr_assert_eq(ms, -42, "a rejected duration leaves the output alone");
}

static void assert_bad_size(const char *text)
{
	long long bytes = -42;
	cr_assert_eq(parse_size(text, &bytes), -1, "'%s' should be rejected", text);
	cr_assert_eq(bytes, -42);
}

Test(units, duration_units)
{
	cr_assert_eq(duration("250ms"), 250);
	cr_assert_eq(duration("2s"), 2000);
	cr_assert_eq(duration("1.5s"), 1500);
	cr_assert_eq(duration("1m"), 60000);
	cr_assert_eq(duration("1h"), 3600000);
	cr_assert_eq(duration("0"), 0);
	cr_assert_eq(duration("0ms"), 0);
}

Test(units, duration_plain_number_is_seconds)
{
	cr_assert_eq(duration("2"), 2000);
	cr_assert_eq(duration("0.25"), 250);
	cr_assert_eq(duration("10"), 10000);
}

Test(units, duration_fractions_are_exact_and_rounded)
{
	cr_assert_eq(duration("1.1s"), 1100);
	cr_assert_eq(duration("0.001s"), 1);
	cr_assert_eq(duration("0.0004s"), 0);
	cr_assert_eq(duration("0.0005s"), 1);
	cr_assert_eq(duration("1.5ms"), 2);
	cr_assert_eq(duration(".5s"), 500);
	cr_assert_eq(duration("2.s"), 2000);
	cr_assert_eq(duration("0.5m"), 30000);
	cr_assert_eq(duration("1.000000000000000000001s"), 1000);
}

Test(units, duration_suffix_case_is_ignored)
{
	cr_assert_eq(duration("2S"), 2000);
	cr_assert_eq(duration("250MS"), 250);
}

Test(units, duration_rejects_garbage)
{
	assert_bad_duration("");
	assert_bad_duration("s");
	assert_bad_duration(".s");
	assert_bad_duration("2 secs");
	assert_bad_duration("2 s");
	assert_bad_duration(" 2s");
	assert_bad_duration("-1s");
	assert_bad_duration("+1s");
	assert_bad_duration("1e3");
	assert_bad_duration("2sec");
	assert_bad_duration("1d");
	assert_bad_duration("inf");
	assert_bad_duration("nan");
	assert_bad_duration("0x10");
	assert_bad_duration("1.2.3s");
	cr_assert_eq(parse_duration_ms(NULL, &(long long){0}), -1);
}

Test(units, duration_rejects_overflow)
{
	assert_bad_duration("9223372036854775808ms");
	assert_bad_duration("9223372036854775807s");
	assert_bad_duration("99999999999999999999999h");
	cr_assert_eq(duration("9223372036854775807ms"), LLONG_MAX);
}

Test(units, size_units_are_binary)
{
	cr_assert_eq(size("512"), 512);
	cr_assert_eq(size("512B"), 512);
	cr_assert_eq(size("512K"), 512LL * 1024);
	cr_assert_eq(size("512KB"), 512LL * 1024);
	cr_assert_eq(size("512KiB"), 512LL * 1024);
	cr_assert_eq(size("64M"), 64LL << 20);
	cr_assert_eq(size("64MB"), 64LL << 20);
	cr_assert_eq(size("64MiB"), 64LL << 20);
	cr_assert_eq(size("1G"), 1LL << 30);
	cr_assert_eq(size("1GiB"), 1LL << 30);
	cr_assert_eq(size("2T"), 2LL << 40);
	cr_assert_eq(size("0"), 0);
}

Test(units, size_case_and_fractions)
{
	cr_assert_eq(size("64m"), 64LL << 20);
	cr_assert_eq(size("1kib"), 1024);
	cr_assert_eq(size("1.5M"), 3LL << 19);
	cr_assert_eq(size("0.5K"), 512);
}

Test(units, size_rejects_garbage_and_overflow)
{
	assert_bad_size("");
	assert_bad_size("K");
	assert_bad_size("64 MB");
	assert_bad_size("-1");
	assert_bad_size("lots");
	assert_bad_size("1X");
	assert_bad_size("1Kb2");
	assert_bad_size("8388608T");
	assert_bad_size("99999999999999999999");
}

Test(units, signal_names)
{
	cr_assert_eq(signal_from_name("SIGPIPE"), SIGPIPE);
	cr_assert_eq(signal_from_name("PIPE"), SIGPIPE);
	cr_assert_eq(signal_from_name("sigpipe"), SIGPIPE);
	cr_assert_eq(signal_from_name("SIGKILL"), SIGKILL);
	cr_assert_eq(signal_from_name("SEGV"), SIGSEGV);
	cr_assert_eq(signal_from_name("SIGIOT"), SIGABRT);
	cr_assert_eq(signal_from_name("SIGCHLD"), SIGCHLD);
	cr_assert_eq(signal_from_name("SIGRTMIN"), SIGRTMIN);
	cr_assert_eq(signal_from_name("SIGRTMIN+2"), SIGRTMIN + 2);
	cr_assert_eq(signal_from_name("SIGRTMAX-1"), SIGRTMAX - 1);
}

Test(units, unknown_signal_names_are_zero)
{
	cr_assert_eq(signal_from_name("SIGFOO"), 0);
	cr_assert_eq(signal_from_name(""), 0);
	cr_assert_eq(signal_from_name("SIG"), 0);
	cr_assert_eq(signal_from_name(NULL), 0);
	cr_assert_eq(signal_from_name("SIGRTMIN-1"), 0);
	cr_assert_eq(signal_from_name("SIGRTMIN+999"), 0);
	cr_assert_eq(signal_from_name("SIGRTMIN+"), 0);
	cr_assert_eq(signal_from_name("13"), 0);
}

Test(units, signal_name_round_trips)
{
	cr_assert_str_eq(signal_name(SIGPIPE), "SIGPIPE");
	cr_assert_str_eq(signal_name(SIGSEGV), "SIGSEGV");
	cr_assert_str_eq(signal_name(SIGABRT), "SIGABRT");
	cr_assert_str_eq(signal_name(SIGRTMIN), "SIGRTMIN");
	cr_assert_str_eq(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
	cr_assert_str_eq(signal_name(SIGRTMAX), "SIGRTMAX");
	/* glibc keeps 32 and 33 for itself: they have no name. */
	for (int sig = 1; sig <= SIGRTMAX; sig = sig == 31 ? SIGRTMIN : sig + 1)
		cr_assert_eq(signal_from_name(signal_name(sig)), sig, "%d: %s", sig,
			     signal_name(sig));
}

Test(units, signal_name_of_unknown_number)
{
	cr_assert_str_eq(signal_name(0), "SIG0");
	cr_assert_str_eq(signal_name(200), "SIG200");
}
