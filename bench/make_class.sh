#!/bin/sh
# Generates a class of N submissions in DIR: copies of the three fast
# pipe_hello submissions (correct_alice, no_terminator_bob, fd_leak_frank;
# none of them hangs, so no test waits for its 2 s timeout), each with a
# comment of its own appended so that no two builds are alike and no build
# cache can help.
#
#   bench/make_class.sh N DIR
set -eu
n=$1 dir=$2
mkdir -p "$dir"
i=0
while [ "$i" -lt "$n" ]; do
	for src in correct_alice no_terminator_bob fd_leak_frank; do
		[ "$i" -lt "$n" ] || break
		dst="$dir/student_$(printf %04d "$i")"
		mkdir -p "$dst"
		cp submissions/pipe_hello/$src/pipe_hello.c "$dst/"
		printf '\n/* student %d */\n' "$i" >>"$dst/pipe_hello.c"
		i=$((i + 1))
	done
done
